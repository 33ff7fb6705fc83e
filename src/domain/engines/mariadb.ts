// MariaDB (the official `mariadb` image): its versions, its option table from the MariaDB
// documentation, and what it does its own way. MariaDB is not MySQL: its variable set differs (it
// keeps the query cache, has no innodb_redo_log_capacity) and its images name their programs
// mariadb…. The shared MySQL-family parts are in mysql-family.ts.
// Sources: https://mariadb.com/kb/en/server-system-variables/ and .../innodb-system-variables/
// Series, pins and end of life: src/domain/releases.ts.
import { releasesOf } from '../releases.js';
import { ROOT_PWD, SQL_CLIENT, SYSTEM_SCHEMAS, THROWAWAY, cnfOptions, doctorStatus, dumpTool, imageEnvironment, type CnfParts } from './mysql-family.js';
import type { BinlogTool, DbEngine, DeprecatedOption, PhysicalBackupTool, RemovedOption, V } from './types.js';

const M = (mib: number) => `${mib}M`;

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

/** Every option the generator may write, with the first version that has it. */
const KNOWN: Readonly<Record<string, V | readonly V[]>> = {
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
};

const CNF: CnfParts = {
  // The most widely understood utf8mb4 collation: dumps import anywhere.
  collation: 'utf8mb4_unicode_ci',
  redoLog(db, _server, add) {
    add('innodb_log_file_size', M(db.redoLogMiB), 'MariaDB has one redo log file; about an hour of writes at this size.');
  },
  // MariaDB 11 keeps the whole redo log in memory as its log buffer (11.8 shows innodb_log_buffer_size =
  // the redo size less its 12 KiB header) and ignores the setting. Not seen on 11.4, which cannot run
  // here; counting the redo size as buffer memory is the larger figure, so the sum errs on the safe side.
  logBufferIsRedo: (server) => server.major >= 11,
  caches(db, add) {
    add('aria_pagecache_buffer_size', M(db.ariaPagecacheMiB!), 'Aria holds the system tables and on-disk temporary tables; the 128M default is too much for a container.');
    add('query_cache_type', 0, 'The query cache serialises writes on a busy server; keep it off.');
    add('query_cache_size', 0);
  },
};

const RELEASES = releasesOf('mariadb');
const SERIES = RELEASES.map((r) => r.series);

// Images before 10.5 name it mariabackup.
const BACKUP_PROGRAM = 'C=$(command -v mariadb-backup || command -v mariabackup)';

/**
 * mariadb-backup (every official image ships it): a hot copy of the InnoDB files and the redo
 * written meanwhile, ended under BACKUP STAGE BLOCK_COMMIT (commits wait for an instant, reads and
 * writes go on), which is the copy's consistent point and names its binlog position. The stream is
 * mbstream; `--prepare` applies the copied redo. https://mariadb.com/kb/en/mariadb-backup-overview/
 */
const PHYSICAL: PhysicalBackupTool = {
  tool: 'mariadb-backup',
  format: 'xbstream',
  since: '10.1.23',
  // The default (#18.1): backup, verify, restore, rollback and SIGKILL recovery are proven on it.
  byDefault: true,
  copy: {
    kind: 'stream',
    // --parallel: files copied at once (one per core: the copy is disk-bound beyond that). The
    // target dir holds only the tool's temporary files when it streams.
    argv: (parallel) => ['sh', '-c', `${ROOT_PWD}; ${BACKUP_PROGRAM}; exec "$C" --backup --stream=xbstream --user=root --target-dir=/tmp/stack-wizard-backup --parallel=${Math.max(1, Math.floor(parallel))}`],
  },
  extract: { where: 'image', argv: (dir) => ['mbstream', '-x', '-C', dir] },
  prepareArgv: (dir) => ['sh', '-c', `${BACKUP_PROGRAM}; "$C" --prepare --target-dir="$1" && chown -R mysql:mysql "$1"`, 'sh', dir],
  // 11.x writes mariadb_backup_binlog_info; earlier releases the xtrabackup_ name.
  coordinates: { kind: 'file', names: ['mariadb_backup_binlog_info', 'xtrabackup_binlog_info'] },
  // The image's healthcheck.sh logs in with the account in this file, created at first start.
  keepFiles: ['.my-healthcheck.cnf'],
  proofArgs: ['--skip-grant-tables'],
  proofPing: ['-N', '-e', 'SELECT 1'],
};

