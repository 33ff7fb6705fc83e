// Use cases: take a backup, list them (newest first), verify one (checksums and a load into
// throwaway containers). `backup` and the menu's Back up / Verify rows call these.
import type { Context } from '../context.js';
import { humanBytes, type BackupSummary, type DbMethod } from '../domain/backup.js';
import type { DrillRecord, RemoteRecord } from '../domain/backup-watch.js';
import { event } from '../domain/notify/events.js';
import { localMoment, zoneLabel, type RecoveryWindow } from '../domain/binlog.js';
import { WizardError, errorText, usageError } from '../errors.js';
import { applySchedule, scheduleChanges } from '../steps/backup-schedule.js';
import { uploadBackup, uploadBinlogs } from '../steps/backup-s3.js';
import { applyTimers, timerChanges } from '../steps/backup-timers.js';
import { requireBackupId, verifyBackup } from '../steps/backup-verify.js';
import { listBackups, takeBackup } from '../steps/backup.js';
import { backupHistory } from '../steps/backup-history.js';
import { reportEvents } from '../steps/notify.js';
import { archiveOnSchedule, archivedWindows, hostZone } from '../steps/pitr.js';
import { progressPrinter, withStack, withStackWaiting, type StackSelector } from './stack.js';

export function formatList(ctx: Context, list: BackupSummary[]): string {
  if (list.length === 0) return `${ctx.t('bk.listEmpty')}\n`;
  const rows = list.map((b) => [
    b.id,
    b.createdAt ? b.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-',
    b.kind,
    b.manifest ? humanBytes(b.bytes) : '-',
    b.manifest ? `${Object.keys(b.manifest.database?.tables ?? {}).length} ${ctx.t('bk.tables')}, ${b.manifest.redis?.keys ?? 0} ${ctx.t('bk.keys')}${b.manifest.volumes.length ? `, ${b.manifest.volumes.join(' ')}` : ''}${b.manifest.encryption ? `, ${ctx.t('bk.encrypted')}` : ''}` : `! ${b.error}`,
  ]);
  const head = [ctx.t('bk.col.id'), ctx.t('bk.col.created'), ctx.t('bk.col.kind'), ctx.t('bk.col.size'), ctx.t('bk.col.content')];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ');
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}

/** The point-in-time window lines under the list: oldest base backup → last archived binlog event, host time. */
export function formatWindows(ctx: Context, windows: readonly RecoveryWindow[]): string {
  if (windows.length === 0) return `${ctx.t('bl.noWindow')}\n`;
  return windows
    .map((w) => {
      const from = new Date(w.from);
      return `${ctx.t(w.open ? 'bl.windowOpen' : 'bl.window', { from: localMoment(from), to: localMoment(new Date(w.to)), zone: zoneLabel(from, hostZone()) })}\n`;
    })
    .join('');
}

/** `backup list --json`'s `pitr`: the host's zone and each window (ISO instants), oldest first. */
export const windowsJson = (windows: readonly RecoveryWindow[]) => ({
  zone: hostZone(),
  windows: windows.map((w) => ({ from: w.from, to: w.to, bases: w.bases })),
});

const drillJson = (d: DrillRecord | null) =>
  d && { at: d.at, id: d.id, ok: d.ok, scheduled: d.scheduled, durationMs: d.durationMs, parts: d.parts, database: d.database, redis: d.redis, archives: d.archives, error: d.error };
const remoteJson = (r: RemoteRecord | null) => r && { at: r.at, id: r.id, ok: r.ok, bucket: r.bucket, files: r.files, bytes: r.bytes, durationMs: r.durationMs, pruned: r.pruned, error: r.error };

/** `backup list --json`: stable fields, newest first; the last drill and upload, and each backup's own last drill. */
export const listJson = (list: BackupSummary[], history: { drills?: readonly DrillRecord[]; remote?: readonly RemoteRecord[] } = {}) => ({
  lastDrill: drillJson(history.drills?.at(-1) ?? null),
  lastRemote: remoteJson(history.remote?.at(-1) ?? null),
  backups: list.map((b) => ({
    id: b.id,
    createdAt: b.createdAt || null,
    kind: b.kind,
    bytes: b.bytes,
    complete: b.manifest !== null,
    error: b.error,
    encrypted: b.manifest ? b.manifest.encryption !== null : null,
    database: b.manifest?.database ? { engine: b.manifest.database.engine, serverVersion: b.manifest.database.serverVersion, tables: b.manifest.database.tables } : null,
    redis: b.manifest?.redis ? { version: b.manifest.redis.version, keys: b.manifest.redis.keys } : null,
    volumes: b.manifest?.volumes ?? [],
    files: b.manifest?.files ?? [],
    lastDrill: drillJson(history.drills?.filter((d) => d.id === b.id).at(-1) ?? null),
    remote: remoteJson(history.remote?.filter((r) => r.id === b.id).at(-1) ?? null),
  })),
});

