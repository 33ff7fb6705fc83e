// A real MariaDB server started with each generated my.cnf (10.11 from Debian 12, 11.8 from a
// Debian 13 chroot): it must start cleanly, report exactly the planned values in SHOW GLOBAL
// VARIABLES, and its own figures must give a worst case inside the container limit that the rendered
// docker-compose.yml sets. The default target, 11.4, cannot run here: no Debian release packages it
// (12 has 10.11, 13 has 11.8), so its file runs on 11.8 and test/unit/mysql-conf.test.ts checks each
// of its options against MariaDB's documentation for 11.4.
// Each server runs as the mysql user in a private network namespace and is stopped after its test.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AnswersSchema } from '../../src/domain/answers.js';
import { GOLDEN_CASES } from '../fixtures/golden-cases.js';
import { worstCaseFromVariables } from '../../src/domain/mysql-memory.js';
import { buildPlan, type Plan } from '../../src/domain/plan.js';
import { renderMysqlCnf } from '../../src/render/mysql.js';
import { CONTAINER, HOST } from '../../src/render/paths.js';
import { VM } from '../fixtures/facts.js';
import { composeMemoryLimit } from './support/compose-limit.js';
import { NetNs, Stop, debianChroot, waitFor } from './support/sandbox.js';
import { runSync } from '../support/proc.js';

const MiB = 1024 * 1024;
const PRESETS = ['4g', '8g', '16g'] as const;
/** Target version → where its server comes from: the host's Debian 12 package or the trixie chroot (11.4 has none of its own here). */
const SERVERS = [
  { target: '10.11', suite: null, runsOn: '10.11', expect: /^10\.11\./ },
  { target: '11.4', suite: 'trixie', runsOn: '11.8', expect: /^11\.8\./ },
  { target: '11.8', suite: 'trixie', runsOn: '11.8', expect: /^11\.8\./ },
] as const;

function plan(preset: (typeof PRESETS)[number], version: string): Plan {
  const a = AnswersSchema.parse({
    project: 'shop',
    preset,
    app: { image: 'registry.example.com/team/api:1.4.2' },
    database: { engine: 'mariadb', version },
  });
  return buildPlan(a, VM[preset]);
}

let ns: NetNs | null = null;
let cleanup: (() => void) | null = null;
afterEach(async () => {
  await ns?.stop();
  ns = null;
  cleanup?.();
  cleanup = null;
});

