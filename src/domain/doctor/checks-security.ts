// Security: ufw on with SSH/80/443 open and nothing else, nothing private published past it,
// fail2ban's jails up, the operator's own address not banned, sshd listening. Pure.
import { msg, okFinding, type CheckDef, type Line } from './types.js';

export interface FirewallEvidence {
  /** security.firewall in the answers. */
  wanted: boolean;
  installed: boolean;
  /** False when ufw could not be asked (not root). */
  readable: boolean;
  active: boolean;
  incoming: string;
  /** Ports the plan opens (ssh, http, https, extra) and whether ufw allows them (IPv4). */
  ports: { port: number; purpose: string; open: boolean }[];
  /** Allow rules beyond the plan. */
  unexpected: string[];
}

export const firewallCheck: CheckDef<FirewallEvidence> = {
  id: 'firewall',
  label: 'doc.check.firewall',
  symptoms: ['ssh', 'down', 'tls'],
  evaluate(e) {
    const ev: Line[] = [
      msg('doc.fw.ev.state', { state: !e.installed ? 'not installed' : !e.readable ? 'unknown (not root)' : e.active ? 'active' : 'inactive', incoming: e.incoming }),
      ...e.ports.map((p) => `  ${p.open ? '✓' : '✗'} ${p.purpose} ${p.port}/tcp`),
      ...(e.unexpected.length ? [msg('doc.fw.ev.unexpected', { rules: e.unexpected.join('; ') })] : []),
    ];
    if (!e.wanted) return [{ ...okFinding('firewall', 'firewall', 'doc.fw.off', ev), severity: 'info' }];
    if (!e.readable && e.installed) return [{ ...okFinding('firewall', 'firewall', 'doc.fw.unreadable', ev), severity: 'info' }];
    const fix = { auto: true as const, action: { kind: 'security-steps' as const, steps: ['security-packages', 'security-firewall'] }, notes: [msg('doc.fw.fix.note')] };
    if (!e.installed || !e.active) {
      return [{ id: 'firewall', check: 'firewall', severity: 'error', title: msg('doc.fw.inactive'), explain: msg('doc.fw.inactiveExplain'), evidence: ev, fix, causedBy: [] }];
    }
    const closed = e.ports.filter((p) => !p.open);
    if (closed.length) {
      const ssh = closed.some((p) => p.purpose === 'ssh');
      return [{
        id: 'firewall', check: 'firewall', severity: 'error', title: msg(ssh ? 'doc.fw.sshClosed' : 'doc.fw.closed', { ports: closed.map((p) => p.port).join(', ') }),
        explain: msg(ssh ? 'doc.fw.sshClosedExplain' : 'doc.fw.closedExplain'), evidence: ev, fix, causedBy: [], hints: { ports: closed.map((p) => p.port) },
      }];
    }
    if (e.incoming === 'allow' || e.unexpected.length) {
      return [{
        id: 'firewall', check: 'firewall', severity: 'warn', title: msg('doc.fw.extra', { rules: e.incoming === 'allow' ? 'default allow' : e.unexpected.join('; ') }), explain: msg('doc.fw.extraExplain'), evidence: ev,
        fix: { auto: false, steps: [msg('doc.fw.fix.numbered'), msg('doc.fw.fix.delete')] }, causedBy: [],
      }];
    }
    return [okFinding('firewall', 'firewall', 'doc.fw.ok', ev)];
  },
};

export interface ExposureEvidence {
  /** Ports the plan opens on purpose. */
  allowed: number[];
  ufwActive: boolean;
  /** Published container ports on every interface (Docker's rules bypass ufw). */
  published: { container: string; project: string | null; service: string | null; hostIp: string; hostPort: number; containerPort: number }[];
  /** Host processes listening on a non-loopback address. */
  listeners: { address: string; port: number; process: string | null }[];
}

