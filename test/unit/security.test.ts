// The security generators and parsers, pure: ufw rule sets and the commands that reach them, the
// DOCKER-USER block and its merge into after.rules, the lock-out guard, fail2ban jails, kernel
// settings, swap sizing, and the parsers of ufw/fail2ban/ss output.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AnswersSchema, type AnswersInput } from '../../src/domain/answers.js';
import { buildPlan } from '../../src/domain/plan.js';
import { cidrContains, parseCidr } from '../../src/domain/ip.js';
import {
  AFTER_RULES_BEGIN, AFTER_RULES_END, ManagedBlockError, dockerUserBlock, dockerUserRuleSpecs, mergeManagedBlock, withUfwIpv6,
} from '../../src/render/security-ufw.js';
import {
  guardFirewall, parseUfwAdded, parseUfwRule, peerAllowArgs, portMatches, publishedPorts, rulesAfter, ufwChanges, ufwTokens as tokensOf, wantedAllows,
  wantedPeerAllows, type GuardInput,
} from '../../src/domain/firewall.js';
import { JAILS, ignoreIps, renderFail2ban, renderJails, renderScanFilter, renderLimitFilter } from '../../src/render/security-fail2ban.js';
import { banBackend, type Fail2banHost } from '../../src/domain/fail2ban.js';
import { fstabWithSwap, renderLogrotate, renderSysctl } from '../../src/render/security-host.js';
import { SWAP_MAX_RAM_MIB, swapDecision, swapSizeMiB, sysctlSettings } from '../../src/domain/host-tuning.js';
import {
  parseJailList, parseJailStatus, parseLogTarget, parseProcSwaps, parseSshSessions, parseSysctlFile, parseUfwDefaults, parseUfwStatus, procSysReadOnly,
} from '../../src/host/security.js';
import { makeFacts } from '../fixtures/facts.js';

function plan(a: Partial<AnswersInput> = {}, sshPorts = [2222]) {
  const answers = AnswersSchema.parse({ project: 'shop', app: { image: 'ghcr.io/example/api:1.0.0' }, ...a });
  return buildPlan(answers, makeFacts({ ramMiB: 7680, cores: 4, sshPorts }));
}

const DEFAULTS = parseUfwDefaults('IPV6=yes\nDEFAULT_INPUT_POLICY="DROP"\nDEFAULT_OUTPUT_POLICY="ACCEPT"\nDEFAULT_FORWARD_POLICY="DROP"\n');

