// The lab images keep the contracts of the official images they stand in for (test/lab/README.md),
// checked on this machine's engine directly: later e2e tests rely on each of these behaviours.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGES, Lab, docker, waitFor, type Client, type Container } from '../lab/lab.js';

const healthy = (c: Container) =>
  waitFor(`${c.name} healthcheck.sh`, async () => (await c.exec(['healthcheck.sh', '--connect', '--innodb_initialized'], { allowFail: true })).exitCode === 0, {
    timeoutMs: 90_000,
  });

describe('lab images', () => {
  let lab: Lab;
  let client: Client;
  const dirs: string[] = [];
  const hostDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'swlab-images-'));
    chmodSync(d, 0o755); // read by the images' unprivileged users (mysql, redis)
    dirs.push(d);
    return d;
  };

  beforeAll(async () => {
    lab = await Lab.create();
    client = await lab.startClient();
  });
  afterAll(async () => {
    await lab?.cleanup();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('mariadb: MYSQL_* aliases, init scripts, conf.d, healthcheck user, mariadbd as mysql, upgrade on demand', async () => {
    const init = hostDir();
    writeFileSync(join(init, '01-seed.sql'), 'CREATE TABLE seeded (id INT PRIMARY KEY); INSERT INTO seeded VALUES (1), (2);\n');
    writeFileSync(join(init, '02-more.sql.gz'), gzipSync('INSERT INTO seeded VALUES (3);\n'));
    writeFileSync(join(init, '03-note.sh'), '#!/bin/bash\necho "init script as $(id -un) for $MARIADB_DATABASE"\n');
    chmodSync(join(init, '03-note.sh'), 0o755);
    const conf = hostDir();
    writeFileSync(join(conf, 'stack-wizard.cnf'), '[mysqld]\nmax_connections = 55\n');
    const db = await lab.startContainer('mariadb', IMAGES.mariadb, {
      args: [
        '-e', 'MYSQL_ROOT_PASSWORD=root-pw', '-e', 'MYSQL_DATABASE=legacy', '-e', 'MYSQL_USER=olduser', '-e', "MYSQL_PASSWORD=it's \\ odd",
        '-e', 'MARIADB_AUTO_UPGRADE=1',
        '-v', `${init}:/docker-entrypoint-initdb.d:ro`, '-v', `${conf}:/etc/mysql/conf.d:ro`,
      ],
    });
    await healthy(db);
    const logs = await db.logs();
    expect(logs).toContain('init script as mysql for legacy');
    expect(logs).toContain('MariaDB init process done. Ready for start up.');

    // Over TCP to the container's network address, as the app connects: the aliased user and password.
    const q = await db.exec(['mariadb', '-h', db.ip, '-uolduser', '-N', '-e', 'SELECT COUNT(*), @@max_connections, CURRENT_USER() FROM seeded', 'legacy'], {
      env: { MYSQL_PWD: "it's \\ odd" },
    });
    expect(q.stdout.trim().split('\t')).toEqual(['3', '55', 'olduser@%']);
    expect((await db.sh('echo "$(stat -c %U /proc/1) $(cat /proc/1/comm)"')).trim()).toBe('mysql mariadbd');
    expect((await db.sh('stat -c "%U %a" /var/lib/mysql/.my-healthcheck.cnf')).trim()).toBe('mysql 600');
    // Root from anywhere (MARIADB_ROOT_HOST defaults to %), the dump tool present.
    const dump = await db.exec(['mariadb-dump', '-h', db.ip, '-uroot', 'legacy', 'seeded'], { env: { MYSQL_PWD: 'root-pw' } });
    expect(dump.stdout).toMatch(/INSERT INTO `seeded` VALUES\s*\(1\),\s*\(2\),\s*\(3\);/);

    // A restart finds current data: no upgrade.
    await docker(['restart', db.name]);
    await healthy(db);
    expect((await db.logs()).match(/MariaDB upgrade not required/g)).toHaveLength(1);

    // Data from an unknown older version and no healthcheck user file: MARIADB_AUTO_UPGRADE upgrades.
    await db.exec(['rm', '/var/lib/mysql/mysql_upgrade_info', '/var/lib/mysql/.my-healthcheck.cnf']);
    await docker(['restart', db.name]);
    await healthy(db);
    const after = await db.logs();
    expect(after).toContain('Creating healthcheck users');
    expect(after).toContain('Finished mariadb-upgrade');
    expect((await db.sh('cat /var/lib/mysql/mysql_upgrade_info')).trim()).toMatch(/^10\.11\.\d+-MariaDB$/);
    expect((await db.exec(['mariadb', '-uolduser', '-N', '-e', 'SELECT COUNT(*) FROM seeded', 'legacy'], { env: { MYSQL_PWD: "it's \\ odd" } })).stdout.trim()).toBe('3');
  });

  it('mariadb: refuses to initialize without a root password option', async () => {
    const db = await lab.startContainer('mariadb-nopw', IMAGES.mariadb, { args: ['-e', 'MARIADB_DATABASE=x'] });
    const code = await waitFor('mariadb without password to exit', async () => {
      const r = await docker(['inspect', '-f', '{{.State.Running}} {{.State.ExitCode}}', db.name]);
      const [running, exit] = r.stdout.trim().split(' ');
      return running === 'false' ? Number(exit) : undefined;
    });
    expect(code).toBe(1);
    expect(await db.logs()).toContain('You need to specify one of MARIADB_ROOT_PASSWORD');
  });

  it('redis: config file and --requirepass on the command line, /data owned by redis, protected-mode as the official image', async () => {
    const conf = hostDir();
    writeFileSync(join(conf, 'redis.conf'), 'appendonly yes\nmaxmemory 32mb\n');
    const redis = await lab.startContainer('redis', IMAGES.redis, {
      args: ['-v', `${conf}:/usr/local/etc/redis:ro`, '-e', 'REDISCLI_AUTH=pw'],
      cmd: ['redis-server', '/usr/local/etc/redis/redis.conf', '--requirepass', 'pw'],
    });
    await waitFor('redis', async () => (await redis.exec(['redis-cli', 'ping'], { allowFail: true })).stdout.trim() === 'PONG');
    expect((await redis.exec(['redis-cli', 'config', 'get', 'protected-mode'])).stdout.split('\n')[1]).toBe('no');
    expect((await redis.exec(['redis-cli', 'config', 'get', 'maxmemory'])).stdout.split('\n')[1]).toBe(String(32 * 1024 * 1024));
    expect((await redis.sh('stat -c %U /proc/1 /data /data/appendonlydir')).trim().split('\n')).toEqual(['redis', 'redis', 'redis']);
    // Reachable from another machine with the password, refused without.
    const withPw = await redis.exec(['redis-cli', '-h', redis.ip, 'set', 'k', 'v']);
    expect(withPw.stdout.trim()).toBe('OK');
    const noPw = await redis.exec(['redis-cli', '--no-auth-warning', '-h', redis.ip, 'get', 'k'], { env: { REDISCLI_AUTH: '' } });
    expect(noPw.stdout).toContain('NOAUTH');

    // A config that chooses protected-mode keeps its choice.
    writeFileSync(join(conf, 'redis.conf'), 'protected-mode yes\n');
    const chosen = await lab.startContainer('redis-protected', IMAGES.redis, {
      args: ['-v', `${conf}:/usr/local/etc/redis:ro`],
      cmd: ['redis-server', '/usr/local/etc/redis/redis.conf'],
    });
    await waitFor('redis-protected', async () => (await chosen.exec(['redis-cli', 'ping'], { allowFail: true })).stdout.trim() === 'PONG');
    expect((await chosen.exec(['redis-cli', 'config', 'get', 'protected-mode'])).stdout.split('\n')[1]).toBe('yes');
  });

  it('nginx: official layout, workers as nginx, http2 on accepted, conf.d served', async () => {
    const confd = hostDir();
    writeFileSync(join(confd, 'default.conf'), 'server {\n    listen 80;\n    http2 on;\n    location / { return 200 "lab-nginx\\n"; }\n}\n');
    const nginx = await lab.startContainer('nginx', IMAGES.nginx, { args: ['-v', `${confd}:/etc/nginx/conf.d:ro`] });
    expect((await nginx.exec(['nginx', '-t'])).stderr).toContain('test is successful');
    const res = await waitFor('nginx to answer', async () => {
      const r = await client.http(`http://${nginx.ip}/`, { allowFail: true });
      return r.status === 200 ? r : undefined;
    });
    expect(res.body.trim()).toBe('lab-nginx');
    const users = await nginx.sh('for p in /proc/[0-9]*; do [ "$(cat $p/comm)" = nginx ] && stat -c %U $p; done | sort | uniq -c');
    expect(users).toMatch(/1 root/);
    expect(users).toMatch(/\d+ nginx/);
  });

  it('app: /health needs DATABASE_URL and REDIS_URL, both answering, and the DB_*/REDIS_* parts agreeing; broken answers 500; crash exits; v2 reports its version', async () => {
    const askHealth = async (c: Container) => {
      const r = await waitFor(`${c.name} to answer`, async () => {
        const x = await client.http(`http://${c.ip}:8000/health`, { allowFail: true });
        return x.status ? x : undefined;
      });
      return { status: r.status, body: JSON.parse(r.body) as Record<string, unknown> };
    };
    // Neither URL: the contract is broken, and /health says which settings are missing.
    const bare = await lab.startContainer('app-bare', IMAGES.app, { args: ['-e', 'DB_HOST=mysql', '-e', 'REDIS_HOST=redis'] });
    expect(await askHealth(bare)).toEqual({ status: 503, body: { version: '1', mysql: 'error: DATABASE_URL is not set', redis: 'error: REDIS_URL is not set', parts: [], status: 'unhealthy' } });

    // Nothing listens on 3306 at the client's address: the connection is refused at once; no REDIS_URL.
    const ok = await lab.startContainer('app-nodb', IMAGES.app, {
      args: ['-e', `DATABASE_URL=mysql://u:p@${client.ip}:3306/x`, '-e', 'WEB_CONCURRENCY=3'],
    });
    const down = await askHealth(ok);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unhealthy', redis: 'error: REDIS_URL is not set' });
    expect(String(down.body.mysql)).toMatch(/^error: .*Can't connect to MySQL server/);
    expect(JSON.parse((await client.http(`http://${ok.ip}:8000/`)).body)).toMatchObject({ version: '1', mode: 'ok', workers: 3 });

    // Both backends real (the lab's MariaDB and Redis): healthy only with both URLs, the parts agreeing.
    const db = await lab.startContainer('app-mariadb', IMAGES.mariadb, { args: ['-e', 'MARIADB_ROOT_PASSWORD=root-pw', '-e', 'MARIADB_DATABASE=shop', '-e', 'MARIADB_USER=shop', '-e', 'MARIADB_PASSWORD=shop-pw'] });
    const redis = await lab.startContainer('app-redis', IMAGES.redis, { cmd: ['redis-server', '--requirepass', 'redis-pw'] });
    await healthy(db);
    const contract = [
      `DATABASE_URL=mysql://shop:shop-pw@${db.ip}:3306/shop`, `REDIS_URL=redis://:redis-pw@${redis.ip}:6379/0`,
      `DB_HOST=${db.ip}`, 'DB_PORT=3306', 'DB_NAME=shop', 'DB_USER=shop', 'DB_PASSWORD=shop-pw', `REDIS_HOST=${redis.ip}`, 'REDIS_PORT=6379', 'REDIS_PASSWORD=redis-pw',
    ];
    const good = await lab.startContainer('app-good', IMAGES.app, { args: contract.flatMap((e) => ['-e', e]) });
    const up = await askHealth(good);
    expect(up).toEqual({ status: 200, body: { version: '1', mysql: 'ok', redis: 'ok', parts: ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD', 'REDIS_HOST', 'REDIS_PORT', 'REDIS_PASSWORD'], status: 'ok' } });
    // The same without REDIS_URL: MySQL is fine, the app is not.
    const noRedis = await lab.startContainer('app-noredis', IMAGES.app, { args: contract.filter((e) => !e.startsWith('REDIS_URL=')).flatMap((e) => ['-e', e]) });
    expect(await askHealth(noRedis)).toMatchObject({ status: 503, body: { mysql: 'ok', redis: 'error: REDIS_URL is not set' } });
    // A part that disagrees with its URL breaks the contract even though both backends answer.
    const skew = await lab.startContainer('app-skew', IMAGES.app, { args: contract.map((e) => (e === 'DB_NAME=shop' ? 'DB_NAME=other' : e)).flatMap((e) => ['-e', e]) });
    expect(await askHealth(skew)).toMatchObject({ status: 503, body: { mysql: 'ok', redis: 'ok', contract: 'DB_NAME does not agree with DATABASE_URL' } });

    const broken = await lab.startContainer('app-broken', IMAGES.appBroken);
    const b = await waitFor('broken app to answer', async () => {
      const r = await client.http(`http://${broken.ip}:8000/health`, { allowFail: true });
      return r.status ? r : undefined;
    });
    expect(b.status).toBe(500);

    const v2 = await lab.startContainer('app-v2', IMAGES.appV2);
    const root = await waitFor('v2 app to answer', async () => {
      const r = await client.http(`http://${v2.ip}:8000/`, { allowFail: true });
      return r.status === 200 ? r : undefined;
    });
    expect(JSON.parse(root.body)).toMatchObject({ version: '2' });

    const crash = await lab.startContainer('app-crash', IMAGES.appCrash);
    expect((await docker(['wait', crash.name], { timeoutMs: 30_000 })).stdout.trim()).toBe('3');
    expect(await crash.logs()).toContain('APP_MODE=crash');
  });
});
