// Memory and CPU sizing: a preset's table (presets/*.yaml) applied by the formulas below.
// Everything here is pure and integer MiB, so the same inputs give the same files.
import type { Answers, Runtime } from './answers.js';
import type { DbSizing, DbSizingTraits } from './engines/types.js';
import { PRESETS, PRESET_IDS, type Preset, type PresetId } from './presets.js';

export type SizedService = 'app' | 'worker' | 'mysql' | 'redis' | 'nginx' | 'rabbitmq' | 'minio' | 'node-exporter' | 'prometheus' | 'grafana';

/** Smallest limits at which each service still starts and does useful work. */
export const MIN_MIB: Readonly<Record<SizedService, number>> = {
  // mysqld 8 with a 64 MiB buffer pool and performance_schema off needs ~200 MiB.
  mysql: 256,
  // One Python/Node worker plus the runtime.
  app: 128,
  worker: 96,
  // redis-server itself is ~10 MiB; 48 leaves a usable cache after the fork headroom.
  redis: 48,
  nginx: 32,
  rabbitmq: 256,
  minio: 256,
  'node-exporter': 16,
  prometheus: 128,
  grafana: 96,
};

/** The smallest host we plan for: below 1 GiB even a tiny stack swaps. */
export const MIN_HOST_MIB = 960;

/** Host reserve for the OS, dockerd, containerd, sshd and journald (~300 MiB on Debian 12), plus 6 % as kernel/page-cache floor. */
export function reserveMiB(hostMiB: number): number {
  return Math.min(2048, Math.round(256 + hostMiB * 0.06));
}

/** Preset tier for `auto`: the largest preset whose smallest host this one reaches. */
export function tierFor(hostMiB: number): PresetId {
  let tier: PresetId = '4g';
  for (const id of PRESET_IDS) if (hostMiB >= PRESETS[id].minHostMiB) tier = id;
  return tier;
}

/** The largest preset a host can run, or null when it is below even 4g. */
export function largestFittingPreset(hostMiB: number): PresetId | null {
  let best: PresetId | null = null;
  for (const id of PRESET_IDS) if (hostMiB >= PRESETS[id].minHostMiB) best = id;
  return best;
}

export interface EnabledComponents { redis: boolean; worker: boolean; rabbitmq: boolean; minio: boolean; monitoring: boolean }

export function enabledServices(c: EnabledComponents): SizedService[] {
  const s: SizedService[] = ['app'];
  if (c.worker) s.push('worker');
  s.push('mysql');
  if (c.redis) s.push('redis');
  s.push('nginx');
  if (c.rabbitmq) s.push('rabbitmq');
  if (c.minio) s.push('minio');
  if (c.monitoring) s.push('node-exporter', 'prometheus', 'grafana');
  return s;
}

const roundDown = (x: number, step: number) => Math.floor(x / step) * step;
/** CPU limits in quarter cores, the granularity operators read easily. */
const quarter = (x: number) => Math.max(0.25, Math.round(x * 4) / 4);

export interface MemoryAllocation {
  planRamMiB: number;
  reserveMiB: number;
  budgetMiB: number;
  limits: Partial<Record<SizedService, number>>;
  /** Services whose share fell below MIN_MIB: the host cannot run this selection. */
  short: SizedService[];
}

/** Splits `planRamMiB` between the enabled services: fixed sizes first, then shares of the rest. */
export function allocateMemory(preset: Preset, planRamMiB: number, c: EnabledComponents): MemoryAllocation {
  const reserve = reserveMiB(planRamMiB);
  const budget = planRamMiB - reserve;
  const services = enabledServices(c);
  const limits: Partial<Record<SizedService, number>> = {};
  let fixed = 0;
  for (const s of services) {
    if (s in preset.fixedMiB) {
      const v = preset.fixedMiB[s as keyof Preset['fixedMiB']];
      limits[s] = v;
      fixed += v;
    }
  }
  const shared = services.filter((s): s is keyof Preset['shares'] => s in preset.shares);
  const totalShare = shared.reduce((n, s) => n + preset.shares[s], 0);
  const rest = Math.max(0, budget - fixed);
  // Round down to 16 MiB so limits read cleanly and rounding never overshoots the budget.
  for (const s of shared) limits[s] = roundDown((rest * preset.shares[s]) / totalShare, 16);
  const short = services.filter((s) => (limits[s] ?? 0) < MIN_MIB[s]);
  return { planRamMiB, reserveMiB: reserve, budgetMiB: budget, limits, short };
}

