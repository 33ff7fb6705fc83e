// The on-demand lab images (test/lab/README.md) keep the contracts of the official images they
// stand in for: MySQL 9.7, MariaDB 11.8, Redis 8.0, Valkey 8.1 and 9.1, nginx 1.30 and 1.22, and
// Distribution's registry. Checked on this machine's engine directly, as lab-images.test.ts does
// for the default set; the version work of #17 and the mirror probes of #16 build on these.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGES, Lab, docker, ensureImages, run, waitFor, type Client, type Container } from '../lab/lab.js';
import { freePort } from '../support/proc.js';

// The client plays the Internet; the 10.11 image is the upgrade's starting point.
const IMAGE_FOLDERS = ['client', 'mariadb', 'mysql-9.7', 'mariadb-11.8', 'redis-8.0', 'valkey-8.1', 'valkey-9.1', 'nginx-1.30', 'nginx-1.22', 'registry'];

/** Exit code of a container that is expected to stop by itself. */
const exitCode = (c: Container) =>
  waitFor(`${c.name} to exit`, async () => {
    const [running, code] = (await docker(['inspect', '-f', '{{.State.Running}} {{.State.ExitCode}}', c.name])).stdout.trim().split(' ');
    return running === 'false' ? Number(code) : undefined;
  });

/** MySQL answers over TCP as root with this password (the compose healthcheck's own command). */
const mysqlHealthy = (c: Container, rootPassword: string) =>
  waitFor(
    `${c.name} mysqladmin ping`,
    async () =>
      (
        await c.exec(['sh', '-c', 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysqladmin ping -h 127.0.0.1 -u root --silent'], {
          env: { MYSQL_ROOT_PASSWORD: rootPassword },
          allowFail: true,
        })
      ).exitCode === 0,
    { timeoutMs: 180_000 },
  );

/** fetch with a deadline: a connection accepted before the registry listens must not hang the test. */
const http = (url: string, init: RequestInit = {}) => fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });

const mariadbHealthy = (c: Container) =>
  waitFor(`${c.name} healthcheck.sh`, async () => (await c.exec(['healthcheck.sh', '--connect', '--innodb_initialized'], { allowFail: true })).exitCode === 0, {
    timeoutMs: 180_000,
  });

