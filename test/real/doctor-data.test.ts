// Doctor's data checks against real servers (#22.1, #22.2): a redis-server started with the
// generated redis.conf filled to its maxmemory by a Celery-like producer, and a MariaDB at its
// max_connections. The evidence is what the servers themselves report (INFO, SHOW GLOBAL STATUS),
// read as doctor's gatherers read it; the checks must name the cause and the fix.
// Each server runs in its own network namespace, on the host's Debian 12 packages.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AnswersSchema, type AnswersInput } from '../../src/domain/answers.js';
import {
  mysqlConnectionsCheck,
  parseInfo,
  parseRows,
  redisMemoryCheck,
  type RedisEvidence,
} from '../../src/domain/doctor/checks-data.js';
import { buildPlan } from '../../src/domain/plan.js';
import { renderMysqlCnf } from '../../src/render/mysql.js';
import { renderRedisConf } from '../../src/render/redis.js';
import { translator } from '../../src/i18n/index.js';
import { VM } from '../fixtures/facts.js';
import { NetNs, Stop, waitFor } from './support/sandbox.js';
import { runSync } from '../support/proc.js';

const t = translator('en');
const PASSWORD = 'Test0nlyPassw0rdForRedisServer42';
/** Small enough to fill in a second; the rest of the file is the generated one. */
const TEST_MAXMEMORY = '8mb';
const VALUE = 'x'.repeat(64 * 1024);

let ns: NetNs | null = null;
let cleanup: (() => void) | null = null;
afterEach(async () => {
  await ns?.stop();
  ns = null;
  cleanup?.();
  cleanup = null;
});

const base: AnswersInput = {
  project: 'shop',
  preset: '4g',
  app: { image: 'registry.example.com/team/api:1.4.2', workerCommand: ['celery', '-A', 'shop', 'worker'] },
};

/** RESP for one command, as redis-cli --pipe reads it. */
const resp = (...args: string[]) =>
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

async function startRedis(answers: AnswersInput, patch: (conf: string) => string = (c) => c) {
  const plan = buildPlan(AnswersSchema.parse(answers), VM['4g']);
  const work = mkdtempSync(join(tmpdir(), 'sw-doctor-redis-'));
  // The data directory is the work folder instead of the container's volume.
  const conf = patch(
    renderRedisConf(plan)[0]!
      .content.replace(/^maxmemory \S+$/m, `maxmemory ${TEST_MAXMEMORY}`)
      .replace(/^dir \/data$/m, `dir ${work}`),
  );
  expect(conf).toContain(`maxmemory ${TEST_MAXMEMORY}`);
  expect(conf).toContain(`dir ${work}`);
  cleanup = () => rmSync(work, { recursive: true, force: true });
  writeFileSync(join(work, 'redis.conf'), conf);
  ns = await new NetNs().start();
  // As compose runs it: the file, then the password.
  const server = ns.spawn(['redis-server', join(work, 'redis.conf'), '--requirepass', PASSWORD]);
  const cli = (...args: string[]) => ns!.run(['redis-cli', '--no-auth-warning', '-a', PASSWORD, ...args]);
  await waitFor('redis-server to answer', () => {
    if (server.exitCode !== null) throw new Stop(`redis-server exited ${server.exitCode}: ${server.output()}`);
    return cli('PING').stdout.trim() === 'PONG' ? true : undefined;
  });
  // What doctor's gatherer reads: redis.conf's two settings and INFO everything.
  const get = (k: string) => new RegExp(`^\\s*${k}\\s+(\\S+)`, 'm').exec(conf)?.[1] ?? null;
  const evidence = (broker: boolean): RedisEvidence => ({
    running: true,
    error: null,
    info: parseInfo(cli('INFO', 'everything').stdout),
    rendered: { maxmemory: get('maxmemory'), policy: get('maxmemory-policy') },
    logs: [],
    broker,
  });
  return { cli, evidence, conf };
}

