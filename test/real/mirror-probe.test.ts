// The probe against real HTTP servers on loopback, each in its own process, playing mirrors:
// fast, slow, dead (nothing listening), answering 500 / 404, stalling mid-body, slow to accept,
// not a registry, an error page served as 200, and a redirect.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { probeMirrors, probeWith } from '../../src/host/mirror-probe.js';
import type { ProbeRequest } from '../../src/domain/mirror-kinds/index.js';
import { bestByKind, probeTarget, rankResults, type MirrorEntry, type MirrorKind, type ProbeResult } from '../../src/domain/mirrors.js';
import { startMirrorServers, type MirrorServers } from './helpers/servers.js';
import { freePort } from '../support/proc.js';

const run = promisify(execFile);
let s: MirrorServers;
let dead: number;

beforeAll(async () => {
  s = await startMirrorServers([
    { name: 'fast', mode: 'ok', size: 200 * 1024 },
    { name: 'slow', mode: 'ok', size: 200 * 1024, latencyMs: 250, bytesPerSec: 120 * 1024 },
    { name: 'e500', mode: 'status', status: 500 },
    { name: 'e404', mode: 'status', status: 404 },
    { name: 'stall', mode: 'stall', size: 200 * 1024, after: 20 * 1024 },
    { name: 'accept', mode: 'slow-accept', delayMs: ACCEPT_DELAY_MS },
    { name: 'html', mode: 'not-registry' },
    { name: 'portal', mode: 'wrong-content', size: 8 * 1024 },
  ]);
  const more = await startMirrorServers([{ name: 'redirect', mode: 'redirect', to: s.url('fast') }]);
  s.ports.redirect = more.ports.redirect!;
  const stop = s.stop;
  s.stop = async () => {
    await Promise.all([stop(), more.stop()]);
  };
  dead = await freePort();
});
afterAll(() => s?.stop());

const NAMES = ['fast', 'slow', 'e500', 'e404', 'stall', 'accept', 'html', 'portal', 'redirect'] as const;
const KINDS: MirrorKind[] = ['apt-debian', 'apt-ubuntu', 'docker-ce', 'registry', 'npm', 'pypi', 'node'];
const base = (n: string) => (n === 'dead' ? `http://127.0.0.1:${dead}` : s.url(n));

function entries(): MirrorEntry[] {
  const out: MirrorEntry[] = [];
  for (const kind of KINDS) {
    for (const n of [...NAMES, 'dead']) {
      const b = base(n);
      const url = kind === 'apt-debian' ? `${b}/debian` : kind === 'apt-ubuntu' ? `${b}/ubuntu` : kind === 'docker-ce' ? `${b}/docker-ce` : kind === 'pypi' ? `${b}/simple` : kind === 'node' ? `${b}/node` : b;
      out.push({ kind, id: n, name: n, url, ...(kind === 'apt-debian' ? { security: `${b}/debian-security` } : {}) });
    }
  }
  // A Debian mirror whose main archive works but whose security archive is dead: dead as a whole.
  out.push({ kind: 'apt-debian', id: 'half', name: 'half', url: `${s.url('fast')}/debian`, security: `http://127.0.0.1:${dead}/debian-security` });
  return out;
}

const target = probeTarget({ id: 'debian', codename: 'bookworm', idLike: [] }, 'x64');
const BOUND = { deadlineMs: 2000, headersTimeoutMs: 1500, idleTimeoutMs: 700 };
/** When the slow-accept server starts answering: a probe that waited for it would call it alive. */
const ACCEPT_DELAY_MS = 8000;

