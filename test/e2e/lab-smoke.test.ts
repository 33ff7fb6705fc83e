// Proves the e2e lab works end to end: a systemd server reachable over SSH on its non-default port
// from the "Internet", whose own Docker engine runs the lab images with Compose v2 the way a
// stack-wizard compose file does (official-image contracts, healthchecks, memory limits, a
// published Nginx port answering the client).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGES, Lab, OPS_USER, PROJECT_ROOT, SSH_PORT, type Client, type Server } from '../lab/lab.js';

const DIR = '/opt/lab-smoke';
const secret = () => randomBytes(12).toString('hex');
const MIB = 1024 * 1024;

function composeFile(): string {
  // Shaped like src/render/compose.ts output: service names, env names, mounts, healthchecks.
  return `name: labsmoke
services:
  mysql:
    image: ${IMAGES.mariadb}
    restart: unless-stopped
    environment:
      MARIADB_ROOT_PASSWORD: \${MYSQL_ROOT_PASSWORD}
      MARIADB_DATABASE: app
      MARIADB_USER: app
      MARIADB_PASSWORD: \${MYSQL_PASSWORD}
      MARIADB_AUTO_UPGRADE: "1"
    volumes:
      - mysql-data:/var/lib/mysql
      - ./mysql/conf.d/stack-wizard.cnf:/etc/mysql/conf.d/stack-wizard.cnf:ro
    healthcheck:
      test: [CMD, healthcheck.sh, --connect, --innodb_initialized]
      interval: 2s
      timeout: 5s
      retries: 30
      start_period: 120s
    deploy: { resources: { limits: { cpus: "1", memory: 512M } } }
    security_opt: ["no-new-privileges:true"]
    # Not the generator's 65535: this machine's hard limit is 20000 and nothing here may raise it
    # (no CAP_SYS_RESOURCE); see test/lab/README.md.
    ulimits: { nofile: { soft: 16384, hard: 16384 } }
    networks: [backend]
  redis:
    image: ${IMAGES.redis}
    restart: unless-stopped
    command: [redis-server, /usr/local/etc/redis/redis.conf, --requirepass, "\${REDIS_PASSWORD}"]
    environment:
      REDISCLI_AUTH: \${REDIS_PASSWORD}
    volumes:
      - redis-data:/data
      - ./redis/redis.conf:/usr/local/etc/redis/redis.conf:ro
    healthcheck: { test: [CMD-SHELL, "redis-cli ping | grep -q PONG"], interval: 2s, timeout: 5s, retries: 15 }
    deploy: { resources: { limits: { cpus: "0.5", memory: 128M } } }
    security_opt: ["no-new-privileges:true"]
    networks: [backend]
  app:
    image: ${IMAGES.app}
    restart: unless-stopped
    environment:
      DATABASE_URL: mysql://app:\${MYSQL_PASSWORD}@mysql:3306/app
      REDIS_URL: redis://:\${REDIS_PASSWORD}@redis:6379/0
      WEB_CONCURRENCY: "2"
    depends_on: { mysql: { condition: service_healthy }, redis: { condition: service_healthy } }
    healthcheck:
      test: [CMD-SHELL, "python3 -c \\"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)\\""]
      interval: 2s
      timeout: 5s
      retries: 15
    deploy: { resources: { limits: { cpus: "0.5", memory: 256M } } }
    security_opt: ["no-new-privileges:true"]
    networks: [frontend, backend]
  nginx:
    image: ${IMAGES.nginx}
    restart: unless-stopped
    ports: ["80:80"]
    volumes:
      - ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro
      - ./nginx/conf.d:/etc/nginx/conf.d:ro
      - ./logs/nginx:/var/log/nginx
    depends_on: { app: { condition: service_healthy } }
    healthcheck: { test: [CMD-SHELL, "curl -fsS -o /dev/null --max-time 3 http://127.0.0.1/__lab_health || exit 1"], interval: 2s, timeout: 5s, retries: 15 }
    deploy: { resources: { limits: { cpus: "0.5", memory: 64M } } }
    security_opt: ["no-new-privileges:true"]
    networks: [frontend]
networks:
  frontend: {}
  backend: { internal: true }
volumes:
  mysql-data: {}
  redis-data: {}
`;
}

const NGINX_CONF = `user nginx;
worker_processes auto;
error_log /var/log/nginx/error.log notice;
pid /run/nginx.pid;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    access_log /var/log/nginx/access.log;
    include /etc/nginx/conf.d/*.conf;
}
`;

// \`http2 on;\` needs nginx >= 1.25.1: the lab image must accept what the generator writes.
const NGINX_SITE = `server {
    listen 80;
    http2 on;
    location = /__lab_health { access_log off; allow 127.0.0.1; deny all; return 200 "ok\\n"; }
    location / {
        proxy_pass http://app:8000;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
}
`;

