// A registry client (Distribution's HTTP API v2) for one registry or mirror: the /v2/ check, the
// anonymous Bearer token per repository, manifests (HEAD, then GET with the bytes hashed), a Range
// read of a blob for speed, tags/list with its pages. Every request is bounded (host/http-bounded.ts)
// and every failure is a value saying what happened, so a probe can classify it and `update --check`
// can report it. Used by the mirror probe (host/registry-probe.ts), the pulls' fallback and
// `update --check`. Reads only. The protocol's parsing is src/domain/registry.ts.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, bearerOf, errorCode, nextPage, parseChallenges, parseManifest, parseTags, parseToken, retryAfterSeconds,
  tokenUrl, type Challenge, type Manifest,
} from '../domain/registry.js';
import { boundedRequest, cachedLookup, type BoundedReply, type Bounds } from './http-bounded.js';

/**
 * What went wrong, as a probe classifies it: `network` (no connection: refused, DNS, reset, TLS),
 * `timeout` (connected, no answer in time), `stalled` (a body stopped mid-way), `auth` (401, or the
 * token refused), `rate` (429), `refused` (403), `not-found` (404), `server` (5xx, or an answer that
 * is not the registry's), `protocol` (an answer that does not parse).
 */
export type RegistryFailureKind = 'network' | 'timeout' | 'stalled' | 'auth' | 'rate' | 'refused' | 'not-found' | 'server' | 'protocol';

export interface RegistryFailure {
  ok: false;
  kind: RegistryFailureKind;
  /** A short code for people and `--json` ("http-403", "refused", "MANIFEST_UNKNOWN", "stalled"). */
  error: string;
  status: number;
  /** A 429's Retry-After, in seconds. */
  retryAfterSec: number | null;
}

export type Ok<T> = { ok: true } & T;
export type Outcome<T> = Ok<T> | RegistryFailure;

export interface ClientOptions {
  deadlineAt?: number;
  headersTimeoutMs?: number;
  idleTimeoutMs?: number;
  now?: () => number;
  lookup?: Bounds['lookup'];
}

export const CLIENT_DEFAULTS = { headersTimeoutMs: 2500, idleTimeoutMs: 1500, deadlineMs: 30_000 } as const;

const failure = (kind: RegistryFailureKind, error: string, status = 0, retryAfterSec: number | null = null): RegistryFailure => ({ ok: false, kind, error, status, retryAfterSec });

/** A reply that is not a success → what kind of failure it is. */
export function failureOf(r: BoundedReply, nowMs = Date.now()): RegistryFailure {
  if (r.error) {
    if (r.error === 'timeout') return failure('timeout', 'timeout');
    if (r.error === 'stalled' || r.error === 'closed-mid-body') return failure('stalled', r.error, r.status);
    if (r.error === 'too-many-redirects' || r.error === 'bad-redirect') return failure('server', r.error, r.status);
    return failure('network', r.error);
  }
  const code = errorCode(r.body.toString('utf8'));
  const what = `http-${r.status}${code ? ` ${code}` : ''}`;
  if (r.status === 401) return failure('auth', what, 401);
  if (r.status === 429) return failure('rate', what, 429, retryAfterSeconds(r.headers['retry-after'], nowMs));
  if (r.status === 403) return failure('refused', what, 403);
  if (r.status === 404) return failure('not-found', what, 404);
  return failure('server', what, r.status);
}

export interface Ping {
  latencyMs: number;
  /** The Bearer challenge to get tokens with; null when the registry answers without one. */
  bearer: Challenge | null;
}

export interface ManifestHead {
  digest: string | null;
  mediaType: string | null;
}

export interface ManifestBody {
  /** sha256 of the bytes served: what the Engine would record (never the header's word alone). */
  digest: string;
  /** The digest the registry said it served (Docker-Content-Digest), if it said one. */
  claimed: string | null;
  manifest: Manifest;
  text: string;
}

