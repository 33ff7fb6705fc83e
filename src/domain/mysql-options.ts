// Which server options each MySQL / MariaDB version accepts, from the vendors' manuals. The my.cnf
// generator runs checkMysqlOptions() on everything it writes, so an option the target server would
// refuse (or has deprecated) can never be rendered; tests run it on deliberately bad options too.
//
// Sources, MySQL reference manual:
//   8.0: "Server and Status Variables and Options Added, Deprecated, or Removed in MySQL 8.0"
//        https://dev.mysql.com/doc/refman/8.0/en/added-deprecated-removed.html
//   8.4: "… in MySQL 8.4 since 8.0" (covers the 8.1–8.3 innovation releases too)
//        https://dev.mysql.com/doc/refman/8.4/en/added-deprecated-removed.html
// and, for the exact release of each change, the MySQL Server Version Reference:
//   https://dev.mysql.com/doc/mysqld-version-reference/en/optvar-changes-8-0.html (8-2, 8-3, 8-4 likewise)
// MariaDB: https://mariadb.com/kb/en/server-system-variables/ and .../innodb-system-variables/
import { formatVersion, parseVersion, versionAtLeast, type Version } from './versions.js';

export type Engine = 'mysql' | 'mariadb';
type V = `${number}.${number}.${number}`;

export interface RemovedOption {
  removed: V;
  /** What to use instead, when there is something. */
  instead?: string;
  source: string;
}
export interface DeprecatedOption {
  deprecated: V;
  instead?: string;
  source: string;
}

const REFMAN_80 = 'https://dev.mysql.com/doc/refman/8.0/en/added-deprecated-removed.html';
const REFMAN_84 = 'https://dev.mysql.com/doc/refman/8.4/en/added-deprecated-removed.html';
const OPTVAR = (v: string) => `https://dev.mysql.com/doc/mysqld-version-reference/en/optvar-changes-${v}.html`;
// The 5.7 manual's query cache chapter: "deprecated as of MySQL 5.7.20, and is removed in MySQL 8.0"
// (the removal itself: WL#10824, https://dev.mysql.com/worklog/task/?id=10824).
const QUERY_CACHE = 'https://dev.mysql.com/doc/refman/5.7/en/query-cache.html';

const each = <T>(names: readonly string[], entry: T): Record<string, T> => Object.fromEntries(names.map((n) => [n, entry]));

// Removed in 8.3.0 (refman 8.4 "Options and Variables Removed in MySQL 8.4 since 8.0"; optvar-changes-8-3).
const MEMCACHED = [
  'daemon_memcached_enable_binlog', 'daemon_memcached_engine_lib_name', 'daemon_memcached_engine_lib_path', 'daemon_memcached_option',
  'daemon_memcached_r_batch_size', 'daemon_memcached_w_batch_size',
  'innodb_api_bk_commit_interval', 'innodb_api_disable_rowlock', 'innodb_api_enable_binlog', 'innodb_api_enable_mdl', 'innodb_api_trx_level',
] as const;
const REPLICATION_REPOSITORIES = ['master_info_repository', 'relay_log_info_repository'] as const;

/** The slave/master names MySQL 8.0.26 renamed (the old ones still start, with a warning): old → new. */
const RENAMED_8_0_26: Readonly<Record<string, string>> = {
  log_slave_updates: 'log_replica_updates',
  log_slow_slave_statements: 'log_slow_replica_statements',
  skip_slave_start: 'skip_replica_start',
  slave_allow_batching: 'replica_allow_batching',
  slave_checkpoint_group: 'replica_checkpoint_group',
  slave_checkpoint_period: 'replica_checkpoint_period',
  slave_exec_mode: 'replica_exec_mode',
  slave_load_tmpdir: 'replica_load_tmpdir',
  slave_max_allowed_packet: 'replica_max_allowed_packet',
  slave_net_timeout: 'replica_net_timeout',
  slave_parallel_workers: 'replica_parallel_workers',
  slave_pending_jobs_size_max: 'replica_pending_jobs_size_max',
  slave_preserve_commit_order: 'replica_preserve_commit_order',
  slave_skip_errors: 'replica_skip_errors',
  slave_sql_verify_checksum: 'replica_sql_verify_checksum',
  slave_transaction_retries: 'replica_transaction_retries',
  slave_type_conversions: 'replica_type_conversions',
  init_slave: 'init_replica',
  rpl_stop_slave_timeout: 'rpl_stop_replica_timeout',
  master_verify_checksum: 'source_verify_checksum',
  sync_master_info: 'sync_source_info',
};

