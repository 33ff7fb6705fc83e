// deploy: swarm (#20.2): init's and update's start on a swarm. `docker stack deploy` from the
// install dir on a manager, with .env in its environment (the stack file interpolates the app's
// URLs from it), then a bounded wait until every service has its tasks running and healthy. Swarm
// itself rolls each service one task at a time and rolls it back on a failed health check
// (render/stack.ts); this step reports that as a failure. All through the Executor: a dry run
// shows the command and runs nothing.
import { join } from 'node:path';
import type { Context } from '../context.js';
import { parseDotenv } from '../domain/secrets.js';
import { parse } from 'yaml';
import {
  STACK_FILE,
  convergence,
  parseStackPs,
  parseStackServices,
  stackDeployArgv,
  stackLabel,
  swarmStatus,
  type SwarmService,
  type SwarmStatus,
} from '../domain/swarm.js';
import { hostError, opError } from '../errors.js';
import { HOST } from '../render/paths.js';
import { listNodes, swarmState } from './cluster.js';
import type { Step, StepEvent } from './engine.js';
import { offEngine } from './live-engine.js';
import type { Prepared } from './prepare.js';
import { APPLIED, fileHashes, healthTimeoutMs } from './up.js';

type Emit = (e: Omit<StepEvent, 'step'>) => void;

/** The stack's services with their replicas and last update, as the manager sees them now. */
export async function stackServices(ctx: Context, project: string): Promise<SwarmService[]> {
  const ls = await ctx.exec.query(
    'docker',
    ['service', 'ls', '--filter', `label=${stackLabel(project)}`, '--format', '{{json .}}'],
    { timeoutMs: 30_000 },
  );
  if (ls.exitCode !== 0) throw opError('cluster.err.docker', { detail: ls.stderr.trim() });
  const names = ls.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => String((JSON.parse(l) as { Name?: string }).Name ?? ''))
    .filter(Boolean);
  if (names.length === 0) return [];
  const ins = await ctx.exec.query('docker', ['service', 'inspect', '--', ...names], { timeoutMs: 30_000 });
  if (ins.exitCode !== 0) throw opError('cluster.err.docker', { detail: ins.stderr.trim() });
  return parseStackServices(project, ls.stdout, ins.stdout);
}

/** Tasks of one service that are not running, with their node and error (`docker service ps`). */
async function taskProblems(ctx: Context, project: string, service: string): Promise<string[]> {
  const r = await ctx.exec.query(
    'docker',
    [
      'service',
      'ps',
      '--no-trunc',
      '--format',
      '{{.Name}} {{.Node}} {{.CurrentState}} {{.Error}}',
      '--',
      `${project}_${service}`,
    ],
    { timeoutMs: 30_000 },
  );
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() && !/ Running /.test(l))
    .slice(0, 5)
    .map((l) => `  ${l.trim()}`);
}

async function readApplied(ctx: Context, dir: string): Promise<Record<string, string> | null> {
  const text = await ctx.exec.readFile(join(dir, APPLIED)).catch(() => null);
  if (!text) return null;
  try {
    return (JSON.parse(text) as { files: Record<string, string> }).files;
  } catch {
    return null;
  }
}

interface Planned {
  needed: boolean;
  changes: string[];
  /** Why it cannot deploy here (not a manager), shown in the preview and thrown on apply. */
  refusal: ReturnType<typeof hostError> | null;
}

async function planDeploy(ctx: Context, s: Prepared): Promise<Planned> {
  const dir = s.targetDir;
  const argv = stackDeployArgv(dir, s.plan.project);
  const timeoutS = Math.round(healthTimeoutMs(ctx.env) / 1000);
  const changes = [
    `docker ${argv.join(' ')}`,
    ...s.plan.swarm!.sizedFor.map((f) =>
      ctx.t('swarm.sizedFor', {
        service: f.service,
        memory: f.memoryMiB,
        cpus: f.cpus,
        node: f.node,
        nodeMiB: f.nodeMiB,
        with: f.neighbours.join(', '),
      }),
    ),
    `  ${ctx.t('swarm.waitConverged', { seconds: timeoutS })}`,
  ];
  const state = await swarmState(ctx).catch(() => null);
  // Before Docker is installed (a fresh server's preview) nothing can be read yet: the deploy is due.
  if (state && (state.state !== 'active' || !state.manager))
    return { needed: true, changes, refusal: hostError('swarm.err.notManager', { state: state.state }) };
  if (!state) return { needed: true, changes, refusal: null };
  const applied = await readApplied(ctx, dir);
  const now = fileHashes(s.files);
  const changed = !applied || Object.keys(now).some((p) => applied[p] !== now[p]);
  const c = convergence(
    await stackServices(ctx, s.plan.project),
    s.plan.services.map((x) => x.name),
    Number.POSITIVE_INFINITY,
  );
  if (!changed && c.done) return { needed: false, changes: [], refusal: null };
  if (!c.done) changes.push(`  ${ctx.t('swarm.notConverged', { services: c.pending.join(', ') })}`);
  return { needed: true, changes, refusal: null };
}

