// The wizard's pure model: answer flags, skipping prompts, validation messages, presets, progress.
import { describe, expect, test } from 'vitest';
import { draftFromFlags, flagFor } from '../../../src/domain/answer-flags.js';
import { getPath, setPath } from '../../../src/domain/draft.js';
import { translator } from '../../../src/i18n/index.js';
import { OUTPUT_KEEP, applyReducer, moveBar, initialApply } from '../../../src/ui/model/apply.js';
import { nextScreen, screenSkipped, shownScreens } from '../../../src/ui/model/flow.js';
import { FORMS, applyValues, initialValues, visibleFields } from '../../../src/ui/model/forms.js';
import { presetOptions, recommendedPreset } from '../../../src/ui/model/presets.js';
import { bestMirror, validateRegion } from '../../../src/ui/model/region.js';
import { stackUrls } from '../../../src/ui/model/summary.js';
import { answersFromDraft, provisionalAnswers, validateForm } from '../../../src/ui/model/validate.js';
import { buildPlan } from '../../../src/domain/plan.js';
import type { StepEvent } from '../../../src/steps/engine.js';
import { facts } from './helpers.js';

const t = translator('en');
const zh = translator('zh-CN');

describe('answer flags', () => {
  test('each flag sets its answers path and marks it given', () => {
    const r = draftFromFlags({ project: 'shop', image: 'ghcr.io/a/b:1', 'app-port': '9000', components: 'redis,worker', firewall: 'off', 'ssh-port': '2222', mirror: ['registry=https://m.example'] });
    expect(r.problems).toEqual([]);
    expect(r.draft).toMatchObject({ project: 'shop', app: { image: 'ghcr.io/a/b:1', port: 9000 }, components: { redis: true, worker: true, rabbitmq: false }, security: { firewall: false, sshPort: 2222 }, mirrors: { registry: 'https://m.example' } });
    expect([...r.given].sort()).toEqual(['app.image', 'app.port', 'components', 'mirrors.registry', 'project', 'security.firewall', 'security.sshPort']);
  });
  test('unreadable values name the flag', () => {
    const r = draftFromFlags({ 'app-port': 'eighty', firewall: 'maybe', components: 'redis,kafka', mirror: ['docker=https://x'] });
    expect(r.problems.map((p) => p.flag)).toEqual(['--app-port', '--components', '--firewall', '--mirror']);
    expect(t(r.problems[1]!.key, r.problems[1]!.params)).toContain('kafka');
  });
  test('--domain none is given but empty', () => {
    const r = draftFromFlags({ domain: 'none' });
    expect(r.given.has('domain')).toBe(true);
    expect(getPath(r.draft, 'domain')).toBeUndefined();
  });
  test('flagFor names the flag of a path', () => {
    expect(flagFor('app.image')).toBe('--image');
    expect(flagFor('components.redis')).toBe('--components');
    expect(flagFor('mirrors.npm')).toBe('--mirror npm=URL');
    expect(flagFor('nginx.apiPrefix')).toBeUndefined();
  });
});

describe('which screens show', () => {
  test('a screen whose every answer is given is skipped; the rest show', () => {
    const given = new Set(['project', 'app.image', 'app.port', 'app.health', 'app.runtime', 'preset']);
    const draft = { project: 'x', app: { image: 'a/b:1', port: 80, health: '/', runtime: 'node' }, preset: '4g' };
    expect(screenSkipped('app', draft, given)).toBe(true);
    expect(screenSkipped('preset', draft, given)).toBe(true);
    expect(screenSkipped('components', draft, given)).toBe(false);
    expect(nextScreen('welcome', draft, given)).toBe('region');
    expect(shownScreens(draft, given)).toEqual(['welcome', 'region', 'components', 'domain', 'database', 'security', 'backup', 'review']);
  });
  test('the domain screen asks the email only for Let\'s Encrypt', () => {
    const given = new Set(['domain', 'tls', 'ports.http', 'ports.https']);
    expect(screenSkipped('domain', { domain: 'a.example.com', tls: 'self-signed' }, given)).toBe(true);
    expect(screenSkipped('domain', { domain: 'a.example.com', tls: 'letsencrypt' }, given)).toBe(false);
  });
  test('everything given goes straight from welcome to review', () => {
    const all = new Set(['project', 'app', 'preset', 'region', 'components', 'cache', 'domain', 'tls', 'ports', 'database', 'security', 'backup']);
    expect(nextScreen('welcome', { domain: undefined }, all)).toBe('review');
  });
});