const BINLOG: BinlogTool = {
  program: 'mariadb-binlog',
  statusSql: () => 'SHOW MASTER STATUS;',
  // MariaDB's GTIDs never make a server skip a replayed transaction: positions decide.
  gtidModeSql: null,
  gtidExecutedSql: null,
  // The snapshot's binlog position as a comment (MariaDB reads it inside the snapshot: no global lock).
  dumpFlags: ['--master-data=2'],
};

export const MARIADB: DbEngine = {
  id: 'mariadb',
  label: 'MariaDB',
  series: SERIES,
  offered: RELEASES.filter((r) => r.offered).map((r) => r.series),
  // 11.4: the LTS supported longest (to 2029-05-29; 11.8's community support ends 2028-06-04).
  defaultSeries: '11.4',
  images: Object.fromEntries(RELEASES.map((r) => [r.series, r.image!])),
  // "You should be able to trivially upgrade from ANY earlier MariaDB version to the latest one"
  // (https://mariadb.com/kb/en/upgrading-between-major-mariadb-versions/): every later series; the
  // next one is what the messages suggest. The image's MARIADB_AUTO_UPGRADE (compose) runs mariadb-upgrade.
  upgradeTargets: (from) => {
    const i = SERIES.indexOf(from);
    return i >= 0 ? SERIES.slice(i + 1).filter((x) => RELEASES.find((r) => r.series === x)?.offered) : [];
  },
  // Its option table covers the config; MariaDB documents no server-side blocker between its LTS lines.
  upgradeChecks: () => [],
  // mariadb-upgrade brings the system tables to the new series (the official image runs it at start
  // under MARIADB_AUTO_UPGRADE; run again it says "already upgraded" and exits 0, so either way the
  // data is checked as upgraded). The root password is read inside the container (ROOT_PWD). Run as
  // mysql: it writes mariadb_upgrade_info among mysql's files, which root without DAC_OVERRIDE
  // (cap_drop ALL, #15.8) may not (errno 13).
  upgradeStep: () => ({ program: 'mariadb-upgrade', argv: ['sh', '-c', `${ROOT_PWD}; exec mariadb-upgrade -uroot`], user: 'mysql' }),
  sizing: {
    // MariaDB's performance_schema costs less than MySQL's.
    pfsMiB: 96,
    // One buffer pool instance since 10.5 (the variable is gone from 10.6); chunks are sized by the server.
    poolGrid: false,
    ariaPagecache: true,
    tempTablePool: false,
    logBufferIsRedo: CNF.logBufferIsRedo,
    // https://mariadb.com/kb/en/server-system-variables/ (64-bit)
    serverDefaults: { thread_stack: String(299008), binlog_cache_size: String(32 * 1024), net_buffer_length: String(16 * 1024) },
  },
  options: { known: KNOWN, removed: MARIADB_REMOVED, deprecated: MARIADB_DEPRECATED },
  serverOptions: (db) => cnfOptions(db, CNF),
  port: 3306,
  urlScheme: 'mysql',
  composeEnvironment: (db) => ({
    ...imageEnvironment('MARIADB', db),
    // MariaDB upgrades its system tables itself after an image update when asked to.
    MARIADB_AUTO_UPGRADE: '1',
  }),
  // Recent images have no mysqladmin, only their healthcheck.sh. It connects over TCP, which the
  // entrypoint's init server (--skip-networking) refuses, so "healthy" means the real server is up.
  healthcheck: ['CMD', 'healthcheck.sh', '--connect', '--innodb_initialized'],
  // The socket and pid file (/run/mysqld) and mariadbd's and mariadb-backup's temporary files (/tmp).
  rootfs: { tmpfs: ['/run/mysqld', '/tmp'] },
  // Reads only: healthcheck.sh reads .my-healthcheck.cnf (0600 mysql), mariadb-backup the data files.
  rootFileAccess: { cap: 'DAC_READ_SEARCH', why: "root's find descends into mysql's 0700 folders on a restart; healthcheck.sh and mariadb-backup (docker exec, as root) read mysql's files" },
  client: SQL_CLIENT,
  systemSchemas: SYSTEM_SCHEMAS,
  dump: dumpTool('mariadb-dump'),
  throwaway: THROWAWAY,
  physicalBackup: PHYSICAL,
  binlog: BINLOG,
  doctorStatus: doctorStatus('mariadb'),
};