/** Takes a backup (a dry run shows where it would go and the schedule's changes). */
export async function backup(ctx: Context, o: { stack: StackSelector; scheduled: boolean; method?: DbMethod }): Promise<number> {
  const emit = progressPrinter(ctx);
  // A scheduled backup waits for a drill still holding the lock; one run by hand says so at once.
  return (o.scheduled ? withStackWaiting : withStack)(ctx, o.stack, 'backup', async (s) => {
    if (ctx.exec.dryRun) {
      ctx.io.out(`${ctx.t('bk.dryRun', { dir: `${s.installDir}/backups` })}\n`);
      for (const c of await scheduleChanges(ctx, s.prepared)) ctx.io.out(`    ${c}\n`);
      return 0;
    }
    ctx.io.out(`→ ${ctx.t('bk.taking', { project: s.project })}\n`);
    const report = (firing: boolean, kind: 'backup-failed' | 'remote-failed', params: Record<string, string>) =>
      reportEvents(ctx, s.prepared.answers, s.installDir, s.prepared.facts.hostname, [{ firing, event: event(kind, params) }]);
    let r: Awaited<ReturnType<typeof takeBackup>>;
    try {
      r = await takeBackup(ctx, s, { kind: o.scheduled ? 'scheduled' : 'manual', ...(o.method ? { method: o.method } : {}) }, emit);
    } catch (e) {
      await report(true, 'backup-failed', { reason: errorText(ctx.t, e).split('\n')[0]!.slice(0, 300) });
      throw e;
    }
    await report(false, 'backup-failed', { id: r.id });
    const total = r.manifest.files.reduce((n, f) => n + f.bytes, 0);
    const raw = r.manifest.files.reduce((n, f) => n + f.rawBytes, 0);
    ctx.io.out(`${ctx.t('bk.done', { id: r.id, dir: r.dir, size: humanBytes(total), raw: humanBytes(raw), seconds: (r.manifest.durationMs / 1000).toFixed(1), rate: humanBytes(raw / Math.max(0.001, r.manifest.durationMs / 1000)) })}\n`);
    if (r.removed.length) ctx.io.out(`${ctx.t('bk.pruned', { count: r.removed.length, keep: s.prepared.plan.backup.keep, ids: r.removed.join(', ') })}\n`);
    const bucket = s.prepared.answers.backup.s3?.bucket ?? '-';
    // The schedule and the timers follow the answers: installed, changed or removed here too, before
    // the upload (a bucket that is down must not keep a changed drill time from being written).
    if (!s.prepared.factsFile && (await scheduleChanges(ctx, s.prepared)).length) {
      await applySchedule(ctx, s.prepared);
      ctx.io.out(`${ctx.t(s.prepared.plan.backup.schedule === 'off' ? 'bk.scheduleOff' : 'bk.scheduled', { at: s.prepared.plan.backup.schedule })}\n`);
    }
    if (!s.prepared.factsFile && (await timerChanges(ctx, s.prepared)).length) await applyTimers(ctx, s.prepared);
    try {
      const up = await uploadBackup(ctx, s, r.dir, r.manifest, emit);
      if (up) {
        ctx.io.out(`${ctx.t('s3.done', { count: up.urls.length, bucket, bytes: humanBytes(up.bytes) })}\n`);
        if (up.pruned.length) ctx.io.out(`${ctx.t('s3.pruned', { count: up.pruned.length, keep: s.prepared.answers.backup.s3?.keep ?? s.prepared.plan.backup.keep, ids: up.pruned.join(', ') })}\n`);
        // The binary logs this backup archived go off-site too (a restore from the bucket replays them).
        const bl = await uploadBinlogs(ctx, s, emit);
        if (bl?.sent.length) ctx.io.out(`${ctx.t('bl.s3Sent', { count: bl.sent.length, bucket, bytes: humanBytes(bl.bytes) })}\n`);
        await report(false, 'remote-failed', { id: r.id, bucket });
      }
    } catch (e) {
      await report(true, 'remote-failed', { id: r.id, bucket, reason: errorText(ctx.t, e).split('\n')[0]!.slice(0, 300) });
      throw e;
    }
    return 0;
  });
}

