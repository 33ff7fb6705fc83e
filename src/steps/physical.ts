// Physical copies of the database (#18.1, #18.2): the engine's own tool copies the running server's
// data directory (mariadb-backup's stream; MySQL's clone plugin, then `docker cp`), the copy is
// stored like every backup file (zstd on every core, gpg, SHA-256) and at the same time unpacked
// into a staging folder (the pipe's tee). The staging copy is prepared (the copied redo applied)
// and proven: a throwaway server of the stack's image starts on it with no network and counts
// every table's rows (and CHECKSUM TABLE under a size limit): the manifest records what the copy
// holds at its consistent point, as a dump's rows are counted as it streams by. Restore swaps a
// prepared copy into the data volume by renames on one filesystem, so the database is down for a
// stop, two renames and a start. `backup verify` and `backup drill` prove a stored copy the same way.
import { dirname, join } from 'node:path';
import type { Context } from '../context.js';
import type { FileEntry } from '../domain/backup.js';
import { parseBinlogInfo, type BinlogPoint } from '../domain/binlog.js';
import type { PhysicalBackupTool } from '../domain/engines/index.js';
import { parseVersion } from '../domain/versions.js';
import type { PipeStage } from '../exec/executor.js';
import { opError } from '../errors.js';
import { binlogHeadStart } from '../host/binlog-files.js';
import type { Emit } from './backup-files.js';
import { tableChecksums } from './table-checksums.js';
import { THROWAWAY_LABEL, composeRun, quoteString, rowCounts, sqlQuery, volumeMountpoint, volumeName, type SqlTarget, type Stack } from './stack-tools.js';

/** Where a server's data lives inside the images (both engines' official images). */
export const DATADIR = '/var/lib/mysql';

export const physicalTool = (t: SqlTarget): PhysicalBackupTool => {
  const p = t.engine.physicalBackup;
  if (!p) throw new Error(`${t.engine.id} has no physical backup tool`);
  return p;
};

/** The stored file's name for a physical copy (`database.xbstream.zst.gpg`, `database.tar.zst`). */
export const physicalFileName = (p: PhysicalBackupTool, suffix: string) => `database.${p.format}${suffix}`;

/** A program of the server's image run once on a bind-mounted folder: no network, its entrypoint bypassed. */
export function imageRun(image: string, mounts: Record<string, string>, argv: readonly string[], o: { stdin?: boolean; env?: readonly string[] } = {}): string[] {
  return [
    'run', '--rm', ...(o.stdin ? ['-i'] : []), '--network', 'none',
    ...Object.entries(mounts).flatMap(([host, inside]) => ['-v', `${host}:${inside}`]),
    ...(o.env ?? []).flatMap((e) => ['-e', e]),
    '--entrypoint', argv[0]!, image, ...argv.slice(1),
  ];
}

/** The stage that unpacks a stored stream into `dir` (in a throwaway of the image, or on the host). */
export function extractStage(p: PhysicalBackupTool, image: string, dir: string): PipeStage {
  if (p.extract.where === 'host') return { cmd: p.extract.argv(dir)[0]!, args: p.extract.argv(dir).slice(1) };
  return { cmd: 'docker', args: imageRun(image, { [dir]: '/copy' }, p.extract.argv('/copy'), { stdin: true }) };
}

/** Applies the copy's redo (where the engine needs it) and hands the files to the server's user. */
export async function prepareCopy(ctx: Context, p: PhysicalBackupTool, image: string, dir: string, emit: Emit): Promise<void> {
  if (!p.prepareArgv) return;
  const t0 = Date.now();
  const r = await ctx.exec.run('docker', imageRun(image, { [dir]: DATADIR }, p.prepareArgv(DATADIR)), { timeoutMs: 3_600_000, check: false });
  if (r.exitCode !== 0) throw opError('err.ph.prepare', { tool: p.tool, reason: ctx.exec.redact(r.stderr.trim().split('\n').slice(-3).join(' | ')) });
  emit({ kind: 'output', text: ctx.t('ph.prepared', { tool: p.tool, seconds: ((Date.now() - t0) / 1000).toFixed(1) }) });
}

/** Empties and removes a folder (a staging copy, its files owned by the server's user). */
export const removeTree = (ctx: Context, path: string) => ctx.exec.run('rm', ['-rf', '--one-file-system', '--', path], { timeoutMs: 600_000 });

// ---------------------------------------------------------------- the copy

/** What the engine said about where the copy stands, before the proof adds the GTID set. */
interface Coordinates { info: { file: string; position: number; gtid: string | null } | null; before: BinlogStatus | null; after: BinlogStatus | null; gtidMode: boolean }
interface BinlogStatus { file: string; position: number }

