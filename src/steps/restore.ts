// `restore`: puts a backup's data back (database, Redis, data volumes) without ever losing the
// current state: checksums and version rules first, then a safety backup of what runs now, then
// the replacement, then the health gates. Any failure or interruption puts the safety backup back.
// A journal (.stack-wizard/restore.json, written before each phase) lets the next run finish or roll
// back a restore that was killed outright.
//
// The configuration (.env, compose file) is not replaced: the running server's users and
// passwords live in its own system tables, which a restore keeps, so the current .env stays
// right. The backup's config archive is for rebuilding a lost server.
import { join } from 'node:path';
import type { Context } from '../context.js';
import { compatibility, methodOf, type DbMethod, type Manifest } from '../domain/backup.js';
import { cacheEngineOf, cacheHas } from '../domain/cache/index.js';
import { advance, journalText, parseJournal, recoveryFor, startJournal, type Journal, type Phase } from '../domain/restore-journal.js';
import { parseVersion } from '../domain/versions.js';
import { WizardError, errorText, hostError, opError, usageError } from '../errors.js';
import { HOST } from '../render/paths.js';
import { takeBackup, type Emit } from './backup.js';
import { THROWAWAY_LABEL, readManifest, readStages, removeThrowaways, requireSums, verifyBackup, waitRedis } from './backup-verify.js';
import {
  composeRun, containers, ensureVolume, interruptible, keyspace, parseInfo, quoteIdent, requireRunning, runningOf, serverVersion, sqlClientArgv, sqlRun, sqlTarget,
  volumeName, type Stack,
} from './stack-tools.js';
import { physicalTool, removeSiblings, swapDatadir, unpackStored, volumeSiblings } from './physical.js';
import { replayBinlogs } from './pitr.js';
import { healthTimeoutMs, waitHealthy, type Unhealthy } from './up.js';

export const JOURNAL = HOST.restoreJournal;
const journalPath = (s: { installDir: string }) => join(s.installDir, JOURNAL);

export async function readJournal(ctx: Context, installDir: string): Promise<Journal | null> {
  const text = await ctx.exec.readFile(join(installDir, JOURNAL)).catch(() => null);
  return text ? parseJournal(text) : null;
}

export { composeRun };

/** Services that write the data a restore replaces: stopped while it is replaced. */
const WRITERS = ['app', 'worker'];
const writersOf = (s: Stack) => WRITERS.filter((w) => s.prepared.plan.services.some((x) => x.name === w));

class Journaled {
  constructor(
    private readonly ctx: Context,
    private readonly s: Stack,
    public j: Journal,
  ) {}

  async move(to: Phase, o: { safetyId?: string; part?: string; reason?: string } = {}) {
    this.j = advance(this.j, to, { now: this.ctx.clock(), ...o });
    await this.ctx.exec.writeFiles([{ path: journalPath(this.s), content: journalText(this.j), mode: 0o600 }]);
  }
}

/**
 * A physical copy: the copy verify left prepared beside the data volume, else unpacked and
 * prepared now, renamed into the volume's place while the database is stopped.
 */
async function restorePhysical(ctx: Context, s: Stack, dir: string, m: Manifest, file: string, emit: Emit) {
  const engine = sqlTarget(s, '').engine;
  const p = physicalTool({ container: '', engine });
  const image = runningOf(await containers(ctx, s.project), 'mysql')?.imageId ?? s.prepared.plan.database.image;
  const mount = await ensureVolume(ctx, s.project, 'mysql-data');
  const sib = volumeSiblings(mount);
  if (!(await ctx.exec.exists(sib.ready(m.id)))) {
    await unpackStored(ctx, { p, image, file: join(dir, file), read: await readStages(ctx, s, m), staging: sib.staging(m.id), emit });
    await ctx.exec.run('mv', ['-T', '--', sib.staging(m.id), sib.ready(m.id)]);
  }
  const { downMs } = await swapDatadir(ctx, s, p, mount, sib.ready(m.id), emit);
  await removeSiblings(ctx, mount);
  const failing = await waitHealthy(ctx, s.project, ['mysql'], healthTimeoutMs(ctx.env), emit);
  if (failing.length) throw opError('err.rs.failedPart', { part: 'database' }, failingText(ctx, failing));
  emit({ kind: 'output', text: ctx.t('ph.swapped', { seconds: (downMs / 1000).toFixed(1) }) });
}

