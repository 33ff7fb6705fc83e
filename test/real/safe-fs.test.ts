// What the safe file operations do with this machine's real users, programs and folders: chown to
// another user, the system's own program folders, GNU rm in a folder a service owns. Moved from the
// unit suite's safe-fs.test.ts, which reads no host and runs no program (docs/ARCHITECTURE.md#tests).
import { chmodSync, chownSync, lchownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFolderChain, notRootOnly } from '../../src/exec/safe-fs.js';
import { type WizardError } from '../../src/errors.js';
import { RealExecutor } from '../../src/exec/executor.js';

const isRoot = process.getuid?.() === 0;
const dir = mkdtempSync(join(tmpdir(), 'sw-safefs-'));
const NOBODY = 65534;

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as WizardError;
  }
  throw new Error('not refused');
};

describe('the folder chain', () => {
  it.runIf(isRoot)('refuses a folder or a link another user owns (root only: chown)', () => {
    const d = mkdtempSync(join(dir, 'owner-'));
    mkdirSync(join(d, 'theirs'));
    chownSync(join(d, 'theirs'), NOBODY, NOBODY);
    const e = refusal(() => checkFolderChain(join(d, 'theirs', 'out')));
    expect([e.exitCode, e.key, e.params.path]).toEqual([3, 'err.unsafe.owner', join(d, 'theirs')]);
    expect(String(e.params.owner)).toMatch(/uid 65534/);
    mkdirSync(join(d, 'target'));
    symlinkSync(join(d, 'target'), join(d, 'their-link'));
    lchownSync(join(d, 'their-link'), NOBODY, NOBODY);
    const l = refusal(() => checkFolderChain(join(d, 'their-link', 'out')));
    expect([l.exitCode, l.key, l.params.path]).toEqual([3, 'err.unsafe.link', join(d, 'their-link')]);
    // The same link, root's: followed.
    lchownSync(join(d, 'their-link'), 0, 0);
    expect(checkFolderChain(join(d, 'their-link', 'out'))).toEqual({ existing: join(d, 'target'), missing: ['out'] });
  });
});

describe('what root\'s timers may run (#15.6)', () => {
  it.runIf(isRoot)('root\'s own programs pass; anything under a folder others can write to does not', () => {
    expect(notRootOnly('/usr/bin/env')).toBeNull();
    const d = mkdtempSync(join(dir, 'tmpnode-'));
    writeFileSync(join(d, 'node'), '#!/bin/sh\n', { mode: 0o755 });
    // /tmp is world-writable (sticky or not): the first folder at fault is named.
    expect(notRootOnly(join(d, 'node'))).toBe(tmpdir());
    expect(notRootOnly('/nonexistent/node')).toBe('/nonexistent/node');
  });
});

describe('removing inside a folder another user owns (a Docker volume\'s folder, owned by its service)', () => {
  it.runIf(isRoot)('removes the name, never what a link in it leads to; a link as the folder itself is still refused', async () => {
    const d = mkdtempSync(join(dir, 'vol-'));
    chmodSync(d, 0o755);
    const victim = join(d, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, 'keep'), 'root data');
    const data = join(d, '_data');
    mkdirSync(join(data, 'appendonlydir'), { recursive: true });
    writeFileSync(join(data, 'appendonly.aof'), 'x');
    // Inside the folder the service owns: a link to root's folder, as a hostile container could plant.
    symlinkSync(victim, join(data, 'appendonlydir', 'evil'));
    for (const p of [data, join(data, 'appendonlydir'), join(data, 'appendonly.aof')]) chownSync(p, NOBODY, NOBODY);
    const ex = new RealExecutor();
    await ex.remove(join(data, 'appendonlydir'));
    await ex.remove(join(data, 'appendonly.aof'));
    expect(readdirSync(data)).toEqual([]);
    expect(readFileSync(join(victim, 'keep'), 'utf8')).toBe('root data');
    // A folder on the way that is another user's link is refused as before.
    symlinkSync(data, join(d, 'link'));
    lchownSync(join(d, 'link'), NOBODY, NOBODY);
    await expect(ex.remove(join(d, 'link', 'x'))).rejects.toMatchObject({ key: 'err.unsafe.link' });
  });
});