/** CPU limit per service: no single service may take every core, so sshd and dockerd stay responsive. */
export function cpuLimit(s: SizedService, cores: number): number {
  switch (s) {
    case 'app':
    case 'mysql':
      return Math.min(cores, quarter(Math.max(1, cores * 0.75)));
    case 'worker':
      return Math.min(cores, quarter(Math.max(0.5, cores * 0.5)));
    case 'redis':
      // The command loop is single-threaded; one core is all it can use well.
      return Math.min(cores, 1);
    case 'nginx':
      return Math.min(cores, quarter(Math.min(2, Math.max(0.5, cores * 0.5))));
    case 'rabbitmq':
    case 'minio':
    case 'prometheus':
      return Math.min(cores, quarter(Math.max(0.5, cores * 0.25)));
    case 'grafana':
    case 'node-exporter':
      return Math.min(cores, 0.5);
  }
}

/** The database's sizing; its fields are described where the engines read them (engines/types.ts). */
export type MysqlSizing = DbSizing;

/** Worst-case per-connection memory: every buffer a single connection may hold at once (mysqltuner's formula). */
export function perConnectionKiB(m: Pick<MysqlSizing, 'sortBufferKiB' | 'joinBufferKiB' | 'readBufferKiB' | 'readRndBufferKiB' | 'perConnectionFixedKiB'>): number {
  return m.sortBufferKiB + m.joinBufferKiB + m.readBufferKiB + m.readRndBufferKiB + m.perConnectionFixedKiB;
}

export function mysqlWorstCaseMiB(m: Omit<MysqlSizing, 'worstCaseMiB'>): number {
  return m.bufferPoolMiB + m.globalOverheadMiB + Math.ceil((m.maxConnections * perConnectionKiB(m)) / 1024);
}

/**
 * Database settings that fit `limitMiB` with 10 % headroom for allocator fragmentation; `engine`
 * is the engine's memory traits (engines/*.ts), `logBufferIsRedo` what they say of the target version.
 */
