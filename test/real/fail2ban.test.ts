// The generated fail2ban configuration judged by fail2ban itself: `fail2ban-client -t` on Debian's
// stock configuration plus our files, and `fail2ban-regex` on log lines that a real Nginx wrote in
// our log format (access.log) and with its own rate-limit messages (error.log), and on OpenSSH 9.2's
// messages as the journal shows them. Attack lines must match, normal traffic must not.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswersSchema } from '../../src/domain/answers.js';
import { buildPlan, type Plan } from '../../src/domain/plan.js';
import { NGINX_ACCESS_LOG, NGINX_ERROR_LOG, NGINX_LOG_FORMAT, NGINX_LOG_FORMAT_NAME, RATE_LIMIT_STATUS } from '../../src/render/nginx-log.js';
import { CONTAINER, HOST, NGINX_HEALTH_PATH } from '../../src/render/paths.js';
import { F2B, JAILS, renderFail2ban } from '../../src/render/security-fail2ban.js';
import type { Fail2banHost } from '../../src/domain/fail2ban.js';
import { makeFacts } from '../fixtures/facts.js';
import { stageNginx } from './support/nginx-stage.js';
import { NetNs, Stop, debianChroot, waitFor } from './support/sandbox.js';
import { freePort } from '../support/proc.js';

const work = mkdtempSync(join(tmpdir(), 'sw-f2b-'));
chmodSync(work, 0o755);
const installDir = join(work, 'opt');
const logs = join(installDir, HOST.nginxLogs);
mkdirSync(logs, { recursive: true });
const f2bLog = join(work, 'fail2ban.log');
writeFileSync(f2bLog, '');

function planFor(extra: Record<string, unknown> = {}): Plan {
  const answers = AnswersSchema.parse({ project: 'demo', installDir, app: { image: 'ghcr.io/example/api:1.0.0' }, ...extra });
  return buildPlan(answers, makeFacts({ ramMiB: 7680, cores: 4, sshPorts: [2222] }));
}

const HOSTS: Record<string, Fail2banHost> = {
  'ufw, sshd in the journal (Debian 12)': { sshLog: { backend: 'systemd' }, banWith: 'ufw', dockerUser: true, fail2banLog: { backend: 'file', path: f2bLog }, operatorAddresses: ['198.51.100.7'] },
  'ufw, sshd in auth.log': { sshLog: { backend: 'file', path: join(work, 'auth.log') }, banWith: 'ufw', dockerUser: true, fail2banLog: { backend: 'file', path: f2bLog }, operatorAddresses: [] },
  'no ufw: iptables in INPUT and DOCKER-USER': { sshLog: { backend: 'systemd' }, banWith: 'iptables', dockerUser: true, fail2banLog: { backend: 'systemd' }, operatorAddresses: ['2001:db8::7'] },
  'firewalld runs the firewall': { sshLog: { backend: 'systemd' }, banWith: 'firewalld', dockerUser: false, fail2banLog: { backend: 'systemd' }, operatorAddresses: [] },
  'nftables only (no iptables command)': { sshLog: { backend: 'systemd' }, banWith: 'nftables', dockerUser: false, fail2banLog: { backend: 'systemd' }, operatorAddresses: [] },
};
writeFileSync(join(work, 'auth.log'), '');

