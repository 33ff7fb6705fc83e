// Backups as data: IDs, the manifest, retention, version compatibility and the space estimate.
// Pure: the steps in src/steps/backup*.ts do the work and call these for every decision.
import { z } from 'zod';
import { ServiceImageSchema } from './update-journal.js';
import { DB_ENGINE_IDS, type DbEngineId } from './engines/index.js';
import { parseVersion, type Version } from './versions.js';
import { BinlogPointSchema } from './binlog.js';
import type { DbEngine } from './engines/types.js';

/** How the database part is stored: a dump replayed through SQL, or a copy of the data directory. */
export const DB_METHODS = ['logical', 'physical'] as const;
export type DbMethod = (typeof DB_METHODS)[number];

/** Why a backup was taken; the pre-* ones are taken by restore and update before they change anything. */
export const BACKUP_KINDS = ['manual', 'scheduled', 'pre-restore', 'pre-update'] as const;
export type BackupKind = (typeof BACKUP_KINDS)[number];

export const MANIFEST_FILE = 'manifest.json';
/** A backup being written lives under this name until it is complete, so a crash never leaves a folder that looks whole. */
export const PARTIAL_SUFFIX = '.partial';

const FileEntrySchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
  kind: z.enum(['database', 'redis', 'volume', 'config']),
  /** The compose volume for kind `volume`. */
  volume: z.string().optional(),
  /** Size and SHA-256 of the file as stored (compressed, and encrypted when it is). */
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Bytes before compression (the dump's or the tar stream's size). */
  rawBytes: z.number().int().nonnegative(),
});
export type FileEntry = z.infer<typeof FileEntrySchema>;

