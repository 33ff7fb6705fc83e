// What the MySQL-family engines (MySQL, MariaDB, and any server that speaks their protocol and
// reads my.cnf) share: the my.cnf template with the places where they differ, the in-container
// client and dump scripts, the throwaway server. An engine module fills in its differences.
import { DumpRowCounter } from '../dump-rows.js';
import { parseVersion, type Version } from '../version-tag.js';
import type { DbSettings, DumpTool, ServerOption, ThrowawayServer } from './types.js';

const M = (mib: number) => `${mib}M`;
const K = (kib: number) => `${kib}K`;

type Add = (name: string, value: string | number | null, comment?: string) => void;

/** Where the engines' my.cnf differ; each hook writes its lines at that point of the template. */
export interface CnfParts {
  /** utf8mb4 collation: the engine's fastest one every client of that engine understands. */
  collation: string;
  /** Right after innodb_buffer_pool_size. */
  bufferPool?(db: DbSettings, add: Add): void;
  /** The redo log's size. */
  redoLog(db: DbSettings, server: Version, add: Add): void;
  /** The server sizes its log buffer itself (to the redo log): innodb_log_buffer_size is left out. */
  logBufferIsRedo(server: Version): boolean;
  /** Right after max_heap_table_size. */
  tmpTables?(db: DbSettings, add: Add): void;
  /** Right after key_buffer_size: the engine's own caches. */
  caches?(db: DbSettings, add: Add): void;
}

/** The [mysqld] section, sized by the plan; `parts` fills in what the engine does its own way. */
export function cnfOptions(db: DbSettings, parts: CnfParts): ServerOption[] {
  const server = parseVersion(db.serverVersion);
  if (!server) throw new Error(`not a version: ${db.serverVersion}`);
  const o: ServerOption[] = [];
  const add: Add = (name, value, comment) => o.push(comment ? { name, value, comment } : { name, value });

  add('character_set_server', 'utf8mb4', 'Full Unicode (emoji included).');
  add('collation_server', parts.collation);
  add('skip-name-resolve', null, 'Clients are matched by address: no DNS lookup per connection, no stall when DNS is slow.');

  add('max_connections', db.maxConnections, `Sized so that every connection at its worst fits the container (see the sum at the top).`);
  // A client that fails this often is blocked until FLUSH HOSTS; app restarts must not trip it.
  add('max_connect_errors', 10000);
  add('max_allowed_packet', '64M', 'Large rows and bulk inserts; the client library must allow the same.');

  add('innodb_buffer_pool_size', M(db.bufferPoolMiB), 'The working set of the data and indexes, cached in memory.');
  parts.bufferPool?.(db, add);
  parts.redoLog(db, server, add);
  if (!parts.logBufferIsRedo(server)) add('innodb_log_buffer_size', M(db.logBufferMiB));
  add('innodb_flush_log_at_trx_commit', 1, 'Durable commits: a crash loses no committed transaction.');

  add('sort_buffer_size', K(db.sortBufferKiB), 'Per-connection buffers: the worst case is max_connections times their sum.');
  add('join_buffer_size', K(db.joinBufferKiB));
  add('read_buffer_size', K(db.readBufferKiB));
  add('read_rnd_buffer_size', K(db.readRndBufferKiB));
  add('tmp_table_size', M(db.tmpTableMiB), 'In-memory temporary tables per query; larger ones go to disk.');
  add('max_heap_table_size', M(db.tmpTableMiB));
  parts.tmpTables?.(db, add);
  add('key_buffer_size', M(db.keyBufferMiB), 'MyISAM index cache; the tables are InnoDB.');
  parts.caches?.(db, add);
  add('performance_schema', db.performanceSchema ? 'ON' : 'OFF', db.performanceSchema ? 'Statement and wait statistics for troubleshooting.' : 'Off on small hosts: it costs 100–200 MiB.');

  add('slow_query_log', 'ON', 'Queries slower than long_query_time go to slow.log in the data directory.');
  add('slow_query_log_file', 'slow.log');
  add('long_query_time', (db.slowQueryMs / 1000).toFixed(3));

  add('log_bin', 'binlog', 'Binary log for point-in-time recovery between backups; a fixed name survives container re-creation.');
  add('server_id', 1);
  add('binlog_expire_logs_seconds', db.binlogExpireSeconds, `Keep ${Math.round(db.binlogExpireSeconds / 86400)} days of binary logs.`);
  return o;
}

