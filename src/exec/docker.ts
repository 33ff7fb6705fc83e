// The Docker Engine API through dockerode: the only module that imports it. Reads (inspect, list,
// logs, stats) run in dry-run too, since previews and status need the truth; changes (pull, tag)
// go through the Executor's `effect`, so they are logged and skipped in dry-run.
// Types only: the client itself loads on first use, so commands that never talk to Docker (and
// --help) do not pay for loading it.
import type Dockerode from 'dockerode';
import type { Executor } from './executor.js';

export interface PublishedPort { hostIp: string; hostPort: number; containerPort: number; protocol: string }

export interface ContainerState {
  id: string;
  name: string;
  /** The compose service (label com.docker.compose.service), or null for a container outside compose. */
  service: string | null;
  project: string | null;
  image: string;
  imageId: string;
  /** created | running | paused | restarting | removing | exited | dead */
  state: string;
  /** null when the container has no healthcheck. */
  health: 'starting' | 'healthy' | 'unhealthy' | null;
  /** The last healthcheck's output, when there is one (already redacted). */
  healthOutput: string | null;
  startedAt: string | null;
  createdAt: string;
  restartCount: number;
  /** Failed health checks in a row that count (Docker does not count those inside the start period); 0 without a healthcheck. */
  failingStreak: number;
  /** Networks it is attached to (compose's names) and its DNS aliases on each. */
  networks: Record<string, string[]>;
  /** A `docker compose run` container (label com.docker.compose.oneoff). */
  oneOff: boolean;
  exitCode: number | null;
  /** Why the Engine could not start it (runc errors, a missing mount source), when it says. */
  error: string | null;
  oomKilled: boolean;
  configHash: string | null;
  ports: PublishedPort[];
  memoryLimitBytes: number | null;
  nanoCpus: number | null;
}

export interface ImageState { id: string; repoTags: string[]; repoDigests: string[]; sizeBytes: number }

/** null where the Engine reports nothing (its stats are empty when it cannot read the container's cgroup). */
export interface ContainerUsage { memoryBytes: number | null; memoryLimitBytes: number | null; cpuPercent: number | null }

/** One message of the Engine's pull stream (JSON lines). */
export interface PullMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

export class PullError extends Error {
  constructor(readonly ref: string, message: string) {
    super(message);
    this.name = 'PullError';
  }
}

export interface DockerApi {
  /** null when the engine answers, else why not. */
  unreachable(): Promise<string | null>;
  /** The registry mirrors the daemon uses for Docker Hub (daemon.json registry-mirrors), as URLs. */
  registryMirrors(): Promise<string[]>;
  /** Containers of a compose project (all states). */
  projectContainers(project: string): Promise<ContainerState[]>;
  /** Every container that publishes a host port, with its project and service labels. */
  publishingContainers(): Promise<ContainerState[]>;
  /** The last `tail` lines of a container's stdout and stderr, redacted. */
  logs(id: string, tail: number): Promise<string>;
  usage(id: string): Promise<ContainerUsage | null>;
  image(ref: string): Promise<ImageState | null>;
  /** Pulls one reference; `onMessage` sees every stream message. Rejects on any error in the stream. */
  pull(ref: string, onMessage: (m: PullMessage) => void): Promise<void>;
  /** Gives the image `source` (an ID or a reference) the reference `target`. */
  tag(source: string, target: string): Promise<void>;
}

/** `registry:5000/a/b:tag@sha256:…` → repository and tag as the Engine's create-image call takes them. */
export function splitRef(ref: string): { repo: string; tag: string } {
  const at = ref.indexOf('@');
  if (at >= 0) return { repo: ref.slice(0, at), tag: ref.slice(at + 1) };
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repo: ref, tag: 'latest' };
}

