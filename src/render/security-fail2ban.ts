// fail2ban's configuration for the stack, as pure text: the jails (sshd, Nginx rate-limit
// rejections, Nginx scans and bad bots, recidive), the filters for the log format our Nginx writes,
// and a ban action that reaches Docker-published ports too. Installed into /etc/fail2ban.
import type { Plan } from '../domain/plan.js';
import { parseCidr } from '../domain/ip.js';
import { NGINX_ACCESS_LOG, NGINX_ERROR_LOG } from './nginx-log.js';
import { HOST } from './paths.js';
import { SYS, UFW_LOCK } from '../domain/host-paths.js';
import type { Fail2banHost, SshLog } from '../domain/fail2ban.js';
import { hostFile, type HostFile } from './host-file.js';
import { fail2banLogpath } from './format/quote.js';

const D = SYS.fail2banDir;
export const F2B = {
  jail: `${D}/jail.d/stack-wizard.local`,
  limitFilter: `${D}/filter.d/stack-wizard-nginx-limit.conf`,
  scanFilter: `${D}/filter.d/stack-wizard-nginx-scan.conf`,
  ufwAction: `${D}/action.d/stack-wizard-ufw.conf`,
  daemon: `${D}/fail2ban.d/stack-wizard.local`,
} as const;

export const JAILS = { sshd: 'sshd', limit: 'stack-wizard-nginx-limit', scan: 'stack-wizard-nginx-scan', recidive: 'recidive' } as const;

/** How long and after how many failures. Each line: the reason for the number. */
export const POLICY = {
  // Five wrong passwords in ten minutes is not a typo; an hour stops a brute force without locking a colleague out for a day.
  sshd: { maxretry: 5, findtime: '10m', bantime: '1h' },
  // Ten rejections in a minute: the client keeps hammering after Nginx already said 429; a normal burst gets at most a few.
  limit: { maxretry: 10, findtime: '1m', bantime: '30m' },
  // Three probes for files no app of ours serves (/.env, wp-login.php, …) is a scanner, not a lost visitor.
  scan: { maxretry: 3, findtime: '10m', bantime: '1d' },
  // Banned three times in a day by any jail: keep it out for a week.
  recidive: { maxretry: 3, findtime: '1d', bantime: '1w' },
} as const;

/** Addresses never banned: loopback, the operator's current address(es), and security.ignoreIp; deduplicated, in order. */
export function ignoreIps(plan: Plan, operators: readonly string[]): string[] {
  const out = ['127.0.0.1/8', '::1'];
  for (const a of [...operators, ...plan.security.ignoreIp]) {
    if (a && parseCidr(a) && !out.includes(a)) out.push(a);
  }
  return out;
}

const header = (plan: Plan, what: string) =>
  `# ${what}\n# Written by stack-wizard for "${plan.project}"; \`stack-wizard security apply\` rewrites it.\n`;