/** MySQL options removed in 8.x: the server refuses to start with any of them in a config file. */
export const MYSQL_REMOVED: Readonly<Record<string, RemovedOption>> = {
  // The query cache is gone: "All query cache system variables will be removed. Trying to set them will return errors."
  ...each(['query_cache_size', 'query_cache_type', 'query_cache_limit', 'query_cache_min_res_unit', 'query_cache_wlock_invalidate'], { removed: '8.0.3', source: QUERY_CACHE } as RemovedOption),
  tx_isolation: { removed: '8.0.3', instead: 'transaction_isolation', source: REFMAN_80 },
  tx_read_only: { removed: '8.0.3', instead: 'transaction_read_only', source: REFMAN_80 },
  log_warnings: { removed: '8.0.3', instead: 'log_error_verbosity', source: REFMAN_80 },
  date_format: { removed: '8.0.3', source: REFMAN_80 },
  datetime_format: { removed: '8.0.3', source: REFMAN_80 },
  time_format: { removed: '8.0.3', source: REFMAN_80 },
  innodb_file_format: { removed: '8.0.0', source: REFMAN_80 },
  innodb_file_format_check: { removed: '8.0.0', source: REFMAN_80 },
  innodb_file_format_max: { removed: '8.0.0', source: REFMAN_80 },
  innodb_large_prefix: { removed: '8.0.0', source: REFMAN_80 },
  innodb_locks_unsafe_for_binlog: { removed: '8.0.0', source: REFMAN_80 },
  log_syslog: { removed: '8.0.13', source: OPTVAR('8-0') },
  expire_logs_days: { removed: '8.2.0', instead: 'binlog_expire_logs_seconds', source: OPTVAR('8-2') },
  // 8.3.0
  character_set_client_handshake: { removed: '8.3.0', source: OPTVAR('8-3') },
  ...each(MEMCACHED, { removed: '8.3.0', source: REFMAN_84 } as RemovedOption),
  group_replication_ip_whitelist: { removed: '8.3.0', instead: 'group_replication_ip_allowlist', source: OPTVAR('8-3') },
  group_replication_primary_member: { removed: '8.3.0', source: OPTVAR('8-3') },
  ...each(REPLICATION_REPOSITORIES, { removed: '8.3.0', source: REFMAN_84 } as RemovedOption),
  master_info_file: { removed: '8.3.0', source: REFMAN_84 },
  relay_log_info_file: { removed: '8.3.0', source: REFMAN_84 },
  slave_rows_search_algorithms: { removed: '8.3.0', source: REFMAN_84 },
  log_bin_use_v1_row_events: { removed: '8.3.0', source: REFMAN_84 },
  transaction_write_set_extraction: { removed: '8.3.0', source: REFMAN_84 },
  // 8.4.0
  admin_ssl: { removed: '8.4.0', instead: 'admin_tls_version', source: OPTVAR('8-4') },
  authentication_fido_rp_id: { removed: '8.4.0', source: OPTVAR('8-4') },
  default_authentication_plugin: { removed: '8.4.0', instead: 'authentication_policy', source: OPTVAR('8-4') },
  avoid_temporal_upgrade: { removed: '8.4.0', source: OPTVAR('8-4') },
  binlog_transaction_dependency_tracking: { removed: '8.4.0', source: OPTVAR('8-4') },
  group_replication_recovery_complete_at: { removed: '8.4.0', source: OPTVAR('8-4') },
  have_ssl: { removed: '8.4.0', source: OPTVAR('8-4') },
  have_openssl: { removed: '8.4.0', source: OPTVAR('8-4') },
  keyring_encrypted_file_data: { removed: '8.4.0', source: OPTVAR('8-4') },
  keyring_encrypted_file_password: { removed: '8.4.0', source: OPTVAR('8-4') },
};

