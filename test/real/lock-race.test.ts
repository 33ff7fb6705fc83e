// #15.4: the maintenance lock with real processes racing for it. N processes start at the same
// instant and each takes the lock as a guarded command does: exactly one wins, every round, and
// every other one names the winner. A winner killed while holding it (SIGKILL: no release runs)
// leaves no lock behind. The contenders are src/ bundled by esbuild (test/real/support/lock-racer.ts).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
// Inside the repository, so the bundle finds node_modules (test/.cache is ignored by git).
const RACER = join(ROOT, 'test', '.cache', `lock-racer-${process.pid}.mjs`);
const N = 8;
const ROUNDS = 5;

beforeAll(async () => {
  mkdirSync(join(ROOT, 'test', '.cache'), { recursive: true });
  await build({
    entryPoints: [join(import.meta.dirname, 'support', 'lock-racer.ts')],
    outfile: RACER,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    loader: { '.yaml': 'text', '.tmpl': 'text' },
    define: { __VERSION__: '"test"' },
    logLevel: 'error',
  });
});

function contender(installDir: string, startAt: number) {
  const c = spawn(process.execPath, [RACER, installDir, String(startAt)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const answered = new Promise<void>((res) => c.stdout.on('data', (d: Buffer) => void ((out += d.toString()), out.includes('\n') && res())));
  c.stderr.on('data', (d: Buffer) => void (err += d.toString()));
  const done = new Promise<{ pid: number; out: string }>((res) => c.on('exit', () => res({ pid: c.pid!, out: `${out.trim()}${err ? ` ${err.trim()}` : ''}` })));
  return { child: c, answered, done, output: () => out };
}

/** Everyone starts at the same instant; a winner holds the lock until every contender has answered, however slow it was to start. */
async function race(installDir: string) {
  // Node starts in ~0.1-0.5 s here; all wait for the same instant.
  const startAt = Date.now() + 1500;
  const cs = Array.from({ length: N }, () => contender(installDir, startAt));
  await Promise.all(cs.map((c) => Promise.race([c.answered, c.done])));
  for (const c of cs) c.child.stdin.end();
  return Promise.all(cs.map((c) => c.done));
}

describe('the maintenance lock, raced by real processes (#15.4)', () => {
  it(`${N} processes at once, ${ROUNDS} rounds: exactly one wins every round, the others name it`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const installDir = mkdtempSync(join(tmpdir(), 'sw-race-'));
      const results = await race(installDir);
      const winners = results.filter((r) => r.out === 'won');
      expect(winners.length, `round ${round}: ${JSON.stringify(results)}`).toBe(1);
      for (const r of results) if (r.out !== 'won') expect(r.out, `round ${round}`).toBe(`lost ${winners[0]!.pid}`);
      // Released: emptied, and the next one takes it.
      expect(readFileSync(join(installDir, '.stack-wizard', 'maintenance.lock'), 'utf8')).toBe('');
    }
  });

  it('a holder killed with SIGKILL leaves no lock: the next race has exactly one winner again', async () => {
    const installDir = mkdtempSync(join(tmpdir(), 'sw-race-'));
    const first = contender(installDir, Date.now());
    await first.answered;
    expect(first.output()).toBe('won\n');
    first.child.kill('SIGKILL');
    await first.done;
    // Its name is still in the file (no release ran), but the lock went with the process.
    expect(readFileSync(join(installDir, '.stack-wizard', 'maintenance.lock'), 'utf8')).toBe(`${first.child.pid} race-${first.child.pid}\n`);
    const results = await race(installDir);
    expect(results.filter((r) => r.out === 'won').length, JSON.stringify(results)).toBe(1);
  });
});
