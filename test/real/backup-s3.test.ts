// Off-site copies against a real S3 server process on loopback (s3rver's storage and API behind AWS's
// own Signature V4 check, see helpers/s3-server.mjs), addressed path-style by address and
// virtual-hosted by name (<bucket>.s3.lab.test, resolved to loopback by /etc/hosts in a mount
// namespace of the CLI's own). Proves: every file and then the manifest land under
// <prefix>/<project>/<ID>/ byte for byte and are checked after landing; a file above the multipart
// threshold goes in signed parts; the bucket keeps backup.s3.keep backups (listed); a wrong secret is
// refused by the signature check and reported and recorded; `backup s3 test` names the step that
// failed; a download is checked against the manifest and refused when a byte differs; `restore
// --from-s3` on a server without the stack fetches the backup and unpacks its configuration; the binary
// log archive goes under <prefix>/<project>/binlogs/ and is pruned there as locally; the
// secret never appears in the log.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../src/context.js';
import { manifestText, type Manifest } from '../../src/domain/backup.js';
import { AnswersSchema } from '../../src/domain/answers.js';
import { WizardError } from '../../src/errors.js';
import { RealExecutor } from '../../src/exec/executor.js';
import {
  downloadBackup,
  listRemote,
  s3For,
  s3Test,
  uploadBackup,
  uploadBinlogs,
  type S3Config,
} from '../../src/steps/backup-s3.js';
import { indexText, type ArchivedBinlog } from '../../src/domain/binlog.js';
import type { Stack } from '../../src/steps/stack-tools.js';
import { output } from '../support/proc.js';

const KEY = 'STACKWIZARDTESTKEY';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const BUCKET = 'shop-backups';
const EMPTY_SHA256 = createHash('sha256').digest('hex');
const ROOT = join(import.meta.dirname, '..', '..');