/** Replaces every database the backup holds with the backup's content. */
async function restoreDatabase(ctx: Context, s: Stack, dir: string, m: Manifest, emit: Emit) {
  const f = m.files.find((x) => x.kind === 'database');
  if (!f || !m.database) return;
  if (methodOf(m) === 'physical') return restorePhysical(ctx, s, dir, m, f.name, emit);
  const db = sqlTarget(s, requireRunning(await containers(ctx, s.project), 'mysql').id);
  // Tables created since the backup would survive a plain load: the databases are emptied first.
  // Users and grants live in the system tables, which stay; grants by name apply again.
  await sqlRun(ctx, db, m.database.databases.map((d) => `DROP DATABASE IF EXISTS ${quoteIdent(d)};`).join('\n'));
  const started = Date.now();
  await ctx.exec.pipe([...(await readStages(ctx, s, m)), { cmd: 'docker', args: sqlClientArgv(db) }], {
    inputFile: join(dir, f.name),
    onProgress: (inBytes) =>
      emit({ kind: 'progress', item: 'database', fraction: f.bytes ? Math.min(0.99, inBytes / f.bytes) : 0, text: `database: ${Math.round((inBytes / Math.max(1, f.bytes)) * 100)}% (${Math.round((Date.now() - started) / 1000)} s)` }),
  });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  ctx.exec.note(`restore part database: loaded ${f.rawBytes} bytes of SQL in ${secs} s`);
  emit({ kind: 'progress', item: 'database', fraction: 1, text: `database: loaded in ${secs} s` });
}

/** Empties a folder on the host, keeping the folder itself (a volume's mountpoint). */
const emptyFolder = (ctx: Context, path: string) => ctx.exec.run('find', [path, '-mindepth', '1', '-delete'], { timeoutMs: 600_000 });

/**
 * Redis: the snapshot's files into the stopped service's volume, then the AOF rebuilt from the
 * snapshot by a throwaway Redis on that volume (with AOF on, Redis would start from an AOF folder
 * and ignore the RDB; rebuilding it makes the restored state exactly the snapshot).
 */
