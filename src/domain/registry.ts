// The Docker registry protocol (Distribution's HTTP API v2), the pure half: image references, the
// WWW-Authenticate challenge and the anonymous token, manifests (OCI index, Docker manifest list,
// OCI and Docker v2 image manifests), the host's platform, tags/list, Retry-After. The I/O is
// src/host/registry-client.ts; the probe that judges mirrors with it is src/host/registry-probe.ts
// and its verdicts (classes) are ./registry-class.ts.
import { hubPath } from './versions.js';

// ---------------------------------------------------------------- references

/** An image reference taken apart: `[registry/]repository[:tag][@digest]`. */
export interface ImageRef {
  /** The registry host (`ghcr.io`, `127.0.0.1:5000`), null for Docker Hub. */
  registry: string | null;
  /** The repository path; Docker Hub short names expanded (`mysql` → `library/mysql`). */
  repository: string;
  tag: string | null;
  digest: string | null;
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
export const isDigest = (s: string) => DIGEST_RE.test(s);

export function parseImageRef(ref: string): ImageRef {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : null;
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > slash ? name.slice(colon + 1) : null;
  const path = colon > slash ? name.slice(0, colon) : name;
  const hub = hubPath(path);
  if (hub !== null) return { registry: null, repository: hub, tag, digest };
  const first = path.split('/')[0]!;
  return { registry: first, repository: path.slice(first.length + 1), tag, digest };
}

/** The pinned digest of a reference (`mysql:9.7.2@sha256:…`), or null when it pins none. */
export const pinnedDigest = (ref: string): string | null => {
  const d = parseImageRef(ref).digest;
  return d && isDigest(d) ? d : null;
};

/** A reference without its digest pin (`mysql:9.7.2@sha256:…` → `mysql:9.7.2`); a digest-only one stays. */
export const withoutDigest = (ref: string): string => {
  const at = ref.indexOf('@');
  if (at < 0) return ref;
  const name = ref.slice(0, at);
  return parseImageRef(name).tag ? name : ref;
};

/** An image the plan pulls from Docker Hub: what every registry candidate is asked for. */
export interface HubImage {
  /** As the plan names it, without the digest pin (`mysql:9.7.2`, `myorg/api:1.4`): the key of `images` in results. */
  ref: string;
  /** `library/mysql`. */
  repository: string;
  /** The tag asked for (`latest` when the reference has none and no digest). */
  reference: string;
  /** The digest pinned in the plan, when it pins one. */
  pinned: string | null;
}

/**
 * The Docker Hub images among these references, each once. `prefixHosts`: image-prefix mirrors the
 * plan's references may already be rewritten to (`m.example/docker.io/library/mysql:8`), which are
 * Docker Hub images under another name.
 */
export function hubImages(refs: readonly string[], prefixHosts: readonly string[] = []): HubImage[] {
  const out: HubImage[] = [];
  for (const raw of refs) {
    const ref = hubName(raw, prefixHosts);
    if (ref === null) continue;
    const r = parseImageRef(ref);
    if (r.registry !== null) continue;
    const reference = r.tag ?? r.digest ?? 'latest';
    const img: HubImage = { ref: withoutDigest(ref), repository: r.repository, reference, pinned: r.digest && isDigest(r.digest) ? r.digest : null };
    if (!out.some((o) => o.ref === img.ref)) out.push(img);
  }
  return out;
}

/** The Docker Hub reference behind a reference rewritten to an image-prefix mirror; null for another registry's image. */
function hubName(ref: string, prefixHosts: readonly string[]): string | null {
  for (const h of prefixHosts) {
    const host = h.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    if (!host || !ref.startsWith(`${host}/`)) continue;
    const rest = ref.slice(host.length + 1);
    // A full-reference prefix (…/docker.io) keeps docker.io in its path; others carry the Hub path.
    if (host.endsWith('/docker.io')) return rest;
    return rest.startsWith('docker.io/') ? rest.slice('docker.io/'.length) : rest;
  }
  return parseImageRef(ref).registry === null ? ref : null;
}

// ---------------------------------------------------------------- the platform

export interface Platform {
  os: 'linux';
  architecture: string;
  variant?: string;
}

/** The registry's platform for a host architecture (Node's `os.arch()` or `uname -m` spelling). */
export function platformOf(arch: string): Platform {
  const map: Record<string, Omit<Platform, 'os'>> = {
    x64: { architecture: 'amd64' }, x86_64: { architecture: 'amd64' }, amd64: { architecture: 'amd64' },
    arm64: { architecture: 'arm64', variant: 'v8' }, aarch64: { architecture: 'arm64', variant: 'v8' },
    arm: { architecture: 'arm', variant: 'v7' }, armv7l: { architecture: 'arm', variant: 'v7' },
    ppc64: { architecture: 'ppc64le' }, ppc64le: { architecture: 'ppc64le' }, s390x: { architecture: 's390x' },
    ia32: { architecture: '386' }, i686: { architecture: '386' },
  };
  return { os: 'linux', ...(map[arch] ?? { architecture: arch }) };
}

export const platformText = (p: Platform) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;

// ---------------------------------------------------------------- authentication

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * `WWW-Authenticate` → its challenges (RFC 7235): `Bearer realm="https://auth.docker.io/token",
 * service="registry.docker.io"`; quoted values may hold commas and escaped quotes.
 */
export function parseChallenges(header: string | readonly string[] | undefined): Challenge[] {
  const texts = header === undefined ? [] : typeof header === 'string' ? [header] : header;
  const out: Challenge[] = [];
  for (const text of texts) {
    let i = 0;
    let cur: Challenge | null = null;
    const skip = () => {
      while (i < text.length && /[\s,]/.test(text[i]!)) i++;
    };
    while (i < text.length) {
      skip();
      const tok = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(text.slice(i));
      if (!tok) break;
      i += tok[0].length;
      while (i < text.length && text[i] === ' ') i++;
      if (text[i] !== '=') {
        // A new scheme.
        cur = { scheme: tok[0].toLowerCase(), params: {} };
        out.push(cur);
        continue;
      }
      i++;
      let value = '';
      if (text[i] === '"') {
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < text.length) i++;
          value += text[i];
          i++;
        }
        i++;
      } else {
        const m = /^[^\s,]*/.exec(text.slice(i))!;
        value = m[0];
        i += value.length;
      }
      if (cur) cur.params[tok[0].toLowerCase()] = value;
    }
  }
  return out;
}

