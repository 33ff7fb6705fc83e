// The review's states (#22.7): a check step whose checks failed shows ✗ above its findings, the disk
// line is one sum of what is needed against what is free, the sshd warning is said once; and the
// memory bars inside the host's RAM (#22.17) on the preset screen and in `status`.
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test } from 'vitest';
import { createContext } from '../../../src/context.js';
import { AnswersSchema } from '../../../src/domain/answers.js';
import type { HostFacts } from '../../../src/domain/facts.js';
import { usableRamMiB } from '../../../src/domain/facts.js';
import { BAR, memoryBar, memoryChart } from '../../../src/domain/memory-bar.js';
import { buildPlan } from '../../../src/domain/plan.js';
import { preflight } from '../../../src/domain/preflight.js';
import { translator, type Lang } from '../../../src/i18n/index.js';
import { formatMemoryBars, formatStatus, type StackStatus } from '../../../src/services/status.js';
import { formatFinding } from '../../../src/steps/preflight.js';
import { reviewNotes, reviewSteps } from '../../../src/ui/controller.js';
import { presetOptions, recommendedPreset } from '../../../src/ui/model/presets.js';
import { provisionalAnswers } from '../../../src/ui/model/validate.js';
import { PresetScreen } from '../../../src/ui/screens/Preset.js';
import { ReviewScreen } from '../../../src/ui/screens/Review.js';
import type { Review } from '../../../src/ui/types.js';
import { KEY, facts, flat, plain, press, waitText } from './helpers.js';

afterEach(() => cleanup());

const GiB = 1024 ** 3;
const ctxOf = (lang: Lang) =>
  createContext({ lang, dryRun: true, io: { out: () => {}, err: () => {} }, interactive: false });

/** As a normal user, with Let's Encrypt for a name that does not resolve: two failed checks. */
function failing(lang: Lang, over: Partial<HostFacts> = {}) {
  const f = facts({ user: { isRoot: false, uid: 65534, name: 'nobody' }, ...over });
  const answers = AnswersSchema.parse({
    project: 'shop',
    app: { image: 'ghcr.io/acme/shop:1.0' },
    domain: 'shop.example.com',
    email: 'ops@example.com',
  });
  const plan = buildPlan(answers, f);
  const findings = preflight({
    facts: f,
    plan,
    portHolders: [],
    dns: { name: 'shop.example.com', addresses: [], error: 'ENOTFOUND' },
  });
  const ctx = ctxOf(lang);
  const changes = findings.map((x) => formatFinding(ctx, x));
  const steps = reviewSteps(ctx.t, [
    { title: 'step.preflight', preflight: true, needed: true, changes },
    { title: 'step.files', preflight: false, needed: false, changes: [] },
  ]);
  const review = {
    answers,
    plan,
    prepared: {} as never,
    files: [],
    steps,
    targetDir: '/tmp/out',
    local: true,
    isRoot: false,
    dryRun: false,
    notes: reviewNotes(ctx.t, plan, f),
  } satisfies Review;
  return { review, changes, f, plan, t: ctx.t };
}

