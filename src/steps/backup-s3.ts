// Off-site copies in an S3-compatible bucket (answers backup.s3): upload each backup (the manifest
// last, so a listing never shows a backup without one), check every object after it lands (its
// size and ETag from a HEAD; read back and hashed when the ETag proves nothing), prune the bucket
// to backup.s3.keep, download a backup for `restore --from-s3`, and `backup s3 test`.
//
// Requests are signed with AWS Signature V4 here (domain/s3.ts) and sent by exec/net.ts: the keys
// stay in this process (never on a command line), query strings (multipart's uploadId and
// partNumber) are signed as S3 canonicalises them, and virtual-hosted style (Aliyun OSS, Tencent
// COS) is one URL rule. Files up to MULTIPART_ABOVE go in one PUT whose body's SHA-256 (from the
// manifest) is signed, so S3 refuses a body damaged on the way; larger ones go in parts of 16 MiB
// or more, each hashed and signed, with S3's 5 GiB single-PUT limit never reached.
import { join } from 'node:path';
import type { Context } from '../context.js';
import { MANIFEST_FILE, PARTIAL_SUFFIX, parseManifest, type Manifest } from '../domain/backup.js';
import { appendJsonl, type RemoteRecord } from '../domain/backup-watch.js';
import { remoteBinlogVictims } from '../domain/binlog.js';
import {
  EMPTY_SHA256,
  binlogKey,
  binlogPrefix,
  completeXml,
  errorText,
  etagVerdict,
  objectKey,
  parseList,
  partRanges,
  projectPrefix,
  remoteBackups,
  remoteVictims,
  s3Url,
  sha256Hex,
  signV4,
  usesMultipart,
  xmlTexts,
  type ListedObject,
  type RemoteBackup,
  type S3Keys,
  type S3Target,
} from '../domain/s3.js';
import { parseDotenv } from '../domain/secrets.js';
import { http, readRange, NetError, type HttpResult } from '../exec/net.js';
import { opError, usageError } from '../errors.js';
import { HOST } from '../render/paths.js';
import { backupsDir, listBackups, oldestPoint, type Emit } from './backup.js';
import { binlogsDir, markRemote, readArchive } from './binlog-archive.js';
import type { Stack } from './stack-tools.js';
import { readSecretFile } from './secret-file.js';

export type { S3Target } from '../domain/s3.js';
export interface S3Config extends S3Target {
  credentialsFile?: string | undefined;
  keep?: number | undefined;
}

export async function credentials(ctx: Context, t: { credentialsFile?: string | undefined }): Promise<S3Keys> {
  let env: Record<string, string | undefined> = ctx.env;
  if (t.credentialsFile) {
    // Refused (exit 3) when another account could read it or choose it (secret-file.ts).
    const text = await readSecretFile(ctx, t.credentialsFile, 'backup.s3.credentialsFile');
    if (text === null) throw usageError('err.s3.credentialsFile', { file: t.credentialsFile });
    env = parseDotenv(text);
  }
  const key = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  if (!key || !secret) throw usageError('err.s3.noCredentials', { file: t.credentialsFile ?? '-' });
  ctx.exec.addSecrets([secret]);
  return { accessKeyId: key, secretAccessKey: secret };
}

/** The object URL of one backup file (path-style or virtual-hosted, as backup.s3.addressing says). */
export function objectUrl(t: S3Target, project: string, id: string, name: string): string {
  return s3Url(t, objectKey(t, project, id, name)).toString();
}

/** How S3 answered a request: the status, and S3's error code and message when it failed. */
export class S3Failure extends Error {
  constructor(
    readonly what: string,
    readonly status: number,
    readonly detail: string,
  ) {
    super(`${what}: ${status ? `HTTP ${status} ` : ''}${detail}`);
    this.name = 'S3Failure';
  }
}

interface Req {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  key: string;
  query?: Record<string, string>;
  body?: Buffer | { file: string; start: number; end: number };
  /** Hex SHA-256 of the body (signed). */
  sha256?: string;
  headers?: Record<string, string>;
  toFile?: string;
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A signed S3 request with retries on a network failure, 5xx and 429 (1, 3, 9 s apart). */
export class S3 {
  constructor(
    private readonly ctx: Context,
    readonly t: S3Target,
    private readonly keys: S3Keys,
  ) {}

