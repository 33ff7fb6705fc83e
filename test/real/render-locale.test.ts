// The built CLI (a child process of Node, as users run it) writes the same bytes whatever the
// locale: moved from the unit suite, which starts no programs (docs/ARCHITECTURE.md#tests).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { HOST } from '../../src/render/paths.js';
import { makeFacts } from '../fixtures/facts.js';
import { runCli } from '../fixtures/bundle.js';

describe('the built CLI renders the same bytes under any locale', () => {
  // ICU's collation follows LC_ALL even where the OS has no such locale installed: in Danish "AA"
  // is "Å" and sorts after "Z", so any localeCompare in the output path shows up here.
  const tmp = mkdtempSync(join(tmpdir(), 'sw-locale-'));
  const LOCALES = ['C', 'da_DK.UTF-8'];

  const listFiles = (d: string, base = ''): string[] =>
    readdirSync(join(d, base), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(d, join(base, e.name)) : [join(base, e.name)]));

  it('render under LC_ALL=C and LC_ALL=da_DK.UTF-8 writes byte-identical folders', () => {
    const env = (lc: string) => ({ HOME: tmp, LC_ALL: lc, LANG: lc });
    // The precondition, or the test proves nothing: this Node's ICU really orders the keys differently.
    const sortIn = "process.stdout.write(['AB_MODE','AA_MODE','Z_MODE'].sort((a,b)=>a.localeCompare(b)).join())";
    const order = LOCALES.map((lc) => spawnSync(process.execPath, ['-e', sortIn], { env: env(lc), encoding: 'utf8' }).stdout);
    expect(order).toEqual(['AA_MODE,AB_MODE,Z_MODE', 'AB_MODE,Z_MODE,AA_MODE']);

    const answers = join(tmp, 'answers.yaml');
    writeFileSync(answers, [
      'project: locale',
      'app:',
      '  image: example/app:1',
      '  env: { AB_MODE: "b", AA_MODE: "a", Z_MODE: "z", aa_lower: "x", A_B: "1", A__B: "2" }',
      '',
    ].join('\n'));
    const facts = join(tmp, 'facts.json');
    writeFileSync(facts, JSON.stringify(makeFacts({ ramMiB: 7680, cores: 4 })));
    const outs = LOCALES.map((lc) => join(tmp, `out-${lc}`));
    // The second folder starts with the first one's .env, so the secrets are the same and every byte must be.
    mkdirSync(outs[1]!);
    for (const [i, lc] of LOCALES.entries()) {
      if (i === 1) copyFileSync(join(outs[0]!, HOST.env), join(outs[1]!, HOST.env));
      const r = runCli(['render', '--answers', answers, '--host-facts', facts, '--out', outs[i]!], env(lc));
      expect(r.stderr, lc).toBe('');
      expect(r.status, lc).toBe(0);
    }
    const [a, b] = outs.map((d) => listFiles(d).sort());
    expect(b).toEqual(a);
    for (const p of a!) expect(readFileSync(join(outs[1]!, p)).equals(readFileSync(join(outs[0]!, p))), p).toBe(true);
    // And the keys really are in code-point order (uppercase before lowercase, '_' after letters).
    const appEnv = Object.keys((parse(readFileSync(join(outs[0]!, HOST.compose), 'utf8')) as { services: { app: { environment: Record<string, string> } } }).services.app.environment);
    const mine = appEnv.filter((k) => ['AB_MODE', 'AA_MODE', 'Z_MODE', 'aa_lower', 'A_B', 'A__B'].includes(k));
    expect(mine).toEqual(['AA_MODE', 'AB_MODE', 'A_B', 'A__B', 'Z_MODE', 'aa_lower']);
    rmSync(tmp, { recursive: true, force: true });
  }, 120_000);
});
