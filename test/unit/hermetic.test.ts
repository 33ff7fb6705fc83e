// The unit suite's fence (test/support/hermetic.ts) is live: a program, a socket, a file of this
// machine each fail at the call, and a breach the code under test swallows is still recorded.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { takeBreaches } from '../support/hermetic.js';

// Each test breaches on purpose: its breaches are checked here, not failed by the fence's afterEach.
afterEach(() => void takeBreaches());

describe('the unit fence', () => {
  it('refuses to start a program, by any of child_process', () => {
    expect(() => spawnSync('true')).toThrow(/hermetic.*child_process\.spawnSync\("true"\) starts a program.*test\/real/);
    expect(() => spawn(process.execPath, ['-v'])).toThrow(/child_process\.spawn/);
    expect(takeBreaches()).toHaveLength(2);
  });

  it('refuses sockets: a listening server, a connection, even on loopback', () => {
    expect(() => createServer().listen(0, '127.0.0.1')).toThrow(/a server listens/);
    expect(() => connect(80, '127.0.0.1')).toThrow(/a socket connects/);
  });

  it("refuses this machine's files, sync or not, and records a breach the caller swallows", async () => {
    expect(() => readFileSync('/etc/hostname')).toThrow(/fs\.readFileSync\("\/etc\/hostname"\) reads this machine's files/);
    expect(() => existsSync('/etc/ufw/after.rules')).toThrow(/fs\.existsSync/);
    const swallowed = await readFile('/proc/meminfo').catch(() => null);
    expect(swallowed).toBeNull();
    expect(takeBreaches().map((b) => b.split('\n')[0])).toEqual([
      expect.stringMatching(/readFileSync\("\/etc\/hostname"\)/),
      expect.stringMatching(/existsSync\("\/etc\/ufw\/after.rules"\)/),
      expect.stringMatching(/fs\.promises\.readFile\("\/proc\/meminfo"\)/),
    ]);
  });

  it('lets the checkout and the temp dir be read', () => {
    expect(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).toMatch(/"name": "stack-wizard"/);
  });
});