async function restoreRedis(ctx: Context, s: Stack, dir: string, m: Manifest, emit: Emit) {
  const f = m.files.find((x) => x.kind === 'redis');
  const plan = s.prepared.plan;
  if (!f || !m.redis || !plan.redis) return;
  const image = runningOf(await containers(ctx, s.project), 'redis')?.imageId ?? plan.redis.image;
  await composeRun(ctx, s, ['stop', 'redis'], emit);
  const vol = volumeName(s.project, 'redis-data');
  const mount = await ensureVolume(ctx, s.project, 'redis-data');
  await emptyFolder(ctx, mount);
  await ctx.exec.pipe([...(await readStages(ctx, s, m)), { cmd: 'tar', args: ['-C', mount, '--numeric-owner', '-xpf', '-'] }], { inputFile: join(dir, f.name) });
  await ctx.exec.remove(join(mount, 'appendonlydir'));
  await ctx.exec.remove(join(mount, 'appendonly.aof'));
  const name = `sw-restore-${s.project}-redis-${process.pid}`;
  const cache = cacheEngineOf(plan);
  const v = parseVersion(plan.redis.version);
  const aofDir = v && cacheHas(cache, 'appenddirname', v) ? ['--appenddirname', 'appendonlydir'] : [];
  await ctx.exec.run('docker', ['run', '-d', '--name', name, '--network', 'none', '--label', `${THROWAWAY_LABEL}=${s.project}`, '-v', `${vol}:/data`, image, cache.server, '--dir', '/data', '--dbfilename', 'dump.rdb', '--appendonly', 'no', ...aofDir], { timeoutMs: 60_000 });
  try {
    await waitRedis(ctx, cache.cli, name);
    const cli = async (...args: string[]) => (await ctx.exec.run('docker', ['exec', name, cache.cli, ...args], { timeoutMs: 60_000 })).stdout;
    const ks = keyspace(parseInfo(await cli('INFO', 'keyspace')));
    const keys = Object.values(ks).reduce((n, k) => n + k, 0);
    if (keys !== m.redis.keys) throw opError('err.bk.keysDiffer', { id: m.id, expected: m.redis.keys, actual: keys });
    await cli('CONFIG', 'SET', 'appendonly', 'yes');
    const deadline = Date.now() + 600_000;
    for (;;) {
      const p = parseInfo(await cli('INFO', 'persistence'));
      if (p.aof_enabled === '1' && p.aof_rewrite_in_progress === '0' && p.aof_rewrite_scheduled === '0') {
        if (p.aof_last_bgrewrite_status !== 'ok') throw opError('err.bk.redisSave', { reason: `aof_last_bgrewrite_status:${p.aof_last_bgrewrite_status}` });
        break;
      }
      if (Date.now() > deadline) throw opError('err.bk.redisBusy');
      await new Promise((r) => setTimeout(r, 300));
    }
    // SHUTDOWN saves the RDB as well; the container then exits.
    await ctx.exec.query('docker', ['exec', name, cache.cli, 'SHUTDOWN'], { timeoutMs: 120_000 });
    await ctx.exec.query('docker', ['wait', name], { timeoutMs: 120_000 });
    emit({ kind: 'output', text: ctx.t('rs.redisDone', { keys }) });
  } finally {
    await ctx.exec.run('docker', ['rm', '-f', '-v', name], { timeoutMs: 60_000 }).catch(() => undefined);
  }
}

async function restoreVolume(ctx: Context, s: Stack, dir: string, m: Manifest, volume: string, emit: Emit) {
  const f = m.files.find((x) => x.kind === 'volume' && x.volume === volume);
  if (!f) return;
  if (volume === 'minio-data') await composeRun(ctx, s, ['stop', 'minio'], emit);
  const mount = await ensureVolume(ctx, s.project, volume);
  await emptyFolder(ctx, mount);
  await ctx.exec.pipe([...(await readStages(ctx, s, m)), { cmd: 'tar', args: ['-C', mount, '--numeric-owner', '-xpf', '-'] }], { inputFile: join(dir, f.name) });
  emit({ kind: 'output', text: ctx.t('rs.volumeDone', { volume }) });
}

/** The parts a backup restores, in order; each replaces its data whole, so redoing one is safe. */
const partsOf = (m: Manifest) => [...(m.database ? ['database'] : []), ...(m.redis ? ['redis'] : []), ...m.volumes.map((v) => `volume:${v}`)];

