// Probes mirror candidates over the network: all in parallel, each on a small real object, the
// whole run bounded by one deadline however many candidates are dead, slow to accept, or stall
// mid-body. Reads only (nothing on the host changes), so it does not go through the Executor.
// What to ask for and how to judge the answer is each kind's (src/domain/mirror-kinds/); this is
// the HTTP. The clock and every timeout are options, for tests. Registry kinds, when the target
// names the plan's Docker Hub images, are probed by the registry protocol image by image
// (./registry-probe.ts) and classified once every candidate is in (domain/registry-class.ts).
import http from 'node:http';
import https from 'node:https';
import type { lookup as dnsLookup } from 'node:dns';
import { performance } from 'node:perf_hooks';
import { cachedLookup, networkError } from './http-bounded.js';
import { classOfPlain, originOf, probeRequests, type ImageResult, type MirrorEntry, type ProbeRequest, type ProbeResult, type ProbeTarget } from '../domain/mirrors.js';
import { kindModule } from '../domain/mirror-kinds/index.js';
import { classify, majorityDigests, servesImage, usableClass, type RegistryEvidence } from '../domain/registry-class.js';
import { platformOf, type HubImage } from '../domain/registry.js';
import { probeRegistry } from './registry-probe.js';

export interface ProbeOptions {
  /** The whole probe ends by then, whatever the candidates do (ms). */
  deadlineMs?: number;
  /** Per request: from sending to the response headers (connect, TLS, server think time), ms. */
  headersTimeoutMs?: number;
  /** A body that sends nothing for this long is stalled: the candidate is dead (ms). */
  idleTimeoutMs?: number;
  /** Enough body to measure speed; reading stops there (bytes). */
  maxBodyBytes?: number;
  /** Monotonic clock in ms. */
  now?: () => number;
  /** Called once per candidate as soon as its outcome is known (progress display). */
  onResult?: (r: ProbeResult) => void;
  /** The system resolver behind the run's cache (default dns.lookup; tests count its calls). */
  resolver?: typeof dnsLookup;
  /** Registry candidates probed on the plan's images end by then (ms): the protocol takes several round trips and a blob sample. */
  registryDeadlineMs?: number;
  /** How long a blob sample reads (ms). */
  blobWindowMs?: number;
}

export const PROBE_DEFAULTS = {
  // A few seconds in all: a mirror that cannot send a small index in that time is no use to apt or docker.
  deadlineMs: 4000,
  headersTimeoutMs: 2500,
  idleTimeoutMs: 1500,
  // 256 KiB: big enough that the speed is not just the first TCP window, small enough to stay quick.
  maxBodyBytes: 256 * 1024,
  // Six round trips per image and a blob sample: 8 s keeps a run with several slow mirrors under 10 s,
  // while dead ones still settle by the headers timeout.
  registryDeadlineMs: 8000,
  // Two seconds of the largest layer: 1 MiB arrives sooner from any mirror worth using.
  blobWindowMs: 2000,
  // The first MiB of the largest layer.
  blobBytes: 1024 * 1024,
  // A 429 with Retry-After of a second or less is waited out once.
  retryWithinSec: 1,
} as const;

/** Below this many body bytes the speed is noise (one TCP window), so none is reported. */
export const MIN_SPEED_BYTES = 16 * 1024;
const MAX_REDIRECTS = 3;
/** Requests a kind's probe may chain after the first (see ProbeRequest.judge). */
const MAX_FOLLOW_UPS = 4;
const HEAD_BYTES = 4096;

interface Outcome {
  ok: boolean;
  error: string | null;
  latencyMs: number | null;
  bytes: number;
  bodyMs: number;
}

interface Ctx {
  deadlineAt: number;
  o: Required<Omit<ProbeOptions, 'onResult' | 'resolver'>>;
  lookup: typeof dnsLookup;
}

