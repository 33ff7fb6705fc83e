// `backup`: a consistent copy of the stack's data, verified by checksums, under <installDir>/backups/<ID>.
//
// Database, physical by default (#18.1; steps/physical.ts): the engine's own tool copies the data
// directory of the running server (mariadb-backup's stream; MySQL's clone plugin), the copy is
// compressed on the host by zstd -T0 (every core; gzip where zstd is missing), encrypted and hashed
// as it streams, and unpacked beside it at the same time; a throwaway server started on the
// prepared copy counts its rows (and CHECKSUM TABLE under a size limit), which the manifest records
// with the binlog position of the copy's consistent point. Pages move at disk speed: nothing is
// replayed through SQL, neither now nor at restore. Then every closed binary log is archived
// (steps/binlog-archive.ts), the one holding that point included, for point-in-time recovery.
//
// Logical (`backup --logical`, an engine without a copy tool or a server older than it, a backup
// meant for another engine or an older series): the engine's dump tool inside the mysql container
// (mariadb-dump, mysqldump) with --single-transaction: one InnoDB snapshot, no table locks, the app
// keeps writing; streamed and compressed the same way, row-counted on the way, never held in memory
// or on disk uncompressed, its snapshot's binlog position read from its own comment line. Why not a
// parallel dump: see the MySQL engine module's note on MySQL Shell (domain/engines/mysql.ts).
//
// Redis: writes are paused for the instant of BGSAVE's fork (CLIENT PAUSE WRITE, Redis ≥ 6.2), so
// the key count recorded is exactly the snapshot's; then the RDB and the AOF folder are copied.
// Volumes (uploads, MinIO) and the install dir's config (.env included) are tar streams.
// The backup is written as <ID>.partial and renamed when its manifest is complete.
import { join } from 'node:path';
import type { Context } from '../context.js';
import {
  MANIFEST_FILE, PARTIAL_SUFFIX, backupId, backupMethod, estimateBackupBytes, humanBytes, isBackupId, manifestText, newestFirst, parseManifest,
  retentionVictims, spaceVerdict, stableChecksums, type BackupKind, type BackupSummary, type DbMethod, type FileEntry, type Manifest,
} from '../domain/backup.js';
import { HeadCollector, parseDumpCoordinates, type BinlogIndex, type BinlogPoint } from '../domain/binlog.js';
import { cacheEngineOf, type CacheEngine } from '../domain/cache/index.js';
import { tableChecksums } from './table-checksums.js';
import { TEMPLATE_VERSION } from '../domain/versions.js';
import { hostError, opError, usageError } from '../errors.js';
import { HOST } from '../render/paths.js';
import { backupsDir, store, type Emit } from './backup-files.js';
import { archiveBinlogs, pruneArchive, type LiveBinlog } from './binlog-archive.js';
import { copyDatabase, copyPoint, physicalFileName, physicalTool, prepareCopy, proveCopy, removeTree } from './physical.js';
import {
  EXT, backupPassphrase, containers, databaseBytes, folderBytes, freeBytes, hostCompression,
  keyspace, parseInfo, redisCli, requireGpg, requireRunning, serverVersion, sqlQuery, sqlTarget, userDatabases, volumeMountpoint, volumeName,
  type Compression, type SqlTarget, type Stack,
} from './stack-tools.js';

declare const __VERSION__: string;
const VERSION: string = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

export { backupsDir, type Emit } from './backup-files.js';

/** Compose volumes that hold user data: the app's uploads and MinIO's objects (databases are dumped, not copied). */
export function dataVolumes(s: Stack): string[] {
  const p = s.prepared.plan;
  const out: string[] = [];
  if (p.app.dataDir) out.push('app-data');
  if (p.components.minio) out.push('minio-data');
  return out;
}

