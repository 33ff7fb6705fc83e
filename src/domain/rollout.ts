// How `update` replaces each service, its phases, and the health verdict on a new container. Pure.
//
// The app and the worker run twice for a while: new containers start beside the old ones, and the
// old ones stop only once the new ones are healthy (kamal-proxy's and docker-rollout's order). The
// services that cannot run twice (one data directory, one published port) are stopped and replaced
// behind a health gate, and the time they are away is measured and shown beforehand.

/** Services that can run twice side by side: stateless, nothing published, no volume written by two. */
export const SIDE_BY_SIDE: readonly string[] = ['app', 'worker'];

/** Services whose replacement takes something away from the app meanwhile (the preview says what). */
export const STATEFUL: readonly string[] = ['mysql', 'redis', 'rabbitmq', 'minio'];

/** Recreation order: what others depend on first, the entry point last. */
export const SERVICE_ORDER: readonly string[] = ['mysql', 'redis', 'rabbitmq', 'minio', 'app', 'worker', 'node-exporter', 'prometheus', 'grafana', 'nginx'];

export type ReplaceHow = 'side-by-side' | 'restart' | 'reload' | 'keep';

export interface ServiceChange {
  service: string;
  how: ReplaceHow;
  /** Why: a new image, a changed compose definition, a changed file it reads. */
  why: ('image' | 'definition' | 'file')[];
  /** Seconds without this service, measured on the last restart (null: never measured); only for `restart`. */
  downtimeS: number | null;
}

/**
 * What happens to each service: side by side for the app and worker, a restart (stop, replace,
 * wait for health) for the rest, an Nginx reload for its own files, nothing for the unchanged.
 */
export function planServiceChanges(
  services: readonly string[],
  o: { image: ReadonlySet<string>; definition: ReadonlySet<string>; files: ReadonlyMap<string, 'reload' | 'restart'>; measured: Readonly<Record<string, number>> },
): ServiceChange[] {
  const order = [...SERVICE_ORDER.filter((n) => services.includes(n)), ...services.filter((n) => !SERVICE_ORDER.includes(n))];
  return order.map((service) => {
    const why: ServiceChange['why'] = [];
    if (o.image.has(service)) why.push('image');
    if (o.definition.has(service)) why.push('definition');
    const file = o.files.get(service);
    if (file) why.push('file');
    const replaced = o.image.has(service) || o.definition.has(service);
    let how: ReplaceHow = 'keep';
    if (replaced) how = SIDE_BY_SIDE.includes(service) ? 'side-by-side' : 'restart';
    else if (file) how = file;
    const downtimeS = how === 'restart' ? (o.measured[service] ?? null) : null;
    return { service, how, why, downtimeS };
  });
}

/** The phases of an update, in order; a later flow (`update --to-series`) adds its own around these. */
export const UPDATE_PHASES = ['backup', 'files', 'restart', 'migrate', 'start', 'switch', 'finish'] as const;
export type UpdatePhase = (typeof UPDATE_PHASES)[number];

/** What a new container looks like to the verdict (a subset of the Engine's inspect). */
export interface NewContainerState {
  state: string;
  health: 'starting' | 'healthy' | 'unhealthy' | null;
  failingStreak: number;
  restartCount: number;
}

/** Failed checks after the start period that make a new image bad (Docker would wait for `retries`). */
export const VERDICT_CHECKS = 3;
/** A container without a healthcheck counts as ready once it has run this long without exiting. */
export const NO_HEALTHCHECK_SETTLE_MS = 5000;

export type Verdict = { kind: 'ready' } | { kind: 'waiting' } | { kind: 'bad'; why: 'crashed' | 'unhealthy' | 'timeout' };

/**
 * The verdict on a container of the new version. Fast on purpose: a crash or a restart is bad at
 * once (a crash loop is caught on its first exit), and so are three failed checks after the start
 * period, without waiting for Docker's own `retries` or the whole health timeout.
 */
export function verdictOf(c: NewContainerState | null, elapsedMs: number, timeoutMs: number): Verdict {
  if (c && (c.restartCount > 0 || ['exited', 'dead', 'restarting', 'removing'].includes(c.state))) return { kind: 'bad', why: 'crashed' };
  if (c && (c.health === 'unhealthy' || c.failingStreak >= VERDICT_CHECKS)) return { kind: 'bad', why: 'unhealthy' };
  if (c && c.state === 'running' && (c.health === 'healthy' || (c.health === null && elapsedMs >= NO_HEALTHCHECK_SETTLE_MS))) return { kind: 'ready' };
  if (elapsedMs >= timeoutMs) return { kind: 'bad', why: 'timeout' };
  return { kind: 'waiting' };
}
