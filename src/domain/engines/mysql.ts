// MySQL (Oracle's server, the official `mysql` image): its versions, its option table from the
// reference manual, and what it does its own way. The shared MySQL-family parts are in mysql-family.ts.
//
// Sources, MySQL reference manual:
//   8.0: "Server and Status Variables and Options Added, Deprecated, or Removed in MySQL 8.0"
//        https://dev.mysql.com/doc/refman/8.0/en/added-deprecated-removed.html
//   8.4: "… in MySQL 8.4 since 8.0" (covers the 8.1–8.3 innovation releases too)
//        https://dev.mysql.com/doc/refman/8.4/en/added-deprecated-removed.html
// and, for the exact release of each change, the MySQL Server Version Reference:
//   https://dev.mysql.com/doc/mysqld-version-reference/en/optvar-changes-8-0.html (8-2, 8-3, 8-4, 9-0, 9-5 likewise)
//   9.7: https://dev.mysql.com/doc/refman/9.7/en/added-deprecated-removed.html
// Series, pins and end of life: src/domain/releases.ts.
import { releasesOf } from '../releases.js';
import { parseVersion, versionAtLeast, type Version } from '../version-tag.js';
import { SQL_CLIENT, SYSTEM_SCHEMAS, THROWAWAY, cnfOptions, doctorStatus, dumpTool, imageEnvironment, type CnfParts } from './mysql-family.js';
import type { BinlogTool, DbEngine, DeprecatedOption, PhysicalBackupTool, RemovedOption, UpgradeCheck, V } from './types.js';

const M = (mib: number) => `${mib}M`;

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
  // 9.0.0: the mysql_native_password plugin is gone, and with it its switch (8.4: --mysql-native-password=ON).
  mysql_native_password: { removed: '9.0.0', instead: 'caching_sha2_password accounts', source: OPTVAR('9-0') },
  mysql_native_password_proxy_users: { removed: '9.0.0', source: OPTVAR('9-0') },
  // 9.5.0
  group_replication_allow_local_lower_version_join: { removed: '9.5.0', source: OPTVAR('9-5') },
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
  // The 8.4 switch that loads the old plugin: deprecated with it, removed in 9.0.
  mysql_native_password: { deprecated: '8.4.0', instead: 'caching_sha2_password accounts', source: REFMAN_84 },
  group_replication_allow_local_lower_version_join: { deprecated: '8.4.0', source: OPTVAR('8-4') },
};

/** Every option the generator may write, with the first version that has it. */
const KNOWN: Readonly<Record<string, V | readonly V[]>> = {
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
};

const CNF: CnfParts = {
  // MySQL's default, fastest UCA collation.
  collation: 'utf8mb4_0900_ai_ci',
  bufferPool(db, add) {
    add('innodb_buffer_pool_instances', db.bufferPoolInstances, 'One instance per GiB of pool (fewer mutex waits).');
    add('innodb_buffer_pool_chunk_size', M(db.bufferPoolChunkMiB!), 'MySQL rounds the pool up to chunk × instances; the pool is a multiple, so it runs as planned.');
  },
  redoLog(db, server, add) {
    // From 8.0.30 one setting sizes the redo log; before, a group of files makes up the same capacity.
    if (versionAtLeast(server, 8, 0, 30)) {
      add('innodb_redo_log_capacity', M(db.redoLogMiB), 'About an hour of writes at this size: fewer checkpoints, bounded crash recovery.');
    } else {
      add('innodb_log_file_size', M(Math.max(48, Math.floor(db.redoLogMiB / 2))), 'Two redo files make up the planned redo capacity (MySQL before 8.0.30).');
      add('innodb_log_files_in_group', 2);
    }
  },
  logBufferIsRedo: () => false,
  tmpTables(db, add) {
    add('temptable_max_ram', M(db.tmpTableMiB * 4), 'MySQL 8 shares one TempTable pool; its default (1 GiB or 3 % of the host) ignores the container limit.');
  },
};

/**
 * Words that became reserved, by the release that reserved them: a table, column, routine, trigger
 * or event of that name breaks every statement that names it unquoted (MySQL Shell's upgrade
 * checker reports them as a warning: quoted names, which ORMs write, keep working).
 */
export const MYSQL_NEW_RESERVED: readonly { since: V; words: readonly string[]; source: string }[] = [
  // Reserved in the 8.1–8.3 innovation releases, so new to an 8.0 stack moving to 8.4.
  { since: '8.4.0', words: ['MANUAL', 'PARALLEL', 'QUALIFY', 'TABLESAMPLE'], source: 'https://dev.mysql.com/doc/heatwave-aws/en/hw-aws-upgrading-mysql-8.0-8.4.html' },
  // 9.4.0: LIBRARY reserved; EXTERNAL refused as an unquoted name although information_schema.KEYWORDS says otherwise (Bug #118844).
  { since: '9.4.0', words: ['EXTERNAL', 'LIBRARY'], source: 'https://bugs.mysql.com/bug.php?id=118844' },
  // 9.6.0: VALIDATE reserved (SETS, added beside it, is not: Bug #119904, fixed in 9.7.0).
  { since: '9.6.0', words: ['VALIDATE'], source: 'https://bugs.mysql.com/bug.php?id=119904' },
];