/** One GET, following a few redirects, always settling by the deadline; judged by the request's kind. */
function fetchOnce(url: URL, rq: ProbeRequest, c: Ctx, hops = 0, followUps = 0): Promise<Outcome> {
  const { now, headersTimeoutMs, idleTimeoutMs, maxBodyBytes } = c.o;
  return new Promise<Outcome>((resolve) => {
    const t0 = now();
    let settled = false;
    let tHeaders = 0;
    let bytes = 0;
    let head = '';
    const timers = new Set<NodeJS.Timeout>();
    const timer = (ms: number, fn: () => void) => {
      const h = setTimeout(fn, Math.max(0, ms));
      timers.add(h);
      return h;
    };
    const finish = (r: Outcome | Promise<Outcome>) => {
      if (settled) return;
      settled = true;
      for (const h of timers) clearTimeout(h);
      req.destroy();
      resolve(r);
    };
    const fail = (error: string) => finish({ ok: false, error, latencyMs: tHeaders ? tHeaders - t0 : null, bytes, bodyMs: 0 });
    const remaining = () => c.deadlineAt - now();
    if (remaining() <= 0) {
      resolve({ ok: false, error: 'timeout', latencyMs: null, bytes: 0, bodyMs: 0 });
      return;
    }
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, {
      method: 'GET',
      agent: false,
      lookup: c.lookup,
      headers: { 'user-agent': 'stack-wizard mirror probe', accept: '*/*', 'accept-encoding': 'identity', connection: 'close', ...rq.headers },
    });
    // Connect, TLS and the server's answer all count against the headers timeout.
    const headersTimer = timer(Math.min(headersTimeoutMs, remaining()), () => fail('timeout'));
    req.on('error', (e) => fail(networkError(e as NodeJS.ErrnoException)));
    req.on('response', (res) => {
      tHeaders = now();
      clearTimeout(headersTimer);
      const status = res.statusCode ?? 0;
      const loc = res.headers.location;
      if (status >= 300 && status < 400 && loc) {
        if (hops >= MAX_REDIRECTS) return fail('too-many-redirects');
        let next: URL;
        try {
          next = new URL(loc, url);
        } catch {
          return fail('bad-redirect');
        }
        res.resume();
        // Latency is what a client sees: to the final answer, redirects included.
        return finish(fetchOnce(next, rq, c, hops + 1, followUps).then((r) => ({ ...r, latencyMs: r.latencyMs === null ? null : r.latencyMs + (tHeaders - t0) })));
      }
      // The kind's verdict: the object, an error, or the next request of its protocol (judged in turn).
      const verdict = (measured: Outcome, bodyHead: string) => {
        const v = rq.judge({ status, headers: res.headers, head: bodyHead });
        if (v === null) return finish(measured);
        if (typeof v === 'string') return fail(v);
        if (followUps >= MAX_FOLLOW_UPS) return fail('too-many-steps');
        let nextUrl: URL;
        try {
          nextUrl = new URL(v.url, url);
        } catch {
          return fail('bad-url');
        }
        finish(fetchOnce(nextUrl, v, c, 0, followUps + 1).then((r) => (r.ok ? measured : { ...r, latencyMs: measured.latencyMs })));
      };
      if (!rq.body) return verdict({ ok: true, error: null, latencyMs: tHeaders - t0, bytes: 0, bodyMs: 0 }, '');
      if (status !== 200) return fail(`http-${status}`);
      const done = (complete: boolean) => {
        // Cut off by the deadline with too little to measure (or to judge the content by): too slow.
        if (!complete && bytes < MIN_SPEED_BYTES) return fail('too-slow');
        verdict({ ok: true, error: null, latencyMs: tHeaders - t0, bytes, bodyMs: now() - tHeaders }, head);
      };
      let idle = timer(idleTimeoutMs, () => fail('stalled'));
      // At the deadline a body still flowing is judged on what arrived (enough to measure speed).
      timer(remaining(), () => done(false));
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (head.length < HEAD_BYTES) head += chunk.toString('latin1', 0, Math.min(chunk.length, HEAD_BYTES - head.length));
        clearTimeout(idle);
        timers.delete(idle);
        idle = timer(idleTimeoutMs, () => fail('stalled'));
        if (bytes >= maxBodyBytes) done(true);
      });
      res.on('end', () => (res.complete ? done(true) : fail('closed-mid-body')));
      res.on('aborted', () => fail('closed-mid-body'));
      res.on('error', (e) => fail(networkError(e as NodeJS.ErrnoException)));
    });
    req.end();
  });
}

type Verdict = Pick<ProbeResult, 'alive' | 'latencyMs' | 'bytesPerSecond' | 'error'>;

