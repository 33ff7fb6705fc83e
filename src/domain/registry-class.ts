// A Docker Hub mirror judged image by image (pure): the classes `mirrors --json` prints, how the
// outcome of each image's requests becomes one class, the digest most live candidates serve, and the
// order candidates are ranked and written in. The probe that gathers the outcomes is
// src/host/registry-probe.ts.
import type { HubImage } from './registry.js';

/**
 * `ok`: served every image of the plan, fast enough; `slow`: the same below SLOW_BLOB_BYTES_PER_SECOND;
 * `allow-list`: refuses some images (403/404 on their manifests or blobs); `rate-limited`: 429;
 * `auth-required`: no anonymous pull; `stale`: serves a digest other than the plan's pin (or than
 * most live candidates serve); `stalled`: answers, then stops mid-transfer; `dead`: no registry
 * there, or it serves none of the images.
 */
export const MIRROR_CLASSES = ['ok', 'slow', 'allow-list', 'rate-limited', 'auth-required', 'stale', 'stalled', 'dead'] as const;
export type MirrorClass = (typeof MIRROR_CLASSES)[number];

/** The classes a mirror can be written with: it served every image of the plan. */
export const USABLE_CLASSES: readonly MirrorClass[] = ['ok', 'slow'];
export const usableClass = (c: MirrorClass) => USABLE_CLASSES.includes(c);

/**
 * Below this blob speed a mirror is `slow`: 1 MiB/s brings a stack's images (MySQL, Redis, nginx:
 * about 300 MB compressed) in about five minutes; much slower and init looks hung.
 */
export const SLOW_BLOB_BYTES_PER_SECOND = 1024 * 1024;

/** Why one image's requests failed (host/registry-client.ts's failure kinds, as far as a class needs them). */
export type ImageFailure = 'network' | 'timeout' | 'stalled' | 'auth' | 'rate' | 'refused' | 'not-found' | 'server' | 'protocol';

/** One image at one candidate: `mirrors --json` prints { ok, digest, error } of it. */
export interface ImageOutcome {
  ok: boolean;
  /** The digest the tag resolved to there (sha256 of the manifest bytes served). */
  digest: string | null;
  error: string | null;
  failure: ImageFailure | null;
  retryAfterSec: number | null;
  /** The Range read of its largest layer: bytes read in ms. */
  blob: { bytes: number; ms: number } | null;
}

/** What a probe of one candidate gathered. `ping` failed: nothing else was asked. */
export interface RegistryEvidence {
  ping: { ok: true; latencyMs: number } | { ok: false; failure: ImageFailure; error: string; retryAfterSec: number | null };
  /** By HubImage.ref. */
  images: Record<string, ImageOutcome>;
}

export interface RegistryVerdict {
  class: MirrorClass;
  /** The first reason for a class other than ok/slow; null when usable. */
  error: string | null;
  blobBytesPerSecond: number | null;
  retryAfterSec: number | null;
}

const short = (d: string) => d.replace(/^sha256:/, '').slice(0, 12);

/** The blob speed over every image's Range read: all bytes over all reading time. */
export function blobSpeed(images: Readonly<Record<string, ImageOutcome>>): number | null {
  let bytes = 0;
  let ms = 0;
  for (const o of Object.values(images)) {
    if (!o.blob || o.blob.bytes <= 0) continue;
    bytes += o.blob.bytes;
    ms += Math.max(o.blob.ms, 1);
  }
  return ms > 0 ? Math.round((bytes * 1000) / ms) : null;
}

/**
 * The digest each image resolves to at most candidates that served it (strictly more than half of
 * them); none when they split evenly or nobody served it.
 */