/** Replaces the live data with backup `id` (parts already `done` are skipped), then starts and health-checks the stack. */
async function replaceAndStart(ctx: Context, s: Stack, jr: Journaled, id: string, phase: 'restoring' | 'rolling-back', emit: Emit, o: { sumsChecked?: boolean } = {}): Promise<Unhealthy[]> {
  const { dir, manifest: m } = await readManifest(ctx, s, id);
  // Sums checked a moment ago by checkRestorable need not be read again; a resumed or rollback run checks them.
  if (!o.sumsChecked) await requireSums(ctx, dir, m, emit);
  // Killed while starting: every part was already replaced.
  const resumeStart = phase === 'restoring' && jr.j.phase === 'starting';
  const already = new Set(jr.j.phase === phase ? jr.j.done : []);
  if (!resumeStart && jr.j.phase !== phase) await jr.move(phase);
  for (const part of partsOf(m)) {
    if (resumeStart || already.has(part)) continue;
    emit({ kind: 'output', text: ctx.t('rs.part', { part, id }) });
    if (part === 'database') {
      await restoreDatabase(ctx, s, dir, m, emit);
      // Point in time: the replay belongs to the part, so a killed one is redone from the backup.
      if (phase === 'restoring' && jr.j.stopAt) await replayBinlogs(ctx, s, m, new Date(jr.j.stopAt), emit);
    }
    else if (part === 'redis') await restoreRedis(ctx, s, dir, m, emit);
    else await restoreVolume(ctx, s, dir, m, part.slice('volume:'.length), emit);
    await jr.move(phase, { part });
    ctx.exec.note(`restore part ${part} done at ${new Date().toISOString()}`);
  }
  if (phase === 'restoring' && !resumeStart) await jr.move('starting');
  await composeRun(ctx, s, ['up', '-d', '--remove-orphans'], emit, healthTimeoutMs(ctx.env)).catch((e: unknown) => {
    // `up` fails when a dependency turns unhealthy: the health wait below says which one and why.
    if (!(e instanceof Error)) throw e;
  });
  const services = s.prepared.plan.services.map((x) => x.name);
  const failing = await waitHealthy(ctx, s.project, services, healthTimeoutMs(ctx.env), emit);
  if (failing.length === 0) {
    // Nginx resolved the app's old address; the app container was recreated or restarted.
    if (services.includes('nginx')) {
      await composeRun(ctx, s, ['exec', '-T', 'nginx', 'nginx', '-s', 'reload'], emit, 30_000).catch(() => undefined);
    }
  }
  return failing;
}

const failingText = (ctx: Context, f: Unhealthy[]) => f.map((x) => ctx.t('up.serviceState', { service: x.service, state: x.state, health: x.health ?? '-', restarts: x.restarts }));

/** Puts the safety backup back (the journal is in rolling-back). */
async function rollBack(ctx: Context, s: Stack, jr: Journaled, emit: Emit): Promise<void> {
  const safety = jr.j.safetyId;
  if (!safety) throw opError('err.rs.noSafety');
  emit({ kind: 'output', text: ctx.t('rs.rollingBack', { id: safety }) });
  let failing: Unhealthy[];
  try {
    failing = await replaceAndStart(ctx, s, jr, safety, 'rolling-back', emit);
  } catch (e) {
    await jr.move('rollback-failed').catch(() => undefined);
    throw opError('err.rs.rollbackFailed', { id: safety, reason: e instanceof WizardError ? ctx.t(e.key, e.params) : e instanceof Error ? e.message : String(e) });
  }
  if (failing.length) {
    await jr.move('rollback-failed');
    throw opError('err.rs.rollbackUnhealthy', { id: safety }, failingText(ctx, failing));
  }
  await jr.move('rolled-back');
  await ctx.exec.remove(journalPath(s));
}

export interface RestoreOutcome {
  kind: 'restored' | 'resumed' | 'rolled-back' | 'discarded';
  id: string;
  safetyId: string | null;
  /** How the safety backup holds the database (a restore taken now: physical where the engine's default is). */
  safety?: { method: DbMethod; tool: string } | null;
}

/**
 * A journal left by a restore whose process is gone. `restore` finishes it (or, with rollback,
 * puts the safety backup back); other commands refuse to act on half-restored data.
 */
export async function pendingRestore(ctx: Context, s: { installDir: string }): Promise<Journal | null> {
  const j = await readJournal(ctx, s.installDir);
  if (!j) return null;
  const rec = recoveryFor(j);
  if (rec.action === 'discard') {
    await ctx.exec.remove(journalPath(s));
    return null;
  }
  return j;
}

