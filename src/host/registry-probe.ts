// One Docker Hub mirror candidate probed by the registry protocol, image by image: GET /v2/ → the
// Bearer challenge → an anonymous token per repository → manifest HEAD, then GET (hashed) → the
// host's platform in an index (or the config's, for a single manifest) → a Range read of the first
// MiB of the largest layer. What each step answered is evidence (domain/registry-class.ts), which
// classify() turns into a class once every candidate is in (staleness compares them).
import { largestLayer, pickPlatform, platformMatches, platformText, configPlatform, type HubImage, type Platform } from '../domain/registry.js';
import type { ImageFailure, ImageOutcome, RegistryEvidence } from '../domain/registry-class.js';
import { RegistryClient, type ClientOptions, type RegistryFailure } from './registry-client.js';

/** Where one candidate serves one image (its kind module says: domain/mirror-kinds). */
export interface ImageAt {
  image: HubImage;
  base: string;
  repository: string;
  reference: string;
}

export interface RegistryProbeOptions extends Required<Omit<ClientOptions, 'lookup'>> {
  lookup: NonNullable<ClientOptions['lookup']>;
  /** How much of the largest layer is read: 1 MiB, enough that the speed is not the first TCP window. */
  blobBytes: number;
  /** The blob read stops this long after it starts, however much came (a slow mirror is measured, not waited for). */
  blobWindowMs: number;
  /** A 429 whose Retry-After is at most this (s) is waited out once, if the deadline allows. */
  retryWithinSec: number;
}

const outcomeOf = (step: string, f: RegistryFailure): ImageOutcome => ({
  ok: false,
  digest: null,
  error: `${step} ${f.error}`,
  failure: f.kind as ImageFailure,
  retryAfterSec: f.retryAfterSec,
  blob: null,
});

const protocol = (error: string): ImageOutcome => ({ ok: false, digest: null, error, failure: 'protocol', retryAfterSec: null, blob: null });

async function imageAt(c: RegistryClient, at: ImageAt, platform: Platform, o: RegistryProbeOptions): Promise<ImageOutcome> {
  // One wait for a short Retry-After, when the deadline leaves room for it and the rest.
  const patiently = async <T>(step: () => Promise<{ ok: true } & T | RegistryFailure>) => {
    const r = await step();
    if (r.ok || r.kind !== 'rate' || r.retryAfterSec === null || r.retryAfterSec > o.retryWithinSec) return r;
    if (o.deadlineAt - o.now() < r.retryAfterSec * 1000 + o.headersTimeoutMs) return r;
    await new Promise((res) => setTimeout(res, r.retryAfterSec! * 1000));
    return step();
  };
  const head = await patiently(() => c.manifestHead(at.repository, at.reference));
  if (!head.ok) return outcomeOf('manifest', head);
  const top = await patiently(() => c.manifest(at.repository, head.digest ?? at.reference));
  if (!top.ok) return outcomeOf('manifest', top);
  let manifest = top.manifest;
  if (manifest.kind === 'index') {
    const d = pickPlatform(manifest, platform);
    if (!d) return protocol(`no ${platformText(platform)} in the index`);
    const m = await patiently(() => c.manifest(at.repository, d.digest));
    if (!m.ok) return outcomeOf('manifest', m);
    if (m.manifest.kind !== 'image') return protocol('nested index');
    manifest = m.manifest;
  } else {
    // A single-platform manifest: its config says which platform it is.
    const cfg = await patiently(() => c.blobText(at.repository, manifest.kind === 'image' ? manifest.config.digest : ''));
    if (!cfg.ok) return outcomeOf('config', cfg);
    const p = configPlatform(cfg.text);
    if (!p || !platformMatches(p, platform)) return protocol(`built for ${p ? `${p.os}/${p.architecture}` : 'an unknown platform'}, not ${platformText(platform)}`);
  }
  const layer = largestLayer(manifest);
  if (!layer) return protocol('no layers');
  const blob = await patiently(() => c.blobSample(at.repository, layer.digest, Math.min(o.blobBytes, Math.max(layer.size, 1)), o.blobWindowMs));
  if (!blob.ok) return outcomeOf('blob', blob);
  return { ok: true, digest: top.digest, error: null, failure: null, retryAfterSec: null, blob: { bytes: blob.bytes, ms: blob.ms } };
}

/**
 * Probes one candidate for every image, in parallel; settles by the deadline. Evidence plus the
 * /v2/ latency (the time to a first answer, what a /v2/-only check would rank by).
 */
export async function probeRegistry(ats: readonly ImageAt[], platform: Platform, o: RegistryProbeOptions): Promise<RegistryEvidence> {
  const clients = new Map<string, RegistryClient>();
  const client = (base: string) => {
    let c = clients.get(base);
    if (!c) {
      c = new RegistryClient(base, o);
      clients.set(base, c);
    }
    return c;
  };
  const first = ats[0];
  if (!first) return { ping: { ok: false, failure: 'protocol', error: 'no-images', retryAfterSec: null }, images: {} };
  const ping = await client(first.base).ping();
  if (!ping.ok) return { ping: { ok: false, failure: ping.kind as ImageFailure, error: ping.error, retryAfterSec: ping.retryAfterSec }, images: {} };
  const outs = await Promise.all(
    ats.map(async (at) => {
      const c = client(at.base);
      const p = await c.ping();
      return [at.image.ref, p.ok ? await imageAt(c, at, platform, o) : outcomeOf('ping', p)] as const;
    }),
  );
  return { ping: { ok: true, latencyMs: ping.latencyMs }, images: Object.fromEntries(outs) };
}