describe('ufw rule set', () => {
  it('opens exactly the SSH port(s) sshd listens on, HTTP, HTTPS and the extras, each once', () => {
    const p = plan({ ports: { http: 8080, https: 8443 }, security: { firewall: true, fail2ban: true, sshPort: 'auto', extraPorts: [9000, 8080], ignoreIp: [] } }, [22, 2222]);
    expect(wantedAllows(p)).toEqual([
      { port: 22, purpose: 'ssh' },
      { port: 2222, purpose: 'ssh' },
      { port: 8080, purpose: 'http' },
      { port: 8443, purpose: 'https' },
      { port: 9000, purpose: 'extra' },
    ]);
    // sshd runs on the host, so only web and extra ports may reach containers.
    expect(publishedPorts(p)).toEqual([8080, 8443, 9000]);
  });

  it('never assumes 22: a server on 2222 gets 2222 only', () => {
    expect(wantedAllows(plan()).filter((w) => w.purpose === 'ssh')).toEqual([{ port: 2222, purpose: 'ssh' }]);
  });

  it('parses every form ufw prints in `ufw show added`', () => {
    const text = `Added user rules (see 'ufw status' for running firewall):
ufw allow 2222/tcp comment 'stack-wizard ssh'
ufw allow 80/tcp
ufw allow OpenSSH
ufw limit 22/tcp
ufw allow 3306
ufw allow from 10.0.0.0/8 to any port 22 proto tcp
ufw allow in on eth1 to any port 5432
ufw reject from 203.0.113.66 comment 'fail2ban sshd'
ufw route reject from 203.0.113.66 comment 'fail2ban sshd'
ufw route allow proto tcp from any to any port 6379
ufw allow out 53/udp
ufw deny from 2001:db8::/32 to any port 2222 proto tcp`;
    const r = parseUfwAdded(text);
    expect(r.map((x) => x.text)).toHaveLength(12);
    expect(r[0]).toMatchObject({ action: 'allow', port: '2222', proto: 'tcp', comment: 'stack-wizard ssh', route: false, from: 'any' });
    expect(r[1]).toMatchObject({ action: 'allow', port: '80', proto: 'tcp', comment: null });
    expect(r[2]).toMatchObject({ action: 'allow', app: 'OpenSSH', port: null });
    expect(r[3]).toMatchObject({ action: 'limit', port: '22', proto: 'tcp' });
    expect(r[4]).toMatchObject({ port: '3306', proto: null });
    expect(r[5]).toMatchObject({ from: '10.0.0.0/8', to: 'any', port: '22', proto: 'tcp' });
    expect(r[6]).toMatchObject({ iface: true, port: '5432', direction: 'in' });
    expect(r[7]).toMatchObject({ action: 'reject', from: '203.0.113.66', port: null, route: false });
    expect(r[8]).toMatchObject({ action: 'reject', route: true });
    expect(r[9]).toMatchObject({ action: 'allow', route: true, port: '6379', proto: 'tcp' });
    expect(r[10]).toMatchObject({ direction: 'out', port: '53', proto: 'udp' });
    expect(r[11]).toMatchObject({ action: 'deny', from: '2001:db8::/32', port: '2222' });
    expect(portMatches(r[2]!, 22)).toBe(true);
    expect(parseUfwRule('Added user rules')).toBeNull();
    expect(tokensOf("allow 2222/tcp comment 'stack-wizard ssh'")).toEqual(['allow', '2222/tcp', 'comment', 'stack-wizard ssh']);
  });

  it('on a fresh ufw: adds every wanted port and sets default deny incoming', () => {
    const ch = ufwChanges([], parseUfwDefaults('DEFAULT_INPUT_POLICY="ACCEPT"\n'), wantedAllows(plan()));
    expect(ch.add.map((w) => w.port)).toEqual([2222, 80, 443]);
    expect(ch.remove).toEqual([]);
    expect(ch.setIncomingDeny).toBe(true);
  });

  it('once applied: nothing to change (with our comments, or the same rules added by hand)', () => {
    const ours = parseUfwAdded(`ufw allow 2222/tcp comment 'stack-wizard ssh'\nufw allow 80/tcp comment 'stack-wizard http'\nufw allow 443/tcp`);
    const ch = ufwChanges(ours, DEFAULTS, wantedAllows(plan()));
    expect(ch).toEqual({ add: [], addPeers: [], remove: [], setIncomingDeny: false, keep: [], readd: [], sessionAllows: [] });
  });

  it('removes whatever else lets traffic in (to the host or, by route rules, to containers) and keeps bans', () => {
    const cur = parseUfwAdded(`ufw allow 22/tcp
ufw allow 2222/tcp
ufw allow 3306
ufw allow OpenSSH
ufw route allow proto tcp from any to any port 6379
ufw reject from 203.0.113.66 comment 'fail2ban sshd'
ufw route reject from 203.0.113.66 comment 'fail2ban sshd'
ufw allow out 53/udp`);
    const ch = ufwChanges(cur, DEFAULTS, wantedAllows(plan()));
    expect(ch.remove.map((r) => r.text)).toEqual(['allow 22/tcp', 'allow 3306', 'allow OpenSSH', 'route allow proto tcp from any to any port 6379']);
    expect(ch.add.map((w) => w.port)).toEqual([80, 443]);
  });

  it('keeps the operator\'s narrower SSH rules (ufw limit, some sources only) instead of opening SSH to everyone', () => {
    const limit = parseUfwAdded('ufw limit 2222/tcp');
    let ch = ufwChanges(limit, DEFAULTS, wantedAllows(plan()), false, [{ address: '198.51.100.7', port: 2222 }]);
    expect(ch.keep.map((r) => r.text)).toEqual(['limit 2222/tcp']);
    expect(ch.add.map((w) => w.port)).toEqual([80, 443]);
    expect(ch.remove).toEqual([]);
    // `limit` admits everyone (rate-limited): the session needs nothing more.
    expect(ch.sessionAllows).toEqual([]);
    expect(guardFirewall({ sessions: [{ address: '198.51.100.7', port: 2222 }], sshdPorts: [2222], rules: rulesAfter(limit, ch), incoming: 'deny', ipv6: true })).toBeNull();

    const office = parseUfwAdded('ufw allow from 10.8.0.0/16 to any port 2222 proto tcp\nufw allow from 10.0.0.0/8 to any port 3306\nufw allow from 10.0.0.0/8');
    ch = ufwChanges(office, DEFAULTS, wantedAllows(plan()), false, [{ address: '10.8.3.4', port: 2222 }]);
    expect(ch.keep.map((r) => r.text)).toEqual(['allow from 10.8.0.0/16 to any port 2222 proto tcp']);
    // Narrow rules for other ports, and a source allowed everywhere, still open more than the plan: removed.
    expect(ch.remove.map((r) => r.text)).toEqual(['allow from 10.0.0.0/8 to any port 3306', 'allow from 10.0.0.0/8']);
    expect(ch.add.map((w) => w.port)).toEqual([80, 443]);
    expect(ch.sessionAllows).toEqual([]);

    // The operator is in from elsewhere: their address is allowed on that port (not everyone), and the guard is satisfied.
    const away = [{ address: '198.51.100.7', port: 2222 }, { address: '10.8.3.4', port: 2222 }];
    ch = ufwChanges(office.slice(0, 1), DEFAULTS, wantedAllows(plan()), false, away);
    expect(ch.sessionAllows).toEqual([{ address: '198.51.100.7', port: 2222 }]);
    const after = rulesAfter(office.slice(0, 1), ch);
    expect(after.map((r) => r.text).at(-1)).toBe('allow from 198.51.100.7 to any port 2222 proto tcp');
    expect(guardFirewall({ sessions: away, sshdPorts: [2222], rules: after, incoming: 'deny', ipv6: true })).toBeNull();
    // Applied, it reads back as nothing to change.
    const applied = parseUfwAdded(`ufw allow from 10.8.0.0/16 to any port 2222 proto tcp\nufw allow 80/tcp\nufw allow 443/tcp\nufw allow from 198.51.100.7 to any port 2222 proto tcp comment 'stack-wizard ssh session'`);
    expect(ufwChanges(applied, DEFAULTS, wantedAllows(plan()), false, away)).toMatchObject({ add: [], remove: [], sessionAllows: [] });
    // An allow from anywhere that is already there stays too: nothing is narrowed for the operator either.
    const both = parseUfwAdded('ufw allow 2222/tcp\nufw limit 2222/tcp');
    expect(ufwChanges(both, DEFAULTS, wantedAllows(plan()))).toMatchObject({ remove: [], keep: [both[1]] });
  });

  it('when IPv6 was off, adds every rule again so the IPv6 twins exist', () => {
    const ours = parseUfwAdded(`ufw allow 2222/tcp\nufw allow 80/tcp\nufw allow 443/tcp`);
    expect(ufwChanges(ours, DEFAULTS, wantedAllows(plan()), true).add).toHaveLength(3);
    // The operator's `limit` too, by its own text.
    const limited = parseUfwAdded(`ufw limit 2222/tcp\nufw allow 80/tcp\nufw allow 443/tcp`);
    const ch = ufwChanges(limited, DEFAULTS, wantedAllows(plan()), true);
    expect(ch.add.map((w) => w.port)).toEqual([80, 443]);
    expect(ch.readd.map((r) => r.text)).toEqual(['limit 2222/tcp']);
  });

  it('reads /etc/default/ufw and turns IPv6 on without touching the rest', () => {
    const text = '# comment\nIPV6=no\nDEFAULT_INPUT_POLICY="DROP"\n';
    expect(parseUfwDefaults(text)).toMatchObject({ ipv6: false, incoming: 'deny' });
    expect(withUfwIpv6(text)).toBe('# comment\nIPV6=yes\nDEFAULT_INPUT_POLICY="DROP"\n');
    expect(withUfwIpv6(withUfwIpv6(text))).toBe(withUfwIpv6(text));
  });

  it('reads the live table of `ufw status verbose`', () => {
    const st = parseUfwStatus(`Status: active
Logging: on (low)
Default: deny (incoming), allow (outgoing), deny (routed)
New profiles: skip

To                         Action      From
--                         ------      ----
2222/tcp                   ALLOW IN    Anywhere                   # stack-wizard ssh
Anywhere                   REJECT IN   203.0.113.66               # fail2ban sshd
2222/tcp (v6)              ALLOW IN    Anywhere (v6)              # stack-wizard ssh

Anywhere                   REJECT FWD  203.0.113.66               # fail2ban sshd
`);
    expect(st.active).toBe(true);
    expect(st.entries).toEqual([
      { to: '2222/tcp', action: 'ALLOW', direction: 'IN', from: 'Anywhere', v6: false, comment: 'stack-wizard ssh' },
      { to: 'Anywhere', action: 'REJECT', direction: 'IN', from: '203.0.113.66', v6: false, comment: 'fail2ban sshd' },
      { to: '2222/tcp (v6)', action: 'ALLOW', direction: 'IN', from: 'Anywhere (v6)', v6: true, comment: 'stack-wizard ssh' },
      { to: 'Anywhere', action: 'REJECT', direction: 'FWD', from: '203.0.113.66', v6: false, comment: 'fail2ban sshd' },
    ]);
    expect(parseUfwStatus('Status: inactive\n')).toEqual({ active: false, entries: [] });
  });
});