/** Splits the Engine's multiplexed log stream (8-byte frame headers) into text; a TTY stream has no frames. */
export function demuxLogs(buf: Buffer, tty: boolean): string {
  if (tty) return buf.toString('utf8');
  let out = '';
  let i = 0;
  while (i + 8 <= buf.length) {
    const kind = buf[i]!;
    const size = buf.readUInt32BE(i + 4);
    if (kind > 2 || buf[i + 1] !== 0 || buf[i + 2] !== 0 || buf[i + 3] !== 0) return buf.toString('utf8');
    out += buf.subarray(i + 8, i + 8 + size).toString('utf8');
    i += 8 + size;
  }
  return out;
}

interface RawStats {
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
}

/**
 * Memory as `docker stats` shows it: usage less the page cache the kernel can drop (cgroup v1
 * `total_inactive_file`, v2 `inactive_file`); CPU % of one core, as `docker stats` counts it.
 */
export function computeUsage(s: RawStats): ContainerUsage {
  const m = s.memory_stats ?? {};
  const st = m.stats ?? {};
  const cache = st.total_inactive_file ?? st.inactive_file ?? 0;
  const memoryBytes = m.usage === undefined ? null : Math.max(0, m.usage - (cache < m.usage ? cache : 0));
  // The API reports the host's RAM as the limit when the container has none.
  const limit = m.limit && m.limit < 2 ** 60 ? m.limit : null;
  const cpu = s.cpu_stats;
  const pre = s.precpu_stats;
  let cpuPercent: number | null = null;
  if (cpu?.cpu_usage?.total_usage !== undefined && pre?.cpu_usage?.total_usage !== undefined && cpu.system_cpu_usage && pre.system_cpu_usage) {
    const dc = cpu.cpu_usage.total_usage - pre.cpu_usage.total_usage;
    const ds = cpu.system_cpu_usage - pre.system_cpu_usage;
    const n = cpu.online_cpus || cpu.cpu_usage.percpu_usage?.length || 1;
    cpuPercent = ds > 0 && dc >= 0 ? Math.round((dc / ds) * n * 1000) / 10 : 0;
  }
  return { memoryBytes, memoryLimitBytes: limit, cpuPercent };
}

/**
 * Turns pull messages into one fraction per image and per layer. A layer counts 80 % for its
 * download and 20 % for its extraction; "Already exists" and "Pull complete" count as done.
 */
export class PullProgress {
  private layers = new Map<string, number>();
  readonly ref: string;
  constructor(ref: string) {
    this.ref = ref;
  }

  /** Returns the layer whose progress moved (and its fraction), or null for messages about the image. */
  update(m: PullMessage): { layer: string; fraction: number } | null {
    const id = m.id;
    const status = m.status ?? '';
    if (!id || id === splitRef(this.ref).tag || !/^[0-9a-f]{6,}$/.test(id)) return null;
    const cur = m.progressDetail?.current ?? 0;
    const total = m.progressDetail?.total ?? 0;
    let f = this.layers.get(id) ?? 0;
    if (/^Pulling fs layer|^Waiting/.test(status)) f = Math.max(f, 0);
    else if (/^Downloading/.test(status)) f = total > 0 ? 0.8 * Math.min(1, cur / total) : f;
    else if (/^Verifying Checksum|^Download complete/.test(status)) f = 0.8;
    else if (/^Extracting/.test(status)) f = total > 0 ? 0.8 + 0.2 * Math.min(1, cur / total) : Math.max(f, 0.8);
    else if (/^Pull complete|^Already exists/.test(status)) f = 1;
    else return null;
    this.layers.set(id, f);
    return { layer: id, fraction: f };
  }

  /** The whole image: the mean over the layers seen so far (0 before the first one). */
  get fraction(): number {
    if (this.layers.size === 0) return 0;
    let sum = 0;
    for (const f of this.layers.values()) sum += f;
    return sum / this.layers.size;
  }

  get layerCount(): number {
    return this.layers.size;
  }
}