/** A Celery-like producer: 50 jobs on the queue, then the app's cache writes until Redis is full. */
function queueThenFill() {
  const jobs = Array.from({ length: 50 }, (_, i) =>
    resp('LPUSH', 'celery', JSON.stringify({ id: `job-${i}`, task: 'shop.tasks.send_mail' })),
  ).join('');
  const pushed = ns!.run(['redis-cli', '--no-auth-warning', '-a', PASSWORD, '--pipe'], { input: jobs });
  expect(pushed.stdout).toMatch(/errors: 0, replies: 50/);
  const fill = Array.from({ length: 300 }, (_, i) => resp('SET', `cache:${i}`, VALUE)).join('');
  return ns!.run(['redis-cli', '--no-auth-warning', '-a', PASSWORD, '--pipe'], { input: fill, timeoutMs: 60_000 });
}

describe("Redis as the worker's broker at its maxmemory (#22.1, #22.2)", () => {
  it('queue mode (the default with a worker and no RabbitMQ): writes are refused, every queued job survives, doctor names it', async () => {
    const { cli, evidence, conf } = await startRedis({
      ...base,
      components: { redis: true, worker: true, rabbitmq: false },
    });
    expect(conf).toContain('maxmemory-policy noeviction');
    const fill = queueThenFill();
    // The server refused the writes past its limit, with Redis's own error.
    expect(fill.stdout + fill.stderr).toMatch(/OOM command not allowed/);
    expect(cli('LLEN', 'celery').stdout.trim()).toBe('50');
    const [f] = redisMemoryCheck.evaluate(evidence(true), new Date());
    expect(f!.severity).toBe('error');
    expect(t(f!.title.key, f!.title.params)).toMatch(
      /^Redis is full: .* of 8\.0 MiB with maxmemory-policy noeviction, so writes are refused$/,
    );
    expect(f!.evidence.map((l) => (typeof l === 'string' ? l : t(l.key, l.params))).join('\n')).toMatch(
      /writes refused for memory [1-9]\d*/,
    );
    // Consumers drain the cache keys: memory is back, but the refusals stay a finding until the restart.
    const del = ns!.run(['redis-cli', '--no-auth-warning', '-a', PASSWORD, '--pipe'], {
      input: Array.from({ length: 300 }, (_, i) => resp('DEL', `cache:${i}`)).join(''),
    });
    expect(del.exitCode).toBe(0);
    const [after] = redisMemoryCheck.evaluate(evidence(true), new Date());
    expect(after!.severity).toBe('error');
    expect(t(after!.title.key, after!.title.params)).toMatch(
      /^Redis refused \d+ writes for memory \(maxmemory 8\.0 MiB, noeviction\)/,
    );
  });

  it('the file earlier versions wrote for the same stack (allkeys-lru): queued jobs are evicted without an error, doctor says so', async () => {
    const { cli, evidence, conf } = await startRedis(
      { ...base, components: { redis: true, worker: true, rabbitmq: false } },
      (c) => c.replace('maxmemory-policy noeviction', 'maxmemory-policy allkeys-lru'),
    );
    expect(conf).toContain('maxmemory-policy allkeys-lru');
    const [before] = redisMemoryCheck.evaluate(evidence(true), new Date());
    expect(before!.severity).toBe('warn');
    const fill = queueThenFill();
    expect(fill.stdout + fill.stderr).not.toMatch(/OOM/);
    // Jobs gone, silently: the producer saw no error.
    expect(Number(cli('LLEN', 'celery').stdout.trim())).toBeLessThan(50);
    const [f] = redisMemoryCheck.evaluate(evidence(true), new Date());
    expect(f!.severity).toBe('error');
    expect(t(f!.title.key, f!.title.params)).toMatch(
      /^Redis evicted \d+ keys while the worker takes its jobs from it \(maxmemory-policy allkeys-lru\)/,
    );
  });
});

