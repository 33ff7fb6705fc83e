// The command line's own words (#22.12, #22.13): unknown flags with "did you mean" in the chosen
// language, help and version as commands, errors of a --json run as JSON, and the readiness
// verdict doctor gives on a host without a stack (pure: facts and probe results in).
import { describe, expect, it } from 'vitest';
import { errorJson, main } from '../../src/cli.js';
import { closest, editDistance } from '../../src/domain/suggest.js';
import { readiness, readinessExit, PULL_NAME } from '../../src/domain/readiness.js';
import { AnswersSchema } from '../../src/domain/answers.js';
import { buildPlan } from '../../src/domain/plan.js';
import { usageError } from '../../src/errors.js';
import { translator } from '../../src/i18n/index.js';
import { makeFacts } from '../fixtures/facts.js';

async function cli(argv: string[], env: NodeJS.ProcessEnv = { LANG: 'C' }) {
  let out = '';
  let err = '';
  const code = await main(argv, {
    io: { out: (s) => void (out += s), err: (s) => void (err += s) },
    env,
    interactive: false,
  });
  return { code, out, err };
}

describe('did you mean', () => {
  it('finds the flag a typo or a prefix meant, and guesses nothing for a word far from all', () => {
    const known = ['--answers', '--json', '--project', '--yes', '--dry-run', '--lang'];
    expect(closest('--answer', known)).toBe('--answers');
    expect(closest('--ans', known)).toBe('--answers');
    expect(closest('--josn', known)).toBe('--json');
    expect(closest('--dryrun', known)).toBe('--dry-run');
    expect(closest('--bogus', known)).toBeNull();
    expect(closest('--x', known)).toBeNull();
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ab', 'ba')).toBe(1);
  });
});

