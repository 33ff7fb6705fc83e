// `backup verify`: every file's SHA-256 against the manifest, then a restore into throwaway
// containers of the stack's own images on the same engine (no network at all, so nothing is
// published; removed afterwards, also after a failure) that proves the dump loads with the row
// counts the manifest recorded, the Redis snapshot loads with its key count, and every archive reads.
import { join } from 'node:path';
import type { Context } from '../context.js';
import { cacheEngineOf } from '../domain/cache/index.js';
import { ID_RE, MANIFEST_FILE, checksumCounts, checksumDiff, isBackupId, manifestBoundsProblem, methodOf, parseManifest, rowCountDiff, type Manifest } from '../domain/backup.js';
import { shownKey } from '../domain/load.js';
import type { PipeStage } from '../exec/executor.js';
import { opError, usageError } from '../errors.js';
import { backupsDir, dataVolumes, type Emit } from './backup.js';
import {
  backupPassphrase, decompressStage, ensureVolume, decryptStage, keyspace, parseInfo, requireDecompressor, requireGpg, rowCounts, runningOf, sqlClientArgv, sqlTarget,
  THROWAWAY_LABEL, type SqlTarget, type Stack,
} from './stack-tools.js';
import { tableChecksums } from './table-checksums.js';

import { physicalTool, proveCopy, removeTree, unpackStored, volumeSiblings } from './physical.js';

export { THROWAWAY_LABEL };

export interface ChecksumProblem { name: string; problem: 'missing' | 'size' | 'sha256'; expected: string; actual: string }

/** Exit 2 unless `id` has the form `backup` writes. */
export function requireBackupId(id: string): void {
  if (!isBackupId(id)) throw usageError('err.bk.badId', { id: shownKey(id), format: ID_RE.source });
}

/**
 * A backup's folder and manifest as stored, before the stack exists (restore --from-s3 on a new
 * server reads it for the config archive). The ID must have the form `backup` writes, so it can
 * only name a folder directly under <installDir>/backups: `../../evil` is exit 2.
 */
export async function readManifestAt(ctx: Context, installDir: string, id: string): Promise<{ dir: string; manifest: Manifest }> {
  requireBackupId(id);
  const dir = join(backupsDir(installDir), id);
  const text = await ctx.exec.readFile(join(dir, MANIFEST_FILE)).catch(() => null);
  if (text === null) {
    if (!(await ctx.exec.exists(dir))) throw usageError('err.bk.unknownId', { id, dir: backupsDir(installDir) });
    throw opError('err.bk.noManifest', { id, file: join(dir, MANIFEST_FILE) });
  }
  const p = parseManifest(text);
  if ('error' in p) throw opError('err.bk.badManifest', { id, reason: p.error });
  if (p.manifest.id !== id) throw opError('err.bk.badManifest', { id, reason: `manifest names ${shownKey(p.manifest.id)}` });
  return { dir, manifest: p.manifest };
}

/** readManifestAt, and the manifest may only name what this stack's restore may replace (manifestBoundsProblem). */
export async function readManifest(ctx: Context, s: Pick<Stack, 'installDir' | 'prepared'>, id: string): Promise<{ dir: string; manifest: Manifest }> {
  const r = await readManifestAt(ctx, s.installDir, id);
  const bad = manifestBoundsProblem(r.manifest, dataVolumes(s as Stack));
  if (bad?.kind === 'volume') throw usageError('err.bk.foreignVolume', { id, volume: shownKey(bad.volume), allowed: bad.allowed });
  if (bad?.kind === 'database') throw usageError('err.bk.systemSchema', { id, name: shownKey(bad.name) });
  return r;
}

/** Each file's size and SHA-256 as stored, against the manifest. */
export async function checkSums(ctx: Context, dir: string, m: Manifest, emit: Emit): Promise<ChecksumProblem[]> {
  const out: ChecksumProblem[] = [];
  for (const [i, f] of m.files.entries()) {
    const path = join(dir, f.name);
    emit({ kind: 'progress', item: 'checksums', fraction: i / m.files.length, text: `sha256 ${f.name}` });
    if (!(await ctx.exec.exists(path))) {
      out.push({ name: f.name, problem: 'missing', expected: f.sha256, actual: '-' });
      continue;
    }
    const h = await ctx.exec.hashFile(path);
    if (h.bytes !== f.bytes) out.push({ name: f.name, problem: 'size', expected: String(f.bytes), actual: String(h.bytes) });
    else if (h.sha256 !== f.sha256) out.push({ name: f.name, problem: 'sha256', expected: f.sha256, actual: h.sha256 });
  }
  emit({ kind: 'progress', item: 'checksums', fraction: 1, text: ctx.t('bk.checksumsDone', { count: m.files.length }) });
  return out;
}

