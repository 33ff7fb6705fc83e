// What backup, restore and update share about an installed stack: finding it and its containers,
// SQL and redis-cli inside the service containers (the images' own clients, with the passwords the
// containers already hold: none passes through us), volumes on the host, compression and
// encryption stages of the pipelines, and the maintenance lock.
import { join } from 'node:path';
import type { Context } from '../context.js';
import type { CacheEngine } from '../domain/cache/index.js';
import { dbEngine, type DbEngine } from '../domain/engines/index.js';
import type { ContainerState } from '../exec/docker.js';
import type { PipeStage } from '../exec/executor.js';
import { hostError, opError, usageError } from '../errors.js';
import { HOST } from '../render/paths.js';
import { composeArgv } from '../domain/compose-argv.js';
import type { StepEvent } from './engine.js';
import { findStack } from './stack-status.js';
import { loadAnswers, prepare, type Prepared } from './prepare.js';
import { STATE_DIR } from './up.js';
import { byCodePoint } from '../domain/order.js';
import { otherProcessAlive } from '../host/processes.js';
import { readSecretFile } from './secret-file.js';

export interface Stack {
  project: string;
  installDir: string;
  /** The saved answers (or --answers), planned against this host, rendered. */
  prepared: Prepared;
  answersFile: string;
}

/** The installed stack from --answers, else what init recorded (STACK_WIZARD_STATE_DIR). */
export async function loadStack(ctx: Context, o: { answersFile?: string; project?: string }): Promise<Stack> {
  const ref = await findStack(ctx, o);
  const answersFile = o.answersFile ?? join(ref.installDir, HOST.answers);
  const answers = await loadAnswers(ctx, answersFile);
  const prepared = await prepare(ctx, { answers });
  return { project: ref.project, installDir: prepared.plan.installDir, prepared, answersFile };
}

/** Set on every throwaway container (verify, restore's proofs, a copy's proof): found and removed by it. */
export const THROWAWAY_LABEL = 'org.stack-wizard.throwaway';

/** `docker compose` on the stack's files, its output as progress lines. */
export function composeRun(ctx: Context, s: Stack, args: string[], emit: (e: Omit<StepEvent, 'step'>) => void, timeoutMs = 600_000) {
  return ctx.exec.run('docker', composeArgv(s.installDir, ...args), {
    cwd: s.installDir,
    timeoutMs,
    onLine: (line) => line.trim() && emit({ kind: 'output', text: line.trim() }),
  });
}

export async function containers(ctx: Context, project: string): Promise<ContainerState[]> {
  const why = await ctx.docker.unreachable();
  if (why) throw hostError('err.dockerUnreachable', { reason: why });
  return ctx.docker.projectContainers(project);
}

/** The running container of a compose service, or null. */
export function runningOf(cs: readonly ContainerState[], service: string): ContainerState | null {
  return cs.find((c) => c.service === service && c.state === 'running' && !c.oneOff) ?? null;
}

export function requireRunning(cs: readonly ContainerState[], service: string): ContainerState {
  const c = runningOf(cs, service);
  if (!c) throw opError('err.bk.serviceDown', { service });
  return c;
}

// ---------------------------------------------------------------- SQL

/**
 * A database server in a container, asked with its engine's own client (domain/engines) as root:
 * the client reads the password the container got from .env at start, so no secret is on a
 * command line or passes through this process.
 */
export interface SqlTarget { container: string; engine: DbEngine }

/** The stack's database engine in `container` (the running service, or a throwaway of its image). */
export const sqlTarget = (s: Stack, container: string): SqlTarget => ({ container, engine: dbEngine(s.prepared.plan.database.engine) });

/** argv that runs the engine's client in the container, SQL on stdin, `args` for the client. */
export const sqlClientArgv = (t: SqlTarget, ...args: string[]) => ['exec', '-i', t.container, ...t.engine.client, ...args];

