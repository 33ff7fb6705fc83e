// Point-in-time recovery (#18.3): `restore --to "YYYY-MM-DD HH:MM:SS"` (the host's time zone)
// restores the newest backup whose binlog point lies before that moment and whose binary logs reach
// it without a break, then replays the archived binary logs from that point up to the end of the
// chosen second, through the server's own decoder (mariadb-binlog, mysqlbinlog) from its image and
// its own client. The plan is domain/binlog.ts's planPitr; the restore around it (safety backup,
// journal, rollback) is steps/restore.ts's, which calls replayBinlogs as part of the database part.
import { join } from 'node:path';
import type { Context } from '../context.js';
import type { Manifest } from '../domain/backup.js';
import {
  chainFrom,
  localMoment,
  parseMoment,
  planPitr,
  recoveryWindows,
  utcMoment,
  type PitrBase,
  type RecoveryWindow,
} from '../domain/binlog.js';
import type { PipeStage } from '../exec/executor.js';
import { opError, usageError } from '../errors.js';
import type { Emit } from './backup-files.js';
import { encryptionFor, listBackups, oldestPoint } from './backup.js';
import { archiveBinlogs, binlogsDir, chainFiles, liveBinlogs, openHoldsTransactions, pruneArchive, readArchive, type ArchiveResult } from './binlog-archive.js';
import { imageRun, removeTree } from './physical.js';
import {
  backupPassphrase,
  containers,
  decompressStage,
  decryptStage,
  requireDecompressor,
  requireGpg,
  requireRunning,
  sqlClientArgv,
  sqlTarget,
  type Stack,
} from './stack-tools.js';

/** The host's time zone name, stated next to every moment. */
export const hostZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'local';

/** Backups a replay can start from: complete, with a binlog point. */
export async function pitrBases(ctx: Context, installDir: string): Promise<PitrBase[]> {
  return (await listBackups(ctx, installDir))
    .filter((b) => b.manifest?.database?.binlog)
    .map((b) => ({ id: b.id, point: b.manifest!.database!.binlog! }));
}

/** The windows a point-in-time restore can reach now (archive and the server's own files). */
export async function currentWindows(ctx: Context, s: Stack): Promise<RecoveryWindow[]> {
  const db = sqlTarget(s, requireRunning(await containers(ctx, s.project), 'mysql').id);
  const live = await liveBinlogs(ctx, s, db);
  return recoveryWindows(
    await pitrBases(ctx, s.installDir),
    chainFiles(await readArchive(ctx, s.installDir), live, ctx.clock()),
  );
}

/**
 * The window `backup list` shows: from the oldest backup a replay can start from to the last event
 * of the archived binary logs that follow it (the server is not asked: the list works with it down).
 */
export async function archivedWindows(ctx: Context, installDir: string): Promise<RecoveryWindow[]> {
  return recoveryWindows(await pitrBases(ctx, installDir), chainFiles(await readArchive(ctx, installDir), [], ctx.clock()));
}

/**
 * The 15-minute timer's run (`backup binlogs`): closes the server's binary log when it holds a
 * transaction, archives every closed file, and prunes the archive to what the oldest backup still
 * needs. Nothing while no backup has a binlog point: with no base to replay onto, an archive would
 * only grow. Null: skipped for that reason.
 */
export async function archiveOnSchedule(ctx: Context, s: Stack, emit: Emit): Promise<(ArchiveResult & { pruned: string[] }) | null> {
  const list = await listBackups(ctx, s.installDir);
  const oldest = oldestPoint(list);
  if (!oldest) return null;
  const db = sqlTarget(s, requireRunning(await containers(ctx, s.project), 'mysql').id);
  const pass = await encryptionFor(ctx, s);
  const live = await liveBinlogs(ctx, s, db);
  const open = live.find((l) => l.open);
  const flush = open ? await openHoldsTransactions(ctx, db, open.name) : false;
  const r = await archiveBinlogs(ctx, s, db, { flush, pass, emit, from: oldest.fileStartedAt });
  return { ...r, pruned: await pruneArchive(ctx, s.installDir, oldest) };
}

export interface PitrChoice {
  baseId: string;
  stopAt: Date;
  target: Date;
  files: number;
}

const windowText = (w: readonly RecoveryWindow[]) =>
  w.map((x) => `${localMoment(new Date(x.from))} – ${x.open ? 'now' : localMoment(new Date(x.to))}`).join('; ') || '-';

/**
 * Which backup and binary logs restore moment `text`. Closes and archives the server's binary log
 * first, so every event up to now is in the archive the replay reads.
 */