describe('on-demand lab images', () => {
  let lab: Lab;
  let client: Client;
  const dirs: string[] = [];
  const tags: string[] = [];
  const hostDir = (mode = 0o755) => {
    const d = mkdtempSync(join(tmpdir(), 'swlab-versions-'));
    chmodSync(d, mode); // read (or written) by the images' unprivileged users
    dirs.push(d);
    return d;
  };

  beforeAll(async () => {
    lab = await Lab.create({ images: IMAGE_FOLDERS });
    client = await lab.startClient();
  });
  afterAll(async () => {
    await lab?.cleanup();
    // Only the tags this test made; the images stay (they are stack-wizard-lab/mysql:9.7's).
    for (const t of tags) await docker(['rmi', t], { allowFail: true });
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('mysql 9.7: MYSQL_* and _FILE, init scripts, conf.d read last, the temporary server without TCP, tools, clone plugin, performance_schema', async () => {
    const init = hostDir();
    writeFileSync(join(init, '01-schema.sql'), 'CREATE TABLE seeded (id INT PRIMARY KEY); INSERT INTO seeded VALUES (1), (2);\n');
    writeFileSync(join(init, '02-more.sql.gz'), gzipSync('INSERT INTO seeded VALUES (3);\n'));
    writeFileSync(join(init, '03-note.sh'), '#!/bin/bash\necho "init script as $(id -un) for $MYSQL_DATABASE"\n');
    chmodSync(join(init, '03-note.sh'), 0o755);
    writeFileSync(join(init, '04-ignored.txt'), 'not SQL\n');
    const conf = hostDir();
    writeFileSync(join(conf, 'stack-wizard.cnf'), '[mysqld]\nmax_connections = 77\ninnodb_redo_log_capacity = 64M\n');
    const secrets = hostDir();
    // Quote, backslash and double quote: the entrypoint must carry them into SQL and option files.
    const rootPw = `r"o\\o't-9.7`;
    writeFileSync(join(secrets, 'root'), rootPw);
    chmodSync(join(secrets, 'root'), 0o644);
    const db = await lab.startContainer('mysql', IMAGES.mysql97, {
      args: [
        '-e', 'MYSQL_ROOT_PASSWORD_FILE=/run/secrets/root', '-e', 'MYSQL_DATABASE=shop', '-e', 'MYSQL_USER=shop', '-e', "MYSQL_PASSWORD=it's \\ odd",
        '-v', `${init}:/docker-entrypoint-initdb.d:ro`, '-v', `${conf}:/etc/mysql/conf.d:ro`, '-v', `${secrets}:/run/secrets:ro`,
      ],
    });
    await mysqlHealthy(db, rootPw);
    const logs = await db.logs();
    expect(logs).toContain('init script as mysql for shop');
    expect(logs).toContain('ignoring /docker-entrypoint-initdb.d/04-ignored.txt');
    expect(logs).toContain('MySQL init process done. Ready for start up.');
    // The temporary server listened on no port; the real one on 3306.
    expect(logs).toMatch(/ready for connections\. Version: '9\.7\.\d+[^']*'\s+socket: '\/var\/run\/mysqld\/mysqld\.sock'\s+port: 0\b/);
    expect(logs).toMatch(/ready for connections\. Version: '9\.7\.\d+[^']*'\s+socket: '\/var\/run\/mysqld\/mysqld\.sock'\s+port: 3306\b/);

    // Over TCP to the container's network address, as the app connects.
    const q = await db.exec(['mysql', '-h', db.ip, '-ushop', '-N', '-e', 'SELECT COUNT(*), CURRENT_USER(), @@version FROM seeded', 'shop'], { env: { MYSQL_PWD: "it's \\ odd" } });
    const [count, user, version] = q.stdout.trim().split('\t');
    expect([count, user]).toEqual(['3', 'shop@%']);
    expect(version).toMatch(/^9\.7\.\d+/);
    // Values from conf.d, read back as issue #17 reads every generated my.cnf.
    const vars = await db.exec(
      ['mysql', '-h', db.ip, '-uroot', '-N', '-e',
        "SELECT VARIABLE_NAME, VARIABLE_VALUE FROM performance_schema.global_variables WHERE VARIABLE_NAME IN ('max_connections', 'innodb_redo_log_capacity', 'secure_file_priv', 'skip_name_resolve') ORDER BY 1"],
      { env: { MYSQL_PWD: rootPw } },
    );
    expect(vars.stdout.trim().split('\n').map((l) => l.split('\t'))).toEqual([
      ['innodb_redo_log_capacity', String(64 * 1024 * 1024)],
      ['max_connections', '77'],
      ['secure_file_priv', '/var/lib/mysql-files/'],
      ['skip_name_resolve', 'ON'],
    ]);
    // Root from anywhere (MYSQL_ROOT_HOST defaults to %), the server as mysql, the tools present.
    expect((await db.sh('echo "$(stat -c %U /proc/1) $(cat /proc/1/comm)"')).trim()).toBe('mysql mysqld');
    const dump = await db.exec(['mysqldump', '-h', db.ip, '-uroot', '--single-transaction', 'shop', 'seeded'], { env: { MYSQL_PWD: rootPw } });
    expect(dump.stdout).toMatch(/INSERT INTO `seeded` VALUES \(1\),\(2\),\(3\);/);
    expect((await db.exec(['mysqlbinlog', '--version'])).stdout).toMatch(/mysqlbinlog\s+Ver 9\.7\.\d+/);
    const clone = await db.exec(
      ['mysql', '-uroot', '-N', '-e', "INSTALL PLUGIN clone SONAME 'mysql_clone.so'; SELECT PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'clone'"],
      { env: { MYSQL_PWD: rootPw } },
    );
    expect(clone.stdout.trim()).toBe('ACTIVE');

    // A restart finds its data: no second initialization.
    await docker(['restart', db.name]);
    await mysqlHealthy(db, rootPw);
    expect((await db.logs()).match(/MySQL init process done/g)).toHaveLength(1);
  });

  it('mysql 9.7: empty and random root passwords, and a refusal without any password option', async () => {
    const [empty, random, none] = await Promise.all([
      lab.startContainer('mysql-empty', IMAGES.mysql97, { args: ['-e', 'MYSQL_ALLOW_EMPTY_PASSWORD=yes', '-e', 'MYSQL_INITDB_SKIP_TZINFO=1'] }),
      lab.startContainer('mysql-random', IMAGES.mysql97, { args: ['-e', 'MYSQL_RANDOM_ROOT_PASSWORD=yes', '-e', 'MYSQL_ROOT_HOST=localhost', '-e', 'MYSQL_INITDB_SKIP_TZINFO=1'] }),
      lab.startContainer('mysql-nopw', IMAGES.mysql97, { args: ['-e', 'MYSQL_DATABASE=x'] }),
    ]);
    expect(await exitCode(none)).toBe(1);
    expect(await none.logs()).toContain('You need to specify one of the following as an environment variable');

    await mysqlHealthy(empty, '');
    expect((await empty.exec(['mysql', '-h', empty.ip, '-uroot', '-N', '-e', 'SELECT CURRENT_USER()'])).stdout.trim()).toBe('root@%');

    await waitFor('random root password in the log', async () => /GENERATED ROOT PASSWORD: (\S+)/.exec(await random.logs())?.[1]);
    const generated = /GENERATED ROOT PASSWORD: (\S+)/.exec(await random.logs())![1]!;
    await waitFor('mysql-random to answer', async () => (await random.exec(['mysqladmin', '-uroot', 'ping'], { env: { MYSQL_PWD: generated }, allowFail: true })).exitCode === 0, {
      timeoutMs: 180_000,
    });
    // MYSQL_ROOT_HOST=localhost: root only over the socket, not from the network.
    const remote = await random.exec(['mysql', '-h', random.ip, '-uroot', '-e', 'SELECT 1'], { env: { MYSQL_PWD: generated }, allowFail: true });
    expect(remote.exitCode).not.toBe(0);
    expect(remote.stderr).toMatch(/Access denied|is not allowed to connect/);
  });

  it('mariadb 11.8: the 10.11 contract, mariadb-backup, and 10.11 data upgraded on MARIADB_AUTO_UPGRADE', async () => {
    const data = hostDir(0o777);
    const init = hostDir();
    writeFileSync(join(init, '01-seed.sql'), 'CREATE TABLE seeded (id INT PRIMARY KEY); INSERT INTO seeded VALUES (1), (2), (3);\n');
    // First the 10.11 image on the directory, as an existing stack has it. Built again if another
    // checkout's build replaced the shared tag since beforeAll (cached, so instant otherwise).
    await ensureImages(['mariadb']);
    const old = await lab.startContainer('mariadb-10', IMAGES.mariadb, {
      args: ['-e', 'MARIADB_ROOT_PASSWORD=root-pw', '-e', 'MARIADB_DATABASE=shop', '-v', `${data}:/var/lib/mysql`, '-v', `${init}:/docker-entrypoint-initdb.d:ro`],
    });
    await mariadbHealthy(old);
    expect((await old.exec(['mariadb-backup', '--version'])).stderr).toMatch(/10\.11\.\d+-MariaDB/);
    expect((await old.sh('cat /var/lib/mysql/mysql_upgrade_info')).trim()).toMatch(/^10\.11\.\d+-MariaDB$/);
    await docker(['stop', old.name]);

    // Then 11.8 on the same files: upgraded once, the rows kept.
    const conf = hostDir();
    writeFileSync(join(conf, 'stack-wizard.cnf'), '[mysqld]\nmax_connections = 66\n');
    const db = await lab.startContainer('mariadb-11', IMAGES.mariadb118, {
      args: ['-e', 'MARIADB_ROOT_PASSWORD=root-pw', '-e', 'MARIADB_AUTO_UPGRADE=1', '-v', `${data}:/var/lib/mysql`, '-v', `${conf}:/etc/mysql/conf.d:ro`],
    });
    await mariadbHealthy(db);
    const logs = await db.logs();
    expect(logs).toContain('Starting mariadb-upgrade');
    expect(logs).toContain('Finished mariadb-upgrade');
    expect((await db.sh('cat /var/lib/mysql/mariadb_upgrade_info')).trim()).toMatch(/^11\.8\.\d+-MariaDB$/);
    const q = await db.exec(['mariadb', '-h', db.ip, '-uroot', '-N', '-e', 'SELECT COUNT(*), @@max_connections, VERSION() FROM shop.seeded'], { env: { MYSQL_PWD: 'root-pw' } });
    const [count, maxConn, version] = q.stdout.trim().split('\t');
    expect([count, maxConn]).toEqual(['3', '66']);
    expect(version).toMatch(/^11\.8\.\d+-MariaDB/);
    expect((await db.sh('echo "$(stat -c %U /proc/1) $(cat /proc/1/comm)"')).trim()).toBe('mysql mariadbd');

    // A physical backup that prepares cleanly, as the official image's mariadb-backup does.
    const backup = await db.exec(['sh', '-c', 'mariadb-backup --backup --target-dir=/tmp/bk -uroot -p"$P" && mariadb-backup --prepare --target-dir=/tmp/bk && ls /tmp/bk/shop'], {
      env: { P: 'root-pw' },
    });
    expect(backup.stdout).toMatch(/seeded\.ibd/);
    expect(backup.stderr).toContain('completed OK!');
  });

  for (const engine of [
    { name: 'redis 8.0', image: IMAGES.redis80, server: 'redis-server', cli: 'redis-cli', user: 'redis', version: /^8\.0\./, infoKey: 'redis_version' },
    { name: 'valkey 8.1', image: IMAGES.valkey81, server: 'valkey-server', cli: 'valkey-cli', user: 'valkey', version: /^8\.1\./, infoKey: 'valkey_version' },
    { name: 'valkey 9.1', image: IMAGES.valkey91, server: 'valkey-server', cli: 'valkey-cli', user: 'valkey', version: /^9\.1\./, infoKey: 'valkey_version' },
  ]) {
    it(`${engine.name}: config path as the first argument, --requirepass, /data owned by ${engine.user}, protected-mode as the official image, redis-cli`, async () => {
      const conf = hostDir();
      writeFileSync(join(conf, 'server.conf'), 'appendonly yes\nmaxmemory 48mb\n');
      const role = engine.name.replace(/[ .]/g, '-');
      const srv = await lab.startContainer(role, engine.image, {
        args: ['-v', `${conf}:/usr/local/etc/redis:ro`, '-e', 'REDISCLI_AUTH=pw'],
        cmd: [engine.server, '/usr/local/etc/redis/server.conf', '--requirepass', 'pw'],
      });
      await waitFor(role, async () => (await srv.exec([engine.cli, 'ping'], { allowFail: true })).stdout.trim() === 'PONG');
      const get = async (cli: string, key: string) => (await srv.exec([cli, 'config', 'get', key])).stdout.split('\n')[1];
      expect(await get(engine.cli, 'protected-mode')).toBe('no');
      expect(await get(engine.cli, 'maxmemory')).toBe(String(48 * 1024 * 1024));
      // The stack runs `redis-cli` in its cache container whatever the engine (the official valkey image links it).
      expect(await get('redis-cli', 'appendonly')).toBe('yes');
      const info = (await srv.exec(['redis-cli', 'info', 'server'])).stdout;
      expect(new RegExp(`^${engine.infoKey}:(\\S+)`, 'm').exec(info)?.[1]).toMatch(engine.version);
      expect((await srv.sh('stat -c "%U %a" /proc/1 /data /data/appendonlydir')).trim().split('\n')).toEqual([`${engine.user} 555`, `${engine.user} 755`, `${engine.user} 700`]);
      // Reachable from another machine with the password, refused without.
      expect((await srv.exec(['redis-cli', '-h', srv.ip, 'set', 'k', 'v'])).stdout.trim()).toBe('OK');
      expect((await srv.exec(['redis-cli', '--no-auth-warning', '-h', srv.ip, 'get', 'k'], { env: { REDISCLI_AUTH: '' } })).stdout).toContain('NOAUTH');

      // A config that chooses protected-mode keeps its choice.
      const chosenConf = hostDir();
      writeFileSync(join(chosenConf, 'server.conf'), 'protected-mode yes\n');
      const chosen = await lab.startContainer(`${role}-protected`, engine.image, {
        args: ['-v', `${chosenConf}:/usr/local/etc/redis:ro`],
        cmd: ['/usr/local/etc/redis/server.conf'], // a *.conf first argument means the server, as in the official image
      });
      await waitFor(`${role}-protected`, async () => (await chosen.exec([engine.cli, 'ping'], { allowFail: true })).stdout.trim() === 'PONG');
      expect((await chosen.exec([engine.cli, 'config', 'get', 'protected-mode'])).stdout.split('\n')[1]).toBe('yes');
      expect((await chosen.sh('cat /proc/1/comm')).trim()).toBe(engine.server);
    });
  }

  it('valkey: VALKEY_EXTRA_FLAGS are appended to the command, as the official image does', async () => {
    const v = await lab.startContainer('valkey-extra', IMAGES.valkey91, { args: ['-e', 'VALKEY_EXTRA_FLAGS=--maxmemory 20mb'] });
    await waitFor('valkey-extra', async () => (await v.exec(['valkey-cli', 'ping'], { allowFail: true })).stdout.trim() === 'PONG');
    expect((await v.exec(['valkey-cli', 'config', 'get', 'maxmemory'])).stdout.split('\n')[1]).toBe(String(20 * 1024 * 1024));
  });

  it('nginx 1.30: http2 on, re-resolving upstream servers (resolve, 1.27.3+), conf.d served; 1.22 refuses both and takes the old listen syntax', async () => {
    const confd = hostDir();
    const role = 'nginx-130';
    // The upstream is this container's own name, resolved at run time through Docker's DNS.
    const name = lab.nameOf(role);
    writeFileSync(
      join(confd, 'default.conf'),
      [
        'resolver 127.0.0.11 valid=10s;',
        `upstream self { zone self 64k; server ${name}:8080 resolve; }`,
        'server { listen 80; http2 on; location / { proxy_pass http://self; } }',
        'server { listen 8080; location / { return 200 "backend\\n"; } }',
        '',
      ].join('\n'),
    );
    const n130 = await lab.startContainer(role, IMAGES.nginx130, { args: ['-v', `${confd}:/etc/nginx/conf.d:ro`] });
    expect((await n130.exec(['nginx', '-t'])).stderr).toContain('test is successful');
    expect((await n130.exec(['nginx', '-v'])).stderr).toMatch(/nginx\/1\.30\.\d+/);
    const res = await waitFor('nginx 1.30 to proxy', async () => {
      const r = await client.http(`http://${n130.ip}/`, { allowFail: true });
      return r.status === 200 ? r : undefined;
    });
    expect(res.body.trim()).toBe('backend');

    // 1.22, Debian 12's own: each newer construct refused by name; the old listen syntax taken.
    const refused = async (role: string, conf: string) => {
      const d = hostDir();
      writeFileSync(join(d, 'default.conf'), conf);
      const c = await lab.startContainer(role, IMAGES.nginx122, { args: ['-v', `${d}:/etc/nginx/conf.d:ro`], cmd: ['nginx', '-t'] });
      expect(await exitCode(c)).toBe(1);
      return c.logs();
    };
    expect(await refused('nginx-122-resolve', `resolver 127.0.0.11;\nupstream self { zone self 64k; server ${name}:8080 resolve; }\n`)).toContain('invalid parameter "resolve"');
    expect(await refused('nginx-122-http2', 'server { listen 80; http2 on; }\n')).toContain('unknown directive "http2"');
    const tls = hostDir();
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=lab', '-keyout', join(tls, 'key.pem'), '-out', join(tls, 'cert.pem')]);
    chmodSync(join(tls, 'key.pem'), 0o644); // read by nginx's master (root) only; the lab dir is throwaway
    const old = hostDir();
    writeFileSync(
      join(old, 'default.conf'),
      'server { listen 80; listen 8443 ssl http2; ssl_certificate /etc/nginx/tls/cert.pem; ssl_certificate_key /etc/nginx/tls/key.pem; location / { return 200 "lab-nginx-1.22\\n"; } }\n',
    );
    const n122ok = await lab.startContainer('nginx-122', IMAGES.nginx122, { args: ['-v', `${old}:/etc/nginx/conf.d:ro`, '-v', `${tls}:/etc/nginx/tls:ro`] });
    expect((await n122ok.exec(['nginx', '-v'])).stderr).toMatch(/nginx\/1\.22\.\d+/);
    const ok = await waitFor('nginx 1.22 to answer', async () => {
      const r = await client.http(`http://${n122ok.ip}/`, { allowFail: true });
      return r.status === 200 ? r : undefined;
    });
    // `listen … ssl http2` really negotiates HTTP/2 on 1.22.
    const h2 = await client.exec(['curl', '-sSk', '--http2', '--max-time', '10', '-w', '%{http_version}', `https://${n122ok.ip}:8443/`]);
    expect(h2.stdout).toBe('lab-nginx-1.22\n2');
    expect(ok.body.trim()).toBe('lab-nginx-1.22');
    const users = await n122ok.sh('for p in /proc/[0-9]*; do [ "$(cat $p/comm)" = nginx ] && stat -c %U $p; done | sort | uniq -c');
    expect(users).toMatch(/1 root/);
    expect(users).toMatch(/\d+ nginx/);
  });

  it('registry: a lab image pushed as library/mysql:9.7, pulled back by digest and through a second registry configured by REGISTRY_* as its pull-through mirror', async () => {
    const [port, mirrorPort] = [await freePort(), await freePort()];
    // Published on loopback: the engine pushes to 127.0.0.0/8 over plain HTTP without configuration.
    const reg = await lab.startContainer('registry', IMAGES.registry, { args: ['-p', `127.0.0.1:${port}:5000`, '-e', 'REGISTRY_STORAGE_DELETE_ENABLED=true'] });
    await waitFor('registry', async () => (await http(`http://127.0.0.1:${port}/v2/`).catch(() => undefined))?.status === 200);
    const ref = `127.0.0.1:${port}/library/mysql:9.7`;
    tags.push(ref);
    await docker(['tag', lab.image(IMAGES.mysql97), ref]);
    const push = await run('docker', ['push', ref], { timeoutMs: 600_000 });
    const pushed = /digest: (sha256:[0-9a-f]{64})/.exec(push.stdout)?.[1];
    expect(pushed).toBeDefined();

    // The registry speaks the protocol #16's probe uses: catalog, manifest HEAD with the digest header.
    expect(await (await http(`http://127.0.0.1:${port}/v2/_catalog`)).json()).toEqual({ repositories: ['library/mysql'] });
    const head = await http(`http://127.0.0.1:${port}/v2/library/mysql/manifests/9.7`, {
      method: 'HEAD',
      headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('docker-content-digest')).toBe(pushed);
    // A repository it never saw: 404 with MANIFEST_UNKNOWN (Distribution 2.8 does not say NAME_UNKNOWN here).
    const unknown = await http(`http://127.0.0.1:${port}/v2/library/nginx/manifests/1.30`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ errors: [{ code: 'MANIFEST_UNKNOWN' }] });

    // Pulled back after the local tag is gone: the same image, by tag and by digest.
    const id = (await docker(['image', 'inspect', '-f', '{{.Id}}', lab.image(IMAGES.mysql97)])).stdout.trim();
    await docker(['rmi', ref]);
    await run('docker', ['pull', ref], { timeoutMs: 600_000 });
    expect((await docker(['image', 'inspect', '-f', '{{.Id}}', ref])).stdout.trim()).toBe(id);
    const byDigest = `127.0.0.1:${port}/library/mysql@${pushed}`;
    await run('docker', ['pull', byDigest], { timeoutMs: 600_000 });
    expect((await docker(['image', 'inspect', '-f', '{{.Id}}', byDigest])).stdout.trim()).toBe(id);

    // A second registry as a pull-through mirror of the first, configured by environment only.
    await lab.startContainer('registry-mirror', IMAGES.registry, {
      args: ['-p', `127.0.0.1:${mirrorPort}:5000`, '-e', `REGISTRY_PROXY_REMOTEURL=http://${reg.ip}:5000`],
    });
    await waitFor('registry mirror', async () => (await http(`http://127.0.0.1:${mirrorPort}/v2/`).catch(() => undefined))?.status === 200);
    const viaMirror = `127.0.0.1:${mirrorPort}/library/mysql:9.7`;
    tags.push(viaMirror);
    await run('docker', ['pull', viaMirror], { timeoutMs: 600_000 });
    expect((await docker(['image', 'inspect', '-f', '{{.Id}}', viaMirror])).stdout.trim()).toBe(id);
    const mirrored = await http(`http://127.0.0.1:${mirrorPort}/v2/library/mysql/manifests/9.7`, {
      method: 'HEAD',
      headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(mirrored.headers.get('docker-content-digest')).toBe(pushed);
  });
});
