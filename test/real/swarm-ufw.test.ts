// The Swarm ports against the real ufw (#20.4): the firewall step's commands for a swarm plan
// (ufwCommands, in the step's order) open 2377/tcp, 7946/tcp+udp and 4789/udp to each listed node
// only, never to the world; the operator's SSH rule stays first; a world-open Swarm port found on
// the host is removed; a node dropped from the list loses its rules; a second run changes nothing.
// Judged by what ufw and iptables/ip6tables hold afterwards. Everything runs in a private network
// and mount namespace with its own copy of /etc/ufw, so this machine's firewall is untouched.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswersSchema } from '../../src/domain/answers.js';
import { buildPlan, type Plan } from '../../src/domain/plan.js';
import { dockerUserBlock, dockerUserRuleSpecs, mergeManagedBlock } from '../../src/render/security-ufw.js';
import {
  guardFirewall,
  parseUfwAdded,
  rulesAfter,
  ufwChanges,
  ufwCommands,
  wantedAllows,
  wantedPeerAllows,
} from '../../src/domain/firewall.js';
import { parseUfwDefaults } from '../../src/host/security.js';
import { makeFacts } from '../fixtures/facts.js';

const work = mkdtempSync(join(tmpdir(), 'sw-swarm-ufw-'));
const etcUfw = join(work, 'etc-ufw');
const defaultUfw = join(work, 'default-ufw');
cpSync('/etc/ufw', etcUfw, { recursive: true });
cpSync('/etc/default/ufw', defaultUfw);

const swarmPlan = (nodes: string[]): Plan =>
  buildPlan(
    AnswersSchema.parse({
      project: 'demo',
      app: { image: 'ghcr.io/example/api:1.0.0' },
      deploy: 'swarm',
      swarm: { nodes },
      security: { firewall: true, fail2ban: true, sshPort: 'auto', extraPorts: [], ignoreIp: [] },
    }),
    makeFacts({ sshPorts: [2222] }),
  );
const NODES = ['10.0.0.11', '10.0.0.12', 'fd00::13'];
const SESSION = [{ address: '198.51.100.7', port: 2222 }];

let holder: ChildProcess | null = null;

