// Use case: restore. Without an id, lists the backups; with one, checks it (sums, engine and
// versions), then with `yes` restores it behind a safety backup. A restore that was killed is
// found first: finished with `yes`, or the state before it put back with `rollback`. Before
// anything is replaced the backup is verified by a test load (unless `skipVerify`).
import type { Context } from '../context.js';
import { join } from 'node:path';
import { MANIFEST_FILE, humanBytes } from '../domain/backup.js';
import { localMoment, zoneLabel } from '../domain/binlog.js';
import { HOST } from '../render/paths.js';
import { downloadBackup } from '../steps/backup-s3.js';
import { readManifestAt, requireBackupId } from '../steps/backup-verify.js';
import { choosePitr, hostZone } from '../steps/pitr.js';
import { loadAnswers } from '../steps/prepare.js';
import { unpackConfig } from '../steps/restore-config.js';
import { guarded } from '../steps/stack-guard.js';
import { findStack } from '../steps/stack-status.js';
import { setupFromFile } from './setup.js';
import { usageError } from '../errors.js';
import { listBackups } from '../steps/backup.js';
import { checkRestorable, pendingRestore, recoverRestore, runRestore, type RestoreOutcome } from '../steps/restore.js';
import { formatList, listJson } from './backup.js';
import { progressPrinter, withStack, type StackSelector } from './stack.js';

/** How to undo a restore just made: restore its safety backup (said with how that backup holds the database). */
function undoLine(ctx: Context, r: RestoreOutcome): string {
  if (!r.safetyId || !r.safety) return '';
  return `${ctx.t('rs.undo', { safety: r.safetyId, how: ctx.t(r.safety.method === 'physical' ? 'rs.safetyPhysical' : 'rs.safetyLogical', { tool: r.safety.tool }) })}\n`;
}

function outcomeLine(ctx: Context, r: RestoreOutcome): string {
  if (r.kind === 'rolled-back') return ctx.t('rs.doneRolledBack', { id: r.id, safety: r.safetyId ?? '-' });
  if (r.kind === 'resumed') return ctx.t('rs.doneResumed', { id: r.id, safety: r.safetyId ?? '-' });
  return ctx.t('rs.done', { id: r.id, safety: r.safetyId ?? '-' });
}

export interface RestoreOptions { stack: StackSelector; id?: string; yes: boolean; rollback: boolean; skipVerify: boolean; json: boolean; to?: string; fromS3?: string }

/**
 * `restore --from-s3 ID`: the backup fetched from the bucket (every file checked against its
 * manifest), then restored as a local one. On a server where the stack is gone (no compose file:
 * a new server given the answers file), the backup's config archive is unpacked first and init
 * rebuilds the stack from it (same secrets), then the data goes back.
 */
async function restoreFromS3(ctx: Context, o: RestoreOptions & { fromS3: string }): Promise<number> {
  const id = o.fromS3;
  if (o.id !== undefined && o.id !== id) throw usageError('err.rs.twoIds', { id: o.id, s3: id });
  // --to picks its own backup: refused before anything is fetched.
  if (o.to !== undefined) throw usageError('err.pitr.withId');
  requireBackupId(id);
  const emit = progressPrinter(ctx);
  const ref = await findStack(ctx, o.stack);
  const answersFile = o.stack.answersFile ?? join(ref.installDir, HOST.answers);
  const answers = await loadAnswers(ctx, answersFile);
  const s3 = answers.backup.s3;
  if (!s3) throw usageError('err.s3.notConfigured', { file: answersFile });
  const installed = await ctx.exec.exists(join(ref.installDir, HOST.compose));
  await guarded(ctx, ref, 'restore --from-s3', async () => {
    if (await ctx.exec.exists(join(ref.installDir, HOST.backups, id, MANIFEST_FILE))) ctx.io.out(`${ctx.t('rs.s3Local', { id })}\n`);
    else {
      ctx.io.out(`→ ${ctx.t('rs.s3Fetching', { id, bucket: s3.bucket })}\n`);
      const d = await downloadBackup(ctx, { project: ref.project, installDir: ref.installDir, s3 }, id, emit);
      ctx.io.out(`${ctx.t('rs.s3Fetched', { id, files: d.manifest.files.length, size: humanBytes(d.manifest.files.reduce((n, f) => n + f.bytes, 0)), dir: d.dir })}\n`);
    }
    if (!installed) {
      const { manifest } = await readManifestAt(ctx, ref.installDir, id);
      const files = await unpackConfig(ctx, { installDir: ref.installDir, dir: join(ref.installDir, HOST.backups, id), manifest, passphraseFile: answers.backup.passphraseFile });
      ctx.io.out(`${ctx.t('rs.s3Config', { dir: ref.installDir, count: files.length })}\n`);
    }
  }, { refuse: installed });
  if (!installed) {
    if (!o.yes) throw usageError('err.rs.s3NeedsYes', { id, answers: answersFile });
    ctx.io.out(`→ ${ctx.t('rs.s3Rebuild', { dir: ref.installDir })}\n`);
    const code = await setupFromFile(ctx, answersFile, { yes: true, dryRun: false });
    if (code !== 0) return code;
  }
  return restore(ctx, { ...o, fromS3: undefined, id, stack: { answersFile } });
}

