// security apply on a realistic Debian 12 server in a container (systemd, journald, sshd on 2222,
// its own Docker engine publishing Nginx on 80/443 and the extra port 8443, a database-like port on
// 3306 and another on 6379; host programs listening on 9100, an extra port, and on 5432 and 5000,
// which are not), judged from other containers on a public-looking network: SSH, the web and the
// extra ports stay reachable, nothing else does, for IPv4 and IPv6 alike in ufw's rules; failed SSH
// logins and scans get the client banned from SSH and from the Docker-published web ports; a second
// apply changes nothing; an apply that would cut the operator's SSH session is refused. The wizard
// runs inside the server over SSH, as an operator runs it (the first apply through sudo, which
// drops SSH_CONNECTION: fail2ban's ignoreip still gets the operator's address).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NGINX_LOG_FORMAT, NGINX_LOG_FORMAT_NAME, RATE_LIMIT_STATUS } from '../../src/render/nginx-log.js';
import { IMAGES, Lab, OPS_USER, waitFor, type Client, type Server } from '../lab/lab.js';

const INSTALL = '/opt/stack-wizard/demo';
const ANSWERS = '/root/answers.yaml';

let lab: Lab;
let server: Server;
/** The operator's machine, and two others on the Internet: one guesses SSH passwords, one scans the web stack. */
let operator: Client;
let attacker: Client;
let scanner: Client;

/** The stack's Nginx (our log format, a rate-limited login) and a database that someone published on every interface. */
const NGINX_CONF = `worker_processes 1;
events { worker_connections 256; }
http {
  log_format ${NGINX_LOG_FORMAT_NAME} '${NGINX_LOG_FORMAT}';
  access_log /var/log/nginx/access.log ${NGINX_LOG_FORMAT_NAME};
  error_log /var/log/nginx/error.log info;
  limit_req_zone $binary_remote_addr zone=login:1m rate=1r/m;
  limit_req_status ${RATE_LIMIT_STATUS};
  server {
    listen 80;
    listen 443;
    root /usr/share/nginx/html;
    location = / { return 200 "stack\\n"; }
    location = /login { limit_req zone=login burst=1 nodelay; try_files /index.html =404; }
    location / { return 404; }
  }
}
`;
const DB_CONF = 'events {}\nerror_log /dev/stderr;\nhttp { access_log off; server { listen 80; return 200 "db\\n"; } }\n';

/** A Compose project in the install dir, as the stack has one: service `nginx` (what log rotation signals) and the database. */
const COMPOSE = `name: demo
services:
  nginx:
    image: ${IMAGES.nginx}
    restart: unless-stopped
    ports: ["80:80", "443:443", "8443:80"]
    volumes: ["./logs/nginx:/var/log/nginx", "/opt/e2e/nginx.conf:/etc/nginx/nginx.conf:ro"]
  db:
    image: ${IMAGES.nginx}
    restart: unless-stopped
    ports: ["3306:80", "6379:80"]
    volumes: ["/opt/e2e/db.conf:/etc/nginx/nginx.conf:ro"]
`;

async function startStackContainers() {
  await server.sh(`mkdir -p ${INSTALL}/logs/nginx /opt/e2e`);
  await server.writeFile('/opt/e2e/nginx.conf', NGINX_CONF);
  await server.writeFile('/opt/e2e/db.conf', DB_CONF);
  await server.writeFile(`${INSTALL}/docker-compose.yml`, COMPOSE);
  await server.sh(`docker compose -f ${INSTALL}/docker-compose.yml up -d --quiet-pull`, { timeoutMs: 300_000 });
  // Programs on the host itself (not in Docker): one on an extra port, two that nobody asked to open.
  for (const port of [9100, 5432, 5000]) {
    // Restarted if they end: seen gone mid-file twice, cause not found (the "from the Internet" test prints the server's state when a port does not answer).
    await sh(`systemd-run --unit=e2e-listen-${port} -p Restart=always -p RestartSec=1 /usr/local/bin/node -e "require('net').createServer((s) => s.end('port ${port}\\n')).listen(${port})"`);
  }
  await waitFor('the host programs listening', async () => {
    const ss = await sh('ss -Hltn');
    return [9100, 5432, 5000].every((p) => new RegExp(`:${p}\\s`).test(ss));
  }, { timeoutMs: 30_000 });
}

