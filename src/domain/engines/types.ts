// The database engine seam: everything that differs between database servers lives in one module
// per engine (mysql.ts, mariadb.ts) behind this interface, and the rest of the code asks the
// engine instead of testing its name (docs/ARCHITECTURE.md, "Adding a database engine").
// Pure: data and functions of data. Commands are argv arrays that steps run through the Executor
// (`docker exec -i <container> …argv`), so a dry run shows them and tests read them.
import type { Version } from '../version-tag.js';

/** A release as the manuals write it. */
export type V = `${number}.${number}.${number}`;

export interface RemovedOption {
  /** '0.0.0': the engine never had it (another engine's name). */
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

/** The server's option table, from its manual: checked against everything the config generator writes. */
export interface OptionTable {
  /**
   * Every option the generator may write, with the first version that has it (one version, or the
   * first release of each branch). An option outside this table is refused: look it up first.
   */
  known: Readonly<Record<string, V | readonly V[]>>;
  /** Gone: the server refuses to start with any of them in a config file. */
  removed: Readonly<Record<string, RemovedOption>>;
  /** Still accepted with a warning, on their way out: never written either. */
  deprecated: Readonly<Record<string, DeprecatedOption>>;
}

/** One line of the server's config section (`null`: the bare flag form). */
export interface ServerOption {
  name: string;
  value: string | number | null;
  comment?: string;
}

/** What the memory formulas (sizing.ts, mysql-memory.ts) need to know about an engine. */
export interface DbSizingTraits {
  /** performance_schema's own allocation when it is on, MiB. */
  pfsMiB: number;
  /** The pool sits on a chunk × instances grid the sizing must respect (innodb_buffer_pool_chunk_size / _instances). */
  poolGrid: boolean;
  /** An Aria page cache to size (MariaDB's system tables and on-disk temporary tables). */
  ariaPagecache: boolean;
  /** In-memory temporary tables share one global pool (temptable_max_ram) rather than being counted per table. */
  tempTablePool: boolean;
  /** The server makes its whole redo log the log buffer (so the redo log is memory). */
  logBufferIsRedo(server: Version): boolean;
  /** Defaults (64-bit) of the per-connection variables a config leaves alone, for computing from a file. */
  serverDefaults: Readonly<Record<string, string>>;
}

/** The database's sizing, computed by sizing.ts from a preset and the engine's traits (all MiB / KiB integers). */
export interface DbSizing {
  bufferPoolMiB: number;
  bufferPoolInstances: number;
  /** innodb_buffer_pool_chunk_size where the engine has a pool grid; null where it sizes chunks itself. */
  bufferPoolChunkMiB: number | null;
  maxConnections: number;
  redoLogMiB: number;
  logBufferMiB: number;
  sortBufferKiB: number;
  joinBufferKiB: number;
  readBufferKiB: number;
  readRndBufferKiB: number;
  tmpTableMiB: number;
  /** MyISAM index cache: only MyISAM tables use it and ours are InnoDB, so it stays small. */
  keyBufferMiB: number;
  /** Aria page cache where the engine has one; null otherwise. */
  ariaPagecacheMiB: number | null;
  performanceSchema: boolean;
  /** Thread stack (1 MiB on 64-bit) + binlog cache + net buffer: allocated per connection by the server itself. */
  perConnectionFixedKiB: number;
  /** Memory the server needs besides the buffer pool and connections (code, dictionary, adaptive hash, P_S, temp tables). */
  globalOverheadMiB: number;
  /** Buffer pool + global overhead + max_connections × per-connection buffers. */
  worstCaseMiB: number;
  slowQueryMs: number;
  binlogExpireSeconds: number;
}

/** What the config generator reads: the sizing and the exact server version it writes for. */
export type DbSettings = DbSizing & { serverVersion: string };

/** The logical dump: its program inside the container, its flags, and the parser that counts its rows. */
export interface DumpTool {
  /** The program's name as the backup manifest records it. */
  tool: string;
  /** argv after `docker exec <container>`; `args(dbs)` follows. Reads the root password inside the container. */
  argv: readonly string[];
  /** Flags for one consistent dump of these databases (no locks: the app keeps writing). */
  args(databases: readonly string[]): string[];
  /** Counts rows per `db.table` as the dump streams by (fed every chunk, then asked once). */
  rowCounter(): { push(chunk: Uint8Array): void; counts(): Record<string, number> };
}

/** A disposable server of the stack's image (backup verify, restore's proof load): no network, empty root password. */
export interface ThrowawayServer {
  /** `-e` values for `docker run`. */
  env: readonly string[];
  /** Server flags after the image: small, unsafe for real data, fast to load. */
  args: readonly string[];
  /** Appended to the client argv: answers `1` once the real server (not the image's init server) listens. */
  pingArgs: readonly string[];
}

/**
 * Slot for the next round's physical backups: the tool that copies a running server's data
 * directory. Named here so the backup code asks the engine; nothing runs it yet.
 */
export type PhysicalBackupTool = { kind: 'program'; program: string } | { kind: 'clone-plugin' };

/** Slot for the next round's point-in-time recovery: the program that replays binary logs. Nothing runs it yet. */
export interface BinlogTool {
  program: string;
}

/**
 * One of the vendor's pre-upgrade checks, asked of the running old server: every row the SQL
 * returns (one column) names an object that breaks or changes with the new server.
 */
export interface UpgradeCheck {
  /** Stable id; the messages are `upg.check.<id>` and `upg.fix.<id>` (src/i18n/catalog). */
  id: string;
  /** error: the new server refuses it (the upgrade stops before anything changes); warn: shown, the upgrade goes on. */
  severity: 'error' | 'warn';
  sql: string;
  /** Where the vendor documents it. */
  source: string;
}

export interface DbEngine {
  /** As in the answers' `database.engine`. */
  id: string;
  /** The product's name in generated headers and messages. */
  label: string;