/** Starts mariadbd with only our file as configuration; returns the server's variables and error log. */
async function startWith(p: Plan, suite: 'trixie' | null): Promise<{ vars: Record<string, string>; log: string; version: string }> {
  const root = suite ? await debianChroot(suite) : '/';
  // Inside the root the server sees container-like paths; the work dir is unique per test.
  const work = mkdtempSync(join(root, 'tmp', 'sw-mariadb-'));
  // mkdtemp makes it 0700; the server runs as mysql and must reach its data directory inside.
  chmodSync(work, 0o755);
  const inner = (p: string) => (suite ? p.slice(root.length) || '/' : p);
  const cnf = join(work, 'my.cnf');
  const data = join(work, 'data');
  const runDir = join(work, 'run');
  mkdirSync(data);
  mkdirSync(runDir);
  writeFileSync(cnf, renderMysqlCnf(p).content);
  const uid = Number(runSync(suite ? ['chroot', root, 'id', '-u', 'mysql'] : ['id', '-u', 'mysql']).stdout.trim());
  const gid = Number(runSync(suite ? ['chroot', root, 'id', '-g', 'mysql'] : ['id', '-g', 'mysql']).stdout.trim());
  chownSync(data, uid, gid);
  chownSync(runDir, uid, gid);
  cleanup = () => rmSync(work, { recursive: true, force: true });
  const wrap = (argv: string[]) => (suite ? ['chroot', root, ...argv] : argv);

  const init = runSync(wrap(['mariadb-install-db', `--defaults-file=${inner(cnf)}`, '--user=mysql', `--datadir=${inner(data)}`, '--auth-root-authentication-method=socket', '--skip-test-db']), { timeoutMs: 180_000 });
  expect(init.exitCode, init.stdout + init.stderr).toBe(0);

  ns = await new NetNs().start();
  const sock = join(inner(runDir), 'mysqld.sock');
  // In the run dir: the server (user mysql) creates it.
  const logFile = join(inner(runDir), 'error.log');
  const server = ns.spawn(wrap(['mariadbd', `--defaults-file=${inner(cnf)}`, '--user=mysql', `--datadir=${inner(data)}`, `--socket=${sock}`, `--log-error=${logFile}`, `--pid-file=${join(inner(runDir), 'mysqld.pid')}`]));
  const client = (sql: string) => runSync(wrap(['mariadb', `--socket=${sock}`, '-uroot', '-N', '-B', '-e', sql]));
  await waitFor('mariadbd to accept connections', () => {
    if (server.exitCode !== null) throw new Stop(`mariadbd exited ${server.exitCode}: ${readLog()}`);
    return client('SELECT 1').exitCode === 0 ? true : undefined;
  }, { timeoutMs: 120_000 });
  function readLog() {
    try {
      return readFileSync(join(runDir, 'error.log'), 'utf8');
    } catch {
      return server.output();
    }
  }
  const out = client('SHOW GLOBAL VARIABLES');
  expect(out.exitCode, out.stderr).toBe(0);
  const vars = Object.fromEntries(out.stdout.trim().split('\n').map((l) => l.split('\t') as [string, string]));
  // Everything SHOW VARIABLES said came from the running server; stop it cleanly now.
  const down = runSync(wrap(['mariadb-admin', `--socket=${sock}`, '-uroot', 'shutdown']));
  expect(down.exitCode, down.stderr).toBe(0);
  await waitFor('mariadbd to stop', () => (server.exitCode !== null ? true : undefined), { timeoutMs: 60_000 });
  return { vars, log: readLog(), version: vars.version! };
}

