// Mirror catalogue (presets/mirrors.yaml or `--catalog F`), what to probe per kind, and the ranking.
// Pure: the network side is src/host/mirror-probe.ts.
import { z } from 'zod';
import { parse } from 'yaml';
import builtinText from '../../presets/mirrors.yaml';
import { MIRROR_KINDS, type MirrorKind } from './answers.js';
import { describeIssues, parseYamlText } from './load.js';
import { usageError } from '../errors.js';
import type { T } from '../i18n/index.js';

export { MIRROR_KINDS, type MirrorKind };

const httpUrl = z.string().url().regex(/^https?:\/\/[^/?#]+(?:\/[^?#]*)?$/, 'v.httpUrl');

const EntrySchema = z
  .strictObject({
    kind: z.enum(MIRROR_KINDS),
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,39}$/, 'mv.id'),
    name: z.string().min(1),
    url: httpUrl,
    /** apt-debian: the provider's debian-security archive. */
    security: httpUrl.optional(),
    /** apt-ubuntu: the provider's ubuntu-ports archive. */
    ports: httpUrl.optional(),
    note: z.string().optional(),
  })
  .superRefine((e, ctx) => {
    if (e.security !== undefined && e.kind !== 'apt-debian') ctx.addIssue({ code: 'custom', path: ['security'], message: 'mv.onlyFor', params: { field: 'security', kind: 'apt-debian' } });
    if (e.ports !== undefined && e.kind !== 'apt-ubuntu') ctx.addIssue({ code: 'custom', path: ['ports'], message: 'mv.onlyFor', params: { field: 'ports', kind: 'apt-ubuntu' } });
  });

export const CatalogueSchema = z
  .array(EntrySchema)
  .min(1)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((e, i) => {
      const k = `${e.kind}/${e.id}`;
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: 'mv.duplicateId', params: { kind: e.kind, id: e.id } });
      seen.add(k);
    });
  });

export type MirrorEntry = z.output<typeof EntrySchema>;

/** A catalogue file (YAML or JSON) → entries; a bad file is a usage error naming file:line. */
export function parseCatalogue(text: string, file: string, t: T): MirrorEntry[] {
  const p = parseYamlText(text, file);
  if (!Array.isArray(p.data)) throw usageError('err.catalogNotList', { file });
  const r = CatalogueSchema.safeParse(p.data);
  if (!r.success) throw usageError('err.catalogInvalid', { file, count: r.error.issues.length }, describeIssues(r.error.issues, p, file, CatalogueSchema, t));
  return r.data;
}

function loadBuiltin(): MirrorEntry[] {
  const r = CatalogueSchema.safeParse(parse(builtinText));
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`presets/mirrors.yaml: ${i.path.join('.')}: ${i.message}`);
  }
  return r.data;
}

let builtin: MirrorEntry[] | null = null;
/** The built-in catalogue (region cn candidates), validated on first use. */
export function builtinCatalogue(): MirrorEntry[] {
  builtin ??= loadBuiltin();
  return builtin;
}

export const trimSlash = (u: string) => u.replace(/\/+$/, '');
export const joinUrl = (base: string, path: string) => `${trimSlash(base)}/${path.replace(/^\/+/, '')}`;

/** What the probe needs to know about the host to ask for objects it would really use. */
export interface ProbeTarget {
  debianSuite: string;
  ubuntuSuite: string;
  dockerDistro: 'debian' | 'ubuntu';
  dockerSuite: string;
  /** Ubuntu on arm64 and other non-x86 machines uses ubuntu-ports. */
  ubuntuPorts: boolean;
}

// Suites asked for when the host is not that distribution: Debian's "stable" alias exists on every
// Debian mirror; Ubuntu has no alias, so the current LTS; docker-ce publishes per codename.
const DEFAULT_TARGET: ProbeTarget = { debianSuite: 'stable', ubuntuSuite: 'noble', dockerDistro: 'debian', dockerSuite: 'bookworm', ubuntuPorts: false };

export type AptDistro = 'debian' | 'ubuntu';

/** The host's apt family, from os-release ID / ID_LIKE; null for anything else. */
export function aptDistro(os: { id: string; idLike: readonly string[] } | null | undefined): AptDistro | null {
  if (!os) return null;
  if (os.id === 'ubuntu') return 'ubuntu';
  if (os.id === 'debian') return 'debian';
  return null;
}

export const isX86 = (arch: string) => /^(x64|x86_64|amd64|ia32|i[3-6]86|x86)$/.test(arch);

/** dpkg's name for the machine architecture (Node's os.arch() or uname -m spelling). */
export function dpkgArch(arch: string): string | null {
  const map: Record<string, string> = { x64: 'amd64', x86_64: 'amd64', amd64: 'amd64', arm64: 'arm64', aarch64: 'arm64', arm: 'armhf', armv7l: 'armhf', ppc64: 'ppc64el', ppc64le: 'ppc64el', s390x: 's390x', ia32: 'i386', i686: 'i386' };
  return map[arch] ?? null;
}

export function probeTarget(os: { id: string; codename: string | null; idLike: readonly string[] } | null, arch: string): ProbeTarget {
  const d = aptDistro(os);
  const t = { ...DEFAULT_TARGET };
  if (d && os?.codename) {
    if (d === 'debian') t.debianSuite = os.codename;
    else t.ubuntuSuite = os.codename;
    t.dockerDistro = d;
    t.dockerSuite = os.codename;
  }
  t.ubuntuPorts = d === 'ubuntu' && !isX86(arch);
  return t;
}

export type ContentCheck = 'apt-release' | 'registry' | 'npm' | 'pypi' | 'node';

export interface ProbeRequest {
  url: string;
  check: ContentCheck;
}