describe('Swarm ports between the nodes (#20.4)', () => {
  const swarm = (nodes?: string[], firewall = true) =>
    plan({
      deploy: 'swarm',
      swarm: nodes ? { nodes } : {},
      security: { firewall, fail2ban: true, sshPort: 'auto', extraPorts: [], ignoreIp: [] },
    });
  const NODES = ['10.0.0.12', '10.0.0.11', 'fd00::13', '10.0.0.11'];

  it('each Swarm port from each listed node only, nodes sorted and once each; nothing on a single server', () => {
    expect(wantedPeerAllows(swarm(NODES)).map((p) => `${p.from} ${p.port}/${p.proto}`)).toEqual(
      ['10.0.0.11', '10.0.0.12', 'fd00::13'].flatMap((n) => [`${n} 2377/tcp`, `${n} 7946/tcp`, `${n} 7946/udp`, `${n} 4789/udp`]),
    );
    expect(wantedPeerAllows(plan())).toEqual([]);
    // Not one of them opens a Swarm port to everyone, and the plain allows are unchanged (SSH first).
    expect(wantedAllows(swarm(NODES)).map((w) => w.port)).toEqual([2222, 80, 443]);
    expect(peerAllowArgs(wantedPeerAllows(swarm(NODES))[0]!)).toEqual(
      ['allow', 'from', '10.0.0.11', 'to', 'any', 'port', '2377', 'proto', 'tcp', 'comment', 'stack-wizard swarm'],
    );
  });

  it('the plan warns when the firewall is on and no node is listed; a range or a name is refused at the answers', () => {
    expect(swarm().warnings.map((w) => w.key)).toContain('warn.swarmNoNodes');
    expect(swarm(NODES).warnings.map((w) => w.key)).not.toContain('warn.swarmNoNodes');
    expect(swarm(undefined, false).warnings.map((w) => w.key)).not.toContain('warn.swarmNoNodes');
    for (const bad of ['10.0.0.0/24', 'node-2', '0.0.0.0/0', '10.0.0.1; reboot']) {
      const r = AnswersSchema.safeParse({ project: 'shop', app: { image: 'ghcr.io/example/api:1.0.0' }, deploy: 'swarm', swarm: { nodes: [bad] } });
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]).toMatchObject({ path: ['swarm', 'nodes', 0], message: 'v.nodeAddress' });
    }
  });

  it('on a fresh ufw: SSH and the web ports first, then the peer rules; once applied nothing changes', () => {
    const p = swarm(['10.0.0.11', '10.0.0.12']);
    const ch = ufwChanges([], DEFAULTS, wantedAllows(p), false, [], wantedPeerAllows(p));
    expect(ch.add.map((w) => w.port)).toEqual([2222, 80, 443]);
    expect(ch.addPeers).toHaveLength(8);
    const after = rulesAfter([], ch).map((r) => r.text);
    expect(after[0]).toBe("allow 2222/tcp comment 'stack-wizard ssh'");
    expect(after.slice(3)).toContain("allow from 10.0.0.12 to any port 4789 proto udp comment 'stack-wizard swarm'");
    // As `ufw show added` prints them back (with or without /32): nothing to add or remove.
    const applied = parseUfwAdded(
      [...ch.add.map((w) => `ufw allow ${w.port}/tcp`), ...ch.addPeers.map((x, i) => `ufw allow from ${x.from}${i % 2 ? '/32' : ''} to any port ${x.port} proto ${x.proto} comment 'stack-wizard swarm'`)].join('\n'),
    );
    expect(ufwChanges(applied, DEFAULTS, wantedAllows(p), false, [], wantedPeerAllows(p))).toMatchObject({ add: [], addPeers: [], remove: [] });
  });

  it('removes a Swarm port opened to everyone, from a range, or from a node no longer listed; the guard still passes', () => {
    const p = swarm(['10.0.0.11']);
    const cur = parseUfwAdded(`ufw allow 2222/tcp
ufw allow 80/tcp
ufw allow 443/tcp
ufw allow 2377/tcp
ufw allow from 10.0.0.0/24 to any port 7946 proto udp
ufw allow from 10.0.0.99 to any port 4789 proto udp comment 'stack-wizard swarm'
ufw allow from 10.0.0.11 to any port 2377 proto tcp comment 'stack-wizard swarm'`);
    const ch = ufwChanges(cur, DEFAULTS, wantedAllows(p), false, [], wantedPeerAllows(p));
    expect(ch.remove.map((r) => r.text)).toEqual([
      'allow 2377/tcp',
      'allow from 10.0.0.0/24 to any port 7946 proto udp',
      "allow from 10.0.0.99 to any port 4789 proto udp comment 'stack-wizard swarm'",
    ]);
    expect(ch.addPeers.map((x) => `${x.port}/${x.proto}`)).toEqual(['7946/tcp', '7946/udp', '4789/udp']);
    const g = { sessions: [{ address: '198.51.100.7', port: 2222 }], sshdPorts: [2222], rules: rulesAfter(cur, ch), incoming: 'deny' as const, ipv6: true };
    expect(guardFirewall(g)).toBeNull();
  });

  it('security status counts the peer rules as wanted, not unexpected', async () => {
    const { ufwAgainstPlan } = await import('../../src/domain/firewall.js');
    const p = swarm(['10.0.0.11']);
    const rules = parseUfwAdded(`ufw allow from 10.0.0.11 to any port 2377 proto tcp comment 'stack-wizard swarm'\nufw allow 4789/udp`);
    const v = ufwAgainstPlan({ active: true, defaults: DEFAULTS, entries: [], rules }, p);
    expect(v.unexpected).toEqual(['allow 4789/udp']);
  });

  it('DOCKER-USER on a swarm node: host-mode ports come through docker_gwbridge and obey the same policy', () => {
    const specs = dockerUserRuleSpecs(dockerUserBlock(swarm(['10.0.0.11']), 4));
    expect(specs).toContain('-A DOCKER-USER -i docker_gwbridge -j RETURN');
    expect(specs.indexOf('-A DOCKER-USER -o docker_gwbridge -j DROP')).toBeGreaterThan(specs.findIndex((l) => l.includes('--ctorigdstport 80 ')));
    expect(dockerUserBlock(plan(), 4)).not.toContain('docker_gwbridge');
  });
});

