// The effects of a database series upgrade (`update --to-series`, plan in domain/series-upgrade.ts):
// the vendor's pre-upgrade checks asked of the running old server, the data volume copied aside
// while the old server is stopped (a server cannot go back to data a newer series has written, so a
// rollback needs the files as they were, not only a dump), the engine's upgrade step in the new
// container, and the copy put back on failure. runUpdate (steps/update.ts) calls them.
import type { Context } from '../context.js';
import type { SeriesUpgradePlan } from '../domain/series-upgrade.js';
import { dbEngine } from '../domain/engines/index.js';
import { hostError, opError } from '../errors.js';
import type { Emit } from './backup.js';
import { containers, runningOf, sqlQuery, sqlTarget, volumeMountpoint, volumeName, type Stack } from './stack-tools.js';
import { compose } from './up.js';

/** The engine's pre-upgrade checks on the running server: an `error` finding refuses the upgrade (exit 3), nothing changed. */
export async function runUpgradeChecks(ctx: Context, s: Stack, u: SeriesUpgradePlan, emit: Emit): Promise<string[]> {
  const e = dbEngine(u.engine);
  const db = runningOf(await containers(ctx, s.project), 'mysql');
  if (!db || u.checks.length === 0) return [];
  emit({ kind: 'output', text: ctx.t('upg.checking', { engine: e.label, from: u.from }) });
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const c of u.checks) {
    const rows = (await sqlQuery(ctx, sqlTarget(s, db.id), c.sql)).map((r) => r.join('.'));
    const what = ctx.t(`upg.check.${c.id}` as 'upg.check.nativePassword');
    if (rows.length === 0) {
      emit({ kind: 'output', text: ctx.t('upg.checkOk', { check: what }) });
      continue;
    }
    const lines = [
      `${c.severity === 'error' ? '✗' : '!'} ${what}: ${rows.slice(0, 20).join(', ')}${rows.length > 20 ? ` (+${rows.length - 20})` : ''}`,
      `  ${ctx.t(`upg.fix.${c.id}` as 'upg.fix.nativePassword')} (${c.source})`,
    ];
    (c.severity === 'error' ? errors : warnings).push(...lines);
  }
  if (errors.length)
    throw hostError('err.upg.checksFailed', { engine: e.label, from: u.from, to: u.to }, [...errors, ...warnings]);
  return warnings;
}

const DATA_VOLUME = 'mysql-data';

/** The data volume's name and the copy's (one per series left, so a second attempt reuses the name). */
export const dataCopyNames = (project: string, from: string) => ({
  volume: volumeName(project, DATA_VOLUME),
  copy: volumeName(project, `${DATA_VOLUME}-pre-${from}`),
});

/** Stops the old server and copies its data volume aside, file for file (owners, modes, times kept). */
export async function copyDataAside(
  ctx: Context,
  s: Stack,
  u: SeriesUpgradePlan,
  emit: Emit,
  timeoutMs: number,
): Promise<{ volume: string; copy: string }> {
  const names = dataCopyNames(s.project, u.from);
  emit({
    kind: 'output',
    text: ctx.t('upg.snapshot', { engine: dbEngine(u.engine).label, from: u.from, volume: names.copy }),
  });
  // A clean shutdown: InnoDB's files are consistent on disk, as a copy of a running server's are not.
  await compose(ctx, s.installDir, ['stop', 'mysql'], emit, timeoutMs);
  const src = await volumeMountpoint(ctx, names.volume);
  if (!src) throw opError('err.bk.volumeMissing', { volume: names.volume });
  await ctx.exec.run('docker', ['volume', 'rm', '-f', names.copy], { check: false, timeoutMs: 60_000 });
  await ctx.exec.run('docker', ['volume', 'create', '--label', `com.docker.compose.project=${s.project}`, names.copy], {
    timeoutMs: 60_000,
  });
  const dst = await volumeMountpoint(ctx, names.copy);
  if (!dst) throw opError('err.bk.volumeMissing', { volume: names.copy });
  await ctx.exec.run('cp', ['-a', '--', `${src}/.`, `${dst}/`], { timeoutMs: 6 * 3600_000 });
  return names;
}

/** Puts the copy back into the data volume (the server using it stopped first) and removes the copy. */
export async function restoreDataCopy(
  ctx: Context,
  s: Stack,
  names: { volume: string; copy: string },
  emit: Emit,
  timeoutMs: number,
): Promise<void> {
  emit({ kind: 'output', text: ctx.t('upg.snapshotRestore', { volume: names.copy }) });
  const copy = await volumeMountpoint(ctx, names.copy);
  const vol = await volumeMountpoint(ctx, names.volume);
  if (!copy || !vol) throw opError('err.bk.volumeMissing', { volume: copy ? names.volume : names.copy });
  for (const c of (await containers(ctx, s.project)).filter((x) => x.service === 'mysql')) {
    await ctx.exec.run('docker', ['rm', '-f', c.id], { check: false, timeoutMs });
  }
  await ctx.exec.run('find', [vol, '-mindepth', '1', '-delete'], { timeoutMs: 3600_000 });
  await ctx.exec.run('cp', ['-a', '--', `${copy}/.`, `${vol}/`], { timeoutMs: 6 * 3600_000 });
  await dropDataCopy(ctx, names);
}

export async function dropDataCopy(ctx: Context, names: { copy: string }): Promise<void> {
  await ctx.exec.run('docker', ['volume', 'rm', '-f', names.copy], { check: false, timeoutMs: 60_000 });
}

/** The engine's upgrade step in the new server's container (nothing when the server upgrades itself); a failure throws with its output's last lines. */
export async function runUpgradeStep(
  ctx: Context,
  s: Stack,
  u: SeriesUpgradePlan,
  emit: Emit,
  timeoutMs: number,
): Promise<void> {
  if (!u.step) return;
  const db = runningOf(await containers(ctx, s.project), 'mysql');
  const { program } = u.step;
  emit({ kind: 'output', text: ctx.t('upg.step', { program, engine: dbEngine(u.engine).label, to: u.to }) });
  if (!db) throw opError('err.upg.stepFailed', { engine: dbEngine(u.engine).label, program, code: 'no container' });
  const r = await ctx.exec.run('docker', ['exec', ...(u.step.user ? ['--user', u.step.user] : []), db.id, ...u.step.argv], {
    check: false,
    timeoutMs,
    onLine: (line) => line.trim() && emit({ kind: 'output', text: `  ${line.trim()}` }),
  });
  if (r.exitCode !== 0) {
    const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-10);
    throw opError(
      'err.upg.stepFailed',
      { engine: dbEngine(u.engine).label, program, code: r.timedOut ? 'timeout' : r.exitCode },
      tail,
    );
  }
}