export async function choosePitr(ctx: Context, s: Stack, text: string, emit: Emit): Promise<PitrChoice> {
  const target = parseMoment(text);
  if (!target) throw usageError('err.pitr.badMoment', { value: text, zone: hostZone() });
  const db = sqlTarget(s, requireRunning(await containers(ctx, s.project), 'mysql').id);
  const pass = await encryptionFor(ctx, s);
  const bases = await pitrBases(ctx, s.installDir);
  const { index, live } = await archiveBinlogs(ctx, s, db, { flush: true, pass, emit, from: oldestPoint(await listBackups(ctx, s.installDir))?.fileStartedAt ?? null });
  const now = ctx.clock();
  const plan = planPitr(target, now, bases, chainFiles(index, live, now));
  if (!plan.ok) {
    if (plan.reason === 'future')
      throw usageError('err.pitr.future', { moment: localMoment(target), now: localMoment(now) });
    throw usageError('err.pitr.outside', { moment: localMoment(target), windows: windowText(plan.windows) });
  }
  return { baseId: plan.base.id, stopAt: plan.stopAt, target, files: plan.files.length };
}

/**
 * Replays the archived binary logs from backup `m`'s point up to `stopAt` into the running database.
 * Each file is unpacked into a private folder beside the archive, read by the decoder of the
 * server's image (run with TZ=UTC, so the stop time is UTC) and fed to the server's client.
 */
export async function replayBinlogs(ctx: Context, s: Stack, m: Manifest, stopAt: Date, emit: Emit): Promise<void> {
  const point = m.database?.binlog;
  const tool = m.database ? sqlTarget(s, '').engine.binlog : null;
  if (!point || !tool) throw opError('err.pitr.replay', { reason: `backup ${m.id} records no binary log position` });
  const index = await readArchive(ctx, s.installDir);
  const end = stopAt.toISOString();
  const chain = chainFrom(
    index.files.map((f) => ({ name: f.name, first: f.first, last: f.last, archived: true, open: false })),
    point,
  ).filter((f, i) => i === 0 || f.first < end);
  if (chain.length === 0)
    throw opError('err.pitr.noBinlog', {
      file: point.file,
      opened: point.fileStartedAt ?? '?',
      moment: localMoment(stopAt),
    });
  const cs = await containers(ctx, s.project);
  const mysql = requireRunning(cs, 'mysql');
  const db = sqlTarget(s, mysql.id);
  const work = join(binlogsDir(s.installDir), `.replay-${process.pid}`);
  await removeTree(ctx, work);
  await ctx.exec.mkdir(work, 0o700);
  try {
    const names: string[] = [];
    for (const c of chain) {
      const f = index.files.find((x) => x.name === c.name && x.first === c.first)!;
      await requireDecompressor(ctx, f.compression);
      const stages: PipeStage[] = [];
      if (f.encrypted) {
        await requireGpg(ctx);
        const pass = await backupPassphrase(ctx, s.prepared.answers.backup.passphraseFile);
        if (!pass) throw usageError('err.bk.encryptedNoPassphrase', { id: f.stored });
        stages.push(decryptStage(pass));
      }
      stages.push(decompressStage(f.compression));
      // The sequence number keeps the decoder's order; the name stays the server's.
      const plain = `${String(names.length).padStart(4, '0')}-${f.name}`;
      await ctx.exec.pipe(stages, {
        inputFile: join(binlogsDir(s.installDir), f.stored),
        outputFile: join(work, plain),
        outputMode: 0o600,
      });
      names.push(plain);
    }
    emit({
      kind: 'output',
      text: ctx.t('pitr.replaying', { file: point.file, position: point.position, stop: utcMoment(stopAt) }),
    });
    const t0 = Date.now();
    const decode = imageRun(
      mysql.imageId,
      { [work]: '/binlogs' },
      [
        tool.program,
        `--start-position=${point.position}`,
        `--stop-datetime=${utcMoment(stopAt)}`,
        ...names.map((n) => `/binlogs/${n}`),
      ],
      { env: ['TZ=UTC'] },
    );
    const r = await ctx.exec
      .pipe(
        [
          { cmd: 'docker', args: decode },
          { cmd: 'docker', args: sqlClientArgv(db) },
        ],
        { timeoutMs: 6 * 3_600_000 },
      )
      .catch((e: unknown) => {
        throw opError('err.pitr.replay', { reason: e instanceof Error ? ctx.exec.redact(e.message) : String(e) });
      });
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    ctx.exec.note(`binlog replay: ${r.bytesIn} bytes of SQL from ${names.length} file(s) in ${seconds} s`);
    emit({ kind: 'output', text: ctx.t('pitr.replayed', { files: names.length, bytes: `${r.bytesIn} B`, seconds }) });
  } finally {
    await removeTree(ctx, work);
  }
}