describe('mirror probe on loopback mirrors', () => {
  let results: ProbeResult[];
  let elapsed: number;

  beforeAll(async () => {
    // The slow-accept server really does not accept: a plain connect does not complete.
    const sock = net.connect(s.ports.accept!, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 400));
    expect(sock.connecting).toBe(true);
    sock.destroy();
    const t0 = performance.now();
    results = await probeMirrors(entries(), target, BOUND);
    elapsed = performance.now() - t0;
  });

  const get = (kind: MirrorKind, id: string) => results.find((r) => r.kind === kind && r.id === id)!;

  it('the whole probe ends within its deadline, though several candidates never answer', () => {
    expect(results).toHaveLength(KINDS.length * 10 + 1);
    // It gave up on the server that accepts only after 8 s and on the one that stalls mid-body
    // (had it waited, the first would be alive and the second would never end)…
    for (const kind of KINDS) expect(get(kind, 'accept')).toMatchObject({ alive: false, error: 'timeout' });
    for (const kind of KINDS.filter((k) => k !== 'registry')) expect(get(kind, 'stall')).toMatchObject({ alive: false, error: 'stalled' });
    // …and so it was over before the slow-accept server would have answered (no speed target: that is npm run bench's).
    expect(elapsed).toBeLessThan(ACCEPT_DELAY_MS);
  });

  it('fast, slow and a redirect to fast are alive everywhere; fast ranks first, slow after', () => {
    for (const kind of KINDS) {
      for (const id of ['fast', 'slow', 'redirect']) expect(get(kind, id).alive, `${kind}/${id}: ${get(kind, id).error}`).toBe(true);
      const ranked = rankResults(results.filter((r) => r.kind === kind)).map((r) => r.id);
      expect(ranked.indexOf('fast')).toBeLessThan(ranked.indexOf('slow'));
      // Servers that serve this kind correctly at full speed ("html" only fails /v2/; "stall" and "portal" only spoil bodies).
      expect(kind === 'registry' ? ['fast', 'redirect', 'stall', 'portal'] : ['fast', 'redirect', 'html']).toContain(bestByKind(results)[kind]);
      expect(get(kind, 'slow').latencyMs!).toBeGreaterThanOrEqual(250);
    }
  });

  it('speed is measured on real bodies (not on a registry’s few bytes) and tells fast from slow', () => {
    const fast = get('npm', 'fast').bytesPerSecond!;
    const slow = get('npm', 'slow').bytesPerSecond!;
    expect(slow).toBeGreaterThan(60 * 1024);
    expect(slow).toBeLessThan(400 * 1024);
    expect(fast).toBeGreaterThan(4 * slow);
    expect(get('registry', 'fast').bytesPerSecond).toBeNull();
  });

  it('each dead candidate is dead for its own reason, with no latency or speed', () => {
    for (const kind of KINDS) {
      expect(get(kind, 'dead').error).toBe('refused');
      expect(get(kind, 'e500').error).toBe('http-500');
      expect(get(kind, 'e404').error).toBe('http-404');
      expect(get(kind, 'accept').error).toBe('timeout');
      for (const id of ['dead', 'e500', 'e404', 'accept']) {
        expect(get(kind, id)).toMatchObject({ alive: false, latencyMs: null, bytesPerSecond: null });
      }
    }
    // Stalls mid-body: dead wherever a body is read; a registry's answer is only headers.
    for (const kind of KINDS.filter((k) => k !== 'registry')) expect(get(kind, 'stall').error).toBe('stalled');
    expect(get('registry', 'html').error).toBe('not-a-registry');
    for (const kind of ['npm', 'pypi', 'node', 'apt-debian'] as const) expect(get(kind, 'portal').error).toBe('unexpected-content');
    expect(get('apt-debian', 'half')).toMatchObject({ alive: false, error: expect.stringMatching(/^refused \(/) });
  });

  // (No unresolvable name here: that would send a DNS query off this machine.)
  it('host names go through the probe’s own cache: each name is resolved once per run, however many candidates use it', async () => {
    const asked: string[] = [];
    const resolver = ((host: string, o: object, cb: (...a: unknown[]) => void) => {
      asked.push(host);
      return dns.lookup(host, o, cb as never);
    }) as unknown as typeof dns.lookup;
    const byName = (KINDS.filter((k) => k !== 'apt-debian')).map((kind, i): MirrorEntry => {
      const b = `http://localhost:${i % 2 ? s.ports.fast : s.ports.redirect}`;
      return { kind, id: 'by-name', name: 'n', url: kind === 'apt-ubuntu' ? `${b}/ubuntu` : kind === 'docker-ce' ? `${b}/docker-ce` : kind === 'pypi' ? `${b}/simple` : kind === 'node' ? `${b}/node` : b };
    });
    const r = await probeMirrors(byName, target, { ...BOUND, resolver });
    expect(r.map((x) => [x.kind, x.alive, x.error])).toEqual(byName.map((e) => [e.kind, true, null]));
    // Six candidates on two ports of one host name: one lookup, shared by all (their latency is not DNS's).
    expect(asked).toEqual(['localhost']);
    // The cache belongs to the run: the next run asks again (a mirror's address may have changed).
    await probeMirrors(byName.slice(0, 2), target, { ...BOUND, resolver });
    expect(asked).toEqual(['localhost', 'localhost']);
  });

  it('best names only live candidates, and leaves out a kind with none', async () => {
    const onlyDead = entries().filter((e) => e.kind === 'npm' && ['dead', 'e500', 'accept'].includes(e.id));
    const r = await probeMirrors(onlyDead, target, BOUND);
    expect(r.every((x) => !x.alive)).toBe(true);
    expect(bestByKind(r)).toEqual({});
  });
});

