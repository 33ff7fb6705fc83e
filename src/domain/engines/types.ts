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
 * The physical copy of a running server's data directory (docs/ARCHITECTURE.md, "Backups and
 * point-in-time recovery"). What runs in a container runs in the server's own image: the copy in
 * the running server's container (`docker exec`), extraction and preparation in a throwaway of that
 * image with the folder bind-mounted, so the tool always matches the server that wrote the data.
 */
export interface PhysicalBackupTool {
  /** As the manifest records it (`dumpTool`). */
  tool: string;
  /** The stored stream's format: it names the file (`database.<format>.zst`). */
  format: 'xbstream' | 'tar';
  /** The first server release that has the tool; an older server is backed up logically. */
  since: V;
  /** `backup` takes this copy unless told `--logical` (else a dump unless told `--physical`). */
  byDefault: boolean;
  /**
   * How the copy is made. `stream`: the tool writes a consistent copy to stdout (argv after
   * `docker exec`). `clone`: SQL makes a consistent copy inside the container at a folder that must
   * not exist yet, which `docker cp` then streams out as a tar and `cleanup` removes.
   */
  copy:
    | { kind: 'stream'; argv(parallel: number): string[] }
    | {
        kind: 'clone';
        /** Where the copy goes inside the container: outside the data directory (the server refuses a path within it), writable by the server. */
        scratchDir: string;
        /** SQL answering the plugin's status (`ACTIVE` when usable); no row when it is not installed. */
        statusSql: string;
        /** SQL that loads the plugin (persisted in the server's plugin table, so once per server). */
        installSql: string;
        sql(dir: string): string;
        cleanup(dir: string): string[];
      };
  /**
   * Unpacks the stored stream (stdin) into `dir`: in a throwaway of the image (its own unpacker) or
   * on the host (a tar, owners kept by number).
   */
  extract: { where: 'image' | 'host'; argv(dir: string): string[] };
  /** Makes `dir` a data directory the server starts on (applies the copy's redo, hands it to the server's user); null: it already is one. */
  prepareArgv: ((dir: string) => string[]) | null;
  /**
   * Where the copy's consistent point is named: a file in the copy (`<file>\t<position>[\t<gtid>]`,
   * the first name that exists), or the GTID set a server started on the copy reports (a clone
   * carries no binlog position; the server skips the transactions it already has on replay).
   */
  coordinates: { kind: 'file'; names: readonly string[] } | { kind: 'gtid' };
  /**
   * Files of the live data directory that belong to the server rather than to the data (its
   * identity, certificates, the image's health-check account file): kept across a swap, so the
   * server that starts on restored data is the same server.
   */
  keepFiles: readonly string[];
  /** Server flags for a throwaway started on a copy: the copy's accounts are not ours to know. */
  proofArgs: readonly string[];
  /** Client flags answering `1` from a throwaway started on a copy (it has no init server to wait out). */
  proofPing: readonly string[];
}

/** The binary log: the server's coordinates, and the program that replays and shows its files. */
export interface BinlogTool {
  /** The replayer/decoder in the server's image (mariadb-binlog, mysqlbinlog). */
  program: string;
  /** SQL answering `File`, `Position` (and more columns) for the binary log now. */
  statusSql(server: Version): string;
  /** SQL answering the GTID mode (`ON`: transactions carry GTIDs a server skips when it has them); null where GTIDs never skip. */
  gtidModeSql: string | null;
  /** SQL answering the executed GTID set; null where the engine has none to ask. */
  gtidExecutedSql: string | null;
  /** Flags for the logical dump so it records the binlog position of its snapshot (a comment line). */
  dumpFlags: readonly string[];
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

  // ---- major upgrades (`update --to-series`, src/domain/series-upgrade.ts)
  /** The series a stack on `from` may move to in one step, by the vendor's documented upgrade paths. */
  upgradeTargets(from: string): readonly string[];
  /** The vendor's pre-upgrade checks that are questions to the old server (the option table covers the config files). */
  upgradeChecks(from: Version, to: Version): readonly UpgradeCheck[];
  /**
   * argv run in the new server's container once it is healthy on the old data, when the server does
   * not upgrade its system tables itself, as `user` when given; null: nothing to run.
   */
  upgradeStep(from: Version, to: Version): { program: string; argv: readonly string[]; user?: string } | null;

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
  /**
   * What the container writes outside its data volume (#15.8): `tmpfs` paths under a read-only root
   * file system, or why the root file system stays writable.
   */
  rootfs: { tmpfs: readonly string[] } | { writable: string };
  /**
   * How root inside the container reaches the server user's files (the entrypoint's find on a
   * restart, the healthcheck, our `docker exec` backup tools): reading only, or writing too.
   */
  rootFileAccess: { cap: 'DAC_READ_SEARCH' | 'DAC_OVERRIDE'; why: string };

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
