// Real registries for the registry-protocol tests: Debian's docker-registry (Distribution 2.8) run
// directly on loopback with a config per instance (open, token-authenticated, pull-through), a token
// service as Docker Hub's (./token-server.mjs), nginx in front of them playing mirror personalities,
// and images crafted and pushed through the registry API: OCI indexes for linux/amd64 and
// linux/arm64, each with real gzip'd tar layers and a config whose diff_ids match, so a real Engine
// pulls and verifies them too.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { freePort, runSync } from '../../support/proc.js';

export const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

// ---------------------------------------------------------------- images

export interface Blob { digest: string; bytes: Buffer; mediaType: string }
export interface CraftedPlatform { arch: string; manifest: Blob; config: Blob; layers: Blob[] }
export interface CraftedImage { index: Blob; platforms: CraftedPlatform[] }

/** A ustar archive of regular files (what a layer is before gzip). */
function tar(files: Record<string, Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const h = Buffer.alloc(512);
    const field = (off: number, len: number, v: string) => h.write(v, off, len, 'utf8');
    const octal = (off: number, len: number, n: number) => field(off, len, `${n.toString(8).padStart(len - 1, '0')}\0`);
    field(0, 100, name);
    octal(100, 8, 0o755);
    octal(108, 8, 0);
    octal(116, 8, 0);
    octal(124, 12, content.length);
    octal(136, 12, 1_700_000_000);
    h.fill(' ', 148, 156);
    field(156, 1, '0');
    field(257, 6, 'ustar\0');
    field(263, 2, '00');
    let sum = 0;
    for (const b of h) sum += b;
    field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
    parts.push(h, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const json = (o: unknown) => Buffer.from(JSON.stringify(o));
const blob = (bytes: Buffer, mediaType: string): Blob => ({ digest: sha256(bytes), bytes, mediaType });
const desc = (b: Blob, extra: Record<string, unknown> = {}) => ({ mediaType: b.mediaType, digest: b.digest, size: b.bytes.length, ...extra });

/**
 * An image as the official ones are published: an OCI index of one manifest per platform, each with
 * a small layer and a large one (`largeBytes` of random data: gzip cannot shrink it, so a Range read
 * of its first MiB moves a real MiB). `seed` makes a different image under the same name (stale).
 */
export function craftImage(name: string, o: { seed?: string; largeBytes?: number; archs?: string[] } = {}): CraftedImage {
  const seed = o.seed ?? 'v1';
  const platforms = (o.archs ?? ['amd64', 'arm64']).map((arch): CraftedPlatform => {
    const note = Buffer.from(`${name} ${seed} ${arch}\n`);
    const small = tar({ 'etc/image-id': note });
    const large = tar({ 'payload.bin': randomBytes(o.largeBytes ?? 1536 * 1024) });
    const layers = [small, large].map((t) => ({ tar: t, gz: blob(gzipSync(t, { level: 1 }), 'application/vnd.oci.image.layer.v1.tar+gzip') }));
    const config = blob(
      json({
        architecture: arch, os: 'linux', ...(arch === 'arm64' ? { variant: 'v8' } : {}),
        config: { Cmd: ['/bin/true'], Labels: { 'org.stack-wizard.test': `${name} ${seed}` } },
        rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256(l.tar)) },
        history: layers.map(() => ({ created_by: 'registry-lab' })),
      }),
      'application/vnd.oci.image.config.v1+json',
    );
    const manifest = blob(
      json({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: desc(config), layers: layers.map((l) => desc(l.gz)) }),
      'application/vnd.oci.image.manifest.v1+json',
    );
    return { arch, manifest, config, layers: layers.map((l) => l.gz) };
  });
  const index = blob(
    json({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: platforms.map((p) => desc(p.manifest, { platform: { architecture: p.arch, os: 'linux', ...(p.arch === 'arm64' ? { variant: 'v8' } : {}) } })),
    }),
    'application/vnd.oci.image.index.v1+json',
  );
  return { index, platforms };
}

