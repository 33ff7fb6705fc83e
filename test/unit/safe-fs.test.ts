// The checks behind root's writes (#15.2), on real folders; the attack itself, with a real second
// user planting links while the built CLI runs as root, is test/real/symlink-writes.test.ts.
import { chmodSync, chownSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFolderChain, createExclusive, notRootOnly, openAppendNoFollow, programNotRootOnly, safeMakeDirs, tempNameFor } from '../../src/exec/safe-fs.js';
import { WizardError } from '../../src/errors.js';
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
  it('accepts our own folders and a sticky shared one; reports what is missing', () => {
    const d = mkdtempSync(join(dir, 'ok-'));
    expect(checkFolderChain(join(d, 'a', 'b'))).toEqual({ existing: d, missing: ['a', 'b'] });
    expect(checkFolderChain(tmpdir())).toEqual({ existing: tmpdir(), missing: [] });
  });

  it('follows a link we own to where it points, and checks that chain instead', () => {
    const d = mkdtempSync(join(dir, 'link-'));
    mkdirSync(join(d, 'real'));
    symlinkSync(join(d, 'real'), join(d, 'alias'));
    expect(checkFolderChain(join(d, 'alias', 'x'))).toEqual({ existing: join(d, 'real'), missing: ['x'] });
    symlinkSync('real', join(d, 'relative'));
    expect(checkFolderChain(join(d, 'relative'))).toEqual({ existing: join(d, 'real'), missing: [] });
  });

  it('refuses a folder others may write in without the sticky bit (exit 3, the path, the mode)', () => {
    const d = mkdtempSync(join(dir, 'open-'));
    chmodSync(d, 0o777);
    const e = refusal(() => checkFolderChain(join(d, 'x')));
    expect(e).toBeInstanceOf(WizardError);
    expect([e.exitCode, e.key, e.params]).toEqual([3, 'err.unsafe.writable', { path: d, mode: '0777' }]);
    chmodSync(d, 0o775);
    expect(refusal(() => checkFolderChain(d)).key).toBe('err.unsafe.writable');
    chmodSync(d, 0o1777);
    expect(checkFolderChain(d).existing).toBe(d);
  });

  it('a component that is a file: ENOTDIR, as mkdir would say', () => {
    const d = mkdtempSync(join(dir, 'file-'));
    writeFileSync(join(d, 'f'), '');
    expect(() => checkFolderChain(join(d, 'f', 'x'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });
});

describe('creating', () => {
  it('makes each missing folder with its mode, whatever the umask', () => {
    const d = mkdtempSync(join(dir, 'mk-'));
    const created: string[] = [];
    const old = process.umask(0o077);
    try {
      safeMakeDirs(join(d, 'a', 'b'), 0o750, created);
    } finally {
      process.umask(old);
    }
    expect(created).toEqual([join(d, 'a'), join(d, 'a', 'b')]);
    expect(lstatSync(join(d, 'a')).mode & 0o777).toBe(0o755);
    expect(lstatSync(join(d, 'a', 'b')).mode & 0o777).toBe(0o750);
  });

  it('temp names are unpredictable; an existing name or a link is never opened', () => {
    const names = new Set(Array.from({ length: 1000 }, () => tempNameFor('/srv/x/.env')));
    expect(names.size).toBe(1000);
    for (const n of names) expect(n).toMatch(/^\/srv\/x\/\.\.env\.sw-[0-9a-f]{18}\.tmp$/);
    const d = mkdtempSync(join(dir, 'excl-'));
    writeFileSync(join(d, 'target'), 'keep');
    symlinkSync(join(d, 'target'), join(d, 'link'));
    expect(() => createExclusive(join(d, 'link'), 0o600)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => createExclusive(join(d, 'target'), 0o600)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => openAppendNoFollow(join(d, 'link'), 0o600)).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    expect(readFileSync(join(d, 'target'), 'utf8')).toBe('keep');
  });

  it('a log with a second name (a hard link) is not appended to', () => {
    const d = mkdtempSync(join(dir, 'hard-'));
    writeFileSync(join(d, 'a.log'), '');
    linkSync(join(d, 'a.log'), join(d, 'b.log'));
    expect(() => openAppendNoFollow(join(d, 'a.log'), 0o600)).toThrow(expect.objectContaining({ code: 'EPERM' }));
  });

  it('writeFiles replaces a link at the target with its own file and leaves the link\'s target alone', async () => {
    const d = mkdtempSync(join(dir, 'wf-'));
    writeFileSync(join(d, 'elsewhere'), 'untouched', { mode: 0o600 });
    symlinkSync(join(d, 'elsewhere'), join(d, '.env'));
    const ex = new RealExecutor();
    const o = await ex.writeFiles([{ path: join(d, '.env'), content: 'A=1\n', mode: 0o600 }]);
    expect(o.get(join(d, '.env'))).toBe('changed');
    expect(lstatSync(join(d, '.env')).isFile()).toBe(true);
    expect(readFileSync(join(d, '.env'), 'utf8')).toBe('A=1\n');
    expect(readFileSync(join(d, 'elsewhere'), 'utf8')).toBe('untouched');
    // A no-follow read sees the link, not its target.
    symlinkSync(join(d, 'elsewhere'), join(d, 'l2'));
    await expect(ex.readFile(join(d, 'l2'), { noFollow: true })).rejects.toMatchObject({ code: 'ELOOP' });
    await expect(ex.readFile('/dev/zero', { maxBytes: 1024 })).rejects.toMatchObject({ code: 'EFBIG' });
  });
});

describe('what root\'s timers may run (#15.6)', () => {
  const repoCache = join(import.meta.dirname, '..', '.cache');
  // Needs a folder that is root's alone: this checkout's, when root owns it (as on the test machine).
  const rootOnlyHere = isRoot && (() => {
    mkdirSync(repoCache, { recursive: true });
    return notRootOnly(repoCache) === null;
  })();

  it.runIf(rootOnlyHere)('an install.sh wrapper is judged by the Node.js and script it execs', () => {
    const d = mkdtempSync(join(repoCache, 'wrapper-'));
    chmodSync(d, 0o755);
    const script = join(d, 'stack-wizard.js');
    writeFileSync(script, '', { mode: 0o644 });
    const wrapper = (node: string) => `#!/bin/sh\n# Written by the stack-wizard installer: runs the wizard with the Node.js it chose.\nexec ${node} ${script} "$@"\n`;
    writeFileSync(join(d, 'good'), wrapper('/usr/bin/node'), { mode: 0o755 });
    expect(programNotRootOnly(join(d, 'good'))).toBeNull();
    const nvm = mkdtempSync(join(dir, 'nvm-'));
    writeFileSync(join(nvm, 'node'), '#!/bin/sh\n', { mode: 0o755 });
    chownSync(join(nvm, 'node'), NOBODY, NOBODY);
    writeFileSync(join(d, 'bad'), wrapper(join(nvm, 'node')), { mode: 0o755 });
    expect(programNotRootOnly(join(d, 'bad'))).toBe(join(nvm, 'node'));
    // A wrapper that another user owns is refused itself.
    chownSync(join(d, 'good'), NOBODY, NOBODY);
    expect(programNotRootOnly(join(d, 'good'))).toBe(join(d, 'good'));
  });
});
