// The firewall as policy: which ufw rules the stack wants, the rule grammar of `ufw show added`, the
// changes that turn what ufw has into what is wanted, the lock-out guard, and ufw's state against
// the plan (security status, doctor). Pure: src/host/security.ts reads ufw; the step in
// src/steps/security.ts runs the commands; the files ufw reads are src/render/security-ufw.ts.
import type { Plan } from './plan.js';
import { cidrContains, ipFamily } from './ip.js';
import { SWARM_PORTS } from './swarm.js';

/** Every rule we add carries this comment prefix, so status and later applies know their own. */
export const UFW_TAG = 'stack-wizard';

export type AllowPurpose = 'ssh' | 'http' | 'https' | 'extra';
export interface WantedAllow { port: number; purpose: AllowPurpose }

/** The only incoming TCP ports the stack opens: sshd's real ports, HTTP/HTTPS, and the operator's extras. */
export function wantedAllows(plan: Plan): WantedAllow[] {
  const out: WantedAllow[] = [];
  const add = (port: number, purpose: AllowPurpose) => {
    if (!out.some((w) => w.port === port)) out.push({ port, purpose });
  };
  for (const p of plan.security.sshPorts) add(p, 'ssh');
  add(plan.ports.http, 'http');
  add(plan.ports.https, 'https');
  for (const p of [...plan.security.extraPorts].sort((a, b) => a - b)) add(p, 'extra');
  return out;
}

/** Ports a published container may be reached on from outside (sshd runs on the host, not in Docker). */
export function publishedPorts(plan: Plan): number[] {
  return [...new Set([plan.ports.http, plan.ports.https, ...plan.security.extraPorts])].sort((a, b) => a - b);
}

export const allowArgs = (w: WantedAllow): string[] => ['allow', `${w.port}/tcp`, 'comment', `${UFW_TAG} ${w.purpose}`];

/** A port open to one address only: the Swarm ports between the cluster's nodes (#20.4). */
export interface PeerAllow { from: string; port: number; proto: 'tcp' | 'udp' }

/**
 * deploy: swarm: each Swarm port (2377/tcp, 7946/tcp+udp, 4789/udp) from each node in
 * swarm.nodes, never from anywhere. Node by node, ports in SWARM_PORTS order.
 */
export function wantedPeerAllows(plan: Plan): PeerAllow[] {
  if (!plan.swarm) return [];
  return plan.swarm.nodes.flatMap((from) => SWARM_PORTS.map((p) => ({ from, port: p.port, proto: p.proto })));
}

export const peerAllowArgs = (p: PeerAllow): string[] =>
  ['allow', 'from', p.from, 'to', 'any', 'port', String(p.port), 'proto', p.proto, 'comment', `${UFW_TAG} swarm`];

/** An existing rule that opens exactly `p`: that port and protocol, from that address alone. */
export function satisfiesPeer(rule: UfwRule, p: PeerAllow): boolean {
  return (
    !rule.route && rule.action === 'allow' && rule.direction === 'in' && !rule.iface && rule.to === 'any' &&
    rule.app === null && rule.port === String(p.port) && rule.proto === p.proto && sameAddress(rule.from, p.from)
  );
}

/** 10.0.0.5 and 10.0.0.5/32 (or an IPv6 address written another way) are one address. */
function sameAddress(a: string, b: string): boolean {
  const single = (x: string) => !x.includes('/') || /\/(?:32|128)$/.test(x);
  return single(a) && single(b) && cidrContains(a, b.replace(/\/\d+$/, ''));
}

// ---- a rule as `ufw show added` prints it ----

export type UfwAction = 'allow' | 'deny' | 'reject' | 'limit';
export interface UfwRule {
  /** The rule as `ufw show added` prints it, without the leading "ufw "; `ufw delete <text>` removes it. */
  text: string;
  route: boolean;
  action: UfwAction;
  direction: 'in' | 'out';
  /** Source address or range; "any" when absent. */
  from: string;
  to: string;
  /** Destination port spec ("80", "8000:8100", "80,443") or a service/app name; null = every port. */
  port: string | null;
  proto: string | null;
  app: string | null;
  iface: boolean;
  comment: string | null;
}

