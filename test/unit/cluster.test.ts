// `cluster` (#20.1): the pure decisions (which address to advertise, node inspect → status rows,
// role labels) and the command's usage errors, which are judged before anything runs.
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import {
  chooseAdvertiseAddress,
  globalAddresses,
  isPrivateAddress,
  parseNodeInspect,
  roleLabelArgs,
  JOIN_TOKEN_RE,
  MANAGER_ADDR_RE,
} from '../../src/domain/swarm.js';

// `ip -o addr show scope global` on a lab server with a private and a public-looking network.
const IP_ADDR = [
  '2: eth0    inet 203.0.113.5/27 brd 203.0.113.31 scope global eth0\\       valid_lft forever preferred_lft forever',
  '3: docker0    inet 172.17.0.1/16 brd 172.17.255.255 scope global docker0\\       valid_lft forever preferred_lft forever',
  '4: eth1    inet 172.30.0.3/16 brd 172.30.255.255 scope global eth1\\       valid_lft forever preferred_lft forever',
  '4: eth1    inet6 fd00:1::3/64 scope global \\       valid_lft forever preferred_lft forever',
].join('\n');

describe('the address cluster init advertises', () => {
  const found = globalAddresses(IP_ADDR);
  it("reads the host's global addresses, leaving Docker's own bridges out", () => {
    expect(found).toEqual([
      { iface: 'eth0', address: '203.0.113.5' },
      { iface: 'eth1', address: '172.30.0.3' },
      { iface: 'eth1', address: 'fd00:1::3' },
    ]);
  });
  it('picks the only private IPv4 address; refuses a public one unless insisted on and encrypted', () => {
    expect(chooseAdvertiseAddress(found, { allowPublic: false, encrypted: false })).toEqual({ address: '172.30.0.3' });
    expect(chooseAdvertiseAddress(found, { asked: '203.0.113.5', allowPublic: false, encrypted: false })).toMatchObject(
      { problem: 'public' },
    );
    expect(chooseAdvertiseAddress(found, { asked: '203.0.113.5', allowPublic: true, encrypted: false })).toMatchObject({
      problem: 'publicUnencrypted',
    });
    expect(chooseAdvertiseAddress(found, { asked: '203.0.113.5', allowPublic: true, encrypted: true })).toEqual({
      address: '203.0.113.5',
    });
    expect(chooseAdvertiseAddress(found, { asked: '10.9.9.9', allowPublic: false, encrypted: false })).toMatchObject({
      problem: 'notLocal',
    });
    expect(chooseAdvertiseAddress(found.slice(0, 1), { allowPublic: false, encrypted: false })).toMatchObject({
      problem: 'noPrivate',
    });
    const two = [...found, { iface: 'eth2', address: '10.0.0.4' }];
    expect(chooseAdvertiseAddress(two, { allowPublic: false, encrypted: false })).toMatchObject({
      problem: 'severalPrivate',
      candidates: expect.arrayContaining(['10.0.0.4', '172.30.0.3']),
    });
  });
  it('counts RFC 1918, CGNAT and IPv6 unique-local as private, documentation ranges not', () => {
    for (const ip of ['10.1.2.3', '172.16.0.1', '172.31.255.1', '192.168.1.1', '100.64.0.1', 'fd12::1'])
      expect(isPrivateAddress(ip), ip).toBe(true);
    for (const ip of ['172.32.0.1', '203.0.113.5', '8.8.8.8', '2001:db8::1'])
      expect(isPrivateAddress(ip), ip).toBe(false);
  });
});