/** Still accepted, with a warning, and on their way out: we never write them either. */
export const MYSQL_DEPRECATED: Readonly<Record<string, DeprecatedOption>> = {
  expire_logs_days: { deprecated: '8.0.3', instead: 'binlog_expire_logs_seconds', source: REFMAN_80 },
  default_authentication_plugin: { deprecated: '8.0.27', instead: 'authentication_policy', source: REFMAN_80 },
  innodb_log_file_size: { deprecated: '8.0.30', instead: 'innodb_redo_log_capacity', source: REFMAN_80 },
  innodb_log_files_in_group: { deprecated: '8.0.30', instead: 'innodb_redo_log_capacity', source: REFMAN_80 },
  binlog_format: { deprecated: '8.0.34', source: REFMAN_80 },
  // Deprecated in 8.0.35 (and in the 8.2.0 innovation release), removed in 8.3.0.
  character_set_client_handshake: { deprecated: '8.0.35', source: REFMAN_80 },
  binlog_transaction_dependency_tracking: { deprecated: '8.0.35', source: REFMAN_80 },
  // The InnoDB memcached plugin: deprecated in 8.0.22, removed in 8.3.0.
  ...each(MEMCACHED, { deprecated: '8.0.22', source: REFMAN_80 } as DeprecatedOption),
  group_replication_ip_whitelist: { deprecated: '8.0.22', instead: 'group_replication_ip_allowlist', source: REFMAN_80 },
  ...each(REPLICATION_REPOSITORIES, { deprecated: '8.0.23', source: REFMAN_80 } as DeprecatedOption),
  slave_rows_search_algorithms: { deprecated: '8.0.18', source: REFMAN_80 },
  log_bin_use_v1_row_events: { deprecated: '8.0.18', source: REFMAN_80 },
  transaction_write_set_extraction: { deprecated: '8.0.26', source: REFMAN_80 },
  admin_ssl: { deprecated: '8.0.26', instead: 'admin_tls_version', source: REFMAN_80 },
  ...Object.fromEntries(Object.entries(RENAMED_8_0_26).map(([old, instead]) => [old, { deprecated: '8.0.26', instead, source: REFMAN_80 } as DeprecatedOption])),
};

/** MariaDB options still accepted with a deprecation warning (seen in MariaDB 11.8's error log). */
export const MARIADB_DEPRECATED: Readonly<Record<string, DeprecatedOption>> = {
  // Always on; "--innodb-file-per-table is deprecated and will be removed in a future release".
  innodb_file_per_table: { deprecated: '11.0.1', source: 'https://mariadb.com/kb/en/innodb-system-variables/#innodb_file_per_table' },
};

/** MariaDB options that are gone (or were only ever MySQL's): MariaDB refuses to start with them. */
export const MARIADB_REMOVED: Readonly<Record<string, RemovedOption>> = {
  // Deprecated in 10.5.1, removed in 10.6.0: one buffer pool instance is all InnoDB uses since 10.5.
  innodb_buffer_pool_instances: { removed: '10.6.0', source: 'https://mariadb.com/kb/en/innodb-system-variables/#innodb_buffer_pool_instances' },
  innodb_log_files_in_group: { removed: '10.6.0', instead: 'innodb_log_file_size', source: 'https://mariadb.com/kb/en/innodb-system-variables/#innodb_log_files_in_group' },
  // MySQL-only names MariaDB has never had.
  innodb_redo_log_capacity: { removed: '0.0.0', instead: 'innodb_log_file_size', source: 'https://mariadb.com/kb/en/innodb-system-variables/' },
  temptable_max_ram: { removed: '0.0.0', instead: 'tmp_table_size', source: 'https://mariadb.com/kb/en/server-system-variables/' },
  default_authentication_plugin: { removed: '0.0.0', source: 'https://mariadb.com/kb/en/server-system-variables/' },
};

/**
 * Every option the generator may write, with the first version that has it. An option outside
 * this table is refused too: adding one means looking it up in the manual first.
 */
export const KNOWN_OPTIONS: Readonly<Record<Engine, Readonly<Record<string, V | readonly V[]>>>> = {
  mysql: {
    character_set_server: '8.0.0', collation_server: '8.0.0', skip_name_resolve: '8.0.0',
    max_connections: '8.0.0', max_connect_errors: '8.0.0', max_allowed_packet: '8.0.0',
    innodb_buffer_pool_size: '8.0.0', innodb_buffer_pool_instances: '8.0.0', innodb_buffer_pool_chunk_size: '8.0.0',
    // https://dev.mysql.com/doc/refman/8.0/en/innodb-parameters.html#sysvar_innodb_redo_log_capacity
    innodb_redo_log_capacity: '8.0.30',
    innodb_log_file_size: '8.0.0', innodb_log_files_in_group: '8.0.0',
    innodb_log_buffer_size: '8.0.0', innodb_flush_log_at_trx_commit: '8.0.0',
    sort_buffer_size: '8.0.0', join_buffer_size: '8.0.0', read_buffer_size: '8.0.0', read_rnd_buffer_size: '8.0.0',
    tmp_table_size: '8.0.0', max_heap_table_size: '8.0.0', key_buffer_size: '8.0.0',
    // https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html#sysvar_temptable_max_ram
    temptable_max_ram: '8.0.2',
    performance_schema: '8.0.0',
    slow_query_log: '8.0.0', slow_query_log_file: '8.0.0', long_query_time: '8.0.0',
    log_bin: '8.0.0', server_id: '8.0.0',
    // https://dev.mysql.com/doc/refman/8.0/en/replication-options-binary-log.html#sysvar_binlog_expire_logs_seconds
    binlog_expire_logs_seconds: '8.0.1',
  },
  mariadb: {
    character_set_server: '10.0.0', collation_server: '10.0.0', skip_name_resolve: '10.0.0',
    max_connections: '10.0.0', max_connect_errors: '10.0.0', max_allowed_packet: '10.0.0',
    innodb_buffer_pool_size: '10.0.0', innodb_log_file_size: '10.0.0', innodb_log_buffer_size: '10.0.0',
    innodb_flush_log_at_trx_commit: '10.0.0',
    sort_buffer_size: '10.0.0', join_buffer_size: '10.0.0', read_buffer_size: '10.0.0', read_rnd_buffer_size: '10.0.0',
    tmp_table_size: '10.0.0', max_heap_table_size: '10.0.0', key_buffer_size: '10.0.0', aria_pagecache_buffer_size: '10.0.0',
    // MariaDB keeps the query cache (off by default since 10.1.7); we switch it off explicitly.
    query_cache_type: '10.0.0', query_cache_size: '10.0.0',
    performance_schema: '10.0.0',
    slow_query_log: '10.0.0', slow_query_log_file: '10.0.0', long_query_time: '10.0.0',
    log_bin: '10.0.0', server_id: '10.0.0',
    // https://mariadb.com/kb/en/replication-and-binary-log-system-variables/#binlog_expire_logs_seconds
    binlog_expire_logs_seconds: '10.6.1',
  },
};