/** Pushes a crafted image as `repo:tag` through the registry API (monolithic uploads). */
export async function pushImage(base: string, repo: string, tag: string, img: CraftedImage, token?: (scope: string) => Promise<string>): Promise<string> {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${await token(`repository:${repo}:pull,push`)}` } : {};
  const put = async (b: Blob) => {
    const head = await fetch(`${base}/v2/${repo}/blobs/${b.digest}`, { method: 'HEAD', headers: auth });
    if (head.status === 200) return;
    const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: auth });
    if (start.status !== 202) throw new Error(`upload start ${start.status}: ${await start.text()}`);
    const loc = new URL(start.headers.get('location')!, base);
    loc.searchParams.set('digest', b.digest);
    const done = await fetch(loc, { method: 'PUT', headers: { ...auth, 'content-type': 'application/octet-stream' }, body: b.bytes });
    if (done.status !== 201) throw new Error(`upload ${b.digest} ${done.status}: ${await done.text()}`);
  };
  const putManifest = async (m: Blob, ref: string) => {
    const r = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { method: 'PUT', headers: { ...auth, 'content-type': m.mediaType }, body: m.bytes });
    if (r.status !== 201) throw new Error(`manifest ${repo}:${ref} ${r.status}: ${await r.text()}`);
    return r.headers.get('docker-content-digest');
  };
  for (const p of img.platforms) {
    for (const b of [p.config, ...p.layers]) await put(b);
    await putManifest(p.manifest, p.manifest.digest);
  }
  const d = await putManifest(img.index, tag);
  if (d !== img.index.digest) throw new Error(`registry stored ${repo}:${tag} as ${d}, expected ${img.index.digest}`);
  return img.index.digest;
}

// ---------------------------------------------------------------- processes

export interface Proc { port: number; url: string; proc: ChildProcess; stop(): Promise<void> }

const stopper = (proc: ChildProcess) => () =>
  new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });

async function waitHttp(url: string, proc: ChildProcess, what: string, err: () => string) {
  for (let i = 0; i < 150; i++) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(() => true, () => false);
    if (ok) return;
    if (proc.exitCode !== null) throw new Error(`${what} exited: ${err()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer at ${url}: ${err()}`);
}

export interface RegistryOptions {
  /** Token auth: the token service's realm, and the certificate that verifies its tokens. */
  token?: { realm: string; service: string; issuer: string; cert: string };
  /** Pull-through mirror of this upstream (proxy.remoteurl). */
  proxy?: string;
}

/** Debian's docker-registry on 127.0.0.1, its own config and storage in a temporary folder. */
export async function startDockerRegistry(o: RegistryOptions = {}): Promise<Proc> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sw-reg-'));
  const lines = [
    'version: 0.1',
    'log: { level: error, accesslog: { disabled: true } }',
    'storage:',
    `  filesystem: { rootdirectory: ${join(dir, 'data')} }`,
    '  delete: { enabled: true }',
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  if (o.token) lines.push('auth:', '  token:', `    realm: ${o.token.realm}`, `    service: ${o.token.service}`, `    issuer: ${o.token.issuer}`, `    rootcertbundle: ${o.token.cert}`);
  if (o.proxy) lines.push('proxy:', `  remoteurl: ${o.proxy}`);
  writeFileSync(join(dir, 'config.yml'), `${lines.join('\n')}\n`);
  const proc = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  await waitHttp(`http://127.0.0.1:${port}/v2/`, proc, 'docker-registry', () => err);
  return { port, url: `http://127.0.0.1:${port}`, proc, stop: stopper(proc) };
}

export interface TokenService extends Proc { cert: string; issuer: string; service: string; token(scope: string): Promise<string> }

/** The token service, with a fresh self-signed certificate the registries trust. */
export async function startTokenService(): Promise<TokenService> {
  const dir = mkdtempSync(join(tmpdir(), 'sw-token-'));
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  const r = runSync(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=stack-wizard test token service']);
  if (r.exitCode !== 0) throw new Error(`openssl: ${r.stderr}`);
  const cfg = { key, cert, issuer: 'stack-wizard-test-issuer', service: 'stack-wizard-test-registry' };
  const script = fileURLToPath(new URL('./token-server.mjs', import.meta.url));
  const proc = spawn(process.execPath, [script, JSON.stringify(cfg)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve((JSON.parse(buf.slice(0, buf.indexOf('\n'))) as { port: number }).port);
    });
    proc.once('exit', (c) => reject(new Error(`token server exited ${c}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    port, url, proc, stop: stopper(proc), cert, issuer: cfg.issuer, service: cfg.service,
    token: async (scope) => ((await (await fetch(`${url}/token?service=${cfg.service}&scope=${encodeURIComponent(scope)}`)).json()) as { token: string }).token,
  };
}

/** nginx (Debian's) with this http-block body, master process only, everything under a temporary prefix. */
export async function startNginx(httpBody: string, probePort: number): Promise<{ stop(): Promise<void>; proc: ChildProcess; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sw-nginx-'));
  mkdirSync(join(dir, 'logs'));
  mkdirSync(join(dir, 'tmp'));
  const conf = [
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'logs/error.log')} warn;`,
    'events { worker_connections 512; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${join(dir, 'tmp/body')};`,
    `  proxy_temp_path ${join(dir, 'tmp/proxy')};`,
    `  fastcgi_temp_path ${join(dir, 'tmp/fcgi')};`,
    `  uwsgi_temp_path ${join(dir, 'tmp/uwsgi')};`,
    `  scgi_temp_path ${join(dir, 'tmp/scgi')};`,
    '  proxy_http_version 1.1;',
    '  proxy_buffering off;',
    '  proxy_request_buffering off;',
    '  client_max_body_size 0;',
    httpBody,
    '}',
  ].join('\n');
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const t = runSync(['nginx', '-t', '-p', dir, '-c', join(dir, 'nginx.conf')]);
  if (t.exitCode !== 0) throw new Error(`nginx -t: ${t.stderr}`);
  const proc = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  await waitHttp(`http://127.0.0.1:${probePort}/`, proc, 'nginx', () => err);
  return { stop: stopper(proc), proc, dir };
}