/** Finishes or rolls back what a killed restore left; null when there was nothing. */
export async function recoverRestore(ctx: Context, s: Stack, o: { rollback: boolean }, emit: Emit): Promise<RestoreOutcome | null> {
  const j = await pendingRestore(ctx, s);
  if (!j) return null;
  const rec = recoveryFor(j);
  const jr = new Journaled(ctx, s, j);
  emit({ kind: 'output', text: ctx.t('rs.found', { id: j.backupId, phase: j.phase, started: j.startedAt }) });
  await removeThrowaways(ctx, s.project);
  return interruptible(ctx, 'restore', async () => {
    // Someone may have started the app since: it must not write while its data is replaced.
    await composeRun(ctx, s, ['stop', ...writersOf(s)], emit);
    if (rec.action === 'rollback' || rec.action === 'manual' || o.rollback) {
      if (jr.j.phase !== 'rolling-back') await jr.move('rolling-back', { reason: 'operator asked for a rollback' });
      await rollBack(ctx, s, jr, emit);
      return { kind: 'rolled-back', id: j.backupId, safetyId: j.safetyId };
    }
    if (rec.action !== 'resume') throw new Error('unreachable');
    emit({ kind: 'output', text: ctx.t('rs.resuming', { id: j.backupId, safety: rec.safetyId }) });
    let failing: Unhealthy[] = [];
    let error: unknown = null;
    try {
      failing = await replaceAndStart(ctx, s, jr, j.backupId, 'restoring', emit);
    } catch (e) {
      error = e;
    }
    if (error || failing.length) {
      await jr.move('rolling-back', { reason: error ? String(error) : 'unhealthy' });
      await rollBack(ctx, s, jr, emit);
      throw opError('err.rs.failedRolledBack', { id: j.backupId, safety: rec.safetyId }, error ? [errorText(ctx.t, error)] : failingText(ctx, failing));
    }
    await jr.move('done');
    await ctx.exec.remove(journalPath(s));
    return { kind: 'resumed', id: j.backupId, safetyId: j.safetyId };
  });
}


/** Checks a backup against the running stack before anything is touched. */
export async function checkRestorable(ctx: Context, s: Stack, id: string, emit: Emit): Promise<Manifest> {
  const { dir, manifest: m } = await readManifest(ctx, s, id);
  if (m.project !== s.project) throw usageError('err.rs.otherProject', { id, project: m.project, current: s.project });
  await requireSums(ctx, dir, m, emit);
  // A wrong passphrase or a missing program is found now, not half way.
  const cfg = m.files.find((f) => f.kind === 'config');
  if (cfg) await ctx.exec.pipe([...(await readStages(ctx, s, m)), { cmd: 'sh', args: ['-c', 'tar -tf - >/dev/null'] }], { inputFile: join(dir, cfg.name) });
  const cs = await containers(ctx, s.project);
  const db = runningOf(cs, 'mysql');
  const redis = runningOf(cs, 'redis');
  const cli = cacheEngineOf(s.prepared.plan).cli;
  const current = {
    engine: s.prepared.plan.database.engine,
    dbVersion: db ? await serverVersion(ctx, sqlTarget(s, db.id)) : s.prepared.plan.database.serverVersion,
    redisVersion: redis ? parseInfo((await ctx.exec.query('docker', ['exec', redis.id, cli, 'INFO', 'server'], { timeoutMs: 30_000 })).stdout).redis_version ?? null : s.prepared.plan.redis?.version ?? null,
  };
  const c = compatibility(m, current);
  if (!c.ok) {
    if (c.reason === 'engine') throw usageError('err.rs.engine', { id, backup: c.backup, current: c.current });
    if (c.reason === 'newer') throw hostError('err.rs.newer', { id, what: c.what, backup: c.backup, current: c.current });
    if (c.reason === 'physical-series') throw hostError('err.rs.physicalSeries', { id, backup: c.backup, current: c.current });
    throw hostError('err.rs.unknownVersion', { id, what: c.what, backup: c.backup, current: c.current });
  }
  return m;
}

