// Side-by-side replacement of the app and the worker (domain/rollout.ts says which and why).
//   1. `compose up --no-start --no-recreate --scale S=2n S` creates the new containers next to the
//      running ones (the old ones are not touched: --no-recreate).
//   2. The new app containers leave the network Nginx shares with them before they start, so
//      Docker's DNS does not give Nginx their address while they are unproven.
//   3. They start; the verdict is fast (domain/rollout.ts verdictOf). A bad one is removed with its
//      siblings: the old containers never stopped.
//   4. Healthy: the new app containers join Nginx's network under the name `app`; Nginx learns
//      their address within its resolver's `valid`, then the old containers are stopped (SIGTERM,
//      then their stop_grace_period for requests in flight) and removed.
import type { Context } from '../context.js';
import { verdictOf, type Verdict } from '../domain/rollout.js';
import type { ContainerState } from '../exec/docker.js';
import { APP_DNS_VALID_S } from '../render/nginx.js';
import type { Emit } from './backup.js';
import { compose } from './up.js';

/** The compose network Nginx and the app share (compose names it `<project>_frontend`). */
export const frontendNetwork = (project: string) => `${project}_frontend`;

export interface Started {
  service: string;
  /** The containers that served before (running). */
  old: string[];
  /** The new version's containers, created here. */
  fresh: string[];
}

const serviceContainers = (cs: readonly ContainerState[], service: string) => cs.filter((c) => c.service === service && !c.oneOff);

/** An app container Nginx can reach by name: on the shared network with the alias `app`. */
const reachable = (project: string, c: ContainerState) => (c.networks[frontendNetwork(project)] ?? []).includes('app');

/**
 * Containers of a killed update that never took traffic (an app container off Nginx's network, or
 * anything not running) are removed first, so the old ones are exactly what serves now.
 */
async function removeLeftovers(ctx: Context, project: string, service: string, emit: Emit): Promise<void> {
  const cs = serviceContainers(await ctx.docker.projectContainers(project), service);
  const running = cs.filter((c) => c.state === 'running' && (service !== 'app' || reachable(project, c)));
  if (running.length === 0) return;
  const stale = cs.filter((c) => !running.includes(c));
  for (const c of stale) {
    emit({ kind: 'output', text: ctx.t('upd.leftover', { name: c.name }) });
    await ctx.exec.run('docker', ['rm', '-f', c.id]);
  }
}

/** Creates and starts the new containers of `services` beside the running ones. */
export async function startBeside(ctx: Context, s: { installDir: string; project: string }, services: readonly string[], emit: Emit, timeoutMs: number): Promise<Started[]> {
  const out: Started[] = [];
  for (const service of services) {
    await removeLeftovers(ctx, s.project, service, emit);
    const before = serviceContainers(await ctx.docker.projectContainers(s.project), service);
    const old = before.filter((c) => c.state === 'running').map((c) => c.id);
    const n = Math.max(1, old.length);
    // No --no-deps: compose drops depends_on from the service's config hash with it, and the next
    // update would see a changed definition; --no-recreate and --no-start leave the dependencies be.
    await compose(ctx, s.installDir, ['up', '--no-start', '--no-recreate', '--scale', `${service}=${old.length + n}`, service], emit, timeoutMs);
    const known = new Set(before.map((c) => c.id));
    const fresh = serviceContainers(await ctx.docker.projectContainers(s.project), service).filter((c) => !known.has(c.id));
    out.push({ service, old, fresh: fresh.map((c) => c.id) });
    for (const c of fresh) {
      // Off Nginx's network until proven: Docker's DNS would hand Nginx its address as soon as it starts.
      if (service === 'app' && c.networks[frontendNetwork(s.project)]) await ctx.exec.run('docker', ['network', 'disconnect', frontendNetwork(s.project), c.id]);
      await ctx.exec.run('docker', ['start', c.id]);
    }
  }
  return out;
}

export interface BadContainer { service: string; id: string; name: string; verdict: Verdict & { kind: 'bad' }; state: ContainerState | null }

/**
 * Waits for the verdict on every new container: null when all are ready, else the first bad one.
 * `stop` (an interrupted update) ends the wait as a failure.
 */
export async function awaitVerdict(ctx: Context, project: string, started: readonly Started[], timeoutMs: number, emit: Emit, stop: () => boolean): Promise<BadContainer | null> {
  const t0 = Date.now();
  const ids = started.flatMap((x) => x.fresh.map((id) => ({ service: x.service, id })));
  let shown = '';
  for (;;) {
    const cs = await ctx.docker.projectContainers(project);
    const elapsed = Date.now() - t0;
    const seen = ids.map((x) => {
      const c = cs.find((k) => k.id === x.id) ?? null;
      return { ...x, c, v: verdictOf(c, elapsed, timeoutMs) };
    });
    const line = seen.map((x) => `${x.c?.name ?? x.id.slice(0, 12)}:${x.c?.health ?? x.c?.state ?? 'missing'}${x.c?.failingStreak ? ` (${x.c.failingStreak} failed)` : ''}`).join(' ');
    if (line !== shown) {
      const ready = seen.filter((x) => x.v.kind === 'ready').length;
      emit({ kind: 'progress', item: 'health', fraction: ids.length ? ready / ids.length : 1, text: line });
      shown = line;
    }
    const bad = seen.find((x) => x.v.kind === 'bad');
    if (bad) {
      ctx.exec.note(`verdict after ${Math.round(elapsed / 1000)} s: ${line}`);
      return { service: bad.service, id: bad.id, name: bad.c?.name ?? bad.id, verdict: bad.v as Verdict & { kind: 'bad' }, state: bad.c };
    }
    if (seen.every((x) => x.v.kind === 'ready')) return null;
    if (stop()) return { service: seen[0]!.service, id: seen[0]!.id, name: seen[0]!.c?.name ?? '', verdict: { kind: 'bad', why: 'timeout' }, state: seen[0]!.c };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Removes the new version's containers (a bad verdict, a failed step after them): the old ones go on serving. */
export async function discard(ctx: Context, started: readonly Started[]): Promise<void> {
  for (const id of started.flatMap((x) => x.fresh)) await ctx.exec.run('docker', ['rm', '-f', id], { check: false });
}

/**
 * Traffic moves: the new app containers join Nginx's network as `app`; once Nginx's resolver has
 * seen them (its `valid`, plus a second), the old containers of every service stop, each within its
 * stop_grace_period, and are removed.
 */
export async function switchOver(ctx: Context, project: string, started: readonly Started[], emit: Emit): Promise<void> {
  const app = started.find((x) => x.service === 'app');
  if (app) {
    for (const id of app.fresh) await ctx.exec.run('docker', ['network', 'connect', '--alias', 'app', frontendNetwork(project), id]);
    emit({ kind: 'output', text: ctx.t('upd.dnsWait', { seconds: APP_DNS_VALID_S + 1 }) });
    if (!ctx.exec.dryRun) await new Promise((r) => setTimeout(r, (APP_DNS_VALID_S + 1) * 1000));
  }
  for (const x of started) {
    for (const id of x.old) {
      emit({ kind: 'output', text: ctx.t('upd.draining', { service: x.service }) });
      // `docker stop` waits the container's own stop timeout (compose's stop_grace_period).
      await ctx.exec.run('docker', ['stop', id], { timeoutMs: 15 * 60_000 });
      await ctx.exec.run('docker', ['rm', id], { check: false });
    }
  }
}
