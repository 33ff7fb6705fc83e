// The Node binary a test runs the built CLI with as an account of no privilege (nobody).
// process.execPath is the Node this vitest runs on; on the other Node lines (test/run.sh) that is a
// binary under root's cache (~/.cache, 0700), which nobody cannot run: then a copy of it in a
// 0755 folder of its own, removed when the test process ends.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let chosen: string | undefined;

export function nodeFor(uid: number, gid: number): string {
  if (chosen) return chosen;
  if (spawnSync(process.execPath, ['-e', ''], { uid, gid }).status === 0) return (chosen = process.execPath);
  const dir = mkdtempSync(join(tmpdir(), 'sw-node-'));
  chmodSync(dir, 0o755);
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const copy = join(dir, 'node');
  copyFileSync(process.execPath, copy);
  chmodSync(copy, 0o755);
  return (chosen = copy);
}
