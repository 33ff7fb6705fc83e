// The probe's parsers on real command output (the live probe on this machine: test/real/probe.test.ts).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPrivateAddress, parseMeminfo, parseOsRelease, parseSs, parseSshdConfigPorts, sshdConfigPorts } from '../../src/host/probe.js';
import { hostNotes } from '../../src/domain/host-checks.js';
import { translator } from '../../src/i18n/index.js';
import { makeFacts } from '../fixtures/facts.js';

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

  it('follows Include (relative to the config folder, globs in sorted order, nested, loops cut) as sshd does', async () => {
    const etc = mkdtempSync(join(tmpdir(), 'sw-sshd-'));
    mkdirSync(join(etc, 'sshd_config.d'));
    mkdirSync(join(etc, 'extra'));
    // Debian 12's layout: the main file includes the drop-in folder first and names no port itself.
    writeFileSync(join(etc, 'sshd_config'), `Include sshd_config.d/*.conf\n#Port 22\nPermitRootLogin no\nMatch User backup\n  Include extra/never.conf\n`);
    writeFileSync(join(etc, 'sshd_config.d', '10-port.conf'), 'Port 2222\n');
    writeFileSync(join(etc, 'sshd_config.d', '20-more.conf'), `Port=2200\nInclude ${join(etc, 'extra')}/p?rt[!x].conf sshd_config\n`);
    writeFileSync(join(etc, 'sshd_config.d', '.hidden.conf'), 'Port 1111\n');
    writeFileSync(join(etc, 'sshd_config.d', 'notes.txt'), 'Port 3333\n');
    writeFileSync(join(etc, 'extra', 'port1.conf'), 'Port 4444\nMatch Address 10.0.0.0/8\nPort 5555\n');
    writeFileSync(join(etc, 'extra', 'portx.conf'), 'Port 6666\n');
    writeFileSync(join(etc, 'extra', 'never.conf'), 'Port 7777\n');
    expect(await sshdConfigPorts(join(etc, 'sshd_config'))).toEqual([2200, 2222, 4444]);
    expect(await sshdConfigPorts(join(etc, 'missing'))).toBeNull();
    writeFileSync(join(etc, 'plain'), 'Port 22\n');
    expect(await sshdConfigPorts(join(etc, 'plain'))).toEqual([22]);
  });

  it('says "run as root" only to a non-root probe; as root, that sshd is not seen listening', () => {
    const t = translator('en');
    const unseen = (isRoot: boolean) => hostNotes(makeFacts({ isRoot }, { sshd: { ports: [], source: 'none' } })).filter((n) => n.key.startsWith('host.ssh')).map((n) => t(n.key, n.params));
    expect(unseen(false)).toEqual([expect.stringMatching(/run as root to see it/)]);
    expect(unseen(true)).toEqual([expect.stringMatching(/sshd is not seen listening.*systemctl status ssh/)]);
    expect(unseen(true)[0]).not.toMatch(/as root/);
  });

  it('classifies addresses', () => {
    for (const a of ['10.1.2.3', '172.16.0.1', '172.31.255.1', '192.168.1.1', '100.64.0.1', '169.254.1.1', 'fd00::1', 'fe80::1']) expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '172.32.0.1', '203.0.113.5', '2001:db8::1', '100.128.0.1']) expect(isPrivateAddress(a), a).toBe(false);
  });
});

describe('socket-activated sshd (Ubuntu 24.04)', () => {
  it('reads the ports of ssh.socket', async () => {
    const { parseSocketListen } = await import('../../src/host/probe.js');
    expect(parseSocketListen('[::]:22 (Stream)\n0.0.0.0:2222 (Stream)\n')).toEqual([22, 2222]);
    expect(parseSocketListen('\n')).toEqual([]);
  });
});