let server: ChildProcess;
let port: number;
let work: string;
let creds: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'sw-s3-'));
  mkdirSync(join(work, 'store'));
  creds = join(work, 's3.env');
  writeFileSync(creds, `AWS_ACCESS_KEY_ID=${KEY}\nAWS_SECRET_ACCESS_KEY=${SECRET}\n`, { mode: 0o600 });
  const script = fileURLToPath(new URL('./helpers/s3-server.mjs', import.meta.url));
  server = spawn(process.execPath, [script, join(work, 'store'), KEY, SECRET, BUCKET, 'lab.test'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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

const requests = () =>
  (existsSync(join(work, 'requests.log')) ? readFileSync(join(work, 'requests.log'), 'utf8') : '')
    .split('\n')
    .filter(Boolean);

/** A backup folder with real archives: a zstd tar of a config folder (restore --from-s3 unpacks it) and a dump. */
function backupDir(id: string, o: { dumpBytes?: number } = {}): { dir: string; manifest: Manifest } {
  const dir = join(work, `b-${id}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  const cfg = join(dir, 'cfg');
  mkdirSync(cfg);
  writeFileSync(join(cfg, '.env'), 'MYSQL_ROOT_PASSWORD=from-the-backup\n');
  writeFileSync(join(cfg, 'docker-compose.yml'), 'services: {}\n');
  output(['sh', '-c', `tar -C "$1" -cf - . | zstd -q -c > "$2"`, 'sh', cfg, join(dir, 'config.tar.zst')]);
  rmSync(cfg, { recursive: true });
  writeFileSync(
    join(dir, 'database.sql.zst'),
    Buffer.from(Array.from({ length: o.dumpBytes ?? 200_000 }, (_, i) => (i * 7 + id.length) % 251)),
  );
  const files = ['database.sql.zst', 'config.tar.zst'].map((name) => {
    const data = readFileSync(join(dir, name));
    return {
      name,
      kind: name.startsWith('database') ? ('database' as const) : ('config' as const),
      bytes: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      rawBytes: data.length,
    };
  });
  const m: Manifest = {
    format: 1,
    id,
    project: 'shop',
    kind: 'manual',
    createdAt: `${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}T${id.slice(9, 11)}:${id.slice(11, 13)}:${id.slice(13, 15)}.000Z`,
    durationMs: 1,
    tool: { version: 't', templateVersion: 1 },
    compression: 'zstd',
    encryption: null,
    database: null,
    redis: null,
    volumes: [],
    files,
  };
  writeFileSync(join(dir, 'manifest.json'), manifestText(m));
  return { dir, manifest: m };
}

function s3Config(o: Partial<S3Config> = {}): S3Config {
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket: BUCKET,
    region: 'eu-central-1',
    prefix: 'prod/',
    credentialsFile: creds,
    ...o,
  };
}

function stackWith(s3: S3Config, keep = 7): Stack {
  const installDir = join(work, 'install');
  mkdirSync(installDir, { recursive: true });
  return {
    project: 'shop',
    installDir,
    answersFile: '',
    prepared: { answers: { backup: { keep, schedule: 'off', s3 } }, plan: { backup: { keep, schedule: 'off' } } },
  } as unknown as Stack;
}

function context(log: string[] = []): Context {
  return createContext({ lang: 'en', dryRun: false, exec: new RealExecutor((l) => log.push(l)), env: {} });
}

/** A GET signed by curl (an independent SigV4 signer) of `target` (after the host): what is stored, read back through the server's signature check. */
const signedGet = (target: string, secret = SECRET) =>
  spawnSync(
    'curl',
    [
      '-sS',
      '--fail-with-body',
      '--aws-sigv4',
      'aws:amz:eu-central-1:s3',
      '-K',
      '-',
      '-H',
      `x-amz-content-sha256: ${EMPTY_SHA256}`,
      `http://127.0.0.1:${port}/${target}`,
    ],
    {
      input: `user = "${KEY}:${secret}"\n`,
      maxBuffer: 64 << 20,
    },
  );
/** An object of the bucket, by its key. */
const get = (path: string, secret = SECRET) => signedGet(`${BUCKET}/${path}`, secret);

describe('backup copies in a bucket, path-style', () => {
  it('uploads every file and then the manifest, byte for byte, checked after landing; the secret is in no log', async () => {
    const { dir, manifest } = backupDir('20260315-031500');
    const log: string[] = [];
    const ctx = context(log);
    const s = stackWith(s3Config());
    const r = (await uploadBackup(ctx, s, dir, manifest, () => {}))!;
    expect(r.urls).toEqual(
      ['database.sql.zst', 'config.tar.zst', 'manifest.json'].map(
        (n) => `http://127.0.0.1:${port}/${BUCKET}/prod/shop/20260315-031500/${n}`,
      ),
    );
    for (const name of ['database.sql.zst', 'config.tar.zst', 'manifest.json']) {
      expect(get(`prod/shop/20260315-031500/${name}`).stdout.equals(readFileSync(join(dir, name))), name).toBe(true);
    }
    // Each object's size and MD5 ETag (from a HEAD) matched what was sent.
    expect(r.checks.map((c) => c.check)).toEqual(['etag', 'etag', 'etag']);
    expect(requests().filter((l) => l.startsWith('HEAD ')).length).toBeGreaterThanOrEqual(3);
    // Recorded for status and the dead-man's switch.
    const rec = JSON.parse(
      readFileSync(join(s.installDir, '.stack-wizard/remote.jsonl'), 'utf8').trim().split('\n').at(-1)!,
    ) as Record<string, unknown>;
    expect(rec).toMatchObject({ id: '20260315-031500', ok: true, bucket: BUCKET, files: 3, error: null });
    const text = log.join('\n');
    expect(text).not.toContain(SECRET);
    expect(text).toMatch(
      /send: PUT http:\/\/127\.0\.0\.1:\d+\/shop-backups\/prod\/shop\/20260315-031500\/database\.sql\.zst \(200000 bytes, sha256 [0-9a-f]{64}\)/,
    );
    expect(text).toMatch(/note: s3: prod\/shop\/20260315-031500\/manifest\.json landed: \d+ bytes, checked by etag/);
  });

  it('a file above the multipart threshold goes in signed parts (initiate, each part, complete) and reads back whole', async () => {
    const { dir, manifest } = backupDir('20260315-041500', { dumpBytes: 1_100_000 });
    const before = requests().length;
    const r = (await uploadBackup(context(), stackWith(s3Config()), dir, manifest, () => {}, {
      multipartAbove: 256 * 1024,
      partBytes: 256 * 1024,
    }))!;
    const mine = requests()
      .slice(before)
      .filter((l) => l.includes('/database.sql.zst'));
    expect(mine[0]).toMatch(
      /^POST 127\.0\.0\.1:\d+ \/shop-backups\/prod\/shop\/20260315-041500\/database\.sql\.zst\?uploads=?$/,
    );
    expect(
      mine
        .filter((l) => /^PUT .*\?partNumber=\d+&uploadId=[0-9a-f]+$/.test(l))
        .map((l) => /partNumber=(\d+)/.exec(l)![1]),
    ).toEqual(['1', '2', '3', '4', '5']);
    expect(mine.some((l) => /^POST .*\?uploadId=[0-9a-f]+$/.test(l))).toBe(true);
    expect(
      get('prod/shop/20260315-041500/database.sql.zst').stdout.equals(readFileSync(join(dir, 'database.sql.zst'))),
    ).toBe(true);
    // s3rver reports a multipart object's ETag as the MD5 of the whole (S3 would give MD5 of the parts' MD5s, -5):
    // an ETag that proves nothing about what was sent has the object read back and hashed.
    expect(r.checks[0]).toEqual({
      key: 'prod/shop/20260315-041500/database.sql.zst',
      bytes: 1_100_000,
      check: 'read-back',
    });
    expect(mine.at(-1)).toMatch(/^GET /);
  });

  it('the bucket keeps backup.s3.keep backups: older ones and a broken older upload are deleted, as the bucket listing shows', async () => {
    const ctx = context();
    // A broken upload (files, no manifest) older than what follows.
    const s3 = await s3For(ctx, s3Config());
    await s3.ok({
      method: 'PUT',
      key: 'prod/shop/20260101-000000/database.sql.zst',
      body: Buffer.from('half'),
      sha256: createHash('sha256').update('half').digest('hex'),
    });
    const ids = ['20260316-031500', '20260317-031500', '20260318-031500'];
    let last = null;
    for (const id of ids) {
      const b = backupDir(id);
      last = await uploadBackup(ctx, stackWith(s3Config({ keep: 2 })), b.dir, b.manifest, () => {});
    }
    expect(last!.pruned).toEqual(['20260316-031500']);
    const listed = await listRemote(s3, 'shop');
    expect(listed.map((b) => [b.id, b.complete])).toEqual([
      ['20260318-031500', true],
      ['20260317-031500', true],
    ]);
    // The listing itself, signed by curl: nothing else is left under the project's prefix.
    const xml = signedGet(`${BUCKET}?list-type=2&prefix=prod%2Fshop%2F`).stdout.toString();
    const keys = [...xml.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
    expect(keys.map((k) => k!.split('/')[2]).filter((v, i, a) => a.indexOf(v) === i)).toEqual([
      '20260317-031500',
      '20260318-031500',
    ]);
    // The upload that pruned said so (the earlier ones, down to keep = 2).
    const recs = readFileSync(join(stackWith(s3Config()).installDir, '.stack-wizard/remote.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; pruned: string[] });
    expect(recs.flatMap((x) => x.pruned).sort()).toEqual([
      '20260101-000000',
      '20260315-031500',
      '20260315-041500',
      '20260316-031500',
    ]);
  });

  it('the binary log archive goes to <prefix><project>/binlogs/, checked, marked in the index; the bucket drops what local retention dropped (#18.3)', async () => {
    const ctx = context();
    const installDir = join(work, 'binlogs-stack');
    const arch = join(installDir, 'backups', 'binlogs');
    mkdirSync(arch, { recursive: true });
    // One backup whose point is in binlog.000002 (opened 02:00): what the archive must keep from.
    const id = '20261207-023000';
    mkdirSync(join(installDir, 'backups', id));
    const m: Manifest = {
      format: 1,
      id,
      project: 'shop',
      kind: 'manual',
      createdAt: '2026-12-07T02:30:00.000Z',
      durationMs: 1,
      tool: { version: '0.1.0', templateVersion: 1 },
      compression: 'zstd',
      encryption: null,
      database: {
        engine: 'mariadb',
        serverVersion: '10.11.14-MariaDB',
        image: 'mariadb:10.11',
        dumpTool: 'mariadb-backup',
        method: 'physical',
        databases: ['shop'],
        tables: {},
        binlog: {
          file: 'binlog.000002',
          position: 4,
          gtid: null,
          fileStartedAt: '2026-12-07T02:00:00.000Z',
          at: '2026-12-07T02:30:00.000Z',
          replay: 'position',
        },
      },
      redis: null,
      volumes: [],
      files: [],
    };
    writeFileSync(join(installDir, 'backups', id, 'manifest.json'), manifestText(m));
    const files: ArchivedBinlog[] = [2, 3].map((n) => {
      const body = Buffer.from(`binlog ${n} `.repeat(1000 * n));
      const stored = `20261207-0${n}0000-binlog.00000${n}.zst`;
      writeFileSync(join(arch, stored), body);
      return {
        name: `binlog.00000${n}`,
        stored,
        first: `2026-12-07T0${n}:00:00.000Z`,
        last: `2026-12-07T0${n}:59:59.000Z`,
        events: 10,
        rawBytes: body.length,
        bytes: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
        compression: 'zstd',
        encrypted: false,
      };
    });
    writeFileSync(join(arch, 'index.json'), indexText({ format: 1, files }));
    // A copy in the bucket the local retention already dropped (opened before the backup's point file).
    const s3 = await s3For(ctx, s3Config());
    const old = Buffer.from('old binlog');
    await s3.ok({
      method: 'PUT',
      key: 'prod/shop/binlogs/20261207-010000-binlog.000001.zst',
      body: old,
      sha256: createHash('sha256').update(old).digest('hex'),
    });

    const s = { ...stackWith(s3Config()), installDir } as Stack;
    const r = (await uploadBinlogs(ctx, s, () => {}))!;
    expect(r.sent).toEqual(files.map((f) => f.stored));
    expect(r.pruned).toEqual(['20261207-010000-binlog.000001.zst']);
    for (const f of files)
      expect(get(`prod/shop/binlogs/${f.stored}`).stdout.equals(readFileSync(join(arch, f.stored))), f.stored).toBe(
        true,
      );
    expect(get('prod/shop/binlogs/20261207-010000-binlog.000001.zst').status).not.toBe(0);
    const index = JSON.parse(readFileSync(join(arch, 'index.json'), 'utf8')) as { files: ArchivedBinlog[] };
    expect(index.files.map((f) => f.remote)).toEqual([true, true]);
    // Never read as a backup of the bucket, and nothing sent twice.
    expect((await listRemote(s3, 'shop')).map((b) => b.id)).not.toContain('binlogs');
    expect((await uploadBinlogs(ctx, s, () => {}))!.sent).toEqual([]);
  });

  it("a wrong secret fails the upload with the file and the server's answer, recorded as a failed copy", async () => {
    const { dir, manifest } = backupDir('20260319-031500');
    const bad = join(work, 's3-bad.env');
    writeFileSync(bad, `AWS_ACCESS_KEY_ID=${KEY}\nAWS_SECRET_ACCESS_KEY=wrong-secret-value\n`, { mode: 0o600 });
    const ctx = context();
    const s = stackWith(s3Config({ credentialsFile: bad }));
    const err = await uploadBackup(ctx, s, dir, manifest, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WizardError);
    expect((err as WizardError).key).toBe('err.s3.uploadFailed');
    expect(ctx.t((err as WizardError).key, (err as WizardError).params)).toMatch(
      /upload of database\.sql\.zst to shop-backups failed: PUT .* HTTP 403 SignatureDoesNotMatch/,
    );
    expect(JSON.stringify((err as WizardError).params)).not.toContain('wrong-secret-value');
    const rec = JSON.parse(
      readFileSync(join(s.installDir, '.stack-wizard/remote.jsonl'), 'utf8').trim().split('\n').at(-1)!,
    ) as Record<string, unknown>;
    expect(rec).toMatchObject({
      id: '20260319-031500',
      ok: false,
      error: expect.stringMatching(/SignatureDoesNotMatch/),
    });
  });

  it('without keys it says where to put them (exit 2)', async () => {
    const { dir, manifest } = backupDir('20260320-031500');
    const err = (await uploadBackup(
      context(),
      stackWith(s3Config({ credentialsFile: undefined })),
      dir,
      manifest,
      () => {},
    ).catch((e: unknown) => e)) as WizardError;
    expect(err.key).toBe('err.s3.noCredentials');
    expect(err.exitCode).toBe(2);
  });

  it('backup s3 test: PUT, GET, DELETE and LIST with the keys; a wrong secret fails at PUT, a missing bucket too, each named', async () => {
    const ok = await s3Test(context(), s3Config(), 'shop');
    expect(ok.steps.map((x) => [x.step, x.ok])).toEqual([
      ['credentials', true],
      ['put', true],
      ['get', true],
      ['delete', true],
      ['list', true],
    ]);
    expect(ok.backups.filter((b) => b.complete).map((b) => b.id)).toEqual(['20260318-031500', '20260317-031500']);
    // The test object is gone again.
    expect(
      requests()
        .filter((l) => l.includes('.stack-wizard-test-'))
        .map((l) => l.split(' ')[0]),
    ).toEqual(expect.arrayContaining(['PUT', 'GET', 'DELETE']));
    const bad = join(work, 's3-bad2.env');
    writeFileSync(bad, `AWS_ACCESS_KEY_ID=${KEY}\nAWS_SECRET_ACCESS_KEY=nope\n`, { mode: 0o600 });
    const wrong = await s3Test(context(), s3Config({ credentialsFile: bad }), 'shop');
    expect(wrong.steps.map((x) => [x.step, x.ok])).toEqual([
      ['credentials', true],
      ['put', false],
    ]);
    expect(wrong.steps[1]!.detail).toMatch(/HTTP 403 SignatureDoesNotMatch/);
    const nob = await s3Test(context(), s3Config({ bucket: 'no-such-bucket' }), 'shop');
    expect(nob.steps.at(-1)).toMatchObject({
      step: 'put',
      ok: false,
      detail: expect.stringMatching(/HTTP 404 NoSuchBucket/),
    });
  });

  it('a download is checked against the manifest: identical files arrive, a changed object is refused and nothing is left', async () => {
    const ctx = context();
    const installDir = join(work, 'dl');
    const d = await downloadBackup(ctx, { project: 'shop', installDir, s3: s3Config() }, '20260318-031500', () => {});
    expect(readdirSync(d.dir).sort()).toEqual(['config.tar.zst', 'database.sql.zst', 'manifest.json']);
    expect(
      readFileSync(join(d.dir, 'database.sql.zst')).equals(get('prod/shop/20260318-031500/database.sql.zst').stdout),
    ).toBe(true);
    // Someone replaced the dump in the bucket: same size, another byte.
    const s3 = await s3For(ctx, s3Config());
    const orig = get('prod/shop/20260317-031500/database.sql.zst').stdout;
    const changed = Buffer.from(orig);
    changed[1000] = changed[1000]! ^ 0xff;
    await s3.ok({
      method: 'PUT',
      key: 'prod/shop/20260317-031500/database.sql.zst',
      body: changed,
      sha256: createHash('sha256').update(changed).digest('hex'),
    });
    const err = (await downloadBackup(
      ctx,
      { project: 'shop', installDir, s3: s3Config() },
      '20260317-031500',
      () => {},
    ).catch((e: unknown) => e)) as WizardError;
    expect(err.key).toBe('err.s3.downloadDamaged');
    expect(ctx.t(err.key, err.params)).toMatch(
      /backup 20260317-031500: database\.sql\.zst arrived as \d+ bytes with sha256 [0-9a-f]{64}, not the manifest's [0-9a-f]{64}/,
    );
    expect(existsSync(join(installDir, 'backups', '20260317-031500'))).toBe(false);
    expect(existsSync(join(installDir, 'backups', '20260317-031500.partial'))).toBe(false);
    // An ID the bucket does not have: the ones it has.
    const unknown = (await downloadBackup(
      ctx,
      { project: 'shop', installDir, s3: s3Config() },
      '20250101-000000',
      () => {},
    ).catch((e: unknown) => e)) as WizardError;
    expect(ctx.t(unknown.key, unknown.params)).toMatch(
      /has no complete backup 20250101-000000; it has: 20260318-031500, 20260317-031500/,
    );
  });
});

describe('virtual-hosted style by name, through the built CLI', () => {
  /** The CLI in a mount namespace whose /etc/hosts names the server: s3.lab.test and shop-backups.s3.lab.test. */
  function cli(args: string[]) {
    const hosts = join(work, 'hosts');
    writeFileSync(hosts, '127.0.0.1 localhost\n127.0.0.1 s3.lab.test shop-backups.s3.lab.test\n');
    const r = spawnSync(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        '--',
        'sh',
        '-c',
        'mount --bind "$0" /etc/hosts && exec "$@"',
        hosts,
        process.execPath,
        join(ROOT, 'bin/stack-wizard.js'),
        ...args,
      ],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, LANG: 'C.UTF-8', STACK_WIZARD_STATE_DIR: join(work, 'state') },
        timeout: 120_000,
      },
    );
    return { code: r.status, out: r.stdout, err: r.stderr };
  }
  function answers(name: string) {
    const a = AnswersSchema.parse({
      project: 'shop',
      app: { image: 'registry.example.com/shop/api:1.0' },
      installDir: join(work, name),
      backup: {
        schedule: 'off',
        s3: {
          endpoint: `http://s3.lab.test:${port}`,
          bucket: BUCKET,
          region: 'eu-central-1',
          prefix: 'prod/',
          credentialsFile: creds,
          addressing: 'virtual',
        },
      },
    });
    const file = join(work, `${name}.json`);
    writeFileSync(file, JSON.stringify(a));
    return file;
  }

  it('backup s3 test: every request goes to <bucket>.s3.lab.test with the key as the path', () => {
    const before = requests().length;
    const r = cli(['backup', 's3', 'test', '--answers', answers('vh')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^✓ PUT: http:\/\/shop-backups\.s3\.lab\.test:\d+\/prod\/shop\/\.stack-wizard-test-[0-9a-f]+ \(HTTP 200\)/m,
    );
    expect(r.out).toMatch(/^✓ GET: \d+ bytes, identical/m);
    expect(r.out).toMatch(/^✓ DELETE: HTTP (200|204)/m);
    expect(r.out).toMatch(/^✓ LIST backups: 2/m);
    expect(r.out).toMatch(/the bucket shop-backups works: write, read back, delete and list all succeeded/);
    const mine = requests().slice(before);
    expect(mine.length).toBe(4);
    for (const l of mine)
      expect(l).toMatch(
        new RegExp(
          `^(PUT|GET|DELETE) shop-backups\\.s3\\.lab\\.test:${port} /(prod/shop/\\.stack-wizard-test-[0-9a-f]+|\\?list-type=2&prefix=prod%2Fshop%2F)$`,
        ),
      );
  });

  it('restore --from-s3 on a server without the stack: fetches the backup by name, checks it, unpacks its configuration, then asks for --yes', () => {
    const file = answers('lost');
    const r = cli(['restore', '--from-s3', '20260318-031500', '--answers', file]);
    expect(r.code, r.err).toBe(2);
    expect(r.out).toMatch(
      /fetched backup 20260318-031500: 2 file\(s\), .*, each as in its manifest, into .*\/lost\/backups\/20260318-031500/,
    );
    expect(r.out).toMatch(/the stack's configuration was unpacked from the backup into .*\/lost \(2 file\(s\)/);
    expect(r.err).toMatch(
      /the stack is not installed here: with --yes, init rebuilds it from the backup's configuration and backup 20260318-031500 is restored into it/,
    );
    expect(readFileSync(join(work, 'lost', '.env'), 'utf8')).toBe('MYSQL_ROOT_PASSWORD=from-the-backup\n');
    expect(readdirSync(join(work, 'lost', 'backups', '20260318-031500')).sort()).toEqual([
      'config.tar.zst',
      'database.sql.zst',
      'manifest.json',
    ]);
    expect(readFileSync(join(work, 'lost', 'logs', 'stack-wizard.log'), 'utf8')).not.toContain(SECRET);
  });
});