describe('stack-wizard mirrors (the CLI, built bundle)', () => {
  it('--json --catalog F --kind K prints exactly the documented shape, bounded by --timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-mirrors-'));
    const file = join(dir, 'catalog.json');
    writeFileSync(file, JSON.stringify(entries()));
    const t0 = performance.now();
    const { stdout } = await run(process.execPath, ['bin/stack-wizard.js', 'mirrors', '--json', '--catalog', file, '--kind', 'npm,registry', '--timeout', '2000'], { cwd: process.cwd() });
    const took = performance.now() - t0;
    const out = JSON.parse(stdout) as { results: Record<string, unknown>[]; best: Record<string, string> };
    expect(Object.keys(out)).toEqual(['results', 'best']);
    expect(out.results).toHaveLength(20);
    for (const r of out.results) expect(Object.keys(r)).toEqual(['kind', 'id', 'url', 'alive', 'latencyMs', 'bytesPerSecond', 'error', 'class', 'images', 'blobBytesPerSecond']);
    expect(new Set(out.results.map((r) => r.kind))).toEqual(new Set(['npm', 'registry']));
    expect(out.best.npm).toMatch(/^(fast|redirect|html)$/);
    // These servers answer /v2/ and hold no image: judged on the default plan's images (#16), none may be written.
    expect(out.best.registry).toBeUndefined();
    expect(out.results.filter((r) => r.kind === 'registry' && r.alive)).toEqual([]);
    const fast = out.results.find((r) => r.kind === 'registry' && r.id === 'fast') as { class: string; images: Record<string, { ok: boolean }> };
    expect(fast.class).toBe('dead');
    expect(Object.keys(fast.images).length).toBeGreaterThanOrEqual(3);
    expect(Object.values(fast.images).filter((i) => i.ok)).toEqual([]);
    expect(out.results.find((r) => r.id === out.best.npm && r.kind === 'npm')!.alive).toBe(true);
    // Bounded by --timeout: the server that accepts only after 8 s was given up on, not waited for.
    for (const kind of ['npm', 'registry']) expect(out.results.find((r) => r.kind === kind && r.id === 'accept')).toMatchObject({ alive: false, error: 'timeout' });
    expect(took).toBeLessThan(ACCEPT_DELAY_MS);
  });

  it('a bad catalogue is exit 2 with file:line; the table speaks Chinese', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-mirrors-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, '- kind: npm\n  id: a\n  name: A\n  url: not a url\n');
    const e = await run(process.execPath, ['bin/stack-wizard.js', 'mirrors', '--catalog', bad]).catch((x: { code: number; stderr: string }) => x);
    expect((e as { code: number }).code).toBe(2);
    expect((e as { stderr: string }).stderr).toContain(`${bad}:4: 0.url:`);
    const good = join(dir, 'good.yaml');
    writeFileSync(good, `- { kind: npm, id: fast, name: 快速, url: "${s.url('fast')}" }\n- { kind: npm, id: gone, name: 已关闭, url: "http://127.0.0.1:${dead}" }\n`);
    const { stdout } = await run(process.execPath, ['bin/stack-wizard.js', 'mirrors', '--catalog', good, '--lang', 'zh-CN', '--timeout', '2000']);
    expect(stdout).toContain('镜像探测：2 个候选中 1 个可用');
    expect(stdout).toMatch(/★ fast +快速/);
    expect(stdout).toContain('不可用：连接被拒绝');
    // None alive (#22.14): exit 3 and what to do, in the chosen language; --json still prints its document.
    const none = join(dir, 'none.yaml');
    writeFileSync(none, `- { kind: npm, id: gone, name: 已关闭, url: "http://127.0.0.1:${dead}" }\n`);
    const z = await run(process.execPath, ['bin/stack-wizard.js', 'mirrors', '--catalog', none, '--lang', 'zh-CN', '--timeout', '2000']).catch((x: { code: number; stdout: string; stderr: string }) => x);
    expect((z as { code: number }).code).toBe(3);
    expect((z as { stderr: string }).stderr).toContain('没有任何镜像响应');
    expect((z as { stderr: string }).stderr).toContain('--mirror KIND=URL');
    const j = await run(process.execPath, ['bin/stack-wizard.js', 'mirrors', '--json', '--catalog', none, '--timeout', '2000']).catch((x: { code: number; stdout: string }) => x);
    expect((j as { code: number }).code).toBe(3);
    expect(JSON.parse((j as { stdout: string }).stdout)).toMatchObject({ best: {} });
  });
});

