// The binary log archive (#18.3): closed binlog files are copied off the data volume into
// <installDir>/backups/binlogs, compressed, encrypted when backups are, hashed, their time span read
// from their event headers on the way, and listed in binlogs/index.json. A timer runs it every 15
// minutes (`backup binlogs`, render/backup-timers.ts; steps/pitr.ts archiveOnSchedule), closing the
// server's file first when it holds a transaction, and every backup runs it after its copy, after
// closing the file the copy's consistent point is in. The server keeps binlogs for
// binlog_expire_logs_seconds (7 days); the archive keeps what the oldest backup still needs.
import { join } from 'node:path';
import type { Context } from '../context.js';
import {
  BinlogScanner, INDEX_FILE, archivedName, holdsTransactions, indexText, isArchived, isBinlogName, parseIndex, sortArchive, type ArchivedBinlog, type BinlogIndex, type BinlogPoint, type ChainFile,
} from '../domain/binlog.js';
import { opError } from '../errors.js';
import { binlogHeadStart } from '../host/binlog-files.js';
import { backupsDir, store, type Emit } from './backup-files.js';
import { EXT, hostCompression, quoteString, sqlQuery, volumeMountpoint, volumeName, type Compression, type SqlTarget, type Stack } from './stack-tools.js';

export const binlogsDir = (installDir: string) => join(backupsDir(installDir), 'binlogs');

export async function readArchive(ctx: Context, installDir: string): Promise<BinlogIndex> {
  return parseIndex(await ctx.exec.readFile(join(binlogsDir(installDir), INDEX_FILE)).catch(() => null));
}

async function writeIndex(ctx: Context, installDir: string, index: BinlogIndex): Promise<void> {
  await ctx.exec.writeFiles([{ path: join(binlogsDir(installDir), INDEX_FILE), content: indexText(index), mode: 0o600 }]);
}

export interface LiveBinlog { name: string; bytes: number; first: string | null; open: boolean }

/** The server's binlog files now (SHOW BINARY LOGS; the last is the one it writes), with their opening times from the volume. */
export async function liveBinlogs(ctx: Context, s: Stack, db: SqlTarget): Promise<LiveBinlog[]> {
  if (!db.engine.binlog) return [];
  const rows = (await sqlQuery(ctx, db, 'SHOW BINARY LOGS;')).filter((r) => isBinlogName(r[0] ?? ''));
  const mount = await volumeMountpoint(ctx, volumeName(s.project, 'mysql-data'));
  const out: LiveBinlog[] = [];
  for (const [i, r] of rows.entries()) {
    out.push({ name: r[0]!, bytes: Number(r[1] ?? 0), first: mount ? await binlogHeadStart(join(mount, r[0]!)) : null, open: i === rows.length - 1 });
  }
  return out;
}

/**
 * Whether the file the server writes holds a transaction yet: a timer run closes it only then, so a
 * quiet server does not gain an empty file every 15 minutes.
 */
export async function openHoldsTransactions(ctx: Context, db: SqlTarget, name: string): Promise<boolean> {
  // The first events: the file's own (format, GTID list, checkpoint) are at most four, then a transaction's.
  const rows = await sqlQuery(ctx, db, `SHOW BINLOG EVENTS IN ${quoteString(name)} LIMIT 8;`);
  return holdsTransactions(rows.map((r) => r[2] ?? ''));
}

/** The files a window is computed over: the archive, and the server's files not archived yet (the open one reaching `now`). */
export function chainFiles(index: BinlogIndex, live: readonly LiveBinlog[], now: Date): ChainFile[] {
  const out: ChainFile[] = index.files.map((f) => ({ name: f.name, first: f.first, last: f.last, archived: true, open: false }));
  for (const l of live) {
    if (!l.first) continue;
    const a = out.find((f) => f.name === l.name && f.first === l.first);
    if (a) {
      a.open = l.open;
      if (l.open) a.last = now.toISOString();
      continue;
    }
    // A closed file not archived yet still counts; its end is when the next one opened.
    const next = live.find((x) => x.first && x.first >= l.first! && x.name !== l.name && x !== l);
    out.push({ name: l.name, first: l.first, last: l.open ? now.toISOString() : (next?.first ?? l.first), archived: false, open: l.open });
  }
  return sortArchive(out);
}

export interface ArchiveResult { copied: ArchivedBinlog[]; index: BinlogIndex; live: LiveBinlog[] }