export function sizeMysql(preset: Preset, limitMiB: number, engine: DbSizingTraits, opts: { logBufferIsRedo?: boolean } = {}): MysqlSizing {
  const t = preset.mysql;
  // MariaDB 11 sizes its log buffer to the whole redo log (SHOW VARIABLES on 11.8 reports
  // innodb_log_buffer_size = innodb_log_file_size): there the redo log is memory, so it gets smaller.
  const redoShare = opts.logBufferIsRedo ? 8 : 4;
  // performance_schema's own allocation (MySQL 8's autosizes to ~150 MiB; MariaDB's costs less).
  const pfs = t.performanceSchema ? engine.pfsMiB : 0;
  // 8 MiB of MyISAM key cache (MySQL's default; MariaDB's is 128 MiB) is plenty when every table is InnoDB;
  // it is part of the ~96 MiB base below.
  const keyBuffer = 8;
  // MariaDB's Aria engine holds its system tables and spills internal temp tables: 1/64 of the
  // container, at most 32 MiB, instead of the 128 MiB default that a small container cannot spare.
  const aria = engine.ariaPagecache ? Math.min(32, Math.max(1, Math.floor(limitMiB / 64))) : null;
  // Server code, data dictionary and key cache (~96 MiB), log buffer, Aria cache, P_S, and in-memory temp tables
  // (MySQL's TempTable pool is global: temptable_max_ram = tmpTableMiB × 4; for MariaDB we count 4 at once).
  const rawPool = limitMiB * t.bufferPoolShare;
  const logBufferEstimate = opts.logBufferIsRedo ? Math.ceil(rawPool / redoShare) : t.logBufferMiB;
  const fixedOverhead = 96 + logBufferEstimate + (aria ?? 0) + pfs + t.tmpTableMiB * 4;
  // Thread stack (1 MiB) + binlog cache (32 KiB) + net buffer (16 KiB) per connection.
  const perConnFixed = 1024 + 32 + 16;
  const perConnKiB = t.sortBufferKiB + t.joinBufferKiB + t.readBufferKiB + t.readRndBufferKiB + perConnFixed;
  // The pool takes its share, but never so much that 10 connections and the overheads (plus the
  // adaptive hash index, ~3 % of the pool) would leave the 10 % allocator headroom.
  const cap = (limitMiB * 0.9 - fixedOverhead - (10 * perConnKiB) / 1024) / 1.03;
  const raw = Math.min(limitMiB * t.bufferPoolShare, cap);
  // MySQL rounds the pool up to chunk × instances; stay on that grid so the plan is what runs:
  // 128 MiB chunks (the default) from 1 GiB, 16 MiB chunks below so small pools stay exact.
  const step = engine.poolGrid && raw >= 1024 ? 128 : 16;
  let bufferPool = Math.max(32, roundDown(raw, step));
  // One instance per GiB of pool, as MySQL itself advises; 1 below 1 GiB. MariaDB has one.
  const instances = engine.poolGrid ? Math.max(1, Math.min(8, Math.floor(bufferPool / 1024))) : 1;
  if (engine.poolGrid && instances > 1) bufferPool = roundDown(bufferPool, 128 * instances);
  // Redo sized to ~1 hour of writes at this scale: a quarter of the pool (an eighth where it is also the
  // log buffer), at least MySQL's 100 MiB default (32 MiB then), at most 4 GiB.
  const redoLogMiB = Math.min(4096, Math.max(opts.logBufferIsRedo ? 32 : 100, roundDown(bufferPool / redoShare, 4)));
  const logBufferMiB = opts.logBufferIsRedo ? redoLogMiB : t.logBufferMiB;
  const globalOverhead = fixedOverhead - logBufferEstimate + logBufferMiB + Math.ceil(bufferPool * 0.03);
  const base = {
    bufferPoolMiB: bufferPool,
    bufferPoolInstances: instances,
    bufferPoolChunkMiB: engine.poolGrid ? step : null,
    redoLogMiB,
    logBufferMiB,
    sortBufferKiB: t.sortBufferKiB,
    joinBufferKiB: t.joinBufferKiB,
    readBufferKiB: t.readBufferKiB,
    readRndBufferKiB: t.readRndBufferKiB,
    tmpTableMiB: t.tmpTableMiB,
    keyBufferMiB: keyBuffer,
    ariaPagecacheMiB: aria,
    performanceSchema: t.performanceSchema,
    perConnectionFixedKiB: perConnFixed,
    globalOverheadMiB: globalOverhead,
    slowQueryMs: t.slowQueryMs,
    binlogExpireSeconds: t.binlogExpireDays * 86400,
  };
  // Connections get what is left of 90 % of the limit, never more than the preset's table.
  const room = limitMiB * 0.9 - bufferPool - globalOverhead;
  const byMemory = Math.floor((room * 1024) / perConnectionKiB(base));
  const maxConnections = Math.max(10, Math.min(t.maxConnections, byMemory));
  const sized = { ...base, maxConnections };
  return { ...sized, worstCaseMiB: mysqlWorstCaseMiB(sized) };
}

export interface RedisSizing { maxmemoryMiB: number; policy: 'allkeys-lru' | 'noeviction' }

/** jemalloc fragmentation of a long-running Redis (mem_fragmentation_ratio); active defrag is not assumed, Debian's build lacks it. */
export const REDIS_FRAGMENTATION = 1.2;
/** Share of the dataset a busy app rewrites while a BGSAVE/AOF-rewrite child runs: those pages are copied on write. */
export const REDIS_COW_SHARE = 0.4;
/** redis-server's own code, Lua, and buffers outside maxmemory accounting. */
export const REDIS_BASE_MIB = 16;

/** Peak RSS of the Redis container: a full dataset, fragmented, plus the pages copied while a child process saves it. */
export function redisWorstCaseMiB(maxmemoryMiB: number): number {
  return Math.ceil(maxmemoryMiB * REDIS_FRAGMENTATION + maxmemoryMiB * REDIS_COW_SHARE + REDIS_BASE_MIB);
}