export interface BlobSample {
  bytes: number;
  ms: number;
  /** 206: the registry honoured the Range; 200: it sent the whole blob (reading stopped at the cap). */
  status: number;
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? null;

export class RegistryClient {
  readonly base: string;
  private readonly bounds: Bounds;
  private ping_: Promise<Outcome<Ping>> | null = null;
  private readonly tokens = new Map<string, Promise<Outcome<{ token: string | null }>>>();

  /** `base`: the registry's origin (`https://mirror.example`, `http://127.0.0.1:5000`). */
  constructor(base: string, o: ClientOptions = {}) {
    this.base = new URL(base).origin;
    const now = o.now ?? (() => performance.now());
    this.bounds = {
      now,
      deadlineAt: o.deadlineAt ?? now() + CLIENT_DEFAULTS.deadlineMs,
      headersTimeoutMs: o.headersTimeoutMs ?? CLIENT_DEFAULTS.headersTimeoutMs,
      idleTimeoutMs: o.idleTimeoutMs ?? CLIENT_DEFAULTS.idleTimeoutMs,
      lookup: o.lookup ?? cachedLookup(),
    };
  }

  /** `GET /v2/`: 200, or 401 with the challenge; with Docker-Distribution-API-Version either way. Asked once. */
  ping(): Promise<Outcome<Ping>> {
    this.ping_ ??= (async () => {
      const r = await boundedRequest(`${this.base}/v2/`, { maxBytes: 4096 }, this.bounds);
      if (r.error || (r.status !== 200 && r.status !== 401)) {
        const f = failureOf(r);
        // /v2/ is the registry itself: a 403 or 404 there means there is none.
        return f.kind === 'refused' || f.kind === 'not-found' ? failure('server', f.error, f.status) : f;
      }
      const api = String(r.headers['docker-distribution-api-version'] ?? '');
      if (!api.startsWith('registry/2')) return failure('server', 'not-a-registry', r.status);
      const latencyMs = Math.round(r.latencyMs ?? 0);
      if (r.status === 200) return { ok: true, latencyMs, bearer: null };
      const bearer = bearerOf(parseChallenges(r.headers['www-authenticate']));
      // Basic (or nothing usable): only an account gets in, and the Engine has none for a mirror.
      if (!bearer) return failure('auth', 'auth-not-anonymous', 401);
      return { ok: true, latencyMs, bearer };
    })();
    return this.ping_;
  }

  /** The anonymous pull token for one repository (null: the registry needs none). Asked once per repository. */
  private token(repository: string): Promise<Outcome<{ token: string | null }>> {
    let p = this.tokens.get(repository);
    if (!p) {
      p = (async () => {
        const ping = await this.ping();
        if (!ping.ok) return ping;
        if (!ping.bearer) return { ok: true, token: null };
        let url: string;
        try {
          url = tokenUrl(ping.bearer, repository);
        } catch {
          return failure('auth', 'bad-realm', 401);
        }
        const r = await boundedRequest(url, { maxBytes: 64 * 1024 }, this.bounds);
        if (r.error || r.status !== 200) {
          const f = failureOf(r);
          // The token service refusing an anonymous pull is an account requirement, whatever its status says.
          return f.kind === 'refused' || f.kind === 'auth' ? failure('auth', `token ${f.error}`, f.status) : f;
        }
        const token = parseToken(r.body.toString('utf8'));
        return token ? { ok: true, token } : failure('auth', 'token-missing', r.status);
      })();
      this.tokens.set(repository, p);
    }
    return p;
  }

