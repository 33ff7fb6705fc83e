// Mirror catalogue (presets/mirrors.yaml or `--catalog F`), what to probe per kind, and the ranking.
// Pure: the network side is src/host/mirror-probe.ts; each kind's own parts are in ./mirror-kinds/.
import { z } from 'zod';
import { parse } from 'yaml';
import builtinText from '../../presets/mirrors.yaml';
import {
  MIRROR_KINDS, kindModule, relevantKindsFor, trimSlash, type AptDistro, type EntryField, type EntryUrls, type MirrorKind, type ProbeRequest,
  type ProbeTarget,
} from './mirror-kinds/index.js';
import type { HostFacts } from './facts.js';
import { classRank, type MirrorClass } from './registry-class.js';
import { platformOf, type HubImage } from './registry.js';
import { describeIssues, parseYamlText } from './load.js';
import { mirrorUrl } from './safe-values.js';
import { usageError } from '../errors.js';
import type { T } from '../i18n/index.js';

export { MIRROR_KINDS, type MirrorKind };
export { MIRROR_CLASSES, usableClass, type MirrorClass } from './registry-class.js';
export { joinUrl, originOf, trimSlash, type AptDistro, type ProbeRequest, type ProbeTarget } from './mirror-kinds/index.js';

const ENTRY_FIELDS: readonly EntryField[] = ['security', 'ports'];
/** The kinds whose entries may carry `field`. */
const kindsWith = (field: EntryField) => MIRROR_KINDS.filter((k) => kindModule(k).fields.includes(field));

// The operator's catalogue is an input like the answers: its URLs reach the same config files.
const httpUrl = mirrorUrl;

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
    for (const field of ENTRY_FIELDS) {
      const kinds = kindsWith(field);
      if (e[field] !== undefined && !kinds.includes(e.kind)) ctx.addIssue({ code: 'custom', path: [field], message: 'mv.onlyFor', params: { field, kind: kinds.join(', ') } });
    }
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

// Suites asked for when the host is not that distribution: Debian's "stable" alias exists on every
// Debian mirror; Ubuntu has no alias, so the current LTS; docker-ce publishes per codename.
const DEFAULT_TARGET: ProbeTarget = { debianSuite: 'stable', ubuntuSuite: 'noble', dockerDistro: 'debian', dockerSuite: 'bookworm', ubuntuPorts: false };

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

/** What to probe on this host: its suites and platform, and the Docker Hub images of the plan (registry kinds are judged on each). */
export function probeTarget(os: { id: string; codename: string | null; idLike: readonly string[] } | null, arch: string, images: readonly HubImage[] = []): ProbeTarget {
  const d = aptDistro(os);
  const t: ProbeTarget = { ...DEFAULT_TARGET, images, platform: platformOf(arch) };
  if (d && os?.codename) {
    if (d === 'debian') t.debianSuite = os.codename;
    else t.ubuntuSuite = os.codename;
    t.dockerDistro = d;
    t.dockerSuite = os.codename;
  }
  t.ubuntuPorts = d === 'ubuntu' && !isX86(arch);
  return t;
}

/** The mirror kinds that matter on this host (apt for its own distribution only), in list order. */
export const relevantKinds = (facts: Pick<HostFacts, 'os'>): MirrorKind[] => relevantKindsFor(aptDistro(facts.os));

/** Kinds chosen automatically for region cn (see each kind's `auto`). */
export const autoKinds = (facts: Pick<HostFacts, 'os'>): MirrorKind[] => relevantKinds(facts).filter((k) => kindModule(k).auto);

/**
 * The small real objects a candidate is judged on (its kind's module decides). The first is
 * measured (latency, speed); every other URL the candidate would have us write must answer too,
 * or the candidate counts as dead.
 */
export function probeRequests(e: EntryUrls & { kind: MirrorKind }, t: ProbeTarget): ProbeRequest[] {
  return kindModule(e.kind).probe(e, t);
}

/** Whether a 200 answer starting with `head` is the object a `kind` probe asks for first (not a portal's or a CDN's error page). */
export function contentLooksRight(kind: MirrorKind, head: string): boolean {
  const [first] = kindModule(kind).probe({ url: 'http://mirror.invalid/' }, DEFAULT_TARGET);
  return first!.judge({ status: 200, headers: {}, head }) === null;
}

/** One image at a registry candidate: served with the digest the plan expects (`ok`), the digest it resolved to, why not. */
export interface ImageResult {
  ok: boolean;
  digest: string | null;
  error: string | null;
}

/**
 * One candidate's outcome; `mirrors --json` prints exactly these fields. `alive`: it may be written
 * (a registry candidate: class ok or slow, i.e. it served every image of the plan). `class` for the
 * kinds without a protocol of their own: ok, slow (cut off by the deadline), stalled or dead.
 */
export interface ProbeResult {
  kind: MirrorKind;
  id: string;
  url: string;
  alive: boolean;
  latencyMs: number | null;
  bytesPerSecond: number | null;
  error: string | null;
  /** The probe always sets the three below; a result built elsewhere (a test, a recorded run) may leave them to `classOf`. */
  class?: MirrorClass;
  /** Registry kinds probed on the plan's images: by image (HubImage.ref); else empty. */
  images?: Record<string, ImageResult>;
  /** Registry kinds: the speed of the Range reads of the images' largest layers; else null. */
  blobBytesPerSecond?: number | null;
}

export const classOf = (r: Pick<ProbeResult, 'alive' | 'error' | 'class'>): MirrorClass => r.class ?? classOfPlain(r.alive, r.error);

/** The class of a candidate judged by its kind's own requests (not the registry protocol). */
export function classOfPlain(alive: boolean, error: string | null): MirrorClass {
  if (alive) return 'ok';
  if (error === 'too-slow') return 'slow';
  if (error === 'stalled' || error === 'closed-mid-body') return 'stalled';
  if (/^http-429\b/.test(error ?? '')) return 'rate-limited';
  return 'dead';
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

/**
 * Alive first, then by class (domain/registry-class.ts), then: registry candidates by blob speed
 * (what a pull waits for; Docker tries registry-mirrors in this order), the others by score; ties
 * and dead ones keep catalogue order. Grouped by kind in MIRROR_KINDS order.
 */
export function rankResults(results: readonly ProbeResult[]): ProbeResult[] {
  const order = new Map(results.map((r, i) => [r, i]));
  return [...results].sort((a, b) => {
    const k = MIRROR_KINDS.indexOf(a.kind) - MIRROR_KINDS.indexOf(b.kind);
    if (k !== 0) return k;
    if (a.alive !== b.alive) return a.alive ? -1 : 1;
    const c = classRank(classOf(a)) - classRank(classOf(b));
    if (c !== 0) return c;
    const [ba, bb] = [a.blobBytesPerSecond ?? null, b.blobBytesPerSecond ?? null];
    if (ba !== null && bb !== null && ba !== bb) return bb - ba;
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