/** A kind's requests for one candidate, all at once; the first one is measured. */
async function judgeRequests(reqs: readonly ProbeRequest[], c: Ctx): Promise<Verdict> {
  const outcomes = await Promise.all(reqs.map((r) => fetchOnce(new URL(r.url), r, c)));
  const main = outcomes[0]!;
  const failed = outcomes.findIndex((o) => !o.ok);
  if (failed >= 0) {
    const o = outcomes[failed]!;
    const where = failed === 0 ? '' : ` (${originOf(reqs[failed]!.url) === originOf(reqs[0]!.url) ? new URL(reqs[failed]!.url).pathname.split('/').slice(0, 2).join('/') : originOf(reqs[failed]!.url)})`;
    // A dead candidate has no latency or speed: those describe a usable mirror.
    return { alive: false, latencyMs: null, bytesPerSecond: null, error: `${o.error}${where}` };
  }
  const bps = main.bytes >= MIN_SPEED_BYTES ? Math.round(main.bytes / (Math.max(main.bodyMs, 0.5) / 1000)) : null;
  return { alive: true, latencyMs: Math.round(main.latencyMs ?? 0), bytesPerSecond: bps, error: null };
}

async function probeEntry(e: MirrorEntry, target: ProbeTarget, c: Ctx): Promise<ProbeResult> {
  const base = { kind: e.kind, id: e.id, url: e.url, alive: false, latencyMs: null, bytesPerSecond: null, error: null, images: {}, blobBytesPerSecond: null };
  let reqs: ProbeRequest[];
  try {
    reqs = probeRequests(e, target);
  } catch {
    return { ...base, error: 'bad-url', class: 'dead' };
  }
  // Every URL the candidate would be written with is fetched at once.
  const v = await judgeRequests(reqs, c);
  return { ...base, ...v, class: classOfPlain(v.alive, v.error) };
}

/** A registry candidate's evidence, image by image (null: its URL does not parse). */
async function registryEvidence(e: MirrorEntry, images: readonly HubImage[], target: ProbeTarget, c: Ctx): Promise<RegistryEvidence | null> {
  const mod = kindModule(e.kind);
  let ats;
  try {
    ats = images.map((image) => ({ image, ...mod.images!(e, image) }));
  } catch {
    return null;
  }
  return probeRegistry(ats, target.platform ?? platformOf('x64'), {
    deadlineAt: c.o.now() + c.o.registryDeadlineMs,
    headersTimeoutMs: c.o.headersTimeoutMs,
    idleTimeoutMs: c.o.idleTimeoutMs,
    now: c.o.now,
    lookup: c.lookup,
    blobBytes: PROBE_DEFAULTS.blobBytes,
    blobWindowMs: c.o.blobWindowMs,
    retryWithinSec: PROBE_DEFAULTS.retryWithinSec,
  });
}

/** The result `mirrors` prints for a registry candidate, judged with what the other candidates served. */
export function registryResult(e: MirrorEntry, ev: RegistryEvidence | null, images: readonly HubImage[], majority: Readonly<Record<string, string | null>>): ProbeResult {
  if (!ev) return { kind: e.kind, id: e.id, url: e.url, alive: false, latencyMs: null, bytesPerSecond: null, error: 'bad-url', class: 'dead', images: {}, blobBytesPerSecond: null };
  const v = classify(ev, images, majority);
  const per: Record<string, ImageResult> = {};
  for (const img of images) {
    const o = ev.images[img.ref];
    if (!o) continue;
    const good = servesImage(ev, img, majority);
    const want = img.pinned ?? majority[img.ref] ?? null;
    per[img.ref] = { ok: good, digest: o.digest, error: o.ok && !good ? `digest ${o.digest} ≠ ${img.pinned ? 'pinned' : 'most mirrors'} ${want}` : o.error };
  }
  return {
    kind: e.kind, id: e.id, url: e.url, alive: usableClass(v.class), latencyMs: ev.ping.ok ? ev.ping.latencyMs : null,
    bytesPerSecond: v.blobBytesPerSecond, error: v.error, class: v.class, images: per, blobBytesPerSecond: v.blobBytesPerSecond,
  };
}