export const quoteIdent = (s: string) => `\`${s.replace(/`/g, '``')}\``;
export const quoteString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Rows of a read-only query, tab-separated columns (mysql -N -B). */
export async function sqlQuery(ctx: Context, t: SqlTarget, sql: string, timeoutMs = 120_000): Promise<string[][]> {
  const r = await ctx.exec.query('docker', sqlClientArgv(t, '-N', '-B'), { input: sql, timeoutMs });
  if (r.exitCode !== 0) throw opError('err.bk.sqlFailed', { container: t.container, reason: ctx.exec.redact(r.stderr.trim().split('\n').slice(-2).join(' | ')) });
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/** A statement that changes data (logged as an action). */
export async function sqlRun(ctx: Context, t: SqlTarget, sql: string, timeoutMs = 600_000): Promise<void> {
  await ctx.exec.run('docker', sqlClientArgv(t), { input: sql, timeoutMs });
}

/** The user databases of a server: everything but the engine's system schemas. */
export async function userDatabases(ctx: Context, t: SqlTarget): Promise<string[]> {
  const rows = await sqlQuery(ctx, t, `SELECT schema_name FROM information_schema.schemata WHERE schema_name NOT IN (${t.engine.systemSchemas.map(quoteString).join(',')}) ORDER BY schema_name;`);
  return rows.map((r) => r[0]!);
}

export async function serverVersion(ctx: Context, t: SqlTarget): Promise<string> {
  return (await sqlQuery(ctx, t, 'SELECT VERSION();'))[0]?.[0] ?? '';
}

/** Data + index bytes of these databases (what a dump and a load are sized by). */
export async function databaseBytes(ctx: Context, t: SqlTarget, dbs: readonly string[]): Promise<number> {
  if (dbs.length === 0) return 0;
  const rows = await sqlQuery(ctx, t, `SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables WHERE table_schema IN (${dbs.map(quoteString).join(',')});`);
  return Number(rows[0]?.[0] ?? 0);
}

/** Exact rows per `db.table` of every base table in these databases. */
export async function rowCounts(ctx: Context, t: SqlTarget, dbs: readonly string[]): Promise<Record<string, number>> {
  if (dbs.length === 0) return {};
  const tables = await sqlQuery(
    ctx,
    t,
    `SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema IN (${dbs.map(quoteString).join(',')}) ORDER BY 1, 2;`,
  );
  if (tables.length === 0) return {};
  const sql = `${tables.map(([d, t]) => `SELECT ${quoteString(`${d}.${t}`)}, COUNT(*) FROM ${quoteIdent(d!)}.${quoteIdent(t!)}`).join('\nUNION ALL\n')};`;
  const out: Record<string, number> = {};
  for (const [k, v] of await sqlQuery(ctx, t, sql, 3_600_000)) out[k!] = Number(v);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => byCodePoint(a, b)));
}

// ---------------------------------------------------------------- Redis

/** The cache engine's client in the container; its password variable is set there by the compose file (throwaways have no password). */
export async function redisCli(ctx: Context, cache: CacheEngine, container: string, commands: string, timeoutMs = 60_000): Promise<string> {
  const r = await ctx.exec.query('docker', ['exec', '-i', container, cache.cli], { input: commands, timeoutMs });
  if (r.exitCode !== 0) throw opError('err.bk.redisFailed', { container, reason: ctx.exec.redact(r.stderr.trim() || r.stdout.trim()) });
  return r.stdout;
}

/** `INFO` output as key → value. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

/** `db0:keys=5,expires=0,avg_ttl=0` lines → keys per db. */
export function keyspace(info: Record<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(info)) {
    const m = /^db\d+$/.test(k) ? /keys=(\d+)/.exec(v) : null;
    if (m) out[k] = Number(m[1]);
  }
  return out;
}

// ---------------------------------------------------------------- volumes

export const volumeName = (project: string, volume: string) => `${project}_${volume}`;

