// What the host's firewall, fail2ban, kernel settings and swap look like now. Read-only: every
// call is a query or a file read through the Executor, so status and --dry-run see the truth.
import type { Executor } from '../exec/executor.js';
import { inContainer, type HostFacts } from '../domain/facts.js';
import { ipFamily, unmapV4 } from '../domain/ip.js';
import { parseUfwAdded, type Policy, type SshSession, type UfwDefaults, type UfwRule, type UfwStatusEntry } from '../domain/firewall.js';
import type { FirewallPrograms, SshLog } from '../domain/fail2ban.js';
import { SYSCTL_KEYS, type SysctlKey } from '../domain/host-tuning.js';
import { SYS, hostPath } from '../domain/host-paths.js';

/** The Executor reports a program that could not be started as exit 127, as a shell would. */
const missing = (r: { exitCode: number }) => r.exitCode === 127;

// ---- ufw ----

const POLICY: Record<string, Policy> = { ACCEPT: 'allow', DROP: 'deny', REJECT: 'reject' };

/** /etc/default/ufw → default policies and whether IPv6 rules are managed. */
export function parseUfwDefaults(text: string): UfwDefaults {
  const get = (k: string) => new RegExp(`^\\s*${k}\\s*=\\s*"?([A-Za-z]+)"?`, 'm').exec(text)?.[1];
  return {
    incoming: POLICY[(get('DEFAULT_INPUT_POLICY') ?? 'DROP').toUpperCase()] ?? 'deny',
    outgoing: POLICY[(get('DEFAULT_OUTPUT_POLICY') ?? 'ACCEPT').toUpperCase()] ?? 'allow',
    routed: POLICY[(get('DEFAULT_FORWARD_POLICY') ?? 'DROP').toUpperCase()] ?? 'deny',
    ipv6: /^yes$/i.test(get('IPV6') ?? 'yes'),
  };
}

export interface UfwStatus { active: boolean; entries: UfwStatusEntry[] }