/**
 * Copies every closed binlog file not archived yet. With `flush`, the server first closes the
 * file it writes (FLUSH BINARY LOGS), so everything up to now is archived. `pass`: the backups'
 * passphrase when they are encrypted (the binlogs hold the same data). `from`: the opening time of
 * the oldest backup's point file; older files are not copied (pruneArchive would drop them).
 */
export async function archiveBinlogs(ctx: Context, s: Stack, db: SqlTarget, o: { flush: boolean; pass: string | null; emit: Emit; c?: Compression; from?: string | null }): Promise<ArchiveResult> {
  if (!db.engine.binlog) return { copied: [], index: await readArchive(ctx, s.installDir), live: [] };
  if (o.flush) await sqlQuery(ctx, db, 'FLUSH BINARY LOGS;');
  const live = await liveBinlogs(ctx, s, db);
  const mount = await volumeMountpoint(ctx, volumeName(s.project, 'mysql-data'));
  const dir = binlogsDir(s.installDir);
  await ctx.exec.mkdir(backupsDir(s.installDir), 0o700);
  await ctx.exec.mkdir(dir, 0o700);
  let index = await readArchive(ctx, s.installDir);
  const c = o.c ?? (await hostCompression(ctx));
  const suffix = `${EXT[c]}${o.pass ? '.gpg' : ''}`;
  const copied: ArchivedBinlog[] = [];
  for (const f of live) {
    if (f.open || !f.first || !mount || isArchived(index, f.name, f.first)) continue;
    // Opened before the oldest backup's point file: retention would remove it again at once.
    if (o.from && f.first < o.from) continue;
    const stored = archivedName(f.name, new Date(f.first), suffix);
    const scanner = new BinlogScanner();
    const r = await store(ctx, {
      dir, name: `${stored}.partial`, c, pass: o.pass, emit: o.emit, label: f.name, expect: f.bytes, tap: (b) => scanner.push(b),
      source: [{ cmd: 'cat', args: ['--', join(mount, f.name)] }],
    });
    const scan = scanner.result();
    if (!ctx.exec.dryRun && (!scan.magic || scan.trailing !== 0 || scan.first === null || scan.last === null)) {
      await ctx.exec.remove(join(dir, `${stored}.partial`));
      throw opError('err.bl.notBinlog', { file: join(mount, f.name), reason: !scan.magic ? 'no binlog header' : `${scan.trailing} byte(s) after the last whole event` });
    }
    await ctx.exec.run('mv', ['-T', '--', join(dir, `${stored}.partial`), join(dir, stored)]);
    const entry: ArchivedBinlog = {
      name: f.name,
      stored,
      first: new Date((scan.first ?? 0) * 1000).toISOString(),
      last: new Date((scan.last ?? 0) * 1000).toISOString(),
      events: scan.events,
      rawBytes: r.rawBytes,
      bytes: r.bytes,
      sha256: r.sha256,
      compression: c,
      encrypted: o.pass !== null,
    };
    // The head read from the volume and the scan agree on when the file opened.
    if (entry.first !== f.first && !ctx.exec.dryRun) entry.first = f.first;
    index = { format: 1, files: sortArchive([...index.files, entry]) };
    // After every file: a run killed half way keeps what it copied.
    await writeIndex(ctx, s.installDir, index);
    copied.push(entry);
  }
  // Partial copies a killed run left.
  for (const name of await ctx.exec.listDir(dir)) if (name.endsWith('.partial')) await ctx.exec.remove(join(dir, name));
  return { copied, index, live };
}

/** Marks files as copied to S3 too. */
export async function markRemote(ctx: Context, installDir: string, stored: readonly string[]): Promise<void> {
  if (stored.length === 0) return;
  const index = await readArchive(ctx, installDir);
  await writeIndex(ctx, installDir, { format: 1, files: index.files.map((f) => (stored.includes(f.stored) ? { ...f, remote: true } : f)) });
}

/**
 * Removes archived files no backup can start a replay from any more: those opened before the file
 * the oldest kept backup's consistent point is in. Nothing is removed while no backup has a point.
 */
export async function pruneArchive(ctx: Context, installDir: string, oldest: BinlogPoint | null): Promise<string[]> {
  if (!oldest) return [];
  const index = await readArchive(ctx, installDir);
  const gone = index.files.filter((f) => (oldest.fileStartedAt ? f.first < oldest.fileStartedAt : f.last.slice(0, 19) < oldest.at.slice(0, 19)));
  if (gone.length === 0) return [];
  await writeIndex(ctx, installDir, { format: 1, files: index.files.filter((f) => !gone.includes(f)) });
  for (const f of gone) await ctx.exec.remove(join(binlogsDir(installDir), f.stored));
  return gone.map((f) => f.stored);
}