  async send(r: Req): Promise<HttpResult> {
    const url = s3Url(this.t, r.key, r.query ?? {});
    const what = `${r.method} ${url.toString()}`;
    for (let attempt = 0; ; attempt++) {
      const headers = signV4(
        { method: r.method, url, headers: r.headers, payloadSha256: r.sha256 ?? EMPTY_SHA256 },
        this.keys,
        this.t.region,
        this.ctx.clock(),
      );
      let res: HttpResult | null = null;
      let err: Error | null = null;
      try {
        res = await http({
          method: r.method,
          url,
          headers,
          ...(r.body !== undefined ? { body: r.body } : {}),
          ...(r.toFile ? { toFile: r.toFile } : {}),
          timeoutMs: r.timeoutMs ?? 120_000,
        });
      } catch (e) {
        if (!(e instanceof NetError)) throw e;
        err = e;
      }
      const retry = err !== null || (res !== null && (res.status >= 500 || res.status === 429));
      if (retry && attempt < 3) {
        this.ctx.exec.note(`${what}: ${err ? err.message : `HTTP ${res!.status}`}; retrying`);
        await sleep(1000 * 3 ** attempt);
        continue;
      }
      if (err) throw new S3Failure(what, 0, err.message);
      return res!;
    }
  }

  /** A request that must succeed (2xx), else S3Failure with S3's own words. */
  async ok(r: Req): Promise<HttpResult> {
    const res = await this.send(r);
    if (res.status < 200 || res.status > 299)
      throw new S3Failure(
        `${r.method} ${s3Url(this.t, r.key, r.query ?? {}).toString()}`,
        res.status,
        errorText(res.body.toString('utf8')) || '(no body)',
      );
    return res;
  }