describe('form validation uses the answers schema', () => {
  const app = FORMS.app;
  test('bad project and image reference get the schema\'s messages', () => {
    const v = { ...initialValues(app, {}), project: 'My App', 'app.image': 'Not A Ref!' };
    const p = validateForm(app, v, {}, t);
    expect(p.project?.text).toBe(t('v.project'));
    expect(p['app.image']?.text).toBe(t('v.imageRef'));
    expect(validateForm(app, v, {}, zh)['app.image']?.text).toBe(zh('v.imageRef'));
  });
  test('empty required answers and unreadable numbers', () => {
    const v = { ...initialValues(app, {}), 'app.port': '80a', 'app.health': 'health' };
    const p = validateForm(app, v, {}, t);
    expect(p.project?.text).toMatch(/required/);
    expect(p['app.port']?.text).toBe(t('ui.v.number'));
    expect(p['app.health']?.text).toBe(t('v.healthPath'));
  });
  test('a bad domain, and Let\'s Encrypt without an email', () => {
    const d = FORMS.domain;
    const v = { ...initialValues(d, {}), domain: 'not_a_domain' };
    expect(validateForm(d, v, {}, t).domain?.text).toBe(t('v.domain'));
    const le = { ...initialValues(d, {}), domain: 'app.example.com', tls: 'letsencrypt' };
    expect(validateForm(d, le, {}, t).email?.text).toBe(t('ui.v.leEmail'));
    expect(validateForm(d, { ...le, 'ports.https': '80' }, {}, t)['ports.https']?.text).toBe(t('v.samePorts'));
  });
  test('backup time and SSH port', () => {
    expect(validateForm(FORMS.backup, { 'backup.schedule': '25:00', 'backup.keep': '7' }, {}, t)['backup.schedule']?.text).toBe(t('v.schedule'));
    expect(validateForm(FORMS.security, { 'security.firewall': true, 'security.fail2ban': true, 'security.sshPort': 'ssh' }, {}, t)['security.sshPort']?.text).toBe(t('v.portOrAuto'));
  });
  test('given answers are not checked or changed by the form', () => {
    const given = new Set(['project']);
    const v = { ...initialValues(app, { project: 'keep' }), 'app.image': 'a/b:1' };
    expect(validateForm(app, v, { project: 'keep' }, t, given)).toEqual({});
    expect(applyValues(app, { ...v, project: 'changed' }, { project: 'keep' }, given).project).toBe('keep');
  });
  test('hidden fields are removed: no email once TLS is not Let\'s Encrypt', () => {
    const d = FORMS.domain;
    const out = applyValues(d, { ...initialValues(d, {}), domain: 'a.example.com', tls: 'self-signed', email: 'x@example.com' }, { email: 'old@example.com' });
    expect(out.email).toBeUndefined();
    expect(out.tls).toBe('self-signed');
  });
  test('TLS follows the domain until chosen; the version follows the engine', () => {
    const d = FORMS.domain;
    expect(d.normalize!({ ...initialValues(d, {}), domain: 'a.example.com' }, new Set()).tls).toBe('letsencrypt');
    expect(d.normalize!({ ...initialValues(d, {}), domain: 'a.example.com', tls: 'none' }, new Set(['tls'])).tls).toBe('none');
    // A saved self-signed choice survives re-entry.
    expect(initialValues(d, { domain: 'a.example.com', tls: 'self-signed' }).tls).toBe('self-signed');
    expect(FORMS.database.normalize!({ 'database.engine': 'mariadb', 'database.version': '8.4' }, new Set())['database.version']).toBe('11.4');
  });
  test('Redis holds a queue until chosen otherwise when it is the worker\'s broker (#22.1); the field shows only with Redis', () => {
    const c = FORMS.components;
    const on = (x: object) => c.normalize!({ ...initialValues(c, {}), 'components.redis': true, ...x }, new Set())['redis.mode'];
    expect(on({ 'components.worker': true })).toBe('queue');
    expect(on({ 'components.worker': true, 'components.rabbitmq': true })).toBe('cache');
    expect(on({})).toBe('cache');
    expect(c.normalize!({ ...initialValues(c, {}), 'components.worker': true, 'redis.mode': 'cache' }, new Set(['redis.mode']))['redis.mode']).toBe('cache');
    expect(visibleFields(c, { ...initialValues(c, {}), 'components.redis': false }).map((f) => f.path)).not.toContain('redis.mode');
    expect(flagFor('redis.mode')).toBe('--redis-mode');
    // A saved choice is the form's start.
    expect(initialValues(c, { components: { redis: true, worker: true }, redis: { mode: 'queue' } })['redis.mode']).toBe('queue');
  });
  test('answersFromDraft lists every problem with its path', () => {
    const r = answersFromDraft({ project: 'x' }, t);
    expect('problems' in r && r.problems.map((p) => p.path)).toEqual(['app']);
  });
});