/** URL origin (scheme://host[:port]) of a mirror URL. */
export const originOf = (u: string) => new URL(u).origin;

/**
 * The small real objects a candidate is judged on. The first is measured (latency, speed); every
 * other URL the candidate would have us write must answer too, or the candidate counts as dead.
 */
export function probeRequests(e: Pick<MirrorEntry, 'kind' | 'url' | 'security' | 'ports'>, t: ProbeTarget): ProbeRequest[] {
  switch (e.kind) {
    case 'apt-debian': {
      const out: ProbeRequest[] = [{ url: joinUrl(e.url, `dists/${t.debianSuite}/Release`), check: 'apt-release' }];
      if (e.security) out.push({ url: joinUrl(e.security, `dists/${t.debianSuite}-security/Release`), check: 'apt-release' });
      return out;
    }
    case 'apt-ubuntu': {
      const out: ProbeRequest[] = [{ url: joinUrl(e.url, `dists/${t.ubuntuSuite}/Release`), check: 'apt-release' }];
      if (e.ports && t.ubuntuPorts) out.push({ url: joinUrl(e.ports, `dists/${t.ubuntuSuite}/Release`), check: 'apt-release' });
      return out;
    }
    case 'docker-ce':
      return [{ url: joinUrl(e.url, `linux/${t.dockerDistro}/dists/${t.dockerSuite}/Release`), check: 'apt-release' }];
    case 'registry':
    case 'image-prefix':
      // The registry API root: 200, or 401 asking for a token, with Docker-Distribution-API-Version.
      return [{ url: `${originOf(e.url)}/v2/`, check: 'registry' }];
    case 'npm':
      // A small, long-lived package document.
      return [{ url: joinUrl(e.url, 'ms'), check: 'npm' }];
    case 'pypi':
      return [{ url: joinUrl(e.url, 'pip/'), check: 'pypi' }];
    case 'node':
      return [{ url: joinUrl(e.url, 'index.json'), check: 'node' }];
  }
}

/** Whether the first bytes of a body look like the object asked for (not a portal's or a CDN's error page). */
export function contentLooksRight(check: ContentCheck, head: string): boolean {
  switch (check) {
    case 'apt-release':
      return /^(Suite|Codename):\s*\S/m.test(head);
    case 'registry':
      return true;
    case 'npm':
      return /^\s*\{/.test(head) && head.includes('"name"');
    case 'pypi':
      return /pip-\d/.test(head);
    case 'node':
      return /^\s*\[/.test(head) && head.includes('"version"');
  }
}

/** One candidate's outcome; `mirrors --json` prints exactly these fields. */
export interface ProbeResult {
  kind: MirrorKind;
  id: string;
  url: string;
  alive: boolean;
  latencyMs: number | null;
  bytesPerSecond: number | null;
  error: string | null;
}

/** Size of the reference download the score prices in. */
export const SCORE_REFERENCE_BYTES = 1024 * 1024;

/**
 * The ranking score, lower is better: the estimated milliseconds to fetch a 1 MiB file, i.e. one
 * latency (time to the first response) plus 1 MiB at the measured speed. Without a speed (a
 * registry's /v2/ answer is a few bytes) it is the latency alone, which is what every candidate of
 * that kind is then compared on. Dead candidates have no score.
 */
export function score(r: ProbeResult): number | null {
  if (!r.alive || r.latencyMs === null) return null;
  const transfer = r.bytesPerSecond && r.bytesPerSecond > 0 ? (1000 * SCORE_REFERENCE_BYTES) / r.bytesPerSecond : 0;
  return r.latencyMs + transfer;
}

/** Alive first, then by score; ties and dead ones keep catalogue order. Grouped by kind in MIRROR_KINDS order. */
export function rankResults(results: readonly ProbeResult[]): ProbeResult[] {
  const order = new Map(results.map((r, i) => [r, i]));
  return [...results].sort((a, b) => {
    const k = MIRROR_KINDS.indexOf(a.kind) - MIRROR_KINDS.indexOf(b.kind);
    if (k !== 0) return k;
    if (a.alive !== b.alive) return a.alive ? -1 : 1;
    const sa = score(a);
    const sb = score(b);
    if (sa !== null && sb !== null && sa !== sb) return sa - sb;
    return order.get(a)! - order.get(b)!;
  });
}

/** The best live candidate's id per kind; a kind with none alive is left out. */
export function bestByKind(results: readonly ProbeResult[]): Partial<Record<MirrorKind, string>> {
  const out: Partial<Record<MirrorKind, string>> = {};
  for (const r of rankResults(results)) if (r.alive && !(r.kind in out)) out[r.kind] = r.id;
  return out;
}

/** A chosen mirror with the probe result that proved it alive; what every writer takes. */
export interface MirrorChoice {
  kind: MirrorKind;
  url: string;
  /** apt-debian: the debian-security archive to use for <suite>-security (probed with the main one). */
  security?: string;
  /** apt-ubuntu: the ubuntu-ports archive (probed with the main one on non-x86 hosts). */
  ports?: string;
  result: ProbeResult;
}

export class DeadMirrorError extends Error {
  constructor(readonly kind: MirrorKind, readonly url: string, readonly reason: string) {
    super(`refusing to write ${kind} mirror ${url}: ${reason}`);
    this.name = 'DeadMirrorError';
  }
}

/** Every writer calls this first: a mirror is written only with a live probe result for that very URL. */
export function assertLive(c: MirrorChoice): void {
  if (c.result.kind !== c.kind || trimSlash(c.result.url) !== trimSlash(c.url)) throw new DeadMirrorError(c.kind, c.url, 'no probe result for this URL');
  if (!c.result.alive) throw new DeadMirrorError(c.kind, c.url, c.result.error ?? 'dead');
}