const atLeast = (v: Version, s: V) => {
  const x = parseVersion(s)!;
  return versionAtLeast(v, x.major, x.minor, x.patch);
};
const sqlList = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(', ');
const NOT_SYSTEM = `NOT IN (${sqlList(SYSTEM_SCHEMAS)})`;

/** Objects named with a word reserved by a release after `from` up to `to`. */
function reservedWordsSql(words: readonly string[]): string {
  const w = sqlList(words);
  return [
    `SELECT CONCAT(table_schema, '.', table_name) FROM information_schema.tables WHERE table_schema ${NOT_SYSTEM} AND UPPER(table_name) IN (${w})`,
    `SELECT CONCAT(table_schema, '.', table_name, '.', column_name) FROM information_schema.columns WHERE table_schema ${NOT_SYSTEM} AND UPPER(column_name) IN (${w})`,
    `SELECT CONCAT(routine_schema, '.', routine_name) FROM information_schema.routines WHERE routine_schema ${NOT_SYSTEM} AND UPPER(routine_name) IN (${w})`,
    `SELECT CONCAT(trigger_schema, '.', trigger_name) FROM information_schema.triggers WHERE trigger_schema ${NOT_SYSTEM} AND UPPER(trigger_name) IN (${w})`,
    `SELECT CONCAT(event_schema, '.', event_name) FROM information_schema.events WHERE event_schema ${NOT_SYSTEM} AND UPPER(event_name) IN (${w})`,
  ].join(' UNION ALL ') + ' ORDER BY 1;';
}

/** MySQL's documented upgrade checks that ask the old server (MySQL Shell's util.checkForServerUpgrade() has the same ones). */
function upgradeChecks(from: Version, to: Version): UpgradeCheck[] {
  const out: UpgradeCheck[] = [];
  // 8.4 disables mysql_native_password (our my.cnf does not switch it back on); 9.0 removed it: such accounts cannot log in.
  if (atLeast(to, '8.4.0')) {
    out.push({
      id: 'nativePassword', severity: 'error',
      sql: `SELECT CONCAT(QUOTE(user), '@', QUOTE(host)) FROM mysql.user WHERE plugin = 'mysql_native_password' ORDER BY 1;`,
      source: atLeast(to, '9.0.0') ? OPTVAR('9-0') : 'https://dev.mysql.com/doc/refman/8.4/en/native-pluggable-authentication.html',
    });
  }
  // "Upgrade fails if you have a table that contains a FLOAT or DOUBLE column with AUTO_INCREMENT" (8.4).
  if (!atLeast(from, '8.4.0') && atLeast(to, '8.4.0')) {
    out.push({
      id: 'floatAutoIncrement', severity: 'error',
      sql: `SELECT CONCAT(table_schema, '.', table_name, '.', column_name) FROM information_schema.columns WHERE table_schema ${NOT_SYSTEM} AND extra LIKE '%auto_increment%' AND data_type IN ('float', 'double') ORDER BY 1;`,
      source: 'https://dev.mysql.com/doc/heatwave-aws/en/hw-aws-upgrading-mysql-8.0-8.4.html',
    });
  }
  const words = MYSQL_NEW_RESERVED.filter((r) => !atLeast(from, r.since) && atLeast(to, r.since)).flatMap((r) => r.words);
  if (words.length) {
    out.push({ id: 'reservedWords', severity: 'warn', sql: reservedWordsSql(words), source: 'https://dev.mysql.com/doc/mysqld-version-reference/en/keywords.html' });
  }
  return out;
}

// Long-term support lines only: releases after 9.7 are Innovation releases (never pinned) until the next LTS.
const RELEASES = releasesOf('mysql');
const SERIES = RELEASES.map((r) => r.series);

/**
 * The clone plugin (it ships with the server, mysql_clone.so): `CLONE LOCAL DATA DIRECTORY` makes a
 * consistent copy of the InnoDB data, the server's own page and redo copy, while the app keeps
 * writing (DDL waits). The copy is a data directory as it is: no prepare. It must go outside the
 * data directory, so into the image's secure-file-priv folder, and leaves by `docker cp` (the
 * official image has no tar). It carries no binlog position: the GTID set a server started on it
 * reports is its consistent point. https://dev.mysql.com/doc/refman/8.4/en/clone-plugin-local.html
 *
 * Why not MySQL Shell's parallel dump (util.dumpSchemas, in the official images): it is a logical
 * dump, so its load replays every row through the SQL layer and rebuilds every index, which is
 * what a restore's downtime is made of; a clone comes back by renaming files. Debian packages no
 * MySQL Shell, so the lab cannot measure it, and MariaDB's images have none: one physical path per
 * engine keeps restore and verify the same for both.
 */
