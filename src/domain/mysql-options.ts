// Which server options each MySQL / MariaDB version accepts, from the vendors' manuals. The my.cnf
// generator runs checkMysqlOptions() on everything it writes, so an option the target server would
// refuse (or has deprecated) can never be rendered; tests run it on deliberately bad options too.
//
// Sources (MySQL Server Version Reference, "Option and Variable Changes"):
//   8.0: https://dev.mysql.com/doc/mysqld-version-reference/en/optvar-changes-8-0.html
//   8.2: https://dev.mysql.com/doc/mysqld-version-reference/en/optvar-changes-8-2.html
//   8.3: https://dev.mysql.com/doc/mysqld-version-reference/en/optvar-changes-8-3.html
//   8.4: https://dev.mysql.com/doc/mysqld-version-reference/en/optvar-changes-8-4.html
// and the query cache removal, WL#10824: https://dev.mysql.com/worklog/task/?id=10824
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

const OPTVAR = (v: string) => `https://dev.mysql.com/doc/mysqld-version-reference/en/optvar-changes-${v}.html`;

/** MySQL options removed in 8.x: the server refuses to start with any of them in a config file. */
export const MYSQL_REMOVED: Readonly<Record<string, RemovedOption>> = {
  // The query cache is gone: "All query cache system variables will be removed. Trying to set them will return errors."
  query_cache_size: { removed: '8.0.3', source: 'https://dev.mysql.com/worklog/task/?id=10824' },
  query_cache_type: { removed: '8.0.3', source: 'https://dev.mysql.com/worklog/task/?id=10824' },
  query_cache_limit: { removed: '8.0.3', source: 'https://dev.mysql.com/worklog/task/?id=10824' },
  query_cache_min_res_unit: { removed: '8.0.3', source: 'https://dev.mysql.com/worklog/task/?id=10824' },
  query_cache_wlock_invalidate: { removed: '8.0.3', source: 'https://dev.mysql.com/worklog/task/?id=10824' },
  tx_isolation: { removed: '8.0.3', instead: 'transaction_isolation', source: OPTVAR('8-0') },
  tx_read_only: { removed: '8.0.3', instead: 'transaction_read_only', source: OPTVAR('8-0') },
  log_warnings: { removed: '8.0.3', instead: 'log_error_verbosity', source: OPTVAR('8-0') },
  date_format: { removed: '8.0.3', source: OPTVAR('8-0') },
  datetime_format: { removed: '8.0.3', source: OPTVAR('8-0') },
  time_format: { removed: '8.0.3', source: OPTVAR('8-0') },
  innodb_file_format: { removed: '8.0.0', source: OPTVAR('8-0') },
  innodb_file_format_check: { removed: '8.0.0', source: OPTVAR('8-0') },
  innodb_file_format_max: { removed: '8.0.0', source: OPTVAR('8-0') },
  innodb_large_prefix: { removed: '8.0.0', source: OPTVAR('8-0') },
  innodb_locks_unsafe_for_binlog: { removed: '8.0.0', source: 'https://dev.mysql.com/worklog/task/?id=8894' },
  log_syslog: { removed: '8.0.13', source: OPTVAR('8-0') },
  expire_logs_days: { removed: '8.2.0', instead: 'binlog_expire_logs_seconds', source: OPTVAR('8-2') },
  character_set_client_handshake: { removed: '8.3.0', source: OPTVAR('8-3') },
  default_authentication_plugin: { removed: '8.4.0', instead: 'authentication_policy', source: OPTVAR('8-4') },
  avoid_temporal_upgrade: { removed: '8.4.0', source: OPTVAR('8-4') },
  binlog_transaction_dependency_tracking: { removed: '8.4.0', source: OPTVAR('8-4') },
  have_ssl: { removed: '8.4.0', source: OPTVAR('8-4') },
  have_openssl: { removed: '8.4.0', source: OPTVAR('8-4') },
};

/** Still accepted, with a warning, and on their way out: we never write them either. */
export const MYSQL_DEPRECATED: Readonly<Record<string, DeprecatedOption>> = {
  expire_logs_days: { deprecated: '8.0.3', instead: 'binlog_expire_logs_seconds', source: OPTVAR('8-0') },
  default_authentication_plugin: { deprecated: '8.0.27', instead: 'authentication_policy', source: OPTVAR('8-0') },
  innodb_log_file_size: { deprecated: '8.0.30', instead: 'innodb_redo_log_capacity', source: OPTVAR('8-0') },
  innodb_log_files_in_group: { deprecated: '8.0.30', instead: 'innodb_redo_log_capacity', source: OPTVAR('8-0') },
  log_slave_updates: { deprecated: '8.0.26', instead: 'log_replica_updates', source: OPTVAR('8-0') },
  binlog_format: { deprecated: '8.0.34', source: OPTVAR('8-0') },
  character_set_client_handshake: { deprecated: '8.2.0', source: OPTVAR('8-2') },
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