describe('DOCKER-USER block', () => {
  const p = plan({ components: { redis: true, worker: false, rabbitmq: true, minio: true, monitoring: false } });
  const v4 = dockerUserBlock(p, 4);

  it('lets containers talk, checks ufw route rules (bans) first, then lets through only the published web ports', () => {
    const rules = dockerUserRuleSpecs(v4);
    expect(rules).toEqual([
      '-A DOCKER-USER -i docker0 -j RETURN',
      '-A DOCKER-USER -i br-+ -j RETURN',
      '-A DOCKER-USER -j ufw-user-forward',
      '-A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
      '-A DOCKER-USER -p tcp -m conntrack --ctstate DNAT --ctorigdstport 80 -j RETURN',
      '-A DOCKER-USER -p tcp -m conntrack --ctstate DNAT --ctorigdstport 443 -j RETURN',
      '-A DOCKER-USER -o docker0 -j DROP',
      '-A DOCKER-USER -o br-+ -j DROP',
      '-A DOCKER-USER -j RETURN',
    ]);
    // Databases and queues are never let through, even if something publishes them.
    for (const port of [3306, 6379, 5672, 9000, 2222]) expect(v4).not.toContain(`--ctorigdstport ${port} `);
    expect(v4).toMatch(/^\*filter\n:DOCKER-USER - \[0:0\]\n:ufw-user-forward - \[0:0\]$/m);
    expect(v4.trim().split('\n').at(-2)).toBe('COMMIT');
  });

  it('IPv6 uses ufw6-user-forward; extra ports are let through too', () => {
    const v6 = dockerUserBlock(plan({ security: { firewall: true, fail2ban: true, sshPort: 'auto', extraPorts: [8888], ignoreIp: [] } }), 6);
    expect(v6).toContain('-A DOCKER-USER -j ufw6-user-forward');
    expect(v6).not.toContain('ufw-user-forward');
    expect(v6).toContain('--ctorigdstport 8888 -j RETURN');
  });

  it('merges into Debian\'s after.rules: appended once, replaced in place later, everything else kept byte for byte', () => {
    const stock = readFileSync(new URL('../fixtures/debian-12/etc/ufw/after.rules', import.meta.url), 'utf8');
    const once = mergeManagedBlock(stock, v4);
    expect(once.startsWith(stock)).toBe(true);
    expect(once.split(AFTER_RULES_BEGIN)).toHaveLength(2);
    expect(mergeManagedBlock(once, v4)).toBe(once);
    const other = dockerUserBlock(plan({ ports: { http: 8080, https: 443 } }), 4);
    const changed = mergeManagedBlock(once, other);
    expect(changed).toContain('--ctorigdstport 8080');
    expect(changed).not.toContain('--ctorigdstport 80 ');
    expect(changed.startsWith(stock)).toBe(true);
    expect(mergeManagedBlock(`${once}# operator's own line\n`, other).endsWith("# operator's own line\n")).toBe(true);
  });

  it('refuses to guess when the block is damaged', () => {
    expect(() => mergeManagedBlock(`x\n${AFTER_RULES_BEGIN}\n*filter\n`, v4)).toThrow(ManagedBlockError);
    expect(() => mergeManagedBlock(`x\n${AFTER_RULES_END}\n`, v4)).toThrow(ManagedBlockError);
  });
});