export function renderJails(plan: Plan, host: Fail2banHost): string {
  const logs = `${plan.installDir}/${HOST.nginxLogs}`;
  const webPorts = [...new Set([plan.ports.http, plan.ports.https])].join(',');
  const backend = (log: SshLog) => (log.backend === 'systemd' ? ['backend = systemd'] : ['backend = auto', `logpath = ${fail2banLogpath(log.path)}`]);
  const lines = [
    header(plan, 'fail2ban jails for the stack. Put your own changes in another jail.d/*.local file.'),
    '[DEFAULT]',
    '# Never banned: loopback, the operator\'s address when this was applied, and security.ignoreIp.',
    `ignoreip = ${ignoreIps(plan, host.operatorAddresses).join(' ')}`,
  ];
  if (host.banWith === 'ufw') {
    lines.push(
      '# Bans go into ufw: a rule for the host\'s own services and a route rule that the DOCKER-USER',
      '# block in /etc/ufw/after.rules checks first, so Docker-published ports are closed to the address too.',
      'banaction = stack-wizard-ufw',
      'banaction_allports = stack-wizard-ufw',
    );
  } else if (host.banWith === 'firewalld') {
    lines.push(
      '# firewalld runs this host\'s firewall: bans go in as its rich rules (Docker-published ports are not covered).',
      'banaction = firewallcmd-allports',
      'banaction_allports = firewallcmd-allports',
    );
  } else if (host.banWith === 'nftables') {
    lines.push(
      '# No iptables command: bans go into nftables (INPUT only: Docker-published ports are not covered).',
      'banaction = nftables-allports',
      'banaction_allports = nftables-allports',
    );
  } else {
    lines.push('banaction = iptables-allports', 'banaction_allports = iptables-allports');
    if (host.dockerUser) {
      lines.push(
        '# Docker-published ports are reached through FORWARD, never INPUT: ban in DOCKER-USER as well.',
        'action = %(action_)s',
        '         iptables-allports[actname=docker, name=%(__name__)s-docker, chain=DOCKER-USER]',
      );
    }
  }
  const jail = (name: string, body: string[]) => lines.push('', `[${name}]`, 'enabled = true', ...body);
  jail(JAILS.sshd, [
    `port = ${plan.security.sshPorts.join(',')}`,
    ...(host.sshLog.backend === 'systemd'
      ? ['# sshd logs to the journal (a fresh Debian 12 has no /var/log/auth.log, and the stock jail fails there).', 'backend = systemd']
      : ['backend = auto', `logpath = ${fail2banLogpath(host.sshLog.path)}`]),
    '# extra: also key-only probes ("Disconnected from authenticating user … [preauth]") and algorithm scanners.',
    'mode = extra',
    `maxretry = ${POLICY.sshd.maxretry}`,
    `findtime = ${POLICY.sshd.findtime}`,
    `bantime = ${POLICY.sshd.bantime}`,
  ]);
  jail(JAILS.limit, [
    `port = ${webPorts}`,
    `filter = ${JAILS.limit}`,
    'backend = auto',
    `logpath = ${fail2banLogpath(`${logs}/${NGINX_ERROR_LOG}`)}`,
    `maxretry = ${POLICY.limit.maxretry}`,
    `findtime = ${POLICY.limit.findtime}`,
    `bantime = ${POLICY.limit.bantime}`,
  ]);
  jail(JAILS.scan, [
    `port = ${webPorts}`,
    `filter = ${JAILS.scan}`,
    'backend = auto',
    `logpath = ${fail2banLogpath(`${logs}/${NGINX_ACCESS_LOG}`)}`,
    `maxretry = ${POLICY.scan.maxretry}`,
    `findtime = ${POLICY.scan.findtime}`,
    `bantime = ${POLICY.scan.bantime}`,
  ]);
  jail(JAILS.recidive, [
    ...backend(host.fail2banLog),
    ...(host.fail2banLog.backend === 'systemd' ? ['journalmatch = _SYSTEMD_UNIT=fail2ban.service'] : []),
    `maxretry = ${POLICY.recidive.maxretry}`,
    `findtime = ${POLICY.recidive.findtime}`,
    `bantime = ${POLICY.recidive.bantime}`,
  ]);
  return `${lines.join('\n')}\n`;
}

/** Nginx's own limit_req / limit_conn rejections, from its error log (a "delaying" line is a burst being smoothed, not a rejection). */
export function renderLimitFilter(plan: Plan): string {
  return `${header(plan, `Nginx rate-limit rejections, from ${HOST.nginxLogs}/${NGINX_ERROR_LOG}.`)}
[Definition]
# 2024/05/01 12:00:00 [error] 29#29: *7 limiting requests, excess: 10.520 by zone "login", client: 203.0.113.5, server: …
# 2024/05/01 12:00:00 [error] 29#29: *9 limiting connections by zone "addr", client: 203.0.113.5, server: …
# Dry-run lines ("limiting requests, dry run, …") reject nothing and do not match.
failregex = ^\\s*\\[[a-z]+\\] \\d+#\\d+: \\*\\d+ limiting (?:requests, excess: [\\d.]+|connections) by zone "[^"]+", client: <HOST>,
ignoreregex =
datepattern = {^LN-BEG}%%Y/%%m/%%d %%H:%%M:%%S
`;
}

// Paths no app of ours serves, asked for by scanners. Matched at the start of a path segment.
const PROBES = [
  String.raw`\.(?:env|git|svn|hg|bzr|aws|ssh|DS_Store|htpasswd|htaccess|vscode)\b`,
  String.raw`wp-(?:login|signup|config|cron|trackback)\.php`,
  String.raw`wp-(?:admin|content|includes)/`,
  String.raw`xmlrpc\.php`,
  String.raw`(?i:phpmyadmin|myadmin|mysqladmin|pma|adminer)(?:[/.]|[^"]*\.php)`,
  String.raw`(?:phpinfo|eval-stdin|shell|wso|c99|r57)\.php`,
  String.raw`vendor/phpunit/`,
  String.raw`cgi-bin/`,
  String.raw`boaform/`,
  String.raw`HNAP1\b`,
  String.raw`(?:backup|dump|db|database|site)\.(?:sql|zip|tar\.gz|tgz|rar)\b`,
];

// Attack tools that say who they are; browsers, search engines and HTTP libraries do not match.
const BAD_AGENTS = [
  'sqlmap', 'nikto', 'masscan', 'zgrab', 'Nmap Scripting Engine', 'nuclei', 'WPScan', 'ZmEu', 'Morfeus', 'DirBuster',
  'gobuster', 'dirsearch', 'Fuzz Faster U Fool', 'Hydra', 'Jorgee', 'w3af', 'Acunetix', 'Netsparker', 'Havij', 'OpenVAS',
];

