// Start the stack: `docker compose up -d`, then wait (bounded) until every service is healthy. On
// failure the last healthy state comes back: its files (kept under .stack-wizard/previous/) and its
// image IDs, then `up -d` again. What was applied is recorded, so a second run changes nothing.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Context } from '../context.js';
import { offEngine } from './live-engine.js';
import type { Step, StepEvent } from './engine.js';
import type { Prepared } from './prepare.js';
import type { ContainerState } from '../exec/docker.js';
import type { RenderedFile } from '../render/types.js';
import { CommandError } from '../exec/executor.js';
import { WizardError, opError } from '../errors.js';
import { byCodePoint } from '../domain/order.js';
import { composeArgv } from '../domain/compose-argv.js';
import { ONE_SHOT_SERVICES } from '../domain/services.js';

type Emit = (e: Omit<StepEvent, 'step'>) => void;

export const STATE_DIR = '.stack-wizard';
export const APPLIED = `${STATE_DIR}/applied.json`;
export const PREVIOUS = `${STATE_DIR}/previous`;

/** Time for the whole stack to become healthy: MySQL's 120 s start period and 10 retries, then the app's and Nginx's. */
export const DEFAULT_HEALTH_TIMEOUT_S = 420;
const LOG_LINES = 30;

export interface AppliedState {
  /** sha256 of every rendered file the running stack was started from. */
  files: Record<string, string>;
  services: Record<string, { image: string; imageId: string; containerId: string }>;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
export const fileHashes = (files: readonly RenderedFile[]) => Object.fromEntries(files.map((f) => [f.path, sha(f.content)]).sort(([a], [b]) => byCodePoint(a!, b!)));

/** Which running service reads a rendered file through a bind mount, and how it picks up a change. */
export function serviceOfFile(path: string): { service: string; how: 'reload' | 'restart' } | null {
  if (path.startsWith('nginx/')) return { service: 'nginx', how: 'reload' };
  if (path.startsWith('mysql/')) return { service: 'mysql', how: 'restart' };
  if (path.startsWith('redis/')) return { service: 'redis', how: 'restart' };
  if (path === 'monitoring/prometheus.yml') return { service: 'prometheus', how: 'restart' };
  if (path.startsWith('monitoring/grafana/')) return { service: 'grafana', how: 'restart' };
  return null;
}

export function healthTimeoutMs(env: NodeJS.ProcessEnv): number {
  const v = Number(env.STACK_WIZARD_HEALTH_TIMEOUT);
  return (Number.isFinite(v) && v > 0 ? v : DEFAULT_HEALTH_TIMEOUT_S) * 1000;
}

async function readApplied(ctx: Context, dir: string): Promise<AppliedState | null> {
  const text = await ctx.exec.readFile(join(dir, APPLIED)).catch(() => null);
  if (!text) return null;
  try {
    return JSON.parse(text) as AppliedState;
  } catch {
    return null;
  }
}

export const compose = (ctx: Context, dir: string, args: string[], emit: Emit, timeoutMs: number) =>
  ctx.exec.run('docker', composeArgv(dir, ...args), {
    cwd: dir,
    timeoutMs,
    onLine: (line) => line.trim() && emit({ kind: 'output', text: line.trim() }),
  });

/** A service is up when its container runs and, if it has a healthcheck, reports healthy. */
const isUp = (c: ContainerState | undefined) => !!c && c.state === 'running' && (c.health === null || c.health === 'healthy');

export interface Unhealthy { service: string; state: string; health: string | null; healthOutput: string | null; logs: string; restarts: number; oomKilled: boolean; error: string | null }

async function describeFailing(ctx: Context, services: string[], containers: ContainerState[]): Promise<Unhealthy[]> {
  const out: Unhealthy[] = [];
  for (const name of services) {
    const c = containers.find((x) => x.service === name);
    if (isUp(c)) continue;
    const logs = c ? await ctx.docker.logs(c.id, LOG_LINES).catch((e: Error) => `(logs unavailable: ${e.message})`) : '';
    out.push({
      service: name,
      state: c?.state ?? 'missing',
      health: c?.health ?? null,
      healthOutput: c?.healthOutput ?? null,
      logs,
      restarts: c?.restartCount ?? 0,
      oomKilled: c?.oomKilled ?? false,
      error: c?.error ?? null,
    });
  }
  return out;
}

/**
 * Polls until every planned service is up. Gives up early on a verdict that will not change by
 * waiting: a healthcheck that says unhealthy, a container that exited or keeps restarting.
 */
export async function waitHealthy(ctx: Context, project: string, services: string[], timeoutMs: number, emit: Emit, stop: () => boolean = () => false): Promise<Unhealthy[]> {
  const start = Date.now();
  let reported = '';
  for (;;) {
    const cs = (await ctx.docker.projectContainers(project)).filter((c) => !c.oneOff);
    // During a side-by-side update a service has two containers: the running one speaks for it.
    const by = (n: string) => cs.find((c) => c.service === n && c.state === 'running') ?? cs.find((c) => c.service === n);
    const ready = services.filter((n) => isUp(by(n)));
    const line = services.map((n) => `${n}:${by(n)?.health ?? by(n)?.state ?? 'missing'}`).join(' ');
    if (line !== reported) {
      emit({ kind: 'progress', item: 'health', fraction: ready.length / services.length, text: line });
      reported = line;
    }
    if (ready.length === services.length) return [];
    const broken = services.filter((n) => {
      const c = by(n);
      return c && (c.health === 'unhealthy' || c.state === 'exited' || c.state === 'dead' || c.restartCount >= 3 || (c.error !== null && c.state !== 'running'));
    });
    // `stop`: an interrupted update or restore rolls back now rather than at the timeout.
    if (broken.length > 0 || Date.now() - start >= timeoutMs || stop()) {
      ctx.exec.note(`health wait ended after ${Math.round((Date.now() - start) / 1000)} s: ${line}`);
      return describeFailing(ctx, services, cs);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function plannedChanges(ctx: Context, s: Prepared) {
  const dir = s.targetDir;
  const services = s.plan.services.map((x) => x.name);
  const applied = await readApplied(ctx, dir);
  const now = fileHashes(s.files);
  const changedFiles = Object.keys(now).filter((p) => applied?.files[p] !== now[p]);
  const reachable = !(await ctx.docker.unreachable());
  const cs = reachable ? await ctx.docker.projectContainers(s.plan.project) : [];
  const changes: string[] = [];
  const notUp = services.filter((n) => !isUp(cs.find((c) => c.service === n)));
  const orphans = [...new Set(cs.map((c) => c.service).filter((n): n is string => !!n && !services.includes(n) && !ONE_SHOT_SERVICES.includes(n)))];
  const newImage: string[] = [];
  for (const n of services) {
    const c = cs.find((x) => x.service === n);
    if (!c) continue;
    const img = await ctx.docker.image(s.plan.services.find((x) => x.name === n)!.image).catch(() => null);
    if (img && img.id !== c.imageId) newImage.push(n);
  }
  const needUp = !applied || changedFiles.length > 0 || notUp.length > 0 || orphans.length > 0 || newImage.length > 0;
  if (needUp) {
    changes.push(`docker compose up -d --remove-orphans (${services.join(', ')})`);
    if (notUp.length && cs.length) changes.push(ctx.t('chg.notUp', { services: notUp.join(', ') }));
    if (orphans.length) changes.push(ctx.t('chg.orphans', { services: orphans.join(', ') }));
    if (newImage.length) changes.push(ctx.t('chg.newImage', { services: newImage.join(', ') }));
    for (const p of changedFiles) {
      const svc = serviceOfFile(p);
      if (applied && svc && services.includes(svc.service)) changes.push(ctx.t(svc.how === 'reload' ? 'chg.fileReload' : 'chg.fileRestart', { service: svc.service, file: p }));
    }
    changes.push(ctx.t('chg.waitHealthy', { seconds: Math.round(healthTimeoutMs(ctx.env) / 1000) }));
  }
  return { needUp, changes, applied, changedFiles, cs };
}

/** The files and image IDs of a healthy stack, kept so a later failed start can come back to them. */
export async function saveHealthy(ctx: Context, s: Prepared, cs: ContainerState[]) {
  const dir = s.targetDir;
  const services: AppliedState['services'] = {};
  for (const x of s.plan.services) {
    const c = cs.find((k) => k.service === x.name);
    if (c) services[x.name] = { image: x.image, imageId: c.imageId, containerId: c.id };
  }
  const applied: AppliedState = { files: fileHashes(s.files), services };
  const prevFiles = s.files.map((f) => ({ path: join(dir, PREVIOUS, 'files', f.path), content: f.content, mode: f.mode }));
  const manifest = { files: s.files.map((f) => f.path).sort(), services };
  await ctx.exec.writeFiles([
    ...prevFiles,
    { path: join(dir, PREVIOUS, 'state.json'), content: `${JSON.stringify(manifest, null, 2)}\n`, mode: 0o600 },
    { path: join(dir, APPLIED), content: `${JSON.stringify(applied, null, 2)}\n`, mode: 0o600 },
  ]);
}

interface PreviousState { files: string[]; services: AppliedState['services'] }

/** Puts the last healthy file set and image IDs back and starts it again. Returns what is still failing. */
async function rollback(ctx: Context, s: Prepared, emit: Emit): Promise<{ restored: boolean; failing: Unhealthy[] }> {
  const dir = s.targetDir;
  const text = await ctx.exec.readFile(join(dir, PREVIOUS, 'state.json'));
  if (!text) return { restored: false, failing: [] };
  const prev = JSON.parse(text) as PreviousState;
  emit({ kind: 'output', text: ctx.t('up.rollingBack') });
  const restore = [];
  for (const p of prev.files) {
    const content = await ctx.exec.readFile(join(dir, PREVIOUS, 'files', p));
    if (content === null) continue;
    // The modes the healthy set was written with: .env stays 0600.
    const mode = (await ctx.exec.fileMode(join(dir, PREVIOUS, 'files', p))) ?? 0o600;
    restore.push({ path: join(dir, p), content, mode });
  }
  await ctx.exec.writeFiles(restore);
  // Files this run added that the healthy set did not have.
  for (const f of s.files) if (!prev.files.includes(f.path)) await ctx.exec.remove(join(dir, f.path));
  for (const [, v] of Object.entries(prev.services)) {
    const img = await ctx.docker.image(v.image).catch(() => null);
    if (img?.id !== v.imageId && (await ctx.docker.image(v.imageId).catch(() => null))) await ctx.docker.tag(v.imageId, v.image);
  }
  const timeout = healthTimeoutMs(ctx.env);
  const before = new Map((await ctx.docker.projectContainers(s.plan.project)).map((c) => [c.service, c.id]));
  await compose(ctx, dir, ['up', '-d', '--remove-orphans'], emit, timeout).catch(() => undefined);
  const services = Object.keys(prev.services);
  const failing = await waitHealthy(ctx, s.plan.project, services, timeout, emit);
  const after = await ctx.docker.projectContainers(s.plan.project);
  const nginx = after.find((c) => c.service === 'nginx');
  if (failing.length === 0 && nginx && before.get('nginx') === nginx.id) await reloadNginx(ctx, dir, emit);
  return { restored: failing.length === 0, failing };
}

/**
 * Nginx resolves `app` when it loads its config: after the app container was recreated (new
 * address) while Nginx was not, Nginx must reload. `nginx -s reload` inside, else SIGHUP.
 */
export async function reloadNginx(ctx: Context, dir: string, emit: Emit) {
  await compose(ctx, dir, ['exec', '-T', 'nginx', 'nginx', '-s', 'reload'], emit, 30_000).catch(() =>
    compose(ctx, dir, ['kill', '-s', 'HUP', 'nginx'], emit, 30_000).catch(() => undefined),
  );
}

function failureDetails(ctx: Context, failing: Unhealthy[]): string[] {
  const out: string[] = [];
  for (const f of failing) {
    out.push(ctx.t('up.serviceState', { service: f.service, state: f.state, health: f.health ?? '-', restarts: f.restarts }));
    if (f.oomKilled) out.push(`  ${ctx.t('up.oomKilled', { service: f.service })}`);
    if (f.error) out.push(`  ${ctx.t('up.engineError')} ${f.error}`);
    if (f.healthOutput) out.push(`  ${ctx.t('up.healthOutput')} ${f.healthOutput.split('\n').slice(-3).join(' | ')}`);
    if (f.logs.trim()) {
      out.push(`  ${ctx.t('up.lastLogs', { count: LOG_LINES })}`);
      for (const l of f.logs.trimEnd().split('\n')) out.push(`    ${l}`);
    }
  }
  return out;
}

export const upStep: Step = {
  id: 'up',
  title: 'step.up',
  async check(ctx, s) {
    const other = offEngine(ctx);
    if (other) return other;
    const p = await plannedChanges(ctx, s);
    return { needed: p.needUp, changes: p.changes };
  },
  async apply(ctx, s, emit) {
    const dir = s.targetDir;
    const p = await plannedChanges(ctx, s);
    const services = s.plan.services.map((x) => x.name);
    const before = new Map(p.cs.map((c) => [c.service, c.id]));
    const timeout = healthTimeoutMs(ctx.env);
    let upError: string | null = null;
    try {
      await compose(ctx, dir, ['up', '-d', '--remove-orphans'], emit, timeout);
    } catch (e) {
      // `up -d` fails when a dependency turns unhealthy: the wait below says which one and why.
      if (!(e instanceof CommandError)) throw e;
      upError = e.message;
    }
    if (ctx.exec.dryRun) return;
    let failing = await waitHealthy(ctx, s.plan.project, services, timeout, emit);
    if (failing.length === 0 && upError) failing = await describeFailing(ctx, services, await ctx.docker.projectContainers(s.plan.project));
    if (failing.length === 0) {
      const cs = await ctx.docker.projectContainers(s.plan.project);
      const recreated = new Set(cs.filter((c) => c.service && before.get(c.service) !== c.id).map((c) => c.service!));
      // Config files read through bind mounts: the service must reload or restart to see a change.
      const todo = new Map<string, 'reload' | 'restart'>();
      if (p.applied) {
        for (const f of p.changedFiles) {
          const svc = serviceOfFile(f);
          if (svc && services.includes(svc.service) && !recreated.has(svc.service)) todo.set(svc.service, svc.how);
        }
      }
      if (!recreated.has('nginx') && [...recreated].some((x) => x !== 'nginx') && services.includes('nginx')) todo.set('nginx', 'reload');
      for (const [svc, how] of todo) {
        emit({ kind: 'output', text: ctx.t(how === 'reload' ? 'up.reloading' : 'up.restarting', { service: svc }) });
        if (how === 'reload') await reloadNginx(ctx, dir, emit);
        else await compose(ctx, dir, ['restart', svc], emit, timeout);
      }
      if (todo.size) {
        const again = await waitHealthy(ctx, s.plan.project, services, timeout, emit);
        if (again.length) failing = again;
      }
    }
    if (failing.length === 0) {
      await saveHealthy(ctx, s, await ctx.docker.projectContainers(s.plan.project));
      return;
    }
    // Name the services that failed themselves; the rest were only waiting for them (depends_on).
    let verdict = failing.filter((f) => f.health === 'unhealthy' || f.state === 'exited' || f.state === 'dead' || f.restarts >= 3 || f.oomKilled || f.error);
    // At the timeout without a verdict: the ones still starting, not those created and waiting on them.
    if (!verdict.length) verdict = failing.filter((f) => f.state !== 'created' && f.state !== 'missing');
    const names = (verdict.length ? verdict : failing).map((f) => f.service).join(', ');
    failing = [...verdict, ...failing.filter((f) => !verdict.includes(f))];
    const details = failureDetails(ctx, failing);
    for (const d of details) ctx.exec.note(d);
    let rb: { restored: boolean; failing: Unhealthy[] };
    try {
      rb = await rollback(ctx, s, emit);
    } catch (e) {
      if (e instanceof WizardError) throw e;
      throw opError('err.unhealthyNoRollback', { services: names, reason: (e as Error).message }, details);
    }
    if (rb.restored) throw opError('err.unhealthyRolledBack', { services: names }, details);
    if (rb.failing.length === 0) throw opError('err.unhealthyNoPrevious', { services: names }, details);
    throw opError('err.unhealthyRollbackFailed', { services: names, still: rb.failing.map((f) => f.service).join(', ') }, [
      ...details,
      ...failureDetails(ctx, rb.failing),
    ]);
  },
};