describe('MariaDB at max_connections (#22.2)', () => {
  it('a client refused with "Too many connections" is an error finding naming the limit and the refusals', async () => {
    const plan = buildPlan(
      AnswersSchema.parse({ ...base, database: { engine: 'mariadb', version: '10.11' } }),
      VM['4g'],
    );
    const work = mkdtempSync(join(tmpdir(), 'sw-doctor-mariadb-'));
    chmodSync(work, 0o755);
    cleanup = () => rmSync(work, { recursive: true, force: true });
    const data = join(work, 'data');
    mkdirSync(data);
    const uid = Number(runSync(['id', '-u', 'mysql']).stdout.trim());
    const gid = Number(runSync(['id', '-g', 'mysql']).stdout.trim());
    chownSync(data, uid, gid);
    chownSync(work, uid, gid);
    const cnf = join(work, 'my.cnf');
    writeFileSync(cnf, renderMysqlCnf(plan).content);
    const init = runSync(
      [
        'mariadb-install-db',
        `--defaults-file=${cnf}`,
        '--user=mysql',
        `--datadir=${data}`,
        '--auth-root-authentication-method=socket',
        '--skip-test-db',
      ],
      { timeoutMs: 180_000 },
    );
    expect(init.exitCode, init.stdout + init.stderr).toBe(0);
    ns = await new NetNs().start();
    const sock = join(work, 'mysqld.sock');
    // The generated file, with max_connections lowered to MariaDB's floor (10) so a few clients reach it.
    const server = ns.spawn([
      'mariadbd',
      `--defaults-file=${cnf}`,
      '--user=mysql',
      `--datadir=${data}`,
      `--socket=${sock}`,
      '--max-connections=10',
      `--pid-file=${join(work, 'mysqld.pid')}`,
      `--log-error=${join(work, 'error.log')}`,
    ]);
    const root = (sql: string) => runSync(['mariadb', `--socket=${sock}`, '-uroot', '-N', '-B', '-e', sql]);
    await waitFor(
      'mariadbd to accept connections',
      () => {
        if (server.exitCode !== null) throw new Stop(`mariadbd exited ${server.exitCode}: ${server.output()}`);
        return root('SELECT 1').exitCode === 0 ? true : undefined;
      },
      { timeoutMs: 120_000 },
    );
    expect(
      root("CREATE USER 'app'@'localhost' IDENTIFIED BY 'app-pass-1'; GRANT SELECT ON *.* TO 'app'@'localhost'")
        .exitCode,
    ).toBe(0);
    const app = (sql: string) =>
      ns!.runAsync(['mariadb', `--socket=${sock}`, '-uapp', '-papp-pass-1', '-N', '-B', '-e', sql], {
        timeoutMs: 60_000,
      });
    // Sessions hold every connection (MariaDB lets max_connections + 1 in); the next one is refused by the server.
    const holders: Promise<unknown>[] = [];
    let refused: { exitCode: number; stderr: string } | null = null;
    for (let i = 0; i < 14 && !refused; i++) {
      let done: { exitCode: number; stderr: string } | null = null;
      holders.push(app('SELECT SLEEP(20)').then((r) => (done = r)));
      await waitFor(`session ${i + 1}`, () => {
        if (done && done.exitCode !== 0) return ((refused = done), true);
        return Number(root("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'app'").stdout.trim()) ===
          i + 1
          ? true
          : undefined;
      });
    }
    expect(refused, 'a session past max_connections is refused').not.toBeNull();
    expect(refused!.stderr).toMatch(/Too many connections/);
    expect(holders.length).toBeLessThanOrEqual(11);
    // What doctor's gatherer runs (the engine's doctorStatus SQL), as root, who has the one spare connection.
    const rows = parseRows(root('SHOW GLOBAL STATUS; SHOW GLOBAL VARIABLES;').stdout);
    const status: Record<string, string> = {};
    const variables: Record<string, string> = {};
    for (const [k, v] of Object.entries(rows)) (/^[A-Z]/.test(k) ? status : variables)[k] = v;
    const [f] = mysqlConnectionsCheck.evaluate(
      { engine: 'mariadb', running: true, error: null, status, variables, limitBytes: null, slowLog: [] },
      new Date(),
    );
    expect(f!.severity).toBe('error');
    // MariaDB 10.11 counts the refusal in Connection_errors_max_connections only sometimes (a refusal
    // after the handshake lands in Aborted_connects): the peak at the limit says it either way.
    expect(t(f!.title.key, f!.title.params)).toMatch(
      /^MySQL (refused \d+ connection\(s\) at max_connections \(10\)|reached max_connections \(10; 1[01] at peak\): new connections are refused)/,
    );
    expect(f!.title.params).toMatchObject({ max: 10 });
    // The shutdown ends the sleeping sessions too.
    expect(runSync(['mariadb-admin', `--socket=${sock}`, '-uroot', 'shutdown']).exitCode).toBe(0);
    await Promise.all(holders);
    await waitFor('mariadbd to stop', () => (server.exitCode !== null ? true : undefined), { timeoutMs: 60_000 });
  });
});