/** Allowed from outside: SSH, the web, and security.extraPorts (8443 published by Docker, 9100 a host program). */
const OPEN = [2222, 80, 443, 8443, 9100];
/** Listening, but not to be reached from outside: Docker-published (3306, 6379) and host programs (5432, 5000), and 22. */
const CLOSED = [3306, 6379, 5432, 5000, 22];

/** A command in the server as root (docker exec: the console, no SSH session). */
const sh = (cmd: string) => server.sh(cmd);
const tryCmd = (cmd: string) => server.exec(['bash', '-c', cmd], { allowFail: true });
/** Whether `client` can open a TCP connection to the server's `port`. */
const reach = async (client: Client, port: number) => (await client.exec(['sh', '-c', `nc -z -w 3 ${server.ip} ${port}`], { allowFail: true })).exitCode === 0;
/** The HTTP status `client` gets (000 when nothing answers). */
const http = async (client: Client, port: number, path = '/') =>
  (await client.exec(['sh', '-c', `curl -s -o /dev/null -w '%{http_code}' --max-time 4 http://${server.ip}:${port}${path}`], { allowFail: true })).stdout.trim();
/** A command run on the server over SSH from the operator's machine, as an operator does. */
const ssh = (cmd: string, allowFail = false) => operator.ssh(server, cmd, { allowFail, timeoutMs: 900_000 });

function snapshot(): Promise<string> {
  return sh(
    'ufw show added; iptables -S; ip6tables -S DOCKER-USER; cat /etc/ufw/after.rules /etc/ufw/after6.rules /etc/default/ufw; ' +
      'cat /etc/fail2ban/jail.d/stack-wizard.local /etc/fail2ban/filter.d/stack-wizard-*.conf /etc/fail2ban/action.d/stack-wizard-ufw.conf; ' +
      'cat /etc/logrotate.d/stack-wizard-demo; stat -c %Y /etc/fail2ban/jail.d/stack-wizard.local',
  );
}

beforeAll(async () => {
  lab = await Lab.create();
  [server, operator, attacker, scanner] = await Promise.all([
    lab.startServer({ images: [IMAGES.nginx], wizard: true }),
    lab.startClient({ name: 'operator' }),
    lab.startClient({ name: 'attacker' }),
    lab.startClient({ name: 'scanner' }),
  ]);
  // The operator logs in with a key, as on a real server.
  await server.authorizeKey(operator.publicKey, 'root');
  // A server where fail2ban's journal backend (python3-systemd) and logrotate are missing, as on a
  // minimal install: the wizard must notice and install them.
  await server.sh('DEBIAN_FRONTEND=noninteractive apt-get purge -y -q python3-systemd logrotate >/dev/null', { timeoutMs: 300_000 });
  await startStackContainers();
  await server.writeFile(ANSWERS, 'project: demo\npreset: 4g\napp: { image: ghcr.io/example/api:1.0.0 }\nsecurity: { firewall: true, fail2ban: true, extraPorts: [8443, 9100] }\n');
  // The operator may also log in as the sudo user `ops` and run the wizard through sudo.
  await server.authorizeKey(operator.publicKey, OPS_USER);
});

afterAll(async () => {
  await lab?.cleanup();
});

