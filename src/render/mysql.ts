// my.cnf for the engine and version the plan targets (MySQL 8.0 / 8.4, MariaDB 10.11 / 11.x),
// sized by the plan (src/domain/sizing.ts). Every option is checked against the version table
// (src/domain/mysql-options.ts) before it is written: a refused or deprecated option throws here.
import { checkMysqlOptions } from '../domain/mysql-options.js';
import type { Plan } from '../domain/plan.js';
import { perConnectionKiB } from '../domain/sizing.js';
import { parseVersion, versionAtLeast } from '../domain/versions.js';
import { toIni, type IniOption } from './format/ini.js';
import { HOST } from './paths.js';
import { file, type RenderedFile } from './types.js';

const M = (mib: number) => `${mib}M`;
const K = (kib: number) => `${kib}K`;

/** MySQL ≥ 8.0.30 sizes the redo log with innodb_redo_log_capacity; before, with two log files. */
export function usesRedoLogCapacity(plan: Plan): boolean {
  const v = parseVersion(plan.database.serverVersion);
  return plan.database.engine === 'mysql' && v !== null && versionAtLeast(v, 8, 0, 30);
}

/**
 * MariaDB 11 keeps the whole redo log in memory as its log buffer (11.8 shows innodb_log_buffer_size =
 * the redo size less its 12 KiB header). Not seen on 11.4, which cannot run here; counting the redo
 * size as buffer memory is the larger figure, so the sum errs on the safe side there.
 */
export function logBufferIsRedo(plan: Plan): boolean {
  const v = parseVersion(plan.database.serverVersion);
  return plan.database.engine === 'mariadb' && v !== null && v.major >= 11;
}

export function mysqlOptions(plan: Plan): IniOption[] {
  const db = plan.database;
  const mysql = db.engine === 'mysql';
  const o: IniOption[] = [];
  const add = (name: string, value: string | number | null, comment?: string) => o.push(comment ? { name, value, comment } : { name, value });

  add('character_set_server', 'utf8mb4', 'Full Unicode (emoji included).');
  // MySQL's default, fastest UCA collation; MariaDB's most widely understood utf8mb4 one (dumps import anywhere).
  add('collation_server', mysql ? 'utf8mb4_0900_ai_ci' : 'utf8mb4_unicode_ci');
  add('skip-name-resolve', null, 'Clients are matched by address: no DNS lookup per connection, no stall when DNS is slow.');

  add('max_connections', db.maxConnections, `Sized so that every connection at its worst fits the container (see the sum at the top).`);
  // A client that fails this often is blocked until FLUSH HOSTS; app restarts must not trip it.
  add('max_connect_errors', 10000);
  add('max_allowed_packet', '64M', 'Large rows and bulk inserts; the client library must allow the same.');

  add('innodb_buffer_pool_size', M(db.bufferPoolMiB), 'The working set of the data and indexes, cached in memory.');
  if (mysql) {
    add('innodb_buffer_pool_instances', db.bufferPoolInstances, 'One instance per GiB of pool (fewer mutex waits).');
    add('innodb_buffer_pool_chunk_size', M(db.bufferPoolChunkMiB!), 'MySQL rounds the pool up to chunk × instances; the pool is a multiple, so it runs as planned.');
  }
  if (usesRedoLogCapacity(plan)) {
    add('innodb_redo_log_capacity', M(db.redoLogMiB), 'About an hour of writes at this size: fewer checkpoints, bounded crash recovery.');
  } else if (mysql) {
    // Before 8.0.30 the redo log is a group of files; two files make up the same capacity.
    add('innodb_log_file_size', M(Math.max(48, Math.floor(db.redoLogMiB / 2))), 'Two redo files make up the planned redo capacity (MySQL before 8.0.30).');
    add('innodb_log_files_in_group', 2);
  } else {
    add('innodb_log_file_size', M(db.redoLogMiB), 'MariaDB has one redo log file; about an hour of writes at this size.');
  }
  // MariaDB 11 sizes its log buffer to the redo log itself (counted in the sum above); 11.8 ignores this setting.
  if (!logBufferIsRedo(plan)) add('innodb_log_buffer_size', M(db.logBufferMiB));
  add('innodb_flush_log_at_trx_commit', 1, 'Durable commits: a crash loses no committed transaction.');

  add('sort_buffer_size', K(db.sortBufferKiB), 'Per-connection buffers: the worst case is max_connections times their sum.');
  add('join_buffer_size', K(db.joinBufferKiB));
  add('read_buffer_size', K(db.readBufferKiB));
  add('read_rnd_buffer_size', K(db.readRndBufferKiB));
  add('tmp_table_size', M(db.tmpTableMiB), 'In-memory temporary tables per query; larger ones go to disk.');
  add('max_heap_table_size', M(db.tmpTableMiB));
  if (mysql) add('temptable_max_ram', M(db.tmpTableMiB * 4), 'MySQL 8 shares one TempTable pool; its default (1 GiB or 3 % of the host) ignores the container limit.');
  add('key_buffer_size', M(db.keyBufferMiB), 'MyISAM index cache; the tables are InnoDB.');
  if (!mysql) {
    add('aria_pagecache_buffer_size', M(db.ariaPagecacheMiB!), 'Aria holds the system tables and on-disk temporary tables; the 128M default is too much for a container.');
    add('query_cache_type', 0, 'The query cache serialises writes on a busy server; keep it off.');
    add('query_cache_size', 0);
  }
  add('performance_schema', db.performanceSchema ? 'ON' : 'OFF', db.performanceSchema ? 'Statement and wait statistics for troubleshooting.' : 'Off on small hosts: it costs 100–200 MiB.');

  add('slow_query_log', 'ON', 'Queries slower than long_query_time go to slow.log in the data directory.');
  add('slow_query_log_file', 'slow.log');
  add('long_query_time', (db.slowQueryMs / 1000).toFixed(3));

  add('log_bin', 'binlog', 'Binary log for point-in-time recovery between backups; a fixed name survives container re-creation.');
  add('server_id', 1);
  add('binlog_expire_logs_seconds', db.binlogExpireSeconds, `Keep ${Math.round(db.binlogExpireSeconds / 86400)} days of binary logs.`);
  return o;
}

export function renderMysqlCnf(plan: Plan): RenderedFile {
  const db = plan.database;
  const options = mysqlOptions(plan);
  const problems = checkMysqlOptions(db.engine, db.serverVersion, options.map((x) => x.name));
  if (problems.length) throw new Error(`my.cnf for ${db.engine} ${db.serverVersion}: ${problems.map((p) => p.message).join('; ')}`);
  const limit = plan.services.find((s) => s.name === 'mysql')!.memoryMiB;
  const perConn = perConnectionKiB(db);
  const header = [
    `Generated by stack-wizard for "${plan.project}" (template ${plan.templateVersion}): ${db.engine === 'mysql' ? 'MySQL' : 'MariaDB'} ${db.serverVersion} (${db.image}), preset ${plan.sizing.tier}.`,
    `Memory worst case: buffer pool ${db.bufferPoolMiB} MiB + server ${db.globalOverheadMiB} MiB + ${db.maxConnections} connections × ${perConn} KiB`,
    `= ${db.worstCaseMiB} MiB, inside the container limit of ${limit} MiB.`,
    'Edit the answers and re-render instead of editing this file.',
  ].join('\n');
  return file(HOST.mysqlCnf, toIni([{ name: 'mysqld', options }], header));
}