describe('the shared deadline', () => {
  // Candidates that send a byte every 80 ms: never idle for the idle timeout (1 s), past the headers
  // at once, and done only after 12–22 s (150–270 bytes). Only the run's one deadline can end them
  // in time; each result says which bound cut it ("too-slow": the deadline; "stalled": the idle
  // timeout; "timeout": headers). Without the deadline the run returns them alive after ~22 s.
  const DRIP = { deadlineMs: 2000, headersTimeoutMs: 1500, idleTimeoutMs: 1000 };
  const BODY_KINDS: MirrorKind[] = ['apt-debian', 'apt-ubuntu', 'docker-ce', 'npm', 'pypi', 'node'];
  let d: MirrorServers;
  beforeAll(async () => {
    d = await startMirrorServers([
      { name: 'drip1', mode: 'trickle', size: 150, intervalMs: 80 },
      { name: 'drip2', mode: 'trickle', size: 150, intervalMs: 80 },
    ]);
  });
  afterAll(() => d?.stop());

  type Conn = { path: string; total: number; sent: number; open: boolean; closedEarly: boolean };
  const stats = async (name: string) => ((await (await fetch(d.url(name, '/__stats'))).json()) as { connections: Conn[] }).connections;

  it('cuts every candidate that trickles below the idle timeout and would never finish in time, all in one run', { timeout: 60_000 }, async () => {
    const drips: MirrorEntry[] = [];
    for (const kind of BODY_KINDS) {
      for (const n of ['drip1', 'drip2']) {
        for (const copy of ['a', 'b']) {
          const b = d.url(n);
          const url = kind === 'apt-debian' ? `${b}/debian` : kind === 'apt-ubuntu' ? `${b}/ubuntu` : kind === 'docker-ce' ? `${b}/docker-ce` : kind === 'pypi' ? `${b}/simple` : kind === 'node' ? `${b}/node` : b;
          drips.push({ kind, id: `${n}-${copy}`, name: n, url });
        }
      }
    }
    const results = await probeMirrors(drips, target, DRIP);
    // Every one of the 24 was cut by the deadline, none by a per-request timeout (which would say
    // "stalled" or "timeout"), and none waited out (it would be alive after ~22 s).
    expect(results).toHaveLength(24);
    for (const r of results) expect(r, `${r.kind}/${r.id}`).toMatchObject({ alive: false, error: 'too-slow', latencyMs: null });
    // The servers saw each connection closed by the probe long before its body was done.
    let conns: Conn[] = [];
    for (let i = 0; i < 100; i++) {
      conns = [...(await stats('drip1')), ...(await stats('drip2'))];
      if (conns.every((c) => !c.open)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(conns).toHaveLength(24);
    for (const c of conns) {
      expect(c, c.path).toMatchObject({ open: false, closedEarly: true });
      expect(c.sent).toBeGreaterThan(0);
      expect(c.sent).toBeLessThan(c.total);
    }
  });
});

describe('a probe in steps (the seam a registry-protocol probe uses: #16)', () => {
  // A loopback registry that wants a bearer token for its manifests, as Docker Hub and its mirrors do.
  let server: http.Server;
  let base = '';
  const seen: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization ?? '-'}`);
      if (req.url === '/v2/') {
        res.writeHead(401, { 'docker-distribution-api-version': 'registry/2.0', 'www-authenticate': `Bearer realm="${base}/token",service="loop"` });
        return res.end();
      }
      if (req.url?.startsWith('/token')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ token: 'sesame' }));
      }
      if (req.url === '/v2/library/busybox/manifests/latest') {
        res.writeHead(req.headers.authorization === 'Bearer sesame' ? 200 : 401);
        return res.end();
      }
      res.writeHead(404);
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** /v2/ → the token its challenge names → the manifest with that token. */
  const protocol = (token: (body: string) => string): ProbeRequest => ({
    url: `${base}/v2/`,
    body: false,
    judge(r) {
      const realm = /realm="([^"]+)"/.exec(String(r.headers['www-authenticate'] ?? ''))?.[1];
      if (r.status !== 401 || !realm) return 'no-challenge';
      return {
        url: `${realm}?service=loop&scope=repository:library/busybox:pull`,
        body: true,
        judge: (t) => ({ url: `${base}/v2/library/busybox/manifests/latest`, body: false, headers: { authorization: `Bearer ${token(t.head)}` }, judge: (m) => (m.status === 200 ? null : `http-${m.status}`) }),
      };
    },
  });

  it('follows the kind\'s requests in turn, headers included; the verdict is the last answer\'s, the latency the first\'s', async () => {
    seen.length = 0;
    const good = await probeWith([protocol((b) => (JSON.parse(b) as { token: string }).token)]);
    expect(good).toMatchObject({ alive: true, error: null });
    expect(good.latencyMs).toEqual(expect.any(Number));
    expect(seen).toEqual(['/v2/ -', '/token?service=loop&scope=repository:library/busybox:pull -', '/v2/library/busybox/manifests/latest Bearer sesame']);
    // A wrong token: the manifest answers 401, and the candidate is dead with that reason.
    expect(await probeWith([protocol(() => 'wrong')])).toMatchObject({ alive: false, error: 'http-401', latencyMs: null });
  });
});