/**
 * The official images' variables (MYSQL_… or MARIADB_…); the values are the .env names, which are
 * the same for every engine (docs/CONTRACT.md#env).
 */
export function imageEnvironment(prefix: string, db: { name: string; user: string }): Record<string, string> {
  return {
    [`${prefix}_ROOT_PASSWORD`]: '${MYSQL_ROOT_PASSWORD}',
    [`${prefix}_DATABASE`]: db.name,
    [`${prefix}_USER`]: db.user,
    [`${prefix}_PASSWORD`]: '${MYSQL_PASSWORD}',
  };
}

// The scripts take whichever program and root password the running image has (MariaDB's images
// name them mariadb…, MySQL's mysql…), so they work on the container that is really there: a
// restore or verify never depends on the plan and the image agreeing. The password is read inside
// the container from its own environment: it is never on a command line and never passes through
// this process. A throwaway server has an empty one.
export const ROOT_PWD = 'export MYSQL_PWD="${MARIADB_ROOT_PASSWORD:-${MYSQL_ROOT_PASSWORD:-}}"';

/** The image's own client (mariadb, or mysql in images without it) as root. */
export const SQL_CLIENT = ['sh', '-c', `${ROOT_PWD}; C=$(command -v mariadb || command -v mysql); exec "$C" -uroot "$@"`, 'sh'] as const;

/** The image's dump tool (mariadb-dump, else mysqldump) as root; names the program it ran on stderr. */
const SQL_DUMP = ['sh', '-c', `${ROOT_PWD}; C=$(command -v mariadb-dump || command -v mysqldump); echo "dump-tool: $C" >&2; exec "$C" -uroot "$@"`, 'sh'] as const;

/**
 * One consistent dump: --single-transaction takes one InnoDB snapshot without table locks (the app
 * keeps writing); --quick streams rows instead of buffering tables; routines, events and triggers
 * are part of the schema; --hex-blob keeps binary columns intact through any client charset.
 */
export function dumpTool(tool: string, engineFlags: readonly string[] = []): DumpTool {
  return {
    tool,
    argv: SQL_DUMP,
    args: (dbs) => [
      '--single-transaction', '--quick', '--routines', '--events', '--triggers', '--hex-blob', '--default-character-set=utf8mb4',
      ...engineFlags,
      '--databases', ...dbs,
    ],
    rowCounter: () => new DumpRowCounter(),
  };
}

/**
 * No binary log and relaxed flushing (nothing in a throwaway must survive a crash), a buffer pool
 * that fits beside the running stack. Both images' empty-password variables: it is reachable
 * through `docker exec` only. Answering over TCP means the real server is up: the image's init
 * server listens on no port.
 */
export const THROWAWAY: ThrowawayServer = {
  env: ['MARIADB_ALLOW_EMPTY_ROOT_PASSWORD=1', 'MYSQL_ALLOW_EMPTY_PASSWORD=yes'],
  args: ['--innodb-buffer-pool-size=256M', '--innodb-flush-log-at-trx-commit=0', '--skip-log-bin', '--max-allowed-packet=1G'],
  pingArgs: ['-h127.0.0.1', '--protocol=TCP', '-N', '-e', 'SELECT 1'],
};

export const SYSTEM_SCHEMAS = ['mysql', 'information_schema', 'performance_schema', 'sys'] as const;

/** SHOW GLOBAL STATUS and VARIABLES as `name<TAB>value` rows, with the engine's own client. */
export function doctorStatus(client: string): string[] {
  const sql = 'SHOW GLOBAL STATUS; SHOW GLOBAL VARIABLES;';
  return ['sh', '-c', `MYSQL_PWD="\${MARIADB_ROOT_PASSWORD:-$MYSQL_ROOT_PASSWORD}" exec ${client} -uroot -N -B -e "${sql}"`];
}
