// One HTTP request that always settles by a deadline: a headers timeout (connect, TLS and the
// server's think time), an idle timeout mid-body (a stall), a byte cap and a reading window (enough
// to measure speed), redirects followed with the Authorization kept to the origin that asked for it.
// Shared by the mirror probe and the registry client; reads only.
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

/** A network error's short code, as the probes report it ("refused", "dns: ENOTFOUND", …). */
export function networkError(e: NodeJS.ErrnoException): string {
  const c = e.code ?? '';
  if (c === 'ECONNREFUSED') return 'refused';
  if (c === 'ENOTFOUND' || c === 'EAI_AGAIN' || c === 'ENODATA') return `dns: ${c}`;
  if (c === 'ECONNRESET' || c === 'EPIPE') return 'reset';
  if (c === 'EHOSTUNREACH' || c === 'ENETUNREACH') return `unreachable: ${c}`;
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO/.test(c) || /certificate|ssl|tls/i.test(e.message)) return `tls: ${c || e.message}`;
  return `network: ${c || e.message}`;
}

/** Resolves each host once per run, so latencies do not include DNS (and the threadpool is not flooded). */
export function cachedLookup(resolver: typeof dnsLookup = dnsLookup): typeof dnsLookup {
  const cache = new Map<string, Promise<LookupAddress[]>>();
  const resolveAll = (host: string) => {
    let p = cache.get(host);
    if (!p) {
      p = new Promise<LookupAddress[]>((res, rej) => resolver(host, { all: true }, (err, addrs) => (err ? rej(err) : res(addrs))));
      cache.set(host, p);
    }
    return p;
  };
  const fn = (host: string, opts: unknown, cb?: unknown) => {
    const callback = (typeof opts === 'function' ? opts : cb) as (err: Error | null, addr: string | LookupAddress[], family?: number) => void;
    const all = typeof opts === 'object' && opts !== null && (opts as { all?: boolean }).all === true;
    const family = typeof opts === 'object' && opts !== null ? (opts as { family?: number }).family : undefined;
    resolveAll(host).then(
      (addrs) => {
        const list = family === 4 || family === 6 ? addrs.filter((a) => a.family === family) : addrs;
        if (list.length === 0) return callback(Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' }), all ? [] : '', 0);
        if (all) callback(null, list);
        else callback(null, list[0]!.address, list[0]!.family);
      },
      (err: Error) => callback(err, all ? [] : '', 0),
    );
  };
  return fn as unknown as typeof dnsLookup;
}

export interface Bounds {
  /** Absolute time (by `now`) by which every request has settled. */
  deadlineAt: number;
  /** From sending to the response headers, ms. */
  headersTimeoutMs: number;
  /** A body that sends nothing for this long has stalled, ms. */
  idleTimeoutMs: number;
  now: () => number;
  lookup: typeof dnsLookup;
}

export interface BoundedRequest {
  method?: 'GET' | 'HEAD';
  headers?: Readonly<Record<string, string>>;
  /** Body bytes kept; reading stops there (`truncated`). */
  maxBytes: number;
  /** Reading stops this long after the first body byte (`truncated`): a speed sample, not a download. */
  windowMs?: number;
  maxRedirects?: number;
}

export interface BoundedReply {
  /** 0 when no answer came (`error` says why). */
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Bytes received (may exceed body.length by the last chunk's tail). */
  bytes: number;
  /** Reading stopped early on purpose: the byte cap, the window, or the deadline with enough read. */
  truncated: boolean;
  /** null, or: timeout (no headers in time), stalled, closed-mid-body, too-many-redirects, bad-redirect, a network code. */
  error: string | null;
  /** To the final answer's headers, redirects included; null without an answer. */
  latencyMs: number | null;
  /** From the final answer's headers to the end of reading. */
  bodyMs: number;
  /** The URL that answered (after redirects). */
  url: string;
}

/** Below this many bytes a window cut by the deadline measured nothing useful: the read counts as stalled. */
export const MIN_SAMPLE_BYTES = 16 * 1024;

/** One request, following redirects, settling by the deadline whatever the server does. */
export function boundedRequest(url: string, rq: BoundedRequest, b: Bounds): Promise<BoundedReply> {
  return go(new URL(url), rq, b, 0, 0, new URL(url).origin);
}

function go(url: URL, rq: BoundedRequest, b: Bounds, hops: number, before: number, authOrigin: string): Promise<BoundedReply> {
  const { now } = b;
  return new Promise<BoundedReply>((resolve) => {
    const t0 = now();
    let settled = false;
    let tHeaders = 0;
    let status = 0;
    let headers: IncomingHttpHeaders = {};
    let bytes = 0;
    const chunks: Buffer[] = [];
    let kept = 0;
    const timers = new Set<NodeJS.Timeout>();
    const timer = (ms: number, fn: () => void) => {
      const h = setTimeout(fn, Math.max(0, ms));
      timers.add(h);
      return h;
    };
    const finish = (r: BoundedReply | Promise<BoundedReply>) => {
      if (settled) return;
      settled = true;
      for (const h of timers) clearTimeout(h);
      req.destroy();
      resolve(r);
    };
    const reply = (error: string | null, truncated = false): BoundedReply => ({
      status, headers, body: Buffer.concat(chunks), bytes, truncated, error,
      latencyMs: tHeaders ? before + tHeaders - t0 : null, bodyMs: tHeaders ? now() - tHeaders : 0, url: url.toString(),
    });
    const remaining = () => b.deadlineAt - now();
    const reqHeaders: Record<string, string> = {
      'user-agent': 'stack-wizard', accept: '*/*', 'accept-encoding': 'identity', connection: 'close', ...rq.headers,
    };
    // A redirect to storage elsewhere (a CDN, S3) carries its own signature: the token stays home.
    if (url.origin !== authOrigin) delete reqHeaders.authorization;
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, { method: rq.method ?? 'GET', agent: false, lookup: b.lookup, headers: reqHeaders });
    if (remaining() <= 0) {
      finish(reply('timeout'));
      return;
    }
    const headersTimer = timer(Math.min(b.headersTimeoutMs, remaining()), () => finish(reply('timeout')));
    req.on('error', (e) => finish(reply(networkError(e as NodeJS.ErrnoException))));
    req.on('response', (res) => {
      tHeaders = now();
      clearTimeout(headersTimer);
      status = res.statusCode ?? 0;
      headers = res.headers;
      const loc = res.headers.location;
      if (status >= 300 && status < 400 && loc) {
        res.resume();
        if (hops >= (rq.maxRedirects ?? 3)) return finish(reply('too-many-redirects'));
        let next: URL;
        try {
          next = new URL(loc, url);
        } catch {
          return finish(reply('bad-redirect'));
        }
        return finish(go(next, rq, b, hops + 1, before + tHeaders - t0, authOrigin));
      }
      if (rq.method === 'HEAD') return finish(reply(null));
      const done = (truncated: boolean) => finish(reply(null, truncated));
      let idle = timer(b.idleTimeoutMs, () => finish(reply('stalled')));
      // At the deadline a body still flowing is judged on what came, if that is enough to measure.
      timer(remaining(), () => (bytes >= MIN_SAMPLE_BYTES ? done(true) : finish(reply('stalled'))));
      if (rq.windowMs !== undefined) timer(rq.windowMs, () => (bytes > 0 ? done(true) : finish(reply('stalled'))));
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (kept < rq.maxBytes) {
          const part = chunk.subarray(0, rq.maxBytes - kept);
          chunks.push(part);
          kept += part.length;
        }
        clearTimeout(idle);
        timers.delete(idle);
        idle = timer(b.idleTimeoutMs, () => finish(reply('stalled')));
        if (bytes >= rq.maxBytes) done(true);
      });
      res.on('end', () => (res.complete ? done(false) : finish(reply('closed-mid-body'))));
      res.on('aborted', () => finish(reply('closed-mid-body')));
      res.on('error', (e) => finish(reply(networkError(e as NodeJS.ErrnoException))));
    });
    req.end();
  });
}