/** Where the Engine keeps a named volume on this host, or null when it does not exist. */
export async function volumeMountpoint(ctx: Context, name: string): Promise<string | null> {
  const r = await ctx.exec.query('docker', ['volume', 'inspect', '-f', '{{.Mountpoint}}', name], { timeoutMs: 30_000 });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/** Creates a named volume as Compose would (its labels), so `compose up` adopts it. */
export async function ensureVolume(ctx: Context, project: string, volume: string): Promise<string> {
  const name = volumeName(project, volume);
  const have = await volumeMountpoint(ctx, name);
  if (have) return have;
  await ctx.exec.run('docker', ['volume', 'create', '--label', `com.docker.compose.project=${project}`, '--label', `com.docker.compose.volume=${volume}`, name], { timeoutMs: 30_000 });
  const now = await volumeMountpoint(ctx, name);
  if (!now && !ctx.exec.dryRun) throw opError('err.bk.volumeMissing', { volume: name });
  return now ?? `/var/lib/docker/volumes/${name}/_data`;
}

/** Bytes used under a folder (du), 0 when it cannot be read. */
export async function folderBytes(ctx: Context, path: string, exclude: readonly string[] = []): Promise<number> {
  const r = await ctx.exec.query('du', ['-sb', ...exclude.map((e) => `--exclude=${e}`), path], { timeoutMs: 120_000 });
  return r.exitCode === 0 ? Number(r.stdout.split(/\s/)[0]) || 0 : 0;
}

/** Free bytes for an unprivileged writer… as root, df's "avail" of the filesystem holding `path` (or its nearest existing parent). */
export async function freeBytes(ctx: Context, path: string): Promise<number | null> {
  let p = path;
  for (let i = 0; i < 20 && !(await ctx.exec.exists(p)); i++) p = join(p, '..');
  const r = await ctx.exec.query('df', ['-B1', '--output=avail', p], { timeoutMs: 10_000 });
  const n = Number(r.stdout.trim().split('\n').pop());
  return r.exitCode === 0 && Number.isFinite(n) ? n : null;
}

// ---------------------------------------------------------------- compression and encryption

export type Compression = 'zstd' | 'gzip';
export const EXT: Record<Compression, string> = { zstd: '.zst', gzip: '.gz' };

async function has(ctx: Context, program: string): Promise<boolean> {
  return (await ctx.exec.query('sh', ['-c', `command -v ${program}`], { timeoutMs: 5000 })).exitCode === 0;
}

/** zstd where the host has it (fast, every core), else gzip (always there). */
export async function hostCompression(ctx: Context): Promise<Compression> {
  return (await has(ctx, 'zstd')) ? 'zstd' : 'gzip';
}

/** zstd -T0: one compression thread per core, so the dump (one thread) is not held back by it. Level 3 is zstd's default: ~4× on SQL at hundreds of MB/s. */
export const compressStage = (c: Compression): PipeStage => (c === 'zstd' ? { cmd: 'zstd', args: ['-T0', '-3', '-q', '-c'] } : { cmd: 'gzip', args: ['-c', '-6'] });
export const decompressStage = (c: Compression): PipeStage => (c === 'zstd' ? { cmd: 'zstd', args: ['-d', '-q', '-c'] } : { cmd: 'gzip', args: ['-d', '-c'] });

export async function requireDecompressor(ctx: Context, c: Compression): Promise<void> {
  if (c === 'zstd' && !(await has(ctx, 'zstd'))) throw hostError('err.bk.needZstd');
}

/**
 * OpenPGP symmetric encryption with gpg: AES-256, the passphrase stretched by iterated+salted
 * SHA-512 S2K at the maximum count, integrity-protected (MDC), so a changed byte fails decryption.
 * The passphrase goes in on file descriptor 3, never as an argument.
 */
const GPG_BASE = ['--batch', '--quiet', '--no-tty', '--pinentry-mode', 'loopback', '--passphrase-fd', '3'];
export const encryptStage = (pass: string): PipeStage => ({
  cmd: 'gpg',
  args: [...GPG_BASE, '--symmetric', '--cipher-algo', 'AES256', '--s2k-mode', '3', '--s2k-digest-algo', 'SHA512', '--s2k-count', '65011712', '--compress-algo', 'none', '--force-mdc', '--output', '-'],
  fd3: pass,
});
export const decryptStage = (pass: string): PipeStage => ({ cmd: 'gpg', args: [...GPG_BASE, '--decrypt', '--output', '-'], fd3: pass });

export const PASSPHRASE_ENV = 'STACK_WIZARD_BACKUP_PASSPHRASE';
export const PASSPHRASE_FILE_ENV = 'STACK_WIZARD_BACKUP_PASSPHRASE_FILE';

/**
 * The backup passphrase: the environment variable, else the file it or the answers name (first
 * line). Null when none is configured. Never from a flag (it would show in `ps` and shell history).
 */
export async function backupPassphrase(ctx: Context, answersFile: string | undefined): Promise<string | null> {
  const direct = ctx.env[PASSPHRASE_ENV];
  if (direct) {
    ctx.exec.addSecrets([direct]);
    return direct;
  }
  const file = ctx.env[PASSPHRASE_FILE_ENV] || answersFile;
  if (!file) return null;
  // Refused (exit 3) when another account could read it or choose it (secret-file.ts).
  const text = await readSecretFile(ctx, file, ctx.env[PASSPHRASE_FILE_ENV] ? PASSPHRASE_FILE_ENV : 'backup.passphraseFile');
  if (text === null) throw usageError('err.bk.passphraseFile', { file });
  const pass = text.split('\n')[0]!.trimEnd();
  if (pass.length < 8) throw usageError('err.bk.passphraseShort', { file });
  ctx.exec.addSecrets([pass]);
  return pass;
}

export async function requireGpg(ctx: Context): Promise<void> {
  if (!(await has(ctx, 'gpg'))) throw hostError('err.bk.needGpg');
}

// ---------------------------------------------------------------- interruptions and the maintenance lock

/** Runs `fn` with Ctrl-C, SIGTERM and SIGHUP turned into "stop and roll back" instead of an exit. */
export async function interruptible<T>(ctx: Context, what: string, fn: (interrupted: () => boolean) => Promise<T>): Promise<T> {
  let hit = false;
  const on = () => {
    if (hit) return;
    hit = true;
    ctx.exec.note(`${what} interrupted by a signal: stopping the running command, then rolling back`);
    ctx.exec.terminate();
  };
  const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sg of sigs) process.on(sg, on);
  try {
    return await fn(() => hit);
  } finally {
    for (const sg of sigs) process.off(sg, on);
  }
}