/** Option-file names: dashes and underscores are the same option; `loose-` only makes unknown ones a warning. */
export function normalizeOptionName(name: string): string {
  return name.trim().toLowerCase().replace(/-/g, '_').replace(/^loose_/, '');
}

export interface OptionProblem {
  option: string;
  kind: 'removed' | 'deprecated' | 'too-new' | 'unknown';
  message: string;
  source?: string;
}

const v = (s: string): Version => parseVersion(s)!;

/**
 * Whether `target` has an option added in `since`: one version, or the first release of each
 * branch that got it (then a branch not listed has it only if newer than every listed one).
 */
export function hasSince(target: Version, since: V | readonly V[]): boolean {
  const list = [since].flat().map(v);
  const atLeast = (x: Version) => versionAtLeast(target, x.major, x.minor, x.patch);
  if (list.length === 1) return atLeast(list[0]!);
  const branch = list.find((x) => x.major === target.major && x.minor === target.minor);
  if (branch) return atLeast(branch);
  const newest = list[list.length - 1]!;
  return target.major > newest.major || (target.major === newest.major && target.minor > newest.minor);
}

/** Problems the target server would have with these option names (empty when all are fine). */
export function checkMysqlOptions(engine: Engine, serverVersion: string, names: readonly string[]): OptionProblem[] {
  const target = parseVersion(serverVersion);
  if (!target) throw new Error(`not a version: ${serverVersion}`);
  const at = formatVersion(target);
  const label = `${engine === 'mysql' ? 'MySQL' : 'MariaDB'} ${at}`;
  const problems: OptionProblem[] = [];
  for (const raw of names) {
    const name = normalizeOptionName(raw);
    const removed = (engine === 'mysql' ? MYSQL_REMOVED : MARIADB_REMOVED)[name];
    if (removed && versionAtLeast(target, v(removed.removed).major, v(removed.removed).minor, v(removed.removed).patch)) {
      const since = removed.removed === '0.0.0' ? 'does not exist in MariaDB' : `was removed in ${removed.removed}`;
      problems.push({
        option: raw,
        kind: 'removed',
        message: `${label} refuses ${name}: it ${since}${removed.instead ? `; use ${removed.instead}` : ''}`,
        source: removed.source,
      });
      continue;
    }
    const deprecated = (engine === 'mysql' ? MYSQL_DEPRECATED : MARIADB_DEPRECATED)[name];
    if (deprecated && versionAtLeast(target, v(deprecated.deprecated).major, v(deprecated.deprecated).minor, v(deprecated.deprecated).patch)) {
      problems.push({
        option: raw,
        kind: 'deprecated',
        message: `${label}: ${name} is deprecated since ${deprecated.deprecated}${deprecated.instead ? `; use ${deprecated.instead}` : ''}`,
        source: deprecated.source,
      });
      continue;
    }
    const since = KNOWN_OPTIONS[engine][name];
    if (!since) {
      problems.push({ option: raw, kind: 'unknown', message: `${name} is not in the ${engine} option table (src/domain/mysql-options.ts): look it up in the manual and add it` });
      continue;
    }
    if (!hasSince(target, since)) {
      problems.push({ option: raw, kind: 'too-new', message: `${label} does not have ${name} (added in ${[since].flat().join(', ')})` });
    }
  }
  return problems;
}