/** A ufw rule's words, quoted comments as one word: `allow 80/tcp comment 'x y'` → argv for `ufw …`. */
export function ufwTokens(line: string): string[] {
  const out: string[] = [];
  const re = /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m;
  while ((m = re.exec(line))) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** One line of `ufw show added` ("ufw allow 22/tcp comment 'x'") → a rule; null for anything else. */
export function parseUfwRule(line: string): UfwRule | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('ufw ')) return null;
  const text = trimmed.slice(4);
  const t = ufwTokens(text);
  let i = 0;
  const rule: UfwRule = { text, route: false, action: 'allow', direction: 'in', from: 'any', to: 'any', port: null, proto: null, app: null, iface: false, comment: null };
  if (t[i] === 'route') {
    rule.route = true;
    i++;
  }
  if (t[i] === 'insert' || t[i] === 'prepend') i += t[i] === 'insert' ? 2 : 1;
  const action = t[i++];
  if (action !== 'allow' && action !== 'deny' && action !== 'reject' && action !== 'limit') return null;
  rule.action = action;
  let extended = false;
  let last: 'from' | 'to' | null = null;
  while (i < t.length) {
    const k = t[i++]!;
    const v = t[i];
    if (k === 'in' || k === 'out') rule.direction = k;
    else if (k === 'on') {
      rule.iface = true;
      i++;
    } else if (k === 'log' || k === 'log-all') continue;
    else if (k === 'comment') {
      rule.comment = v ?? '';
      i++;
    } else if (k === 'proto') {
      rule.proto = v ?? null;
      extended = true;
      i++;
    } else if (k === 'from' || k === 'to') {
      if (k === 'from') rule.from = v ?? 'any';
      else rule.to = v ?? 'any';
      last = k;
      extended = true;
      i++;
    } else if (k === 'port') {
      // A port after "from" is the source port; only the destination port says what is opened.
      if (last === 'to' || last === null) rule.port = v ?? null;
      i++;
    } else if (k === 'app') {
      if (last === 'to' || last === null) rule.app = v ?? null;
      i++;
    } else if (!extended && rule.port === null && rule.app === null) {
      // Simple form: "80/tcp", "80", "ssh", or an application profile name ("OpenSSH").
      const [p, proto] = k.split('/');
      if (/^[\d:,]+$/.test(p!)) rule.port = p!;
      else if (proto) rule.port = p!;
      else rule.app = k;
      rule.proto = proto ?? null;
    }
  }
  return rule;
}

export function parseUfwAdded(text: string): UfwRule[] {
  return text.split('\n').map(parseUfwRule).filter((r): r is UfwRule => r !== null);
}

export type Policy = 'allow' | 'deny' | 'reject';
export interface UfwDefaults { incoming: Policy; outgoing: Policy; routed: Policy; ipv6: boolean }

/** One line of the live rule table (`ufw status`). */
export interface UfwStatusEntry { to: string; action: string; direction: string | null; from: string; v6: boolean; comment: string | null }

// ---- from what is there to what is wanted ----

const SERVICE_PORTS: Record<string, number> = { ssh: 22, http: 80, https: 443, OpenSSH: 22, 'Nginx HTTP': 80, 'Nginx HTTPS': 443, WWW: 80, 'WWW Secure': 443 };

/** Whether a rule's destination port spec covers `port`. */
export function portMatches(rule: Pick<UfwRule, 'port' | 'app'>, port: number): boolean {
  if (rule.app !== null) return SERVICE_PORTS[rule.app] === port || rule.app === 'Nginx Full' && (port === 80 || port === 443);
  if (rule.port === null) return true;
  return rule.port.split(',').some((part) => {
    const named = SERVICE_PORTS[part];
    if (named !== undefined) return named === port;
    const [a, b] = part.split(':').map(Number);
    return b === undefined ? a === port : port >= a! && port <= b;
  });
}

