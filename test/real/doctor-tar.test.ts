// The support bundle's archive is written in memory (src/render/format/tar.ts); GNU tar must read
// it back exactly: names (long ones through the ustar prefix), contents, modes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { tarGz } from '../../src/render/format/tar.js';

describe('tar.gz in memory', () => {
  test('GNU tar lists and extracts every entry with its content and mode', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-tar-'));
    const long = `stack-wizard-support/config/live/${'deep/'.repeat(20)}file.conf`;
    const entries = [
      { path: 'stack-wizard-support/README.txt', content: 'hello\n', mode: 0o600 },
      { path: 'stack-wizard-support/findings.json', content: `${JSON.stringify({ findings: [{ id: 'x', title: '磁盘快满了' }] })}\n`, mode: 0o600 },
      { path: long, content: 'x'.repeat(1025), mode: 0o644 },
      { path: 'stack-wizard-support/empty.txt', content: '', mode: 0o600 },
      { path: 'stack-wizard-support/bin.dat', content: new Uint8Array([0, 1, 2, 255]), mode: 0o600 },
    ];
    const file = join(dir, 'b.tar.gz');
    writeFileSync(file, tarGz(entries, new Date('2026-11-23T09:00:00Z')));
    const list = execFileSync('tar', ['-tzvf', file], { encoding: 'utf8' });
    for (const e of entries) expect(list).toContain(e.path);
    expect(list).toMatch(/^-rw------- root\/root\s+6 2026-11-23 09:00 stack-wizard-support\/README\.txt$/m);
    const out = join(dir, 'x');
    execFileSync('mkdir', [out]);
    execFileSync('tar', ['-xzf', file, '-C', out]);
    for (const e of entries) {
      const got = readFileSync(join(out, e.path));
      expect(Buffer.compare(got, typeof e.content === 'string' ? Buffer.from(e.content) : Buffer.from(e.content)), e.path).toBe(0);
      expect(statSync(join(out, e.path)).mode & 0o777, e.path).toBe(e.mode);
    }
  });
});
