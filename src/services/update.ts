// Use case: update. Pulls the images, shows what changes (image IDs, every file's diff,
// hand-edited files), then with `yes` applies it service by service behind health gates, with a
// backup and the running image IDs recorded first, rolling back on a failed gate. After a killed
// update: put back what ran before it (`rollback`), or finish it.
import type { Context } from '../context.js';
import { event } from '../domain/notify/events.js';
import { WizardError, errorText, usageError } from '../errors.js';
import { reportEvents } from '../steps/notify.js';
import { hasWork, pendingUpdate, planUpdate, rollbackPendingUpdate, runUpdate, type UpdatePlan } from '../steps/update.js';
import type { ServiceChange } from '../domain/rollout.js';
import { verifyMirrors } from '../steps/mirrors.js';
import { progressPrinter, withStack, type StackSelector } from './stack.js';
import { diffAgainstDisk, prepare } from '../steps/prepare.js';
import { runSteps } from '../steps/engine.js';
import { writeFilesStep } from '../steps/install.js';
import { swarmDeployStep } from '../steps/swarm-deploy.js';
import type { Stack } from '../steps/stack-tools.js';
import { dbEngine } from '../domain/engines/index.js';
import { seriesRefusal, seriesUpgradePlan, upgradedAnswers, type SeriesUpgradePlan } from '../domain/series-upgrade.js';
import { runUpgradeChecks } from '../steps/series-upgrade.js';
import { checkExitCode, versionRows, type RunningImage, type VersionRow } from '../domain/version-check.js';
import { containers, loadStack, serverVersion, sqlTarget } from '../steps/stack-tools.js';
import { byCodePoint } from '../domain/order.js';

const short = (id: string | null) => (id ? id.replace(/^sha256:/, '').slice(0, 12) : '-');

export function formatUpdatePlan(ctx: Context, u: UpdatePlan, migrate: readonly string[] | null = null): string {
  const out: string[] = [];
  if (u.templateFrom !== null && u.templateFrom !== u.templateTo) out.push(ctx.t('upd.template', { from: u.templateFrom, to: u.templateTo }));
  for (const w of u.pullWarnings) out.push(`! ${ctx.t('upd.pullLocal', { detail: w })}`);
  for (const e of u.pullErrors) out.push(`✗ ${e}`);
  if (u.images.length) {
    out.push(ctx.t('upd.imagesHeader'));
    for (const i of u.images) out.push(`  ${i.service}: ${i.fromImage ?? '-'} (${short(i.fromId)}) → ${i.image} (${short(i.toId)})`);
  }
  if (u.files.length) {
    out.push(ctx.t('upd.filesHeader'));
    for (const f of u.files) {
      out.push(`${f.status === 'created' ? '+' : '~'} ${f.path}${u.handEdited.includes(f.path) ? `  ${ctx.t('upd.handEditedMark')}` : ''}`);
      if (f.diff) out.push(f.diff.replace(/^/gm, '    '));
    }
  }
  if (u.handEdited.length) out.push(ctx.t('upd.handEdited', { files: u.handEdited.join(', ') }));
  if (u.changes.some((c) => c.how !== 'keep')) {
    out.push(ctx.t('upd.servicesHeader'));
    for (const c of u.changes) out.push(serviceLine(ctx, c));
    if (migrate && u.changes.some((c) => c.service === 'app' && c.how === 'side-by-side')) out.push(ctx.t('upd.migrateNote', { argv: migrate.join(' ') }));
  }
  return `${out.join('\n')}\n`;
}

const WHAT = new Set(['mysql', 'redis', 'rabbitmq', 'minio', 'nginx']);

/** One service's line of the preview: side by side, a restart with its measured downtime, a reload, or nothing. */
export function serviceLine(ctx: Context, c: ServiceChange): string {
  if (c.how !== 'restart') return ctx.t(`upd.how.${c.how}`, { service: c.service });
  const what = ctx.t(WHAT.has(c.service) ? (`upd.what.${c.service}` as 'upd.what.mysql') : 'upd.what.other');
  return c.downtimeS === null
    ? ctx.t('upd.how.restartUnmeasured', { service: c.service, what })
    : ctx.t('upd.how.restart', { service: c.service, what, seconds: Math.max(1, Math.round(c.downtimeS)) });
}

/** `pull`: pull the images first (never in a dry run). `toSeries`: a major upgrade of the database (with `image` for a stack that names its database image). */
export interface UpdateOptions { stack: StackSelector; yes: boolean; rollback: boolean; pull: boolean; toSeries?: string | undefined; image?: string | undefined; check?: boolean }

/**
 * `update --to-series X`: refused (exit 2, nothing written) unless the engine's upgrade paths allow
 * it; else the stack as it will be (answers with the new database.version, every file rendered for
 * the new series), what the upgrade does, and the vendor's checks asked of the running server.
 */
