// #15.8: a secret stack-wizard reads as root (the backup passphrase, S3 credentials) comes only from
// a regular file of root's that nobody else can read or write, in folders nobody else can swap it
// in. A real unprivileged account (useradd) owns or plants what an attacker with a local account
// could; the real executor reads. Each refusal is exit 3 naming the file, the answers key and the fix.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { WizardError } from '../../src/errors.js';
import type { Manifest } from '../../src/domain/backup.js';
import { uploadBackup } from '../../src/steps/backup-s3.js';
import { readSecretFile } from '../../src/steps/secret-file.js';
import { backupPassphrase, type Stack } from '../../src/steps/stack-tools.js';

const USER = `swsecret${process.pid % 100000}`;
const base = mkdtempSync('/tmp/sw-secret-');
chmodSync(base, 0o755);
const PASS = 'correct horse battery staple';

function sh(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const asUser = (script: string) => sh('runuser', ['-u', USER, '--', 'sh', '-ec', script]);

const ctx = createContext({ lang: 'en', dryRun: false, cwd: base, env: {}, io: { out: () => {}, err: () => {} } });
/** The refusal as the operator reads it, with its exit code; the secret never in it. */
async function refusal(p: Promise<unknown>): Promise<{ code: number; text: string }> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(WizardError);
  const w = e as WizardError;
  const text = ctx.t(w.key, w.params);
  expect(text).not.toContain(PASS);
  return { code: w.exitCode, text };
}

/** The S3 copy of a backup with these credentials: they are read before anything is sent. */
function uploadWith(credentialsFile: string) {
  const s3 = { endpoint: 'http://127.0.0.1:9', bucket: 'b', region: 'eu-central-1', prefix: '', credentialsFile };
  const stack = { project: 'shop', installDir: base, prepared: { answers: { backup: { s3 } } } } as unknown as Stack;
  return uploadBackup(ctx, stack, base, { files: [] } as unknown as Manifest, () => {});
}

beforeAll(() => {
  sh('useradd', ['-M', '-s', '/usr/sbin/nologin', USER]);
});
afterAll(() => {
  spawnSync('userdel', [USER]);
  rmSync(base, { recursive: true, force: true });
});

describe('secret files read as root (#15.8)', () => {
  it("root's 0600 file is read (the first line is the passphrase)", async () => {
    const f = join(base, 'good.pass');
    writeFileSync(f, `${PASS}\n`, { mode: 0o600 });
    expect(await backupPassphrase(ctx, f)).toBe(PASS);
  });

  it('a file others may read (0644) or the group may write (0620): exit 3 with chmod 600', async () => {
    for (const mode of [0o644, 0o620]) {
      const f = join(base, `open-${mode.toString(8)}.pass`);
      writeFileSync(f, `${PASS}\n`);
      chmodSync(f, mode);
      const r = await refusal(backupPassphrase(ctx, f));
      expect(r.code).toBe(3);
      expect(r.text).toBe(
        `${f} (backup.passphraseFile) has mode 0${mode.toString(8)}: other accounts can read or change the secret in it. Run chmod 600 ${f}`,
      );
    }
  });

  it("another account's file, even 0600: exit 3 (its owner would choose root's secret), named by the variable that pointed at it", async () => {
    const f = join(base, 'theirs.pass');
    writeFileSync(f, `${PASS}\n`, { mode: 0o600 });
    sh('chown', [USER, f]);
    const c = createContext({
      lang: 'en',
      dryRun: false,
      cwd: base,
      env: { STACK_WIZARD_BACKUP_PASSPHRASE_FILE: f },
      io: { out: () => {}, err: () => {} },
    });
    const r = await refusal(backupPassphrase(c, undefined));
    expect(r.code).toBe(3);
    expect(r.text).toMatch(
      new RegExp(
        `^${f} \\(STACK_WIZARD_BACKUP_PASSPHRASE_FILE\\) belongs to ${USER} \\(uid \\d+\\), not to root.*chown root ${f} && chmod 600 ${f}$`,
      ),
    );
  });

  it("a link at the name, even to root's own 0600 file: exit 3, the link not followed", async () => {
    const target = join(base, 'good.pass');
    const link = join(base, 'linked.pass');
    symlinkSync(target, link);
    const r = await refusal(backupPassphrase(ctx, link));
    expect(r.code).toBe(3);
    expect(r.text).toMatch(new RegExp(`^${link} \\(backup\\.passphraseFile\\) is not a regular file`));
  });

  it("root's 0600 file in a folder the other account owns: exit 3 (they could swap it for theirs)", async () => {
    const dir = join(base, 'their-dir');
    mkdirSync(dir, { mode: 0o755 });
    sh('chown', [USER, dir]);
    const f = join(dir, 's3.env');
    writeFileSync(f, 'AWS_ACCESS_KEY_ID=AKIAEXAMPLE\nAWS_SECRET_ACCESS_KEY=secretsecret\n', { mode: 0o600 });
    // What they could do at any moment: rename root's file away and put their own in its place.
    asUser(`test -O ${dir}`);
    const r = await refusal(uploadWith(f));
    expect(r.code).toBe(3);
    expect(r.text).toMatch(new RegExp(`^${dir} belongs to ${USER} \\(uid \\d+\\), not root`));
  });

  it('S3 credentials readable by others: exit 3 before anything is sent', async () => {
    const f = join(base, 's3-open.env');
    writeFileSync(f, 'AWS_ACCESS_KEY_ID=AKIAEXAMPLE\nAWS_SECRET_ACCESS_KEY=secretsecret\n', { mode: 0o644 });
    chmodSync(f, 0o644);
    const r = await refusal(uploadWith(f));
    expect(r.code).toBe(3);
    expect(r.text).toBe(
      `${f} (backup.s3.credentialsFile) has mode 0644: other accounts can read or change the secret in it. Run chmod 600 ${f}`,
    );
  });

  it('a missing file is "none configured" for the caller (null), not a refusal', async () => {
    expect(await readSecretFile(ctx, join(base, 'absent'), 'backup.passphraseFile')).toBeNull();
  });
});
