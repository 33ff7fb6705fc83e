// The copy of a backup to an S3-compatible bucket: Debian's curl (--aws-sigv4) against a real
// S3 server process on loopback (s3rver's storage and API behind AWS's own Signature V4 check, see
// helpers/s3-server.mjs). Proves: every file and the manifest land under <prefix>/<project>/<ID>/
// with the bytes of the local files; a wrong secret is refused by the signature check and reported;
// the secret never appears in the executor's log or actions.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { manifestText, type Manifest } from '../../src/domain/backup.js';
import { WizardError } from '../../src/errors.js';
import { RealExecutor } from '../../src/exec/executor.js';
import { uploadBackup } from '../../src/steps/backup-s3.js';
import type { Stack } from '../../src/steps/stack-tools.js';
import { execFileSync } from 'node:child_process';

const KEY = 'STACKWIZARDTESTKEY';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const BUCKET = 'shop-backups';
const EMPTY_SHA256 = createHash('sha256').digest('hex');

let server: ChildProcess;
let port: number;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'sw-s3-'));
  mkdirSync(join(work, 'store'));
  const script = fileURLToPath(new URL('./helpers/s3-server.mjs', import.meta.url));
  server = spawn(process.execPath, [script, join(work, 'store'), KEY, SECRET, BUCKET], { stdio: ['ignore', 'pipe', 'inherit'] });
  port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    server.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve((JSON.parse(buf.slice(0, nl)) as { port: number }).port);
    });
    server.once('exit', (code) => reject(new Error(`s3-server exited ${code}`)));
  });
});

afterAll(() => {
  server?.kill();
  if (work) rmSync(work, { recursive: true, force: true });
});

function backupDir(): { dir: string; manifest: Manifest } {
  const dir = join(work, `b-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  const files = [
    { name: 'database.sql.zst', data: Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) % 251)) },
    { name: 'config.tar.zst', data: Buffer.from('config bytes') },
  ];
  for (const f of files) writeFileSync(join(dir, f.name), f.data);
  const m: Manifest = {
    format: 1, id: '20260315-031500', project: 'shop', kind: 'manual', createdAt: '2026-03-15T03:15:00.000Z', durationMs: 1,
    tool: { version: 't', templateVersion: 1 }, compression: 'zstd', encryption: null, database: null, redis: null, volumes: [],
    files: files.map((f) => ({ name: f.name, kind: f.name.startsWith('database') ? 'database' : 'config', bytes: f.data.length, sha256: createHash('sha256').update(f.data).digest('hex'), rawBytes: f.data.length })),
  };
  writeFileSync(join(dir, 'manifest.json'), manifestText(m));
  return { dir, manifest: m };
}

function stackWith(credentialsFile: string): Stack {
  const s3 = { endpoint: `http://127.0.0.1:${port}`, bucket: BUCKET, region: 'eu-central-1', prefix: 'prod/', credentialsFile };
  return { project: 'shop', installDir: work, answersFile: '', prepared: { answers: { backup: { keep: 7, schedule: 'off', s3 } } } } as unknown as Stack;
}

/** A GET signed by curl too: what is stored is read back through the same signature check. */
const get = (path: string, secret = SECRET) =>
  execFileSync('curl', ['-sS', '--fail-with-body', '--aws-sigv4', 'aws:amz:eu-central-1:s3', '-K', '-', '-H', `x-amz-content-sha256: ${EMPTY_SHA256}`, `http://127.0.0.1:${port}/${BUCKET}/${path}`], {
    input: `user = "${KEY}:${secret}"\n`,
    stdio: ['pipe', 'pipe', 'pipe'],
  });

describe('backup copy to S3 with curl --aws-sigv4', () => {
  it('uploads every file and then the manifest, byte for byte, under prefix/project/ID', async () => {
    const { dir, manifest } = backupDir();
    const creds = join(work, 's3.env');
    writeFileSync(creds, `AWS_ACCESS_KEY_ID=${KEY}\nAWS_SECRET_ACCESS_KEY=${SECRET}\n`, { mode: 0o600 });
    const log: string[] = [];
    const exec = new RealExecutor((l) => log.push(l));
    const ctx = createContext({ lang: 'en', dryRun: false, exec, env: {} });
    const out: string[] = [];
    const urls = await uploadBackup(ctx, stackWith(creds), dir, manifest, (e) => e.text && out.push(e.text));
    expect(urls).toEqual([
      `http://127.0.0.1:${port}/${BUCKET}/prod/shop/20260315-031500/database.sql.zst`,
      `http://127.0.0.1:${port}/${BUCKET}/prod/shop/20260315-031500/config.tar.zst`,
      `http://127.0.0.1:${port}/${BUCKET}/prod/shop/20260315-031500/manifest.json`,
    ]);
    for (const name of ['database.sql.zst', 'config.tar.zst', 'manifest.json']) {
      expect(get(`prod/shop/20260315-031500/${name}`).equals(readFileSync(join(dir, name))), name).toBe(true);
    }
    // The secret travelled on curl's stdin only.
    expect(log.join('\n')).not.toContain(SECRET);
    expect(exec.actions.map((a) => a.summary).join('\n')).not.toContain(SECRET);
    expect(log.join('\n')).toMatch(/run: curl --fail-with-body -sS .* --aws-sigv4 aws:amz:eu-central-1:s3 -K - -H 'x-amz-content-sha256: [0-9a-f]{64}' -T .*database\.sql\.zst/);
  });

  it('the signature check is real: a read with a wrong secret is refused', () => {
    let out = '';
    try {
      get('prod/shop/20260315-031500/manifest.json', 'not-the-secret');
    } catch (e) {
      out = String((e as { stdout?: Buffer }).stdout ?? '');
    }
    expect(out).toMatch(/<Code>SignatureDoesNotMatch<\/Code>/);
  });

  it('a wrong secret fails the upload with a message naming the file and the server\'s answer', async () => {
    const { dir, manifest } = backupDir();
    const creds = join(work, 's3-bad.env');
    writeFileSync(creds, `AWS_ACCESS_KEY_ID=${KEY}\nAWS_SECRET_ACCESS_KEY=wrong-secret-value\n`, { mode: 0o600 });
    const ctx = createContext({ lang: 'en', dryRun: false, exec: new RealExecutor(), env: {} });
    const err = await uploadBackup(ctx, stackWith(creds), dir, manifest, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WizardError);
    expect((err as WizardError).key).toBe('err.s3.uploadFailed');
    expect(ctx.t((err as WizardError).key, (err as WizardError).params)).toMatch(/upload of database\.sql\.zst to .* failed: .*SignatureDoesNotMatch/);
    expect(JSON.stringify((err as WizardError).params)).not.toContain('wrong-secret-value');
  });

  it('without keys it says where to put them', async () => {
    const { dir, manifest } = backupDir();
    const ctx = createContext({ lang: 'en', dryRun: false, exec: new RealExecutor(), env: {} });
    const s = stackWith('');
    (s.prepared.answers.backup.s3 as { credentialsFile?: string }).credentialsFile = undefined;
    const err = (await uploadBackup(ctx, s, dir, manifest, () => {}).catch((e: unknown) => e)) as WizardError;
    expect(err.key).toBe('err.s3.noCredentials');
    expect(err.exitCode).toBe(2);
  });
});
