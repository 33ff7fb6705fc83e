// The firewall pieces against the real ufw and iptables: our after.rules block loads into a real
// DOCKER-USER chain, survives `ufw reload` without piling up, fail2ban's ban action (run exactly as
// fail2ban would) lands in ufw's INPUT and route chains for IPv4 and IPv6 and is undone by unban,
// and after all that the rules read back as "nothing to change". Everything runs in a private
// network and mount namespace with its own copy of /etc/ufw, so this machine's firewall is untouched.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswersSchema } from '../../src/domain/answers.js';
import { buildPlan } from '../../src/domain/plan.js';
import { dockerUserBlock, dockerUserRuleSpecs, mergeManagedBlock } from '../../src/render/security-ufw.js';
import {
  allowArgs, guardFirewall, parseUfwAdded, rulesAfter, sessionAllowArgs, ufwChanges, ufwTokens as tokensOf, wantedAllows, type SshSession,
} from '../../src/domain/firewall.js';
import { parseUfwDefaults } from '../../src/host/security.js';
import { renderUfwAction } from '../../src/render/security-fail2ban.js';
import { makeFacts } from '../fixtures/facts.js';

const work = mkdtempSync(join(tmpdir(), 'sw-ufw-'));
const etcUfw = join(work, 'etc-ufw');
const defaultUfw = join(work, 'default-ufw');
cpSync('/etc/ufw', etcUfw, { recursive: true });
cpSync('/etc/default/ufw', defaultUfw);

const plan = buildPlan(
  AnswersSchema.parse({ project: 'demo', app: { image: 'ghcr.io/example/api:1.0.0' }, security: { firewall: true, fail2ban: true, sshPort: 'auto', extraPorts: [8443], ignoreIp: [] } }),
  makeFacts({ sshPorts: [2222] }),
);

let holder: ChildProcess | null = null;

