// The optional copy of each backup to an S3-compatible bucket (answers backup.s3): curl with AWS
// Signature V4 (--aws-sigv4, curl ≥ 7.75; Debian 12 has 7.88), path-style URLs (MinIO, Ceph,
// Aliyun OSS and AWS accept them). The keys come from backup.s3.credentialsFile or the environment
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and reach curl on its stdin as a config file, never
// on a command line. One PUT per file: objects up to 5 GiB (S3's single-PUT limit).
import { join } from 'node:path';
import type { Context } from '../context.js';
import { MANIFEST_FILE, type Manifest } from '../domain/backup.js';
import { parseDotenv } from '../domain/secrets.js';
import { opError, usageError } from '../errors.js';
import type { Emit } from './backup.js';
import type { Stack } from './stack-tools.js';
import { readSecretFile } from './secret-file.js';

export interface S3Target { endpoint: string; bucket: string; region: string; prefix: string; credentialsFile?: string | undefined }

async function credentials(ctx: Context, t: S3Target): Promise<{ key: string; secret: string }> {
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
  return { key, secret };
}

/** The object URL of one backup file: <endpoint>/<bucket>/<prefix><project>/<id>/<name>. */
export function objectUrl(t: S3Target, project: string, id: string, name: string): string {
  const prefix = t.prefix && !t.prefix.endsWith('/') ? `${t.prefix}/` : t.prefix;
  const path = `${prefix}${project}/${id}/${name}`.split('/').map(encodeURIComponent).join('/');
  return `${t.endpoint.replace(/\/+$/, '')}/${t.bucket}/${path}`;
}

/** curl's config-file syntax for a quoted value. */
const curlQuote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Uploads every file of a backup, the manifest last (so a listing never shows a backup without one). */
export async function uploadBackup(ctx: Context, s: Stack, dir: string, m: Manifest, emit: Emit): Promise<string[]> {
  const t = s.prepared.answers.backup.s3;
  if (!t) return [];
  const { key, secret } = await credentials(ctx, t);
  const urls: string[] = [];
  const manifestSum = (await ctx.exec.hashFile(join(dir, MANIFEST_FILE))).sha256;
  for (const [name, sum] of [...m.files.map((f) => [f.name, f.sha256] as const), [MANIFEST_FILE, manifestSum] as const]) {
    const url = objectUrl(t, s.project, m.id, name);
    emit({ kind: 'output', text: ctx.t('s3.uploading', { name, url }) });
    // The payload's SHA-256 (from the manifest) is signed: S3 refuses a body that does not match
    // it, so a file damaged on the way never lands. (S3 wants this header on every SigV4 request;
    // curl 7.88 does not add it by itself, and signs it when given.)
    const r = await ctx.exec.run(
      'curl',
      ['--fail-with-body', '-sS', '--retry', '3', '--max-time', '7200', '--aws-sigv4', `aws:amz:${t.region}:s3`, '-K', '-', '-H', `x-amz-content-sha256: ${sum}`, '-T', join(dir, name), url],
      { input: `user = ${curlQuote(`${key}:${secret}`)}\n`, timeoutMs: 7_300_000, check: false },
    );
    if (r.exitCode !== 0) throw opError('err.s3.uploadFailed', { name, url, reason: ctx.exec.redact(`${r.stderr} ${r.stdout}`.replace(/\s+/g, ' ').trim().slice(0, 400)) });
    urls.push(url);
  }
  return urls;
}
