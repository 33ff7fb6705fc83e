// security apply on a realistic Debian 12 server in a container (systemd, journald, sshd on 2222,
// its own Docker engine publishing Nginx on 80/443 and a database-like port on 3306), judged from
// other containers on a public-looking network: SSH and the web stay reachable, the database does
// not; failed SSH logins and scans get the client banned from SSH and from the Docker-published
// web ports; a second apply changes nothing; an apply that would cut the operator's SSH session is
// refused. The wizard runs inside the server over SSH, as an operator runs it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NGINX_LOG_FORMAT, NGINX_LOG_FORMAT_NAME, RATE_LIMIT_STATUS } from '../../src/render/nginx-log.js';
import { buildImages, sh, startLab, until, type Lab } from './security/lab.js';

const ROOT = join(import.meta.dirname, '..', '..');
const INSTALL = '/opt/stack-wizard/demo';
const ANSWERS = '/root/answers.yaml';

let lab: Lab;

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
    image: sw-sec/web:bookworm
    restart: unless-stopped
    ports: ["80:80", "443:443"]
    volumes: ["./logs/nginx:/var/log/nginx", "/opt/e2e/nginx.conf:/etc/nginx/nginx.conf:ro"]
  db:
    image: sw-sec/web:bookworm
    restart: unless-stopped
    ports: ["3306:80"]
    volumes: ["/opt/e2e/db.conf:/etc/nginx/nginx.conf:ro"]
`;

function startStackContainers() {
  lab.exec(`mkdir -p ${INSTALL}/logs/nginx /opt/e2e && cat > /opt/e2e/nginx.conf`, { input: NGINX_CONF });
  lab.exec('cat > /opt/e2e/db.conf', { input: DB_CONF });
  lab.exec(`cat > ${INSTALL}/docker-compose.yml`, { input: COMPOSE });
  lab.exec(`docker compose -f ${INSTALL}/docker-compose.yml up -d --quiet-pull`);
}

/** Whether `client` can open a TCP connection to the server's `port` (and, for HTTP, get an answer). */
const reach = (client: string, port: number) => lab.on(client, `nc -z -w 3 ${lab.server.ip} ${port}`, false).code === 0;
const http = (client: string, port: number, path = '/') => lab.on(client, `curl -s -o /dev/null -w '%{http_code}' --max-time 4 http://${lab.server.ip}:${port}${path}`, false).out.trim();

function snapshot(): string {
  return lab.exec(
    'ufw show added; iptables -S; ip6tables -S DOCKER-USER; cat /etc/ufw/after.rules /etc/ufw/after6.rules /etc/default/ufw; ' +
      'cat /etc/fail2ban/jail.d/stack-wizard.local /etc/fail2ban/filter.d/stack-wizard-*.conf /etc/fail2ban/action.d/stack-wizard-ufw.conf; ' +
      'cat /etc/logrotate.d/stack-wizard-demo; stat -c %Y /etc/fail2ban/jail.d/stack-wizard.local',
  ).out;
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'stack-wizard.js'))) sh('npm', ['run', '--silent', 'build']);
  await buildImages();
  lab = await startLab();
  startStackContainers();
  lab.exec(`cat > ${ANSWERS}`, { input: 'project: demo\napp: { image: ghcr.io/example/api:1.0.0 }\nsecurity: { firewall: true, fail2ban: true }\n' });
}, 1_800_000);

afterAll(() => {
  if (lab && !process.env.KEEP_LAB) lab.down();
});