describe('unknown flags: our message, exit 2, no Node parser text', () => {
  it('English: names the command and the closest flag', async () => {
    const r = await cli(['init', '--answer', 'a.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'Error: init: unknown option --answer; did you mean --answers? Run stack-wizard help init to see its options\n',
    );
    const b = await cli(['status', '--bogus']);
    expect(b.code).toBe(2);
    expect(b.err).toBe('Error: status: unknown option --bogus. Run stack-wizard help status to see its options\n');
    const w = await cli(['--frobnicate']);
    expect(w.code).toBe(2);
    expect(w.err).toBe('Error: stack-wizard: unknown option --frobnicate. Run stack-wizard help to see its options\n');
    for (const x of [r, b, w]) expect(x.err).not.toMatch(/Unknown option|ERR_PARSE_ARGS|To specify a positional/);
  });

  it('Chinese: the same facts in Chinese, with full-width punctuation', async () => {
    const r = await cli(['init', '--answer', 'a.yaml', '--lang', 'zh-CN']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      '错误：init：未知选项 --answer；您是想用 --answers 吗？运行 stack-wizard help init 查看可用选项\n',
    );
    const b = await cli(['doctor', '--bogus'], { LANG: 'zh_CN.UTF-8' });
    expect(b.code).toBe(2);
    expect(b.err).toContain('doctor：未知选项 --bogus。运行 stack-wizard help doctor 查看可用选项');
  });

  it('a flag without its value, and a value given to a switch, are named as such', async () => {
    const a = await cli(['doctor', '--check']);
    expect(a.code).toBe(2);
    expect(a.err).toContain('doctor: --check needs a value (--check VALUE, or --check=VALUE for one starting with -)');
    const b = await cli(['render', '--answers', '--out', 'x']);
    expect(b.code).toBe(2);
    expect(b.err).toContain('render: --answers needs a value');
    const c = await cli(['status', '--json=yes']);
    expect(c.code).toBe(2);
    expect(c.err).toContain('status: --json takes no value (given "yes"); write --json alone');
    // A short flag typed wrong is judged too.
    const d = await cli(['update', '-q']);
    expect(d.code).toBe(2);
    expect(d.err).toContain('update: unknown option -q');
  });
});

describe('help and version as commands', () => {
  it('version prints what --version prints', async () => {
    const a = await cli(['version']);
    const b = await cli(['--version']);
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/^\d+\.\d+\.\d+/);
    expect(a.out).toBe(b.out);
  });

  it('help prints what --help prints, and lists help and version', async () => {
    const a = await cli(['help']);
    const b = await cli(['--help']);
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    expect(a.out).toContain('stack-wizard help [COMMAND] | version | --help | --version');
  });

  it("help <command> shows the command's usage and every flag it takes; the same as <command> --help", async () => {
    const a = await cli(['help', 'doctor']);
    expect(a.code).toBe(0);
    expect(a.out.split('\n')[0]).toMatch(/^stack-wizard doctor \[--json\]/);
    for (const f of [
      '--json',
      '--fix',
      '-y, --yes',
      '--dry-run',
      '--bundle',
      '--out VALUE',
      '--symptom VALUE',
      '--check VALUE …',
      '--answers VALUE',
      '--project VALUE',
      '--lang VALUE',
    ]) {
      expect(a.out).toContain(`  ${f}\n`);
    }
    expect(a.out).not.toContain('Answer flags');
    expect((await cli(['doctor', '--help'])).out).toBe(a.out);
    const i = await cli(['help', 'init', '--lang', 'zh-CN']);
    expect(i.code).toBe(0);
    expect(i.out).toContain('选项：');
    expect(i.out).toContain('--worker-command');
    const bad = await cli(['help', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown command "nope"');
  });
});

describe('--json errors are JSON', () => {
  it('an unknown flag of a --json run: { error: { code, message, field } } on stdout, nothing on stderr, exit 2', async () => {
    const r = await cli(['status', '--json', '--answer', 'x']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('');
    expect(JSON.parse(r.out)).toEqual({
      error: {
        code: 'err.unknownFlagSuggest',
        message:
          'status: unknown option --answer; did you mean --answers? Run stack-wizard help status to see its options',
        field: '--answer',
      },
    });
    const zh = await cli(['doctor', '--json', '--lang', 'zh-CN', '--symptom', 'nonsense']);
    expect(zh.code).toBe(2);
    const j = JSON.parse(zh.out) as { error: { code: string; message: string } };
    expect(j.error.code).toBe('doc.err.badSymptom');
    expect(j.error.message).toMatch(/nonsense/);
  });

  it('details go into the message; an unexpected error is err.internal', () => {
    const t = translator('en');
    const j = JSON.parse(
      errorJson(t, usageError('err.missingFlag', { flag: '--out', command: 'render' }, ['a: b'])),
    ) as { error: Record<string, unknown> };
    expect(j.error).toEqual({
      code: 'err.missingFlag',
      message: 'render needs --out; run stack-wizard render --help\na: b',
      field: '--out',
    });
    const k = JSON.parse(errorJson(t, new Error('boom'))) as { error: Record<string, unknown> };
    expect(k.error).toEqual({ code: 'err.internal', message: t('err.internal', { message: 'boom' }), field: null });
  });
});

describe('doctor without a stack: is the host ready?', () => {
  const answers = AnswersSchema.parse({ project: 'readiness', app: { image: 'registry.invalid/app:1' } });
  const dnsOk = { name: PULL_NAME, addresses: ['198.51.100.20'], error: null };
  const mirror = (kind: 'registry' | 'apt-debian', id: string, alive: boolean, latencyMs: number | null) => ({
    kind,
    id,
    url: `https://${id}.example`,
    alive,
    latencyMs,
    bytesPerSecond: null,
    error: alive ? null : 'ETIMEDOUT',
  });

  it("a good host: init's checks all pass, names resolve, the fastest live mirror is named; exit 0", () => {
    const facts = makeFacts({ ramMiB: 7680 });
    const f = readiness({
      facts,
      plan: buildPlan(answers, facts),
      dns: dnsOk,
      mirrors: [
        mirror('registry', 'a', true, 80),
        mirror('registry', 'b', true, 20),
        mirror('registry', 'c', false, null),
      ],
    });
    expect(f.map((x) => x.id)).toEqual([
      'root',
      'os',
      'ram',
      'disk',
      'port-80',
      'docker',
      'compose',
      'time',
      'dns',
      'mirror-registry',
    ]);
    expect(f.every((x) => x.level === 'ok')).toBe(true);
    expect(f.find((x) => x.id === 'mirror-registry')!.params).toMatchObject({
      live: 2,
      total: 3,
      best: 'https://b.example',
      ms: 20,
    });
    expect(readinessExit(f)).toBe(0);
  });

  it('a host that cannot take a stack: each problem named, exit 5; only warnings: exit 4', () => {
    const small = makeFacts(
      { ramMiB: 600, isRoot: false },
      {
        docker: {
          installed: false,
          version: null,
          running: false,
          rootDir: null,
          storageDriver: null,
          cgroupVersion: null,
        },
      },
    );
    let why: { key: string; params: Record<string, string | number> } | null = null;
    try {
      buildPlan(answers, small);
    } catch (e) {
      why = { key: (e as { key: string }).key, params: (e as { params: Record<string, string | number> }).params };
    }
    const f = readiness({
      facts: small,
      plan: why!,
      dns: { name: PULL_NAME, addresses: [], error: 'ENOTFOUND' },
      mirrors: [mirror('apt-debian', 'x', false, null)],
    });
    expect(f.find((x) => x.id === 'ram')).toMatchObject({ level: 'error', key: 'err.hostTooSmallAuto' });
    expect(f.find((x) => x.id === 'dns')).toMatchObject({ level: 'warn', key: 'rd.dnsFail' });
    expect(f.find((x) => x.id === 'mirror-apt-debian')).toMatchObject({ level: 'warn', key: 'rd.mirrorsNone' });
    expect(readinessExit(f)).toBe(5);
    const facts = makeFacts();
    expect(
      readinessExit(
        readiness({
          facts,
          plan: buildPlan(answers, facts),
          dns: { name: PULL_NAME, addresses: [], error: 'ENOTFOUND' },
          mirrors: [],
        }),
      ),
    ).toBe(4);
  });
});
