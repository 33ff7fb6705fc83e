// Bad input that reaches this machine: an output folder on its pseudo-filesystems (the built CLI in
// a child process, so a hang is ended by a timeout), and init as root, whose preview reads this
// host. Moved from the unit suite's cli-errors.test.ts, which touches no host (docs/ARCHITECTURE.md#tests).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { makeFacts } from '../fixtures/facts.js';
import { runCli } from '../fixtures/bundle.js';

const isRoot = process.getuid?.() === 0;
const dir = mkdtempSync(join(tmpdir(), 'sw-errors-host-'));
const GOOD = `project: myapp
preset: 4g
app:
  image: ghcr.io/example/api:1.4.2
  port: 8000
`;
const facts8 = join(dir, 'facts-8g.json');
writeFileSync(facts8, JSON.stringify(makeFacts({ ramMiB: 7680, cores: 4 })));

let n = 0;
/** The run's working folder is still empty: no output folder, no stray file. */
const nothingWritten = (caseDir: string) => expect(readdirSync(caseDir)).toEqual([]);
/** main() with an empty working folder of its own; returns what it printed and that folder. */
async function mainIn(argv: string[], env: NodeJS.ProcessEnv = { LANG: 'C' }) {
  const caseDir = join(dir, `case-${++n}`);
  mkdirSync(caseDir);
  let stderr = '';
  const code = await main(argv, { io: { out: () => {}, err: (s) => void (stderr += s) }, env, interactive: false, cwd: caseDir });
  return { code, stderr, caseDir };
}

describe('bad hosts, files and flags', () => {
  // Pseudo-filesystems: /proc answers ENOENT to mkdir under a folder that exists, which sent Node's
  // recursive mkdir into an endless loop; /sys refuses with EPERM. Run as a child process, so a hang
  // is ended by the timeout and fails instead of stalling the suite. These work as root and not.
  for (const [target, code] of [['/proc/sw-render-test/out', 'ENOENT'], ['/sys/sw-render-test', 'EPERM']] as const) {
    it(`an output folder on a pseudo-filesystem (${target}): exit 2 at once, nothing written`, () => {
      const f = join(dir, 'good-pseudo.yaml');
      writeFileSync(f, GOOD);
      const r = runCli(['render', '--answers', f, '--host-facts', facts8, '--out', target], { LANG: 'C' }, 60_000);
      expect(r.error, 'the render hung and was killed').toBeUndefined();
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`cannot write to ${target.replace(/\//g, '\\/')} \\((${code}|EACCES|EPERM)\\); choose a folder you can write to`));
      expect(existsSync(target)).toBe(false);
      expect(existsSync(target.split('/').slice(0, 3).join('/'))).toBe(false);
    }, 120_000);
  }

  // Only reachable as root: as non-root init renders into a local folder and needs no confirmation.
  it.runIf(isRoot)('init that would change a server without a terminal or --yes (root only): exit 2 naming --yes, nothing written', async () => {
    const f = join(dir, 'good3.yaml');
    writeFileSync(f, `${GOOD}installDir: ${join(dir, 'installed')}\n`);
    const r = await mainIn(['init', '--answers', f, '--host-facts', facts8], { LANG: 'C', STACK_WIZARD_STATE_DIR: join(dir, 'state') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass --yes/);
    expect(existsSync(join(dir, 'installed'))).toBe(false);
    expect(existsSync(join(dir, 'state'))).toBe(false);
    nothingWritten(r.caseDir);
  });
});