describe('security on a Debian 12 server with its own Docker engine', () => {
  const attacker = () => lab.attackers[0]!.name;
  const scanner = () => lab.attackers[1]!.name;

  it('before: the server is as a fresh VM leaves it, and the published database port is open to the world', () => {
    expect(lab.exec('ufw status').out).toMatch(/Status: inactive/);
    // Debian 12's fail2ban does not even start: its sshd jail wants /var/log/auth.log.
    expect(lab.exec('systemctl is-active fail2ban', { check: false }).out.trim()).not.toBe('active');
    expect(lab.exec('test -e /var/log/auth.log', { check: false }).code).not.toBe(0);
    expect(http(attacker(), 80)).toBe('200');
    expect(http(attacker(), 3306)).toBe('200');
  });

  it('refuses an apply that would cut the operator\'s SSH session, and changes nothing', async () => {
    // A deny rule left behind in an inactive ufw covers the operator's address: enabling would lock them out.
    lab.exec('ufw deny from 203.0.113.0/24');
    const before = lab.exec('ufw show added; cat /etc/ufw/after.rules; ls /etc/fail2ban/jail.d').out;
    expect(before).toContain('ufw deny from 203.0.113.0/24');
    const r = await lab.ssh(`stack-wizard security apply --answers ${ANSWERS} --yes`, false);
    expect(r.code).toBe(3);
    expect(r.err).toContain(`the existing rule "ufw deny from 203.0.113.0/24" would block the SSH connection from ${lab.operator.ip} on port 2222`);
    expect(r.out).toMatch(/• Check that no SSH session would be cut\n\s+REFUSED:/);
    expect(lab.exec('ufw status').out).toMatch(/Status: inactive/);
    expect(lab.exec('ufw show added; cat /etc/ufw/after.rules; ls /etc/fail2ban/jail.d').out).toBe(before);
    // Nothing at all was installed either: the refusal comes before the package step.
    expect(lab.exec("dpkg-query -W -f '${db:Status-Abbrev}' python3-systemd", { check: false }).out.trim()).toBe('un');
    lab.exec('ufw delete deny from 203.0.113.0/24');
  });

  it('apply, run over SSH: firewall, fail2ban (journal backend, missing python3-systemd installed), kernel settings skipped in a container', async () => {
    const dry = await lab.ssh(`stack-wizard security apply --answers ${ANSWERS} --dry-run`);
    expect(dry.out).toContain("ufw allow 2222/tcp comment 'stack-wizard ssh'");
    expect(dry.out).not.toMatch(/ufw allow 22\/tcp/);
    // The SSH rule goes in before the firewall is switched on.
    expect(dry.out.indexOf("ufw allow 2222/tcp")).toBeLessThan(dry.out.indexOf('ufw --force enable'));
    expect(dry.out.indexOf('write /etc/ufw/after.rules')).toBeLessThan(dry.out.indexOf('ufw --force enable'));
    expect(dry.out).toMatch(/apt-get install -y -q --no-install-recommends python3-systemd logrotate/);
    expect(lab.exec('ufw status').out).toMatch(/Status: inactive/);

    const r = await lab.ssh(`stack-wizard security apply --answers ${ANSWERS} --yes`);
    expect(r.out).toMatch(/Done: \d step\(s\) applied/);
    expect(r.out).toContain(`SSH connections kept open: ${lab.operator.ip} → :2222`);
    expect(lab.exec('ufw status verbose').out).toMatch(/Status: active[\s\S]*Default: deny \(incoming\)/);
    expect(lab.exec('systemctl is-active fail2ban').out.trim()).toBe('active');
    expect(lab.exec('systemctl is-enabled fail2ban').out.trim()).toBe('enabled');
    expect(lab.exec('fail2ban-client status').out).toMatch(/Jail list:\s+recidive, sshd, stack-wizard-nginx-limit, stack-wizard-nginx-scan/);
    expect(lab.exec("dpkg-query -W -f '${db:Status-Abbrev}' python3-systemd").out.trim()).toBe('ii');
    expect(lab.exec('cat /etc/fail2ban/jail.d/stack-wizard.local').out).toMatch(new RegExp(`ignoreip = 127\\.0\\.0\\.1/8 ::1 ${lab.operator.ip.replace(/\./g, '\\.')}\\n`));
  });

  it('from the Internet: SSH on 2222, HTTP and HTTPS answer; the database port and everything else do not', () => {
    expect(reach(attacker(), 2222)).toBe(true);
    expect(http(attacker(), 80)).toBe('200');
    expect(http(attacker(), 443)).toBe('200');
    expect(reach(attacker(), 3306)).toBe(false);
    expect(reach(attacker(), 22)).toBe(false);
    // The server itself still reaches its containers and the database (Docker's own traffic is untouched).
    expect(lab.exec(`curl -s --max-time 4 http://127.0.0.1:3306/`).out).toBe('db\n');
    expect(lab.exec('docker exec demo-nginx-1 sh -c "echo > /dev/null"').code).toBe(0);
  });

  it('security status --json says the same', async () => {
    const st = JSON.parse((await lab.ssh(`stack-wizard security status --json --answers ${ANSWERS}`)).out);
    expect(st.firewall).toMatchObject({ active: true, sshOpen: true, webOpen: true, onlyExpectedOpen: true, unexpected: [] });
    expect(st.firewall.ports).toEqual([
      { port: 2222, purpose: 'ssh', v4: true, v6: true },
      { port: 80, purpose: 'http', v4: true, v6: true },
      { port: 443, purpose: 'https', v4: true, v6: true },
    ]);
    expect(st.firewall.dockerUser).toEqual({ afterRules: true, after6Rules: true, live: true, dockerRunning: true });
    expect(st.fail2ban.running).toBe(true);
    expect(st.fail2ban.missingJails).toEqual([]);
    expect(st.sysctlSettable).toBe(false);
    const text = (await lab.ssh(`stack-wizard security status --answers ${ANSWERS}`)).out;
    expect(text).toMatch(/✓ SSH 2222\/tcp open \(IPv4, IPv6\)/);
    expect(text).toMatch(/✓ nothing else is open/);
  });

  it('a second apply changes nothing', async () => {
    const before = snapshot();
    const r = await lab.ssh(`stack-wizard security apply --answers ${ANSWERS} --yes`);
    expect(r.out).toMatch(/Nothing to change: the server already matches the plan\./);
    expect(r.out).not.toMatch(/^→ /m);
    expect(snapshot()).toBe(before);
  });

  it('failed SSH logins get the client banned, from SSH and from the Docker-published web ports too', async () => {
    for (let i = 0; i < 6; i++) {
      lab.on(attacker(), `ssh -p 2222 -o BatchMode=yes -o StrictHostKeyChecking=no -o ConnectTimeout=5 nosuchuser${i}@${lab.server.ip} true`, false);
    }
    const ip = lab.attackers[0]!.ip;
    await until('the sshd jail to ban the attacker', () => lab.exec('fail2ban-client status sshd').out.includes(ip), 60_000);
    // The ban action runs two ufw commands (INPUT, then the route rule) after the jail lists the address.
    await until('the ban to reach the route rules', () => lab.exec('ufw status').out.includes(`REJECT FWD  ${ip}`), 30_000);
    expect(reach(attacker(), 2222)).toBe(false);
    expect(http(attacker(), 80)).not.toBe('200');
    expect(http(attacker(), 443)).not.toBe('200');
    // The ban is one address: the operator and other visitors are unaffected.
    expect(http(lab.operator.name, 80)).toBe('200');
    expect((await lab.ssh('true')).code).toBe(0);
    expect(http(scanner(), 443)).toBe('200');
    const st = JSON.parse((await lab.ssh(`stack-wizard security status --json --answers ${ANSWERS}`)).out);
    expect(st.fail2ban.jails.find((j: { name: string }) => j.name === 'sshd')).toMatchObject({ currentlyBanned: 1, bannedIps: [ip] });
    // The bans are fail2ban's, not "extra open ports".
    expect(st.firewall.onlyExpectedOpen).toBe(true);
  });

  it('scanning the web stack through Docker gets the scanner banned by the Nginx jail', async () => {
    const ip = lab.attackers[1]!.ip;
    for (const p of ['/.env', '/wp-login.php', '/.git/config']) expect(http(scanner(), 80, p)).toBe('404');
    await until('the scan jail to ban the scanner', () => lab.exec('fail2ban-client status stack-wizard-nginx-scan').out.includes(ip), 60_000);
    await until('the ban to reach the route rules', () => lab.exec('ufw status').out.includes(`REJECT FWD  ${ip}`), 30_000);
    expect(lab.exec(`tail -n 1 ${INSTALL}/logs/nginx/access.log`).out).toMatch(new RegExp(`^${ip.replace(/\./g, '\\.')} - - \\[.*\\] "GET /\\.git/config HTTP/1\\.1" 404 `));
    expect(http(scanner(), 80)).not.toBe('200');
    expect(http(scanner(), 443)).not.toBe('200');
    expect(http(lab.operator.name, 443)).toBe('200');
  });

  it('unbanning lets the client back in', () => {
    const ip = lab.attackers[1]!.ip;
    lab.exec(`fail2ban-client set stack-wizard-nginx-scan unbanip ${ip}`);
    expect(http(scanner(), 80)).toBe('200');
  });

  it('log rotation: logrotate accepts the config, Nginx reopens its logs, fail2ban follows the new file', async () => {
    const conf = '/etc/logrotate.d/stack-wizard-demo';
    const debug = lab.exec(`logrotate -d ${conf} 2>&1`, { check: false });
    expect(debug.code).toBe(0);
    expect(debug.out).not.toMatch(/^error:/m);
    expect(debug.out).toContain(`${INSTALL}/logs/nginx/access.log`);
    lab.exec(`logrotate -f -s /tmp/logrotate.state ${conf}`);
    expect(lab.exec(`ls ${INSTALL}/logs/nginx`).out.split('\n')).toEqual(expect.arrayContaining(['access.log', 'access.log.1', 'error.log', 'error.log.1']));
    const ip = lab.attackers[1]!.ip;
    for (const p of ['/phpmyadmin/', '/.aws/credentials', '/xmlrpc.php']) expect(http(scanner(), 80, p)).toBe('404');
    // The new lines are in the new file: Nginx got USR1 through Compose and reopened it.
    expect(lab.exec(`grep -c '"GET /xmlrpc.php' ${INSTALL}/logs/nginx/access.log`).out.trim()).toBe('1');
    await until('the scan jail to ban the scanner again, from the new file', () => lab.exec('fail2ban-client status stack-wizard-nginx-scan').out.includes(ip), 60_000);
  });
});