  // ---- versions (src/domain/releases.ts): the series, the default, the tested image per series
  /** Every series a stack may run (`database.version`), oldest first: those offered and those kept for stacks that run them. */
  series: readonly string[];
  /** Series a new stack may choose: the rest are past their end of life, kept so the stacks that run them still work. */
  offered: readonly string[];
  /** The default series: the current LTS line. */
  defaultSeries: string;
  /** The pinned image per series (`tag@sha256:…`), as the generated files are written and tested against. */
  images: Readonly<Record<string, string>>;

  // ---- major upgrades: the data a series upgrade needs (the upgrade itself is not built yet, #17.2)
  /** The series a stack on `from` may move to in one step, by the vendor's documented upgrade paths. */
  upgradeTargets(from: string): readonly string[];
  /** The vendor's pre-upgrade checks that are questions to the old server (the option table covers the config files). */
  upgradeChecks(from: Version, to: Version): readonly UpgradeCheck[];

  // ---- sizing and the server's config file
  sizing: DbSizingTraits;
  /** Every option serverOptions may write, and what each version refuses or deprecates. */
  options: OptionTable;
  /** The server section of its config file, sized by the plan, for `settings.serverVersion`. */
  serverOptions(settings: DbSettings): ServerOption[];

  // ---- compose
  /** The port the server listens on inside the backend network. */
  port: number;
  /** The scheme of the DATABASE_URL the app receives. */
  urlScheme: string;
  /** The container's environment: the image's own variable names, passwords as ${…} references to .env. */
  composeEnvironment(db: { name: string; user: string }): Record<string, string>;
  /** The compose healthcheck test (raw text: the compose renderer escapes `$`); healthy = the real server accepts connections. */
  healthcheck: readonly string[];

  // ---- tools inside the container
  /** The SQL client as root, SQL on stdin (argv after `docker exec -i <container>`; client flags may follow). */
  client: readonly string[];
  /** Schemas of the server itself: never dumped or restored. */
  systemSchemas: readonly string[];
  dump: DumpTool;
  throwaway: ThrowawayServer;
  physicalBackup: PhysicalBackupTool | null;
  binlog: BinlogTool | null;

  // ---- doctor
  /** argv after `docker exec <container>` printing `name<TAB>value` rows of the server's status counters and variables. */
  doctorStatus: readonly string[];
}