/** Ports of databases and queues: published to the world they are found and attacked within hours. */
export const PRIVATE_PORTS = new Set([3306, 33060, 5432, 6379, 5672, 15672, 9000, 9001, 27017, 11211, 9200, 2375]);
const everywhere = (ip: string) => ip === '' || ip === '0.0.0.0' || ip === '::' || ip === '[::]' || ip === '*';

export const exposureCheck: CheckDef<ExposureEvidence> = {
  id: 'exposure',
  label: 'doc.check.exposure',
  symptoms: ['ssh', 'all'],
  evaluate(e) {
    const pub = e.published.filter((p) => everywhere(p.hostIp) && !e.allowed.includes(p.hostPort));
    const listen = e.ufwActive ? [] : e.listeners.filter((l) => !e.allowed.includes(l.port) && !pub.some((p) => p.hostPort === l.port) && l.process !== 'docker-proxy');
    const ev: Line[] = [
      ...pub.map((p) => msg('doc.exp.ev.published', { container: p.container, port: p.hostPort, inner: p.containerPort })),
      ...listen.map((l) => msg('doc.exp.ev.listener', { address: l.address, port: l.port, process: l.process ?? '?' })),
    ];
    if (pub.length === 0 && listen.length === 0) return [okFinding('exposure', 'exposure', 'doc.exp.ok', [msg('doc.exp.ev.allowed', { ports: e.allowed.join(', ') })])];
    const db = [...pub.map((p) => p.hostPort), ...listen.map((l) => l.port)].filter((p) => PRIVATE_PORTS.has(p));
    return [{
      id: 'exposure', check: 'exposure', severity: db.length ? 'error' : 'warn',
      title: msg(db.length ? 'doc.exp.db' : 'doc.exp.title', { ports: [...new Set([...pub.map((p) => p.hostPort), ...listen.map((l) => l.port)])].join(', ') }),
      explain: msg('doc.exp.explain'), evidence: ev,
      fix: { auto: false, steps: [msg('doc.exp.fix.bind'), msg('doc.exp.fix.rerender'), ...(listen.length ? [msg('doc.exp.fix.firewall')] : [])] }, causedBy: [],
    }];
  },
};

export interface Fail2banEvidence {
  wanted: boolean;
  installed: boolean;
  running: boolean;
  jails: { name: string; currentlyBanned: number; totalBanned: number; bannedIps: string[] }[];
  missing: string[];
  /** Addresses that are the operator's: this SSH session, open SSH sessions, recent logins, ignoreIp. */
  operator: { address: string; source: string }[];
  /** fail2ban's own last log lines when it is not running. */
  journal: string[];
}

export const fail2banCheck: CheckDef<Fail2banEvidence> = {
  id: 'fail2ban',
  label: 'doc.check.fail2ban',
  symptoms: ['ssh'],
  evaluate(e) {
    const ev: Line[] = [
      msg('doc.f2b.ev.state', { state: !e.installed ? 'not installed' : e.running ? 'running' : 'stopped' }),
      ...e.jails.map((j) => `  ${j.name}: ${j.currentlyBanned} banned now, ${j.totalBanned} in total`),
    ];
    if (!e.wanted) return [{ ...okFinding('fail2ban', 'fail2ban', 'doc.f2b.off', ev), severity: 'info' }];
    const fix = { auto: true as const, action: { kind: 'security-steps' as const, steps: ['security-packages', 'security-fail2ban'] }, notes: [] };
    if (!e.installed || !e.running) {
      return [{ id: 'fail2ban', check: 'fail2ban', severity: 'error', title: msg('doc.f2b.down'), explain: msg('doc.f2b.downExplain'), evidence: [...ev, ...e.journal.slice(-4)], fix, causedBy: [] }];
    }
    if (e.missing.length) {
      return [{ id: 'fail2ban', check: 'fail2ban', severity: 'error', title: msg('doc.f2b.missing', { jails: e.missing.join(', ') }), explain: msg('doc.f2b.downExplain'), evidence: ev, fix, causedBy: [] }];
    }
    return [okFinding('fail2ban', 'fail2ban', 'doc.f2b.ok', ev, { count: e.jails.length })];
  },
};