describe('lock-out guard', () => {
  const p = plan();
  const base = (o: Partial<GuardInput> = {}): GuardInput => {
    const ch = ufwChanges([], DEFAULTS, wantedAllows(p));
    return { sessions: [{ address: '198.51.100.7', port: 2222 }], sshdPorts: [2222], rules: rulesAfter([], ch), incoming: 'deny', ipv6: true, ...o };
  };

  it('lets a rule set through that keeps sshd\'s port and the session open', () => {
    expect(guardFirewall(base())).toBeNull();
  });

  it('refuses when the session came in on a port that would be closed', () => {
    expect(guardFirewall(base({ sessions: [{ address: '198.51.100.7', port: 22 }] }))).toEqual({ reason: 'sessionPortClosed', port: 22, address: '198.51.100.7' });
  });

  it('refuses when a port sshd listens on would be closed', () => {
    expect(guardFirewall(base({ sshdPorts: [2222, 2200] }))).toEqual({ reason: 'sshdPortClosed', port: 2200 });
  });

  it('refuses when a kept deny rule covers the operator\'s address (it comes before our allow)', () => {
    const deny = parseUfwAdded('ufw deny from 198.51.100.0/24');
    const ch = ufwChanges(deny, DEFAULTS, wantedAllows(p));
    expect(guardFirewall(base({ rules: rulesAfter(deny, ch) }))).toEqual({ reason: 'sessionDenied', port: 2222, address: '198.51.100.7', rule: 'deny from 198.51.100.0/24' });
    // A ban of someone else, or a deny on another port, does not touch the session.
    const other = parseUfwAdded('ufw reject from 203.0.113.66\nufw deny from 198.51.100.0/24 to any port 3306');
    expect(guardFirewall(base({ rules: rulesAfter(other, ufwChanges(other, DEFAULTS, wantedAllows(p))) }))).toBeNull();
  });

  it('checks IPv6 sessions against IPv6 ranges and refuses when ufw would drop IPv6', () => {
    const deny = parseUfwAdded('ufw deny from 2001:db8:1::/48');
    const rules = rulesAfter(deny, ufwChanges(deny, DEFAULTS, wantedAllows(p)));
    expect(guardFirewall(base({ rules, sessions: [{ address: '2001:db8:1::5', port: 2222 }] }))?.reason).toBe('sessionDenied');
    expect(guardFirewall(base({ rules, sessions: [{ address: '2001:db8:2::5', port: 2222 }] }))).toBeNull();
    expect(guardFirewall(base({ ipv6: false, sessions: [{ address: '2001:db8:2::5', port: 2222 }] }))).toEqual({ reason: 'ipv6Off', address: '2001:db8:2::5' });
  });

  it('an allow for one interface keeps sshd reachable there, but admits no session (the client may come in elsewhere)', () => {
    const rules = parseUfwAdded('ufw allow in on eth1 to any port 2200 proto tcp');
    expect(guardFirewall(base({ rules, sshdPorts: [2200], sessions: [] }))).toBeNull();
    expect(guardFirewall(base({ rules, sshdPorts: [2200], sessions: [{ address: '198.51.100.7', port: 2200 }] }))).toEqual({ reason: 'sessionPortClosed', port: 2200, address: '198.51.100.7' });
    // Closed to everyone before that rule is reached: closed.
    const shut = parseUfwAdded('ufw deny 2200/tcp\nufw allow in on eth1 to any port 2200 proto tcp');
    expect(guardFirewall(base({ rules: shut, sshdPorts: [2200], sessions: [] }))).toEqual({ reason: 'sshdPortClosed', port: 2200 });
  });

  it('a console session (no SSH) only needs sshd\'s ports kept open', () => {
    expect(guardFirewall(base({ sessions: [] }))).toBeNull();
  });
});