/** Refuses a backup whose files do not match their checksums, naming each one. */
export async function requireSums(ctx: Context, dir: string, m: Manifest, emit: Emit): Promise<void> {
  const bad = await checkSums(ctx, dir, m, emit);
  if (bad.length) {
    throw opError('err.bk.corrupt', { id: m.id, count: bad.length }, bad.map((b) => ctx.t('bk.sumLine', { name: b.name, problem: b.problem, expected: b.expected, actual: b.actual })));
  }
}

/** The stages that turn a stored file back into its plain stream. */
export async function readStages(ctx: Context, s: Stack, m: Manifest): Promise<PipeStage[]> {
  await requireDecompressor(ctx, m.compression);
  if (!m.encryption) return [decompressStage(m.compression)];
  await requireGpg(ctx);
  const pass = await backupPassphrase(ctx, s.prepared.answers.backup.passphraseFile);
  if (!pass) throw usageError('err.bk.encryptedNoPassphrase', { id: m.id });
  return [decryptStage(pass), decompressStage(m.compression)];
}

/** Removes throwaway containers a killed verify or restore left behind (they carry our label). */
export async function removeThrowaways(ctx: Context, project: string): Promise<void> {
  const r = await ctx.exec.query('docker', ['ps', '-aq', '--filter', `label=${THROWAWAY_LABEL}=${project}`], { timeoutMs: 30_000 });
  const ids = r.stdout.split('\n').filter(Boolean);
  if (ids.length) await ctx.exec.run('docker', ['rm', '-f', '-v', ...ids], { timeoutMs: 120_000 });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until a throwaway server answers over TCP (the image's init server listens on no port, so this is the real one). */
export async function waitSql(ctx: Context, t: SqlTarget, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const name = t.container;
  for (;;) {
    const r = await ctx.exec.query('docker', ['exec', name, ...t.engine.client, ...t.engine.throwaway.pingArgs], { timeoutMs: 15_000 });
    if (r.exitCode === 0 && r.stdout.trim() === '1') return;
    const st = await ctx.exec.query('docker', ['inspect', '-f', '{{.State.Status}}', name], { timeoutMs: 10_000 });
    if (st.stdout.trim() === 'exited' || Date.now() > deadline) {
      const logs = await ctx.exec.query('docker', ['logs', '--tail', '20', name], { timeoutMs: 10_000 });
      throw opError('err.bk.throwawayFailed', { what: 'database', reason: (logs.stdout + logs.stderr).trim().split('\n').slice(-5).join(' | ') });
    }
    await sleep(1000);
  }
}

/** Waits until the cache answers PING (it answers LOADING while it reads the snapshot). */
export async function waitRedis(ctx: Context, cli: string, name: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await ctx.exec.query('docker', ['exec', name, cli, 'PING'], { timeoutMs: 10_000 });
    if (r.stdout.trim() === 'PONG') return;
    const st = await ctx.exec.query('docker', ['inspect', '-f', '{{.State.Status}}', name], { timeoutMs: 10_000 });
    if (st.stdout.trim() === 'exited' || Date.now() > deadline) {
      const logs = await ctx.exec.query('docker', ['logs', '--tail', '20', name], { timeoutMs: 10_000 });
      throw opError('err.bk.throwawayFailed', { what: 'redis', reason: (logs.stdout + logs.stderr).trim().split('\n').slice(-5).join(' | ') });
    }
    await sleep(500);
  }
}

/**
 * A throwaway server of the stack's database image, reachable only through `docker exec`: no
 * network, an empty root password that nothing can reach, and the engine's flags for a server
 * whose data need not survive a crash (its module's `throwaway`).
 */
export async function startThrowawayDb(ctx: Context, s: Stack, name: string, image: string, limits: ThrowawayLimits | null = null): Promise<SqlTarget> {
  const t = sqlTarget(s, name);
  await ctx.exec.run('docker', [
    'run', '-d', '--name', name, '--network', 'none', '--label', `${THROWAWAY_LABEL}=${s.project}`, ...limitArgs(limits),
    ...t.engine.throwaway.env.flatMap((e) => ['-e', e]),
    image,
    ...t.engine.throwaway.args,
  ], { timeoutMs: 120_000 });
  return t;
}

/**
 * CPU bounds for the throwaways of a scheduled drill, so the live stack keeps serving: a low
 * cgroup weight (only felt when the CPU is contended) and a cap of half the cores. The host-side
 * decompression runs under the drill unit's nice/ionice.
 */
export interface ThrowawayLimits { cpuShares: number; cpus: number }
const limitArgs = (l: ThrowawayLimits | null) => (l ? ['--cpu-shares', String(l.cpuShares), '--cpus', String(l.cpus)] : []);

export interface VerifyResult {
  id: string;
  checksums: number;
  database: { tables: number; rows: number; checksummed: number; checksumSkipped: number } | null;
  redis: { keys: number } | null;
  archives: string[];
  /** Milliseconds per part: checksums, database (database-load, database-checksum within it), redis, archives. */
  parts: Record<string, number>;
}

export interface VerifyOptions {
  sumsChecked?: boolean;
  /** A physical copy, once proven, stays beside the data volume prepared (restore renames it into place). */
  keepCopy?: boolean;
  /** A scheduled drill's CPU bounds for the throwaways. */
  limits?: ThrowawayLimits | null;
}


/** Checksums, then the load test in throwaway containers. Throws naming what does not match. */
export async function verifyBackup(ctx: Context, s: Stack, id: string, emit: Emit, o: VerifyOptions = {}): Promise<VerifyResult> {
  const parts: Record<string, number> = {};
  const timed = async <T>(part: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await fn();
    } finally {
      parts[part] = (parts[part] ?? 0) + (Date.now() - t0);
    }
  };
  const { dir, manifest: m } = await readManifest(ctx, s, id);
  // Restore checks the sums first, then verifies: they need not be read twice.
  if (!o.sumsChecked) await timed('checksums', () => requireSums(ctx, dir, m, emit));
  const read = await readStages(ctx, s, m);
  const cs = await ctx.docker.projectContainers(s.project).catch(() => []);
  await removeThrowaways(ctx, s.project);
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const result: VerifyResult = { id, checksums: m.files.length, database: null, redis: null, archives: [], parts };
  const limits = o.limits ?? null;
  try {
    for (const f of m.files) {
      const path = join(dir, f.name);
      const t0 = Date.now();
      const part = f.kind === 'database' ? 'database' : f.kind === 'redis' ? 'redis' : 'archives';
      if (f.kind === 'database' && m.database && methodOf(m) === 'physical') {
        const image = runningOf(cs, 'mysql')?.imageId ?? s.prepared.plan.database.image;
        const mount = await ensureVolume(ctx, s.project, 'mysql-data');
        const sib = volumeSiblings(mount);
        // Nothing runs in a container of the stack here: the engine is what the target names.
        const engine = sqlTarget(s, '').engine;
        const p = physicalTool({ container: '', engine });
        emit({ kind: 'output', text: ctx.t('ph.verifyDb', { image: s.prepared.plan.database.image }) });
        // Beside the data volume: a restore that verifies first then renames this very copy into place.
        await unpackStored(ctx, { p, image, file: path, read, staging: sib.staging(id), emit });
        const proof = await proveCopy(ctx, s, { image, dir: sib.staging(id), name: `sw-verify-${s.project}-db-${tag}`, databases: m.database.databases, engine }, emit);
        const diff = rowCountDiff(m.database.tables, proof.tables);
        if (diff.length) {
          throw opError('err.bk.rowsDiffer', { id, count: diff.length }, diff.map((d) => ctx.t('bk.rowLine', { table: d.table, expected: d.expected ?? '-', actual: d.actual ?? '-' })));
        }
        const sums = checksumDiff(m.database.checksums ?? {}, proof.checksums);
        if (sums.length) throw opError('err.ph.checksumsDiffer', { id, count: sums.length }, sums.map((d) => ctx.t('bk.checksumLine', { table: d.table, expected: d.expected, actual: d.actual })));
        // What the drill record counts: the sums both sides have, which checksumDiff compares.
        const n = checksumCounts(m.database.checksums ?? {}, proof.checksums);
        result.database = { tables: Object.keys(proof.tables).length, rows: Object.values(proof.tables).reduce((k, x) => k + x, 0), checksummed: n.compared, checksumSkipped: n.skipped };
        emit({ kind: 'output', text: ctx.t('ph.verifyOk', { tables: result.database.tables, rows: result.database.rows }) });
        if (o.keepCopy) await ctx.exec.run('mv', ['-T', '--', sib.staging(id), sib.ready(id)]);
        else await removeTree(ctx, sib.staging(id));
      } else if (f.kind === 'database' && m.database) {
        const name = `sw-verify-${s.project}-db-${tag}`;
        // The image the stack runs now (what a restore would load into), else the one the backup names.
        const image = runningOf(cs, 'mysql')?.imageId ?? s.prepared.plan.database.image;
        emit({ kind: 'output', text: ctx.t('bk.verifyDb', { image: s.prepared.plan.database.image }) });
        const db = await startThrowawayDb(ctx, s, name, image, limits);
        await waitSql(ctx, db);
        const started = Date.now();
        await ctx.exec.pipe([...read, { cmd: 'docker', args: sqlClientArgv(db) }], {
          inputFile: path,
          onProgress: (inBytes) => emit({ kind: 'progress', item: 'load', fraction: f.bytes ? Math.min(0.99, inBytes / f.bytes) : 0, text: `load ${f.name}: ${Math.round((inBytes / Math.max(1, f.bytes)) * 100)}% (${Math.round((Date.now() - started) / 1000)} s)` }),
        });
        const actual = await rowCounts(ctx, db, m.database.databases);
        const diff = rowCountDiff(m.database.tables, actual);
        if (diff.length) {
          throw opError('err.bk.rowsDiffer', { id, count: diff.length }, diff.map((d) => ctx.t('bk.rowLine', { table: d.table, expected: d.expected ?? '-', actual: d.actual ?? '-' })));
        }
        parts['database-load'] = Date.now() - started;
        // CHECKSUM TABLE against the manifest's (tables that changed while they were dumped, or above the size limit, are not compared).
        const expected = m.database.checksums ?? {};
        let n = { compared: 0, skipped: Object.keys(expected).length };
        if (Object.values(expected).some((v) => v !== null)) {
          const sumStart = Date.now();
          const actualSums = await tableChecksums(ctx, db, m.database.databases);
          parts['database-checksum'] = Date.now() - sumStart;
          const bad = checksumDiff(expected, actualSums);
          if (bad.length) throw opError('err.bk.checksumsDiffer', { id, count: bad.length }, bad.map((d) => ctx.t('bk.checksumLine', { table: d.table, expected: d.expected, actual: d.actual })));
          n = checksumCounts(expected, actualSums);
        }
        const { compared, skipped } = n;
        result.database = { tables: Object.keys(actual).length, rows: Object.values(actual).reduce((n, x) => n + x, 0), checksummed: compared, checksumSkipped: skipped };
        emit({ kind: 'output', text: ctx.t('bk.verifyDbOk', { tables: result.database.tables, rows: result.database.rows }) });
        if (m.database.checksums) emit({ kind: 'output', text: ctx.t('bk.verifyChecksumsOk', { compared, skipped }) });
        await ctx.exec.run('docker', ['rm', '-f', '-v', name], { timeoutMs: 120_000 });
      } else if (f.kind === 'redis' && m.redis) {
        const name = `sw-verify-${s.project}-redis-${tag}`;
        const cache = cacheEngineOf(s.prepared.plan);
        const image = runningOf(cs, 'redis')?.imageId ?? s.prepared.plan.redis?.image ?? m.redis.image;
        await ctx.exec.run('docker', ['create', '--name', name, '--network', 'none', '--label', `${THROWAWAY_LABEL}=${s.project}`, ...limitArgs(limits), image, cache.server, '--dir', '/data', '--dbfilename', 'dump.rdb', '--appendonly', 'no'], { timeoutMs: 60_000 });
        await ctx.exec.pipe([...read, { cmd: 'docker', args: ['cp', '-', `${name}:/data`] }], { inputFile: path });
        await ctx.exec.run('docker', ['start', name], { timeoutMs: 60_000 });
        await waitRedis(ctx, cache.cli, name);
        const ks = keyspace(parseInfo((await ctx.exec.query('docker', ['exec', name, cache.cli, 'INFO', 'keyspace'], { timeoutMs: 30_000 })).stdout));
        const keys = Object.values(ks).reduce((n, k) => n + k, 0);
        if (keys !== m.redis.keys) throw opError('err.bk.keysDiffer', { id, expected: m.redis.keys, actual: keys });
        result.redis = { keys };
        emit({ kind: 'output', text: ctx.t('bk.verifyRedisOk', { keys }) });
        await ctx.exec.run('docker', ['rm', '-f', '-v', name], { timeoutMs: 60_000 });
      } else {
        // Archives: the whole stream decompresses (and decrypts) and tar reads every member.
        await ctx.exec.pipe([...read, { cmd: 'sh', args: ['-c', 'tar -tf - >/dev/null'] }], { inputFile: path });
        result.archives.push(f.name);
      }
      parts[part] = (parts[part] ?? 0) + (Date.now() - t0);
    }
  } finally {
    await removeThrowaways(ctx, s.project).catch(() => undefined);
  }
  return result;
}