export const selfBanCheck: CheckDef<Fail2banEvidence> = {
  id: 'self-ban',
  label: 'doc.check.selfBan',
  symptoms: ['ssh'],
  evaluate(e) {
    if (!e.running) return [{ ...okFinding('self-ban', 'fail2ban.self', 'doc.f2b.notRunning'), severity: e.wanted ? 'info' : 'ok' }];
    const hits: { address: string; source: string; jails: string[] }[] = [];
    for (const o of e.operator) {
      const jails = e.jails.filter((j) => j.bannedIps.includes(o.address)).map((j) => j.name);
      if (jails.length && !hits.some((h) => h.address === o.address)) hits.push({ ...o, jails });
    }
    const ev: Line[] = e.operator.map((o) => msg('doc.f2b.ev.operator', { address: o.address, source: o.source }));
    if (hits.length === 0) return [okFinding('self-ban', 'fail2ban.self', 'doc.f2b.selfOk', ev, { count: e.operator.length })];
    return [{
      id: 'fail2ban.self', check: 'self-ban', severity: 'error',
      title: msg('doc.f2b.self', { address: hits[0]!.address, jails: hits[0]!.jails.join(', ') }), explain: msg('doc.f2b.selfExplain'),
      evidence: [...ev, ...hits.map((h) => msg('doc.f2b.ev.banned', { address: h.address, jails: h.jails.join(', ') }))],
      fix: { auto: true, action: { kind: 'commands', argv: hits.flatMap((h) => h.jails.map((j) => ['fail2ban-client', 'set', j, 'unbanip', h.address])) }, notes: [msg('doc.f2b.fix.ignoreIp', { address: hits[0]!.address })] },
      causedBy: [],
    }];
  },
};

export interface SshEvidence {
  /** Ports the plan keeps open for SSH (what sshd listens on, and security.sshPort). */
  ports: number[];
  /** Ports sshd (or its socket) listens on now. */
  listening: number[];
  /** The ssh unit's state (ssh on Debian/Ubuntu, sshd elsewhere). */
  unit: { name: string; active: string } | null;
}

export const sshCheck: CheckDef<SshEvidence> = {
  id: 'ssh',
  label: 'doc.check.ssh',
  symptoms: ['ssh'],
  evaluate(e) {
    const ev: Line[] = [msg('doc.ssh.ev', { ports: e.ports.join(', ') || '-', listening: e.listening.join(', ') || '-', unit: e.unit ? `${e.unit.name} ${e.unit.active}` : '-' })];
    if (e.listening.length && e.ports.every((p) => e.listening.includes(p))) return [okFinding('ssh', 'ssh', 'doc.ssh.ok', ev, { ports: e.listening.join(', ') })];
    if (e.listening.length) {
      return [{ id: 'ssh', check: 'ssh', severity: 'warn', title: msg('doc.ssh.other', { ports: e.listening.join(', '), want: e.ports.join(', ') }), explain: msg('doc.ssh.otherExplain'), evidence: ev, fix: { auto: false, steps: [msg('doc.ssh.fix.answers', { port: e.listening[0]! })] }, causedBy: [] }];
    }
    return [{
      id: 'ssh', check: 'ssh', severity: 'error', title: msg('doc.ssh.down'), explain: msg('doc.ssh.downExplain'), evidence: ev,
      fix: e.unit ? { auto: true, action: { kind: 'commands', argv: [['systemctl', 'restart', e.unit.name]] }, notes: [msg('doc.ssh.fix.console')] } : { auto: false, steps: [msg('doc.ssh.fix.console')] },
      causedBy: [],
    }];
  },
};
