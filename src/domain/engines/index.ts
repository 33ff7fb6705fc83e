// The database engines a stack can run, each a module behind DbEngine (types.ts). The answers'
// `database.engine`, the plan, the backup manifest and the wizard's choices all read this list:
// adding an engine is a module and a line here (docs/ARCHITECTURE.md, "Adding a database engine").
import { RELEASES } from '../releases.js';
import { parseVersion, tagVersion, type Version } from '../version-tag.js';
import { MARIADB } from './mariadb.js';
import { MYSQL } from './mysql.js';
import type { DbEngine } from './types.js';

export type { BinlogTool, DbEngine, DbSettings, DbSizing, DbSizingTraits, OptionTable, PhysicalBackupTool, ServerOption } from './types.js';

/** In the order the wizard offers them; the first is the default. */
export const DB_ENGINES = { mysql: MYSQL, mariadb: MARIADB } as const satisfies Record<string, DbEngine>;
export type DbEngineId = keyof typeof DB_ENGINES;
export const DB_ENGINE_IDS = Object.keys(DB_ENGINES) as [DbEngineId, ...DbEngineId[]];
export const DEFAULT_DB_ENGINE: DbEngineId = DB_ENGINE_IDS[0];

export function dbEngine(id: DbEngineId): DbEngine {
  return DB_ENGINES[id];
}

export const isDbEngineId = (v: unknown): v is DbEngineId => typeof v === 'string' && Object.hasOwn(DB_ENGINES, v);

/** The engine a form value names, else the default (a draft the operator has not filled in yet). */
export function dbEngineIdOr(v: unknown): DbEngineId {
  return isDbEngineId(v) ? v : DEFAULT_DB_ENGINE;
}

/** The server version the config targets: from the image tag when it parses (an override may pin a patch release), else the series' pin. */
export function dbServerVersion(id: DbEngineId, image: string, series: string): Version {
  const pinned = dbEngine(id).images[series];
  return tagVersion(image, pinned ?? '') ?? parseVersion(series) ?? { major: 0, minor: 0, patch: 0 };
}

/**
 * A new stack may not start on a series past its end of life (`database.version`, exit 2); the
 * stack that already runs it (the same engine and series in its saved answers) keeps it, for
 * status, backup, restore, doctor and update.
 */
export function endedSeriesRefusal(
  wanted: { engine: DbEngineId; version?: string | undefined },
  saved: { engine?: unknown; version?: unknown } | null,
): { engine: string; series: string; eol: string; supported: string; next: string } | null {
  const e = dbEngine(wanted.engine);
  const series = wanted.version ?? e.defaultSeries;
  if (e.offered.includes(series)) return null;
  if (saved && saved.engine === wanted.engine && saved.version === series) return null;
  const eol = RELEASES.find((r) => r.product === wanted.engine && r.series === series)?.eol ?? '?';
  return { engine: e.label, series, eol, supported: e.offered.join(', '), next: e.upgradeTargets(series)[0] ?? e.defaultSeries };
}
