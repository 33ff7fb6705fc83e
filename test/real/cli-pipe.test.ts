// The built CLI with its output piped into a reader that is gone before the first line (`… | true`;
// `| head -1` is the everyday case, but whether it closes before the last write is a race).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('stack-wizard render | true', () => {
  it('finishes the render and exits 0 without an EPIPE stack trace', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sw-pipe-')), 'stack');
    // pipefail reports the CLI's own exit code; `true` exits long before Node has started.
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `"$0" bin/stack-wizard.js render --answers examples/answers.yaml --out "$1" | true`, process.execPath, out], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
    expect(r.status).toBe(0);
    expect(existsSync(join(out, 'docker-compose.yml'))).toBe(true);
    expect(readdirSync(out)).toContain('.env');
  });
});