export function sizeRedis(preset: Preset, limitMiB: number, mode: 'cache' | 'queue'): RedisSizing {
  // A queue must not lose jobs: refuse writes when full instead of evicting; a cache evicts least-recently-used keys.
  const policy = mode === 'queue' ? 'noeviction' : 'allkeys-lru';
  // The preset's share, but never more than lets the worst case (fragmented, mid-fork, plus the base) fit the
  // limit: on small containers the base's fixed 16 MiB makes the share alone overshoot.
  const fits = Math.floor((limitMiB - REDIS_BASE_MIB) / (REDIS_FRAGMENTATION + REDIS_COW_SHARE));
  // 16 MiB is the floor that is still a useful cache; MIN_MIB.redis (48) keeps `fits` at or above it.
  return { maxmemoryMiB: Math.max(16, Math.min(Math.floor(limitMiB * preset.redis.maxmemoryShare), fits)), policy };
}

export interface AppSizing {
  workers: number;
  /** Each worker process's share of the usable memory; below the preset's typical size only when one worker does not fit it. */
  workerMiB: number;
  /** Per Node process, --max-old-space-size. */
  nodeMaxOldSpaceMiB: number | null;
  /** JVM -Xmx. */
  jvmHeapMiB: number | null;
}

/** Share of the app container its worker processes may use: the master process, imports shared before fork, and spikes need the rest. */
export const APP_WORKER_SHARE = 0.85;

export function sizeApp(preset: Preset, limitMiB: number, cores: number, runtime: Runtime): AppSizing {
  const usable = Math.floor(limitMiB * APP_WORKER_SHARE);
  const cap = preset.app.maxWorkers;
  // As many workers as the runtime wants (`want`) and the memory holds at the preset's typical size,
  // at least one; they share the usable memory equally.
  const fit = (want: number, typicalMiB: number) => {
    const workers = Math.max(1, Math.min(want, Math.floor(usable / typicalMiB), cap));
    return { workers, workerMiB: Math.floor(usable / workers) };
  };
  switch (runtime) {
    case 'python-asgi':
      // Async workers: one per core plus one to cover a worker blocked in sync code.
      return { ...fit(cores + 1, preset.app.workerMiB['python-asgi']), nodeMaxOldSpaceMiB: null, jvmHeapMiB: null };
    case 'python-wsgi':
      // Sync workers: gunicorn's (2 × cores) + 1.
      return { ...fit(2 * cores + 1, preset.app.workerMiB['python-wsgi']), nodeMaxOldSpaceMiB: null, jvmHeapMiB: null };
    case 'node': {
      // One process per core (cluster/pm2); V8's old space at 75 % of each process's share (code, new space and buffers need the rest).
      const f = fit(cores, preset.app.workerMiB.node);
      return { ...f, nodeMaxOldSpaceMiB: Math.max(64, roundDown(f.workerMiB * 0.75, 16)), jvmHeapMiB: null };
    }
    case 'java':
      // One JVM with a thread pool; the heap is a share of the container, the rest is native memory.
      return { workers: 1, workerMiB: usable, nodeMaxOldSpaceMiB: null, jvmHeapMiB: Math.max(64, roundDown(limitMiB * preset.app.jvmHeapShare, 16)) };
    case 'generic':
      return { ...fit(cores, preset.app.workerMiB.generic), nodeMaxOldSpaceMiB: null, jvmHeapMiB: null };
  }
}

export interface NginxSizing { workerProcesses: number; workerConnections: number; workerRlimitNofile: number }

export function sizeNginx(preset: Preset, cpus: number): NginxSizing {
  // One worker per CPU the container may use; `auto` would count the host's cores instead.
  const workerProcesses = Math.max(1, Math.ceil(cpus));
  const workerConnections = preset.nginx.workerConnections;
  // Each proxied connection holds two descriptors (client + upstream).
  return { workerProcesses, workerConnections, workerRlimitNofile: workerConnections * 2 };
}

export function presetFor(a: Pick<Answers, 'preset'>, hostMiB: number): { preset: Preset; planRamMiB: number } {
  if (a.preset === 'auto') return { preset: PRESETS[tierFor(hostMiB)], planRamMiB: hostMiB };
  // A VM sold at this size may report less than planMiB (#22.4): size it from what it has, within its class.
  const p = PRESETS[a.preset];
  return { preset: p, planRamMiB: Math.max(p.minHostMiB, Math.min(p.planMiB, hostMiB)) };
}