describe('a real MariaDB runs each generated my.cnf as planned', () => {
  for (const s of SERVERS) {
    for (const preset of PRESETS) {
      it(`MariaDB ${s.target} target${s.runsOn !== s.target ? ` (run on ${s.runsOn}: no ${s.target} server here)` : ''}, preset ${preset}`, async () => {
        const p = plan(preset, s.target);
        const db = p.database;
        expect(db.engine).toBe('mariadb');
        const { vars, log, version } = await startWith(p, s.suite);
        expect(version).toMatch(s.expect);

        // The server never complained about an option: nothing unknown, removed or deprecated.
        expect(log).toMatch(/ready for connections/);
        expect(log).not.toMatch(/unknown (variable|option)|deprecated|was removed|ignoring option|\[ERROR\]/i);

        const bytes = (mib: number) => String(mib * MiB);
        expect(vars.innodb_buffer_pool_size).toBe(bytes(db.bufferPoolMiB));
        expect(vars.innodb_log_file_size).toBe(bytes(db.redoLogMiB));
        if (Number(version.split('.')[0]) >= 11) {
          // 11.8 sizes its log buffer to the redo log less its 12 KiB header, whatever innodb_log_buffer_size says;
          // the plan must count at least that much memory for it.
          expect(Number(vars.innodb_log_buffer_size)).toBe(Number(vars.innodb_log_file_size) - 12288);
          expect(db.logBufferMiB * MiB).toBeGreaterThanOrEqual(Number(vars.innodb_log_buffer_size));
        } else {
          expect(vars.innodb_log_buffer_size).toBe(bytes(db.logBufferMiB));
        }
        expect(Number(vars.max_connections)).toBe(db.maxConnections);
        expect(vars.sort_buffer_size).toBe(String(db.sortBufferKiB * 1024));
        expect(vars.join_buffer_size).toBe(String(db.joinBufferKiB * 1024));
        expect(vars.read_buffer_size).toBe(String(db.readBufferKiB * 1024));
        expect(vars.read_rnd_buffer_size).toBe(String(db.readRndBufferKiB * 1024));
        expect(vars.tmp_table_size).toBe(bytes(db.tmpTableMiB));
        expect(vars.max_heap_table_size).toBe(bytes(db.tmpTableMiB));
        expect(vars.key_buffer_size).toBe(bytes(db.keyBufferMiB));
        expect(vars.aria_pagecache_buffer_size).toBe(bytes(db.ariaPagecacheMiB!));
        expect(vars.performance_schema).toBe(db.performanceSchema ? 'ON' : 'OFF');
        expect(vars.query_cache_type).toBe('OFF');
        expect(vars.query_cache_size).toBe('0');
        expect(vars.character_set_server).toBe('utf8mb4');
        expect(vars.collation_server).toBe('utf8mb4_unicode_ci');
        expect(vars.skip_name_resolve).toBe('ON');
        expect(vars.slow_query_log).toBe('ON');
        expect(Number(vars.long_query_time)).toBe(db.slowQueryMs / 1000);
        expect(vars.log_bin).toBe('ON');
        expect(vars.log_bin_basename).toMatch(/\/binlog$/);
        expect(Number(vars.binlog_expire_logs_seconds)).toBe(db.binlogExpireSeconds);
        expect(vars.innodb_flush_log_at_trx_commit).toBe('1');

        // The memory arithmetic with the server's own figures (its thread stack, binlog cache, net buffer),
        // against the container limit docker-compose.yml gives the engine, with 10 % left for the allocator.
        const limitMiB = composeMemoryLimit(p, 'mysql') / MiB;
        const m = worstCaseFromVariables(vars, 'mariadb');
        expect(m.maxConnections).toBe(Number(vars.max_connections));
        expect(m.worstCaseMiB).toBeGreaterThan(Number(vars.innodb_buffer_pool_size) / MiB);
        expect(m.worstCaseMiB).toBeLessThanOrEqual(limitMiB * 0.9);
      });
    }
  }
});

describe('the server is the judge: a bad option stops MariaDB', () => {
  it('MariaDB 11.8 refuses innodb_redo_log_capacity (a MySQL-only name our table also rejects)', async () => {
    const root = await debianChroot('trixie');
    const work = mkdtempSync(join(root, 'tmp', 'sw-mariadb-bad-'));
    cleanup = () => rmSync(work, { recursive: true, force: true });
    writeFileSync(join(work, 'my.cnf'), '[mysqld]\ninnodb_redo_log_capacity = 512M\n');
    const inner = work.slice(root.length);
    const r = runSync(['chroot', root, 'mariadbd', `--defaults-file=${inner}/my.cnf`, '--user=mysql', `--datadir=${inner}/nodata`, '--help', '--verbose']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/unknown variable 'innodb_redo_log_capacity/);
    expect(CONTAINER.mysqlCnf).toBe('/etc/mysql/conf.d/stack-wizard.cnf');
  });
});

describe('every golden MariaDB my.cnf (test/golden) is read without a complaint by the server of its series', () => {
  const GOLDEN = join(import.meta.dirname, '..', 'golden');
  for (const c of GOLDEN_CASES.filter((g) => g.answers.database.engine === 'mariadb')) {
    it(c.name, async () => {
      const p = buildPlan(c.answers, c.facts);
      // 10.11 is this machine's own; 11.4 and 11.8 files run on Debian 13's 11.8.
      const suite = p.database.serverVersion.startsWith('10.') ? null : 'trixie';
      const root = suite ? await debianChroot(suite) : '/';
      const work = mkdtempSync(join(root, 'tmp', 'sw-mariadb-golden-'));
      cleanup = () => rmSync(work, { recursive: true, force: true });
      writeFileSync(join(work, 'my.cnf'), readFileSync(join(GOLDEN, c.name, HOST.mysqlCnf), 'utf8'));
      const inner = suite ? work.slice(root.length) : work;
      const wrap = (argv: string[]) => (suite ? ['chroot', root, ...argv] : argv);
      // --help --verbose parses every option as the server would at start, then prints the resulting values.
      const r = runSync(wrap(['mariadbd', `--defaults-file=${inner}/my.cnf`, '--user=mysql', `--datadir=${inner}/nodata`, '--help', '--verbose']));
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/unknown (variable|option)|deprecated|was removed|ignoring option|\[ERROR\]/i);
      // Only what this sandbox causes (no data directory, the test's own open-files limit) may warn.
      const warnings = r.stderr.split('\n').filter((l) => /\[Warning\]/.test(l));
      expect(warnings.filter((l) => !/Could not increase number of max_open_files|Could not open mysql\.plugin table/.test(l))).toEqual([]);
      expect(r.stdout).toMatch(new RegExp(`^innodb-buffer-pool-size\\s+${p.database.bufferPoolMiB * MiB}$`, 'm'));
      expect(r.stdout).toMatch(new RegExp(`^max-connections\\s+${p.database.maxConnections}$`, 'm'));
    });
  }
});

