// S3 as data: where an object lives (path-style or virtual-hosted), AWS Signature V4 for a request,
// the XML answers we read (ListObjectsV2, InitiateMultipartUpload, errors), how an upload is cut
// into parts, whether a stored object's ETag proves its bytes, and which remote backups retention
// removes. Pure: exec/net.ts sends what these build.
import { createHash, createHmac } from 'node:crypto';
import { isBackupId } from './backup.js';

export interface S3Target {
  endpoint: string;
  bucket: string;
  region: string;
  prefix: string;
  addressing?: 'auto' | 'path' | 'virtual' | undefined;
}

export interface S3Keys {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Virtual-hosted style for the providers that want it (Aliyun OSS and Tencent COS refuse path style
 * for buckets created since 2020–2024; AWS is retiring it), path style for the rest (MinIO, Ceph,
 * an address literal). A bucket with dots cannot be virtual-hosted over TLS (the wildcard
 * certificate covers one label), so it stays path-style under auto.
 */
export function addressingOf(t: S3Target): 'path' | 'virtual' {
  if (t.addressing === 'path' || t.addressing === 'virtual') return t.addressing;
  const host = new URL(t.endpoint).hostname;
  if (t.bucket.includes('.')) return 'path';
  return /(^|\.)(amazonaws\.com|amazonaws\.com\.cn|aliyuncs\.com|myqcloud\.com)$/.test(host) ? 'virtual' : 'path';
}

/** RFC 3986 percent-encoding as SigV4 wants it (only A–Z a–z 0–9 - _ . ~ kept). */
export const uriEncode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The key prefix of a project's backups: `<prefix><project>/` (a prefix without its slash gets one). */
export function projectPrefix(t: Pick<S3Target, 'prefix'>, project: string): string {
  const p = t.prefix && !t.prefix.endsWith('/') ? `${t.prefix}/` : t.prefix;
  return `${p}${project}/`;
}

export const objectKey = (t: Pick<S3Target, 'prefix'>, project: string, id: string, name: string) =>
  `${projectPrefix(t, project)}${id}/${name}`;

/** Where the binary log archive goes in the bucket: beside the backups, never read as one (not an ID). */
export const binlogPrefix = (t: Pick<S3Target, 'prefix'>, project: string) => `${projectPrefix(t, project)}binlogs/`;
export const binlogKey = (t: Pick<S3Target, 'prefix'>, project: string, stored: string) => `${binlogPrefix(t, project)}${stored}`;

/** The URL of a key (or of the bucket, key ''), with the query given (already ordered as sent). */
export function s3Url(t: S3Target, key: string, query: Record<string, string> = {}): URL {
  const e = new URL(t.endpoint);
  const base = e.pathname.replace(/\/+$/, '');
  const encKey = key.split('/').map(uriEncode).join('/');
  const u = new URL(e.origin);
  if (addressingOf(t) === 'virtual') {
    u.hostname = `${t.bucket}.${e.hostname}`;
    u.pathname = `${base}/${encKey}`;
  } else {
    u.pathname = `${base}/${t.bucket}${key ? `/${encKey}` : ''}`;
  }
  const q = Object.entries(query)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`)
    .join('&');
  u.search = q;
  return u;
}

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
export const EMPTY_SHA256 = sha256Hex('');

const amzDate = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/**
 * The headers that sign a request with AWS Signature V4 (host, x-amz-date, x-amz-content-sha256
 * and the extra headers given, all signed). `payloadSha256`: the body's hex SHA-256.
 */
export function signV4(
  r: { method: string; url: URL; headers?: Record<string, string>; payloadSha256: string },
  keys: S3Keys,
  region: string,
  now: Date,
): Record<string, string> {
  const date = amzDate(now);
  const day = date.slice(0, 8);
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v.trim()])),
  };
  headers.host = r.url.host;
  headers['x-amz-date'] = date;
  headers['x-amz-content-sha256'] = r.payloadSha256;
  const names = Object.keys(headers).sort();
  const canonicalQuery = r.url.search
    .slice(1)
    .split('&')
    .filter(Boolean)
    .map((kv) => (kv.includes('=') ? kv : `${kv}=`))
    .sort()
    .join('&');
  const canonical = [
    r.method,
    r.url.pathname || '/',
    canonicalQuery,
    ...names.map((n) => `${n}:${headers[n]!.replace(/\s+/g, ' ')}`),
    '',
    names.join(';'),
    r.payloadSha256,
  ].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonical)].join('\n');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
  const kSigning = hmac(hmac(hmac(hmac(`AWS4${keys.secretAccessKey}`, day), region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', kSigning).update(toSign, 'utf8').digest('hex');
  const { host: _host, ...rest } = headers;
  return {
    ...rest,
    authorization: `AWS4-HMAC-SHA256 Credential=${keys.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

// ---------------------------------------------------------------- XML answers

const unescapeXml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');

/** Every `<tag>…</tag>` text directly inside `xml` (no nesting of the same tag in what S3 sends). */
export function xmlTexts(xml: string, tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g');
  for (let m = re.exec(xml); m; m = re.exec(xml)) out.push(unescapeXml(m[1]!));
  return out;
}

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
}

/** A ListObjectsV2 page: its objects and the token of the next page (null on the last). */
export function parseList(xml: string): { objects: ListedObject[]; next: string | null } {
  const objects = xmlTexts(xml, 'Contents').map((c) => ({
    key: xmlTexts(c, 'Key')[0] ?? '',
    size: Number(xmlTexts(c, 'Size')[0] ?? 0),
    etag: (xmlTexts(c, 'ETag')[0] ?? '').replace(/"/g, ''),
  }));
  const truncated = xmlTexts(xml, 'IsTruncated')[0] === 'true';
  return { objects, next: truncated ? (xmlTexts(xml, 'NextContinuationToken')[0] ?? null) : null };
}

/** S3's error document as "Code: Message". */
export function errorText(xml: string): string {
  const code = xmlTexts(xml, 'Code')[0];
  const message = xmlTexts(xml, 'Message')[0];
  return code ? `${code}${message ? `: ${message}` : ''}` : xml.replace(/\s+/g, ' ').trim().slice(0, 200);
}

// ---------------------------------------------------------------- uploads

/** S3's limits: one PUT up to 5 GiB, at most 10,000 parts of at least 5 MiB (the last may be smaller). */
export const SINGLE_PUT_MAX = 5 * 1024 ** 3;
export const MAX_PARTS = 10_000;
export const MIN_PART = 5 * 1024 ** 2;

/**
 * When an upload goes in parts: always beyond S3's 5 GiB limit, and from 256 MiB, so a dropped
 * connection costs one part (16 MiB) again rather than the whole file.
 */
export const MULTIPART_ABOVE = 256 * 1024 ** 2;
export const PART_BYTES = 16 * 1024 ** 2;

/** Byte ranges of the parts of a `size`-byte file: `partBytes` each, grown to stay within 10,000 parts. */
export function partRanges(size: number, partBytes = PART_BYTES): { start: number; end: number }[] {
  const per = Math.max(partBytes, Math.ceil(size / MAX_PARTS));
  const out = [];
  for (let start = 0; start < size; start += per) out.push({ start, end: Math.min(size, start + per) });
  return out.length ? out : [{ start: 0, end: 0 }];
}

export const usesMultipart = (size: number, above = MULTIPART_ABOVE) => size > Math.min(above, SINGLE_PUT_MAX);

export function completeXml(parts: readonly { number: number; etag: string }[]): string {
  return `<CompleteMultipartUpload>${parts.map((p) => `<Part><PartNumber>${p.number}</PartNumber><ETag>"${p.etag}"</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
}

/**
 * Whether the ETag S3 reports proves the stored bytes are ours: the MD5 of the whole object (one
 * PUT; some servers for multipart too), or MD5 of the parts' MD5s with "-N" (S3, MinIO, OSS, COS
 * for multipart). Anything else (SSE-KMS, a server of its own) proves nothing: read it back.
 */
export function etagVerdict(etag: string, md5: string, partMd5s: readonly string[]): 'match' | 'mismatch' | 'unknown' {
  const e = etag.replace(/"/g, '').toLowerCase();
  if (e === md5) return 'match';
  if (partMd5s.length > 0) {
    const multi = `${createHash('md5')
      .update(Buffer.concat(partMd5s.map((h) => Buffer.from(h, 'hex'))))
      .digest('hex')}-${partMd5s.length}`;
    if (e === multi) return 'match';
  }
  if (/^[0-9a-f]{32}$/.test(e)) return 'mismatch';
  if (/^[0-9a-f]{32}-\d+$/.test(e)) return partMd5s.length > 0 ? 'mismatch' : 'unknown';
  return 'unknown';
}

// ---------------------------------------------------------------- remote backups

export interface RemoteBackup {
  id: string;
  keys: string[];
  bytes: number;
  complete: boolean;
}

/** A project's objects grouped by backup ID; complete when its manifest is there (uploaded last). */
export function remoteBackups(objects: readonly ListedObject[], projectPrefixText: string): RemoteBackup[] {
  const by = new Map<string, RemoteBackup>();
  for (const o of objects) {
    if (!o.key.startsWith(projectPrefixText)) continue;
    const [id, ...rest] = o.key.slice(projectPrefixText.length).split('/');
    if (!id || !isBackupId(id) || rest.length === 0) continue;
    const b = by.get(id) ?? { id, keys: [], bytes: 0, complete: false };
    b.keys.push(o.key);
    b.bytes += o.size;
    if (rest.join('/') === 'manifest.json') b.complete = true;
    by.set(id, b);
  }
  return [...by.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/**
 * Remote backups retention deletes: all but the `keep` newest complete ones (IDs sort by time), and
 * an incomplete one (an upload that broke) once a newer complete backup exists. `protect` (the one
 * just uploaded) is never deleted.
 */
export function remoteVictims(
  list: readonly RemoteBackup[],
  keep: number,
  protect: ReadonlySet<string> = new Set(),
): RemoteBackup[] {
  const complete = list.filter((b) => b.complete);
  const kept = new Set(complete.slice(0, Math.max(1, keep)).map((b) => b.id));
  const newest = complete[0]?.id ?? '';
  return list.filter((b) => !protect.has(b.id) && !kept.has(b.id) && (b.complete || b.id < newest));
}
