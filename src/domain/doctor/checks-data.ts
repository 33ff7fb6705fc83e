// MySQL and Redis, asked from inside their containers: connections against max_connections, slow
// queries, worst-case memory against the limit; Redis memory against maxmemory, evictions, and
// persistence errors (INFO persistence). Pure.
import type { DbEngineId } from '../engines/index.js';
import { worstCaseFromVariables } from '../mysql-memory.js';
import { fmtBytes, msg, okFinding, pct, type CheckDef, type Finding, type Line } from './types.js';

const MiB = 1024 * 1024;

export interface MysqlEvidence {
  engine: DbEngineId;
  running: boolean;
  /** Why the server could not be asked (client error), when it could not. */
  error: string | null;
  status: Record<string, string>;
  variables: Record<string, string>;
  /** The container's memory limit. */
  limitBytes: number | null;
  /** The slow query log's last lines, when it is on. */
  slowLog: string[];
}

/** Tab-separated `name value` rows (mysql -N -B) → a map. */
export function parseRows(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('\t');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

const skipped = (check: string, id: string, e: { running: boolean; error: string | null }, service: string): Finding[] => [{
  ...okFinding(check, id, e.running ? 'doc.data.unasked' : 'doc.data.notRunning', e.error ? [e.error] : [], { service }),
  severity: 'info',
  hints: { needs: [service] },
}];

const n = (r: Record<string, string>, k: string) => (r[k] === undefined || r[k] === '' ? null : Number(r[k]));

export const mysqlConnectionsCheck: CheckDef<MysqlEvidence> = {
  id: 'mysql-connections',
  label: 'doc.check.mysqlConnections',
  symptoms: ['bad-gateway', 'slow', 'down'],
  evaluate(e) {
    const max = n(e.variables, 'max_connections');
    const cur = n(e.status, 'Threads_connected');
    if (!e.running || max === null || cur === null) return skipped('mysql-connections', 'mysql.connections', e, 'mysql');
    const peak = n(e.status, 'Max_used_connections') ?? cur;
    const refused = n(e.status, 'Connection_errors_max_connections') ?? 0;
    const ev: Line[] = [msg('doc.mysql.ev.conns', { cur, peak, max, refused })];
    // Clients get "Too many connections" at the limit; 80 % of it at peak leaves no room for a spike.
    // A peak at max_connections means clients were turned away: MariaDB counts a refusal after the
    // handshake only in Aborted_connects (seen on 10.11, test/real/doctor-data.test.ts), not in
    // Connection_errors_max_connections.
    const full = peak >= max;
    const level = cur >= max * 0.95 || refused > 0 || full ? 'error' : peak >= max * 0.8 ? 'warn' : 'ok';
    if (level === 'ok') return [okFinding('mysql-connections', 'mysql.connections', 'doc.mysql.connsOk', ev, { cur, max })];
    return [{
      id: 'mysql.connections', check: 'mysql-connections', severity: level,
      title: msg(refused > 0 ? 'doc.mysql.connsRefused' : full ? 'doc.mysql.connsFull' : 'doc.mysql.connsHigh', { cur, peak, max, refused }),
      explain: msg('doc.mysql.connsExplain'), evidence: ev,
      fix: { auto: false, steps: [msg('doc.mysql.fix.processlist'), msg('doc.mysql.fix.pool'), msg('doc.memory.fix.preset')] },
      causedBy: [],
    }];
  },
};

/** `# Query_time: 3.2 …` header lines and the statements after them, newest last. */
export function slowQueries(lines: readonly string[]): { seconds: number; sql: string }[] {
  const out: { seconds: number; sql: string }[] = [];
  let time: number | null = null;
  for (const l of lines) {
    const m = /^# Query_time:\s*([\d.]+)/.exec(l);
    if (m) {
      time = Number(m[1]);
      continue;
    }
    if (time !== null && l.trim() && !l.startsWith('#') && !/^(SET timestamp|use )/i.test(l)) {
      out.push({ seconds: time, sql: l.trim().slice(0, 200) });
      time = null;
    }
  }
  return out;
}

export const mysqlSlowCheck: CheckDef<MysqlEvidence> = {
  id: 'mysql-slow',
  label: 'doc.check.mysqlSlow',
  symptoms: ['slow', 'bad-gateway'],
  evaluate(e) {
    const slow = n(e.status, 'Slow_queries');
    const uptime = n(e.status, 'Uptime');
    if (!e.running || slow === null || !uptime) return skipped('mysql-slow', 'mysql.slow', e, 'mysql');
    const perMin = Math.round((slow / (uptime / 60)) * 10) / 10;
    const ev: Line[] = [msg('doc.mysql.ev.slow', { count: slow, hours: Math.round((uptime / 3600) * 10) / 10, perMin, long: e.variables.long_query_time ?? '?', log: e.variables.slow_query_log ?? '?' })];
    const sample = slowQueries(e.slowLog).sort((a, b) => b.seconds - a.seconds).slice(0, 3);
    for (const q of sample) ev.push(`  ${q.seconds}s  ${q.sql}`);
    // The seed handbook's alarm: more than 10 slow queries a minute.
    const level = perMin > 10 ? 'warn' : slow > 0 ? 'info' : 'ok';
    if (level === 'ok') return [okFinding('mysql-slow', 'mysql.slow', 'doc.mysql.slowOk', ev)];
    return [{
      id: 'mysql.slow', check: 'mysql-slow', severity: level,
      title: msg('doc.mysql.slowTitle', { count: slow, perMin }), explain: msg('doc.mysql.slowExplain'), evidence: ev,
      fix: { auto: false, steps: [msg('doc.mysql.fix.slowlog', { file: e.variables.slow_query_log_file ?? '?' }), msg('doc.mysql.fix.explain'), msg('doc.mysql.fix.index')] },
      causedBy: [],
    }];
  },
};

export const mysqlMemoryCheck: CheckDef<MysqlEvidence> = {
  id: 'mysql-memory',
  label: 'doc.check.mysqlMemory',
  symptoms: ['slow', 'down'],
  evaluate(e) {
    if (!e.running || !e.variables.innodb_buffer_pool_size) return skipped('mysql-memory', 'mysql.memory', e, 'mysql');
    const m = worstCaseFromVariables(e.variables, e.engine);
    const limitMiB = e.limitBytes ? Math.floor(e.limitBytes / MiB) : null;
    const ev: Line[] = [
      msg('doc.mysql.ev.memory', { global: m.globalMiB, perConn: m.perConnectionKiB, max: m.maxConnections, worst: m.worstCaseMiB, limit: limitMiB ?? '∞' }),
      msg('doc.mysql.ev.pool', { pool: fmtBytes(Number(e.variables.innodb_buffer_pool_size)) }),
    ];
    // With every connection busy the server can reach this; past the limit the kernel kills it.
    if (limitMiB === null || m.worstCaseMiB <= limitMiB) return [okFinding('mysql-memory', 'mysql.memory', 'doc.mysql.memOk', ev, { worst: m.worstCaseMiB, limit: limitMiB ?? '∞' })];
    return [{
      id: 'mysql.memory', check: 'mysql-memory', severity: 'warn',
      title: msg('doc.mysql.memTitle', { worst: m.worstCaseMiB, limit: limitMiB }), explain: msg('doc.mysql.memExplain'), evidence: ev,
      fix: { auto: false, steps: [msg('doc.mysql.fix.rerender'), msg('doc.mysql.fix.handEdits')] },
      causedBy: [], hints: { files: ['mysql/conf.d/stack-wizard.cnf'] },
    }];
  },
};

// ---------------------------------------------------------------- Redis

export interface RedisEvidence {
  running: boolean;
  error: string | null;
  /** INFO memory, stats, persistence, errorstats, as key → value. */
  info: Record<string, string>;
  /** maxmemory and maxmemory-policy as redis.conf renders them (the stack's sizing). */
  rendered: { maxmemory: string | null; policy: string | null };
  /** The container's last log lines. */
  logs: string[];
  /** A worker takes its jobs from this Redis (the stack has a worker and no RabbitMQ): an evicted key is a lost job. */
  broker?: boolean;
}

/** `key:value` lines of INFO → a map (section headers and blank lines skipped). */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

/** redis.conf sizes (278mb, 1gb, 100000) → bytes, as Redis reads them (mb = 1024², m = 1000²). */
export function redisBytes(v: string | null | undefined): number | null {
  if (!v) return null;
  const m = /^(\d+)\s*(k|kb|m|mb|g|gb)?$/i.exec(v.trim());
  if (!m) return null;
  const mult: Record<string, number> = { k: 1000, kb: 1024, m: 1000 ** 2, mb: 1024 ** 2, g: 1000 ** 3, gb: 1024 ** 3 };
  return Number(m[1]) * (m[2] ? mult[m[2].toLowerCase()]! : 1);
}

export const redisMemoryCheck: CheckDef<RedisEvidence> = {
  id: 'redis-memory',
  label: 'doc.check.redisMemory',
  symptoms: ['bad-gateway', 'slow', 'down'],
  evaluate(e) {
    const used = n(e.info, 'used_memory');
    if (!e.running || used === null) return skipped('redis-memory', 'redis.memory', e, 'redis');
    const max = n(e.info, 'maxmemory') ?? 0;
    const policy = e.info.maxmemory_policy ?? '?';
    const evicted = n(e.info, 'evicted_keys') ?? 0;
    const oomErrors = Number(/count=(\d+)/.exec(e.info.errorstat_OOM ?? '')?.[1] ?? 0);
    const wantMax = redisBytes(e.rendered.maxmemory);
    const ev: Line[] = [msg('doc.redis.ev.memory', { used: fmtBytes(used), max: max ? fmtBytes(max) : '∞', pct: max ? pct(used, max) : '-', policy, evicted, oom: oomErrors })];
    const drift = (wantMax !== null && wantMax !== max) || (e.rendered.policy !== null && e.rendered.policy !== policy);
    if (drift) ev.push(msg('doc.redis.ev.drift', { liveMax: max ? fmtBytes(max) : '0', livePolicy: policy, fileMax: e.rendered.maxmemory ?? '?', filePolicy: e.rendered.policy ?? '?' }));
    const set: Record<string, string> = {};
    if (wantMax !== null && wantMax !== max) set.maxmemory = String(wantMax);
    if (e.rendered.policy && e.rendered.policy !== policy) set['maxmemory-policy'] = e.rendered.policy;
    const restore = drift ? { auto: true as const, action: { kind: 'redis-config' as const, set }, notes: [msg('doc.redis.fix.driftNote')] } : null;
    // The worker's queue in an evicting Redis: when it fills, queued jobs vanish without an error (#22.1).
    const evicts = policy !== 'noeviction' && policy !== '?';
    if (e.broker && evicts && !drift) {
      return [{
        id: 'redis.memory', check: 'redis-memory', severity: evicted > 0 ? 'error' : 'warn',
        title: msg(evicted > 0 ? 'doc.redis.brokerEvicted' : 'doc.redis.brokerEvicts', { policy, evicted }), explain: msg('doc.redis.brokerExplain'), evidence: ev,
        fix: { auto: false, steps: [msg('doc.redis.fix.queueMode'), msg('doc.redis.fix.rerender')] },
        causedBy: [], hints: { service: 'redis', files: ['redis/redis.conf'] },
      }];
    }
    // Full under noeviction: writes are refused ("OOM command not allowed"), the larger ones first,
    // from about 90 % on (a value must fit whole); reads still work. Refused writes since the start
    // count too: the app saw errors even if consumers have drained it since.
    if (max > 0 && policy === 'noeviction' && (used >= max * 0.9 || oomErrors > 0)) {
      return [{
        id: 'redis.memory', check: 'redis-memory', severity: 'error',
        title: msg(used >= max * 0.9 ? 'doc.redis.full' : 'doc.redis.refusedBefore', { used: fmtBytes(used), max: fmtBytes(max), oom: oomErrors }), explain: msg(drift ? 'doc.redis.fullDriftExplain' : 'doc.redis.fullExplain'), evidence: ev,
        fix: restore ?? { auto: false, steps: [msg('doc.redis.fix.bigkeys'), msg('doc.redis.fix.consumers'), msg('doc.memory.fix.preset')] },
        causedBy: [], hints: { service: 'redis' },
      }];
    }
    // Near the limit under noeviction: the next burst of jobs or sessions is refused.
    if (max > 0 && policy === 'noeviction' && used >= max * 0.8 && !drift) {
      return [{
        id: 'redis.memory', check: 'redis-memory', severity: 'warn',
        title: msg('doc.redis.nearFull', { used: fmtBytes(used), max: fmtBytes(max), pct: pct(used, max) }), explain: msg('doc.redis.fullExplain'), evidence: ev,
        fix: { auto: false, steps: [msg('doc.redis.fix.bigkeys'), msg('doc.redis.fix.consumers'), msg('doc.memory.fix.preset')] },
        causedBy: [], hints: { service: 'redis' },
      }];
    }
    if (drift) {
      return [{ id: 'redis.memory', check: 'redis-memory', severity: 'warn', title: msg('doc.redis.drift'), explain: msg('doc.redis.driftExplain'), evidence: ev, fix: restore, causedBy: [] }];
    }
    // A cache evicting all the time is too small for its working set: hit rate drops, the app slows.
    const hits = n(e.info, 'keyspace_hits') ?? 0;
    const misses = n(e.info, 'keyspace_misses') ?? 0;
    if (evicted > 10000 && misses > hits) {
      return [{ id: 'redis.memory', check: 'redis-memory', severity: 'warn', title: msg('doc.redis.evicting', { evicted, hit: pct(hits, hits + misses) }), explain: msg('doc.redis.evictingExplain'), evidence: ev, fix: { auto: false, steps: [msg('doc.redis.fix.ttl'), msg('doc.memory.fix.preset')] }, causedBy: [] }];
    }
    return [okFinding('redis-memory', 'redis.memory', 'doc.redis.memOk', ev)];
  },
};

export const redisPersistenceCheck: CheckDef<RedisEvidence> = {
  id: 'redis-persistence',
  label: 'doc.check.redisPersistence',
  symptoms: ['disk', 'bad-gateway', 'down'],
  evaluate(e, now) {
    if (!e.running || e.info.rdb_last_bgsave_status === undefined) return skipped('redis-persistence', 'redis.persistence', e, 'redis');
    const rdbErr = e.info.rdb_last_bgsave_status === 'err';
    const aofOn = e.info.aof_enabled === '1';
    const aofErr = aofOn && (e.info.aof_last_write_status === 'err' || e.info.aof_last_bgrewrite_status === 'err');
    const last = n(e.info, 'rdb_last_save_time');
    const ev: Line[] = [
      msg('doc.redis.ev.rdb', { status: e.info.rdb_last_bgsave_status, ago: last ? Math.round((now.getTime() / 1000 - last) / 60) : '?', changes: e.info.rdb_changes_since_last_save ?? '?' }),
      aofOn ? msg('doc.redis.ev.aof', { write: e.info.aof_last_write_status ?? '?', rewrite: e.info.aof_last_bgrewrite_status ?? '?' }) : msg('doc.redis.ev.aofOff'),
    ];
    if (!rdbErr && !aofErr) return [okFinding('redis-persistence', 'redis.persistence', 'doc.redis.persistOk', ev)];
    const lines = e.logs.filter((l) => /Background saving error|Error writing|Short write|Can't save|No space left|Failed opening|MISCONF|AOF/i.test(l)).slice(-4);
    ev.push(...lines.map((l) => `  ${l}`));
    return [{
      id: 'redis.persistence', check: 'redis-persistence', severity: 'error',
      title: msg(aofErr ? 'doc.redis.aofErr' : 'doc.redis.rdbErr'), explain: msg('doc.redis.persistExplain'), evidence: ev,
      fix: { auto: true, action: { kind: 'redis-save', command: aofErr && !rdbErr ? 'BGREWRITEAOF' : 'BGSAVE' }, notes: [msg('doc.redis.fix.saveNote')] },
      // A failed write to disk: a full disk explains it even when Redis logged only a short write.
      causedBy: [], hints: { service: 'redis', signals: ['disk-write', ...(/No space left|ENOSPC/i.test(e.logs.join('\n')) ? ['enospc'] : [])] },
    }];
  },
};