describe('addresses', () => {
  it('contains and parses v4, v6 and mapped addresses', () => {
    expect(cidrContains('203.0.113.0/24', '203.0.113.66')).toBe(true);
    expect(cidrContains('203.0.113.0/25', '203.0.113.200')).toBe(false);
    expect(cidrContains('203.0.113.66', '::ffff:203.0.113.66')).toBe(true);
    expect(cidrContains('2001:db8::/32', '2001:db8:ffff::1')).toBe(true);
    expect(cidrContains('2001:db8::/32', '2001:db9::1')).toBe(false);
    expect(cidrContains('10.0.0.0/8', '2001:db8::1')).toBe(false);
    expect(parseCidr('any')).toBeNull();
    expect(parseCidr('10.0.0.0/33')).toBeNull();
  });
});

describe('fail2ban jails', () => {
  const host: Fail2banHost = { sshLog: { backend: 'systemd' }, banWith: 'ufw', dockerUser: true, fail2banLog: { backend: 'file', path: '/var/log/fail2ban.log' }, operatorAddresses: ['198.51.100.7'] };
  const p = plan({ installDir: '/srv/shop', security: { firewall: true, fail2ban: true, sshPort: 'auto', extraPorts: [], ignoreIp: ['10.8.0.0/16', '198.51.100.7'] } });

  it('ignores loopback, the operator\'s address and security.ignoreIp, each once', () => {
    expect(ignoreIps(p, ['198.51.100.7'])).toEqual(['127.0.0.1/8', '::1', '198.51.100.7', '10.8.0.0/16']);
    expect(ignoreIps(p, [])).toEqual(['127.0.0.1/8', '::1', '10.8.0.0/16', '198.51.100.7']);
  });

  it('sshd reads the journal on Debian 12, on sshd\'s real port; the web jails read our Nginx logs; bans go through ufw', () => {
    const j = renderJails(p, host);
    expect(j).toMatch(/\[sshd\]\nenabled = true\nport = 2222\n(?:#.*\n)*backend = systemd\n/);
    expect(j).toContain('ignoreip = 127.0.0.1/8 ::1 198.51.100.7 10.8.0.0/16');
    expect(j).toContain('banaction = stack-wizard-ufw');
    expect(j).toContain(`[${JAILS.limit}]`);
    expect(j).toContain('logpath = /srv/shop/logs/nginx/error.log');
    expect(j).toContain('logpath = /srv/shop/logs/nginx/access.log');
    expect(j).toContain('[recidive]');
    expect(j).toMatch(/\[recidive\]\nenabled = true\nbackend = auto\nlogpath = \/var\/log\/fail2ban\.log\n/);
    expect(j).not.toContain('iptables');
  });

  it('with auth.log the sshd jail reads the file; without ufw bans go to iptables, DOCKER-USER included', () => {
    const j = renderJails(p, { ...host, sshLog: { backend: 'file', path: '/var/log/auth.log' }, banWith: 'iptables' });
    expect(j).toMatch(/\[sshd\]\nenabled = true\nport = 2222\nbackend = auto\nlogpath = \/var\/log\/auth\.log\n/);
    expect(j).toContain('banaction = iptables-allports');
    expect(j).toContain('iptables-allports[actname=docker, name=%(__name__)s-docker, chain=DOCKER-USER]');
    expect(renderJails(p, { ...host, banWith: 'iptables', dockerUser: false })).not.toContain('DOCKER-USER');
    expect(renderFail2ban(p, host).map((f) => f.path)).toContain('/etc/fail2ban/action.d/stack-wizard-ufw.conf');
    expect(renderFail2ban(p, { ...host, banWith: 'iptables' }).map((f) => f.path)).not.toContain('/etc/fail2ban/action.d/stack-wizard-ufw.conf');
  });

  it('the ufw action bans in INPUT and in the route rules DOCKER-USER checks, under one lock', () => {
    const action = renderFail2ban(p, host).find((f) => f.path.endsWith('stack-wizard-ufw.conf'))!.content;
    expect(action).toMatch(/^actionban = flock -w 60 \S+ ufw prepend <blocktype> from <ip> to any comment "fail2ban <name>"\n\s+flock -w 60 \S+ ufw route prepend <blocktype> from <ip> to any/m);
    expect(action).toMatch(/^actionunban = flock -w 60 \S+ ufw delete <blocktype> from <ip> to any\n\s+flock -w 60 \S+ ufw route delete/m);
  });

  it('no filter line ends in whitespace (fail2ban strips it, which would change the regex)', () => {
    for (const text of [renderScanFilter(p), renderLimitFilter(p)]) {
      for (const line of text.split('\n')) expect(line).toBe(line.trimEnd());
    }
  });

  it('is the same text for the same inputs', () => {
    expect(renderFail2ban(p, host)).toEqual(renderFail2ban(p, host));
  });
});

describe('kernel settings', () => {
  it('overcommit only where Redis runs; somaxconn raised, never lowered; swappiness lowered, never raised', () => {
    const withRedis = sysctlSettings(plan(), { 'net.core.somaxconn': 128, 'vm.swappiness': 60 });
    expect(withRedis.map((s) => [s.key, s.value])).toEqual([['vm.overcommit_memory', 1], ['net.core.somaxconn', 4096], ['vm.swappiness', 10]]);
    const noRedis = sysctlSettings(plan({ components: { redis: false, worker: false, rabbitmq: false, minio: false, monitoring: false } }), { 'net.core.somaxconn': 65535, 'vm.swappiness': 1 });
    expect(noRedis.map((s) => [s.key, s.value])).toEqual([['net.core.somaxconn', 65535], ['vm.swappiness', 1]]);
  });

  it('renders a sysctl.d file with a reason per line that reads back to the same values', () => {
    const p = plan();
    const s = sysctlSettings(p, {});
    const text = renderSysctl(p, s);
    expect(parseSysctlFile(text)).toEqual({ 'vm.overcommit_memory': 1, 'net.core.somaxconn': 4096, 'vm.swappiness': 10 });
    for (const x of s) expect(text).toContain(`# ${x.reason}\n${x.key} = ${x.value}`);
  });
});

describe('swap', () => {
  it('is half the RAM, rounded up to 512 MiB, between 1 and 2 GiB', () => {
    expect([512, 1024, 1990, 2048, 2500, 3790, 4096].map(swapSizeMiB)).toEqual([1024, 1024, 1024, 1024, 1536, 2048, 2048]);
  });

  it('only on hosts with 4 GB or less, without swap, not in a container, with disk to spare', () => {
    const base = { ramMiB: 3790, swapMiB: 0, freeDiskMiB: 40_000, container: false };
    expect(swapDecision(base)).toEqual({ create: true, sizeMiB: 2048 });
    expect(swapDecision({ ...base, ramMiB: SWAP_MAX_RAM_MIB })).toEqual({ create: true, sizeMiB: 2048 });
    expect(swapDecision({ ...base, ramMiB: 7680 })).toEqual({ create: false, reason: 'enoughRam' });
    expect(swapDecision({ ...base, swapMiB: 1024 })).toEqual({ create: false, reason: 'hasSwap' });
    expect(swapDecision({ ...base, container: true })).toEqual({ create: false, reason: 'container' });
    expect(swapDecision({ ...base, freeDiskMiB: 6000 })).toEqual({ create: false, reason: 'lowDisk', sizeMiB: 2048 });
  });

  it('adds the fstab line once', () => {
    const fstab = 'UUID=abc / ext4 errors=remount-ro 0 1\n';
    const once = fstabWithSwap(fstab)!;
    expect(once).toBe(`${fstab}/swapfile none swap sw 0 0\n`);
    expect(fstabWithSwap(once)).toBeNull();
    expect(fstabWithSwap('# /swapfile none swap sw 0 0\n')).not.toBeNull();
  });

  it('reads /proc/swaps', () => {
    expect(parseProcSwaps('Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/swapfile                               file\t\t2097148\t\t0\t\t-2\n')).toEqual([
      { path: '/swapfile', type: 'file', sizeKiB: 2097148, usedKiB: 0 },
    ]);
    expect(parseProcSwaps('Filename\tType\tSize\tUsed\tPriority\n')).toEqual([]);
  });
});

describe('log rotation', () => {
  it('rotates the Nginx logs in the install dir and makes Nginx reopen them', () => {
    const text = renderLogrotate(plan({ installDir: '/srv/shop' }));
    expect(text).toContain('"/srv/shop/logs/nginx/access.log" "/srv/shop/logs/nginx/error.log" {');
    expect(text).toContain('docker compose -f /srv/shop/docker-compose.yml kill -s USR1 nginx');
    expect(text).toMatch(/\n\s+delaycompress\n/);
  });
});

describe('parsers of host output', () => {
  it('finds SSH sessions in `ss -Htnp state established`, v4, v6 and mapped', () => {
    const ss = `0      0      172.18.0.2:2222     203.0.113.20:40122 users:(("sshd",pid=811,fd=4),("sshd",pid=806,fd=4))
0      0      172.18.0.2:80       203.0.113.30:50000 users:(("docker-proxy",pid=90,fd=7))
0      0      [::ffff:172.18.0.2]:2222 [::ffff:203.0.113.21]:40123 users:(("sshd-session",pid=900,fd=4))
0      36     [2001:db8::2]:22    [2001:db8::7]:51000 users:(("sshd",pid=901,fd=4))`;
    expect(parseSshSessions(ss)).toEqual([
      { address: '203.0.113.20', port: 2222 },
      { address: '203.0.113.21', port: 2222 },
      { address: '2001:db8::7', port: 22 },
    ]);
  });

  it('reads fail2ban-client status output', () => {
    expect(parseJailList('Status\n|- Number of jail:\t4\n`- Jail list:\trecidive, sshd, stack-wizard-nginx-limit, stack-wizard-nginx-scan\n')).toEqual([
      'recidive', 'sshd', 'stack-wizard-nginx-limit', 'stack-wizard-nginx-scan',
    ]);
    const j = parseJailStatus('sshd', `Status for the jail: sshd
|- Filter
|  |- Currently failed:\t2
|  |- Total failed:\t9
|  \`- Journal matches:\t_SYSTEMD_UNIT=sshd.service + _COMM=sshd
\`- Actions
   |- Currently banned:\t1
   |- Total banned:\t3
   \`- Banned IP list:\t203.0.113.66
`);
    expect(j).toEqual({ name: 'sshd', currentlyFailed: 2, currentlyBanned: 1, totalBanned: 3, bannedIps: ['203.0.113.66'] });
    expect(parseJailStatus('x', 'Currently banned:\t0\nBanned IP list:\t\n').bannedIps).toEqual([]);
  });

  it('follows fail2ban\'s logtarget through its override files', () => {
    expect(parseLogTarget(['[Definition]\nlogtarget = /var/log/fail2ban.log\n'])).toBe('/var/log/fail2ban.log');
    expect(parseLogTarget(['[Definition]\nlogtarget = /var/log/fail2ban.log\n', '[Definition]\nlogtarget = SYSTEMD-JOURNAL\n'])).toBe('SYSTEMD-JOURNAL');
  });

  it('sees a read-only /proc/sys (a container)', () => {
    expect(procSysReadOnly('proc /proc proc rw,nosuid 0 0\nproc /proc/sys proc ro,nosuid,nodev,noexec,relatime 0 0\n')).toBe(true);
    expect(procSysReadOnly('proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n')).toBe(false);
  });
});

describe('what fail2ban bans with, on hosts without ufw', () => {
  const none = { ufwActive: false, firewalld: false, iptables: false, nft: false };
  it('ufw when the stack runs it (or it is on anyway); else the firewall the host has: firewalld, iptables, nftables; or nothing', () => {
    expect(banBackend(true, { ...none, firewalld: true, iptables: true })).toBe('ufw');
    expect(banBackend(false, { ...none, ufwActive: true, iptables: true })).toBe('ufw');
    expect(banBackend(false, { ...none, firewalld: true, iptables: true, nft: true })).toBe('firewalld');
    expect(banBackend(false, { ...none, iptables: true, nft: true })).toBe('iptables');
    expect(banBackend(false, { ...none, nft: true })).toBe('nftables');
    expect(banBackend(false, none)).toBeNull();
  });

  it('the jails use fail2ban\'s own action for firewalld and for nftables', () => {
    const p = plan();
    const host: Fail2banHost = { sshLog: { backend: 'systemd' }, banWith: 'firewalld', dockerUser: false, fail2banLog: { backend: 'systemd' }, operatorAddresses: [] };
    expect(renderJails(p, host)).toContain('banaction = firewallcmd-allports\nbanaction_allports = firewallcmd-allports\n');
    expect(renderJails(p, { ...host, banWith: 'nftables' })).toContain('banaction = nftables-allports\nbanaction_allports = nftables-allports\n');
    expect(renderFail2ban(p, { ...host, banWith: 'nftables' }).map((f) => f.path)).not.toContain('/etc/fail2ban/action.d/stack-wizard-ufw.conf');
  });
});

describe('ufw against the plan (security status and doctor read it the same way)', () => {
  it('an operator\'s `ufw limit` on the SSH port is SSH open, not an extra; a database port is', async () => {
    const { ufwAgainstPlan } = await import('../../src/domain/firewall.js');
    const status = `Status: active
Logging: on (low)
Default: deny (incoming), allow (outgoing), deny (routed)
New profiles: skip

To                         Action      From
--                         ------      ----
2222/tcp                   LIMIT IN    Anywhere
80/tcp                     ALLOW IN    Anywhere
443/tcp                    ALLOW IN    Anywhere
3306/tcp                   ALLOW IN    Anywhere
2222/tcp (v6)              LIMIT IN    Anywhere (v6)
80/tcp (v6)                ALLOW IN    Anywhere (v6)
443/tcp (v6)               ALLOW IN    Anywhere (v6)
`;
    const added = `Added user rules (see 'ufw status' for running firewall):
ufw limit 2222/tcp
ufw allow 80/tcp comment 'stack-wizard http'
ufw allow 443/tcp comment 'stack-wizard https'
ufw allow 3306/tcp`;
    const st = parseUfwStatus(status);
    const ufw = { installed: true, readable: true, active: st.active, defaults: DEFAULTS, defaultsText: null, rules: parseUfwAdded(added), entries: st.entries, afterRules: null, after6Rules: null };
    const v = ufwAgainstPlan(ufw, plan());
    expect(v.ports).toEqual([
      { port: 2222, purpose: 'ssh', v4: true, v6: true },
      { port: 80, purpose: 'http', v4: true, v6: true },
      { port: 443, purpose: 'https', v4: true, v6: true },
    ]);
    expect(v.unexpected).toEqual(['allow 3306/tcp']);
  });
});