export const LOCK = `${STATE_DIR}/maintenance.lock`;

export { otherProcessAlive };

/**
 * One maintenance operation (backup, restore, update, init, fixes) at a time per stack: an
 * exclusive flock on the lock file (Executor.lock), which the kernel drops when the holder ends,
 * however it ends; of N processes racing for it exactly one wins (test/real/lock-race.test.ts).
 * The file names the holder (`pid what`) for the message of the others. A holder named there
 * that still runs but holds no flock is an older stack-wizard, which only wrote the file: refused too.
 */
export async function acquireLock(ctx: Context, installDir: string, what: string): Promise<() => Promise<void>> {
  const path = join(installDir, LOCK);
  const holder = (text: string) => {
    // `pid what`, where what may be several words (`backup binlogs`, `restore --from-s3`).
    const [pidText, ...other] = text.trim().split(' ');
    return { pid: Number(pidText) || 0, what: other.join(' ') || '?' };
  };
  const r = await ctx.exec.lock(path, `${process.pid} ${what}\n`).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT' && e.syscall?.startsWith('spawn')) throw hostError('err.lockNoFlock');
    throw e;
  });
  if ('heldBy' in r) {
    const h = holder(r.heldBy);
    throw opError('err.bk.locked', { what: h.what, pid: h.pid, file: path });
  }
  // Emptied on every release: a holder named here either ended without releasing (killed:
  // taken over) or is an older stack-wizard that only wrote the file and still runs.
  const before = holder(r.previous);
  if (await otherProcessAlive(ctx, before.pid)) {
    await r.release(r.previous);
    throw opError('err.bk.locked', { what: before.what, pid: before.pid, file: path });
  }
  return () => r.release();
}