describe('presets', () => {
  test('on a 4 GB host 4g fits and is recommended; 8g and 16g say why not', () => {
    const f = facts();
    const opts = presetOptions(provisionalAnswers({})!, f, t, 'en');
    expect(opts.map((o) => [o.id, o.fits])).toEqual([['4g', true], ['8g', false], ['16g', false], ['auto', true]]);
    expect(opts[1]!.reason).toContain('8g');
    expect(opts[0]!.services.map((s) => s.name)).toEqual(['app', 'mysql', 'redis', 'nginx']);
    // What the option shows is what buildPlan gives.
    const plan = buildPlan({ ...provisionalAnswers({})!, preset: '4g' }, f);
    expect(opts[0]!.services.map((s) => s.memoryMiB)).toEqual(plan.services.map((s) => s.memoryMiB));
    expect(recommendedPreset(f)).toBe('4g');
  });
  test('a host below every preset is offered auto', () => {
    expect(recommendedPreset(facts({ memory: { ...facts().memory, totalBytes: 2 * 1024 ** 3 } }))).toBe('auto');
  });
});

describe('mirrors', () => {
  const cands = [
    { kind: 'registry' as const, id: 'a', name: 'A', url: 'https://a.example' },
    { kind: 'registry' as const, id: 'b', name: 'B', url: 'https://b.example' },
  ];
  test('the fastest live one; nothing measured or all dead gives none', () => {
    expect(bestMirror(cands, new Map())).toBe('');
    const m = new Map([
      ['registry/a', { kind: 'registry' as const, id: 'a', alive: true, latencyMs: 80 }],
      ['registry/b', { kind: 'registry' as const, id: 'b', alive: true, latencyMs: 20 }],
    ]);
    expect(bestMirror(cands, m)).toBe('https://b.example');
    const dead = new Map([['registry/a', { kind: 'registry' as const, id: 'a', alive: false, latencyMs: null }]]);
    expect(bestMirror(cands.slice(0, 1), dead)).toBe('');
    expect(validateRegion({ region: 'cn', 'mirrors.registry': 'https://a.example' }, cands, dead, t)['mirrors.registry']?.text).toContain('did not answer');
  });
});

describe('the finished stack', () => {
  test('URLs: the domain over HTTPS, else the public address and port', () => {
    const a = provisionalAnswers({ domain: 'app.example.com', email: 'o@example.com' })!;
    expect(stackUrls(buildPlan(a, facts()), facts())).toEqual(['https://app.example.com/']);
    const b = provisionalAnswers({ ports: { http: 8080, https: 8443 } })!;
    expect(stackUrls(buildPlan(b, facts()), facts())).toEqual(['http://203.0.113.10:8080/']);
    const v6 = facts({ addresses: { public: ['2001:db8::1'], private: [] } });
    expect(stackUrls(buildPlan(provisionalAnswers({})!, v6), v6)).toEqual(['http://[2001:db8::1]/']);
  });
});