describe('the review', () => {
  test.each(['en', 'zh-CN'] as const)(
    '%s: a check step with failed checks shows ✗, not "nothing to do"; the findings below it keep their marks',
    async (lang) => {
      const { review, t } = failing(lang);
      expect(review.steps[0]).toMatchObject({ needed: false, check: 'failed' });
      const r = render(<ReviewScreen t={t} review={review} problems={null} rows={45} onConfirm={() => {}} />);
      const frame = plain(r.lastFrame);
      await waitText(frame, t('ui.review.tab.commands'));
      await press(r.stdin, KEY.tab);
      const f = await waitText(frame, t('step.preflight'));
      const head = f.split('\n').find((l) => l.includes(t('step.preflight')))!;
      expect(head.trim()).toBe(
        `✗ ${t('step.preflight')} ${t('ui.review.stepNote', { note: t('ui.review.checksFailed') })}`,
      );
      expect(head).not.toContain(t('init.nothingToDo'));
      expect(f).toContain(`✗ ${t('pf.notRoot', { user: 'nobody' })}`.slice(0, 30));
      // A step that changes something and has nothing to do still says so.
      expect(f).toContain(`✓ ${t('step.files')} ${t('ui.review.stepNote', { note: t('init.nothingToDo') })}`);
      if (lang === 'zh-CN') expect(head).toContain('（未通过');
    },
  );

  test('a check step that passes shows ✓ passed, one with a warning !', () => {
    const t = translator('en');
    expect(
      reviewSteps(t, [{ title: 'step.preflight', preflight: true, needed: false, changes: ['✓ running as root'] }])[0]!
        .check,
    ).toBe('passed');
    expect(
      reviewSteps(t, [
        {
          title: 'step.preflight',
          preflight: true,
          needed: false,
          changes: ['✓ running as root', '! disk at /: tight'],
        },
      ])[0]!.check,
    ).toBe('warned');
  });

  test.each(['en', 'zh-CN'] as const)(
    '%s: the disk line says what is needed as one sum of its parts, then what is free',
    (lang) => {
      const { changes, t } = failing(lang);
      const disk = changes.find((c) => c.includes(t('pf.disk.images', { n: '' }).trim()))!;
      expect(disk).toBeDefined();
      // "needs 8.5 GiB = images 3.0 + database 2.0 + backups 3.5 GiB; 30.0 GiB free": the parts add up to the sum.
      const m = /(\d+\.\d) GiB = (.*) GiB[；;]/.exec(disk)!;
      expect(m, disk).not.toBeNull();
      const parts = [...m[2]!.matchAll(/(\d+\.\d)/g)].map((x) => Number(x[1]));
      expect(parts).toHaveLength(3);
      expect(parts.reduce((a, b) => a + b, 0).toFixed(1)).toBe(m[1]);
      for (const k of ['pf.disk.images', 'pf.disk.data', 'pf.disk.backups'] as const)
        expect(disk).toContain(t(k, { n: '' }).trim());
      expect(disk).toMatch(lang === 'en' ? /; 30\.0 GiB free$/ : /；剩余 30\.0 GiB$/);
      // Nothing English left in the Chinese line but the path and the unit.
      if (lang === 'zh-CN') expect(disk.replace(/GiB|\/[\w/-]*/g, '')).not.toMatch(/[a-z]{2,}/i);
    },
  );

  test('separate filesystems: each line sums only what lies on it', () => {
    const ctx = ctxOf('en');
    const split = {
      installDir: {
        path: '/opt/stack-wizard',
        mount: '/opt',
        totalBytes: 40 * GiB,
        freeBytes: 30 * GiB,
        freeInodes: 1e6,
      },
      dockerRoot: { path: '/var/lib/docker', mount: '/', totalBytes: 40 * GiB, freeBytes: 30 * GiB, freeInodes: 1e6 },
    };
    const { changes } = failing('en', { disks: split });
    const lines = changes.filter((c) => c.includes('disk at'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^✓ disk at \/: needs (\d+\.\d) GiB = images \d+\.\d \+ database \d+\.\d GiB; 30\.0 GiB free$/,
    );
    expect(lines[1]).toMatch(/^✓ disk at \/opt: needs (\d+\.\d) GiB = backups \1 GiB; 30\.0 GiB free$/);
    expect(ctx.t('pf.disk.ok', { path: '/', need: '1.0', parts: 'x', free: '2.0' })).toBe(
      'disk at /: needs 1.0 GiB = x; 2.0 GiB free',
    );
  });

  test.each(['en', 'zh-CN'] as const)('%s: sshd not seen (a normal user): one warning about it, not two', (lang) => {
    const { review, t } = failing(lang, { sshd: { ports: [], source: 'none' } });
    const ssh = review.notes.filter((n) => n.includes('sshd'));
    expect(ssh).toEqual([t('warn.sshPortAssumed', { port: 22 })]);
  });
});

describe('memory bars', () => {
  test('cells stand for the host RAM: used now, the rest of the limit, the rest of the host', () => {
    expect(memoryBar(4000, 1000, null, 20)).toBe(`[${'='.repeat(5)}${'.'.repeat(15)}]`);
    expect(memoryBar(4000, 1000, 400, 20)).toBe(`[${'#'.repeat(2)}${'='.repeat(3)}${'.'.repeat(15)}]`);
    // A small service keeps one cell; used never passes its limit's cells; no limit: used alone.
    expect(memoryBar(4000, 10, 10, 20)).toBe(`[#${'.'.repeat(19)}]`);
    expect(memoryBar(4000, null, 2000, 20)).toBe(`[${'#'.repeat(10)}${'.'.repeat(10)}]`);
    expect(memoryBar(4000, 1000, null, 20)).toHaveLength(22);
    expect(Object.values(BAR).every((g) => g.charCodeAt(0) < 128)).toBe(true);
  });

  test.each(['en', 'zh-CN'] as const)(
    "%s: the preset screen draws each service's planned memory inside the host and all of them together",
    async (lang) => {
      const t = translator(lang);
      const f = facts();
      const options = presetOptions(provisionalAnswers({})!, f, t, lang);
      const rec = recommendedPreset(f);
      const host = usableRamMiB(f);
      const r = render(
        <PresetScreen
          t={t}
          options={options}
          recommended={rec}
          initial={rec}
          hostMiB={host}
          cores={2}
          onChoose={() => {}}
        />,
      );
      const frame = await waitText(plain(r.lastFrame), t('mem.legendPlan'));
      const o = options.find((x) => x.id === rec)!;
      const lines = frame.split('\n');
      for (const s of o.services) {
        const line = lines.find((l) => new RegExp(`^\\s+${s.name}\\s+${s.memoryMiB} MiB`).test(l))!;
        expect(line, s.name).toBeDefined();
        const bar = /\[([=.]+)\]/.exec(line)![1]!;
        expect(bar.split('').filter((c) => c === '=').length).toBe(
          Math.max(1, Math.round((s.memoryMiB / host) * bar.length)),
        );
      }
      const total = o.services.reduce((n, s) => n + s.memoryMiB, 0);
      expect(lines.some((l) => new RegExp(`^\\s+${t('mem.all')}\\s+${total} MiB\\s+\\[=+\\.*\\]`).test(l))).toBe(true);
      expect(flat(frame)).toContain(t('mem.title', { host }));
    },
  );

  const MiB = 1024 * 1024;
  const st: StackStatus = {
    project: 'shop',
    installDir: '/opt/stack-wizard/shop',
    checkedAt: '2026-01-02T03:04:05.000Z',
    healthy: false,
    hostRamBytes: 4000 * MiB,
    services: [
      {
        service: 'nginx',
        container: 'shop-nginx-1',
        containerId: 'a',
        state: 'running',
        health: 'healthy',
        startedAt: 'x',
        uptimeSeconds: 7300,
        restarts: 0,
        image: 'nginx:1.28.0',
        imageId: 'sha256:1',
        digest: null,
        ports: [],
        memory: { usedBytes: 100 * MiB, limitBytes: 400 * MiB, percent: 25 },
        cpu: { percent: 0.2, limitCpus: 0.5 },
      },
      {
        service: 'app',
        container: null,
        containerId: null,
        state: 'missing',
        health: 'none',
        startedAt: null,
        uptimeSeconds: null,
        restarts: 0,
        image: null,
        imageId: null,
        digest: null,
        ports: [],
        memory: { usedBytes: null, limitBytes: null, percent: null },
        cpu: { percent: null, limitCpus: null },
      },
    ],
  };

  test.each(['en', 'zh-CN'] as const)(
    '%s: status draws what each service uses now against its limit inside the host; the table stays plain',
    (lang) => {
      const ctx = ctxOf(lang);
      const t = ctx.t;
      const bars = formatMemoryBars(ctx, st).split('\n');
      expect(bars[0]).toBe(t('mem.title', { host: 4000 }));
      expect(bars.find((l) => l.startsWith('nginx'))).toBe(
        `nginx  ${memoryBar(4000, 400, 100, 30)}  ${t('mem.use', { used: 100, limit: 400 })}`,
      );
      expect(memoryBar(4000, 400, 100, 30)).toBe(`[#${'='.repeat(2)}${'.'.repeat(27)}]`);
      expect(bars.find((l) => l.startsWith('app'))).toBe(`app    [${'.'.repeat(30)}]  ${t('mem.notRunning')}`);
      expect(bars).toContain(t('mem.legendUse'));
      // Running, but the Engine reports no use (it cannot read the cgroup): said so, not "not running".
      const unknown = {
        ...st,
        services: [{ ...st.services[0]!, memory: { usedBytes: null, limitBytes: 400 * MiB, percent: null } }],
      };
      expect(formatMemoryBars(ctx, unknown).split('\n')[1]).toBe(
        `nginx  ${memoryBar(4000, 400, null, 30)}  ${t('mem.useUnknown', { limit: 400 })}`,
      );
      // Without the host's RAM there is nothing to draw inside; the plain table has no bar.
      expect(formatMemoryBars(ctx, { ...st, hostRamBytes: null })).toBe('');
      expect(formatStatus(ctx, st)).not.toMatch(/\[[#=.]+\]/);
      expect(memoryChart(t, { hostMiB: 4000, rows: [], live: false }).length).toBe(3);
    },
  );
});