/**
 * Waits (bounded) until the stack has converged. A rolled-back or paused update started by this
 * deploy ends the wait at once with its reason and the failing tasks.
 */
export async function waitConverged(ctx: Context, s: Prepared, since: number, emit: Emit): Promise<void> {
  const project = s.plan.project;
  const planned = s.plan.services.map((x) => x.name);
  const timeout = healthTimeoutMs(ctx.env);
  const start = Date.now();
  let reported = '';
  for (;;) {
    const services = await stackServices(ctx, project);
    const c = convergence(services, planned, since);
    const line = services.map((x) => `${x.name}:${x.running}/${x.desired}${x.update ? ` ${x.update}` : ''}`).join(' ');
    if (line !== reported) {
      emit({
        kind: 'progress',
        item: 'health',
        fraction: (planned.length - c.pending.length) / planned.length,
        text: line,
      });
      reported = line;
    }
    if (c.done) return;
    if (c.failed.length || Date.now() - start >= timeout) {
      ctx.exec.note(`stack wait ended after ${Math.round((Date.now() - start) / 1000)} s: ${line}`);
      const names = c.failed.length ? c.failed.map((x) => x.name) : c.pending.map((p) => p.split(':')[0]!);
      const details: string[] = [];
      for (const f of c.failed) details.push(`${f.name}: ${f.update} ${f.updateMessage}`.trim());
      for (const n of names) details.push(...(await taskProblems(ctx, project, n)));
      throw opError(
        c.failed.length ? 'swarm.err.rolledBack' : 'swarm.err.notConverged',
        { services: names.join(', ') },
        details,
      );
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** `docker stack deploy` with .env's values in its environment (prepare already registered the secrets for redaction), from the install dir (the stack file's paths are relative to it). */
export async function stackDeploy(ctx: Context, s: Prepared, emit: Emit): Promise<void> {
  const dir = s.targetDir;
  const envFile = s.files.find((f) => f.path === HOST.env);
  const env = envFile ? parseDotenv(envFile.content) : {};
  await ctx.exec.run('docker', stackDeployArgv(dir, s.plan.project), {
    cwd: dir,
    env,
    timeoutMs: 300_000,
    onLine: (line) => line.trim() && emit({ kind: 'output', text: line.trim() }),
  });
}

export const swarmDeployStep: Step = {
  id: 'up',
  title: 'step.up',
  async check(ctx, s) {
    const other = offEngine(ctx);
    if (other) return other;
    const p = await planDeploy(ctx, s);
    const lines = p.refusal
      ? [...p.changes, `${ctx.t('sec.refused')} ${ctx.t(p.refusal.key, p.refusal.params)}`]
      : p.changes;
    return { needed: p.needed, changes: lines };
  },
  async apply(ctx, s, emit) {
    const p = await planDeploy(ctx, s);
    if (p.refusal) throw p.refusal;
    // Swarm's clock and ours are the same host's (a manager): an update older than this is not ours.
    const since = Date.now() - 2000;
    await stackDeploy(ctx, s, emit);
    if (ctx.exec.dryRun) return;
    await waitConverged(ctx, s, since, emit);
    await ctx.exec.writeFiles([
      {
        path: join(s.targetDir, APPLIED),
        content: `${JSON.stringify({ files: fileHashes(s.files), services: {} }, null, 2)}\n`,
        mode: 0o600,
      },
    ]);
  },
};

/** Whether the stack in `dir` was rendered for a swarm (its stack file is there). */
export async function isSwarmStack(ctx: Context, dir: string): Promise<boolean> {
  return (await ctx.exec.readFile(join(dir, STACK_FILE)).catch(() => null)) !== null;
}

/** `status` on a swarm (#20.3): each service's tasks per node, replicas running/desired, nodes not ready. Read-only. */
export async function readSwarmStatus(ctx: Context, project: string, dir: string): Promise<SwarmStatus> {
  const state = await swarmState(ctx);
  if (state.state !== 'active' || !state.manager) throw hostError('swarm.err.notManager', { state: state.state });
  const text = await ctx.exec.readFile(join(dir, STACK_FILE));
  const planned = Object.keys((parse(text ?? '') as { services?: Record<string, unknown> } | null)?.services ?? {});
  const ps = await ctx.exec.query(
    'docker',
    ['stack', 'ps', '--filter', 'desired-state=running', '--format', '{{json .}}', '--', project],
    { timeoutMs: 30_000 },
  );
  // A stack not deployed yet has no tasks: every planned service then shows as missing.
  const tasks = ps.exitCode === 0 ? parseStackPs(project, ps.stdout) : [];
  return swarmStatus(project, await stackServices(ctx, project), tasks, await listNodes(ctx), planned);
}
