// The region screen's Docker Hub side (#22.10, #16.5), its pure parts: mainland China by default for
// a Chinese reader or a host in China, when to warn that no Docker Hub mirror serves the stack's
// images, and "none" kept in the answers so init does not pick one later. The screen itself, with
// the real probe and the registry lab: test/real/wizard-mirrors.test.tsx.
import { describe, expect, test } from 'vitest';
import type { MirrorMeasurement } from '../../../src/ui/types.js';
import { hubUnreachable, regionInitial, withNoneChoices, type MirrorResult } from '../../../src/ui/model/region.js';
import { wantsMirrors } from '../../../src/ui/wizard/host.js';
import { createContext } from '../../../src/context.js';
import { AnswersSchema } from '../../../src/domain/answers.js';
import { resolveMirrors } from '../../../src/steps/mirrors.js';
import { facts } from './helpers.js';

const CANDS = [
  { kind: 'registry' as const, id: 'allow', name: 'Allow Hub', url: 'https://allow.example' },
  { kind: 'registry' as const, id: 'gone', name: 'Gone Hub', url: 'https://gone.example' },
  { kind: 'image-prefix' as const, id: 'pre', name: 'Prefix', url: 'https://prefix.example/docker.io' },
  { kind: 'npm' as const, id: 'npm', name: 'NPM', url: 'https://npm.example' },
];
/** What the probe reported for them: every Docker Hub candidate unusable, npm fine. */
const MEASURED: MirrorMeasurement[] = [
  {
    kind: 'registry',
    id: 'allow',
    url: 'https://allow.example',
    alive: false,
    latencyMs: 30,
    error: 'redis:8.10.2: manifest http-403',
    class: 'allow-list',
  },
  {
    kind: 'registry',
    id: 'gone',
    url: 'https://gone.example',
    alive: false,
    latencyMs: null,
    error: 'refused',
    class: 'dead',
  },
  {
    kind: 'image-prefix',
    id: 'pre',
    url: 'https://prefix.example/docker.io',
    alive: false,
    latencyMs: null,
    error: 'timeout',
    class: 'dead',
  },
  { kind: 'npm', id: 'npm', url: 'https://npm.example', alive: true, latencyMs: 40, error: null, class: 'ok' },
];
const results = (ms: readonly MirrorMeasurement[]) =>
  new Map<string, MirrorResult>(ms.map((m) => [`${m.kind}/${m.id}`, m]));

describe('region screen: Docker Hub unreachable', () => {
  test('the rule itself: only when measured, all unusable, region cn and no accelerator', () => {
    const all = results(MEASURED);
    expect(hubUnreachable({ region: 'cn' }, CANDS, all, false)).toBe(true);
    expect(hubUnreachable({ region: 'cn' }, CANDS, all, true)).toBe(false);
    expect(hubUnreachable({ region: 'global' }, CANDS, all, false)).toBe(false);
    expect(
      hubUnreachable({ region: 'cn', 'mirrors.accelerator': 'https://a.mirror.aliyuncs.com' }, CANDS, all, false),
    ).toBe(false);
    // One not measured yet, or one usable: no warning.
    expect(hubUnreachable({ region: 'cn' }, CANDS, results(MEASURED.filter((m) => m.id !== 'gone')), false)).toBe(
      false,
    );
    expect(
      hubUnreachable(
        { region: 'cn' },
        CANDS,
        results(MEASURED.map((m) => (m.id === 'gone' ? { ...m, alive: true, class: 'ok' as const } : m))),
        false,
      ),
    ).toBe(false);
  });
});

describe('region defaults and the saved choice', () => {
  const abroad = facts({ timezone: 'Europe/Berlin' });
  test('mainland China by default for a Chinese reader (--lang zh-CN or a Chinese locale) or a host in China; global otherwise', () => {
    expect(regionInitial({}, abroad, [], new Map(), 'zh-CN').region).toBe('cn');
    expect(regionInitial({}, facts({ timezone: 'Asia/Shanghai' }), [], new Map(), 'en').region).toBe('cn');
    expect(regionInitial({}, abroad, [], new Map(), 'en').region).toBe('global');
    // What the answers say wins.
    expect(regionInitial({ region: 'global' }, abroad, [], new Map(), 'zh-CN').region).toBe('global');
    // The mirrors are measured early for such a reader too (once the app is named: its image is judged as well).
    expect(wantsMirrors(true, false, { app: { image: 'a/b:1' } }, abroad, 'zh-CN')).toBe(true);
    expect(wantsMirrors(true, false, {}, abroad, 'zh-CN')).toBe(false);
    expect(wantsMirrors(true, false, { app: { image: 'a/b:1' } }, abroad, 'en')).toBe(false);
  });

  test('"none" on the region screen is saved as mirrors.none and shown as none again; region global saves nothing', () => {
    const v = {
      region: 'cn',
      'mirrors.registry': '',
      'mirrors.image-prefix': '',
      'mirrors.npm': 'https://npm.example',
    };
    const d = withNoneChoices({ region: 'cn', mirrors: { npm: 'https://npm.example' } }, v, [
      'registry',
      'image-prefix',
      'npm',
    ]);
    // The image prefix is never picked by init anyway: only what init would pick is recorded.
    expect(d).toEqual({ region: 'cn', mirrors: { npm: 'https://npm.example', none: ['registry'] } });
    expect(
      regionInitial(d, abroad, CANDS, results(MEASURED.map((m) => ({ ...m, alive: true, class: 'ok' as const }))))[
        'mirrors.registry'
      ],
    ).toBe('');
    expect(withNoneChoices(d, { region: 'global' }, ['registry', 'npm'])).toEqual({
      region: 'cn',
      mirrors: { npm: 'https://npm.example' },
    });
  });

  test('init does not pick a mirror for a kind saved as none (region cn, nothing probed for it)', async () => {
    const ctx = createContext({ lang: 'en', dryRun: true, env: {}, io: { out: () => {}, err: () => {} } });
    const debian = facts();
    const none = ['apt-debian', 'docker-ce', 'registry', 'npm', 'pypi', 'node'] as const;
    const a = AnswersSchema.parse({
      project: 'shop',
      region: 'cn',
      app: { image: 'registry.example.com/a:1' },
      mirrors: { none },
    });
    const r = await resolveMirrors(ctx, a, debian, {
      catalogue: [{ kind: 'registry', id: 'x', name: 'X', url: 'https://x.example' }],
    });
    expect(r).toEqual({ answers: a, chosen: [], noneAlive: [], results: [] });
  });
});