const protoCovers = (rule: UfwRule, proto: 'tcp' | 'udp') => rule.proto === null || rule.proto === 'any' || rule.proto === proto;

/** An existing rule that already opens `w` to everyone (with or without our comment). */
export function satisfies(rule: UfwRule, w: WantedAllow): boolean {
  return (
    !rule.route && rule.action === 'allow' && rule.direction === 'in' && !rule.iface && rule.from === 'any' &&
    rule.to === 'any' && rule.app === null && rule.port === String(w.port) && rule.proto === 'tcp'
  );
}

/** A rule that lets traffic in (directly or to containers) and is therefore ours to decide on. */
const opensSomething = (r: UfwRule) => (r.action === 'allow' || r.action === 'limit') && r.direction === 'in';

/**
 * An operator's own rule that opens an SSH port to fewer than everyone: from some addresses only, on
 * one interface or destination, or rate-limited (`ufw limit`). It was chosen on purpose: kept, and
 * never widened into an allow from anywhere.
 */
export function narrowsSsh(r: UfwRule, port: number): boolean {
  return (
    !r.route && r.direction === 'in' && (r.action === 'allow' || r.action === 'limit') && protoCovers(r, 'tcp') &&
    (r.port !== null || r.app !== null) && portMatches(r, port) &&
    (r.action === 'limit' || r.from !== 'any' || !ANY.test(r.to) || r.iface)
  );
}

export interface UfwChanges {
  add: WantedAllow[];
  /** Peer rules (Swarm ports from one node) missing: added after the plain allows. */
  addPeers: PeerAllow[];
  /** Rules that open more than the plan allows: removed, so nothing else stays open. */
  remove: UfwRule[];
  setIncomingDeny: boolean;
  /** The operator's narrower SSH rules: kept in place of an allow from anywhere for their port. */
  keep: UfwRule[];
  /** Kept rules to add again (same text) so that their IPv6 twins exist once IPv6 is on. */
  readd: UfwRule[];
  /** Open SSH sessions those narrower rules would not admit: their address is allowed on that port. */
  sessionAllows: SshSession[];
}

/**
 * What to change so that exactly the wanted ports are open. Deny/reject rules (fail2ban's bans) are
 * kept; so are the operator's narrower SSH rules (`narrowsSsh`), with an allow for the address of
 * any open SSH session they would not admit, rather than opening that port to everyone.
 */
export function ufwChanges(
  current: readonly UfwRule[],
  defaults: UfwDefaults,
  wanted: readonly WantedAllow[],
  readdAll = false,
  sessions: readonly SshSession[] = [],
  peers: readonly PeerAllow[] = [],
): UfwChanges {
  const sshPorts = wanted.filter((w) => w.purpose === 'ssh').map((w) => w.port);
  const keep = current.filter((r) => !wanted.some((w) => satisfies(r, w)) && sshPorts.some((p) => narrowsSsh(r, p)));
  const narrowed = new Set(sshPorts.filter((p) => keep.some((r) => narrowsSsh(r, p))));
  const has = (w: WantedAllow) => current.some((r) => satisfies(r, w));
  // Missing ones are added, except an SSH port the operator narrowed; present ones only to re-add for IPv6.
  const add = wanted.filter((w) => (has(w) ? readdAll : !narrowed.has(w.port)));
  // A peer rule is for one address family only: nothing to re-add for IPv6.
  const addPeers = peers.filter((p) => !current.some((r) => satisfiesPeer(r, p)));
  const wantedRule = (r: UfwRule) => wanted.some((w) => satisfies(r, w)) || peers.some((p) => satisfiesPeer(r, p));
  // A node no longer listed, or a Swarm port opened to everyone, is removed like any other extra opening.
  const remove = current.filter((r) => opensSomething(r) && !wantedRule(r) && !keep.includes(r));
  const after = [...current.filter((r) => !remove.includes(r)), ...add.map(allowRule), ...addPeers.map(peerRule)];
  const sessionAllows: SshSession[] = [];
  for (const s of sessions) {
    if (!narrowed.has(s.port) || sessionAllows.some((x) => x.address === s.address && x.port === s.port)) continue;
    const hit = firstDecision(after, s.address, s.port);
    // Not admitted and not blocked by a rule of its own (a deny is the guard's to report): allow it.
    if (!hit) sessionAllows.push(s);
  }
  return { add, addPeers, remove, setIncomingDeny: defaults.incoming !== 'deny', keep, readd: readdAll ? keep : [], sessionAllows };
}