/** `ufw status` / `ufw status verbose` → whether it is active and the live rule table. */
export function parseUfwStatus(text: string): UfwStatus {
  const active = /^Status:\s*active\b/m.test(text);
  const entries: UfwStatusEntry[] = [];
  let inTable = false;
  for (const line of text.split('\n')) {
    if (/^--\s+-+\s+-+/.test(line.trim())) {
      inTable = true;
      continue;
    }
    if (!inTable || !line.trim()) continue;
    const m = /^(.+?)\s{2,}(ALLOW|DENY|REJECT|LIMIT)(?: (IN|OUT|FWD))?\s+(.+?)(?:\s+# (.*))?$/.exec(line.trim());
    if (!m) continue;
    const to = m[1]!.trim();
    const from = m[4]!.trim();
    entries.push({ to, action: m[2]!, direction: m[3] ?? null, from, v6: /\(v6\)/.test(to) || /\(v6\)/.test(from) || from.includes(':'), comment: m[5] ?? null });
  }
  return { active, entries };
}

export interface UfwState {
  installed: boolean;
  /** False when ufw could not be asked (not root): the rest is then unknown. */
  readable: boolean;
  active: boolean;
  defaults: UfwDefaults;
  defaultsText: string | null;
  rules: UfwRule[];
  entries: UfwStatusEntry[];
  afterRules: string | null;
  after6Rules: string | null;
}

/** ufw's state and the files of its that the firewall step edits (under `root`, the host root). */
export async function readUfw(exec: Executor, root = ''): Promise<UfwState> {
  const [status, added, defaultsText, afterRules, after6Rules] = await Promise.all([
    exec.query('ufw', ['status', 'verbose'], { timeoutMs: 15_000 }),
    exec.query('ufw', ['show', 'added'], { timeoutMs: 15_000 }),
    exec.readFile(hostPath(root, SYS.ufwDefaults)).catch(() => null),
    exec.readFile(hostPath(root, SYS.afterRules)).catch(() => null),
    exec.readFile(hostPath(root, SYS.after6Rules)).catch(() => null),
  ]);
  const installed = !missing(status);
  const readable = installed && status.exitCode === 0 && added.exitCode === 0;
  const st = parseUfwStatus(status.stdout);
  return {
    installed,
    readable,
    active: readable && st.active,
    defaults: parseUfwDefaults(defaultsText ?? ''),
    defaultsText,
    rules: readable ? parseUfwAdded(added.stdout) : [],
    entries: st.entries,
    afterRules,
    after6Rules,
  };
}

// ---- fail2ban ----

export interface JailStatus { name: string; currentlyFailed: number; currentlyBanned: number; totalBanned: number; bannedIps: string[] }

/** `fail2ban-client status` → the jail names. */
export function parseJailList(text: string): string[] {
  const m = /Jail list:\s*(.*)$/m.exec(text);
  return m ? m[1]!.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

/** `fail2ban-client status <jail>` → its counters and banned addresses. */
export function parseJailStatus(name: string, text: string): JailStatus {
  const num = (label: string) => Number(new RegExp(`${label}:\\s*(\\d+)`).exec(text)?.[1] ?? 0);
  const ips = /Banned IP list:\s*(.*)$/m.exec(text)?.[1]?.trim() ?? '';
  return {
    name,
    currentlyFailed: num('Currently failed'),
    currentlyBanned: num('Currently banned'),
    totalBanned: num('Total banned'),
    bannedIps: ips ? ips.split(/\s+/) : [],
  };
}

export interface Fail2banState { installed: boolean; running: boolean; jails: JailStatus[] }

export async function readFail2ban(exec: Executor): Promise<Fail2banState> {
  const ping = await exec.query('fail2ban-client', ['ping'], { timeoutMs: 10_000 });
  const installed = !missing(ping);
  const running = installed && ping.exitCode === 0 && /pong/.test(ping.stdout);
  if (!running) return { installed, running, jails: [] };
  const list = parseJailList((await exec.query('fail2ban-client', ['status'], { timeoutMs: 10_000 })).stdout);
  const jails = await Promise.all(
    list.map(async (j) => parseJailStatus(j, (await exec.query('fail2ban-client', ['status', j], { timeoutMs: 10_000 })).stdout)),
  );
  return { installed, running, jails };
}

/** logtarget from fail2ban.conf and its .local / fail2ban.d overrides (the last one read wins, as fail2ban does). */
export function parseLogTarget(texts: readonly string[]): string {
  let target = '/var/log/fail2ban.log';
  for (const t of texts) {
    let inDefinition = false;
    for (const line of t.split('\n')) {
      const sec = /^\s*\[([^\]]+)\]/.exec(line);
      if (sec) inDefinition = sec[1] === 'Definition' || sec[1] === 'DEFAULT';
      const m = /^\s*logtarget\s*=\s*(\S+)/.exec(line);
      if (m && inDefinition) target = m[1]!;
    }
  }
  return target;
}

export async function fail2banLog(exec: Executor, root = ''): Promise<SshLog> {
  const dir = hostPath(root, SYS.fail2banDir);
  const extra = (await exec.listDir(`${dir}/fail2ban.d`)).filter((n) => n.endsWith('.conf') || n.endsWith('.local'));
  const order = ['fail2ban.conf', ...extra.filter((n) => n.endsWith('.conf')).map((n) => `fail2ban.d/${n}`), 'fail2ban.local', ...extra.filter((n) => n.endsWith('.local')).map((n) => `fail2ban.d/${n}`)];
  const texts = (await Promise.all(order.map((f) => exec.readFile(`${dir}/${f}`).catch(() => null)))).filter((t): t is string => t !== null);
  const target = parseLogTarget(texts);
  return target.startsWith('/') ? { backend: 'file', path: target } : { backend: 'systemd' };
}

/**
 * Where sshd's log lines are. On a systemd host the journal always has them (rsyslog only copies
 * them into auth.log), so it is the one source that works with and without rsyslog.
 */
export async function sshLogSource(exec: Executor, facts: HostFacts): Promise<SshLog> {
  const journal = facts.systemd && ((await exec.exists('/usr/bin/journalctl')) || (await exec.exists('/bin/journalctl')));
  if (journal) return { backend: 'systemd' };
  for (const p of ['/var/log/auth.log', '/var/log/secure']) if (await exec.exists(p)) return { backend: 'file', path: p };
  return { backend: 'file', path: '/var/log/auth.log' };
}

// ---- SSH sessions ----

/** `ss -Htnp state established` → connections whose local end belongs to sshd: who is logged in, on which port. */
export function parseSshSessions(text: string): SshSession[] {
  return parseSshConnections(text).map(({ address, port }) => ({ address, port }));
}

/** The same connections with the sshd processes that hold each one (from ss's users:(…) column). */
export function parseSshConnections(text: string): (SshSession & { pids: number[] })[] {
  const out: (SshSession & { pids: number[] })[] = [];
  const split = (ep: string) => {
    const i = ep.lastIndexOf(':');
    return { addr: ep.slice(0, i).replace(/^\[|\]$/g, '').replace(/%\S+$/, ''), port: Number(ep.slice(i + 1)) };
  };
  for (const line of text.split('\n')) {
    if (!/users:\(\("sshd(?:-session)?"/.test(line)) continue;
    const cols = line.trim().split(/\s+/);
    // With a state filter ss omits the State column: Recv-Q Send-Q Local Peer Process.
    const eps = cols.filter((c) => /:\d+$/.test(c));
    if (eps.length < 2) continue;
    const local = split(eps[0]!);
    const peer = split(eps[1]!);
    if (!Number.isInteger(local.port) || !ipFamily(peer.addr)) continue;
    out.push({ address: unmapV4(peer.addr), port: local.port, pids: [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])) });
  }
  return out;
}

/**
 * Whether an sshd process serves a logged-in user: after authentication OpenSSH names its session
 * process "sshd: alice@pts/0" (or "@notty"; "sshd-session: …" since 9.8). Before it, "[priv]",
 * "[preauth]", "[net]" or "[accepted]": a connection that may be a brute force in progress.
 */
export const loggedInTitle = (cmdline: string) => /^sshd(?:-session)?: \S+@\S+/.test(cmdline.replace(/\0/g, ' ').trim());

export interface OperatorAddresses { addresses: string[]; source: 'ssh-connection' | 'ss' | 'none' }

/**
 * Where the operator comes from, for fail2ban's ignoreip: SSH_CONNECTION when the environment has it;
 * under sudo (which drops it) the peers of the SSH sessions open now whose user is logged in. A
 * connection still authenticating is never counted: it could be the attacker fail2ban is for.
 */
export async function operatorAddresses(exec: Executor, facts: HostFacts): Promise<OperatorAddresses> {
  if (facts.session.sshClientAddress) return { addresses: [unmapV4(facts.session.sshClientAddress)], source: 'ssh-connection' };
  const r = await exec.query('ss', ['-Htnp', 'state', 'established'], { timeoutMs: 5000 });
  if (r.exitCode !== 0) return { addresses: [], source: 'none' };
  const out: string[] = [];
  for (const c of parseSshConnections(r.stdout)) {
    if (out.includes(c.address)) continue;
    const titles = await Promise.all(c.pids.map((pid) => exec.readFile(`/proc/${pid}/cmdline`).catch(() => null)));
    if (titles.some((t) => t !== null && loggedInTitle(t))) out.push(c.address);
  }
  return { addresses: out, source: out.length ? 'ss' : 'none' };
}

/** The operator's session from SSH_CONNECTION plus every established sshd connection (sudo drops SSH_CONNECTION). */
export async function sshSessions(exec: Executor, facts: HostFacts): Promise<SshSession[]> {
  const out: SshSession[] = [];
  const add = (s: SshSession) => {
    if (!out.some((o) => o.address === s.address && o.port === s.port)) out.push(s);
  };
  if (facts.session.sshClientAddress && facts.session.sshServerPort) {
    add({ address: unmapV4(facts.session.sshClientAddress), port: facts.session.sshServerPort });
  }
  const r = await exec.query('ss', ['-Htnp', 'state', 'established'], { timeoutMs: 5000 });
  if (r.exitCode === 0) for (const s of parseSshSessions(r.stdout)) add(s);
  return out;
}

// ---- kernel settings, swap, packages, Docker's chain ----

/** `key = value` lines of a sysctl file. */
export function parseSysctlFile(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([\w.]+)\s*=\s*(-?\d+)\s*$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** Swap areas in use, from /proc/swaps (header line first). */
export function parseProcSwaps(text: string): { path: string; type: string; sizeKiB: number; usedKiB: number }[] {
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((c) => c.length >= 4 && c[0])
    .map((c) => ({ path: c[0]!.replace(/\\040/g, ' '), type: c[1]!, sizeKiB: Number(c[2]), usedKiB: Number(c[3]) }));
}

export interface SysctlState { values: Partial<Record<SysctlKey, number>>; writable: boolean }

/** Whether /proc/sys is mounted read-only (a container): kernel settings are then the host's to make. */
export function procSysReadOnly(mounts: string): boolean {
  return mounts.split('\n').some((l) => {
    const [, mp, , opts] = l.split(' ');
    return mp === '/proc/sys' && (opts ?? '').split(',').includes('ro');
  });
}

/** `root`: where /proc is (STACK_WIZARD_ROOT; a chroot has the host's /proc bound there). */
export async function readSysctl(exec: Executor, root = ''): Promise<SysctlState> {
  const values: Partial<Record<SysctlKey, number>> = {};
  await Promise.all(
    SYSCTL_KEYS.map(async (k) => {
      const t = await exec.readFile(`${root}/proc/sys/${k.replace(/\./g, '/')}`).catch(() => null);
      if (t !== null && /^-?\d+/.test(t.trim())) values[k] = Number(t.trim().split(/\s+/)[0]);
    }),
  );
  const mounts = (await exec.readFile(`${root}/proc/mounts`).catch(() => null)) ?? '';
  return { values, writable: !procSysReadOnly(mounts) };
}

export async function readSwaps(exec: Executor, root = '') {
  return parseProcSwaps((await exec.readFile(`${root}/proc/swaps`).catch(() => null)) ?? '');
}

// The list of container kinds is the facts' (src/domain/facts.ts).
export { inContainer };

/** Packages among `names` that dpkg does not have installed; null when this is not a dpkg system. */
export async function missingPackages(exec: Executor, names: readonly string[]): Promise<string[] | null> {
  if (names.length === 0) return [];
  const r = await exec.query('dpkg-query', ['-W', '-f', '${Package} ${db:Status-Abbrev}\n', ...names], { timeoutMs: 10_000 });
  if (missing(r)) return null;
  const ok = new Set(r.stdout.split('\n').filter((l) => /^\S+ ii/.test(l)).map((l) => l.split(' ')[0]!.split(':')[0]!));
  return names.filter((n) => !ok.has(n));
}

export interface DockerUserState { v4: string[] | null; v6: string[] | null; forwardJump: boolean }

/** The live DOCKER-USER rules (null: no such chain) and whether FORWARD jumps to it (Docker puts that in). */
export async function readDockerUser(exec: Executor): Promise<DockerUserState> {
  const [v4, v6, fwd] = await Promise.all([
    exec.query('iptables', ['-S', 'DOCKER-USER'], { timeoutMs: 10_000 }),
    exec.query('ip6tables', ['-S', 'DOCKER-USER'], { timeoutMs: 10_000 }),
    exec.query('iptables', ['-S', 'FORWARD'], { timeoutMs: 10_000 }),
  ]);
  const rules = (r: typeof v4) => (r.exitCode === 0 ? r.stdout.split('\n').filter((l) => l.startsWith('-A DOCKER-USER ')) : null);
  return { v4: rules(v4), v6: rules(v6), forwardJump: fwd.exitCode === 0 && /^-A FORWARD -j DOCKER-USER\s*$/m.test(fwd.stdout) };
}

/** Which firewall programs this host has: firewalld running (`firewall-cmd --state`), iptables and nft installed. */
export async function readFirewallPrograms(exec: Executor, ufwActive: boolean): Promise<FirewallPrograms> {
  const [fwd, ipt, nft] = await Promise.all([
    exec.query('firewall-cmd', ['--state'], { timeoutMs: 10_000 }),
    exec.query('iptables', ['--version'], { timeoutMs: 10_000 }),
    exec.query('nft', ['--version'], { timeoutMs: 10_000 }),
  ]);
  return { ufwActive, firewalld: fwd.exitCode === 0 && fwd.stdout.trim() === 'running', iptables: !missing(ipt), nft: !missing(nft) };
}
