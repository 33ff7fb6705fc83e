// The registry protocol's pure half (domain/registry.ts) and how a mirror's evidence becomes a class
// (domain/registry-class.ts). The same code runs against Debian's docker-registry behind nginx in
// test/real/registry-probe.test.ts; here the edge cases the lab does not reach.
import { describe, expect, it } from 'vitest';
import {
  hubImages, parseChallenges, parseImageRef, parseManifest, pickPlatform, platformOf, retryAfterSeconds, tokenUrl, withoutDigest, nextPage,
  type Manifest,
} from '../../src/domain/registry.js';
import { classify, majorityDigests, type ImageOutcome, type RegistryEvidence } from '../../src/domain/registry-class.js';

const D = (c: string) => `sha256:${c.repeat(64)}`;

describe('references', () => {
  it('expands Docker Hub short names and keeps other registries apart', () => {
    expect(parseImageRef('mysql:8.4')).toEqual({ registry: null, repository: 'library/mysql', tag: '8.4', digest: null });
    expect(parseImageRef(`ghcr.io/a/b:1@${D('a')}`)).toEqual({ registry: 'ghcr.io', repository: 'a/b', tag: '1', digest: D('a') });
    expect(parseImageRef('127.0.0.1:5000/x')).toMatchObject({ registry: '127.0.0.1:5000', repository: 'x', tag: null });
    expect(withoutDigest(`mysql:8.4@${D('b')}`)).toBe('mysql:8.4');
  });

  it('takes the Docker Hub images of a plan once each, with their pins, also when rewritten to a prefix mirror', () => {
    const imgs = hubImages([`mysql:8.4@${D('c')}`, 'ghcr.io/a/b:1', 'redis:8', 'mysql:8.4', 'm.example/docker.io/library/nginx:1.30'], ['https://m.example/docker.io']);
    expect(imgs).toEqual([
      { ref: 'mysql:8.4', repository: 'library/mysql', reference: '8.4', pinned: D('c') },
      { ref: 'redis:8', repository: 'library/redis', reference: '8', pinned: null },
      { ref: 'library/nginx:1.30', repository: 'library/nginx', reference: '1.30', pinned: null },
    ]);
  });
});

describe('authentication', () => {
  it('reads a Bearer challenge with quoted commas and builds the anonymous pull token URL', () => {
    const [c] = parseChallenges('Bearer realm="https://auth.example/token?a=1,b",service="registry.example",scope="x"');
    expect(c).toEqual({ scheme: 'bearer', params: { realm: 'https://auth.example/token?a=1,b', service: 'registry.example', scope: 'x' } });
    const u = new URL(tokenUrl(c!, 'library/mysql'));
    expect(u.searchParams.get('service')).toBe('registry.example');
    expect(u.searchParams.get('scope')).toBe('repository:library/mysql:pull');
    expect(parseChallenges(['Basic realm="x"', 'Bearer realm="r"']).map((x) => x.scheme)).toEqual(['basic', 'bearer']);
  });

  it('Retry-After as seconds or a date; a Link header next page', () => {
    expect(retryAfterSeconds('120', 0)).toBe(120);
    expect(retryAfterSeconds(new Date(60_000).toUTCString(), 0)).toBe(60);
    expect(retryAfterSeconds('soon', 0)).toBeNull();
    expect(nextPage('</v2/library/mysql/tags/list?last=9&n=100>; rel="next"')).toBe('/v2/library/mysql/tags/list?last=9&n=100');
  });
});

describe('manifests', () => {
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D('1'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D('2'), size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D('3'), size: 1, platform: { os: 'unknown', architecture: 'unknown' } },
    ],
  });

  it('picks the host platform from an index (an arm64 entry without variant matches too)', () => {
    const m = parseManifest(index, undefined) as Extract<Manifest, { kind: 'index' }>;
    expect(pickPlatform(m, platformOf('x64'))?.digest).toBe(D('1'));
    expect(pickPlatform(m, platformOf('aarch64'))?.digest).toBe(D('2'));
    expect(pickPlatform(m, platformOf('s390x'))).toBeNull();
  });

  it('refuses what no Engine pulls', () => {
    expect(parseManifest('{"schemaVersion":1,"fsLayers":[]}', undefined)).toBe('manifest-schema1');
    expect(parseManifest('<html>', 'text/html')).toBe('manifest-not-json');
  });
});

describe('classes', () => {
  const imgs = hubImages([`mysql:8.4@${D('a')}`, 'redis:8']);
  const ok = (digest: string, bps = 4 * 1024 * 1024): ImageOutcome => ({ ok: true, digest, error: null, failure: null, retryAfterSec: null, blob: { bytes: bps, ms: 1000 } });
  const bad = (failure: ImageOutcome['failure'], error: string, retryAfterSec: number | null = null): ImageOutcome => ({ ok: false, digest: null, error, failure, retryAfterSec, blob: null });
  const ev = (mysql: ImageOutcome, redis: ImageOutcome): RegistryEvidence => ({ ping: { ok: true, latencyMs: 5 }, images: { 'mysql:8.4': mysql, 'redis:8': redis } });

  it('each failure mode its class, in the order that matters to a pull', () => {
    expect(classify(ev(ok(D('a')), ok(D('r'))), imgs).class).toBe('ok');
    expect(classify(ev(ok(D('a'), 200_000), ok(D('r'), 200_000)), imgs).class).toBe('slow');
    expect(classify(ev(ok(D('a')), bad('refused', 'manifest http-403')), imgs)).toMatchObject({ class: 'allow-list', error: 'redis:8: manifest http-403' });
    expect(classify(ev(bad('not-found', 'manifest http-404'), bad('not-found', 'manifest http-404')), imgs).class).toBe('dead');
    expect(classify(ev(bad('rate', 'manifest http-429', 30), bad('stalled', 'blob stalled')), imgs)).toMatchObject({ class: 'rate-limited', retryAfterSec: 30 });
    expect(classify(ev(ok(D('a')), bad('stalled', 'blob stalled')), imgs).class).toBe('stalled');
    expect(classify(ev(ok(D('a')), bad('auth', 'token http-401')), imgs).class).toBe('auth-required');
    // Another digest than the pin: stale, whatever its speed.
    expect(classify(ev(ok(D('e')), ok(D('r'))), imgs).class).toBe('stale');
    expect(classify({ ping: { ok: false, failure: 'auth', error: 'auth-not-anonymous', retryAfterSec: null }, images: {} }, imgs).class).toBe('auth-required');
    expect(classify({ ping: { ok: false, failure: 'network', error: 'refused', retryAfterSec: null }, images: {} }, imgs).class).toBe('dead');
  });

  it('an unpinned image is judged by the digest most live candidates serve', () => {
    const all = [ev(ok(D('a')), ok(D('r'))), ev(ok(D('a')), ok(D('r'))), ev(ok(D('a')), ok(D('o')))];
    const majority = majorityDigests(all);
    expect(majority).toEqual({ 'mysql:8.4': D('a'), 'redis:8': D('r') });
    expect(all.map((e) => classify(e, imgs, majority).class)).toEqual(['ok', 'ok', 'stale']);
    // An even split names no majority: nobody is called stale for it.
    expect(majorityDigests(all.slice(1))['redis:8']).toBeNull();
  });
});