export async function backupList(ctx: Context, o: { stack: StackSelector; json: boolean }): Promise<number> {
  return withStack(ctx, o.stack, 'backup list', async (s) => {
    const l = await listBackups(ctx, s.installDir);
    const windows = await archivedWindows(ctx, s.installDir);
    if (o.json) {
      const h = await backupHistory(ctx, s.installDir);
      ctx.io.out(`${JSON.stringify({ ...listJson(l, h), pitr: windowsJson(windows) }, null, 2)}\n`);
    } else ctx.io.out(`${formatList(ctx, l)}${l.length ? formatWindows(ctx, windows) : ''}`);
    return 0;
  }, { lock: false, refuse: false });
}

/**
 * `backup binlogs`, the 15-minute timer's run: archives the closed binary logs (closing the open one
 * when it holds a transaction), prunes the archive, and copies it to the bucket when one is set.
 * While a backup, restore or drill holds the lock it does nothing (a backup archives them itself).
 */
export async function backupBinlogs(ctx: Context, o: { stack: StackSelector }): Promise<number> {
  const emit = progressPrinter(ctx);
  try {
    return await withStack(ctx, o.stack, 'backup binlogs', async (s) => {
      const r = await archiveOnSchedule(ctx, s, emit);
      if (!r) {
        ctx.io.out(`${ctx.t('bl.noBase')}\n`);
        return 0;
      }
      ctx.io.out(`${ctx.t('bl.archived', { count: r.copied.length, bytes: humanBytes(r.copied.reduce((n, f) => n + f.bytes, 0)) })}\n`);
      if (r.pruned.length) ctx.io.out(`${ctx.t('bl.pruned', { count: r.pruned.length })}\n`);
      const up = await uploadBinlogs(ctx, s, emit);
      const bucket = s.prepared.answers.backup.s3?.bucket ?? '-';
      if (up?.sent.length) ctx.io.out(`${ctx.t('bl.s3Sent', { count: up.sent.length, bucket, bytes: humanBytes(up.bytes) })}\n`);
      if (up?.pruned.length) ctx.io.out(`${ctx.t('bl.s3Pruned', { count: up.pruned.length })}\n`);
      ctx.io.out(formatWindows(ctx, await archivedWindows(ctx, s.installDir)));
      return 0;
    });
  } catch (e) {
    if (!(e instanceof WizardError && e.key === 'err.bk.locked')) throw e;
    ctx.io.out(`${ctx.t('bl.busy', { what: String(e.params.what ?? '?'), pid: String(e.params.pid ?? '?') })}\n`);
    return 0;
  }
}

/** Verifies a backup (the newest complete one without an id). */
export async function backupVerify(ctx: Context, o: { stack: StackSelector; id?: string; json: boolean }): Promise<number> {
  const { id } = o;
  // Before the stack is even loaded: an ID names a folder under backups/ and nothing else (#15.3).
  if (id !== undefined) requireBackupId(id);
  const emit = progressPrinter(ctx);
  // Throwaway containers only: nothing of the stack changes, so a pending restore does not matter.
  return withStack(ctx, o.stack, 'backup verify', async (s) => {
    const target = id ?? (await listBackups(ctx, s.installDir)).find((b) => b.manifest)?.id;
    if (!target) throw usageError('err.bk.noneToVerify', { dir: `${s.installDir}/backups` });
    ctx.io.out(`→ ${ctx.t('bk.verifying', { id: target })}\n`);
    const r = await verifyBackup(ctx, s, target, emit);
    if (o.json) ctx.io.out(`${JSON.stringify({ ok: true, ...r }, null, 2)}\n`);
    else ctx.io.out(`${ctx.t('bk.verified', { id: target, files: r.checksums, tables: r.database?.tables ?? 0, rows: r.database?.rows ?? 0, keys: r.redis?.keys ?? 0 })}\n`);
    return 0;
  }, { refuse: false });
}


/** The stack's backups, newest first (the menu's picker for restore and verify). */
export const stackBackups = (ctx: Context, installDir: string): Promise<BackupSummary[]> => listBackups(ctx, installDir);