export const sessionAllowArgs = (s: SshSession): string[] => ['allow', 'from', s.address, 'to', 'any', 'port', String(s.port), 'proto', 'tcp', 'comment', `${UFW_TAG} ssh session`];
const allowRule = (w: WantedAllow) => parseUfwRule(`ufw ${allowArgs(w).slice(0, 2).join(' ')} comment '${UFW_TAG} ${w.purpose}'`)!;
const peerRule = (p: PeerAllow) => parseUfwRule(`ufw ${peerAllowArgs(p).slice(0, -2).join(' ')} comment '${UFW_TAG} swarm'`)!;

/**
 * The `ufw …` argv that make the changes, in the order the firewall step runs them: SSH first
 * (wantedAllows puts it there), the web ports, the Swarm ports from each node only, the kept rules
 * again for IPv6, the sessions' own allows, the removals, then default deny.
 */
export function ufwCommands(ch: UfwChanges): string[][] {
  return [
    ...ch.add.map(allowArgs),
    ...ch.addPeers.map(peerAllowArgs),
    ...ch.readd.map((r) => ufwTokens(r.text)),
    ...ch.sessionAllows.map(sessionAllowArgs),
    ...ch.remove.map((r) => ['delete', ...ufwTokens(r.text)]),
    ...(ch.setIncomingDeny ? [['default', 'deny', 'incoming']] : []),
  ];
}

// ---- the lock-out guard ----

export interface SshSession { address: string; port: number }
export interface GuardInput {
  /** The operator's session (SSH_CONNECTION) and every other established sshd connection. */
  sessions: readonly SshSession[];
  /** What sshd listens on. */
  sshdPorts: readonly number[];
  /** Rules after the change: kept rules plus the added ones. */
  rules: readonly UfwRule[];
  incoming: Policy;
  ipv6: boolean;
}

export type GuardRefusal =
  | { reason: 'sshdPortClosed'; port: number }
  | { reason: 'sessionPortClosed'; port: number; address: string }
  | { reason: 'sessionDenied'; port: number; address: string; rule: string }
  | { reason: 'ipv6Off'; address: string };

const ANY = /^(?:any|0\.0\.0\.0\/0|::\/0)$/;

/**
 * Whether rule `r` decides a new TCP connection from `address` (null: a client anywhere) to `port`.
 * A rule for one destination address is counted when it blocks and ignored when it allows: we do
 * not know which address the client uses, so we assume the worse.
 */
function decides(r: UfwRule, address: string | null, port: number): boolean {
  if (r.route || r.direction !== 'in' || !protoCovers(r, 'tcp') || !portMatches(r, port)) return false;
  const allows = r.action === 'allow' || r.action === 'limit';
  if (allows && (!ANY.test(r.to) || r.iface)) return false;
  if (r.from === 'any') return true;
  return address !== null && cidrContains(r.from, address);
}

/** The first rule that decides a new connection from `address` to `port` (ufw's first match), if any. */
function firstDecision(rules: readonly UfwRule[], address: string | null, port: number): UfwRule | undefined {
  return rules.find((r) => decides(r, address, port));
}

/**
 * Whether `port` stays open to someone: to everyone, or through a narrower rule of the operator's
 * (some addresses, one interface) that comes before anything closing it to everyone.
 */
function openToSomeone(rules: readonly UfwRule[], incoming: Policy, port: number): boolean {
  for (const r of rules) {
    if (decides(r, null, port)) return r.action === 'allow' || r.action === 'limit';
    if (narrowsSsh(r, port)) return true;
  }
  return incoming === 'allow';
}