export const ManifestSchema = z.strictObject({
  format: z.literal(1),
  id: z.string(),
  project: z.string(),
  kind: z.enum(BACKUP_KINDS),
  createdAt: z.string(),
  durationMs: z.number().int().nonnegative(),
  tool: z.strictObject({ version: z.string(), templateVersion: z.number().int() }),
  compression: z.enum(['zstd', 'gzip']),
  encryption: z.strictObject({ method: z.literal('gpg-symmetric-aes256') }).nullable(),
  database: z
    .strictObject({
      engine: z.enum(DB_ENGINE_IDS),
      /** `SELECT VERSION()` of the server that was dumped, e.g. 10.11.14-MariaDB-0+deb12u2. */
      serverVersion: z.string(),
      image: z.string(),
      dumpTool: z.string(),
      /** Absent in backups taken before physical ones existed: those are logical. */
      method: z.enum(DB_METHODS).optional(),
      databases: z.array(z.string()),
      /** Rows per `db.table` as the dump holds them (physical: as a server started on the copy counts them): verify compares. */
      tables: z.record(z.string(), z.number().int().nonnegative()),
      /**
       * CHECKSUM TABLE per `db.table`; null where it is not compared (a table that changed while it
       * was dumped, or larger than the copy's checksum limit). Absent in older backups.
       */
      checksums: z.record(z.string(), z.string().nullable()).optional(),
      /** The binary log position of the copy's consistent point; null when the server had no binary log. */
      binlog: BinlogPointSchema.nullable().optional(),
    })
    .nullable(),
  redis: z
    .strictObject({
      version: z.string(),
      image: z.string(),
      /** Keys in the snapshot (writes were paused for the instant of the fork): verify compares. */
      keys: z.number().int().nonnegative(),
      keyspace: z.record(z.string(), z.number().int().nonnegative()),
    })
    .nullable(),
  volumes: z.array(z.string()),
  files: z.array(FileEntrySchema),
  /** A pre-update backup: the image (ID, registry digests) each service ran, which the update may replace. */
  images: z.record(z.string(), ServiceImageSchema).optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** Parses a manifest's text; null with the reason when it is not one. */
export function parseManifest(text: string): { manifest: Manifest } | { error: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
  const r = ManifestSchema.safeParse(data);
  if (!r.success) return { error: r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ') };
  return { manifest: r.data };
}

export const manifestText = (m: Manifest) => `${JSON.stringify(m, null, 2)}\n`;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * `20260315-031500` (UTC, so IDs sort by time whatever the host's zone), a kind suffix for the
 * safety backups (`-pre-restore`), and `-2`, `-3` … when that name is taken (two in one second).
 */
export function backupId(at: Date, kind: BackupKind, taken: ReadonlySet<string> = new Set()): string {
  const stamp = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}-${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
  const base = kind === 'manual' || kind === 'scheduled' ? stamp : `${stamp}-${kind}`;
  if (!taken.has(base) && !taken.has(base + PARTIAL_SUFFIX)) return base;
  for (let i = 2; ; i++) {
    const id = `${base}-${i}`;
    if (!taken.has(id) && !taken.has(id + PARTIAL_SUFFIX)) return id;
  }
}

export const ID_RE = /^\d{8}-\d{6}(?:-(?:pre-restore|pre-update))?(?:-\d+)?$/;
/** An ID as `backup` writes them: nothing else (no `/`, no `..`) ever names a folder under backups/. */
export const isBackupId = (s: string) => s.length <= 64 && ID_RE.test(s);

/** Schemas of the server itself: restore drops and reloads every database a manifest names, never these. */
export const SYSTEM_SCHEMAS = ['mysql', 'information_schema', 'performance_schema', 'sys'] as const;

export type BoundsProblem =
  | { kind: 'volume'; volume: string; allowed: string }
  | { kind: 'database'; name: string };

/**
 * What a manifest may make restore replace is bounded by the stack, not by the manifest: only the
 * stack's own data volumes (from its compose file; never the database's or Redis's volumes, which
 * come back from their dump and snapshot) and only user databases. Null when within bounds.
 */
export function manifestBoundsProblem(m: Manifest, dataVolumes: readonly string[]): BoundsProblem | null {
  const allowed = dataVolumes.join(', ') || '-';
  const named = [...m.volumes, ...m.files.filter((f) => f.kind === 'volume').map((f) => f.volume ?? '')];
  for (const v of named) if (!dataVolumes.includes(v)) return { kind: 'volume', volume: v, allowed };
  for (const d of m.database?.databases ?? []) if ((SYSTEM_SCHEMAS as readonly string[]).includes(d.toLowerCase())) return { kind: 'database', name: d };
  return null;
}

export interface BackupSummary { id: string; createdAt: string; kind: BackupKind; bytes: number; manifest: Manifest | null; error: string | null }

/** Newest first: by creation time, then by ID (both sort as text). */
export function newestFirst<T extends { id: string; createdAt: string }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

/**
 * Which backups retention removes: everything but the `keep` newest complete ones. A backup in
 * `protect` (the one a restore in progress relies on, the one just taken) is never removed, nor
 * one whose manifest cannot be read (an operator should look at it, not lose it silently).
 */
export function retentionVictims(list: readonly BackupSummary[], keep: number, protect: ReadonlySet<string> = new Set()): string[] {
  const complete = newestFirst(list.filter((b) => b.manifest !== null));
  return complete.slice(Math.max(0, keep)).map((b) => b.id).filter((id) => !protect.has(id));
}

// ---------------------------------------------------------------- compatibility

export type Compat =
  | { ok: true }
  | { ok: false; reason: 'engine'; backup: string; current: string }
  | { ok: false; reason: 'newer'; what: 'database' | 'redis'; backup: string; current: string }
  | { ok: false; reason: 'physical-series'; backup: string; current: string }
  | { ok: false; reason: 'unknown-version'; what: 'database' | 'redis'; backup: string; current: string };

const majorMinor = (v: Version) => v.major * 1000 + v.minor;

export const methodOf = (m: Manifest): DbMethod => m.database?.method ?? 'logical';

/**
 * Whether a backup can be restored into the running stack. Never across engines (MariaDB's dump
 * uses collations and syntax MySQL lacks, and the other way round; a data directory is the
 * engine's own format). A physical copy starts only on the series that wrote it: a newer series
 * upgrades files in place through its own upgrade path, an older one cannot read them, and the
 * copy is prepared by the tool of the server that made it. A logical dump loads into the same or a
 * later series, never into an older one (a newer server's dump may use what the older one lacks). An RDB file loads into the Redis that
 * wrote it or a later one; an older Redis refuses newer RDB versions.
 */
export function compatibility(backup: Manifest, current: { engine: DbEngineId | null; dbVersion: string | null; redisVersion: string | null }): Compat {
  const db = backup.database;
  if (db && current.engine) {
    if (db.engine !== current.engine) return { ok: false, reason: 'engine', backup: db.engine, current: current.engine };
    const b = parseVersion(db.serverVersion);
    const c = current.dbVersion ? parseVersion(current.dbVersion) : null;
    if (!b || !c) return { ok: false, reason: 'unknown-version', what: 'database', backup: db.serverVersion, current: current.dbVersion ?? '?' };
    if (methodOf(backup) === 'physical') {
      if (majorMinor(b) !== majorMinor(c)) return { ok: false, reason: 'physical-series', backup: db.serverVersion, current: current.dbVersion! };
    } else if (majorMinor(b) > majorMinor(c)) return { ok: false, reason: 'newer', what: 'database', backup: db.serverVersion, current: current.dbVersion! };
  }
  const r = backup.redis;
  if (r && current.redisVersion) {
    const b = parseVersion(r.version);
    const c = parseVersion(current.redisVersion);
    if (!b || !c) return { ok: false, reason: 'unknown-version', what: 'redis', backup: r.version, current: current.redisVersion };
    if (majorMinor(b) > majorMinor(c)) return { ok: false, reason: 'newer', what: 'redis', backup: r.version, current: current.redisVersion };
  }
  return { ok: true };
}

/**
 * How the database part of a backup is taken. A physical copy where the engine has a tool the
 * server is recent enough for and it is asked for (`backup --physical`) or the engine's default
 * (MariaDB's mariadb-backup, #18.1); else a dump (`backup --logical`, MySQL's default this round,
 * and what reaches another engine or an older series).
 */
export function backupMethod(engine: DbEngine, serverVersion: string, requested?: DbMethod): { method: DbMethod; why: 'requested' | 'default' | 'no-tool' | 'too-old' } {
  const why = requested ? 'requested' : 'default';
  const tool = engine.physicalBackup;
  if (requested === 'logical' || (!requested && !tool?.byDefault)) return { method: 'logical', why };
  if (!tool) return { method: 'logical', why: 'no-tool' };
  const v = parseVersion(serverVersion);
  const since = parseVersion(tool.since)!;
  if (!v || v.major * 1e6 + v.minor * 1e3 + v.patch < since.major * 1e6 + since.minor * 1e3 + since.patch) return { method: 'logical', why: 'too-old' };
  return { method: 'physical', why };
}

// ---------------------------------------------------------------- space

export interface SizeInputs {
  /** InnoDB data + index bytes of the databases that will be dumped (information_schema). */
  databaseBytes: number;
  /** The current RDB file plus the AOF folder. */
  redisBytes: number;
  /** Sum of the data volumes' sizes. */
  volumeBytes: number;
  configBytes: number;
}

/** Headroom kept free on the backup disk: a full disk stops MySQL and Docker, not just the backup. */
export const SPACE_RESERVE_BYTES = 512 * 1024 ** 2;

/**
 * Bytes a backup needs, before it is taken. A logical dump is about as large as the data it comes
 * from (index pages are not dumped, text encoding grows numbers: the two roughly cancel), and we
 * give compression no credit beyond half (SQL text compresses 4–10×, but blobs and uploads are
 * often compressed already). Redis files, volumes and config are counted whole.
 */
export function estimateBackupBytes(s: SizeInputs, method: DbMethod = 'logical'): number {
  // A physical copy is unpacked beside the backup too (a server started on it counts its rows):
  // the data's size once more, for the length of the backup. InnoDB pages compress about as well as a dump.
  const db = method === 'physical' ? s.databaseBytes * 1.5 : s.databaseBytes * 0.5;
  return Math.ceil(db + s.redisBytes + s.volumeBytes + s.configBytes);
}

/** CHECKSUM TABLE reads every row (100–200 MB/s here) twice per dump: bigger tables get a row count only. */
export const CHECKSUM_LIMIT_BYTES = 256 * 1024 ** 2;

export function spaceVerdict(needBytes: number, freeBytes: number): { ok: boolean; needBytes: number; freeBytes: number } {
  return { ok: freeBytes >= needBytes + SPACE_RESERVE_BYTES, needBytes: needBytes + SPACE_RESERVE_BYTES, freeBytes };
}

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;
/** `1.2 GiB`, `340 MiB`, `12 KiB`: sizes as the operator reads them. */
export function humanBytes(n: number): string {
  if (n >= GiB) return `${(n / GiB).toFixed(n >= 10 * GiB ? 0 : 1)} GiB`;
  if (n >= MiB) return `${(n / MiB).toFixed(n >= 10 * MiB ? 0 : 1)} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} B`;
}

/** Table names of a manifest's `db.table` keys that differ between two row-count maps. */
export function rowCountDiff(expected: Record<string, number>, actual: Record<string, number>): { table: string; expected: number | null; actual: number | null }[] {
  const out = [];
  for (const t of [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort()) {
    const e = expected[t] ?? null;
    const a = actual[t] ?? null;
    if (e !== a) out.push({ table: t, expected: e, actual: a });
  }
  return out;
}

/** Checksums taken before and after the dump, merged: a table whose two values differ changed meanwhile (null). */
export function stableChecksums(before: Record<string, string | null>, after: Record<string, string | null>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const t of Object.keys(after).sort()) out[t] = before[t] !== undefined && before[t] === after[t] ? after[t]! : null;
  return out;
}

/**
 * Tables whose CHECKSUM TABLE after loading differs from the manifest's. Compared only where both
 * sides have a value: null is a table that changed while it was dumped, or one above the size
 * limit on either server (its row count is compared instead).
 */
export function checksumDiff(expected: Record<string, string | null>, actual: Record<string, string | null>): { table: string; expected: string; actual: string }[] {
  const out = [];
  for (const [t, e] of Object.entries(expected).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const a = actual[t] ?? null;
    if (e === null || a === null) continue;
    if (a !== e) out.push({ table: t, expected: e, actual: a });
  }
  return out;
}

/** How many tables checksumDiff compared (both sides have a value) and how many it could not. */
export function checksumCounts(expected: Record<string, string | null>, actual: Record<string, string | null>): { compared: number; skipped: number } {
  const all = Object.keys(expected);
  const compared = all.filter((t) => expected[t] != null && actual[t] != null).length;
  return { compared, skipped: all.length - compared };
}
