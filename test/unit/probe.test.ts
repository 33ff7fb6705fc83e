// The probe's parsers on real command output, and the live probe on this machine.
import { describe, expect, it } from 'vitest';
import { isPrivateAddress, parseMeminfo, parseOsRelease, parseSs, parseSshdConfigPorts, probeHost } from '../../src/host/probe.js';
import { HostFactsSchema } from '../../src/domain/facts.js';
import { RealExecutor } from '../../src/exec/executor.js';

describe('probe parsers', () => {
  it('reads /proc/meminfo in bytes', () => {
    const m = parseMeminfo('MemTotal:        3880092 kB\nMemAvailable:    3120000 kB\nSwapTotal:             0 kB\nHugePages_Total:       0\n');
    expect(m.MemTotal).toBe(3880092 * 1024);
    expect(m.SwapTotal).toBe(0);
    expect(m.HugePages_Total).toBe(0);
  });

  it('reads os-release with and without quotes', () => {
    const o = parseOsRelease('PRETTY_NAME="Ubuntu 24.04.1 LTS"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\nVERSION_CODENAME=noble\n');
    expect(o).toMatchObject({ ID: 'ubuntu', VERSION_ID: '24.04', VERSION_CODENAME: 'noble', PRETTY_NAME: 'Ubuntu 24.04.1 LTS', ID_LIKE: 'debian' });
  });

  it('reads listening sockets and their processes from `ss -Hltnp`', () => {
    const out = [
      'LISTEN 0      128          0.0.0.0:2222      0.0.0.0:*    users:(("sshd",pid=612,fd=3))',
      'LISTEN 0      128             [::]:2222         [::]:*    users:(("sshd",pid=612,fd=4))',
      'LISTEN 0      511          0.0.0.0:80        0.0.0.0:*    users:(("nginx",pid=901,fd=6),("nginx",pid=900,fd=6))',
      'LISTEN 0      4096       127.0.0.1:3306      0.0.0.0:*',
    ].join('\n');
    const s = parseSs(out);
    expect(s).toEqual([
      { port: 2222, address: '0.0.0.0', process: 'sshd', pid: 612 },
      { port: 2222, address: '[::]', process: 'sshd', pid: 612 },
      { port: 80, address: '0.0.0.0', process: 'nginx', pid: 901 },
      { port: 3306, address: '127.0.0.1', process: null, pid: null },
    ]);
  });

  it('reads every Port line of sshd_config before the first Match block', () => {
    expect(parseSshdConfigPorts('#Port 22\nPort 2222\nport 2200 # second\nMatch User x\n  Port 9999\n')).toEqual([2200, 2222]);
    expect(parseSshdConfigPorts('# nothing\n')).toEqual([]);
  });

  it('classifies addresses', () => {
    for (const a of ['10.1.2.3', '172.16.0.1', '172.31.255.1', '192.168.1.1', '100.64.0.1', '169.254.1.1', 'fd00::1', 'fe80::1']) expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '172.32.0.1', '203.0.113.5', '2001:db8::1', '100.128.0.1']) expect(isPrivateAddress(a), a).toBe(false);
  });
});

describe('the live probe', () => {
  it('returns facts that match the schema and this machine', async () => {
    const facts = await probeHost(new RealExecutor(), { installDir: '/opt/stack-wizard/x', env: { SSH_CONNECTION: '198.51.100.7 50022 192.0.2.2 2222' } });
    expect(HostFactsSchema.parse(facts)).toEqual(facts);
    const os = await import('node:os');
    expect(facts.cpu.cores).toBe(os.availableParallelism());
    expect(facts.memory.totalBytes).toBeGreaterThan(os.totalmem() * 0.9);
    expect(facts.disks.installDir.freeBytes).toBeGreaterThan(0);
    expect(facts.session).toEqual({ sshClientAddress: '198.51.100.7', sshServerPort: 2222 });
    expect(facts.ports.map((p) => p.port)).toEqual([80, 443]);
    expect(facts.user.isRoot).toBe(process.getuid?.() === 0);
  });
});

describe('socket-activated sshd (Ubuntu 24.04)', () => {
  it('reads the ports of ssh.socket', async () => {
    const { parseSocketListen } = await import('../../src/host/probe.js');
    expect(parseSocketListen('[::]:22 (Stream)\n0.0.0.0:2222 (Stream)\n')).toEqual([22, 2222]);
    expect(parseSocketListen('\n')).toEqual([]);
  });
});