const PHYSICAL: PhysicalBackupTool = {
  tool: 'clone',
  format: 'tar',
  // CLONE LOCAL DATA DIRECTORY: 8.0.17.
  since: '8.0.17',
  // Dumps stay MySQL's default: the clone path has its real test but no lab e2e under load yet.
  byDefault: false,
  copy: {
    kind: 'clone',
    scratchDir: '/var/lib/mysql-files',
    statusSql: "SELECT PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'clone';",
    installSql: "INSTALL PLUGIN clone SONAME 'mysql_clone.so';",
    sql: (dir) => `CLONE LOCAL DATA DIRECTORY = '${dir.replace(/'/g, "''")}';`,
    cleanup: (dir) => ['rm', '-rf', '--', dir],
  },
  // docker cp's archive holds the folder itself: its contents go one level up.
  extract: { where: 'host', argv: (dir) => ['tar', '-C', dir, '--numeric-owner', '--strip-components=1', '-xpf', '-'] },
  prepareArgv: null,
  coordinates: { kind: 'gtid' },
  // The server's UUID (its GTIDs) and the certificates it generated at first start.
  keepFiles: ['auto.cnf', 'ca.pem', 'ca-key.pem', 'server-cert.pem', 'server-key.pem', 'client-cert.pem', 'client-key.pem', 'private_key.pem', 'public_key.pem'],
  // --skip-grant-tables also turns networking off in MySQL: the ping goes over the socket.
  proofArgs: ['--skip-grant-tables'],
  proofPing: ['-N', '-e', 'SELECT 1'],
};

const BINLOG: BinlogTool = {
  program: 'mysqlbinlog',
  // SHOW MASTER STATUS became SHOW BINARY LOG STATUS in 8.2 and is gone from 8.4.
  statusSql: (v) => (versionAtLeast(v, 8, 2, 0) ? 'SHOW BINARY LOG STATUS;' : 'SHOW MASTER STATUS;'),
  gtidModeSql: 'SELECT @@GLOBAL.gtid_mode;',
  gtidExecutedSql: 'SELECT @@GLOBAL.gtid_executed;',
  // The snapshot's binlog position as a comment (mysqldump takes it under a brief global read lock).
  dumpFlags: ['--source-data=2'],
};

export const MYSQL: DbEngine = {
  id: 'mysql',
  label: 'MySQL',
  series: SERIES,
  offered: RELEASES.filter((r) => r.offered).map((r) => r.series),
  // 8.4: every common driver and ORM lists it (Prisma's supported versions stop at 8.4); 9.7 is one
  // choice away for a new stack (README, "Which MySQL").
  defaultSeries: '8.4',
  images: Object.fromEntries(RELEASES.map((r) => [r.series, r.image!])),
  // "From an LTS or Bugfix series to the next LTS series" only: skipping an LTS is not supported
  // (https://dev.mysql.com/doc/refman/8.4/en/upgrade-paths.html).
  upgradeTargets: (from) => {
    const i = SERIES.indexOf(from);
    return i >= 0 && i + 1 < SERIES.length ? [SERIES[i + 1]!] : [];
  },
  upgradeChecks,
  // From 8.0.16 the server upgrades the data dictionary and system tables itself at start (mysql_upgrade is gone).
  upgradeStep: () => null,
  sizing: {
    // MySQL 8's P_S autosizes to ~150 MiB with the default instruments.
    pfsMiB: 160,
    poolGrid: true,
    ariaPagecache: false,
    tempTablePool: true,
    logBufferIsRedo: CNF.logBufferIsRedo,
    // https://dev.mysql.com/doc/refman/8.4/en/server-system-variables.html (64-bit)
    serverDefaults: { thread_stack: String(1024 * 1024), binlog_cache_size: String(32 * 1024), net_buffer_length: String(16 * 1024) },
  },
  options: { known: KNOWN, removed: MYSQL_REMOVED, deprecated: MYSQL_DEPRECATED },
  serverOptions: (db) => cnfOptions(db, CNF),
  port: 3306,
  urlScheme: 'mysql',
  composeEnvironment: (db) => imageEnvironment('MYSQL', db),
  // The image has mysqladmin. TCP to 127.0.0.1 is refused while the entrypoint's init server runs
  // (--skip-networking), so "healthy" means the real server is up, not the temporary one.
  healthcheck: ['CMD-SHELL', 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysqladmin ping -h 127.0.0.1 -u root --silent'],
  // The clone backup writes a full copy of the data into the image's secure-file-priv folder
  // (/var/lib/mysql-files): on a tmpfs it would count against the container's memory.
  rootfs: { writable: 'the clone backup copies the data into /var/lib/mysql-files, inside the image' },
  // Writes too: the clone's copy (owned by mysql, in its 0750 folder) is removed by root after docker cp.
  rootFileAccess: { cap: 'DAC_OVERRIDE', why: "root's find descends into mysql's 0700 folders on a restart; the clone backup's copy, owned by mysql, is removed as root (docker exec rm)" },
  client: SQL_CLIENT,
  systemSchemas: SYSTEM_SCHEMAS,
  // GTIDs of the source would clash on load; tablespace statements need the PROCESS privilege.
  dump: dumpTool('mysqldump', ['--set-gtid-purged=OFF', '--no-tablespaces']),
  throwaway: THROWAWAY,
  physicalBackup: PHYSICAL,
  binlog: BINLOG,
  doctorStatus: doctorStatus('mysql'),
};