describe('security on a Debian 12 server with its own Docker engine', () => {
  it('before: the server is as a fresh VM leaves it, and the published database port is open to the world', async () => {
    expect(await sh('ufw status')).toMatch(/Status: inactive/);
    // Debian 12's fail2ban does not even start: its sshd jail wants /var/log/auth.log.
    expect((await tryCmd('systemctl is-active fail2ban')).stdout.trim()).not.toBe('active');
    expect((await tryCmd('test -e /var/log/auth.log')).exitCode).not.toBe(0);
    expect(await http(attacker, 80)).toBe('200');
    expect(await http(attacker, 3306)).toBe('200');
    // Everything listening is reachable before the firewall.
    for (const port of [...OPEN, ...CLOSED.filter((p) => p !== 22)]) expect(await reach(attacker, port), `port ${port}`).toBe(true);
  });

  it('refuses an apply that would cut the operator\'s SSH session, and changes nothing; init --dry-run shows the whole preview and exits 3 too', async () => {
    // A deny rule left behind in an inactive ufw covers the operator's address: enabling would lock them out.
    const deny = `ufw deny from ${lab.internet.subnet}`;
    await sh(deny);
    const state = 'ufw show added; cat /etc/ufw/after.rules; ls /etc/fail2ban/jail.d';
    const before = await sh(state);
    expect(before).toContain(deny);
    const r = await ssh(`stack-wizard security apply --answers ${ANSWERS} --yes`, true);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(`the existing rule "${deny}" would block the SSH connection from ${operator.ip} on port 2222`);
    expect(r.stdout).toMatch(/• Check that no SSH session would be cut\n\s+REFUSED:/);
    // init's preview: everything it would do, the guard's refusal among it, and the exit code a real run would end with.
    const dry = await ssh(`stack-wizard init --answers ${ANSWERS} --dry-run`, true);
    expect(dry.stdout).toMatch(/✗ Check that no SSH session would be cut\n\s+REFUSED:/);
    expect(dry.stdout).toMatch(/• Start the stack and wait until it is healthy/);
    expect(dry.stdout).toMatch(/Dry run: nothing was changed/);
    expect(dry.stderr).toContain(`the existing rule "${deny}" would block the SSH connection from ${operator.ip} on port 2222`);
    expect(dry.exitCode).toBe(3);
    expect(await sh('ufw status')).toMatch(/Status: inactive/);
    expect(await sh(state)).toBe(before);
    // Nothing at all was installed either: the refusal comes before the package step.
    expect((await tryCmd("dpkg-query -W -f '${db:Status-Abbrev}' python3-systemd")).stdout).not.toMatch(/^ii/);
    await sh(`ufw delete deny from ${lab.internet.subnet}`);
  });

  it('apply, run over SSH through sudo: firewall, fail2ban (journal backend, missing python3-systemd installed, the operator never banned), kernel settings skipped in a container', async () => {
    const dry = await ssh(`stack-wizard security apply --answers ${ANSWERS} --dry-run`);
    expect(dry.stdout).toContain("ufw allow 2222/tcp comment 'stack-wizard ssh'");
    expect(dry.stdout).not.toMatch(/ufw allow 22\/tcp/);
    // The SSH rule goes in before the firewall is switched on.
    expect(dry.stdout.indexOf('ufw allow 2222/tcp')).toBeLessThan(dry.stdout.indexOf('ufw --force enable'));
    expect(dry.stdout.indexOf('write /etc/ufw/after.rules')).toBeLessThan(dry.stdout.indexOf('ufw --force enable'));
    expect(dry.stdout).toMatch(/apt-get install -y -q --no-install-recommends python3-systemd logrotate/);
    expect(await sh('ufw status')).toMatch(/Status: inactive/);

    // sudo drops SSH_CONNECTION: the operator's address comes from their logged-in SSH session (ss).
    const r = await operator.ssh(server, `echo '${server.credentials.opsPassword}' | sudo -S -p '' stack-wizard security apply --answers ${ANSWERS} --yes`, { user: OPS_USER, timeoutMs: 900_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Done: \d step\(s\) applied/);
    expect(r.stdout).toContain(`SSH connections kept open: ${operator.ip} → :2222`);
    expect(r.stdout).toContain(`never banned (ignoreip): your address ${operator.ip}, from your SSH session`);
    expect(await sh('ufw status verbose')).toMatch(/Status: active[\s\S]*Default: deny \(incoming\)/);
    expect((await sh('systemctl is-active fail2ban')).trim()).toBe('active');
    expect((await sh('systemctl is-enabled fail2ban')).trim()).toBe('enabled');
    expect(await sh('fail2ban-client status')).toMatch(/Jail list:\s+recidive, sshd, stack-wizard-nginx-limit, stack-wizard-nginx-scan/);
    expect((await sh("dpkg-query -W -f '${db:Status-Abbrev}' python3-systemd")).trim()).toBe('ii');
    expect(await sh('cat /etc/fail2ban/jail.d/stack-wizard.local')).toMatch(new RegExp(`ignoreip = 127\\.0\\.0\\.1/8 ::1 ${operator.ip.replace(/\./g, '\\.')}\\n`));
  });

  it('from the Internet: SSH on 2222, HTTP, HTTPS and the extra ports answer; the databases and the other listening ports do not', async () => {
    // When a port that must answer does not, what the server had then (listeners, the stand-ins' units, ufw).
    const why = async (port: number) =>
      `port ${port}:\n${(await tryCmd(`ss -Hltnp; systemctl status --no-pager -n 20 e2e-listen-9100 sshd; ufw status`)).stdout}`;
    if (!(await reach(attacker, 2222))) expect.fail(await why(2222));
    expect(await http(attacker, 80)).toBe('200');
    expect(await http(attacker, 443)).toBe('200');
    // security.extraPorts: a Docker-published one (through DOCKER-USER) and a host program's (through INPUT).
    expect(await http(attacker, 8443)).toBe('200');
    if (!(await reach(attacker, 9100))) expect.fail(await why(9100));
    for (const port of CLOSED) expect(await reach(attacker, port), `port ${port}`).toBe(false);
    // Still listening on the server: closed by the firewall, not gone.
    const now = await sh('ss -Hltn');
    for (const port of CLOSED.filter((p) => p !== 22)) expect(now).toMatch(new RegExp(`:${port}\\s`));
    // The server itself still reaches its containers and the database (Docker's own traffic is untouched).
    expect(await sh('curl -s --max-time 4 http://127.0.0.1:3306/')).toBe('db\n');
    expect((await tryCmd('docker exec demo-nginx-1 sh -c "echo > /dev/null"')).exitCode).toBe(0);
  });

  it('ufw has each allowed port for IPv4 and IPv6, and nothing else', async () => {
    const status = await sh('ufw status');
    for (const port of OPEN) {
      expect(status).toMatch(new RegExp(`^${port}/tcp +ALLOW +Anywhere +# stack-wizard`, 'm'));
      expect(status).toMatch(new RegExp(`^${port}/tcp \\(v6\\) +ALLOW +Anywhere \\(v6\\) +# stack-wizard`, 'm'));
    }
    for (const port of CLOSED) expect(status).not.toMatch(new RegExp(`^${port}(/tcp)?\\b`, 'm'));
    const v6 = await sh('ip6tables -S ufw6-user-input');
    for (const port of OPEN) expect(v6).toContain(`-A ufw6-user-input -p tcp -m tcp --dport ${port} -j ACCEPT`);
    // The Docker-published ports, IPv6 too: only the allowed ones pass DOCKER-USER.
    const du6 = await sh('ip6tables -S DOCKER-USER');
    for (const port of [80, 443, 8443, 9100]) expect(du6).toContain(`--ctorigdstport ${port} -j RETURN`);
    expect(du6).not.toMatch(/--ctorigdstport (3306|6379) /);
  });

  it('security status --json says the same', async () => {
    const st = JSON.parse((await ssh(`stack-wizard security status --json --answers ${ANSWERS}`)).stdout);
    expect(st.firewall).toMatchObject({ active: true, sshOpen: true, webOpen: true, onlyExpectedOpen: true, unexpected: [] });
    expect(st.firewall.ports).toEqual([
      { port: 2222, purpose: 'ssh', v4: true, v6: true },
      { port: 80, purpose: 'http', v4: true, v6: true },
      { port: 443, purpose: 'https', v4: true, v6: true },
      { port: 8443, purpose: 'extra', v4: true, v6: true },
      { port: 9100, purpose: 'extra', v4: true, v6: true },
    ]);
    expect(st.firewall.dockerUser).toEqual({ afterRules: true, after6Rules: true, live: true, dockerRunning: true });
    expect(st.fail2ban.running).toBe(true);
    expect(st.fail2ban.missingJails).toEqual([]);
    expect(st.sysctlSettable).toBe(false);
    const text = (await ssh(`stack-wizard security status --answers ${ANSWERS}`)).stdout;
    expect(text).toMatch(/✓ SSH 2222\/tcp open \(IPv4, IPv6\)/);
    expect(text).toMatch(/✓ nothing else is open/);
  });

  it('a second apply changes nothing', async () => {
    const before = await snapshot();
    const r = await ssh(`stack-wizard security apply --answers ${ANSWERS} --yes`);
    expect(r.stdout).toMatch(/Nothing to change: the server already matches the plan\./);
    expect(r.stdout).not.toMatch(/^→ /m);
    expect(await snapshot()).toBe(before);
  });

  it('failed SSH logins get the client banned, from SSH and from the Docker-published web ports too', async () => {
    for (let i = 0; i < 6; i++) {
      await attacker.exec(['sh', '-c', `ssh -p 2222 -o BatchMode=yes -o StrictHostKeyChecking=no -o ConnectTimeout=5 nosuchuser${i}@${server.ip} true`], { allowFail: true });
    }
    const ip = attacker.ip;
    await waitFor('the sshd jail to ban the attacker', async () => (await sh('fail2ban-client status sshd')).includes(ip), { timeoutMs: 60_000 });
    // The ban action runs two ufw commands (INPUT, then the route rule) after the jail lists the address.
    await waitFor('the ban to reach the route rules', async () => (await sh('ufw status')).includes(`REJECT FWD  ${ip}`), { timeoutMs: 30_000 });
    expect(await reach(attacker, 2222)).toBe(false);
    expect(await http(attacker, 80)).not.toBe('200');
    expect(await http(attacker, 443)).not.toBe('200');
    // The ban is one address: the operator and other visitors are unaffected.
    expect(await http(operator, 80)).toBe('200');
    expect((await ssh('true', true)).exitCode).toBe(0);
    expect(await http(scanner, 443)).toBe('200');
    const st = JSON.parse((await ssh(`stack-wizard security status --json --answers ${ANSWERS}`)).stdout);
    expect(st.fail2ban.jails.find((j: { name: string }) => j.name === 'sshd')).toMatchObject({ currentlyBanned: 1, bannedIps: [ip] });
    // The bans are fail2ban's, not "extra open ports".
    expect(st.firewall.onlyExpectedOpen).toBe(true);
  });

  it('scanning the web stack through Docker gets the scanner banned by the Nginx jail', async () => {
    const ip = scanner.ip;
    for (const p of ['/.env', '/wp-login.php', '/.git/config']) expect(await http(scanner, 80, p)).toBe('404');
    await waitFor('the scan jail to ban the scanner', async () => (await sh('fail2ban-client status stack-wizard-nginx-scan')).includes(ip), { timeoutMs: 60_000 });
    await waitFor('the ban to reach the route rules', async () => (await sh('ufw status')).includes(`REJECT FWD  ${ip}`), { timeoutMs: 30_000 });
    expect(await sh(`tail -n 1 ${INSTALL}/logs/nginx/access.log`)).toMatch(new RegExp(`^${ip.replace(/\./g, '\\.')} - - \\[.*\\] "GET /\\.git/config HTTP/1\\.1" 404 `));
    expect(await http(scanner, 80)).not.toBe('200');
    expect(await http(scanner, 443)).not.toBe('200');
    expect(await http(operator, 443)).toBe('200');
  });

  it('unbanning lets the client back in', async () => {
    await sh(`fail2ban-client set stack-wizard-nginx-scan unbanip ${scanner.ip}`);
    expect(await http(scanner, 80)).toBe('200');
  });

  it('log rotation: logrotate accepts the config, Nginx reopens its logs, fail2ban follows the new file', async () => {
    const conf = '/etc/logrotate.d/stack-wizard-demo';
    const debug = await tryCmd(`logrotate -d ${conf} 2>&1`);
    expect(debug.exitCode).toBe(0);
    expect(debug.stdout).not.toMatch(/^error:/m);
    expect(debug.stdout).toContain(`${INSTALL}/logs/nginx/access.log`);
    await sh(`logrotate -f -s /tmp/logrotate.state ${conf}`);
    expect((await sh(`ls ${INSTALL}/logs/nginx`)).split('\n')).toEqual(expect.arrayContaining(['access.log', 'access.log.1', 'error.log', 'error.log.1']));
    const ip = scanner.ip;
    for (const p of ['/phpmyadmin/', '/.aws/credentials', '/xmlrpc.php']) expect(await http(scanner, 80, p)).toBe('404');
    // The new lines are in the new file: Nginx got USR1 through Compose and reopened it.
    expect((await sh(`grep -c '"GET /xmlrpc.php' ${INSTALL}/logs/nginx/access.log`)).trim()).toBe('1');
    await waitFor('the scan jail to ban the scanner again, from the new file', async () => (await sh('fail2ban-client status stack-wizard-nginx-scan')).includes(ip), { timeoutMs: 60_000 });
  });
});