/** Config: everything in the install dir but backups, logs and our transient state. */
const CONFIG_EXCLUDES = [
  `./${HOST.backups}`, './logs', './.stack-wizard/maintenance.lock', './.stack-wizard/restore.json', './.stack-wizard/update.json', './.stack-wizard/certbot',
  `./${HOST.drillLog}`, `./${HOST.remoteLog}`, `./${HOST.notifyState}`,
];

export interface BackupOptions {
  kind: BackupKind;
  /** Never retention-deleted by this run (the backup a restore depends on). */
  protect?: ReadonlySet<string>;
  /** Skip retention (restore and update take safety backups and leave pruning to the next backup). */
  noRetention?: boolean;
  /** Recorded in the manifest: the images the services run (update's backup, before it replaces them). */
  images?: Manifest['images'];
  /**
   * The database part: physical by default where the engine has a copy tool; `logical` for a dump
   * (`backup --logical`, or a backup meant for another engine or an older series, which only a dump reaches).
   */
  method?: DbMethod;
}

export interface BackupResult { id: string; dir: string; manifest: Manifest; removed: string[] }

/** Whether encryption is on for this stack, and the passphrase (checked before anything runs). */
export async function encryptionFor(ctx: Context, s: Stack): Promise<string | null> {
  const b = s.prepared.answers.backup;
  const wanted = b.encrypt === true || (b.encrypt === undefined && !!b.passphraseFile);
  const pass = await backupPassphrase(ctx, b.passphraseFile);
  if (wanted && !pass) throw usageError('err.bk.noPassphrase');
  if (wanted) await requireGpg(ctx);
  return wanted ? pass : null;
}

interface Sizes { databaseBytes: number; redisBytes: number; volumeBytes: number; configBytes: number }

/** Bytes of the data directory a physical copy reads: everything on the data volume but the binary logs. */
async function datadirBytes(ctx: Context, s: Stack): Promise<number | null> {
  const m = await volumeMountpoint(ctx, volumeName(s.project, 'mysql-data'));
  return m ? folderBytes(ctx, m, ['*.[0-9][0-9][0-9][0-9][0-9][0-9]']) : null;
}

async function measure(ctx: Context, s: Stack, db: SqlTarget | null, dbs: string[], method: DbMethod): Promise<Sizes> {
  const redisMount = s.prepared.plan.redis ? await volumeMountpoint(ctx, volumeName(s.project, 'redis-data')) : null;
  let volumeBytes = 0;
  for (const v of dataVolumes(s)) {
    const m = await volumeMountpoint(ctx, volumeName(s.project, v));
    if (m) volumeBytes += await folderBytes(ctx, m);
  }
  return {
    databaseBytes: db ? ((method === 'physical' ? await datadirBytes(ctx, s) : null) ?? (await databaseBytes(ctx, db, dbs))) : 0,
    redisBytes: redisMount ? await folderBytes(ctx, redisMount) : 0,
    volumeBytes,
    configBytes: await folderBytes(ctx, s.installDir, CONFIG_EXCLUDES.map((e) => e.slice(2))),
  };
}

/** Which save the RDB on disk is from: the save counter (Redis 7), else the last save's time. */
const saveMark = (info: Record<string, string>) => `${info.rdb_saves ?? ''}/${info.rdb_last_save_time ?? ''}`;

/**
 * Pauses writes for the fork of BGSAVE, so the key count is exactly the snapshot's. Waits for any
 * save or AOF rewrite already running (BGSAVE refuses to start during one).
 */