export const bearerOf = (challenges: readonly Challenge[]) => challenges.find((c) => c.scheme === 'bearer' && c.params.realm) ?? null;

/** The anonymous token request for pulling one repository, as Docker's client makes it. */
export function tokenUrl(ch: Challenge, repository: string): string {
  const u = new URL(ch.params.realm!);
  if (ch.params.service) u.searchParams.set('service', ch.params.service);
  u.searchParams.set('scope', `repository:${repository}:pull`);
  return u.toString();
}

/** The token in a token endpoint's answer (`token`, or OAuth2's `access_token`); null when there is none. */
export function parseToken(body: string): string | null {
  try {
    const j = JSON.parse(body) as { token?: unknown; access_token?: unknown };
    const t = typeof j.token === 'string' && j.token ? j.token : typeof j.access_token === 'string' ? j.access_token : '';
    return t || null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- manifests

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

/** The Accept header of a manifest request: every format the Engine pulls, the indexes first. */
export const MANIFEST_ACCEPT = [MEDIA.ociIndex, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.dockerManifest].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
}

export type Manifest =
  | { kind: 'index'; mediaType: string; manifests: Descriptor[] }
  | { kind: 'image'; mediaType: string; config: Descriptor; layers: Descriptor[] };

/** Big enough for any index (the official images list about 20 entries, a few KiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

const descriptor = (d: unknown): Descriptor | null => {
  if (!d || typeof d !== 'object') return null;
  const o = d as Record<string, unknown>;
  if (typeof o.digest !== 'string' || !isDigest(o.digest)) return null;
  const size = typeof o.size === 'number' && Number.isFinite(o.size) && o.size >= 0 ? o.size : 0;
  const p = o.platform && typeof o.platform === 'object' ? (o.platform as Record<string, unknown>) : null;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    mediaType: str(o.mediaType) ?? '',
    digest: o.digest,
    size,
    ...(p ? { platform: { os: str(p.os), architecture: str(p.architecture), variant: str(p.variant) } } : {}),
  };
};

/** A manifest body (with the Content-Type it came with) → its parts; a string says what is wrong. */
export function parseManifest(body: string, contentType: string | undefined): Manifest | string {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return 'manifest-not-json';
  }
  if (!j || typeof j !== 'object') return 'manifest-not-json';
  const mediaType = (typeof j.mediaType === 'string' ? j.mediaType : '') || (contentType ?? '').split(';')[0]!.trim();
  if (Array.isArray(j.manifests)) {
    const manifests = j.manifests.map(descriptor).filter((d): d is Descriptor => d !== null);
    return { kind: 'index', mediaType: mediaType || MEDIA.ociIndex, manifests };
  }
  if (Array.isArray(j.layers)) {
    const config = descriptor(j.config);
    if (!config) return 'manifest-without-config';
    return { kind: 'image', mediaType: mediaType || MEDIA.ociManifest, config, layers: j.layers.map(descriptor).filter((d): d is Descriptor => d !== null) };
  }
  // Schema 1 (fsLayers) and anything else: no Engine of the last years pulls it.
  return j.schemaVersion === 1 ? 'manifest-schema1' : 'manifest-unknown-format';
}