/** A copy of Debian's /etc/fail2ban with our files added: what the server will have. */
function configDir(host: Fail2banHost, plan = planFor()): string {
  const dir = mkdtempSync(join(work, 'etc-'));
  cpSync('/etc/fail2ban', dir, { recursive: true });
  for (const f of renderFail2ban(plan, host)) {
    const p = join(dir, f.path.replace(/^\/etc\/fail2ban\//, ''));
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.content);
  }
  return dir;
}

const f2b = (args: string[]) => spawnSync('fail2ban-client', args, { encoding: 'utf8' });

describe('fail2ban-client -t accepts the generated configuration', () => {
  for (const [name, host] of Object.entries(HOSTS)) {
    it(name, () => {
      const dir = configDir(host);
      const r = f2b(['-c', dir, '-t']);
      expect(r.stdout + r.stderr).toMatch(/OK: configuration test is successful/);
      expect(r.status).toBe(0);
      // -d dumps the jail set fail2ban would start: our four jails, with our filters and ban action.
      const d = f2b(['-c', dir, '-d']).stdout;
      for (const j of Object.values(JAILS)) expect(d).toContain(`['add', '${j}',`);
      if (host.banWith === 'ufw') {
        expect(d).toMatch(/ufw route prepend reject from <ip> to any/);
        expect(d).toMatch(/flock -w 60 \/run\/lock\/stack-wizard-ufw\.lock ufw prepend reject from <ip>/);
      } else if (host.banWith === 'iptables') {
        expect(d).toMatch(/-I DOCKER-USER -p \$proto -j f2b-sshd-docker/);
        expect(d).toMatch(/-I INPUT -p \$proto -j f2b-sshd;/);
      } else if (host.banWith === 'firewalld') {
        expect(d).toMatch(/firewall-cmd --direct --add-rule /);
      } else {
        expect(d).toMatch(/nft add rule /);
      }
      if (host.sshLog.backend === 'systemd') expect(d).toMatch(/\['set', 'sshd', 'addjournalmatch', '_SYSTEMD_UNIT=sshd\.service', '\+', '_COMM=sshd'\]/);
      else expect(d).toContain(`['set', 'sshd', 'addlogpath', '${host.sshLog.path}'`);
      for (const a of host.operatorAddresses) expect(d).toContain(`'${a}'`);
      expect(d).toContain(`['set', 'sshd', 'maxretry', 5]`);
    });
  }

  it('Debian 12\'s stock configuration alone fails here (no /var/log/auth.log), which is why the sshd jail reads the journal', () => {
    const dir = mkdtempSync(join(work, 'stock-'));
    cpSync('/etc/fail2ban', dir, { recursive: true });
    const r = f2b(['-c', dir, '-t']);
    if (existsSync('/var/log/auth.log')) return expect(r.status).toBe(0);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Have not found any log file for sshd jail/);
  });

  it('a jail whose filter is missing fails the same test (the check can fail)', () => {
    const dir = configDir(HOSTS['ufw, sshd in the journal (Debian 12)']!);
    rmSync(join(dir, F2B.scanFilter.replace(/^\/etc\/fail2ban\//, '')));
    const r = f2b(['-c', dir, '-t']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Unable to read the filter 'stack-wizard-nginx-scan'/);
  });
});

// ---- real Nginx writing our log format ----

let nginx: ChildProcess | null = null;
let port = 0;

function nginxConf(): string {
  const site = join(work, 'site');
  for (const f of ['ok', 'api/users', 'api/orders', 'api/burst', 'static/app.9f3c1e.js', 'wp-login.php']) {
    mkdirSync(dirname(join(site, f)), { recursive: true });
    writeFileSync(join(site, f), 'ok\n');
  }
  writeFileSync(join(site, 'big'), Buffer.alloc(64 * 1024, 97));
  // Only what shapes the log lines: our log_format, the real client address from a trusted proxy
  // (as behind a load balancer), limit_req/limit_conn as the stack uses them. Static files, because
  // `return` answers before the limit modules run.
  return `
user root;
worker_processes 1;
pid ${work}/nginx.pid;
error_log ${logs}/${NGINX_ERROR_LOG} info;
events { worker_connections 64; }
http {
  log_format ${NGINX_LOG_FORMAT_NAME} '${NGINX_LOG_FORMAT}';
  access_log ${logs}/${NGINX_ACCESS_LOG} ${NGINX_LOG_FORMAT_NAME};
  client_body_temp_path ${work}/body; proxy_temp_path ${work}/proxy; fastcgi_temp_path ${work}/fcgi; uwsgi_temp_path ${work}/uwsgi; scgi_temp_path ${work}/scgi;
  set_real_ip_from 127.0.0.1;
  real_ip_header X-Forwarded-For;
  limit_req_zone $binary_remote_addr zone=login:1m rate=1r/m;
  limit_req_zone $binary_remote_addr zone=api:1m rate=2r/s;
  limit_req_zone $binary_remote_addr zone=trial:1m rate=1r/m;
  limit_conn_zone $binary_remote_addr zone=addr:1m;
  limit_req_status ${RATE_LIMIT_STATUS};
  limit_conn_status ${RATE_LIMIT_STATUS};
  default_type text/plain;
  server {
    listen 127.0.0.1:${port};
    server_name app.example.com;
    root ${site};
    location = / { try_files /ok =404; }
    location /api/ { limit_req zone=api burst=5; }
    location = /login { limit_req zone=login burst=1 nodelay; try_files /ok =404; }
    location = /trial { limit_req zone=trial; limit_req_dry_run on; try_files /ok =404; }
    location = /big { limit_conn addr 1; limit_rate 8k; }
    location / { }
  }
}
`;
}

async function startNginx() {
  port = await freePort();
  const conf = join(work, 'nginx.conf');
  writeFileSync(conf, nginxConf());
  execFileSync('nginx', ['-t', '-c', conf, '-p', work], { stdio: 'pipe' });
  nginx = spawn('nginx', ['-c', conf, '-p', work, '-g', 'daemon off;'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('nginx did not start');
}

/** A raw request, exactly as a scanner sends it (fetch would normalise the path and refuse CONNECT). */
function raw(data: string | Buffer): Promise<void> {
  return new Promise((res) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(data));
    s.on('data', () => {});
    s.on('close', () => res());
    s.on('error', () => res());
    s.setTimeout(5000, () => s.destroy());
  });
}

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';
const ATTACKER = '203.0.113.66';
function get(path: string, o: { ua?: string; method?: string; from?: string; user?: string } = {}) {
  const method = o.method ?? 'GET';
  // A Basic-auth user name is logged as $remote_user, inside the line before the date.
  const auth = o.user === undefined ? '' : `Authorization: Basic ${Buffer.from(`${o.user}:pw`).toString('base64')}\r\n`;
  return raw(
    `${method} ${path} HTTP/1.1\r\nHost: app.example.com\r\nUser-Agent: ${o.ua ?? BROWSER}\r\nX-Forwarded-For: ${o.from ?? ATTACKER}\r\n` +
      `${auth}Connection: close\r\n${method === 'POST' ? 'Content-Length: 0\r\n' : ''}\r\n`,
  );
}

/**
 * User names a scanner can send to hide the date from a filter that takes the first "[" for it. Basic
 * auth ends the name at the first ":", so a whole date (it has colons) can never be inside one; a
 * quote is written escaped (\x22).
 */
const DODGES = ['x[y', 'a [01/Jan/2024', 'z] "GET / HTTP/1.1" 200 [', '[[['];

const lines = (f: string) => readFileSync(f, 'utf8').split('\n').filter(Boolean);
const sections: Record<'normalAccess' | 'attackAccess' | 'normalError' | 'attackError', string[]> = { normalAccess: [], attackAccess: [], normalError: [], attackError: [] };

beforeAll(async () => {
  await startNginx();
  const access = join(logs, NGINX_ACCESS_LOG);
  const error = join(logs, NGINX_ERROR_LOG);
  const mark = () => [lines(access).length, lines(error).length] as const;
  const since = (m: readonly [number, number]) => [lines(access).slice(m[0]), lines(error).slice(m[1])] as const;

  // Normal traffic from visitors (198.51.100.x): pages, API calls, a lost visitor's 404s, search
  // engines, libraries, an ACME challenge, a PHP page the app really serves, requests Nginx only
  // delays, and dry-run "rejections" that reject nothing.
  let m = mark();
  const v = (n: number) => `198.51.100.${n}`;
  await get('/', { from: v(1) });
  await get('/static/app.9f3c1e.js', { from: v(1) });
  await get('/api/users?id=1&sort=name', { from: v(1) });
  await get('/api/orders', { ua: 'python-requests/2.31.0', from: v(2) });
  await get('/api/login', { ua: 'okhttp/4.12.0', method: 'POST', from: v(2) });
  await get('/favicon.ico', { from: v(1) });
  await get('/robots.txt', { ua: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', from: v(3) });
  await get('/.well-known/acme-challenge/Xk3v9', { ua: 'Mozilla/5.0 (compatible; Let\'s Encrypt validation server; +https://www.letsencrypt.org)', from: v(4) });
  await get('/index.php', { from: v(5) });
  await get('/wp-login.php', { from: v(5) });
  await get('/products/environment-friendly-bag', { from: v(5) });
  await get('/docs/envelope.pdf', { ua: 'curl/8.5.0', from: v(6) });
  await get('/login', { from: v(7) });
  await Promise.all(Array.from({ length: 4 }, () => get('/api/burst', { from: v(8) })));
  for (let i = 0; i < 3; i++) await get('/trial', { from: v(9) });
  await raw('');
  await new Promise((r) => setTimeout(r, 300));
  [sections.normalAccess, sections.normalError] = since(m);

  // Attacks from 203.0.113.66 (127.0.0.1 where the request is too broken for a header to count):
  // probes, attack tools, TLS and CONNECT on the HTTP port, traversal, rate-limit rejections.
  m = mark();
  await get('/.env');
  await get('/api/.env');
  await get('/.git/config');
  await get('/wp-admin/setup-config.php');
  await get('/xmlrpc.php', { method: 'POST' });
  await get('/phpmyadmin/index.php');
  await get('/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php');
  await get('/cgi-bin/luci/;stok=/locale');
  await get('/backup.sql');
  await get('/.env', { user: DODGES[0] });
  await get('/.git/config', { user: DODGES[1] });
  await get('/wp-login.php.bak', { user: DODGES[2] });
  await get('/phpinfo.php', { user: DODGES[3] });
  await get('/', { ua: 'sqlmap/1.7.2#stable (https://sqlmap.org)' });
  await get('/api/users', { ua: 'Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000003)' });
  await get('/', { ua: 'Mozilla/5.0 zgrab/0.x' });
  await raw(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xf7, 0x01, 0x00, 0x00, 0xf3, 0x03, 0x03, 0x0a, 0x0d, 0x0a, 0x0d, 0x0a]));
  await raw('CONNECT www.example.org:443 HTTP/1.1\r\nHost: www.example.org:443\r\n\r\n');
  await raw(`GET /../../../../etc/passwd HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: ${ATTACKER}\r\nConnection: close\r\n\r\n`);
  for (let i = 0; i < 6; i++) await get('/login');
  // Two downloads at once from one address: the second is over limit_conn.
  await Promise.all([get('/big'), new Promise((r) => setTimeout(r, 150)).then(() => get('/big'))]);
  await new Promise((r) => setTimeout(r, 300));
  [sections.attackAccess, sections.attackError] = since(m);
}, 120_000);

afterAll(() => {
  nginx?.kill('SIGQUIT');
});

/** fail2ban-regex with `-o ip`: one line per failure, the address fail2ban would ban. */
function failures(logLines: string[], filter: string, configDir?: string): string[] {
  const f = join(work, `regex-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(f, `${logLines.join('\n')}\n`);
  const r = spawnSync('fail2ban-regex', [...(configDir ? ['-c', configDir] : []), '-o', 'ip', f, filter], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).not.toMatch(/ERROR|Traceback/);
  return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

describe('fail2ban-regex on lines a real Nginx wrote in our format', () => {
  let dir = '';
  beforeAll(() => {
    dir = configDir(HOSTS['ufw, sshd in the journal (Debian 12)']!);
  });
  const filter = (rel: string) => join(dir, rel.replace(/^\/etc\/fail2ban\//, ''));

  it('the access log is in NGINX_LOG_FORMAT and the error log has Nginx\'s own limit messages', () => {
    expect(sections.normalAccess.length).toBe(20);
    for (const l of [...sections.normalAccess, ...sections.attackAccess]) {
      expect(l).toMatch(/^[\d.]+ - .+ \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "[^"]*" \d{3} \d+ "[^"]*" "[^"]*" rt=[\d.]+ urt="[^"]*" host="[^"]*"$/);
    }
    // Nginx writes the Basic-auth user names as sent, brackets and all; a quote only escaped.
    expect(sections.attackAccess.filter((l) => / - x\[y \[/.test(l))).toHaveLength(1);
    expect(sections.attackAccess.filter((l) => l.includes(' - a [01/Jan/2024 ['))).toHaveLength(1);
    expect(sections.attackAccess.filter((l) => l.includes(' - z] \\x22GET / HTTP/1.1\\x22 200 [ ['))).toHaveLength(1);
    expect(sections.attackError.filter((l) => /limiting requests, excess: [\d.]+ by zone "login", client: 203\.0\.113\.66,/.test(l)).length).toBe(4);
    expect(sections.attackError.filter((l) => /limiting connections by zone "addr", client: 203\.0\.113\.66,/.test(l)).length).toBe(1);
    expect(sections.attackAccess.filter((l) => new RegExp(`"GET /login HTTP/1\\.1" ${RATE_LIMIT_STATUS} `).test(l)).length).toBe(4);
    // What must not count: requests only delayed, and dry-run "rejections".
    expect(sections.normalError.some((l) => /delaying request/.test(l))).toBe(true);
    expect(sections.normalError.some((l) => /limiting requests, dry run/.test(l))).toBe(true);
  });

  it('the scan filter catches every probe, attack tool, TLS/CONNECT junk and traversal, and no visitor', () => {
    const scans = sections.attackAccess.filter((l) => !/"GET \/(?:login|big) HTTP/.test(l));
    expect(scans.length).toBe(19);
    const hits = failures(sections.attackAccess, filter(F2B.scanFilter));
    expect(hits.length).toBe(scans.length);
    expect(new Set(hits)).toEqual(new Set([ATTACKER, '127.0.0.1']));
    expect(failures(sections.normalAccess, filter(F2B.scanFilter))).toEqual([]);
  });

  it('the limit filter counts each rejection (limit_req and limit_conn), never a delay or a dry run', () => {
    const hits = failures(sections.attackError, filter(F2B.limitFilter));
    expect(hits).toEqual(Array(5).fill(ATTACKER));
    expect(failures(sections.normalError, filter(F2B.limitFilter))).toEqual([]);
  });

  it('a user name with "[" (or the start of a date) in the Basic-auth header does not hide the line', () => {
    const dodges = sections.attackAccess.filter((l) => !/^[\d.]+ - - \[/.test(l));
    expect(dodges).toHaveLength(DODGES.length);
    expect(failures(dodges, filter(F2B.scanFilter))).toEqual(Array(DODGES.length).fill(ATTACKER));
  });

  it('bans the client that sent the line, whatever address it writes into its request', () => {
    const decoy = '198.51.100.7 - - [01/May/2024:12:00:00 +0000] "GET /.env HTTP/1.1" 404 0 "-" "sqlmap"';
    const forged = [
      sections.attackAccess[0]!.replace('GET /.env ', `GET /.env?x=${encodeURIComponent(decoy)} `),
      sections.normalAccess[0]!.replace(/^198\.51\.100\.1/, ATTACKER).replace(BROWSER, decoy.replace(/"/g, '\\x22')),
    ];
    expect(failures(forged, filter(F2B.scanFilter))).toEqual([ATTACKER, ATTACKER]);
  });
});

// ---- sshd (OpenSSH 9.2, Debian 12) as the journal shows it ----

const SSH_ATTACK = [
  'Failed password for root from 203.0.113.66 port 52344 ssh2',
  'Failed password for invalid user admin from 203.0.113.66 port 52346 ssh2',
  'Invalid user admin from 203.0.113.66 port 52346',
  'error: maximum authentication attempts exceeded for root from 203.0.113.66 port 52360 ssh2 [preauth]',
  'Disconnected from authenticating user root 203.0.113.66 port 52350 [preauth]',
  'Disconnected from invalid user oracle 203.0.113.66 port 52352 [preauth]',
  'Unable to negotiate with 203.0.113.66 port 52362: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1,diffie-hellman-group14-sha1 [preauth]',
  'Received disconnect from 203.0.113.66 port 52364:14: No supported authentication methods available [preauth]',
];
const SSH_NORMAL = [
  'Server listening on 0.0.0.0 port 2222.',
  'Server listening on :: port 2222.',
  'Accepted publickey for deploy from 198.51.100.7 port 50122 ssh2: ED25519 SHA256:3f1mJ0t4v1n0eU9oZ0p2bXlW8yQdK7a5cR1sT6uV8wE',
  'pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)',
  'Received disconnect from 198.51.100.7 port 50122:11: disconnected by user',
  'Disconnected from user deploy 198.51.100.7 port 50122',
  'pam_unix(sshd:session): session closed for user deploy',
  'Connection closed by 198.51.100.9 port 40000 [preauth]',
  'Accepted password for ops from 198.51.100.8 port 50200 ssh2',
  // PAM's line precedes every "Failed password" and is only a helper, so one wrong password counts once.
  'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.66  user=root',
];

function journalLines(msgs: string[], start = 1000): string[] {
  // `journalctl -o short` (and fail2ban's systemd backend) render entries the way syslog does.
  return msgs.map((m, i) => `Nov 23 07:16:${String(10 + i).padStart(2, '0')} web-1 sshd[${start + i}]: ${m}`);
}

describe('fail2ban-regex: the sshd jail\'s filter (mode = extra) on OpenSSH 9.2 lines', () => {
  let dir = '';
  beforeAll(() => {
    dir = configDir(HOSTS['ufw, sshd in the journal (Debian 12)']!);
  });

  it('counts failed passwords, invalid users, key-only probes and scanners', () => {
    expect(failures(journalLines(SSH_ATTACK), 'sshd[mode=extra]', dir)).toEqual(Array(SSH_ATTACK.length).fill('203.0.113.66'));
  });

  it('does not count logins, logouts or a health check that only opens the port', () => {
    expect(failures(journalLines(SSH_NORMAL), 'sshd[mode=extra]', dir)).toEqual([]);
  });
});

// ---- the same filters on what the generated Nginx config itself logs ----

describe('fail2ban-regex on the logs of the generated Nginx config (Debian 12 nginx 1.22, behind a trusted proxy)', () => {
  const ns = new NetNs();
  let root = '';
  let plan: Plan;
  let dir = '';
  const client = (n: number) => `203.0.113.${n}`;

  async function probe(o: Record<string, unknown>): Promise<{ status?: number; statuses?: (number | string)[] }> {
    const r = await ns.runAsync([process.execPath, join(import.meta.dirname, 'fixtures', 'http-probe.mjs'), JSON.stringify({ port: 80, host: 'shop.example.com', ...o })], { timeoutMs: 60_000 });
    if (r.exitCode !== 0) throw new Error(`probe failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }
  const logFile = (name: string) => join(root, CONTAINER.nginxLogs.slice(1), name);

  beforeAll(async () => {
    plan = buildPlan(
      AnswersSchema.parse({
        project: 'shop', domain: 'shop.example.com', tls: 'none', app: { image: 'ghcr.io/example/api:1.0.0' },
        images: { nginx: 'nginx:1.22.1' }, nginx: { realIp: { from: ['127.0.0.1/32'] } },
      }),
      makeFacts({ ramMiB: 7680, cores: 4, sshPorts: [2222] }),
    );
    dir = configDir(HOSTS['ufw, sshd in the journal (Debian 12)']!, plan);
    root = await debianChroot('bookworm');
    stageNginx(root, plan);
    for (const f of [NGINX_ACCESS_LOG, NGINX_ERROR_LOG]) writeFileSync(logFile(f), '');
    await ns.start();
    // Docker's embedded DNS as Nginx asks it (resolver 127.0.0.11, #21): `app` is the stand-in app here.
    const records = join(mkdtempSync(join(tmpdir(), 'sw-dns-')), 'records.json');
    writeFileSync(records, JSON.stringify({ app: ['127.0.0.1'] }));
    const dns = ns.spawn([process.execPath, join(import.meta.dirname, 'fixtures', 'dns-server.mjs'), '127.0.0.11', '53', records]);
    await waitFor('the DNS server', () => (dns.output().includes('dns listening') ? true : undefined));
    const app = ns.spawn([process.execPath, join(import.meta.dirname, 'fixtures', 'fake-app.mjs'), String(plan.app.port)]);
    await waitFor('the stand-in app', () => (app.output().includes('listening') ? true : undefined));
    const nginx = ns.spawn(['chroot', root, 'nginx', '-g', 'daemon off;']);
    await waitFor('nginx', async () => {
      if (nginx.exitCode !== null) throw new Stop(`nginx exited ${nginx.exitCode}: ${nginx.output()}`);
      return (await probe({ host: '127.0.0.1', path: NGINX_HEALTH_PATH })).status === 200 ? true : undefined;
    });
  }, 300_000);
  afterAll(async () => {
    await ns.stop();
    // The chroot is shared with the Nginx tests: leave no log lines of ours behind.
    for (const f of [NGINX_ACCESS_LOG, NGINX_ERROR_LOG]) rmSync(logFile(f), { force: true });
  });

  it('counts the login flood (limit_req rejections in error.log) and the probes, and no visitor', async () => {
    // Visitors: pages and API calls at a human pace.
    for (const [i, path] of ['/', '/api/ping', '/api/orders?page=2', '/favicon.ico'].entries()) {
      expect((await probe({ path, headers: { 'X-Forwarded-For': client(10 + i) } })).status).toBe(200);
    }
    // One address hammers the login, another probes for secrets and announces its tool.
    const flood = await probe({ method: 'POST', path: '/api/login', body: 'u=a&p=b', count: 15, headers: { 'X-Forwarded-For': client(66), 'Content-Type': 'application/x-www-form-urlencoded' } });
    const rejected = flood.statuses!.filter((x) => x === RATE_LIMIT_STATUS).length;
    expect(rejected).toBeGreaterThanOrEqual(5);
    for (const path of ['/.env', '/.git/config']) expect((await probe({ path, headers: { 'X-Forwarded-For': client(77) } })).status).toBe(403);
    await probe({ path: '/api/users?id=1%27%20OR%201=1', headers: { 'X-Forwarded-For': client(77), 'User-Agent': 'sqlmap/1.7.2#stable (https://sqlmap.org)' } });

    const access = lines(logFile(NGINX_ACCESS_LOG));
    const errors = lines(logFile(NGINX_ERROR_LOG));
    expect(errors.filter((l) => /limiting requests, excess: [\d.]+ by zone "\w+", client: 203\.0\.113\.66,/.test(l)).length).toBe(rejected);
    const f = (rel: string) => join(dir, rel.replace(/^\/etc\/fail2ban\//, ''));
    expect(failures(errors, f(F2B.limitFilter))).toEqual(Array(rejected).fill(client(66)));
    expect(failures(access, f(F2B.scanFilter))).toEqual([client(77), client(77), client(77)]);
  });
});
