// The secret-file policy (src/domain/secret-file.ts), pure. The real check with a second account's
// files and real modes: test/real/secret-files.test.ts.
import { describe, expect, it } from 'vitest';
import { secretFileProblem, type FileOwnership } from '../../src/domain/secret-file.js';

const f = (o: Partial<FileOwnership>): FileOwnership => ({
  kind: 'file',
  uid: 0,
  mode: 0o600,
  euid: 0,
  owner: 'root (uid 0)',
  ...o,
});

describe('secret files', () => {
  it('accepts a regular file of the running account readable by it alone (0600, 0400)', () => {
    expect(secretFileProblem(f({}))).toBeNull();
    expect(secretFileProblem(f({ mode: 0o400 }))).toBeNull();
    expect(secretFileProblem(f({ uid: 1000, euid: 1000 }))).toBeNull();
  });
  it('refuses a link, a folder or a device whatever it points at', () => {
    expect(secretFileProblem(f({ kind: 'link' }))).toBe('notFile');
    expect(secretFileProblem(f({ kind: 'other' }))).toBe('notFile');
  });
  it("refuses another account's file, even 0600 (its owner chooses the secret)", () => {
    expect(secretFileProblem(f({ uid: 1000 }))).toBe('owner');
  });
  it('refuses any bit for the group or others, and set-id or sticky bits', () => {
    for (const mode of [0o640, 0o604, 0o620, 0o602, 0o644, 0o4600, 0o1600])
      expect(secretFileProblem(f({ mode }))).toBe('mode');
  });
});