/** The error a pull stream reports in its messages, if any: the HTTP call itself succeeded. */
export function pullStreamError(m: PullMessage): string | null {
  if (m.error || m.errorDetail?.message) return m.errorDetail?.message || m.error || 'unknown error';
  return null;
}

function toState(info: Dockerode.ContainerInspectInfo, redact: (s: string) => string): ContainerState {
  const labels = info.Config?.Labels ?? {};
  const ports: PublishedPort[] = [];
  for (const [key, binds] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
    const [port, proto] = key.split('/');
    for (const b of (binds as { HostIp: string; HostPort: string }[] | null) ?? []) {
      ports.push({ hostIp: b.HostIp, hostPort: Number(b.HostPort), containerPort: Number(port), protocol: proto ?? 'tcp' });
    }
  }
  ports.sort((a, b) => a.hostPort - b.hostPort || a.hostIp.localeCompare(b.hostIp));
  const h = info.State.Health;
  const last = h?.Log?.[h.Log.length - 1];
  const started = info.State.StartedAt && !info.State.StartedAt.startsWith('0001-') ? info.State.StartedAt : null;
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    // A swarm task (deploy: swarm) is its stack's: `<stack>_<service>` under the stack's namespace label.
    service: labels['com.docker.compose.service'] ?? swarmService(labels) ?? null,
    project: labels['com.docker.compose.project'] ?? labels['com.docker.stack.namespace'] ?? null,
    image: info.Config?.Image ?? '',
    imageId: info.Image,
    state: info.State.Status,
    health: (h?.Status as ContainerState['health']) ?? null,
    healthOutput: last ? redact(String(last.Output ?? '').trim()) : null,
    startedAt: started,
    createdAt: info.Created,
    restartCount: info.RestartCount ?? 0,
    failingStreak: h?.FailingStreak ?? 0,
    networks: Object.fromEntries(
      Object.entries(info.NetworkSettings?.Networks ?? {}).map(([name, n]) => [name, [...((n as { Aliases?: string[] | null }).Aliases ?? [])]]),
    ),
    oneOff: labels['com.docker.compose.oneoff'] === 'True',
    exitCode: info.State.Status === 'exited' ? info.State.ExitCode : null,
    error: (info.State as { Error?: string }).Error || null,
    oomKilled: Boolean(info.State.OOMKilled),
    configHash: labels['com.docker.compose.config-hash'] ?? null,
    ports,
    memoryLimitBytes: info.HostConfig?.Memory ? info.HostConfig.Memory : null,
    nanoCpus: info.HostConfig?.NanoCpus ? info.HostConfig.NanoCpus : null,
  };
}

/** The socket or host the docker CLI would use: DOCKER_HOST when set, else the local socket. */
function connection(env: NodeJS.ProcessEnv): Dockerode.DockerOptions {
  const h = env.DOCKER_HOST;
  if (!h) return { socketPath: '/var/run/docker.sock' };
  if (h.startsWith('unix://')) return { socketPath: h.slice('unix://'.length) };
  const u = new URL(h.replace(/^tcp:/, 'http:'));
  return { host: u.hostname, port: Number(u.port || 2375), protocol: 'http' };
}