describe('apply progress', () => {
  test('events move steps through their states; progress is clamped; output is bounded', () => {
    let s = initialApply([{ id: 'pull', title: 'Pull images' }, { id: 'start', title: 'Start' }]);
    s = applyReducer(s, { step: 'pull', kind: 'start', text: 'Pull images' });
    s = applyReducer(s, { step: 'pull', kind: 'progress', fraction: 1.7, text: 'mysql' });
    expect(s.steps[0]).toMatchObject({ status: 'running', bars: [{ item: '', fraction: 1, detail: 'mysql' }] });
    for (let i = 0; i < OUTPUT_KEEP + 50; i++) s = applyReducer(s, { step: 'pull', kind: 'output', text: `line ${i}` });
    expect(s.output).toHaveLength(OUTPUT_KEEP);
    expect(s.output.at(-1)).toBe(`line ${OUTPUT_KEEP + 49}`);
    s = applyReducer(s, { step: 'pull', kind: 'done' });
    s = applyReducer(s, { step: 'start', kind: 'fail', text: 'boom' });
    expect(s.steps.map((x) => x.status)).toEqual(['done', 'failed']);
    expect(s.error).toBe('boom');
  });

  /** Pull events as images.ts sends them for three images whose layers arrive interleaved, as the Engine reports them. */
  function pullEvents(): StepEvent[] {
    const MiB = 1024 * 1024;
    const layers: Record<string, [string, number][]> = {
      'mysql:8.4.6': [['a1', 120 * MiB], ['a2', 3 * MiB], ['a3', 40 * MiB]],
      'redis:7.4.5': [['b1', 30 * MiB], ['b2', 1 * MiB]],
      'nginx:1.28.0': [['c1', 28 * MiB], ['c2', 2 * MiB], ['c3', 1 * MiB]],
    };
    const ev: StepEvent[] = Object.keys(layers).map((ref) => ({ step: 'images', kind: 'progress', item: ref, fraction: 0, text: ref }));
    // Layers are first seen without a size ("Pulling fs layer"), then download in small steps, then extract.
    for (const [ref, ls] of Object.entries(layers)) for (const [id] of ls) ev.push({ step: 'images', kind: 'progress', item: `${ref} ${id}`, fraction: 0, bytes: { done: 0, total: 0 } });
    const steps: StepEvent[][] = Object.entries(layers).map(([ref, ls]) =>
      ls.flatMap(([id, size]) => [
        ...[0.1, 0.35, 0.6, 0.9, 1].map((x): StepEvent => ({ step: 'images', kind: 'progress', item: `${ref} ${id}`, fraction: 0.8 * x, bytes: { done: Math.round(size * x), total: size } })),
        { step: 'images', kind: 'progress', item: `${ref} ${id}`, fraction: 0.9, bytes: { done: size, total: size } },
        { step: 'images', kind: 'progress', item: `${ref} ${id}`, fraction: 1, bytes: { done: size, total: size } },
      ]),
    );
    // Round-robin across the images: one event of each in turn.
    for (let i = 0; steps.some((x) => i < x.length); i++) for (const x of steps) if (x[i]) ev.push(x[i]!);
    return ev;
  }

  test('one bar per image, its layers folded in by size; every bar only moves forward; the health wait has its own', () => {
    let s = initialApply([{ id: 'images', title: 'Pull images' }, { id: 'up', title: 'Start' }]);
    s = applyReducer(s, { step: 'images', kind: 'start' });
    const seen = new Map<string, number[]>();
    for (const e of pullEvents()) {
      s = applyReducer(s, e);
      for (const b of s.steps[0]!.bars) seen.set(b.item, [...(seen.get(b.item) ?? []), b.fraction]);
    }
    const bars = s.steps[0]!.bars;
    expect(bars.map((b) => b.item)).toEqual(['mysql:8.4.6', 'redis:7.4.5', 'nginx:1.28.0']);
    for (const [item, fr] of seen) {
      expect(fr, item).toEqual([...fr].sort((a, b) => a - b));
      expect(fr.at(-1), item).toBe(1);
    }
    // Every image's bar moved through many values, not 0 → 1 in one jump.
    for (const fr of seen.values()) expect(new Set(fr).size).toBeGreaterThan(5);
    expect(bars.map((b) => b.bytes)).toEqual([
      { done: 163 * 1024 * 1024, total: 163 * 1024 * 1024 },
      { done: 31 * 1024 * 1024, total: 31 * 1024 * 1024 },
      { done: 31 * 1024 * 1024, total: 31 * 1024 * 1024 },
    ]);
    s = applyReducer(s, { step: 'images', kind: 'done' });
    s = applyReducer(s, { step: 'up', kind: 'start' });
    s = applyReducer(s, { step: 'up', kind: 'progress', item: 'health', fraction: 0.25, text: 'app:starting' });
    s = applyReducer(s, { step: 'up', kind: 'progress', item: 'health', fraction: 0.75, text: 'app:healthy' });
    expect(s.steps[1]!.bars).toEqual([{ item: 'health', fraction: 0.75, detail: 'app:healthy', bytes: null, parts: {} }]);
    expect(s.steps[0]!.bars).toHaveLength(3);
  });

  test('a big layer moves its image further than a small one; a layer seen late does not pull the bar back', () => {
    let bars = moveBar([], { step: 'x', kind: 'progress', item: 'img:1 big', fraction: 0.5, bytes: { done: 50, total: 100 } });
    bars = moveBar(bars, { step: 'x', kind: 'progress', item: 'img:1 small', fraction: 1, bytes: { done: 1, total: 1 } });
    // (100 × 0.5 + 1 × 1) / 101
    expect(bars[0]!.fraction).toBeCloseTo(51 / 101, 6);
    const before = bars[0]!.fraction;
    bars = moveBar(bars, { step: 'x', kind: 'progress', item: 'img:1 late', fraction: 0, bytes: { done: 0, total: 0 } });
    expect(bars[0]!.fraction).toBe(before);
  });

  test('a new attempt (an event without a part saying 0) starts the bar again; a stale lower value does not', () => {
    let bars = moveBar([], { step: 'x', kind: 'progress', item: 'img:1', fraction: 0, text: 'img:1' });
    bars = moveBar(bars, { step: 'x', kind: 'progress', item: 'img:1 l1', fraction: 0.6, bytes: { done: 6, total: 10 } });
    bars = moveBar(bars, { step: 'x', kind: 'progress', item: 'img:1', fraction: 0.3 });
    expect(bars[0]!.fraction).toBeCloseTo(0.6, 6);
    bars = moveBar(bars, { step: 'x', kind: 'progress', item: 'img:1', fraction: 0, text: 'img:1 from the next mirror' });
    expect(bars[0]).toEqual({ item: 'img:1', fraction: 0, detail: 'img:1 from the next mirror', bytes: null, parts: {} });
  });
});