// The backup steps' SQL against a real server (#18.3, #19): CHECKSUM TABLE capped by size, and the
// test a binary log timer run uses before it closes the server's file. The steps reach the server
// as they do in the stack (`docker exec -i <container> <the engine's client>`); here a `docker`
// first on PATH drops `exec -i <container>` and runs the engine's own client line on this host,
// which reaches the test's server through the socket its ~/.my.cnf names.
describe('the backup steps on a real MariaDB 10.11 with the generated my.cnf (binary log on)', () => {
  it('CHECKSUM TABLE only up to the size limit (row counts for the rest); a timer run closes the binary log only once it holds a transaction', async () => {
    const { tableChecksums } = await import('../../src/steps/table-checksums.js');
    const { openHoldsTransactions } = await import('../../src/steps/binlog-archive.js');
    const { rowCounts, sqlQuery } = await import('../../src/steps/stack-tools.js');
    const { checksumDiff } = await import('../../src/domain/backup.js');
    const { MARIADB } = await import('../../src/domain/engines/mariadb.js');
    const { createContext } = await import('../../src/context.js');
    const p = plan('4g', '10.11');
    const work = mkdtempSync('/tmp/sw-mariadb-steps-');
    chmodSync(work, 0o755);
    const data = join(work, 'data');
    const runDir = join(work, 'run');
    const shim = join(work, 'bin');
    mkdirSync(data);
    mkdirSync(runDir);
    mkdirSync(shim);
    writeFileSync(join(work, 'my.cnf'), renderMysqlCnf(p).content);
    // The client's last option file (~/.my.cnf) names the test's socket: Debian's /etc/mysql/my.cnf names the system one.
    writeFileSync(join(work, '.my.cnf'), `[client]\nsocket=${join(runDir, 'mysqld.sock')}\n`);
    writeFileSync(join(shim, 'docker'), `#!/bin/sh\n[ "$1" = exec ] || exit 99\nshift; [ "$1" = -i ] && shift\nshift\nHOME='${work}' exec "$@"\n`, { mode: 0o755 });
    const uid = Number(runSync(['id', '-u', 'mysql']).stdout.trim());
    const gid = Number(runSync(['id', '-g', 'mysql']).stdout.trim());
    chownSync(data, uid, gid);
    chownSync(runDir, uid, gid);
    const savedPath = process.env.PATH;
    cleanup = () => {
      process.env.PATH = savedPath;
      rmSync(work, { recursive: true, force: true });
    };
    const init = runSync(['mariadb-install-db', `--defaults-file=${join(work, 'my.cnf')}`, '--user=mysql', `--datadir=${data}`, '--auth-root-authentication-method=socket', '--skip-test-db'], { timeoutMs: 180_000 });
    expect(init.exitCode, init.stdout + init.stderr).toBe(0);
    ns = await new NetNs().start();
    const sock = join(runDir, 'mysqld.sock');
    const server = ns.spawn(['mariadbd', `--defaults-file=${join(work, 'my.cnf')}`, '--user=mysql', `--datadir=${data}`, `--socket=${sock}`, `--log-error=${join(runDir, 'error.log')}`, `--pid-file=${join(runDir, 'mysqld.pid')}`]);
    process.env.PATH = `${shim}:${savedPath}`;
    const client = (sql: string) => runSync(['mariadb', `--socket=${sock}`, '-uroot', '-N', '-B', '-e', sql], { timeoutMs: 120_000 });
    await waitFor('mariadbd to accept connections', () => {
      if (server.exitCode !== null) throw new Stop(`mariadbd exited ${server.exitCode}: ${server.output()}`);
      return client('SELECT 1').exitCode === 0 ? true : undefined;
    }, { timeoutMs: 120_000 });

    const ctx = createContext({ lang: 'en', dryRun: false });
    const t = { container: 'mysql', engine: MARIADB };
    // A fresh file holds only its own events: nothing to close yet.
    expect(client('FLUSH BINARY LOGS').exitCode).toBe(0);
    const open = () => (client('SHOW MASTER STATUS').stdout.split('\t')[0] ?? '').trim();
    expect(await openHoldsTransactions(ctx, t, open())).toBe(false);

    // Two tables: one small, one of a few MiB (rows of 1 KiB), with the limit between them.
    const fill = 'INSERT INTO big (pad) SELECT REPEAT(MD5(RAND()), 32) FROM big;';
    const setup = client(`CREATE DATABASE shop; USE shop; CREATE TABLE small (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO small VALUES (1, 'a'), (2, 'b'); CREATE TABLE big (id INT AUTO_INCREMENT PRIMARY KEY, pad VARCHAR(1024)) ENGINE=InnoDB; INSERT INTO big (pad) VALUES (REPEAT('x', 1024)); ${fill.repeat(12)} ANALYZE TABLE small, big;`);
    expect(setup.exitCode, setup.stderr).toBe(0);
    expect(await openHoldsTransactions(ctx, t, open())).toBe(true);

    const sizes = Object.fromEntries((await sqlQuery(ctx, t, "SELECT table_name, data_length + index_length FROM information_schema.tables WHERE table_schema = 'shop';")).map(([n, b]) => [n!, Number(b)]));
    expect(sizes.big).toBeGreaterThan(2 * MiB);
    const limit = MiB;
    expect(sizes.small).toBeLessThanOrEqual(limit);
    const live = (name: string) => client(`CHECKSUM TABLE shop.${name}`).stdout.trim().split('\t')[1];
    const capped = await tableChecksums(ctx, t, ['shop'], limit);
    expect(capped).toEqual({ 'shop.big': null, 'shop.small': live('small') });
    // Above the limit its rows are counted (as the manifest records for every table).
    expect(await rowCounts(ctx, t, ['shop'])).toEqual({ 'shop.big': 4096, 'shop.small': 2 });
    // Under the default limit (256 MiB) both are summed, as the server sums them.
    const all = await tableChecksums(ctx, t, ['shop']);
    expect(all).toEqual({ 'shop.big': live('big'), 'shop.small': live('small') });
    // One comparison: a changed row is caught where both sides have a sum; the capped side is skipped.
    expect(client("UPDATE shop.small SET v = 'z' WHERE id = 2").exitCode).toBe(0);
    expect(checksumDiff(all, await tableChecksums(ctx, t, ['shop']))).toEqual([{ table: 'shop.small', expected: all['shop.small'], actual: live('small') }]);
    expect(checksumDiff(all, await tableChecksums(ctx, t, ['shop'], limit)).map((d) => d.table)).toEqual(['shop.small']);

    const down = runSync(['mariadb-admin', `--socket=${sock}`, '-uroot', 'shutdown']);
    expect(down.exitCode, down.stderr).toBe(0);
    await waitFor('mariadbd to stop', () => (server.exitCode !== null ? true : undefined), { timeoutMs: 60_000 });
  });
});