/**
 * The whole restore of backup `id`. The caller holds the maintenance lock and has the operator's yes.
 * Before anything is replaced the backup is verified as `backup verify` does (the dump loaded into a
 * throwaway server, every table's rows counted against the manifest, the Redis snapshot loaded,
 * every archive read): a dump that would fail half way, or hold other rows than recorded, is refused
 * while the live data is untouched. `verify: false` (--skip-verify) keeps only the checks of checkRestorable.
 */
export async function runRestore(ctx: Context, s: Stack, id: string, emit: Emit, o: { verify?: boolean; stopAt?: Date } = {}): Promise<RestoreOutcome> {
  await checkRestorable(ctx, s, id, emit);
  if (o.verify === false) emit({ kind: 'output', text: ctx.t('rs.verifySkipped') });
  else {
    emit({ kind: 'output', text: ctx.t('rs.verifying', { id }) });
    await verifyBackup(ctx, s, id, emit, { sumsChecked: true, keepCopy: true });
  }
  await removeThrowaways(ctx, s.project);
  const jr = new Journaled(ctx, s, startJournal({ project: s.project, backupId: id, pid: process.pid, now: ctx.clock(), ...(o.stopAt ? { stopAt: o.stopAt } : {}) }));
  await ctx.exec.writeFiles([{ path: journalPath(s), content: journalText(jr.j), mode: 0o600 }]);
  return interruptible(ctx, 'restore', async (interrupted) => {
    emit({ kind: 'output', text: ctx.t('rs.safety') });
    let safetyId: string;
    let safety: RestoreOutcome['safety'] = null;
    try {
      // The engine's default method: on MariaDB a physical copy, so undoing the restore is a swap too.
      const taken = await takeBackup(ctx, s, { kind: 'pre-restore', noRetention: true }, emit);
      safetyId = taken.id;
      const d = taken.manifest.database;
      if (d) safety = { method: d.method ?? 'logical', tool: d.dumpTool };
      emit({ kind: 'output', text: ctx.t('rs.safetyTaken', { id: safetyId, how: ctx.t(safety?.method === 'physical' ? 'rs.safetyPhysical' : 'rs.safetyLogical', { tool: safety?.tool ?? '-' }) }) });
    } catch (e) {
      // Nothing was changed yet: the journal goes, the error stays.
      await ctx.exec.remove(journalPath(s));
      throw e;
    }
    await jr.move('safety', { safetyId });
    if (interrupted()) {
      await ctx.exec.remove(journalPath(s));
      throw opError('err.rs.interruptedEarly', { safety: safetyId });
    }
    let failing: Unhealthy[] = [];
    let error: unknown = null;
    try {
      await composeRun(ctx, s, ['stop', ...writersOf(s)], emit);
      await jr.move('stopped');
      failing = await replaceAndStart(ctx, s, jr, id, 'restoring', emit, { sumsChecked: true });
      if (interrupted()) error = new Error('interrupted');
    } catch (e) {
      error = interrupted() ? new Error('interrupted') : e;
    }
    if (error || failing.length) {
      emit({ kind: 'output', text: ctx.t('rs.failed', { reason: error ? errorText(ctx.t, error) : failing.map((f) => f.service).join(', ') }) });
      await jr.move('rolling-back', { reason: error ? String(error) : 'unhealthy' });
      await rollBack(ctx, s, jr, emit);
      if (interrupted()) throw opError('err.rs.interruptedRolledBack', { id, safety: safetyId });
      throw opError('err.rs.failedRolledBack', { id, safety: safetyId }, error ? [errorText(ctx.t, error)] : failingText(ctx, failing));
    }
    await jr.move('done');
    await ctx.exec.remove(journalPath(s));
    return { kind: 'restored', id, safetyId, safety };
  });
}
