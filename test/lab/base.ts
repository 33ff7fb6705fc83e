// What the lab's two halves share (test/lab/lab.ts in the test files, test/lab/run.ts in the run
// that serves them): image names, labels, running docker, and telling a live lab from a stale one.
import { spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, type ExecResult, type RunOptions } from '../support/proc.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const IMAGES = {
  server: 'stack-wizard-lab/server:bookworm',
  client: 'stack-wizard-lab/client',
  debian: 'stack-wizard-lab/debian:12',
  mariadb: 'stack-wizard-lab/mariadb:10.11',
  redis: 'stack-wizard-lab/redis:7.0',
  nginx: 'stack-wizard-lab/nginx:1.26',
  app: 'stack-wizard-lab/app:ok',
  appV2: 'stack-wizard-lab/app:v2',
  appBroken: 'stack-wizard-lab/app:broken',
  appCrash: 'stack-wizard-lab/app:crash',
  pebble: 'stack-wizard-lab/pebble',
  // Built only when a test names them (Lab.create({ images: ['mysql-9.7', …] }); test/lab/README.md).
  mysql97: 'stack-wizard-lab/mysql:9.7',
  mariadb118: 'stack-wizard-lab/mariadb:11.8',
  redis80: 'stack-wizard-lab/redis:8.0',
  valkey81: 'stack-wizard-lab/valkey:8.1',
  valkey91: 'stack-wizard-lab/valkey:9.1',
  nginx130: 'stack-wizard-lab/nginx:1.30',
  nginx122: 'stack-wizard-lab/nginx:1.22',
  registry: 'stack-wizard-lab/registry',
} as const;

/**
 * What a prepared server's engine holds (the stack of the lab answers, every app variant): the
 * run keeps such servers ready, so a file that asks for a subset gets one at once. The app
 * variants share one layer, so the variants cost no bytes. Others are loaded when asked for.
 */
export const STANDARD_IMAGES: readonly string[] = [
  IMAGES.mariadb, IMAGES.redis, IMAGES.nginx, IMAGES.app, IMAGES.appV2, IMAGES.appBroken, IMAGES.appCrash,
];

/** The port sshd listens on in the server image (not 22, on purpose). */
export const SSH_PORT = 2222;
/** The sudo user baked into the server image; its password and keys are set when the server starts. */
export const OPS_USER = 'ops';

/** Set on everything a lab run creates: `<host>:<pid>:<process start time>` of the process that owns the run. */
export const OWNER_LABEL = 'org.stack-wizard.lab.owner';
/** The run (one `vitest` process, or one stand-alone Lab). */
export const RUN_LABEL = 'org.stack-wizard.lab.run';
/** One test file's lab inside a run: what its cleanup removes. */
export const LAB_LABEL = 'org.stack-wizard.lab.lab';

export const docker = (args: string[], opts?: RunOptions) => run('docker', args, opts);

/** For a command in a container: `env` and `workdir` are the container's (docker exec --env/--workdir). */
export interface ExecOptions extends Omit<RunOptions, 'env' | 'cwd'> {
  user?: string;
  workdir?: string;
  env?: Record<string, string>;
}

/** Runs a command in a container; a string runs under `bash -c`. */
export function exec(container: string | { name: string }, cmd: string | string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const name = typeof container === 'string' ? container : container.name;
  const args = ['exec', '-i'];
  if (opts.user) args.push('--user', opts.user);
  if (opts.workdir) args.push('--workdir', opts.workdir);
  for (const [k, v] of Object.entries(opts.env ?? {})) args.push('--env', `${k}=${v}`);
  args.push(name, ...(typeof cmd === 'string' ? ['bash', '-c', cmd] : cmd));
  return docker(args, { input: opts.input, timeoutMs: opts.timeoutMs, allowFail: opts.allowFail });
}

/**
 * A lab image's plain tag (what tests and compose files name, and what a server's engine holds)
 * → the tag of this checkout's build of it, `<tag>-h<hash of its inputs>` (build-images.sh --refs).
 * Checkouts sharing an engine with other image definitions each run their own builds.
 */
export type ImageRefs = ReadonlyMap<string, string>;