export function majorityDigests(all: readonly RegistryEvidence[]): Record<string, string | null> {
  const counts = new Map<string, Map<string, number>>();
  for (const e of all) {
    for (const [ref, o] of Object.entries(e.images)) {
      if (!o.ok || !o.digest) continue;
      const m = counts.get(ref) ?? new Map<string, number>();
      m.set(o.digest, (m.get(o.digest) ?? 0) + 1);
      counts.set(ref, m);
    }
  }
  const out: Record<string, string | null> = {};
  for (const [ref, m] of counts) {
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    const top = [...m.entries()].find(([, n]) => n * 2 > total);
    out[ref] = top ? top[0] : null;
  }
  return out;
}

/** The digest an image should resolve to: the plan's pin, else what most live candidates serve. */
const expected = (img: HubImage, majority: Readonly<Record<string, string | null>>) => img.pinned ?? majority[img.ref] ?? null;

/**
 * One candidate's class from its evidence. The order of the tests is the order of what matters
 * most to a pull: a 429 or a stall makes the Engine wait; no anonymous pull never works; other bytes
 * for a tag are refused by the digest check; refusals leave images to other mirrors; then speed.
 */
export function classify(e: RegistryEvidence, images: readonly HubImage[], majority: Readonly<Record<string, string | null>> = {}): RegistryVerdict {
  if (!e.ping.ok) {
    const c: MirrorClass = e.ping.failure === 'auth' ? 'auth-required' : e.ping.failure === 'rate' ? 'rate-limited' : 'dead';
    return { class: c, error: e.ping.error, blobBytesPerSecond: null, retryAfterSec: e.ping.retryAfterSec };
  }
  const speed = blobSpeed(e.images);
  const outs = images.map((img) => [img, e.images[img.ref]] as const).filter((x): x is readonly [HubImage, ImageOutcome] => x[1] !== undefined);
  const first = (f: (o: ImageOutcome) => boolean) => outs.find(([, o]) => f(o));
  const why = ([img, o]: readonly [HubImage, ImageOutcome]) => `${img.ref}: ${o.error ?? '?'}`;
  const verdict = (c: MirrorClass, error: string | null, retryAfterSec: number | null = null): RegistryVerdict => ({ class: c, error, blobBytesPerSecond: speed, retryAfterSec });

  const rate = outs.filter(([, o]) => o.failure === 'rate');
  if (rate.length) {
    const after = Math.max(...rate.map(([, o]) => o.retryAfterSec ?? 0));
    return verdict('rate-limited', why(rate[0]!), after > 0 ? after : null);
  }
  const stall = first((o) => o.failure === 'stalled' || o.failure === 'timeout');
  if (stall) return verdict('stalled', why(stall));
  const auth = first((o) => o.failure === 'auth');
  if (auth) return verdict('auth-required', why(auth));
  for (const [img, o] of outs) {
    const want = expected(img, majority);
    if (o.ok && o.digest && want && o.digest !== want) {
      return verdict('stale', `${img.ref}: ${short(o.digest)} ≠ ${img.pinned ? 'pinned' : 'most mirrors'} ${short(want)}`);
    }
  }
  const refused = outs.filter(([, o]) => !o.ok);
  if (refused.length) {
    const none = refused.length === outs.length;
    // Refusing everything with 404 is a /v2/ answer in front of nothing; a 403 is a list that leaves our images out.
    const listed = refused.some(([, o]) => o.failure === 'refused');
    return verdict(none && !listed ? 'dead' : 'allow-list', why(refused[0]!));
  }
  if (speed !== null && speed < SLOW_BLOB_BYTES_PER_SECOND) return verdict('slow', null);
  return verdict('ok', null);
}

/** Rank of a class: usable first, then what may still serve some images, then what serves none. */
export const classRank = (c: MirrorClass) => MIRROR_CLASSES.indexOf(c);

/** Whether this candidate served this image with the digest the plan expects (it may take that image's pull). */
export function servesImage(e: RegistryEvidence, img: HubImage, majority: Readonly<Record<string, string | null>> = {}): boolean {
  const o = e.ping.ok ? e.images[img.ref] : undefined;
  if (!o?.ok || !o.digest) return false;
  const want = expected(img, majority);
  return !want || o.digest === want;
}