describe('e2e lab smoke', () => {
  let lab: Lab;
  let server: Server;
  let client: Client;

  beforeAll(async () => {
    lab = await Lab.create();
    [server, client] = await Promise.all([lab.startServer(), lab.startClient()]);
  });
  afterAll(async () => {
    await lab?.cleanup();
  });

  it('boots a Debian 12 server with systemd as PID 1, sshd on its own port and fail2ban failing as shipped', async () => {
    expect((await server.sh('cat /proc/1/comm')).trim()).toBe('systemd');
    expect(['running', 'degraded']).toContain((await server.exec(['systemctl', 'is-system-running'], { allowFail: true })).stdout.trim());
    expect((await server.sh('. /etc/os-release; echo "$VERSION_ID"')).trim()).toBe('12');
    const listening = await server.sh('ss -Htln');
    expect(listening).toMatch(new RegExp(`:${SSH_PORT}\\s`));
    expect(listening).not.toMatch(/[:*]22\s/);
    // Debian 12's fail2ban enables an sshd jail that reads /var/log/auth.log, which journald-only systems lack.
    expect((await server.exec(['systemctl', 'is-failed', 'fail2ban'], { allowFail: true })).stdout.trim()).toBe('failed');
    expect(await server.sh('journalctl -u fail2ban --no-pager')).toContain('Have not found any log file for sshd jail');
    expect((await server.sh('node --version')).trim()).toMatch(/^v(2[1-9]|[3-9]\d|20\.(19|[2-9]\d))\./);
    expect((await server.sh('docker compose version --short')).trim()).toMatch(/^v?2\./);
    expect(await server.sh('docker info --format "{{.Driver}} {{.CgroupDriver}}"')).toBe('overlay2 systemd\n');
  });

  it('accepts SSH logins on the non-default port from a client on the public-looking network', async () => {
    const prefix = lab.internet.subnet.split('.').slice(0, 3).join('.') + '.';
    expect(client.ip.startsWith(prefix)).toBe(true);
    expect(client.ip).not.toMatch(/^(10\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.)/);

    await server.authorizeKey(client.publicKey, 'root');
    await server.authorizeKey(client.publicKey, OPS_USER);
    const asRoot = await client.ssh(server, 'echo "$(id -un) $SSH_CONNECTION"');
    // SSH_CONNECTION: client ip, client port, server ip, server port: the server sees the public address.
    expect(asRoot.stdout.trim()).toMatch(new RegExp(`^root ${client.ip.replace(/\./g, '\\.')} \\d+ ${server.ip.replace(/\./g, '\\.')} ${SSH_PORT}$`));
    expect((await client.ssh(server, 'id -un', { user: OPS_USER })).stdout.trim()).toBe(OPS_USER);

    // Password login, and sudo with the same password (the lab's secrets are URL-safe base64).
    const pw = server.credentials.opsPassword;
    const byPassword = await client.ssh(server, `id -un; echo '${pw}' | sudo -S -p '' id -un`, { user: OPS_USER, password: pw });
    expect(byPassword.stdout.trim().split('\n')).toEqual([OPS_USER, 'root']);
    const wrong = await client.ssh(server, 'true', { user: OPS_USER, password: 'not-the-password', allowFail: true });
    expect(wrong.exitCode).not.toBe(0);
    // Debian's default PermitRootLogin prohibit-password: root logs in with keys only.
    const rootByPassword = await client.ssh(server, 'true', { user: 'root', password: server.credentials.rootPassword, allowFail: true });
    expect(rootByPassword.exitCode).not.toBe(0);
    const port22 = await client.exec(['nc', '-z', '-w', '3', server.ip, '22'], { allowFail: true });
    expect(port22.exitCode).not.toBe(0);
  });

  it('runs MariaDB, Redis, the app and Nginx with the inner engine and Compose v2: healthy, limited, published', async () => {
    await lab.loadImages(server, [IMAGES.mariadb, IMAGES.redis, IMAGES.app, IMAGES.nginx]);
    const env = { MYSQL_ROOT_PASSWORD: secret(), MYSQL_PASSWORD: secret(), REDIS_PASSWORD: secret() };
    await server.writeFile(`${DIR}/.env`, Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join(''), '0600');
    await server.writeFile(`${DIR}/docker-compose.yml`, composeFile());
    await server.writeFile(`${DIR}/mysql/conf.d/stack-wizard.cnf`, '[mysqld]\nmax_connections = 77\ninnodb_buffer_pool_size = 128M\n');
    await server.writeFile(`${DIR}/redis/redis.conf`, 'maxmemory 48mb\nmaxmemory-policy allkeys-lru\nappendonly yes\n');
    await server.writeFile(`${DIR}/nginx/nginx.conf`, NGINX_CONF);
    await server.writeFile(`${DIR}/nginx/conf.d/default.conf`, NGINX_SITE);
    await server.sh(`mkdir -p ${DIR}/logs/nginx`);

    const up = await server.compose(DIR, ['up', '-d', '--wait', '--wait-timeout', '240'], { allowFail: true, timeoutMs: 300_000 });
    if (up.exitCode !== 0) {
      const logs = await server.compose(DIR, ['logs', '--no-color', '--tail', '40'], { allowFail: true });
      throw new Error(`compose up failed:\n${up.stderr}\n${logs.stdout}`);
    }
    for (const svc of ['mysql', 'redis', 'app', 'nginx']) {
      const health = await server.docker(['inspect', '-f', '{{.State.Health.Status}}', `labsmoke-${svc}-1`]);
      expect(`${svc} ${health.stdout.trim()}`).toBe(`${svc} healthy`);
    }

    // The official mariadb contract: MARIADB_* created the user and database; conf.d was read;
    // mariadbd runs as mysql, and `docker exec` into it works (needs SYS_PTRACE on the server).
    const db = await server.compose(DIR, ['exec', '-T', '-e', `MYSQL_PWD=${env.MYSQL_PASSWORD}`, 'mysql', 'mariadb', '-uapp', '-N', '-e',
      'SELECT DATABASE(), CURRENT_USER(), @@max_connections, @@innodb_buffer_pool_size', 'app']);
    expect(db.stdout.trim().split('\t')).toEqual(['app', 'app@%', '77', String(128 * MIB)]);
    expect((await server.compose(DIR, ['exec', '-T', 'mysql', 'bash', '-c', 'echo "$(stat -c %U /proc/1) $(cat /proc/1/comm)"'])).stdout.trim()).toBe('mysql mariadbd');
    const ping = await server.compose(DIR, ['exec', '-T', '-e', `MYSQL_PWD=${env.MYSQL_ROOT_PASSWORD}`, 'mysql', 'mariadb-admin', '-uroot', 'ping']);
    expect(ping.stdout.trim()).toBe('mysqld is alive');
    expect((await server.compose(DIR, ['exec', '-T', 'redis', 'redis-cli', 'config', 'get', 'maxmemory'])).stdout.split('\n')[1]).toBe(String(48 * MIB));

    // deploy.resources.limits.memory reaches the container's cgroup (enforced by the kernel).
    for (const [svc, mib] of [['mysql', 512], ['app', 256]] as const) {
      const inspected = await server.docker(['inspect', '-f', '{{.HostConfig.Memory}}', `labsmoke-${svc}-1`]);
      expect(Number(inspected.stdout.trim())).toBe(mib * MIB);
      const cgroup = await server.compose(DIR, ['exec', '-T', svc, 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes']);
      expect(Number(cgroup.stdout.trim())).toBe(mib * MIB);
    }

    // The Internet reaches the published port: client → server:80 → nginx → app → MariaDB + Redis.
    const health = await client.http(`http://${server.ip}/health`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', mysql: 'ok', redis: 'ok' });
    const created = await client.http(`http://${server.ip}/items`, { args: ['-X', 'POST', '-H', 'Content-Type: application/json', '-d', '{"count": 5, "prefix": "smoke"}'] });
    expect(created.status).toBe(201);
    const summary = JSON.parse((await client.http(`http://${server.ip}/items/summary`)).body) as { count: number; checksum: string };
    expect(summary.count).toBe(5);
    expect(summary.checksum).toMatch(/^[0-9a-f]{64}$/);
    const kv = await client.http(`http://${server.ip}/kv`, { args: ['-X', 'POST', '-H', 'Content-Type: application/json', '-d', '{"count": 3, "prefix": "smoke"}'] });
    expect(kv.status).toBe(201);
    expect(JSON.parse((await client.http(`http://${server.ip}/kv/summary`)).body)).toMatchObject({ count: 3 });
    // The keys are in the Redis the compose file started.
    expect((await server.compose(DIR, ['exec', '-T', 'redis', 'redis-cli', 'get', 'kv:smoke-2'])).stdout.trim()).toBe('smoke-value-2');
    // Nginx wrote its access log into the bind-mounted host directory (as fail2ban will read it).
    expect(await server.readFile(`${DIR}/logs/nginx/access.log`)).toContain(`"GET /items/summary HTTP/1.1" 200`);
  });

  it('installs the packed wizard on the server, where it runs with the server\'s own Node as on a real host', async () => {
    const { version } = JSON.parse(readFileSync(`${PROJECT_ROOT}/package.json`, 'utf8')) as { version: string };
    expect(await lab.installWizard(server)).toBe(version);
    expect((await server.sh('readlink -f "$(command -v stack-wizard)"')).trim()).toBe('/usr/local/lib/node_modules/stack-wizard/bin/stack-wizard.js');
    // Over SSH from the Internet side, as an operator would: the probe sees the server, not this machine.
    const probe = await client.ssh(server, 'stack-wizard probe --json');
    const facts = JSON.parse(probe.stdout) as { hostname: string };
    expect(facts.hostname).toBe('server');
  });
});
