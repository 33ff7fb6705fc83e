// The data services' evidence: MySQL/MariaDB's status and variables and slow log, Redis's INFO and
// its rendered memory settings. Checked by src/domain/doctor/checks-data.ts.
import { join } from 'node:path';
import { cacheEngineOf } from '../../domain/cache/index.js';
import { dbEngine } from '../../domain/engines/index.js';
import { HOST } from '../../render/paths.js';
import { parseInfo, parseRows } from '../../domain/doctor/checks-data.js';
import type { Gatherers } from './gather.js';

export const dataGatherers: Pick<Gatherers, 'mysql' | 'redis'> = {
  async mysql(g) {
    const engine = g.stack.plan.database.engine;
    const c = await g.running('mysql');
    const base = { engine, running: !!c, error: null as string | null, status: {}, variables: {}, limitBytes: c?.HostConfig.Memory || null, slowLog: [] as string[] };
    if (!c) return base;
    // The engine's client; the root password is read inside the container from its own environment: it never crosses our command line.
    const r = await g.q('docker', ['exec', c.Id, ...dbEngine(engine).doctorStatus], 20_000);
    if (r.exitCode !== 0) return { ...base, error: g.ctx.exec.redact(r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`) };
    const rows = parseRows(r.stdout);
    const status: Record<string, string> = {};
    const variables: Record<string, string> = {};
    for (const [k, v] of Object.entries(rows)) (/^[A-Z]/.test(k) ? status : variables)[k] = v;
    let slowLog: string[] = [];
    if (/^(ON|1)$/i.test(variables.slow_query_log ?? '') && variables.slow_query_log_file) {
      const f = variables.slow_query_log_file.startsWith('/') ? variables.slow_query_log_file : `${variables.datadir ?? '/var/lib/mysql/'}${variables.slow_query_log_file}`;
      const t = await g.q('docker', ['exec', c.Id, 'tail', '-n', '300', f], 10_000);
      if (t.exitCode === 0) slowLog = t.stdout.split('\n').map((l) => g.ctx.exec.redact(l));
    }
    return { ...base, status, variables, slowLog };
  },

  async redis(g) {
    const conf = (await g.readText(join(g.stack.installDir, HOST.redisConf))) ?? '';
    const get = (k: string) => new RegExp(`^\\s*${k}\\s+(\\S+)`, 'm').exec(conf)?.[1] ?? null;
    const rendered = { maxmemory: get('maxmemory'), policy: get('maxmemory-policy') };
    const has = (name: string) => g.stack.plan.services.some((s) => s.name === name);
    const broker = has('worker') && !has('rabbitmq');
    const c = await g.running('redis');
    if (!c) return { running: false, error: null, info: {}, rendered, logs: [], broker };
    // REDISCLI_AUTH is set in the container by the compose file: the password stays inside.
    const r = await g.q('docker', ['exec', c.Id, cacheEngineOf(g.stack.plan).cli, 'INFO', 'everything'], 15_000);
    const logs = await g.logs(c.Id, 200);
    if (r.exitCode !== 0 || /^(NOAUTH|ERR|WRONGPASS)/m.test(r.stdout)) return { running: true, error: g.ctx.exec.redact((r.stderr || r.stdout).trim().split('\n').pop() ?? ''), info: {}, rendered, logs, broker };
    return { running: true, error: null, info: parseInfo(r.stdout), rendered, logs, broker };
  },
};