async function binlogStatus(ctx: Context, t: SqlTarget, version: string): Promise<BinlogStatus | null> {
  const b = t.engine.binlog;
  const v = parseVersion(version);
  if (!b || !v) return null;
  const row = (await sqlQuery(ctx, t, b.statusSql(v)))[0];
  return row && row[0] && /^\d+$/.test(row[1] ?? '') ? { file: row[0], position: Number(row[1]) } : null;
}

async function gtidOn(ctx: Context, t: SqlTarget): Promise<boolean> {
  const q = t.engine.binlog?.gtidModeSql;
  if (!q) return false;
  return (await sqlQuery(ctx, t, q))[0]?.[0] === 'ON';
}

export interface CopyOptions {
  db: SqlTarget;
  /** The running server's image (ID): the tools that read the copy come from it. */
  image: string;
  serverVersion: string;
  /** Where the copy is unpacked for its proof (created here; the caller removes it). */
  staging: string;
  cores: number;
  /** Streams `source` into the backup file (compression, encryption, sums), feeding `tee` too. */
  store(source: PipeStage[], tee: PipeStage): Promise<Omit<FileEntry, 'name' | 'kind'>>;
  emit: Emit;
}

/**
 * Copies the running server's data directory: stored through `store`, unpacked into `staging`.
 * Returns the stored file's sums and what the engine said about the copy's binlog position.
 */
