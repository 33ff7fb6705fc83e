// Docker Swarm across several servers (#20): node roles, the ports the nodes talk on, the stack's
// names. Pure; the stack file is render/stack.ts, the commands services/cluster.ts.
import { join } from 'node:path/posix';
import { cidrContains, ipFamily, isDockerInterface } from './ip.js';

/** Roles are node labels (`<role>=true`): edge runs Nginx, app the app and worker replicas, data the stateful services. */
export const NODE_ROLES = ['edge', 'app', 'data'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

/** The stack file's name in the install dir, beside the single server's docker-compose.yml. */
export const STACK_FILE = 'docker-stack.yml';

/** Placement constraint of a role, as the stack file and `docker service create` write it. */
export const roleConstraint = (role: NodeRole) => `node.labels.${role} == true`;

/**
 * The ports Swarm's nodes use between themselves (Docker's "Use overlay networks"): 2377/tcp
 * cluster management (managers), 7946 tcp+udp node gossip, 4789/udp VXLAN data. Open only
 * between the cluster's node addresses, never to the world.
 */
export const SWARM_PORTS: readonly { port: number; proto: 'tcp' | 'udp' }[] = [
  { port: 2377, proto: 'tcp' },
  { port: 7946, proto: 'tcp' },
  { port: 7946, proto: 'udp' },
  { port: 4789, proto: 'udp' },
];

/**
 * `role[,role…]` as `cluster label` takes it: each a known role, no repeats. An unknown one is
 * named in the error (the caller turns null + the bad part into a usage error).
 */
export function parseRoles(text: string): { roles: NodeRole[] } | { bad: string } {
  const parts = text.split(',').map((p) => p.trim());
  const roles: NodeRole[] = [];
  for (const p of parts) {
    if (!(NODE_ROLES as readonly string[]).includes(p)) return { bad: p };
    if (!roles.includes(p as NodeRole)) roles.push(p as NodeRole);
  }
  return { roles };
}

/** A swarm node's ID or host name as `docker node` takes it: letters, digits, . _ - (never an option). */
export const NODE_REF_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** A join token: SWMTKN-1-<cluster hash>-<secret>. */
export const JOIN_TOKEN_RE = /^SWMTKN-1-[a-z0-9]{50}-[a-z0-9]{25}$/;

/** argv for `docker` (from `stack` on) that deploys or updates the stack from its file. */
export function stackDeployArgv(installDir: string, project: string): string[] {
  // --prune removes services the answers dropped; --with-registry-auth lets every node pull a private app image.
  return ['stack', 'deploy', '--prune', '--with-registry-auth', '-c', join(installDir, STACK_FILE), project];
}

/** The name of a .env secret as a Docker secret and under /run/secrets/. */
export const dockerSecretName = (envName: string) => envName.toLowerCase();

/** Ranges a swarm may advertise on without encryption: RFC 1918, carrier-grade NAT, IPv6 unique local. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'];
export const isPrivateAddress = (ip: string) => PRIVATE_RANGES.some((r) => cidrContains(r, ip));

/** Global addresses from `ip -o addr show scope global` ("2: eth0    inet 10.0.0.5/24 brd … scope global eth0"). */
export function globalAddresses(text: string): { iface: string; address: string }[] {
  const out: { iface: string; address: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+inet6?\s+([0-9a-fA-F:.]+)\/\d+/.exec(line);
    // Docker's own bridges are no address another server reaches this one on.
    if (m && !isDockerInterface(m[1]!)) out.push({ iface: m[1]!, address: m[2]! });
  }
  return out;
}

/**
 * The address `cluster init` advertises: the one asked for, else the host's only private IPv4
 * address. A public one only when the operator insists (--public) and the overlay is encrypted.
 */
export function chooseAdvertiseAddress(
  found: { iface: string; address: string }[],
  o: { asked?: string; allowPublic: boolean; encrypted: boolean },
):
  | { address: string }
  | { problem: 'notLocal' | 'public' | 'publicUnencrypted' | 'noPrivate' | 'severalPrivate'; candidates: string[] } {
  const candidates = found.map((f) => f.address);
  if (o.asked) {
    if (!candidates.includes(o.asked)) return { problem: 'notLocal', candidates };
    if (!isPrivateAddress(o.asked)) {
      if (!o.allowPublic) return { problem: 'public', candidates };
      if (!o.encrypted) return { problem: 'publicUnencrypted', candidates };
    }
    return { address: o.asked };
  }
  const priv = found.filter((f) => ipFamily(f.address) === 4 && isPrivateAddress(f.address)).map((f) => f.address);
  if (priv.length === 1) return { address: priv[0]! };
  return { problem: priv.length === 0 ? 'noPrivate' : 'severalPrivate', candidates };
}

/** `<host>[:port]` of a manager, as `docker swarm join` takes it. */
export const MANAGER_ADDR_RE =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9a-fA-F:]+\])(?::[0-9]{1,5})?$/;

