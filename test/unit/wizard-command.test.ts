// How `stack-wizard` and `init` decide: --yes asks nothing, flags and answers-file keys are
// checked before any screen, bad values name their flag or file line, and nothing is written then.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cliInDir as cli, tempDir } from './ui/helpers.js';


describe('asking nothing', () => {

  test('stack-wizard --yes takes the defaults but names the answers it cannot default', async () => {
    const r = await cli(['--project', 'x', '--yes', '--host-facts', '$FACTS', '--out', '$DIR/out']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('app.image (--image): is required (string)');
    expect(existsSync(join(r.dir, 'out'))).toBe(false);
  });

  test('a flag with a bad value is refused before anything happens, naming the flag', async () => {
    const r = await cli(['init', '--project', 'x', '--image', 'Not A Ref', '--app-port', '80a', '--yes', '--out', '$DIR/out']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--app-port: "80a" is not a whole number');
    const r2 = await cli(['init', '--project', 'x', '--image', 'Not A Ref', '--yes', '--out', '$DIR/out']);
    expect(r2.code).toBe(2);
    expect(r2.err).toContain('app.image (--image): not an image reference');
    expect(existsSync(join(r2.dir, 'out'))).toBe(false);
  });

  test('a partial answers file: what it says wrongly is reported with its line; missing answers are asked (or named with --yes)', async () => {
    const dir = tempDir('sw-ans-');
    writeFileSync(join(dir, 'a.yaml'), 'project: ok\ndatabase:\n  engine: postgres\n');
    const r = await cli(['init', '--answers', join(dir, 'a.yaml'), '--project', 'x', '--yes']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/a\.yaml:3: database\.engine: must be one of "mysql", "mariadb"/);
    writeFileSync(join(dir, 'b.yaml'), 'project: ok\n');
    const r2 = await cli(['init', '--answers', join(dir, 'b.yaml'), '--region', 'cn', '--yes', '--out', '$DIR/out']);
    expect(r2.code).toBe(2);
    expect(r2.err).toContain('app.image (--image)');
  });

  test('--help lists the answer flags', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const f of ['--project', '--image', '--preset', '--domain', '--db-engine', '--backup-schedule', '--mirror KIND=URL']) expect(r.out).toContain(f);
    const i = await cli(['init', '--help']);
    expect(i.out).toContain('--worker-command');
  });

  test('an unknown option of the wizard is a usage error', async () => {
    const r = await cli(['--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('stack-wizard: unknown option --frobnicate');
  });
});

describe('every prompt has a flag', () => {
  /** A valid value for each codec, so the flag's own parser accepts it. */
  const sample = (codec: string, path: string): string =>
    path === 'security.sshPort' ? '2222' : codec === 'int' ? '8080' : codec === 'bool' ? 'on' : codec === 'argv' ? 'celery -A x worker' : codec === 'choice' ? 'x' : '/some/value';

  test('each field of every screen, the preset and the region, is set by a flag that then skips it', async () => {
    const { FORMS } = await import('../../src/ui/model/forms.js');
    const { SETUP_SCREENS, isFormId, screenPaths } = await import('../../src/ui/model/flow.js');
    const { ANSWER_FLAGS, draftFromFlags, flagFor } = await import('../../src/domain/answer-flags.js');
    const { isGiven, getPath } = await import('../../src/domain/draft.js');
    // Every field a form can show (hidden ones too: they appear once another answer asks for them).
    const asked: { path: string; codec: string; bind?: { get(d: Record<string, unknown>): unknown } }[] = [
      ...Object.values(FORMS).flatMap((f) => f.fields.map((x) => ({ path: x.path, codec: x.codec, ...(x.bind ? { bind: x.bind } : {}) }))),
      { path: 'preset', codec: 'choice' },
      { path: 'region', codec: 'choice' },
    ];
    // The screens that are not forms ask exactly these.
    for (const s of SETUP_SCREENS.filter((x) => !isFormId(x))) for (const p of screenPaths(s, { region: 'global' })) expect(asked.map((a) => a.path)).toContain(p);
    expect(asked.length).toBeGreaterThan(20);
    for (const { path, codec, bind } of asked) {
      const flag = flagFor(path);
      expect(flag, `${path} has no flag in src/domain/answer-flags.ts`).toBeDefined();
      const def = ANSWER_FLAGS.find((f) => `--${f.flag}` === flag)!;
      // Components are one flag for all five toggles.
      const value = def.flag === 'components' ? 'redis,worker' : sample(codec, path);
      const r = draftFromFlags({ [def.flag]: value });
      expect(r.problems, `${flag} ${value}`).toEqual([]);
      expect(isGiven(r.given, path), `${flag} marks ${path} as given`).toBe(true);
      // A notification channel's value is read where it lives (the channel of its kind in notify.channels).
      expect(bind ? bind.get(r.draft) : getPath(r.draft, path), `${flag} sets ${path}`).toBeDefined();
    }
  });

  test('a mirror prompt (region cn) is set by --mirror KIND=URL', async () => {
    const { screenPaths } = await import('../../src/ui/model/flow.js');
    const { draftFromFlags, flagFor } = await import('../../src/domain/answer-flags.js');
    const paths = screenPaths('region', { region: 'cn' }, ['registry', 'npm']);
    expect(paths).toEqual(['region', 'mirrors.registry', 'mirrors.npm']);
    for (const p of paths.slice(1)) {
      expect(flagFor(p)).toBe(`--mirror ${p.slice('mirrors.'.length)}=URL`);
      const r = draftFromFlags({ mirror: [`${p.slice('mirrors.'.length)}=https://m.example`] });
      expect([...r.given]).toEqual([p]);
    }
  });
});
