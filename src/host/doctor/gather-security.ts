// The host's defences' evidence: ufw against the plan, what is reachable from outside, fail2ban's
// jails and the operator's own addresses, the SSH server. Checked by
// src/domain/doctor/checks-security.ts.
import { readFail2ban, readUfw, sshSessions } from '../security.js';
import { ufwAgainstPlan } from '../../domain/firewall.js';
import { JAILS } from '../../render/security-fail2ban.js';
import type { Gatherers } from './gather.js';

/** The jails `security apply` sets up. */
const expectedJails = () => [JAILS.sshd, JAILS.limit, JAILS.scan, JAILS.recidive];

/** `Accepted publickey for root from 203.0.113.9 port 51234 ssh2` → the addresses, newest last. */
export function acceptedLogins(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/Accepted \S+ for \S+ from (\S+) port \d+/g)) {
    const a = m[1]!;
    const i = out.indexOf(a);
    if (i >= 0) out.splice(i, 1);
    out.push(a);
  }
  return out;
}

export const securityGatherers: Pick<Gatherers, 'firewall' | 'exposure' | 'fail2ban' | 'ssh'> = {
  async firewall(g) {
    const p = g.stack.plan;
    const ufw = await readUfw(g.ctx.exec, g.ctx.hostRoot);
    // The same reading as `security status`: an operator's narrower SSH rule is SSH open, not an extra.
    const view = ufwAgainstPlan(ufw, p);
    const ports = view.ports.map((x) => ({ port: x.port, purpose: x.purpose, open: x.v4 }));
    const unexpected = view.unexpected;
    return { wanted: p.security.firewall, installed: ufw.installed, readable: ufw.readable, active: ufw.active, incoming: ufw.defaults.incoming, ports, unexpected };
  },

  async exposure(g) {
    const p = g.stack.plan;
    const allowed = [...new Set([...p.security.sshPorts, p.ports.http, ...(p.nginx.tls !== 'none' ? [p.ports.https] : []), ...p.security.extraPorts])];
    const ufw = await readUfw(g.ctx.exec, g.ctx.hostRoot);
    const pub = (await g.dockerUp()) ? await g.ctx.docker.publishingContainers().catch(() => []) : [];
    const published = pub.flatMap((c) => c.ports.map((x) => ({ container: c.name, project: c.project, service: c.service, hostIp: x.hostIp, hostPort: x.hostPort, containerPort: x.containerPort })));
    const loop = (a: string) => /^(127\.|\[?::1\]?$|localhost)/.test(a) || a === '[::1]';
    const listeners = (await g.listeners()).filter((l) => !loop(l.address)).map((l) => ({ address: l.address, port: l.port, process: l.process }));
    return { allowed, ufwActive: ufw.active, published, listeners };
  },

  async fail2ban(g) {
    const p = g.stack.plan;
    const st = await readFail2ban(g.ctx.exec);
    const operator: { address: string; source: string }[] = [];
    const add = (address: string, source: string) => {
      if (address && !operator.some((o) => o.address === address)) operator.push({ address, source });
    };
    if (g.stack.facts.session.sshClientAddress) add(g.stack.facts.session.sshClientAddress, 'this session');
    for (const s of await sshSessions(g.ctx.exec, g.stack.facts)) add(s.address, 'open SSH session');
    if (g.systemd()) {
      const j = await g.q('journalctl', ['--no-pager', '-q', '-o', 'cat', '-u', 'ssh', '-u', 'sshd', '--since', '-7d', '-n', '3000'], 15_000);
      for (const a of acceptedLogins(j.stdout).slice(-5)) add(a, 'recent login');
    }
    const journal = st.installed && !st.running ? await g.journal(['-u', 'fail2ban'], 10) : [];
    return {
      wanted: p.security.fail2ban,
      installed: st.installed,
      running: st.running,
      jails: st.jails.map((j) => ({ name: j.name, currentlyBanned: j.currentlyBanned, totalBanned: j.totalBanned, bannedIps: j.bannedIps })),
      missing: st.running ? expectedJails().filter((j) => !st.jails.some((x) => x.name === j)) : expectedJails(),
      operator,
      journal,
    };
  },

  async ssh(g) {
    const ls = await g.listeners();
    const listening = [...new Set(ls.filter((l) => l.process === 'sshd' || l.process === 'sshd-session' || (l.process === 'systemd' && g.stack.plan.security.sshPorts.includes(l.port))).map((l) => l.port))].sort((a, b) => a - b);
    let unit: { name: string; active: string } | null = null;
    for (const name of ['ssh', 'sshd']) {
      if (await g.unitLoaded(name)) {
        unit = { name, active: (await g.unitActive(name)) ?? '?' };
        break;
      }
    }
    return { ports: g.stack.plan.security.sshPorts, listening, unit };
  },
};