function probeCtx(opts: ProbeOptions): Ctx {
  const now = opts.now ?? (() => performance.now());
  const o = {
    deadlineMs: opts.deadlineMs ?? PROBE_DEFAULTS.deadlineMs,
    headersTimeoutMs: opts.headersTimeoutMs ?? PROBE_DEFAULTS.headersTimeoutMs,
    idleTimeoutMs: opts.idleTimeoutMs ?? PROBE_DEFAULTS.idleTimeoutMs,
    maxBodyBytes: opts.maxBodyBytes ?? PROBE_DEFAULTS.maxBodyBytes,
    registryDeadlineMs: opts.registryDeadlineMs ?? PROBE_DEFAULTS.registryDeadlineMs,
    blobWindowMs: opts.blobWindowMs ?? PROBE_DEFAULTS.blobWindowMs,
    now,
  };
  return { deadlineAt: now() + o.deadlineMs, o, lookup: cachedLookup(opts.resolver) };
}

/** One candidate's requests as a kind module makes them (tests of a kind's probe protocol). */
export function probeWith(reqs: readonly ProbeRequest[], opts: ProbeOptions = {}): Promise<Verdict> {
  return judgeRequests(reqs, probeCtx(opts));
}

/**
 * Probes every entry in parallel; resolves within `deadlineMs` (registry candidates judged on the
 * plan's images: `registryDeadlineMs`), plus scheduling slack. Results keep the entries' order.
 * `onResult` hears each candidate as it settles, and once more a registry candidate whose verdict
 * changed when the others came in (a digest most of them disagree with: stale).
 */
export async function probeMirrors(entries: readonly MirrorEntry[], target: ProbeTarget, opts: ProbeOptions = {}): Promise<ProbeResult[]> {
  const c = probeCtx(opts);
  const images = target.images ?? [];
  const evidence = new Map<number, RegistryEvidence | null>();
  const results = await Promise.all(
    entries.map(async (e, i) => {
      let r: ProbeResult;
      if (images.length && kindModule(e.kind).images) {
        const ev = await registryEvidence(e, images, target, c);
        evidence.set(i, ev);
        r = registryResult(e, ev, images, {});
      } else r = await probeEntry(e, target, c);
      opts.onResult?.(r);
      return r;
    }),
  );
  if (evidence.size) {
    const majority = majorityDigests([...evidence.values()].filter((x): x is RegistryEvidence => x !== null));
    for (const [i, ev] of evidence) {
      const r = registryResult(entries[i]!, ev, images, majority);
      if (JSON.stringify(r) === JSON.stringify(results[i])) continue;
      results[i] = r;
      opts.onResult?.(r);
    }
  }
  return results;
}

/**
 * A small text download (the docker-ce signing key), bounded like a probe. Returns null and the
 * reason when it fails; the caller decides what that means.
 */
export async function fetchText(url: string, opts: { timeoutMs?: number; maxBytes?: number } = {}): Promise<{ text: string | null; error: string | null }> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  const get = (u: URL, hops: number): Promise<{ text: string | null; error: string | null }> =>
    new Promise((resolve) => {
      const mod = u.protocol === 'https:' ? https : http;
      let settled = false;
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = (v: { text: string | null; error: string | null } | Promise<{ text: string | null; error: string | null }>) => {
        if (settled) return;
        settled = true;
        clearTimeout(t);
        req.destroy();
        resolve(v);
      };
      const req = mod.request(u, { method: 'GET', agent: false, headers: { 'user-agent': 'stack-wizard', connection: 'close' } }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location && hops < MAX_REDIRECTS) {
          res.resume();
          return finish(get(new URL(res.headers.location, u), hops + 1));
        }
        if (status !== 200) return finish({ text: null, error: `http-${status}` });
        res.on('data', (d: Buffer) => {
          size += d.length;
          if (size > maxBytes) return finish({ text: null, error: 'too-large' });
          chunks.push(d);
        });
        res.on('end', () => finish(res.complete ? { text: Buffer.concat(chunks).toString('utf8'), error: null } : { text: null, error: 'closed-mid-body' }));
        res.on('error', (e) => finish({ text: null, error: networkError(e as NodeJS.ErrnoException) }));
      });
      const t = setTimeout(() => finish({ text: null, error: 'timeout' }), timeoutMs);
      req.on('error', (e) => finish({ text: null, error: networkError(e as NodeJS.ErrnoException) }));
      req.end();
    });
  try {
    return await get(new URL(url), 0);
  } catch (e) {
    return { text: null, error: `network: ${(e as Error).message}` };
  }
}
