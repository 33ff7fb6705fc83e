#!/usr/bin/env node
// A real HTTP server that plays every download source of install.sh in tests and the bench:
// the page that serves install.sh, a Node.js binary mirror (the official dist layout) and an npm
// registry whose documents are generated from the package tarballs it holds.
//
//   node mirror-server.mjs ROOT HOST [PORT] [LOG] [DELAY_MS]
//
// ROOT/install.sh, ROOT/<any>/... are served as files; ROOT/npm/<name>/<version>.tgz (with
// <version>.json, the package.json) become GET /npm/<name> (the registry document) and
// GET /npm/<name>/-/<name>-<version>.tgz. Prints "listening http://HOST:PORT" when ready and
// appends one JSON line per request to LOG ({ method, path, status, ua, inflight }, and
// aborted: true when the client gave up before the answer). DELAY_MS delays every answer (a slow mirror).
import { createHash } from 'node:crypto';
import { appendFileSync, createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, normalize, sep } from 'node:path';

const [root, host, port = '0', log = '', delay = '0'] = process.argv.slice(2);
if (!root || !host) {
  process.stderr.write('usage: mirror-server.mjs ROOT HOST [PORT] [LOG] [DELAY_MS]\n');
  process.exit(2);
}
const delayMs = Number(delay);
const digests = new Map();

function digest(file) {
  const key = `${file}:${statSync(file).mtimeMs}`;
  let d = digests.get(key);
  if (!d) {
    const buf = readFileSync(file);
    d = {
      shasum: createHash('sha1').update(buf).digest('hex'),
      integrity: `sha512-${createHash('sha512').update(buf).digest('base64')}`,
    };
    digests.set(key, d);
  }
  return d;
}

// The registry document npm reads (full form; also what it gets for the abbreviated Accept type).
function packument(name, base) {
  const dir = join(root, 'npm', name);
  if (!existsSync(dir)) return null;
  const versions = {};
  const time = {};
  let latest = null;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    const pkg = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const tgz = join(dir, `${pkg.version}.tgz`);
    if (!existsSync(tgz)) continue;
    versions[pkg.version] = {
      ...pkg,
      _id: `${name}@${pkg.version}`,
      dist: { ...digest(tgz), tarball: `${base}/npm/${name}/-/${name}-${pkg.version}.tgz` },
    };
    time[pkg.version] = statSync(tgz).mtime.toISOString();
    if (!latest || compare(pkg.version, latest) > 0) latest = pkg.version;
  }
  if (!latest) return null;
  return { _id: name, name, 'dist-tags': { latest }, versions, time, modified: time[latest] };
}

function compare(a, b) {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

function answer(req, res, inflight) {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = decodeURIComponent(url.pathname);
  const done = (status, extra = {}) => {
    if (log) appendFileSync(log, `${JSON.stringify({ method: req.method, path, status, ua: req.headers['user-agent'] ?? '', inflight, ...extra })}\n`);
  };
  // The client hung up while the answer was delayed (it gave up): nothing to send.
  if (req.socket.destroyed) return done(0, { aborted: true });
  const tarball = /^\/npm\/([^/]+)\/-\/\1-(.+)\.tgz$/.exec(path);
  const doc = /^\/npm\/([^/]+)\/?$/.exec(path);
  let file = null;
  if (tarball) file = join(root, 'npm', tarball[1], `${tarball[2]}.tgz`);
  else if (doc) {
    const body = packument(doc[1], `http://${req.headers.host}`);
    if (!body) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return done(404);
    }
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(req.method === 'HEAD' ? undefined : text);
    return done(200);
  } else {
    file = normalize(join(root, path));
    if (!file.startsWith(normalize(root) + sep)) file = null;
  }
  if (!file || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return done(404);
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': statSync(file).size });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
  done(200);
}

// Requests being answered right now; each log line says how many were when it arrived (itself
// included), so a test sees whether a client asked in parallel without timing anything.
let inflight = 0;
const server = createServer((req, res) => {
  const n = ++inflight;
  res.once('close', () => inflight--);
  if (delayMs > 0) setTimeout(() => answer(req, res, n), delayMs);
  else answer(req, res, n);
});
server.listen(Number(port), host, () => {
  const a = server.address();
  process.stdout.write(`listening http://${host.includes(':') ? `[${host}]` : host}:${a.port}\n`);
});
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => process.exit(0));