describe('draft paths', () => {
  test('setPath deletes and prunes empty parents', () => {
    expect(setPath({ certificate: { cert: '/a' } }, 'certificate.cert', undefined)).toEqual({});
    expect(setPath({}, 'a.b', 1)).toEqual({ a: { b: 1 } });
  });
});

describe('wrapping by display width', async () => {
  const { wrapDisplay } = await import('../../../src/ui/components.js');
  const { displayWidth } = await import('../../../src/host/report.js');
  test('Chinese breaks between characters, never past the width; Latin words stay whole', () => {
    const zhText = '在中国大陆访问 Docker Hub 和软件包需要镜像源。每个候选源都显示实测延迟；没有响应的镜像源绝不会写入配置。';
    // Every width, so each place a line can end is met: at a space, inside Chinese, before punctuation.
    for (let width = 20; width <= 40; width++) {
      const lines = wrapDisplay(zhText, width);
      for (const l of lines) expect(displayWidth(l), `${width}: ${l}`).toBeLessThanOrEqual(width);
      expect(lines.join('').replace(/\s/g, '')).toBe(zhText.replace(/\s/g, ''));
      // A Latin word is never cut between two lines.
      for (const word of ['Docker', 'Hub']) expect(lines.some((l) => l.split(/\s+|(?=\P{ASCII})|(?<=\P{ASCII})/u).includes(word)), `${width}: ${word}`).toBe(true);
      // Closing punctuation is never the first character of a line.
      for (const l of lines.slice(1)) expect('，。；：、', `${width}: ${l}`).not.toContain(l[0]);
    }
    // The first line is filled, not cut at the space before "和".
    expect(displayWidth(wrapDisplay(zhText, 30)[0]!)).toBe(30);
    // Where "。" would start a line, the character before it goes down with it.
    expect(wrapDisplay(zhText, 21).slice(-2)).toEqual(['镜像源绝不会写入配', '置。']);
    expect(wrapDisplay('one two three four', 9)).toEqual(['one two', 'three', 'four']);
  });

});

describe('listening sockets from /proc/net/tcp{,6} (no ss)', async () => {
  const { parseProcNetTcp } = await import('../../../src/host/proc-net.js');
  test('LISTEN rows only, with their port and inode; IPv6 too', () => {
    const v4 = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41001 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:1F90 0100007F:A2B4 01 00000000:00000000 00:00000000 00000000     0        0 41002 1 0000000000000000 20 4 30 10 -1',
    ].join('\n');
    const v6 = [
      '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000000000000000000000000000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41003 1 0000000000000000 100 0 0 10 0',
    ].join('\n');
    // 0x0050 = 80 listening; 0x1F90 = 8080 is an established connection, not a listener; 0x01BB = 443 on IPv6.
    expect(parseProcNetTcp(v4)).toEqual([{ port: 80, address: '00000000', inode: 41001 }]);
    expect(parseProcNetTcp(v6)).toEqual([{ port: 443, address: '00000000000000000000000000000000', inode: 41003 }]);
    expect(parseProcNetTcp('')).toEqual([]);
  });
});