  /** Every object under a prefix (ListObjectsV2, page by page). */
  async list(prefix: string): Promise<ListedObject[]> {
    const out: ListedObject[] = [];
    let token: string | null = null;
    do {
      const query: Record<string, string> = {
        'list-type': '2',
        prefix,
        ...(token ? { 'continuation-token': token } : {}),
      };
      const page = parseList((await this.ok({ method: 'GET', key: '', query })).body.toString('utf8'));
      out.push(...page.objects);
      token = page.next;
    } while (token);
    return out;
  }
}

export async function s3For(ctx: Context, t: S3Config): Promise<S3> {
  return new S3(ctx, t, await credentials(ctx, t));
}

// ---------------------------------------------------------------- upload

export interface UploadOptions {
  /** Files above this many bytes go in parts (default MULTIPART_ABOVE; always beyond 5 GiB). */
  multipartAbove?: number;
  partBytes?: number;
}

interface Landed {
  key: string;
  bytes: number;
  check: 'etag' | 'read-back';
}

/** Sends one file: a signed single PUT, or a multipart upload (aborted when a part fails). */
async function putFile(
  ctx: Context,
  s3: S3,
  key: string,
  file: string,
  size: number,
  sha256: string,
  o: UploadOptions,
  emit: Emit,
  label: string,
): Promise<{ md5: string; partMd5s: string[] }> {
  if (!usesMultipart(size, o.multipartAbove)) {
    const r = await ctx.exec.effect(
      'send',
      `PUT ${s3Url(s3.t, key)} (${size} bytes, sha256 ${sha256})`,
      () => s3.ok({ method: 'PUT', key, body: { file, start: 0, end: size }, sha256, timeoutMs: 7_200_000 }),
      null,
    );
    return { md5: r?.md5Out ?? '', partMd5s: [] };
  }
  const ranges = partRanges(size, o.partBytes);
  const init = await ctx.exec.effect(
    'send',
    `POST ${s3Url(s3.t, key, { uploads: '' })} (multipart, ${ranges.length} parts)`,
    () => s3.ok({ method: 'POST', key, query: { uploads: '' } }),
    null,
  );
  if (!init) return { md5: '', partMd5s: [] };
  const uploadId = xmlTexts(init.body.toString('utf8'), 'UploadId')[0];
  if (!uploadId) throw new S3Failure(`POST ${key}?uploads`, init.status, 'no UploadId in the answer');
  const parts: { number: number; etag: string }[] = [];
  const partMd5s: string[] = [];
  try {
    for (const [i, r] of ranges.entries()) {
      const data = await readRange(file, r.start, r.end);
      const res = await ctx.exec.effect(
        'send',
        `PUT part ${i + 1}/${ranges.length} of ${key} (${data.length} bytes)`,
        () =>
          s3.ok({
            method: 'PUT',
            key,
            query: { partNumber: String(i + 1), uploadId },
            body: data,
            sha256: sha256Hex(data),
            timeoutMs: 600_000,
          }),
        null,
      );
      const etag = (res?.headers.etag ?? '').replace(/"/g, '');
      parts.push({ number: i + 1, etag });
      partMd5s.push(res?.md5Out ?? '');
      emit({ kind: 'progress', item: label, fraction: r.end / size, text: `${label}: part ${i + 1}/${ranges.length}` });
    }
    const xml = completeXml(parts);
    const done = await ctx.exec.effect(
      'send',
      `POST ${key}?uploadId (complete ${parts.length} parts)`,
      () => s3.ok({ method: 'POST', key, query: { uploadId }, body: Buffer.from(xml), sha256: sha256Hex(xml) }),
      null,
    );
    // CompleteMultipartUpload can fail inside a 200 answer (S3 documents this): its body says so.
    if (done && /<Error>/.test(done.body.toString('utf8')))
      throw new S3Failure(`POST ${key}?uploadId`, done.status, errorText(done.body.toString('utf8')));
  } catch (e) {
    await s3.send({ method: 'DELETE', key, query: { uploadId } }).catch(() => undefined);
    throw e;
  }
  return { md5: '', partMd5s };
}

/**
 * The object as stored: HEAD must report our size, and an ETag that is the MD5 we sent (or the
 * multipart form of it); an ETag that proves nothing (encryption at rest) has the object read back
 * and hashed against the manifest's SHA-256.
 */
async function checkLanded(
  s3: S3,
  key: string,
  size: number,
  sha256: string,
  sent: { md5: string; partMd5s: string[] },
): Promise<Landed['check']> {
  const head = await s3.ok({ method: 'HEAD', key });
  const len = Number(head.headers['content-length'] ?? -1);
  if (len !== size) throw new S3Failure(`HEAD ${key}`, head.status, `size ${len}, expected ${size}`);
  const v = etagVerdict(head.headers.etag ?? '', sent.md5, sent.partMd5s);
  if (v === 'match') return 'etag';
  if (v === 'mismatch' && sent.partMd5s.length === 0)
    throw new S3Failure(
      `HEAD ${key}`,
      head.status,
      `ETag ${head.headers.etag} is not the MD5 of what was sent (${sent.md5})`,
    );
  const got = await s3.ok({ method: 'GET', key, timeoutMs: 7_200_000, toFile: undefined });
  if (got.bytesIn !== size || got.sha256In !== sha256)
    throw new S3Failure(
      `GET ${key}`,
      got.status,
      `read back ${got.bytesIn} bytes with sha256 ${got.sha256In}, expected ${size} and ${sha256}`,
    );
  return 'read-back';
}

export interface UploadResult {
  urls: string[];
  bytes: number;
  pruned: string[];
  checks: Landed[];
}

const remoteLog = (installDir: string) => join(installDir, HOST.remoteLog);

async function recordRemote(ctx: Context, installDir: string, r: RemoteRecord): Promise<void> {
  const path = remoteLog(installDir);
  const old = await ctx.exec.readFile(path).catch(() => null);
  await ctx.exec.writeFiles([{ path, content: appendJsonl(old, r), mode: 0o600 }]);
}

/**
 * Uploads every file of a backup and then its manifest, checks each object, then prunes the bucket
 * to backup.s3.keep (default backup.keep). The outcome is recorded in .stack-wizard/remote.jsonl
 * (status, doctor and the dead-man's switch read it); a failure throws err.s3.uploadFailed.
 */
export async function uploadBackup(
  ctx: Context,
  s: Stack,
  dir: string,
  m: Manifest,
  emit: Emit,
  o: UploadOptions = {},
): Promise<UploadResult | null> {
  const t = s.prepared.answers.backup.s3 as S3Config | undefined;
  if (!t) return null;
  const t0 = Date.now();
  const at = ctx.clock().toISOString();
  const s3 = await s3For(ctx, t);
  const manifestHash = await ctx.exec.hashFile(join(dir, MANIFEST_FILE));
  const files = [
    ...m.files.map((f) => ({ name: f.name, bytes: f.bytes, sha256: f.sha256 })),
    { name: MANIFEST_FILE, bytes: manifestHash.bytes, sha256: manifestHash.sha256 },
  ];
  const out: UploadResult = { urls: [], bytes: 0, pruned: [], checks: [] };
  try {
    for (const f of files) {
      const key = objectKey(t, s.project, m.id, f.name);
      const url = s3Url(t, key).toString();
      emit({ kind: 'output', text: ctx.t('s3.uploading', { name: f.name, url }) });
      const sent = await putFile(ctx, s3, key, join(dir, f.name), f.bytes, f.sha256, o, emit, f.name);
      if (!ctx.exec.dryRun) {
        const check = await checkLanded(s3, key, f.bytes, f.sha256, sent);
        out.checks.push({ key, bytes: f.bytes, check });
        ctx.exec.note(`s3: ${key} landed: ${f.bytes} bytes, checked by ${check}`);
      }
      out.urls.push(url);
      out.bytes += f.bytes;
    }
    if (!ctx.exec.dryRun)
      out.pruned = await pruneRemote(ctx, s3, s.project, t.keep ?? s.prepared.plan.backup.keep, new Set([m.id]));
  } catch (e) {
    const reason = ctx.exec
      .redact(e instanceof Error ? e.message : String(e))
      .replace(/\s+/g, ' ')
      .slice(0, 400);
    await recordRemote(ctx, s.installDir, {
      at,
      id: m.id,
      ok: false,
      bucket: t.bucket,
      files: out.urls.length,
      bytes: out.bytes,
      durationMs: Date.now() - t0,
      pruned: [],
      error: reason,
    });
    throw opError('err.s3.uploadFailed', {
      name: out.urls.length < files.length ? files[out.urls.length]!.name : '-',
      url: t.bucket,
      reason,
    });
  }
  if (!ctx.exec.dryRun)
    await recordRemote(ctx, s.installDir, {
      at,
      id: m.id,
      ok: true,
      bucket: t.bucket,
      files: out.urls.length,
      bytes: out.bytes,
      durationMs: Date.now() - t0,
      pruned: out.pruned,
      error: null,
    });
  return out;
}

// ---------------------------------------------------------------- the binary log archive

/**
 * Copies the archived binary logs not in the bucket yet to <prefix><project>/binlogs/ (each checked
 * as a backup file is), marks them in the archive's index, then removes from the bucket the files
 * the local archive's retention removed too (opened before the oldest backup's point file). Null
 * when no bucket is configured.
 */
export async function uploadBinlogs(ctx: Context, s: Stack, emit: Emit, o: UploadOptions = {}): Promise<{ sent: string[]; bytes: number; pruned: string[] } | null> {
  const t = s.prepared.answers.backup.s3 as S3Config | undefined;
  if (!t) return null;
  const index = await readArchive(ctx, s.installDir);
  const todo = index.files.filter((f) => !f.remote);
  const s3 = await s3For(ctx, t);
  const out = { sent: [] as string[], bytes: 0, pruned: [] as string[] };
  try {
    for (const f of todo) {
      const key = binlogKey(t, s.project, f.stored);
      const sent = await putFile(ctx, s3, key, join(binlogsDir(s.installDir), f.stored), f.bytes, f.sha256, o, emit, f.stored);
      if (!ctx.exec.dryRun) await checkLanded(s3, key, f.bytes, f.sha256, sent);
      out.sent.push(f.stored);
      out.bytes += f.bytes;
    }
    if (!ctx.exec.dryRun) {
      const prefix = binlogPrefix(t, s.project);
      const stored = (await s3.list(prefix)).map((x) => x.key.slice(prefix.length)).filter((n) => n && !n.includes('/'));
      for (const n of remoteBinlogVictims(stored, oldestPoint(await listBackups(ctx, s.installDir)))) {
        const key = binlogKey(t, s.project, n);
        await ctx.exec.effect('send', `DELETE ${s3Url(s3.t, key)}`, () => s3.ok({ method: 'DELETE', key }), null);
        out.pruned.push(n);
      }
    }
  } catch (e) {
    // What landed is marked, so the next run sends only the rest.
    await markRemote(ctx, s.installDir, out.sent);
    throw opError('err.s3.uploadFailed', {
      name: todo[out.sent.length]?.stored ?? '-',
      url: t.bucket,
      reason: ctx.exec.redact(e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').slice(0, 400),
    });
  }
  if (!ctx.exec.dryRun) await markRemote(ctx, s.installDir, out.sent);
  return out;
}

// ---------------------------------------------------------------- the bucket's backups

export async function listRemote(s3: S3, project: string): Promise<RemoteBackup[]> {
  const prefix = projectPrefix(s3.t, project);
  return remoteBackups(await s3.list(prefix), prefix);
}

/** Deletes remote backups beyond `keep` (and broken uploads older than the newest complete one); their IDs. */
export async function pruneRemote(
  ctx: Context,
  s3: S3,
  project: string,
  keep: number,
  protect: ReadonlySet<string>,
): Promise<string[]> {
  const victims = remoteVictims(await listRemote(s3, project), keep, protect);
  for (const b of victims) {
    // The manifest first: a backup half deleted then looks incomplete, never whole.
    const keys = [...b.keys].sort(
      (a, c) => Number(c.endsWith(`/${MANIFEST_FILE}`)) - Number(a.endsWith(`/${MANIFEST_FILE}`)),
    );
    for (const key of keys)
      await ctx.exec.effect('send', `DELETE ${s3Url(s3.t, key)}`, () => s3.ok({ method: 'DELETE', key }), null);
  }
  return victims.map((b) => b.id);
}

// ---------------------------------------------------------------- download (restore --from-s3)

/**
 * Fetches backup `id` from the bucket into <installDir>/backups/<id>: the manifest first, then
 * each file it names, each hashed as it streams in and refused unless it is the manifest's size and
 * SHA-256. Written as <id>.partial and renamed when whole, as a local backup is.
 */
export async function downloadBackup(
  ctx: Context,
  s: { project: string; installDir: string; s3: S3Config },
  id: string,
  emit: Emit,
): Promise<{ dir: string; manifest: Manifest }> {
  const s3 = await s3For(ctx, s.s3);
  const dir = backupsDir(s.installDir);
  const final = join(dir, id);
  if (await ctx.exec.exists(join(final, MANIFEST_FILE))) throw usageError('err.s3.alreadyLocal', { id, dir: final });
  const mkey = objectKey(s.s3, s.project, id, MANIFEST_FILE);
  const mres = await s3.send({ method: 'GET', key: mkey });
  if (mres.status === 404) {
    const known = (await listRemote(s3, s.project)).filter((b) => b.complete).map((b) => b.id);
    throw usageError('err.s3.unknownId', { id, bucket: s.s3.bucket, known: known.slice(0, 10).join(', ') || '-' });
  }
  if (mres.status !== 200) throw new S3Failure(`GET ${mkey}`, mres.status, errorText(mres.body.toString('utf8')));
  const p = parseManifest(mres.body.toString('utf8'));
  if ('error' in p) throw opError('err.bk.badManifest', { id, reason: p.error });
  const manifest = p.manifest;
  if (p.manifest.id !== id || p.manifest.project !== s.project)
    throw opError('err.bk.badManifest', { id, reason: `manifest names ${p.manifest.project}/${p.manifest.id}` });
  const partial = join(dir, id + PARTIAL_SUFFIX);
  await ctx.exec.mkdir(dir, 0o700);
  await ctx.exec.remove(partial);
  await ctx.exec.mkdir(partial, 0o700);
  try {
    await fetchFiles();
  } catch (e) {
    // Nothing half downloaded is left to be mistaken for a backup.
    await ctx.exec.remove(partial);
    throw e;
  }
  await ctx.exec.writeFiles([{ path: join(partial, MANIFEST_FILE), content: mres.body, mode: 0o600 }]);
  await ctx.exec.run('mv', ['-T', partial, final]);
  return { dir: final, manifest: p.manifest };

  async function fetchFiles(): Promise<void> {
    for (const f of manifest.files) {
      const key = objectKey(s.s3, s.project, id, f.name);
      emit({ kind: 'output', text: ctx.t('s3.downloading', { name: f.name, size: f.bytes }) });
      const got = await ctx.exec.effect(
        'write',
        `GET ${s3Url(s.s3, key)} → ${join(partial, f.name)}`,
        () => s3.ok({ method: 'GET', key, toFile: join(partial, f.name), timeoutMs: 7_200_000 }),
        null,
      );
      if (got && (got.bytesIn !== f.bytes || got.sha256In !== f.sha256)) {
        throw opError('err.s3.downloadDamaged', {
          id,
          name: f.name,
          bytes: got.bytesIn,
          sha256: got.sha256In,
          expected: f.sha256,
        });
      }
    }
  }
}

// ---------------------------------------------------------------- backup s3 test

export interface S3TestStep {
  step: 'credentials' | 'put' | 'get' | 'delete' | 'list';
  ok: boolean;
  detail: string;
  ms: number;
}

/**
 * A real round trip with the configured keys: PUT a small object under the project's prefix, GET it
 * back byte for byte, DELETE it, then LIST the project's backups. Stops at the first step that fails.
 */
export async function s3Test(
  ctx: Context,
  t: S3Config,
  project: string,
): Promise<{ steps: S3TestStep[]; ok: boolean; backups: RemoteBackup[] }> {
  const steps: S3TestStep[] = [];
  const timed = async (step: S3TestStep['step'], fn: () => Promise<string>): Promise<boolean> => {
    const t0 = Date.now();
    try {
      steps.push({ step, ok: true, detail: await fn(), ms: Date.now() - t0 });
      return true;
    } catch (e) {
      steps.push({
        step,
        ok: false,
        detail: ctx.exec.redact(e instanceof Error ? e.message : String(e)),
        ms: Date.now() - t0,
      });
      return false;
    }
  };
  let s3: S3 | null = null;
  if (!(await timed('credentials', async () => ((s3 = await s3For(ctx, t)), `${t.credentialsFile ?? 'environment'}`))))
    return { steps, ok: false, backups: [] };
  const key = `${projectPrefix(t, project)}.stack-wizard-test-${Buffer.from(ctx.random(6)).toString('hex')}`;
  const body = Buffer.from(`stack-wizard s3 test ${ctx.clock().toISOString()}\n`);
  const sum = sha256Hex(body);
  const c = s3!;
  const ok =
    (await timed(
      'put',
      async () =>
        `${s3Url(t, key)} (HTTP ${(await ctx.exec.effect('send', `PUT ${s3Url(t, key)}`, () => c.ok({ method: 'PUT', key, body, sha256: sum }), null))?.status ?? '-'})`,
    )) &&
    (await timed('get', async () => {
      const r = await c.ok({ method: 'GET', key });
      if (!r.body.equals(body))
        throw new Error(`read back ${r.body.length} bytes that differ from the ${body.length} written`);
      return `${r.body.length} bytes, identical`;
    })) &&
    (await timed(
      'delete',
      async () =>
        `HTTP ${(await ctx.exec.effect('send', `DELETE ${s3Url(t, key)}`, () => c.ok({ method: 'DELETE', key }), null))?.status ?? '-'}`,
    ));
  let backups: RemoteBackup[] = [];
  const listed =
    ok &&
    (await timed(
      'list',
      async () => ((backups = await listRemote(c, project)), `${backups.filter((b) => b.complete).length}`),
    ));
  return { steps, ok: ok && listed, backups };
}