  /** A request under /v2/<repository>/ with the repository's token. */
  private async get(repository: string, path: string, rq: { method?: 'GET' | 'HEAD'; headers?: Record<string, string>; maxBytes: number; windowMs?: number }): Promise<Outcome<{ reply: BoundedReply }>> {
    const t = await this.token(repository);
    if (!t.ok) return t;
    const headers = { ...rq.headers, ...(t.token ? { authorization: `Bearer ${t.token}` } : {}) };
    const r = await boundedRequest(`${this.base}/v2/${repository}/${path}`, { ...rq, headers }, this.bounds);
    const fine = rq.method === 'HEAD' ? r.status === 200 : r.status === 200 || r.status === 206;
    if (r.error || !fine) return failureOf(r, Date.now());
    return { ok: true, reply: r };
  }

  /** `HEAD /v2/<repo>/manifests/<reference>`: the digest and type the tag points to now (cheap: no body, not a pull on Docker Hub). */
  async manifestHead(repository: string, reference: string): Promise<Outcome<ManifestHead>> {
    const r = await this.get(repository, `manifests/${reference}`, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT }, maxBytes: 0 });
    if (!r.ok) return r;
    return { ok: true, digest: header(r.reply.headers['docker-content-digest']), mediaType: header(r.reply.headers['content-type']) };
  }

  /** `GET /v2/<repo>/manifests/<reference>`, parsed, with the digest of the bytes served. */
  async manifest(repository: string, reference: string): Promise<Outcome<ManifestBody>> {
    const r = await this.get(repository, `manifests/${reference}`, { headers: { accept: MANIFEST_ACCEPT }, maxBytes: MAX_MANIFEST_BYTES });
    if (!r.ok) return r;
    if (r.reply.truncated) return failure('protocol', 'manifest-too-large', r.reply.status);
    const text = r.reply.body.toString('utf8');
    const manifest = parseManifest(text, header(r.reply.headers['content-type']) ?? undefined);
    if (typeof manifest === 'string') return failure('protocol', manifest, r.reply.status);
    return { ok: true, digest: sha256(r.reply.body), claimed: header(r.reply.headers['docker-content-digest']), manifest, text };
  }

  /** A small blob, whole (an image config). */
  async blobText(repository: string, digest: string, maxBytes = 1024 * 1024): Promise<Outcome<{ text: string }>> {
    const r = await this.get(repository, `blobs/${digest}`, { maxBytes: maxBytes + 1 });
    if (!r.ok) return r;
    if (r.reply.bytes > maxBytes) return failure('protocol', 'blob-too-large', r.reply.status);
    if (sha256(r.reply.body) !== digest) return failure('protocol', 'blob-digest-mismatch', r.reply.status);
    return { ok: true, text: r.reply.body.toString('utf8') };
  }

  /** The first `bytes` of a blob (a Range read; stops after `windowMs`): how fast this registry serves it. */
  async blobSample(repository: string, digest: string, bytes: number, windowMs: number): Promise<Outcome<BlobSample>> {
    const r = await this.get(repository, `blobs/${digest}`, { headers: { range: `bytes=0-${bytes - 1}` }, maxBytes: bytes, windowMs });
    if (!r.ok) return r;
    return { ok: true, bytes: r.reply.bytes, ms: Math.max(r.reply.bodyMs, 1), status: r.reply.status };
  }

  /** Every tag of a repository (`tags/list`, following its pages). */
  async tags(repository: string, maxPages = 20): Promise<Outcome<{ tags: string[] }>> {
    const all: string[] = [];
    let path: string | null = 'tags/list?n=1000';
    for (let page = 0; path && page < maxPages; page++) {
      const r = await this.get(repository, path, { maxBytes: 4 * 1024 * 1024 });
      if (!r.ok) return r;
      const tags = parseTags(r.reply.body.toString('utf8'));
      if (tags === null) return failure('protocol', 'tags-not-json', r.reply.status);
      all.push(...tags);
      const next = nextPage(r.reply.headers.link);
      // The next page is a path from the registry's root: keep only what follows the repository.
      const marker = `/v2/${repository}/`;
      path = next && next.includes(marker) ? next.slice(next.indexOf(marker) + marker.length) : null;
    }
    return { ok: true, tags: all };
  }
}