async function redisSnapshot(ctx: Context, cache: CacheEngine, container: string): Promise<{ keyspace: Record<string, number>; version: string; saveTime: string }> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const info = parseInfo(await redisCli(ctx, cache, container, 'INFO persistence\n'));
    if (info.rdb_bgsave_in_progress === '0' && info.aof_rewrite_in_progress === '0') break;
    if (Date.now() > deadline) throw opError('err.bk.redisBusy');
    await new Promise((r) => setTimeout(r, 500));
  }
  const before = parseInfo(await redisCli(ctx, cache, container, 'INFO persistence\nINFO server\n'));
  // CLIENT PAUSE … WRITE holds writers only (readers go on); the pause ends right after the fork.
  const out = await redisCli(ctx, cache, container, 'CLIENT PAUSE 10000 WRITE\nINFO keyspace\nBGSAVE\nCLIENT UNPAUSE\n');
  if (!/Background saving started/.test(out)) throw opError('err.bk.redisSave', { reason: out.trim().split('\n').slice(-2).join(' | ') });
  const ks = keyspace(parseInfo(out));
  for (;;) {
    const info = parseInfo(await redisCli(ctx, cache, container, 'INFO persistence\n'));
    // The fork happened inside BGSAVE, so "in progress" was already set when it answered.
    if (info.rdb_bgsave_in_progress === '0') {
      if (info.rdb_last_bgsave_status !== 'ok') throw opError('err.bk.redisSave', { reason: `rdb_last_bgsave_status:${info.rdb_last_bgsave_status}` });
      return { keyspace: ks, version: before.redis_version ?? '', saveTime: saveMark(info) };
    }
    if (Date.now() > deadline) throw opError('err.bk.redisBusy');
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Backups of a stack, newest first, with their manifests (null with the reason when unreadable). */
export async function listBackups(ctx: Context, installDir: string): Promise<BackupSummary[]> {
  const dir = backupsDir(installDir);
  const out: BackupSummary[] = [];
  for (const name of await ctx.exec.listDir(dir)) {
    if (!isBackupId(name)) continue;
    const text = await ctx.exec.readFile(join(dir, name, MANIFEST_FILE)).catch(() => null);
    if (text === null) {
      out.push({ id: name, createdAt: '', kind: 'manual', bytes: 0, manifest: null, error: 'manifest.json missing' });
      continue;
    }
    const p = parseManifest(text);
    if ('error' in p) out.push({ id: name, createdAt: '', kind: 'manual', bytes: 0, manifest: null, error: p.error });
    else out.push({ id: name, createdAt: p.manifest.createdAt, kind: p.manifest.kind, bytes: p.manifest.files.reduce((n, f) => n + f.bytes, 0), manifest: p.manifest, error: null });
  }
  return newestFirst(out);
}

/** Removes backups beyond `keep` (newest kept) and partial folders no run is writing. */
export async function applyRetention(ctx: Context, installDir: string, keep: number, protect: ReadonlySet<string>): Promise<string[]> {
  const dir = backupsDir(installDir);
  const victims = retentionVictims(await listBackups(ctx, installDir), keep, protect);
  for (const id of victims) await ctx.exec.remove(join(dir, id));
  // A .partial left by a killed run: the lock is ours now, so nobody writes it.
  for (const name of await ctx.exec.listDir(dir)) if (name.endsWith(PARTIAL_SUFFIX)) await ctx.exec.remove(join(dir, name));
  return victims;
}

/** Takes a backup of the running stack. The caller holds the maintenance lock. */
export async function takeBackup(ctx: Context, s: Stack, o: BackupOptions, emit: Emit): Promise<BackupResult> {
  const t0 = Date.now();
  const plan = s.prepared.plan;
  const pass = await encryptionFor(ctx, s);
  const cs = await containers(ctx, s.project);
  const db = sqlTarget(s, requireRunning(cs, 'mysql').id);
  const redis = plan.redis ? requireRunning(cs, 'redis') : null;
  const cache = cacheEngineOf(plan);
  const dbs = await userDatabases(ctx, db);
  const c = await hostCompression(ctx);
  const version = await serverVersion(ctx, db);
  const method = backupMethod(db.engine, version, o.method);
  if (method.why === 'no-tool' || method.why === 'too-old') ctx.exec.note(`backup: a logical dump (${method.why === 'no-tool' ? `${db.engine.label} has no physical copy tool` : `${version} is older than ${db.engine.physicalBackup?.since}`})`);
  const sizes = await measure(ctx, s, db, dbs, method.method);

  // Enough room first: a backup that fills the disk stops MySQL and Docker too.
  const dir = backupsDir(s.installDir);
  await ctx.exec.mkdir(dir, 0o700);
  const need = estimateBackupBytes(sizes, method.method);
  const free = await freeBytes(ctx, dir);
  if (free !== null) {
    const v = spaceVerdict(need, free);
    if (!v.ok) {
      throw hostError('err.bk.noSpace', { dir, need: humanBytes(v.needBytes), free: humanBytes(free) }, [
        ctx.t('bk.sizes', { db: humanBytes(sizes.databaseBytes), redis: humanBytes(sizes.redisBytes), volumes: humanBytes(sizes.volumeBytes), config: humanBytes(sizes.configBytes) }),
      ]);
    }
  }
  const now = ctx.clock();
  const id = backupId(now, o.kind, new Set(await ctx.exec.listDir(dir)));
  const partial = join(dir, id + PARTIAL_SUFFIX);
  await ctx.exec.mkdir(partial, 0o700);
  emit({ kind: 'output', text: ctx.t('bk.starting', { id, dir: join(dir, id), need: humanBytes(need), free: free === null ? '?' : humanBytes(free), compression: c, encryption: pass ? 'gpg AES-256' : ctx.t('bk.none') }) });
  const suffix = `${EXT[c]}${pass ? '.gpg' : ''}`;
  const files: FileEntry[] = [];

  // 1. Database, then the binary logs closed up to its consistent point.
  emit({ kind: 'output', text: ctx.t(method.method === 'physical' ? 'ph.method.physical' : 'ph.method.logical', { tool: method.method === 'physical' ? physicalTool(db).tool : db.engine.dump.tool }) });
  const mysqlImage = requireRunning(cs, 'mysql').imageId;
  const dbPart = method.method === 'physical'
    ? await physicalPart(ctx, s, { db, image: mysqlImage, partial, suffix, c, pass, emit, expect: sizes.databaseBytes, version })
    : await logicalPart(ctx, s, { db, dbs, partial, suffix, c, pass, emit, expect: sizes.databaseBytes });
  files.push(dbPart.file);
  // Files opened before the oldest kept backup's point file are not copied: retention drops them.
  const from = oldestPoint(await listBackups(ctx, s.installDir))?.fileStartedAt ?? null;
  const archived = db.engine.binlog ? await archiveBinlogs(ctx, s, db, { flush: true, pass, emit, c, from }) : null;
  const binlog = dbPart.point(archived ? openedAt(archived.index, archived.live) : () => null);
  const dbMeta: NonNullable<Manifest['database']> = {
    engine: plan.database.engine, serverVersion: version, image: plan.database.image, dumpTool: dbPart.tool, method: method.method,
    databases: dbPart.databases, tables: dbPart.tables, ...(dbPart.checksums ? { checksums: dbPart.checksums } : {}), binlog,
  };

  // 2. Redis: a fresh snapshot, then its files.
  let redisMeta: Manifest['redis'] = null;
  if (redis && plan.redis) {
    const mount = await volumeMountpoint(ctx, volumeName(s.project, 'redis-data'));
    if (!mount) throw opError('err.bk.volumeMissing', { volume: volumeName(s.project, 'redis-data') });
    const snap = await redisSnapshot(ctx, cache, redis.id);
    // Redis 7 keeps its AOF in a folder; older ones in one file.
    const members = ['dump.rdb'];
    for (const aof of ['appendonlydir', 'appendonly.aof']) if (await ctx.exec.exists(join(mount, aof))) members.push(aof);
    const name = `redis.tar${suffix}`;
    const r = await store(ctx, {
      dir: partial, name, c, pass, emit, label: 'redis', expect: sizes.redisBytes,
      source: [{ cmd: 'tar', args: ['-C', mount, '--numeric-owner', '-cf', '-', ...members] }],
    });
    files.push({ name, kind: 'redis', ...r });
    const after = parseInfo(await redisCli(ctx, cache, redis.id, 'INFO persistence\n'));
    // A save that finished while we copied replaced dump.rdb: the copy may not be our snapshot.
    if (saveMark(after) !== snap.saveTime) throw opError('err.bk.redisRaced');
    const keys = Object.values(snap.keyspace).reduce((n, k) => n + k, 0);
    redisMeta = { version: snap.version, image: plan.redis.image, keys, keyspace: snap.keyspace };
  }

  // 3. Data volumes, read on the host where the Engine keeps them.
  const volumes: string[] = [];
  for (const v of dataVolumes(s)) {
    const mount = await volumeMountpoint(ctx, volumeName(s.project, v));
    if (!mount) continue;
    const name = `volume-${v}.tar${suffix}`;
    const r = await store(ctx, {
      dir: partial, name, c, pass, emit, label: v, expect: await folderBytes(ctx, mount),
      // A file changed while read is still archived (tar exits 1 then): uploads go on during a backup.
      source: [{ cmd: 'sh', args: ['-c', 'tar -C "$1" --numeric-owner -cf - . ; s=$?; [ $s -le 1 ] || exit $s', 'sh', mount] }],
    });
    files.push({ name, kind: 'volume', volume: v, ...r });
    volumes.push(v);
  }

  // 4. The stack's config: compose file, .env, answers, rendered configs, certificates.
  const cfg = `config.tar${suffix}`;
  const r = await store(ctx, {
    dir: partial, name: cfg, c, pass, emit, label: 'config', expect: sizes.configBytes,
    source: [{ cmd: 'tar', args: ['-C', s.installDir, ...CONFIG_EXCLUDES.map((e) => `--exclude=${e}`), '-cf', '-', '.'] }],
  });
  files.push({ name: cfg, kind: 'config', ...r });

  const manifest: Manifest = {
    format: 1,
    id,
    project: s.project,
    kind: o.kind,
    createdAt: now.toISOString(),
    durationMs: Date.now() - t0,
    tool: { version: VERSION, templateVersion: TEMPLATE_VERSION },
    compression: c,
    encryption: pass ? { method: 'gpg-symmetric-aes256' } : null,
    database: dbMeta,
    redis: redisMeta,
    volumes,
    files,
    ...(o.images ? { images: o.images } : {}),
  };
  await ctx.exec.writeFiles([{ path: join(partial, MANIFEST_FILE), content: manifestText(manifest), mode: 0o600 }]);
  const final = join(dir, id);
  await ctx.exec.run('mv', ['-T', partial, final]);
  let removed: string[] = [];
  if (!o.noRetention) {
    removed = await applyRetention(ctx, s.installDir, s.prepared.plan.backup.keep, new Set([id, ...(o.protect ?? [])]));
    const pruned = await pruneArchive(ctx, s.installDir, oldestPoint(await listBackups(ctx, s.installDir)));
    if (pruned.length) ctx.exec.note(`binlog archive: ${pruned.length} file(s) older than every backup removed`);
  }
  return { id, dir: final, manifest, removed };
}

/** The oldest binlog point among complete backups (what the archive must still hold). */
export function oldestPoint(list: readonly BackupSummary[]): BinlogPoint | null {
  const points = list.map((b) => b.manifest?.database?.binlog ?? null).filter((p): p is BinlogPoint => p !== null);
  return points.sort((a, b) => a.at.localeCompare(b.at))[0] ?? null;
}

/** When the file `name` holding a point of time `at` was opened: the latest file of that name opened before it. */
const openedAt = (index: BinlogIndex, live: readonly LiveBinlog[]) => (name: string, at: string): string | null => {
  const firsts = [...index.files.filter((f) => f.name === name).map((f) => f.first), ...live.filter((l) => l.name === name && l.first).map((l) => l.first!)];
  return firsts.filter((f) => f <= at).sort().pop() ?? null;
};

interface DbPart {
  file: FileEntry;
  tool: string;
  databases: string[];
  tables: Record<string, number>;
  checksums: Record<string, string | null> | null;
  /** The binlog point, given how to find when a file was opened (known once the archive has run). */
  point(openedAt: (name: string, at: string) => string | null): BinlogPoint | null;
}

interface PartOptions { db: SqlTarget; partial: string; suffix: string; c: Compression; pass: string | null; emit: Emit; expect: number }

/** The physical copy, stored and proven (steps/physical.ts). */
async function physicalPart(ctx: Context, s: Stack, o: PartOptions & { image: string; version: string }): Promise<DbPart> {
  const p = physicalTool(o.db);
  const name = physicalFileName(p, o.suffix);
  // Unpacked inside the partial backup: a killed run's leftovers go with it.
  const staging = join(o.partial, 'copy');
  const { stored, coordinates, at } = await copyDatabase(ctx, {
    db: o.db, image: o.image, serverVersion: o.version, staging, cores: s.prepared.facts.cpu.cores, emit: o.emit,
    store: (source, tee) => store(ctx, { dir: o.partial, name, c: o.c, pass: o.pass, emit: o.emit, label: 'database', expect: o.expect, source, tee }),
  });
  await prepareCopy(ctx, p, o.image, staging, o.emit);
  const proof = await proveCopy(ctx, s, { image: o.image, dir: staging, name: `sw-proof-${s.project}-${process.pid}`, databases: null, engine: o.db.engine }, o.emit);
  await removeTree(ctx, staging);
  return {
    file: { name, kind: 'database', ...stored },
    tool: p.tool,
    databases: proof.databases,
    tables: proof.tables,
    checksums: proof.checksums,
    point: (opened) => copyPoint(coordinates, proof.gtid, at, (f) => opened(f, at)),
  };
}

/** The logical dump, row-counted as it streams; its snapshot's binlog position from its comment line. */
async function logicalPart(ctx: Context, s: Stack, o: PartOptions & { dbs: string[] }): Promise<DbPart> {
  const dump = o.db.engine.dump;
  const counter = dump.rowCounter();
  const head = new HeadCollector();
  const name = `database.sql${o.suffix}`;
  const flags = o.db.engine.binlog?.dumpFlags ?? [];
  // CHECKSUM TABLE before and after the dump: a table equal in both did not change while it was dumped (#19).
  const sumsBefore = await tableChecksums(ctx, o.db, o.dbs);
  const d = await store(ctx, {
    dir: o.partial, name, c: o.c, pass: o.pass, emit: o.emit, label: 'database', expect: o.expect,
    tap: (b) => {
      counter.push(b);
      head.push(b);
    },
    source: [{ cmd: 'docker', args: ['exec', o.db.container, ...dump.argv, ...flags, ...dump.args(o.dbs)] }],
  });
  // The snapshot was taken before the dump ended: its end is an upper bound of the point.
  const at = ctx.clock().toISOString();
  const checksums = stableChecksums(sumsBefore, await tableChecksums(ctx, o.db, o.dbs));
  const coords = parseDumpCoordinates(head.text());
  // A replay skips by GTID on MySQL with GTIDs on: the live server's executed set, kept by a dump's
  // load, would have it skip the very transactions to replay. Positions serve elsewhere.
  const gtid = o.db.engine.binlog?.gtidModeSql ? (await sqlQuery(ctx, o.db, o.db.engine.binlog.gtidModeSql))[0]?.[0] === 'ON' : false;
  return {
    file: { name, kind: 'database', ...d },
    tool: dump.tool,
    databases: o.dbs,
    tables: counter.counts(),
    checksums,
    point: (opened) => (coords ? { file: coords.file, position: coords.position, gtid: null, fileStartedAt: opened(coords.file, at), at, replay: gtid ? null : 'position' } : null),
  };
}