export interface ClusterNode {
  id: string;
  hostname: string;
  role: 'manager' | 'worker';
  leader: boolean;
  availability: string;
  state: string;
  address: string;
  roles: NodeRole[];
  labels: Record<string, string>;
  cpus: number;
  memoryMiB: number;
  engine: string;
  /** Ready and active: it takes tasks. */
  healthy: boolean;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

/** The nodes as `docker node inspect` prints them (a JSON array). */
export function parseNodeInspect(text: string): ClusterNode[] {
  const list = JSON.parse(text) as unknown;
  if (!Array.isArray(list)) throw new Error('docker node inspect did not print a list');
  return list
    .map((raw): ClusterNode => {
      const n = obj(raw);
      const spec = obj(n.Spec);
      const desc = obj(n.Description);
      const res = obj(desc.Resources);
      const status = obj(n.Status);
      const labels = Object.fromEntries(Object.entries(obj(spec.Labels)).map(([k, v]) => [k, String(v)]));
      const state = String(status.State ?? 'unknown');
      const availability = String(spec.Availability ?? 'unknown');
      return {
        id: String(n.ID ?? ''),
        hostname: String(desc.Hostname ?? ''),
        role: spec.Role === 'manager' ? 'manager' : 'worker',
        leader: obj(n.ManagerStatus).Leader === true,
        availability,
        state,
        address: String(status.Addr ?? ''),
        roles: NODE_ROLES.filter((r) => labels[r] === 'true'),
        labels,
        cpus: Math.round((Number(res.NanoCPUs ?? 0) / 1e9) * 100) / 100,
        memoryMiB: Math.floor(Number(res.MemoryBytes ?? 0) / 1048576),
        engine: String(obj(desc.Engine).EngineVersion ?? ''),
        healthy: state === 'ready' && availability === 'active',
      };
    })
    .sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
}

/** The `--label-add`/`--label-rm` arguments that make a node's roles exactly `roles`. */
export function roleLabelArgs(current: Record<string, string>, roles: readonly NodeRole[]): string[] {
  const args: string[] = [];
  for (const r of NODE_ROLES) {
    if (roles.includes(r)) args.push('--label-add', `${r}=true`);
    else if (r in current) args.push('--label-rm', r);
  }
  return args;
}

// ---- per-node sizing (#20.2) ----

/** Which role's nodes a service may be placed on (its placement constraint in the stack file). */
export const SERVICE_ROLE: Readonly<Record<string, NodeRole>> = {
  app: 'app',
  worker: 'app',
  nginx: 'edge',
  mysql: 'data',
  redis: 'data',
  rabbitmq: 'data',
  minio: 'data',
};

/** A node as the plan sizes for it: `docker node inspect`'s resources and role labels. */
export interface NodeSize {
  hostname: string;
  roles: NodeRole[];
  memoryMiB: number;
  cpus: number;
}

export interface ServiceSize {
  name: string;
  memoryMiB: number;
  cpus: number;
}

/** Why a service got its limits on a swarm: the node it was sized for and what shares that node with it. */
export interface NodeFit {
  service: string;
  node: string;
  nodeMiB: number;
  memoryMiB: number;
  cpus: number;
  /** Services (with their count of tasks) that may run on that node beside it, itself included. */
  neighbours: string[];
}

const roundDown16 = (x: number) => Math.floor(x / 16) * 16;
const quarterDown = (x: number) => Math.max(0.25, Math.floor(x * 4) / 4);

/**
 * Each service's limits on a swarm: what the single-server plan gave it, scaled down where the
 * smallest node it may be placed on could not hold it beside everything else that node's roles
 * bring (app replicas spread evenly over the app nodes). `reserve` is the host reserve the
 * single-server plan keeps (OS, dockerd) for a node of that size. Nodes without any role count
 * for nothing; a role without a node leaves its services as planned (`cluster status` names it).
 */
export function sizeForNodes(
  services: readonly ServiceSize[],
  nodes: readonly NodeSize[],
  replicas: { app: number; worker: number },
  reserve: (nodeMiB: number) => number,
): { services: ServiceSize[]; fits: NodeFit[] } {
  const count = (name: string, role: NodeRole) => {
    const per = nodes.filter((n) => n.roles.includes(role)).length || 1;
    // Swarm spreads replicas over the eligible nodes; a node may get the rounded-up share.
    if (name === 'app') return Math.ceil(replicas.app / per);
    if (name === 'worker') return Math.ceil(replicas.worker / per);
    return 1;
  };
  const out: ServiceSize[] = [];
  const fits: NodeFit[] = [];
  for (const s of services) {
    const role = SERVICE_ROLE[s.name];
    const eligible = role ? nodes.filter((n) => n.roles.includes(role)) : [];
    let best: NodeFit | null = null;
    for (const n of eligible) {
      const beside = services.filter((x) => {
        const r = SERVICE_ROLE[x.name];
        return r !== undefined && n.roles.includes(r);
      });
      const demand = beside.reduce((sum, x) => sum + x.memoryMiB * count(x.name, SERVICE_ROLE[x.name]!), 0);
      const budget = n.memoryMiB - reserve(n.memoryMiB);
      // Scaled by the same factor as its neighbours: the single-server plan's proportions stay.
      const scale = Math.min(1, budget / demand);
      const fit: NodeFit = {
        service: s.name,
        node: n.hostname,
        nodeMiB: n.memoryMiB,
        memoryMiB: scale < 1 ? roundDown16(s.memoryMiB * scale) : s.memoryMiB,
        cpus: Math.min(s.cpus, quarterDown(n.cpus)),
        neighbours: beside.map((x) => {
          const c = count(x.name, SERVICE_ROLE[x.name]!);
          return c > 1 ? `${c}×${x.name}` : x.name;
        }),
      };
      if (!best || fit.memoryMiB < best.memoryMiB || (fit.memoryMiB === best.memoryMiB && fit.cpus < best.cpus)) best = fit;
    }
    if (best) {
      fits.push(best);
      out.push({ ...s, memoryMiB: best.memoryMiB, cpus: best.cpus });
    } else out.push({ ...s });
  }
  return { services: out, fits };
}

// ---- the stack's services as the manager sees them (deploy wait, status) ----

/** The label `docker stack deploy` puts on every service, network, config and secret of a stack. */
export const stackLabel = (project: string) => `com.docker.stack.namespace=${project}`;

export interface SwarmService {
  /** The service's name in the stack (`app`), without the `<project>_` prefix. */
  name: string;
  mode: 'replicated' | 'global';
  running: number;
  desired: number;
  image: string;
  /** The last rolling update's state (`updating`, `completed`, `rollback_completed`, `paused` …), null if none. */
  update: string | null;
  updateStartedAt: string | null;
  updateMessage: string;
}

/**
 * `docker service ls --format '{{json .}}'` (one object a line: Name, Mode, Replicas "2/2", Image)
 * and `docker service inspect` of the same services (UpdateStatus) → one row per service.
 */
export function parseStackServices(project: string, lsText: string, inspectText: string): SwarmService[] {
  const inspected = inspectText.trim() ? (JSON.parse(inspectText) as unknown[]) : [];
  const byName = new Map<string, Json>();
  for (const raw of Array.isArray(inspected) ? inspected : []) {
    const s = obj(raw);
    byName.set(String(obj(s.Spec).Name ?? ''), s);
  }
  const out: SwarmService[] = [];
  for (const line of lsText.split('\n')) {
    if (!line.trim()) continue;
    const r = obj(JSON.parse(line));
    const full = String(r.Name ?? '');
    const m = /^(\d+)\/(\d+)/.exec(String(r.Replicas ?? ''));
    const u = obj(byName.get(full)?.UpdateStatus);
    out.push({
      name: full.startsWith(`${project}_`) ? full.slice(project.length + 1) : full,
      mode: String(r.Mode) === 'global' ? 'global' : 'replicated',
      running: m ? Number(m[1]) : 0,
      desired: m ? Number(m[2]) : 0,
      image: String(r.Image ?? '').replace(/@sha256:[0-9a-f]+$/, ''),
      update: typeof u.State === 'string' ? u.State : null,
      updateStartedAt: typeof u.StartedAt === 'string' ? u.StartedAt : null,
      updateMessage: typeof u.Message === 'string' ? u.Message : '',
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const FAILED_UPDATES = new Set(['rollback_completed', 'rollback_paused', 'paused']);
const MOVING_UPDATES = new Set(['updating', 'rollback_started']);

/**
 * Where a deploy stands: done when every planned service has all its tasks running (healthy:
 * Swarm counts a task with a healthcheck as running only once it passed) and no update is
 * moving; failed when an update that started at or after `since` (ms) was rolled back or paused.
 */
export function convergence(
  services: readonly SwarmService[],
  planned: readonly string[],
  since: number,
): { done: boolean; failed: SwarmService[]; pending: string[] } {
  const failed = services.filter(
    (s) => s.update !== null && FAILED_UPDATES.has(s.update) && s.updateStartedAt !== null && Date.parse(s.updateStartedAt) >= since,
  );
  const pending: string[] = [];
  for (const name of planned) {
    const s = services.find((x) => x.name === name);
    if (!s) pending.push(`${name}: missing`);
    else if (s.desired === 0 || s.running < s.desired) pending.push(`${name}: ${s.running}/${s.desired}`);
    else if (s.update !== null && MOVING_UPDATES.has(s.update)) pending.push(`${name}: ${s.update}`);
  }
  return { done: pending.length === 0 && failed.length === 0, failed, pending };
}

/** One task the stack wants running, as `docker stack ps --format '{{json .}}'` prints it. */
export interface SwarmTask {
  service: string;
  node: string;
  /** `Running 2 minutes ago` → running; `Starting …` (health check not passed yet) → starting; … */
  state: string;
  error: string;
}

/** `docker stack ps <project> --filter desired-state=running --format '{{json .}}'`, one object a line. */
export function parseStackPs(project: string, text: string): SwarmTask[] {
  const out: SwarmTask[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const r = obj(JSON.parse(line));
    // "demo_app.1" (replicated) or "demo_nginx.<node id>" (global).
    const name = String(r.Name ?? '').replace(/^[\\_ ]+/, '');
    const svc = name.startsWith(`${project}_`) ? name.slice(project.length + 1).replace(/\.[^.]+$/, '') : name;
    out.push({
      service: svc,
      node: String(r.Node ?? '') || '-',
      state: String(r.CurrentState ?? '').split(' ')[0]!.toLowerCase() || 'unknown',
      error: String(r.Error ?? ''),
    });
  }
  return out;
}

export interface SwarmStatus {
  project: string;
  /** Every service running all its tasks (healthy), no update moving, every node ready. */
  healthy: boolean;
  services: (SwarmService & { tasks: Record<string, string[]> })[];
  nodesDown: { hostname: string; state: string; availability: string }[];
}

/** Services with their tasks grouped by node (state per task), and the nodes that are not ready. */
export function swarmStatus(
  project: string,
  services: readonly SwarmService[],
  tasks: readonly SwarmTask[],
  nodes: readonly ClusterNode[],
  planned: readonly string[],
): SwarmStatus {
  const rows = services.map((s) => {
    const byNode: Record<string, string[]> = {};
    for (const t of tasks.filter((x) => x.service === s.name)) (byNode[t.node] ??= []).push(t.state);
    return { ...s, tasks: byNode };
  });
  const nodesDown = nodes
    .filter((n) => !n.healthy)
    .map((n) => ({ hostname: n.hostname, state: n.state, availability: n.availability }));
  const c = convergence(services, planned.length ? planned : services.map((s) => s.name), Number.POSITIVE_INFINITY);
  return { project, healthy: c.done && nodesDown.length === 0, services: rows, nodesDown };
}
