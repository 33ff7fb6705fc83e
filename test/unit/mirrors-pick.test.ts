// The wizard's default mirror, init's pick and `mirrors --json`'s "best" come from one ranking
// (rankResults: latency + time to fetch 1 MiB at the measured speed), so the three agree; and the
// region screen never defaults to a candidate that was not measured.
import { describe, expect, it } from 'vitest';
import { mirrorsJson } from '../../src/services/mirrors.js';
import { bestByKind, type ProbeResult } from '../../src/domain/mirrors.js';
import { translator } from '../../src/i18n/index.js';
import { bestMirror, mirrorKey, regionInitial, validateRegion, type MirrorResult, type MirrorView } from '../../src/ui/model/region.js';

const t = translator('en');

// Lowest latency is not the best: "near" answers first but crawls; "far" answers later and is fast.
const results: ProbeResult[] = [
  { kind: 'npm', id: 'near', url: 'https://near.example.cn', alive: true, latencyMs: 20, bytesPerSecond: 64 * 1024, error: null },
  { kind: 'npm', id: 'far', url: 'https://far.example.cn', alive: true, latencyMs: 90, bytesPerSecond: 20 * 1024 * 1024, error: null },
  { kind: 'npm', id: 'gone', url: 'https://gone.example.cn', alive: false, latencyMs: null, bytesPerSecond: null, error: 'refused' },
  { kind: 'registry', id: 'a', url: 'https://a.example.cn', alive: true, latencyMs: 300, bytesPerSecond: null, error: null },
  { kind: 'registry', id: 'b', url: 'https://b.example.cn', alive: true, latencyMs: 120, bytesPerSecond: null, error: null },
];
const cands: MirrorView[] = results.map((r) => ({ kind: r.kind, id: r.id, name: r.id, url: r.url }));
const measured = new Map<string, MirrorResult>(results.map((r) => [mirrorKey(r.kind, r.id), r]));
const urlOf = (kind: string, id: string | undefined) => results.find((r) => r.kind === kind && r.id === id)?.url;

describe('one ranking for the wizard, init and `mirrors`', () => {
  it('the wizard’s default is the candidate init would pick and `mirrors --json` calls best (not the lowest latency)', () => {
    const init = bestByKind(results);
    const json = mirrorsJson(results).best;
    for (const kind of ['npm', 'registry'] as const) {
      const wizard = bestMirror(cands.filter((c) => c.kind === kind), measured);
      expect(wizard).toBe(urlOf(kind, init[kind]));
      expect(wizard).toBe(urlOf(kind, json[kind]));
    }
    expect(bestMirror(cands.filter((c) => c.kind === 'npm'), measured)).toBe('https://far.example.cn');
    expect(bestMirror(cands.filter((c) => c.kind === 'registry'), measured)).toBe('https://b.example.cn');
  });

  it('only a measured, live candidate is ever the default: none measured yet, or all dead, gives none', () => {
    const npm = cands.filter((c) => c.kind === 'npm');
    expect(bestMirror(npm, new Map())).toBe('');
    // Only the dead one measured so far: still none, never the first unmeasured entry of the list.
    expect(bestMirror(npm, new Map([[mirrorKey('npm', 'gone'), measured.get(mirrorKey('npm', 'gone'))!]]))).toBe('');
    // One live result in: that one, even though it is not first in the catalogue.
    expect(bestMirror(npm, new Map([[mirrorKey('npm', 'far'), measured.get(mirrorKey('npm', 'far'))!]]))).toBe('https://far.example.cn');
  });

  it('the region screen starts from those defaults; the image prefix is never chosen for the operator', () => {
    const withPrefix = [...cands, { kind: 'image-prefix' as const, id: 'p', name: 'p', url: 'https://p.example.cn' }];
    const m = new Map(measured).set(mirrorKey('image-prefix', 'p'), { kind: 'image-prefix', id: 'p', alive: true, latencyMs: 5 });
    const v = regionInitial({ region: 'cn' }, null, withPrefix, m);
    // With registry candidates the screen also has one's own accelerator, empty until typed (#16.5).
    expect(v).toEqual({ region: 'cn', 'mirrors.npm': 'https://far.example.cn', 'mirrors.registry': 'https://b.example.cn', 'mirrors.image-prefix': '', 'mirrors.accelerator': '' });
  });
});

describe('the region screen while the probe runs', () => {
  const npm = cands.filter((c) => c.kind === 'npm');
  it('an early Enter cannot leave a kind at "none" only because nothing was measured yet', () => {
    const v = regionInitial({ region: 'cn' }, null, npm, new Map());
    expect(v['mirrors.npm']).toBe('');
    expect(validateRegion(v, npm, new Map(), t, true)['mirrors.npm']?.text).toContain('still measuring');
    // Once the probe is over (or a result is in), "none" is a choice like any other.
    expect(validateRegion(v, npm, new Map(), t, false)).toEqual({});
    expect(validateRegion(v, npm, new Map([[mirrorKey('npm', 'gone'), measured.get(mirrorKey('npm', 'gone'))!]]), t, true)).toEqual({});
  });

  it('a candidate known dead is refused; one not measured yet passes here and is probed at the review', () => {
    const dead = new Map([[mirrorKey('npm', 'gone'), measured.get(mirrorKey('npm', 'gone'))!]]);
    expect(validateRegion({ region: 'cn', 'mirrors.npm': 'https://gone.example.cn' }, npm, dead, t, true)['mirrors.npm']?.text).toContain('did not answer');
    expect(validateRegion({ region: 'cn', 'mirrors.npm': 'https://near.example.cn' }, npm, dead, t, true)).toEqual({});
    expect(validateRegion({ region: 'global', 'mirrors.npm': '' }, npm, new Map(), t, true)).toEqual({});
  });
});