async function seriesTarget(ctx: Context, s: Stack, o: UpdateOptions): Promise<{ target: Stack; series: SeriesUpgradePlan }> {
  const before = s.prepared.answers;
  const refusal = seriesRefusal(before, o.toSeries!, o.image);
  if (refusal) throw usageError(refusal.key, refusal.params);
  const after = upgradedAnswers(before, o.toSeries!, o.image);
  const prepared = await prepare(ctx, { answers: after, facts: s.prepared.facts });
  const imageOf = (p: typeof prepared) => p.plan.services.find((x) => x.name === 'mysql')!.image;
  const series = seriesUpgradePlan(before, after, { from: imageOf(s.prepared), to: imageOf(prepared) });
  const label = dbEngine(series.engine).label;
  ctx.io.out(`${ctx.t('upg.plan', { engine: label, from: series.from, to: series.to, fromImage: series.fromImage, toImage: series.toImage })}\n`);
  const step = series.step ? ctx.t('upg.stepRun', { program: series.step.program }) : ctx.t('upg.stepSelf');
  ctx.io.out(`  ${ctx.t('upg.planSteps', { engine: label, from: series.from, to: series.to, step })}\n`);
  for (const w of await runUpgradeChecks(ctx, s, series, progressPrinter(ctx))) ctx.io.out(`    ${w}\n`);
  return { target: { ...s, prepared }, series };
}

/** `update --check`'s table: one line per running service (text in the operator's language). */
export function formatVersionRows(ctx: Context, rows: readonly VersionRow[]): string {
  const head = [ctx.t('upc.service'), ctx.t('upc.running'), ctx.t('upc.series'), ctx.t('upc.newest'), ctx.t('upc.eol'), ctx.t('upc.due')];
  const body = rows.map((r) => [
    r.service,
    r.running ?? '?',
    r.series ? `${r.product} ${r.series}` : '-',
    r.newest ?? '-',
    r.eol.eol ? ctx.t(r.eol.state === 'ended' ? 'upc.eolEnded' : 'upc.eolDays', { eol: r.eol.eol, days: Math.abs(r.eol.daysLeft ?? 0) }) : ctx.t(r.series ? 'upc.eolNone' : 'upc.untracked'),
    r.due.length ? r.due.map((d) => ctx.t(`upc.due.${d}`, { newest: r.newest ?? '?' })).join('; ') : '-',
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(width[i]!))).join('  ').trimEnd();
  return `${[line(head), ...body.map(line)].join('\n')}\n`;
}

/**
 * `update --check`: each running service's version, the newest patch of its series in the versions
 * data, the series' end of life. Reads only (no lock). Exit code: checkExitCode (0, 4 or 5).
 */
async function checkVersions(ctx: Context, o: UpdateOptions): Promise<number> {
  const s = await loadStack(ctx, o.stack);
  const running = (await containers(ctx, s.project)).filter((c) => !c.oneOff && c.state === 'running' && c.service && c.service !== 'app' && c.service !== 'worker');
  const xs: RunningImage[] = [];
  for (const c of running.sort((a, b) => byCodePoint(a.service!, b.service!))) {
    // The database says its exact version (a floating tag such as 10.11 does not).
    const version = c.service === 'mysql' ? await serverVersion(ctx, sqlTarget(s, c.id)).catch(() => null) : null;
    xs.push({ service: c.service!, image: c.image, version });
  }
  const rows = versionRows(xs, ctx.clock());
  ctx.io.out(formatVersionRows(ctx, rows));
  const code = checkExitCode(rows);
  ctx.io.out(`${ctx.t(code === 0 ? 'upc.nothingDue' : code === 4 ? 'upc.somethingDue' : 'upc.ended')}\n`);
  return code;
}