export async function copyDatabase(ctx: Context, o: CopyOptions): Promise<{ stored: Omit<FileEntry, 'name' | 'kind'>; coordinates: Coordinates; at: string }> {
  const p = physicalTool(o.db);
  await ctx.exec.mkdir(o.staging, 0o700);
  const tee = extractStage(p, o.image, o.staging);
  const gtidMode = await gtidOn(ctx, o.db);
  if (p.copy.kind === 'stream') {
    const stored = await o.store([{ cmd: 'docker', args: ['exec', o.db.container, ...p.copy.argv(o.cores)] }], tee);
    // The consistent point is at the copy's end (BLOCK_COMMIT): now is an upper bound.
    const at = ctx.clock().toISOString();
    return { stored, coordinates: { info: await copyInfo(ctx, p, o.staging), before: null, after: null, gtidMode }, at };
  }
  // The clone plugin: loaded once per server (it stays in the server's plugin table).
  const clone = p.copy;
  const status = (await sqlQuery(ctx, o.db, clone.statusSql))[0]?.[0];
  if (status !== 'ACTIVE') {
    await sqlQuery(ctx, o.db, clone.installSql).catch((e: unknown) => {
      throw opError('err.ph.plugin', { reason: e instanceof Error ? e.message : String(e) });
    });
  }
  const dir = `${clone.scratchDir}/stack-wizard-clone-${process.pid}`;
  await ctx.exec.run('docker', ['exec', o.db.container, ...clone.cleanup(dir)], { timeoutMs: 600_000 });
  try {
    const before = await binlogStatus(ctx, o.db, o.serverVersion);
    const t0 = Date.now();
    o.emit({ kind: 'output', text: ctx.t('ph.cloning', { dir }) });
    await sqlQuery(ctx, o.db, clone.sql(dir), 3_600_000);
    const after = await binlogStatus(ctx, o.db, o.serverVersion);
    // The clone had its consistent point when the statement returned.
    const at = ctx.clock().toISOString();
    ctx.exec.note(`clone into ${dir} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const stored = await o.store([{ cmd: 'docker', args: ['cp', `${o.db.container}:${dir}`, '-'] }], tee);
    return { stored, coordinates: { info: null, before, after, gtidMode }, at };
  } finally {
    await ctx.exec.run('docker', ['exec', o.db.container, ...clone.cleanup(dir)], { timeoutMs: 600_000, check: false });
  }
}

/** The binlog position a copy names in its info file (mariadb-backup), if it has one. */
async function copyInfo(ctx: Context, p: PhysicalBackupTool, staging: string) {
  if (p.coordinates.kind !== 'file') return null;
  for (const name of p.coordinates.names) {
    const text = await ctx.exec.readFile(join(staging, name)).catch(() => null);
    if (text) return parseBinlogInfo(text);
  }
  return null;
}

/**
 * The copy's binlog point: the position the copy names (mariadb-backup: taken under BLOCK_COMMIT,
 * exact), else the GTID set its proof server reports with the position the binlog had when the
 * clone began (a replay from there skips what the copy has), else a position only when the binlog
 * did not move during the clone.
 */
export function copyPoint(c: Coordinates, proofGtid: string | null, at: string, fileStartedAt: (file: string) => string | null): BinlogPoint | null {
  if (c.info) return { file: c.info.file, position: c.info.position, gtid: c.info.gtid, fileStartedAt: fileStartedAt(c.info.file), at, replay: 'position' };
  const start = c.before;
  if (!start) return null;
  if (c.gtidMode && proofGtid !== null) return { file: start.file, position: start.position, gtid: proofGtid, fileStartedAt: fileStartedAt(start.file), at, replay: 'gtid' };
  const still = c.after !== null && c.after.file === start.file && c.after.position === start.position;
  return { file: start.file, position: start.position, gtid: null, fileStartedAt: fileStartedAt(start.file), at, replay: still ? 'position' : null };
}

/** Reads when each named binlog file was opened, from the live data volume (null where it is gone). */
export async function binlogStarts(ctx: Context, s: Stack, names: readonly string[]): Promise<Record<string, string | null>> {
  const mount = await volumeMountpoint(ctx, volumeName(s.project, 'mysql-data'));
  const out: Record<string, string | null> = {};
  for (const n of names) out[n] = mount ? await binlogHeadStart(join(mount, n)) : null;
  return out;
}

// ---------------------------------------------------------------- the proof

export interface Proof {
  databases: string[];
  tables: Record<string, number>;
  checksums: Record<string, string | null>;
  /** The executed GTID set of the copy (engines whose replay skips by GTID), else null. */
  gtid: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until a server started on a copy answers (over its socket: a proof server has no network). */
async function waitProof(ctx: Context, t: SqlTarget, ping: readonly string[], timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await ctx.exec.query('docker', ['exec', t.container, ...t.engine.client, ...ping], { timeoutMs: 15_000 });
    if (r.exitCode === 0 && r.stdout.trim() === '1') return;
    // The server is up and refuses the stack's root password: the copy's accounts are another server's.
    if (/Access denied/i.test(r.stderr)) throw new AccountsDiffer(ctx.exec.redact(r.stderr.trim().split('\n').pop() ?? ''));
    const st = await ctx.exec.query('docker', ['inspect', '-f', '{{.State.Status}}', t.container], { timeoutMs: 10_000 });
    if (st.stdout.trim() === 'exited' || Date.now() > deadline) {
      const logs = await ctx.exec.query('docker', ['logs', '--tail', '20', t.container], { timeoutMs: 10_000 });
      throw opError('err.bk.throwawayFailed', { what: 'database', reason: (logs.stdout + logs.stderr).trim().split('\n').slice(-5).join(' | ') });
    }
    await sleep(500);
  }
}

/** The stack's root password does not open the copy: restoring it would lock the stack out of its own database. */
export class AccountsDiffer extends Error {}

/**
 * Starts a throwaway server of `image` on the prepared copy in `dir` (no network), counts what it
 * holds and shuts it down cleanly, so the folder stays a data directory a server may start on as
 * it is. `databases`: those to count (null: every user database the copy has). `login`: the copy's
 * accounts are bypassed (`skip`: a backup's or verify's proof), or the stack's root password from
 * its .env must open it (a restore's: a copy from a server with other passwords is refused before
 * it replaces anything; throws AccountsDiffer).
 */
export async function proveCopy(
  ctx: Context,
  s: Stack,
  o: { image: string; dir: string; name: string; databases: readonly string[] | null; engine: SqlTarget['engine']; login?: 'skip' | { envFile: string } },
  emit: Emit,
): Promise<Proof> {
  const t: SqlTarget = { container: o.name, engine: o.engine };
  const p = physicalTool(t);
  const t0 = Date.now();
  const login = o.login ?? 'skip';
  await ctx.exec.run('docker', [
    'run', '-d', '--name', o.name, '--network', 'none', '--label', `${THROWAWAY_LABEL}=${s.project}`,
    ...(login === 'skip' ? [] : ['--env-file', login.envFile]),
    '-v', `${o.dir}:${DATADIR}`, o.image, ...o.engine.throwaway.args, ...(login === 'skip' ? p.proofArgs : []),
  ], { timeoutMs: 120_000 });
  try {
    // Over TCP when the password must open it: MariaDB's root also logs in by socket without one.
    await waitProof(ctx, t, login === 'skip' ? p.proofPing : o.engine.throwaway.pingArgs);
    const dbs = o.databases ?? (await sqlQuery(ctx, t, `SELECT schema_name FROM information_schema.schemata WHERE schema_name NOT IN (${o.engine.systemSchemas.map(quoteString).join(',')}) ORDER BY schema_name;`)).map((r) => r[0]!);
    const tables = await rowCounts(ctx, t, dbs);
    const checksums = await tableChecksums(ctx, t, dbs);
    const gx = o.engine.binlog?.gtidExecutedSql;
    const gtid = gx ? ((await sqlQuery(ctx, t, gx))[0]?.[0] ?? '').replace(/\s+/g, '') : null;
    // A clean shutdown: the folder is then a data directory with nothing to recover.
    await ctx.exec.run('docker', ['stop', '-t', '600', o.name], { timeoutMs: 660_000 });
    const code = (await ctx.exec.query('docker', ['inspect', '-f', '{{.State.ExitCode}}', o.name], { timeoutMs: 10_000 })).stdout.trim();
    if (code !== '0' && !ctx.exec.dryRun) throw opError('err.bk.throwawayFailed', { what: 'database', reason: `the server on the copy did not shut down cleanly (exit ${code})` });
    ctx.exec.note(`proof of ${o.dir}: ${Object.keys(tables).length} tables counted in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    emit({ kind: 'output', text: ctx.t('ph.proved', { tables: Object.keys(tables).length, rows: Object.values(tables).reduce((n, x) => n + x, 0), seconds: ((Date.now() - t0) / 1000).toFixed(1) }) });
    return { databases: [...dbs], tables, checksums, gtid: gtid || null };
  } finally {
    await ctx.exec.run('docker', ['rm', '-f', '-v', o.name], { timeoutMs: 120_000, check: false });
  }
}

// ---------------------------------------------------------------- the swap

/** Folders beside the data volume's own (same filesystem, so moving between them is a rename). */
export function volumeSiblings(mount: string) {
  const base = dirname(mount);
  return { base, staging: (id: string) => join(base, `stack-wizard-restore-${id}`), ready: (id: string) => join(base, `stack-wizard-restore-${id}.ready`), discard: join(base, `stack-wizard-discard-${process.pid}`) };
}

/** Leftovers of earlier restores beside the data volume (staging copies, discarded data). */
export async function removeSiblings(ctx: Context, mount: string, keep: string | null = null): Promise<void> {
  const { base } = volumeSiblings(mount);
  for (const name of await ctx.exec.listDir(base)) {
    if (!name.startsWith('stack-wizard-')) continue;
    if (keep && (name === `stack-wizard-restore-${keep}` || name === `stack-wizard-restore-${keep}.ready`)) continue;
    await removeTree(ctx, join(base, name));
  }
}

/**
 * Unpacks a stored copy (`file`, read through `read`: decrypt, decompress) into `staging` and
 * prepares it: a data directory a server of `image` starts on. What was in `staging` goes first.
 */
export async function unpackStored(ctx: Context, o: { p: PhysicalBackupTool; image: string; file: string; read: PipeStage[]; staging: string; emit: Emit }): Promise<void> {
  await removeTree(ctx, o.staging);
  await ctx.exec.mkdir(o.staging, 0o700);
  const t0 = Date.now();
  await ctx.exec.pipe([...o.read, extractStage(o.p, o.image, o.staging)], { inputFile: o.file });
  ctx.exec.note(`unpacked ${o.file} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await prepareCopy(ctx, o.p, o.image, o.staging, o.emit);
}

/**
 * Puts the prepared copy `ready` in place of the data volume's folder: the database stops, the
 * server's own files of `keepFiles` go into the copy, the live folder is renamed aside and the copy
 * renamed into its place, the database starts. Two renames on one filesystem, so the downtime is
 * the stop and the start. Safe to run again after a kill at any point: a missing live folder means
 * the first rename happened, and the copy is renamed in.
 */
export async function swapDatadir(ctx: Context, s: Stack, p: PhysicalBackupTool, mount: string, ready: string, emit: Emit): Promise<{ downMs: number }> {
  const { discard } = volumeSiblings(mount);
  await removeTree(ctx, discard);
  await composeRun(ctx, s, ['stop', 'mysql'], emit);
  const t0 = Date.now();
  if (await ctx.exec.exists(mount)) {
    for (const f of p.keepFiles) {
      if (await ctx.exec.exists(join(mount, f))) await ctx.exec.run('cp', ['-a', '--', join(mount, f), join(ready, f)], { timeoutMs: 60_000 });
    }
    // The folder Docker made keeps its mode on the copy (the server's user reads it as before).
    await ctx.exec.run('chmod', ['--reference', mount, '--', ready], { timeoutMs: 30_000 });
    await ctx.exec.run('mv', ['-T', '--', mount, discard], { timeoutMs: 60_000 });
  }
  await ctx.exec.run('mv', ['-T', '--', ready, mount], { timeoutMs: 60_000 });
  ctx.exec.note(`restore part database: data directory swapped in ${Date.now() - t0} ms`);
  await composeRun(ctx, s, ['up', '-d', '--no-deps', 'mysql'], emit);
  return { downMs: Date.now() - t0 };
}