/** A command inside the sandbox namespaces. */
function ns(cmd: string, args: string[] = [], check = true): { code: number; out: string } {
  const r = spawnSync('nsenter', ['-t', String(holder!.pid), '-m', '-n', cmd, ...args], { encoding: 'utf8' });
  if (check && r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { code: r.status ?? 1, out: r.stdout + r.stderr };
}
const sh = (script: string) => ns('sh', ['-c', script]);

/** fail2ban's actionban/actionunban with its tags filled in, as fail2ban runs it (through a shell). */
function action(kind: 'actionban' | 'actionunban', ip: string): string {
  const text = renderUfwAction(plan);
  const m = new RegExp(`^${kind} = (.*(?:\\n[ \\t]+.*)*)`, 'm').exec(text)!;
  return m[1]!.split('\n').map((l) => l.trim()).join('\n').replace(/<blocktype>/g, 'reject').replace(/<ip>/g, ip).replace(/<name>/g, 'sshd');
}

beforeAll(async () => {
  execFileSync('unshare', ['--version']);
  execFileSync('ufw', ['version']);
  writeFileSync(join(etcUfw, 'after.rules'), mergeManagedBlock(readFileSync(join(etcUfw, 'after.rules'), 'utf8'), dockerUserBlock(plan, 4)));
  writeFileSync(join(etcUfw, 'after6.rules'), mergeManagedBlock(readFileSync(join(etcUfw, 'after6.rules'), 'utf8'), dockerUserBlock(plan, 6)));
  holder = spawn('unshare', ['-m', '-n', '--propagation', 'private', 'sh', '-c',
    `mount --bind ${etcUfw} /etc/ufw && mount --bind ${defaultUfw} /etc/default/ufw && ip link set lo up && exec sleep 3600`], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const r = spawnSync('nsenter', ['-t', String(holder.pid), '-m', 'sh', '-c', `grep -q 'BEGIN stack-wizard' /etc/ufw/after.rules`]);
    if (r.status === 0) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  // What the firewall step runs on a fresh ufw: our allows, default deny, enable.
  const ch = ufwChanges([], parseUfwDefaults(readFileSync(defaultUfw, 'utf8')), wantedAllows(plan));
  for (const w of ch.add) ns('ufw', allowArgs(w));
  ns('ufw', ['default', 'deny', 'incoming']);
  ns('ufw', ['--force', 'enable']);
});

afterAll(() => {
  holder?.kill();
});

const chain = (ipt: string, name: string) => ns(ipt, ['-S', name]).out.split('\n').filter((l) => l.startsWith(`-A ${name} `));

describe('ufw with the stack-wizard block, in a private namespace', () => {
  it('this machine\'s own /etc/ufw is not the one being changed', () => {
    expect(readFileSync('/etc/ufw/after.rules', 'utf8')).not.toContain('stack-wizard');
  });

  it('DOCKER-USER holds exactly our rules, IPv4 and IPv6, and the allowed ports are open in INPUT', () => {
    expect(chain('iptables', 'DOCKER-USER')).toEqual(dockerUserRuleSpecs(dockerUserBlock(plan, 4)));
    expect(chain('ip6tables', 'DOCKER-USER')).toEqual(dockerUserRuleSpecs(dockerUserBlock(plan, 6)));
    const input = chain('iptables', 'ufw-user-input');
    for (const p of [2222, 80, 443, 8443]) expect(input).toContain(`-A ufw-user-input -p tcp -m tcp --dport ${p} -j ACCEPT`);
    expect(input.join('\n')).not.toMatch(/--dport 22 /);
    expect(chain('ip6tables', 'ufw6-user-input')).toContain('-A ufw6-user-input -p tcp -m tcp --dport 2222 -j ACCEPT');
    expect(ns('iptables', ['-S', 'INPUT']).out).toMatch(/^-P INPUT DROP$/m);
  });

  it('fail2ban\'s ban lands in INPUT and in the route chain DOCKER-USER checks, for IPv4 and IPv6', () => {
    sh(action('actionban', '203.0.113.66'));
    sh(action('actionban', '2001:db8::66'));
    expect(chain('iptables', 'ufw-user-input')[0]).toBe('-A ufw-user-input -s 203.0.113.66/32 -j REJECT --reject-with icmp-port-unreachable');
    expect(chain('iptables', 'ufw-user-forward')).toEqual(['-A ufw-user-forward -s 203.0.113.66/32 -j REJECT --reject-with icmp-port-unreachable']);
    expect(chain('ip6tables', 'ufw6-user-forward')).toEqual(['-A ufw6-user-forward -s 2001:db8::66/128 -j REJECT --reject-with icmp6-port-unreachable']);
    expect(chain('ip6tables', 'ufw6-user-input')[0]).toMatch(/^-A ufw6-user-input -s 2001:db8::66\/128 -j REJECT/);
    // A second ban of the same address (fail2ban restoring bans after a restart) adds nothing.
    sh(action('actionban', '203.0.113.66'));
    expect(chain('iptables', 'ufw-user-forward')).toHaveLength(1);
  });

  it('ufw reload rebuilds DOCKER-USER once (no duplicates) and keeps the bans', () => {
    ns('ufw', ['reload']);
    ns('ufw', ['reload']);
    expect(chain('iptables', 'DOCKER-USER')).toEqual(dockerUserRuleSpecs(dockerUserBlock(plan, 4)));
    expect(chain('iptables', 'ufw-user-forward')).toEqual(['-A ufw-user-forward -s 203.0.113.66/32 -j REJECT --reject-with icmp-port-unreachable']);
  });

  it('read back, the rules need no change, and the bans are not taken for extra open ports', () => {
    const added = parseUfwAdded(ns('ufw', ['show', 'added']).out);
    const ch = ufwChanges(added, parseUfwDefaults(readFileSync(defaultUfw, 'utf8')), wantedAllows(plan));
    expect(ch).toMatchObject({ add: [], remove: [], setIncomingDeny: false, keep: [], sessionAllows: [] });
    expect(added.filter((r) => r.action === 'reject').map((r) => r.text).sort()).toEqual([
      "reject from 2001:db8::66 comment 'fail2ban sshd'",
      "reject from 203.0.113.66 comment 'fail2ban sshd'",
      "route reject from 2001:db8::66 comment 'fail2ban sshd'",
      "route reject from 203.0.113.66 comment 'fail2ban sshd'",
    ]);
  });

  it('unban removes both rules', () => {
    sh(action('actionunban', '203.0.113.66'));
    sh(action('actionunban', '2001:db8::66'));
    expect(chain('iptables', 'ufw-user-forward')).toEqual([]);
    expect(chain('ip6tables', 'ufw6-user-forward')).toEqual([]);
    expect(chain('iptables', 'ufw-user-input').join('\n')).not.toContain('203.0.113.66');
  });
});

describe('the operator\'s narrower SSH rule is kept, not widened (real ufw, same namespace)', () => {
  const defaults = () => parseUfwDefaults(readFileSync(defaultUfw, 'utf8'));
  const added = () => parseUfwAdded(ns('ufw', ['show', 'added']).out);
  /** What the firewall step runs for these changes, in its order. */
  function apply(sessions: SshSession[]) {
    const ch = ufwChanges(added(), defaults(), wantedAllows(plan), false, sessions);
    for (const w of ch.add) ns('ufw', allowArgs(w));
    for (const x of ch.sessionAllows) ns('ufw', sessionAllowArgs(x));
    for (const r of ch.remove) ns('ufw', ['delete', ...tokensOf(r.text)]);
    return ch;
  }
  const input = () => chain('iptables', 'ufw-user-input').concat(chain('iptables', 'ufw-user-limit-accept'));

  it('`ufw limit` on the SSH port stays the only rule for it: no allow from anywhere is added', () => {
    ns('ufw', ['delete', 'allow', '2222/tcp']);
    ns('ufw', ['limit', '2222/tcp']);
    const ch = apply([{ address: '198.51.100.7', port: 2222 }]);
    expect(ch.keep.map((r) => r.text)).toEqual(['limit 2222/tcp']);
    expect(ch.add).toEqual([]);
    // iptables: 2222 goes through ufw's rate limit, and has no plain ACCEPT beside it.
    expect(chain('iptables', 'ufw-user-input').join('\n')).toMatch(/--dport 2222 .*--set/);
    expect(chain('iptables', 'ufw-user-input')).not.toContain('-A ufw-user-input -p tcp -m tcp --dport 2222 -j ACCEPT');
    expect(guardFirewall({ sessions: [{ address: '198.51.100.7', port: 2222 }], sshdPorts: [2222], rules: added(), incoming: 'deny', ipv6: true })).toBeNull();
  });

  it('an allow from the office only stays; the session from elsewhere gets its own address allowed; a second run changes nothing', () => {
    ns('ufw', ['delete', 'limit', '2222/tcp']);
    ns('ufw', ['allow', 'from', '10.8.0.0/16', 'to', 'any', 'port', '2222', 'proto', 'tcp']);
    const sessions = [{ address: '198.51.100.7', port: 2222 }];
    const ch = apply(sessions);
    expect(ch.keep.map((r) => r.text)).toEqual(['allow from 10.8.0.0/16 to any port 2222 proto tcp']);
    expect(ch.sessionAllows).toEqual(sessions);
    const rules = input();
    expect(rules).toContain('-A ufw-user-input -s 10.8.0.0/16 -p tcp -m tcp --dport 2222 -j ACCEPT');
    expect(rules).toContain('-A ufw-user-input -s 198.51.100.7/32 -p tcp -m tcp --dport 2222 -j ACCEPT');
    // Never opened to everyone.
    expect(rules.filter((l) => /--dport 2222 /.test(l) && !/ -s /.test(l))).toEqual([]);
    expect(guardFirewall({ sessions, sshdPorts: [2222], rules: added(), incoming: 'deny', ipv6: true })).toBeNull();
    expect(ufwChanges(added(), defaults(), wantedAllows(plan), false, sessions)).toMatchObject({ add: [], remove: [], sessionAllows: [] });
    expect(rulesAfter(added(), ufwChanges(added(), defaults(), wantedAllows(plan), false, sessions)).map((r) => r.text)).toEqual(added().map((r) => r.text));
  });
});