export async function update(ctx: Context, o: UpdateOptions): Promise<number> {
  if (o.check) {
    if (o.toSeries !== undefined || o.rollback || o.yes) throw usageError('err.upg.checkWith');
    return checkVersions(ctx, o);
  }
  const emit = progressPrinter(ctx);
  const { yes } = o;
  if (o.toSeries !== undefined && o.rollback) throw usageError('err.upg.toSeriesWith');
  if (o.image !== undefined && o.toSeries === undefined) throw usageError('err.upg.imageWithout');
  const pull = o.pull && !ctx.exec.dryRun;
  return withStack(ctx, o.stack, 'update', async (s0) => {
    let s = s0;
    if (s.prepared.plan.swarm) return updateSwarm(ctx, s, yes, emit);
    // A killed update left its journal: finish it, or put back what ran before it.
    const pending = await pendingUpdate(ctx, s);
    if (pending) {
      ctx.io.out(`${ctx.t('upd.pendingFound', { started: pending.startedAt, phase: pending.phase, id: pending.backupId })}\n`);
      if (ctx.exec.dryRun) return 0;
      if (!yes) throw usageError('err.up.pendingNeedsYes');
      if (o.rollback) {
        const r = await rollbackPendingUpdate(ctx, s, pending, emit);
        ctx.io.out(`${ctx.t('upd.recovered')}${r.dataRestored ? ` ${ctx.t('upd.dataRestored', { id: pending.backupId })}` : ''}\n`);
        return 0;
      }
      ctx.io.out(`→ ${ctx.t('upd.finishing', { started: pending.startedAt })}\n`);
      const u = await planUpdate(ctx, s, { pull }, emit);
      ctx.io.out(formatUpdatePlan(ctx, u, s.prepared.plan.app.migrate));
      const r = await runUpdate(ctx, s, u, emit, { resume: pending });
      ctx.io.out(`${ctx.t('upd.finished', { services: r.changed.join(', ') || '-', id: r.backupId ?? '-' })}\n`);
      return 0;
    }
    if (o.rollback) throw usageError('err.up.nothingToRollBack');
    const up = o.toSeries !== undefined ? await seriesTarget(ctx, s0, o) : null;
    s = up?.target ?? s0;
    ctx.io.out(`→ ${ctx.t('upd.checking', { project: s.project })}\n`);
    // The saved answers are rendered again: a mirror that has died since init is refused (exit 3) before anything is pulled or written.
    await verifyMirrors(ctx, s.prepared.plan.mirrors, s.prepared.facts, { answers: s.prepared.answers });
    const u = await planUpdate(ctx, s, { pull }, emit);
    ctx.io.out(formatUpdatePlan(ctx, u, s.prepared.plan.app.migrate));
    if (!hasWork(u)) {
      ctx.io.out(`${ctx.t('upd.upToDate')}\n`);
      return 0;
    }
    if (ctx.exec.dryRun) {
      ctx.io.out(`${ctx.t('init.dryRunDone')}\n`);
      return 0;
    }
    if (!yes) throw usageError(u.handEdited.length ? 'err.up.handEditedNeedsYes' : 'err.needYes', { command: 'update', files: u.handEdited.join(', ') });
    let r: Awaited<ReturnType<typeof runUpdate>>;
    const report = (firing: boolean, reason: string) =>
      reportEvents(ctx, s.prepared.answers, s.installDir, s.prepared.facts.hostname, [{ firing, event: event('update-rolled-back', { reason }) }]);
    try {
      r = await runUpdate(ctx, s, u, emit, up ? { series: up.series } : {});
    } catch (e) {
      // A rollback (or one that failed) is news for whoever looks after the stack.
      if (e instanceof WizardError && e.key.startsWith('err.up.roll')) await report(true, errorText(ctx.t, e).split('\n')[0]!.slice(0, 300));
      throw e;
    }
    await report(false, '-');
    ctx.io.out(`${ctx.t('upd.done', { services: r.changed.join(', ') || '-', id: r.backupId ?? '-' })}\n`);
    ctx.io.out(`${ctx.t('upd.phasesDone', { phases: Object.entries(r.phases).map(([k, v]) => `${k} ${v} s`).join(', ') })}\n`);
    if (r.handEditedKept) ctx.io.out(`${ctx.t('upd.handEditedKept', { dir: r.handEditedKept })}\n`);
    if (up) ctx.io.out(`${ctx.t('upg.done', { engine: dbEngine(up.series.engine).label, to: up.series.to })}\n`);
    return 0;
  }, { allow: 'update' });
}

/**
 * update on a swarm (#20.2): the files rendered again and `docker stack deploy` on the manager.
 * Swarm rolls each changed service one task at a time and rolls it back by itself on a failed
 * health check (render/stack.ts update_config); the deploy step waits for that and says which.
 */
async function updateSwarm(ctx: Context, s: Stack, yes: boolean, emit: ReturnType<typeof progressPrinter>): Promise<number> {
  ctx.io.out(`→ ${ctx.t('upd.checking', { project: s.project })}\n`);
  const files = (await diffAgainstDisk(ctx, s.installDir, s.prepared.files)).filter((f) => f.status !== 'unchanged');
  const deploy = await swarmDeployStep.check(ctx, s.prepared);
  const out: string[] = [];
  if (files.length) {
    out.push(ctx.t('upd.filesHeader'));
    // The stack file and the secret files hold passwords: their paths are listed, never their diffs.
    for (const f of files) out.push(`${f.status === 'created' ? '+' : '~'} ${f.path}`);
  }
  if (deploy.needed || files.length) out.push(...deploy.changes);
  if (out.length) ctx.io.out(`${out.join('\n')}\n`);
  if (!files.length && !deploy.needed) {
    ctx.io.out(`${ctx.t('upd.upToDate')}\n`);
    return 0;
  }
  if (ctx.exec.dryRun) {
    ctx.io.out(`${ctx.t('init.dryRunDone')}\n`);
    return 0;
  }
  if (!yes) throw usageError('err.needYes', { command: 'update', files: '' });
  await runSteps(ctx, [writeFilesStep, swarmDeployStep], s.prepared, (e) => emit(e));
  ctx.io.out(`${ctx.t('upd.done', { services: s.prepared.plan.services.map((x) => x.name).join(', '), id: '-' })}\n`);
  return 0;
}