const known = new Map<string, string>();
const imagesBuilt = new Map<string, Promise<void>>();
/**
 * Builds the lab images that are missing or out of date (test/lab/build-images.sh; cached, so fast
 * when current): the default set, or the named image folders (the on-demand images are built only
 * so). Returns the refs of every lab image this process has ensured so far.
 */
export async function ensureImages(names: readonly string[] = []): Promise<ImageRefs> {
  const key = names.join(' ');
  let built = imagesBuilt.get(key);
  if (!built) {
    built = (async () => {
      const script = join(PROJECT_ROOT, 'test/lab/build-images.sh');
      await run('bash', [script, ...names], { timeoutMs: 30 * 60_000 });
      for (const line of (await run('bash', [script, '--refs', ...names])).stdout.split('\n').filter(Boolean)) {
        const [tag, hashed, state] = line.split(' ');
        if (state !== 'built') throw new Error(`lab image ${tag} is not built after build-images.sh (${line})`);
        known.set(tag!, hashed!);
      }
    })();
    imagesBuilt.set(key, built);
    built.catch(() => imagesBuilt.delete(key));
  }
  await built;
  return new Map(known);
}

/** The image to run for a name: this checkout's build of a lab image, anything else as it is. */
export const refOf = (refs: ImageRefs, image: string) => refs.get(image) ?? refs.get(`${image}:latest`) ?? image;

/** `<host>:<pid>:<start time>`, so a reused pid is not mistaken for a live owner. */
export function processIdentity(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) counted after the ")" closing the command name, which may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return `${hostname()}:${pid}:${fields[19]}`;
  } catch {
    return null;
  }
}

/** Gone only when provably so: an owner on another host (or malformed) is left alone. */
export function ownerGone(owner: string): boolean {
  const [host, pidText] = owner.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  return processIdentity(pid) !== owner;
}

export const OWNER = processIdentity(process.pid) ?? `${hostname()}:${process.pid}:0`;

/** Removes containers (with their volumes) and networks left by lab runs whose process is gone (an aborted run). */
export async function removeStale(): Promise<string[]> {
  const removed: string[] = [];
  const list = async (kind: 'container' | 'network') => {
    const args = kind === 'container' ? ['ps', '-a', '--format', '{{.Names}}'] : ['network', 'ls', '--format', '{{.Name}}'];
    args[args.length - 1] += `\t{{.Label "${OWNER_LABEL}"}}`;
    const r = await docker([...args, '--filter', `label=${OWNER_LABEL}`], { allowFail: true });
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t') as [string, string])
      .filter(([, owner]) => ownerGone(owner));
  };
  const containers = (await list('container')).map(([name]) => name);
  if (containers.length) await docker(['rm', '-f', '-v', ...containers], { allowFail: true, timeoutMs: 600_000 });
  removed.push(...containers);
  for (const [name] of await list('network')) {
    await docker(['network', 'rm', name], { allowFail: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Addresses this machine must keep reaching while a lab exists: its package registries (read from
 * apt's sources and npm's config at run time) and its DNS resolvers. A lab network whose subnet
 * holds one of them would capture that traffic (in some sandboxes the registries sit on a
 * documentation range too).
 */
export async function reservedAddresses(): Promise<string[]> {
  const hosts = new Set<string>();
  const dir = '/etc/apt/sources.list.d';
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.(sources|list)$/.test(f)).map((f) => join(dir, f)) : [];
  if (existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(/[a-z]+:\/\/([^/\s:]+)/g)) hosts.add(m[1]!);
  const npm = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' });
  const reg = /^[a-z]+:\/\/([^/:]+)/.exec(npm.stdout?.trim() ?? '');
  if (reg) hosts.add(reg[1]!);
  const out: string[] = [];
  for (const h of hosts) out.push(...(await lookup(h, { all: true, family: 4 }).catch(() => [])).map((a) => a.address));
  const resolv = existsSync('/etc/resolv.conf') ? readFileSync('/etc/resolv.conf', 'utf8') : '';
  for (const m of resolv.matchAll(/^nameserver\s+(\d+\.\d+\.\d+\.\d+)/gm)) out.push(m[1]!);
  return out;
}

const toInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
export function inSubnet(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = toInt(net!);
  return toInt(ip) >= start && toInt(ip) < start + size;
}

/** Milliseconds → "12.3 s", for the lab's timing lines in the CI log. */
export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