/**
 * Refuses a rule set that would cut an SSH session or close a port sshd listens on. ufw takes the
 * first matching rule, so the first rule that decides the connection wins; with none, the default does.
 */
export function guardFirewall(g: GuardInput): GuardRefusal | null {
  const verdict = (address: string | null, port: number): { ok: boolean; rule?: UfwRule } => {
    const hit = firstDecision(g.rules, address, port);
    if (hit) return { ok: hit.action === 'allow' || hit.action === 'limit', rule: hit };
    return { ok: g.incoming === 'allow' };
  };
  for (const port of g.sshdPorts) {
    if (!openToSomeone(g.rules, g.incoming, port)) return { reason: 'sshdPortClosed', port };
  }
  for (const s of g.sessions) {
    if (ipFamily(s.address) === 6 && !g.ipv6) return { reason: 'ipv6Off', address: s.address };
    const v = verdict(s.address, s.port);
    if (!v.ok) {
      return v.rule
        ? { reason: 'sessionDenied', port: s.port, address: s.address, rule: v.rule.text }
        : { reason: 'sessionPortClosed', port: s.port, address: s.address };
    }
  }
  return null;
}

/** The rule list ufw will have after the change: kept rules in their order, then ours appended. */
export function rulesAfter(current: readonly UfwRule[], ch: UfwChanges): UfwRule[] {
  const kept = current.filter((r) => !ch.remove.includes(r));
  const added = [...ch.add.map(allowRule), ...ch.addPeers.map(peerRule)];
  const sessions = ch.sessionAllows.map((x) => parseUfwRule(`ufw ${sessionAllowArgs(x).slice(0, -2).join(' ')}`)!);
  return [...kept, ...added, ...sessions];
}

// ---- ufw as it is, against the plan ----

export interface PortStatus { port: number; purpose: AllowPurpose; v4: boolean; v6: boolean }

/** What ufwAgainstPlan reads of ufw's state (src/host/security.ts readUfw). */
export interface UfwView {
  active: boolean;
  defaults: Pick<UfwDefaults, 'ipv6'>;
  entries: readonly UfwStatusEntry[];
  rules: readonly UfwRule[];
}

/**
 * ufw's rules against what the plan wants open: each wanted port open or not (v4, v6), and the
 * rules that let in anything else. The operator's own narrower SSH rules (some addresses, `ufw
 * limit`) count as SSH open and are not "unexpected". Shared by `security status` and doctor.
 */
export function ufwAgainstPlan(ufw: UfwView, plan: Plan): { ports: PortStatus[]; unexpected: string[] } {
  const wanted = wantedAllows(plan);
  const ports: PortStatus[] = wanted.map((w) => {
    // SSH also counts as open through the operator's own narrower rule (some addresses, or `ufw limit`).
    const actionOk = (a: string) => a === 'ALLOW' || (w.purpose === 'ssh' && a === 'LIMIT');
    const fromOk = (from: string) => /^Anywhere/.test(from) || w.purpose === 'ssh';
    const hit = (v6: boolean) =>
      ufw.active &&
      ufw.entries.some((e) => actionOk(e.action) && (e.direction === 'IN' || e.direction === null) && e.v6 === v6 && e.to.replace(/ \(v6\)$/, '') === `${w.port}/tcp` && fromOk(e.from));
    return { port: w.port, purpose: w.purpose, v4: hit(false), v6: ufw.defaults.ipv6 ? hit(true) : false };
  });
  const sshPorts = wanted.filter((w) => w.purpose === 'ssh').map((w) => w.port);
  const peers = wantedPeerAllows(plan);
  const unexpected = ufw.rules
    .filter((r) => (r.action === 'allow' || r.action === 'limit') && r.direction === 'in' && !wanted.some((w) => satisfies(r, w)))
    .filter((r) => !peers.some((p) => satisfiesPeer(r, p)))
    .filter((r) => !sshPorts.some((p) => narrowsSsh(r, p)))
    .map((r) => r.text);
  return { ports, unexpected };
}
