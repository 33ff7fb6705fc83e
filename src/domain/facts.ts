// What the probe saw on the host. `probe --json` prints exactly this; `--host-facts F` reads it back.
import { z } from 'zod';
import { NODE_ROLES } from './swarm.js';

const bytes = z.number().int().min(0);
const DiskSchema = z.strictObject({
  path: z.string(),
  mount: z.string().nullable(),
  totalBytes: bytes,
  freeBytes: bytes,
  freeInodes: z.number().int().min(0).nullable(),
});
const PortUseSchema = z.strictObject({
  port: z.number().int().min(1).max(65535),
  inUse: z.boolean(),
  process: z.string().nullable(),
  pid: z.number().int().nullable(),
});

export const HostFactsSchema = z.strictObject({
  schemaVersion: z.literal(1),
  hostname: z.string(),
  cpu: z.strictObject({ cores: z.number().int().min(1), model: z.string().nullable(), cgroupCpus: z.number().positive().nullable() }),
  memory: z.strictObject({
    totalBytes: bytes.min(1),
    /** cgroup v2/v1 memory limit of the probing process, when one applies (containers, systemd slices). */
    cgroupLimitBytes: bytes.nullable(),
    availableBytes: bytes,
    swapTotalBytes: bytes,
    swapFreeBytes: bytes,
  }),
  disks: z.strictObject({ installDir: DiskSchema, dockerRoot: DiskSchema }),
  os: z.strictObject({ id: z.string(), versionId: z.string(), codename: z.string().nullable(), prettyName: z.string(), idLike: z.array(z.string()) }),
  arch: z.string(),
  kernel: z.string(),
  virtualization: z.string().nullable(),
  docker: z.strictObject({
    installed: z.boolean(),
    version: z.string().nullable(),
    running: z.boolean(),
    rootDir: z.string().nullable(),
    storageDriver: z.string().nullable(),
    cgroupVersion: z.string().nullable(),
    /** The daemon answers but this account may not use its socket (not root, not in the docker group). Optional: older facts files. */
    permissionDenied: z.boolean().optional(),
  }),
  compose: z.strictObject({ installed: z.boolean(), version: z.string().nullable(), v2: z.boolean() }),
  sshd: z.strictObject({ ports: z.array(z.number().int().min(1).max(65535)), source: z.enum(['listening', 'sshd-config', 'default', 'none']) }),
  ports: z.array(PortUseSchema),
  user: z.strictObject({ isRoot: z.boolean(), uid: z.number().int(), name: z.string().nullable() }),
  systemd: z.boolean(),
  addresses: z.strictObject({ public: z.array(z.string()), private: z.array(z.string()) }),
  /** The operator's SSH session as seen in SSH_CONNECTION: where they come from and the port they came in on. */
  session: z.strictObject({ sshClientAddress: z.string().nullable(), sshServerPort: z.number().int().nullable() }),
  timezone: z.string(),
  timeSynchronized: z.boolean().nullable(),
  /**
   * The open-files hard limit here and whether root may raise it (CAP_SYS_RESOURCE). Without that
   * capability (LXC/OpenVZ VPS, sandboxes) no container can get a higher nofile ulimit: asking for
   * one makes it fail to start. Optional: facts files from before it was probed stay valid.
   */
  limits: z.strictObject({ nofileHard: z.number().int().positive().nullable(), canRaiseNofile: z.boolean() }).optional(),
  /**
   * On a swarm manager: the ready, active nodes with their role labels and resources (`docker node
   * inspect`), so a swarm plan is sized per node. Absent elsewhere.
   */
  swarmNodes: z
    .array(z.strictObject({ hostname: z.string(), roles: z.array(z.enum(NODE_ROLES)), memoryMiB: z.number().int().min(0), cpus: z.number().min(0) }))
    .optional(),
});

export type HostFacts = z.output<typeof HostFactsSchema>;

const MiB = 1024 * 1024;
/** RAM the stack may plan with: the smaller of the machine's RAM and the cgroup limit, in MiB. */
export function usableRamMiB(f: HostFacts): number {
  const lim = f.memory.cgroupLimitBytes;
  const b = lim !== null && lim > 0 && lim < f.memory.totalBytes ? lim : f.memory.totalBytes;
  return Math.floor(b / MiB);
}

/** What systemd-detect-virt calls a container (the rest it names are virtual machines). */
export const CONTAINER_VIRT: ReadonlySet<string> = new Set(['docker', 'podman', 'lxc', 'lxc-libvirt', 'systemd-nspawn', 'openvz', 'container-other', 'rkt', 'wsl', 'proot', 'pouch']);
/** Whether this host is itself a container (LXC/OpenVZ VPS, a sandbox), as the facts name its virtualisation. */
export const inContainer = (f: Pick<HostFacts, 'virtualization'>) => f.virtualization !== null && CONTAINER_VIRT.has(f.virtualization);

/** The open-files ulimit containers may ask for: 65535 (what MySQL and Nginx want), or less where the host cannot grant it. */
export const WANTED_NOFILE = 65535;
export function maxContainerNofile(f: HostFacts): number {
  const l = f.limits;
  // Only a container (LXC/OpenVZ, a sandbox) withholds the capability from root; on a VM or bare
  // metal root has it, whatever the account that probed (#22.8).
  if (!l || l.canRaiseNofile || l.nofileHard === null || !inContainer(f)) return WANTED_NOFILE;
  return Math.min(WANTED_NOFILE, l.nofileHard);
}

/** Cores the stack may plan with: the machine's, or a cgroup CPU quota when smaller. */
export function usableCores(f: HostFacts): number {
  const q = f.cpu.cgroupCpus;
  return q !== null && q < f.cpu.cores ? Math.max(1, Math.floor(q)) : f.cpu.cores;
}