export function createDocker(exec: Executor, env: NodeJS.ProcessEnv = process.env): DockerApi {
  let client: Promise<Dockerode> | null = null;
  const docker = () =>
    (client ??= import('dockerode').then((m) => {
      const D = (m.default ?? m) as unknown as typeof Dockerode;
      return new D({ ...connection(env), timeout: 0 });
    }));
  const inspectAll = async (ids: string[]) => {
    const d = await docker();
    return (await Promise.all(ids.map((id) => d.getContainer(id).inspect().catch(() => null)))).filter(
      (x): x is Dockerode.ContainerInspectInfo => x !== null,
    );
  };
  const redact = (s: string) => exec.redact(s);

  return {
    async unreachable() {
      try {
        const d = await docker();
        await d.ping();
        return null;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      }
    },

    async registryMirrors() {
      const d = await docker();
      const info = (await d.info().catch(() => null)) as { RegistryConfig?: { Mirrors?: string[] } } | null;
      return info?.RegistryConfig?.Mirrors ?? [];
    },

    async projectContainers(project) {
      const d = await docker();
      const list = await d.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
      const states = (await inspectAll(list.map((c) => c.Id))).map((i) => toState(i, redact));
      return states.sort((a, b) => (a.service ?? '').localeCompare(b.service ?? '') || a.name.localeCompare(b.name));
    },

    async publishingContainers() {
      const d = await docker();
      const list = await d.listContainers({ all: false });
      const ids = list.filter((c) => c.Ports.some((p) => p.PublicPort)).map((c) => c.Id);
      return (await inspectAll(ids)).map((i) => toState(i, redact));
    },

    async logs(id, tail) {
      const c = (await docker()).getContainer(id);
      const info = await c.inspect();
      const buf = (await c.logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
      return redact(demuxLogs(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)), Boolean(info.Config?.Tty)));
    },

    async usage(id) {
      try {
        // stream:false makes the Engine take two samples, so precpu_stats is filled and CPU % is real.
        const s = (await (await docker()).getContainer(id).stats({ stream: false })) as unknown as RawStats;
        return computeUsage(s);
      } catch {
        return null;
      }
    },

    async image(ref) {
      try {
        const i = await (await docker()).getImage(ref).inspect();
        return { id: i.Id, repoTags: i.RepoTags ?? [], repoDigests: i.RepoDigests ?? [], sizeBytes: i.Size ?? 0 };
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode === 404) return null;
        throw e;
      }
    },

    pull(ref, onMessage) {
      return exec.effect('docker', `pull ${ref}`, async () => {
        const { repo, tag } = splitRef(ref);
        let stream: NodeJS.ReadableStream;
        try {
          stream = (await (await docker()).createImage({ fromImage: repo, tag })) as NodeJS.ReadableStream;
        } catch (e) {
          // The Engine refused before streaming (unknown manifest, registry down): its JSON message says why.
          const body = (e as { json?: { message?: string }; message?: string }).json?.message ?? (e as Error).message;
          throw new PullError(ref, redact(String(body).trim()));
        }
        await new Promise<void>((resolve, reject) => {
          let buf = '';
          let failed: string | null = null;
          const handle = (line: string) => {
            if (!line.trim()) return;
            let m: PullMessage;
            try {
              m = JSON.parse(line) as PullMessage;
            } catch {
              return;
            }
            const err = pullStreamError(m);
            if (err && failed === null) failed = err;
            onMessage(m);
          };
          stream.on('data', (chunk: Buffer) => {
            buf += chunk.toString('utf8');
            let i;
            while ((i = buf.indexOf('\n')) >= 0) {
              handle(buf.slice(0, i));
              buf = buf.slice(i + 1);
            }
          });
          stream.on('error', (e: Error) => reject(new PullError(ref, e.message)));
          stream.on('end', () => {
            handle(buf);
            if (failed !== null) reject(new PullError(ref, redact(failed)));
            else resolve();
          });
        });
      }, undefined);
    },

    tag(source, target) {
      return exec.effect('docker', `tag ${source} ${target}`, async () => {
        const { repo, tag } = splitRef(target);
        await (await docker()).getImage(source).tag({ repo, tag });
      }, undefined);
    },
  };
}

/** The service of a swarm task's container, from its labels: `demo_nginx` in stack `demo` → `nginx`. */
function swarmService(labels: Record<string, string>): string | null {
  const ns = labels['com.docker.stack.namespace'];
  const name = labels['com.docker.swarm.service.name'];
  return ns && name?.startsWith(`${ns}_`) ? name.slice(ns.length + 1) : null;
}