/**
 * Scanners and bad bots, from the access log in NGINX_LOG_FORMAT. The client address is the line's
 * first field, so nothing a client sends (path, user agent) can make another address match. fail2ban
 * cuts the time out of "[…]" before matching, leaving "[]"; the date pattern is anchored so that a
 * "[" in the user name cannot make fail2ban miss the date and skip the line.
 */
export function renderScanFilter(plan: Plan): string {
  const lead = String.raw`^<HOST> - .*? \[\] "`;
  const probe = String.raw`(?:GET|POST|HEAD|PUT|DELETE|OPTIONS|PATCH|PROPFIND) (?:https?://[^/" ]+)?/(?:[^" ]*/)?(?:%(_probes)s)[^" ]* HTTP/[\d.]+" (?:40[0-5]|444) \d`;
  return `${header(plan, `Scanners and bad bots, from ${HOST.nginxLogs}/${NGINX_ACCESS_LOG} (the stackwizard log format).`)}
[Definition]
_probes = ${PROBES.join('|')}
_agents = ${BAD_AGENTS.join('|')}
# 203.0.113.5 - - [01/May/2024:12:00:00 +0000] "GET /.env HTTP/1.1" 404 153 "-" "Mozilla/5.0" rt=0.001 urt="-" host="example.com"
# A probe answered with 4xx (an app that really serves the path answers 200 and is left alone);
# a known attack tool's user agent; a TLS handshake sent to the HTTP port; a proxy CONNECT; ../ traversal.
failregex = ${lead}${probe}
            ${lead}[^"]*" \\d{3} \\d+ "[^"]*" "[^"]*(?i:%(_agents)s)
            ${lead}\\\\x16\\\\x03[^"]*" 400 \\d
            ${lead}CONNECT [^"]*" \\d{3} \\d
            ${lead}[A-Z]+ [^" ]*(?:\\.\\./|%%2e%%2e/|\\.\\.%%2f)[^"]*" 4\\d\\d \\d
ignoreregex =
# The date is the first "[<date>] \"" after the address: a Basic-auth user name ($remote_user, before
# it) may hold "[" but never a quote (Nginx writes \x22) nor a whole date (the name ends at ":").
datepattern = ^\\S+ - .*?\\[({DATE})\\] "
`;
}

/** ufw ban action: INPUT for the host's own services, a route rule for Docker-published ports (see the DOCKER-USER block). */
export function renderUfwAction(plan: Plan): string {
  const ufw = `flock -w 60 ${UFW_LOCK} ufw`;
  return `${header(plan, 'Ban action for ufw that also closes Docker-published ports.')}
# "ufw prepend" puts the ban before the allow rules; the route rule is what the DOCKER-USER block in
# /etc/ufw/after.rules consults, since traffic to a container never passes INPUT. flock: fail2ban
# runs jails in parallel and ufw does not lock its own rule files.
[Definition]
actionstart =
actionstop =
actioncheck =
actionban = ${ufw} prepend <blocktype> from <ip> to any comment "fail2ban <name>"
            ${ufw} route prepend <blocktype> from <ip> to any comment "fail2ban <name>"
actionunban = ${ufw} delete <blocktype> from <ip> to any
              ${ufw} route delete <blocktype> from <ip> to any

[Init]
blocktype = reject
`;
}

/** Daemon settings: keep ban records long enough for recidive's week, and silence Debian 12's allowipv6 warning. */
export function renderDaemon(plan: Plan): string {
  return `${header(plan, 'fail2ban daemon settings.')}
[Definition]
allowipv6 = auto
# Bans are restored from the database after a restart only while their records are kept: longer than recidive's ${POLICY.recidive.bantime}.
dbpurgeage = 8d
`;
}

export interface SystemFile { path: string; content: string; mode: number }

/** fail2ban's files for the stack (absolute paths); the ufw ban action only when bans go into ufw. */
export function renderFail2ban(plan: Plan, host: Fail2banHost): SystemFile[] {
  const files: SystemFile[] = [
    { path: F2B.jail, content: renderJails(plan, host), mode: 0o644 },
    { path: F2B.limitFilter, content: renderLimitFilter(plan), mode: 0o644 },
    { path: F2B.scanFilter, content: renderScanFilter(plan), mode: 0o644 },
    { path: F2B.daemon, content: renderDaemon(plan), mode: 0o644 },
  ];
  if (host.banWith === 'ufw') files.push({ path: F2B.ufwAction, content: renderUfwAction(plan), mode: 0o644 });
  return files;
}

/** The same files as host files, against what each holds now (`old(path)`, null: absent). */
export function fail2banHostFiles(plan: Plan, host: Fail2banHost, old: (path: string) => string | null): HostFile[] {
  return renderFail2ban(plan, host).map((f) => hostFile(f.path, f.content, old(f.path), f.mode));
}