function ns(cmd: string, args: string[] = []): string {
  const r = spawnSync('nsenter', ['-t', String(holder!.pid), '-m', '-n', cmd, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout + r.stderr;
}
const chain = (ipt: string, name: string) =>
  ns(ipt, ['-S', name])
    .split('\n')
    .filter((l) => l.startsWith(`-A ${name} `));
const added = () => parseUfwAdded(ns('ufw', ['show', 'added']));
const defaults = () => parseUfwDefaults(readFileSync(defaultUfw, 'utf8'));

/** What the firewall step runs for this plan on what ufw holds now, through the lock-out guard first. */
function apply(plan: Plan): string[][] {
  const ch = ufwChanges(added(), defaults(), wantedAllows(plan), false, SESSION, wantedPeerAllows(plan));
  expect(
    guardFirewall({
      sessions: SESSION,
      sshdPorts: [2222],
      rules: rulesAfter(added(), ch),
      incoming: 'deny',
      ipv6: true,
    }),
  ).toBeNull();
  const cmds = ufwCommands(ch);
  for (const args of cmds) ns('ufw', args);
  return cmds;
}

const SWARM = /--dport (?:2377|7946|4789) /;

beforeAll(async () => {
  execFileSync('unshare', ['--version']);
  execFileSync('ufw', ['version']);
  const plan = swarmPlan(NODES);
  for (const [f, fam] of [
    ['after.rules', 4],
    ['after6.rules', 6],
  ] as const)
    writeFileSync(
      join(etcUfw, f),
      mergeManagedBlock(readFileSync(join(etcUfw, f), 'utf8'), dockerUserBlock(plan, fam)),
    );
  holder = spawn(
    'unshare',
    [
      '-m',
      '-n',
      '--propagation',
      'private',
      'sh',
      '-c',
      `mount --bind ${etcUfw} /etc/ufw && mount --bind ${defaultUfw} /etc/default/ufw && ip link set lo up && exec sleep 3600`,
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 50; i++) {
    const r = spawnSync('nsenter', [
      '-t',
      String(holder.pid),
      '-m',
      'sh',
      '-c',
      `grep -q 'BEGIN stack-wizard' /etc/ufw/after.rules`,
    ]);
    if (r.status === 0) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  // The host as found: the operator's rate-limited SSH rule, and someone's Swarm port open to the world.
  ns('ufw', ['limit', '2222/tcp']);
  ns('ufw', ['allow', '2377/tcp']);
  ns('ufw', ['--force', 'enable']);
});

afterAll(() => {
  holder?.kill();
  rmSync(work, { recursive: true, force: true });
});

describe('Swarm ports between the nodes, real ufw in a private namespace', () => {
  it("this machine's own /etc/ufw is not the one being changed", () => {
    expect(readFileSync('/etc/ufw/user.rules', 'utf8')).not.toContain('stack-wizard swarm');
  });

  it("the step's commands: the operator's SSH rule stays first, then the web ports, each Swarm port from each node only", () => {
    const cmds = apply(swarmPlan(NODES));
    expect(cmds.map((c) => c.join(' '))).toContain('delete allow 2377/tcp');
    const rules = added().map((r) => r.text);
    expect(rules[0]).toBe('limit 2222/tcp');
    expect(rules.slice(1, 3)).toEqual([
      "allow 80/tcp comment 'stack-wizard http'",
      "allow 443/tcp comment 'stack-wizard https'",
    ]);
    const peers = rules.slice(3);
    expect(peers).toHaveLength(12);
    for (const node of NODES)
      for (const p of ['2377 proto tcp', '7946 proto tcp', '7946 proto udp', '4789 proto udp'])
        expect(peers).toContain(`allow from ${node} to any port ${p} comment 'stack-wizard swarm'`);
    expect(rules).not.toContain('allow 2377/tcp');
  });

  it('iptables: the Swarm ports accept the IPv4 nodes and nobody else; SSH is the first rule of the input chain', () => {
    const input = chain('iptables', 'ufw-user-input');
    expect(input[0]).toMatch(/--dport 2222 /);
    const swarm = input.filter((l) => SWARM.test(l));
    expect(swarm.sort()).toEqual(
      [
        '-A ufw-user-input -s 10.0.0.11/32 -p tcp -m tcp --dport 2377 -j ACCEPT',
        '-A ufw-user-input -s 10.0.0.11/32 -p tcp -m tcp --dport 7946 -j ACCEPT',
        '-A ufw-user-input -s 10.0.0.11/32 -p udp -m udp --dport 4789 -j ACCEPT',
        '-A ufw-user-input -s 10.0.0.11/32 -p udp -m udp --dport 7946 -j ACCEPT',
        '-A ufw-user-input -s 10.0.0.12/32 -p tcp -m tcp --dport 2377 -j ACCEPT',
        '-A ufw-user-input -s 10.0.0.12/32 -p tcp -m tcp --dport 7946 -j ACCEPT',
        '-A ufw-user-input -s 10.0.0.12/32 -p udp -m udp --dport 4789 -j ACCEPT',
        '-A ufw-user-input -s 10.0.0.12/32 -p udp -m udp --dport 7946 -j ACCEPT',
      ].sort(),
    );
    const v6 = chain('ip6tables', 'ufw6-user-input').filter((l) => SWARM.test(l));
    expect(v6).toHaveLength(4);
    for (const l of v6) expect(l).toMatch(/^-A ufw6-user-input -s fd00::13\/128 /);
    // Everything else is dropped: the default policy, and DOCKER-USER with the swarm's gateway bridge.
    expect(ns('iptables', ['-S', 'INPUT'])).toMatch(/^-P INPUT DROP$/m);
    expect(chain('iptables', 'DOCKER-USER')).toEqual(dockerUserRuleSpecs(dockerUserBlock(swarmPlan(NODES), 4)));
    expect(chain('iptables', 'DOCKER-USER')).toContain('-A DOCKER-USER -o docker_gwbridge -j DROP');
  });

  it('read back, a second run has nothing to do', () => {
    expect(apply(swarmPlan(NODES))).toEqual([]);
  });

  it('a node dropped from swarm.nodes loses its rules; the others and SSH stay', () => {
    const cmds = apply(swarmPlan(['10.0.0.11', 'fd00::13']));
    expect(cmds).toHaveLength(4);
    for (const c of cmds) expect(c.slice(0, 4)).toEqual(['delete', 'allow', 'from', '10.0.0.12']);
    const input = chain('iptables', 'ufw-user-input');
    expect(input.join('\n')).not.toContain('10.0.0.12');
    expect(input.filter((l) => SWARM.test(l))).toHaveLength(4);
    expect(input[0]).toMatch(/--dport 2222 /);
    expect(apply(swarmPlan(['10.0.0.11', 'fd00::13']))).toEqual([]);
  });
});
