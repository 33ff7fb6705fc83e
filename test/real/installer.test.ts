// install.sh judged by real programs on this machine: shellcheck, and its region probe timing
// real HTTP servers (mirror-server.mjs processes on loopback: one fast, one slow, one gone).
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMirror, type Mirror } from '../e2e/installer/lab.js';
import { freePort, waitFor } from '../support/proc.js';

const script = new URL('../../install.sh', import.meta.url).pathname;

describe('shellcheck', () => {
  it('install.sh has no findings (shellcheck must be installed: test/provision/packages.sh)', () => {
    const which = spawnSync('bash', ['--norc', '-c', 'command -v shellcheck'], { encoding: 'utf8' });
    expect(which.status, 'shellcheck is not installed').toBe(0);
    const r = spawnSync('shellcheck', ['--shell=bash', '--severity=style', script], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
  it('would catch a defect (the check is live)', () => {
    const r = spawnSync('shellcheck', ['--shell=bash', '-'], { encoding: 'utf8', input: 'f() { echo $1; }\nf "$@"\n' });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/SC2086/);
  });
});

describe('region probe (sw_probe_region GLOBAL_URL CN_URL)', () => {
  const root = mkdtempSync(join(tmpdir(), 'sw-probe-'));
  let fast: Mirror;
  let slow: Mirror;
  let deadUrl = '';
  beforeAll(async () => {
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(join(root, 'v1'), { recursive: true });
    writeFileSync(join(root, 'v1', 'SHASUMS256.txt'), 'x'.repeat(4000));
    fast = await startMirror(root, '127.0.0.1', { log: join(root, '..', `${process.pid}-fast.log`) });
    slow = await startMirror(root, '127.0.0.1', { delayMs: 1000, log: join(root, '..', `${process.pid}-slow.log`) });
    // A port that was free a moment ago: nothing listens there.
    deadUrl = `http://127.0.0.1:${await freePort()}`;
  });
  afterAll(() => {
    fast?.stop();
    slow?.stop();
  });

  const probe = (g: string, c: string | string[], timeout = 3) => {
    const cn = Array.isArray(c) ? c : [c];
    const r = spawnSync('bash', ['--norc', '-c', `source "$0" --source-only; SW_PROBE_TIMEOUT=${timeout}; sw_probe_region "$@"`, script, g, ...cn], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const [region, tg, tc, best] = r.stdout.trim().split(' ');
    const o = { region, tg: tg === '-' ? null : Number(tg), tc: tc === '-' ? null : Number(tc) };
    return Array.isArray(c) ? { ...o, best: Number(best) } : o;
  };
  const file = '/v1/SHASUMS256.txt';

  it('picks the mainland mirror when it answers faster', () => {
    const r = probe(slow.url + file, fast.url + file);
    expect(r.region).toBe('cn');
    expect(r.tg).toBeGreaterThanOrEqual(1);
    expect(r.tc).toBeLessThan(1);
  });
  it('picks the official source when it answers faster', () => {
    const r = probe(fast.url + file, slow.url + file);
    expect(r.region).toBe('global');
    expect(r.tc).toBeGreaterThanOrEqual(1);
  });
  it('probes both in parallel: the second request reaches the server while the first is still unanswered', () => {
    slow.clearLog();
    const r = probe(slow.url + file, slow.url + file);
    expect(r.tg).toBeGreaterThanOrEqual(1);
    expect(r.tc).toBeGreaterThanOrEqual(1);
    const seen = slow.requests().filter((q) => q.path === file);
    expect(seen).toHaveLength(2);
    expect(Math.max(...seen.map((q) => q.inflight))).toBe(2);
  });
  it('a mirror that is down or lacks the file loses; none answering means global', () => {
    expect(probe(deadUrl + file, fast.url + file)).toMatchObject({ region: 'cn', tg: null });
    expect(probe(fast.url + file, deadUrl + file)).toMatchObject({ region: 'global', tc: null });
    expect(probe(fast.url + file, `${fast.url}/v2/SHASUMS256.txt`)).toMatchObject({ region: 'global', tc: null });
    expect(probe(deadUrl + file, deadUrl + file)).toEqual({ region: 'global', tg: null, tc: null });
  });
  it('of several mainland mirrors, the fastest live one is chosen', () => {
    const r = probe(slow.url + file, [deadUrl + file, slow.url + file, fast.url + file, `${fast.url}/v2/SHASUMS256.txt`]);
    expect(r).toMatchObject({ region: 'cn', best: 2 });
    expect(probe(fast.url + file, [deadUrl + file, slow.url + file])).toMatchObject({ region: 'global', best: 1 });
    expect(probe(fast.url + file, [deadUrl + file, deadUrl + file])).toMatchObject({ region: 'global', tc: null, best: -1 });
  });
  it('gives up on a mirror that hangs after the timeout', async () => {
    slow.clearLog();
    const r = probe(slow.url + file, fast.url + file, 0.3);
    expect(r).toMatchObject({ region: 'cn', tg: null });
    // The slow server logs when its answer is due (after 1 s): by then the probe had hung up.
    const seen = await waitFor('the slow mirror to log the request', () => slow.requests().filter((q) => q.path === file).length > 0 && slow.requests().filter((q) => q.path === file), { timeoutMs: 30_000 });
    expect(seen).toEqual([expect.objectContaining({ aborted: true })]);
  });
  it('the probe is real traffic: each server saw the request', () => {
    expect(fast.requests().some((q) => q.path === file && q.status === 200)).toBe(true);
    expect(slow.requests().some((q) => q.path === file)).toBe(true);
  });
});