/** The index entry for this platform (a missing variant matches: `arm64` entries often carry none). */
export function pickPlatform(m: Extract<Manifest, { kind: 'index' }>, p: Platform): Descriptor | null {
  const cands = m.manifests.filter((d) => d.platform?.os === p.os && d.platform?.architecture === p.architecture);
  return cands.find((d) => p.variant && d.platform?.variant === p.variant) ?? cands.find((d) => !d.platform?.variant || !p.variant) ?? cands[0] ?? null;
}

/** The layer whose first MiB measures the speed: the largest (the one a pull waits for). */
export function largestLayer(m: Extract<Manifest, { kind: 'image' }>): Descriptor | null {
  return m.layers.reduce<Descriptor | null>((a, b) => (a === null || b.size > a.size ? b : a), null);
}

/** An image config's platform (`architecture`, `os`, `variant`), read to check a single-platform manifest. */
export function configPlatform(body: string): { os: string; architecture: string; variant?: string } | null {
  try {
    const j = JSON.parse(body) as { os?: unknown; architecture?: unknown; variant?: unknown };
    if (typeof j.os !== 'string' || typeof j.architecture !== 'string') return null;
    return { os: j.os, architecture: j.architecture, ...(typeof j.variant === 'string' ? { variant: j.variant } : {}) };
  } catch {
    return null;
  }
}

export const platformMatches = (got: { os: string; architecture: string; variant?: string }, want: Platform) =>
  got.os === want.os && got.architecture === want.architecture && (!want.variant || !got.variant || got.variant === want.variant);

// ---------------------------------------------------------------- errors, rate limits, tags

/** Distribution's error body (`{"errors":[{"code":"MANIFEST_UNKNOWN",…}]}`) → its first code, or null. */
export function errorCode(body: string): string | null {
  try {
    const j = JSON.parse(body) as { errors?: { code?: unknown }[] };
    const c = j.errors?.[0]?.code;
    return typeof c === 'string' ? c : null;
  } catch {
    return null;
  }
}

/** `Retry-After` (seconds, or an HTTP date) → whole seconds from `nowMs`; null when absent or unreadable. */
export function retryAfterSeconds(value: string | readonly string[] | undefined, nowMs: number): number | null {
  const v = (Array.isArray(value) ? value[0] : value) as string | undefined;
  if (!v) return null;
  if (/^\s*\d+\s*$/.test(v)) return Number(v.trim());
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** A tags/list page → its tags; null when it is not one. */
export function parseTags(body: string): string[] | null {
  try {
    const j = JSON.parse(body) as { tags?: unknown };
    if (j.tags === null) return [];
    return Array.isArray(j.tags) ? j.tags.filter((t): t is string => typeof t === 'string') : null;
  } catch {
    return null;
  }
}

/** The next page of a paginated list (`Link: </v2/…/tags/list?last=x&n=100>; rel="next"`), or null. */
export function nextPage(link: string | readonly string[] | undefined): string | null {
  const v = Array.isArray(link) ? link.join(', ') : (link as string | undefined);
  const m = v ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(v) : null;
  return m ? m[1]! : null;
}
