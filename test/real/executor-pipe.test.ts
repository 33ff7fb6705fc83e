// The Executor's pipelines (what backup and restore stream gigabytes through), with real programs:
// bytes hashed and counted on the way, the first program's output tapped in order, a failing
// program named (not the ones that only got SIGPIPE), a passphrase on fd 3 and never in the log.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandError, DryRunExecutor, RealExecutor } from '../../src/exec/executor.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-pipe-'));

describe('Executor.pipe', () => {
  it('streams through compression into a file, hashing and counting both ends', async () => {
    const exec = new RealExecutor();
    const out = join(dir, 'seq.gz');
    const tapped: Buffer[] = [];
    const r = await exec.pipe([{ cmd: 'seq', args: ['1', '200000'] }, { cmd: 'gzip', args: ['-c'] }], { outputFile: out, outputMode: 0o600, tap: (b) => tapped.push(Buffer.from(b)) });
    const plain = Buffer.from(Array.from({ length: 200000 }, (_, i) => `${i + 1}\n`).join(''));
    expect(r.bytesIn).toBe(plain.length);
    expect(Buffer.concat(tapped).equals(plain)).toBe(true);
    const file = readFileSync(out);
    expect(r.bytesOut).toBe(file.length);
    expect(r.sha256Out).toBe(createHash('sha256').update(file).digest('hex'));
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(await exec.hashFile(out)).toEqual({ bytes: file.length, sha256: r.sha256Out });
    // And back: the input file is hashed as read.
    const back = await exec.pipe([{ cmd: 'gzip', args: ['-d', '-c'] }, { cmd: 'wc', args: ['-l'] }], { inputFile: out });
    expect(back.stdout.trim()).toBe('200000');
    expect(back.sha256In).toBe(r.sha256Out);
  });

  it('names the program that failed, not the ones ended by the broken pipe', async () => {
    const exec = new RealExecutor();
    const err = await exec.pipe([{ cmd: 'seq', args: ['1', '10000000'] }, { cmd: 'sh', args: ['-c', 'head -c 100 >/dev/null; echo "bad things" >&2; exit 7'] }, { cmd: 'gzip', args: ['-c'] }], { outputFile: join(dir, 'x.gz') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).result.exitCode).toBe(7);
    expect((err as CommandError).message).toMatch(/^sh -c .* exited 7: bad things/);
  });

  it('tees the first program\'s output to a second reader at the slower one\'s pace (a copy stored and unpacked at once)', async () => {
    const exec = new RealExecutor();
    const out = join(dir, 'tee.gz');
    const teed = join(dir, 'teed.txt');
    // The tee reads slowly (dd in small blocks through a sleep), so back-pressure must hold the source.
    const r = await exec.pipe([{ cmd: 'seq', args: ['1', '300000'] }, { cmd: 'gzip', args: ['-c'] }], {
      outputFile: out,
      tee: { cmd: 'sh', args: ['-c', 'sleep 0.3; cat > "$1"', 'sh', teed] },
    });
    const plain = Buffer.from(Array.from({ length: 300000 }, (_, i) => `${i + 1}\n`).join(''));
    expect(readFileSync(teed).equals(plain)).toBe(true);
    expect(r.bytesIn).toBe(plain.length);
    const back = await exec.pipe([{ cmd: 'gzip', args: ['-d', '-c'] }], { inputFile: out });
    expect(back.stdout).toBe(plain.toString());
    expect(exec.pipeSummary([{ cmd: 'seq', args: ['1'] }, { cmd: 'gzip', args: [] }], { tee: { cmd: 'tar', args: ['-x'] } })).toMatch(/\(tee: tar -x\)$/);
  });

  it('a tee that fails fails the pipeline, naming it', async () => {
    const err = await new RealExecutor()
      .pipe([{ cmd: 'seq', args: ['1', '1000000'] }, { cmd: 'gzip', args: ['-c'] }], { outputFile: join(dir, 'tee-fail.gz'), tee: { cmd: 'sh', args: ['-c', 'head -c 10 >/dev/null; echo "unpack failed" >&2; exit 3'] } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).message).toMatch(/exited 3: unpack failed/);
  });

  it('a program that cannot start fails the pipeline too', async () => {
    const err = await new RealExecutor().pipe([{ cmd: 'seq', args: ['1', '3'] }, { cmd: 'no-such-program-here', args: [] }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).result.exitCode).toBe(127);
  });

  it('hands fd 3 to a program (a passphrase) and keeps it out of the log', async () => {
    const lines: string[] = [];
    const exec = new RealExecutor((l) => lines.push(l));
    const secret = 'correct horse battery staple';
    exec.addSecrets([secret]);
    writeFileSync(join(dir, 'in.txt'), 'payload');
    const r = await exec.pipe([{ cmd: 'sh', args: ['-c', 'read -r p <&3; printf "%s|" "$p"; cat'], fd3: secret }], { inputFile: join(dir, 'in.txt') });
    expect(r.stdout).toBe(`${secret}|payload`);
    expect(lines.join('\n')).not.toContain(secret);
  });

  it('records and runs nothing in a dry run', async () => {
    const exec = new DryRunExecutor();
    const out = join(dir, 'never.gz');
    const r = await exec.pipe([{ cmd: 'seq', args: ['1', '3'] }, { cmd: 'gzip', args: ['-c'] }], { outputFile: out });
    expect(r.bytesOut).toBe(0);
    expect(exec.actions.map((a) => a.summary)).toEqual([`seq 1 3 | gzip -c > ${out}`]);
    expect(() => statSync(out)).toThrow();
  });
});