describe('cluster status from docker node inspect', () => {
  // Trimmed from `docker node inspect` of Docker 20.10 in the lab (fields we read, and some we do not).
  const raw = JSON.stringify([
    {
      ID: 'k3x2',
      Spec: { Labels: { app: 'true', zone: 'b' }, Role: 'worker', Availability: 'active' },
      Description: {
        Hostname: 'sw3',
        Resources: { NanoCPUs: 2000000000, MemoryBytes: 25165824000 },
        Engine: { EngineVersion: '20.10.24+dfsg1' },
      },
      Status: { State: 'down', Addr: '172.30.0.4' },
    },
    {
      ID: 'a1b2',
      Spec: { Labels: { edge: 'true', data: 'true' }, Role: 'manager', Availability: 'active' },
      Description: {
        Hostname: 'sw1',
        Resources: { NanoCPUs: 2000000000, MemoryBytes: 25165824000 },
        Engine: { EngineVersion: '20.10.24+dfsg1' },
      },
      Status: { State: 'ready', Addr: '172.30.0.2' },
      ManagerStatus: { Leader: true, Reachability: 'reachable', Addr: '172.30.0.2:2377' },
    },
  ]);
  it('gives each node its roles, resources and health, sorted by host name', () => {
    const nodes = parseNodeInspect(raw);
    expect(
      nodes.map((n) => [n.hostname, n.role, n.leader, n.roles.join(','), n.healthy, n.cpus, n.memoryMiB, n.address]),
    ).toEqual([
      ['sw1', 'manager', true, 'edge,data', true, 2, 24000, '172.30.0.2'],
      ['sw3', 'worker', false, 'app', false, 2, 24000, '172.30.0.4'],
    ]);
    expect(nodes[1]!.labels).toEqual({ app: 'true', zone: 'b' });
  });
  it('sets exactly the roles asked for, removing only role labels the node has', () => {
    expect(roleLabelArgs({ app: 'true', zone: 'b' }, ['edge'])).toEqual([
      '--label-add',
      'edge=true',
      '--label-rm',
      'app',
    ]);
    expect(roleLabelArgs({}, ['edge', 'data'])).toEqual(['--label-add', 'edge=true', '--label-add', 'data=true']);
  });
  it('allow-lists what reaches docker: the manager address and the token', () => {
    for (const ok of ['10.0.0.2:2377', '10.0.0.2', 'mgr.internal:2377', '[fd00::2]:2377'])
      expect(MANAGER_ADDR_RE.test(ok), ok).toBe(true);
    for (const bad of ['-h', '10.0.0.2;rm', 'a b', '$(id)']) expect(MANAGER_ADDR_RE.test(bad), bad).toBe(false);
    expect(JOIN_TOKEN_RE.test(`SWMTKN-1-${'a1'.repeat(25)}-${'b'.repeat(25)}`)).toBe(true);
    expect(JOIN_TOKEN_RE.test('SWMTKN-1-x --force')).toBe(false);
  });
});

describe('cluster usage errors: exit 2, in the chosen language, before anything runs', () => {
  async function run(args: string[], lang = 'C') {
    let err = '';
    const code = await main(['cluster', ...args], {
      io: { out: () => {}, err: (s) => void (err += s) },
      env: { LANG: lang },
    });
    return { code, err };
  }
  it('names the subcommands, the role, the node and the token', async () => {
    expect(await run(['start'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('init, join, status, leave, drain, label'),
    });
    expect(await run(['label', 'sw2', 'edge,web'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('unknown role "web"'),
    });
    expect(await run(['label', '--', '-sw2', 'edge'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('not a node ID or host name'),
    });
    expect(await run(['drain'])).toMatchObject({ code: 2, err: expect.stringContaining('cluster drain needs <node>') });
    expect(await run(['join', '10.0.0.2:2377', 'nope'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('not a Swarm join token'),
    });
    expect(await run(['join', '$(id)', `SWMTKN-1-${'a'.repeat(50)}-${'b'.repeat(25)}`])).toMatchObject({
      code: 2,
      err: expect.stringContaining('<manager>'),
    });
    expect(await run(['init', '--roles', 'db'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('unknown role "db"'),
    });
    expect(await run(['label', 'sw2', 'web'], 'zh_CN.UTF-8')).toMatchObject({
      code: 2,
      err: expect.stringContaining('未知角色 "web"'),
    });
  });
});
