// The worst-case memory of a running MySQL/MariaDB server, from its own SHOW GLOBAL VARIABLES
// (mysqltuner's formula plus what sizing.ts counts besides): what doctor can check on a live server
// and what the tests check on the real MariaDB and on the rendered MySQL file. What differs per
// engine (its performance_schema, its temporary-table pool, its defaults) comes from its module.
import { DB_ENGINES, DB_ENGINE_IDS, dbEngine, type DbEngineId } from './engines/index.js';

const MiB = 1024 * 1024;

/** Server code, data dictionary and the like: the part no variable sizes (sizing.ts's 96 MiB less the 8 MiB key cache, counted here from its variable). */
export const SERVER_BASE_MIB = 88;
/** In-memory temporary tables counted at once where the engine has no global pool (MySQL's is bounded by temptable_max_ram). */
export const CONCURRENT_TMP_TABLES = 4;

export interface MysqlMemory {
  globalMiB: number;
  perConnectionKiB: number;
  maxConnections: number;
  worstCaseMiB: number;
}

const num = (vars: Record<string, string>, name: string, fallback = 0): number => {
  const v = vars[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${name} is not a number: ${v}`);
  return n;
};
const on = (v: string | undefined) => v !== undefined && /^(on|1|yes|true)$/i.test(v);

/** `vars`: variable name → value in bytes (as SHOW VARIABLES prints them); `engine` picks the engine's own buffers. */
export function worstCaseFromVariables(vars: Record<string, string>, engine: DbEngineId): MysqlMemory {
  const traits = dbEngine(engine).sizing;
  const pool = num(vars, 'innodb_buffer_pool_size');
  const tmp = Math.max(num(vars, 'tmp_table_size'), num(vars, 'max_heap_table_size'));
  const global =
    pool +
    // Adaptive hash index: about 3 % of the pool.
    pool * 0.03 +
    num(vars, 'innodb_log_buffer_size') +
    num(vars, 'key_buffer_size') +
    num(vars, 'query_cache_size') +
    num(vars, 'aria_pagecache_buffer_size') +
    (traits.tempTablePool ? num(vars, 'temptable_max_ram', tmp * CONCURRENT_TMP_TABLES) : tmp * CONCURRENT_TMP_TABLES) +
    (on(vars.performance_schema) ? traits.pfsMiB * MiB : 0) +
    SERVER_BASE_MIB * MiB;
  const perConn =
    num(vars, 'sort_buffer_size') +
    num(vars, 'join_buffer_size') +
    num(vars, 'read_buffer_size') +
    num(vars, 'read_rnd_buffer_size') +
    num(vars, 'thread_stack') +
    num(vars, 'binlog_cache_size') +
    num(vars, 'net_buffer_length');
  const maxConnections = num(vars, 'max_connections');
  return {
    globalMiB: Math.ceil(global / MiB),
    perConnectionKiB: Math.ceil(perConn / 1024),
    maxConnections,
    worstCaseMiB: Math.ceil((global + maxConnections * perConn) / MiB),
  };
}

/** Defaults of the per-connection variables a my.cnf leaves alone, per engine, for computing from a file. */
export const SERVER_DEFAULTS = Object.fromEntries(DB_ENGINE_IDS.map((id) => [id, DB_ENGINES[id].sizing.serverDefaults])) as Readonly<
  Record<DbEngineId, Readonly<Record<string, string>>>
>;

/** Option-file sizes (64M, 256K, 1G) in bytes; plain numbers pass through. */
export function sizeToBytes(v: string): string {
  const m = /^(\d+)([KMG])?$/i.exec(v.trim());
  if (!m) return v;
  const mult = { K: 1024, M: MiB, G: 1024 * MiB }[(m[2] ?? '').toUpperCase() as 'K' | 'M' | 'G'] ?? 1;
  return String(Number(m[1]) * mult);
}