export async function restore(ctx: Context, o: RestoreOptions): Promise<number> {
  if (o.fromS3) return restoreFromS3(ctx, { ...o, fromS3: o.fromS3 });
  const { id, yes } = o;
  // Before the stack is even loaded: an ID names a folder under backups/ and nothing else (#15.3).
  if (id !== undefined) requireBackupId(id);
  const emit = progressPrinter(ctx);
  return withStack(ctx, o.stack, 'restore', async (s) => {
    const pending = await pendingRestore(ctx, s);
    if (pending) {
      if (!yes) {
        ctx.io.out(`${ctx.t('rs.pendingFound', { id: pending.backupId, phase: pending.phase, safety: pending.safetyId ?? '-', started: pending.startedAt })}\n`);
        throw usageError('err.rs.pendingNeedsYes');
      }
      const r = await recoverRestore(ctx, s, { rollback: o.rollback }, emit);
      if (r) ctx.io.out(`${outcomeLine(ctx, r)}\n`);
      return 0;
    }
    if (o.rollback) throw usageError('err.rs.nothingToRollBack');
    if (o.to !== undefined) {
      if (id !== undefined) throw usageError('err.pitr.withId');
      ctx.io.out(`→ ${ctx.t('rs.checking', { id: o.to })}\n`);
      const c = await choosePitr(ctx, s, o.to, emit);
      const m = await checkRestorable(ctx, s, c.baseId, emit);
      const zone = zoneLabel(c.target, hostZone());
      const moment = localMoment(c.target);
      ctx.io.out(`${ctx.t('pitr.plan', { moment, zone, id: c.baseId, created: m.createdAt, files: c.files })}\n`);
      if (!yes) throw usageError('err.needYes', { command: `restore --to "${moment}"` });
      const r = await runRestore(ctx, s, c.baseId, emit, { verify: !o.skipVerify, stopAt: c.stopAt });
      ctx.io.out(`${ctx.t('pitr.done', { moment, zone, id: r.id, safety: r.safetyId ?? '-' })}\n${undoLine(ctx, r)}`);
      return 0;
    }
    const list = await listBackups(ctx, s.installDir);
    if (id === undefined) {
      if (o.json) ctx.io.out(`${JSON.stringify(listJson(list), null, 2)}\n`);
      else ctx.io.out(`${formatList(ctx, list)}${list.length ? `\n${ctx.t('rs.pickHint')}\n` : ''}`);
      return 0;
    }
    ctx.io.out(`→ ${ctx.t('rs.checking', { id })}\n`);
    const m = await checkRestorable(ctx, s, id, emit);
    ctx.io.out(`${ctx.t('rs.plan', { id, created: m.createdAt, tables: Object.keys(m.database?.tables ?? {}).length, keys: m.redis?.keys ?? 0, volumes: m.volumes.join(', ') || '-', size: humanBytes(m.files.reduce((n, f) => n + f.bytes, 0)) })}\n`);
    if (!yes) throw usageError('err.needYes', { command: `restore ${id}` });
    const r = await runRestore(ctx, s, id, emit, { verify: !o.skipVerify });
    ctx.io.out(`${outcomeLine(ctx, r)}\n${undoLine(ctx, r)}`);
    return 0;
  }, { allow: 'restore' });
}
