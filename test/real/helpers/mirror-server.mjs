// Loopback HTTP servers that play mirrors for the tests, in their own process (never in-process
// stubs). Usage: node mirror-server.mjs '<json config>'; prints {"ports":{name:port}} once all listen.
//   { "servers": [ { "name": "fast", "mode": "ok", "size": 131072 },
//                  { "name": "slow", "mode": "ok", "latencyMs": 300, "bytesPerSec": 65536 },
//                  { "name": "e500", "mode": "status", "status": 500 },
//                  { "name": "stall", "mode": "stall", "after": 20000 },
//                  { "name": "repo", "mode": "static", "root": "/tmp/repo" },
//                  { "name": "accept", "mode": "slow-accept", "delayMs": 5000 },
//                  { "name": "drip", "mode": "trickle", "size": 400, "intervalMs": 100 } ] }
// "ok" answers what each kind of mirror serves: /v2/ (registry, 401 + API header), …/InRelease,
// the npm document /ms, …/pip/ and …/index.json. "stall" sends headers and `after` bytes, then
// nothing. "trickle" sends the object one byte every `intervalMs`, so it is never idle long, and
// never finishes in time; GET /__stats answers what each connection got: bytes sent of the total,
// and whether the client hung up before the end. "slow-accept" listens in a child process whose event loop is blocked and whose accept
// queue is full, so new connections are not even accepted until `delayMs` has passed.
// "stall-proxy" passes every request to `upstream` (a real registry) and its answer back, except a
// blob's body, of which it sends `after` bytes and then nothing, the connection held open.
// "corrupt-proxy" passes every request to `upstream` and its answer back, but flips bytes in every
// layer blob (gzip) it sends, same length: only the digest check can tell.
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { fork } from 'node:child_process';

if (process.argv[2] === '--blocked-listener') {
  // Child: listen with the smallest backlog, report the port, then block the event loop so the
  // kernel's accept queue fills and further SYNs are dropped.
  const delayMs = Number(process.argv[3]);
  const srv = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('late\n');
  });
  // Gone with the parent (checked once the block ends).
  process.on('disconnect', () => process.exit(0));
  srv.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
    process.send({ port: srv.address().port });
    process.once('message', () => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delayMs);
    });
  });
} else {
  main();
}

function padTo(prefix, line, size) {
  const parts = [prefix];
  let n = prefix.length;
  while (n < size) {
    parts.push(line);
    n += line.length;
  }
  return parts.join('');
}

function okBody(url, size) {
  if (/\/(In)?Release$/.test(url)) {
    const head = 'Origin: Loopback\nLabel: Loopback\nSuite: stable\nCodename: bookworm\nDate: Sat, 01 Nov 2025 00:00:00 UTC\nArchitectures: amd64\nComponents: main\nSHA256:\n';
    return { type: 'text/plain', body: padTo(head, ' 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef 1234 main/binary-amd64/Packages\n', size) };
  }
  if (/\/ms$/.test(url)) return { type: 'application/json', body: `{"name":"ms","versions":{},"_pad":"${'x'.repeat(Math.max(0, size - 40))}"}` };
  if (/\/pip\/$/.test(url)) return { type: 'text/html', body: padTo('<!DOCTYPE html><html><body>\n', '<a href="../../packages/pip-24.0.tar.gz#sha256=00">pip-24.0.tar.gz</a><br/>\n', size) };
  if (/\/index\.json$/.test(url)) {
    const entry = '{"version":"v22.11.0","date":"2024-10-29","files":["linux-x64"],"lts":"Jod"}';
    const n = Math.max(1, Math.floor(size / (entry.length + 1)));
    return { type: 'application/json', body: `[${Array(n).fill(entry).join(',')}]` };
  }
  return null;
}

function sendThrottled(res, body, bytesPerSec) {
  const buf = Buffer.from(body);
  if (!bytesPerSec) return void res.end(buf);
  // 20 slices a second at the given rate.
  const step = Math.max(1, Math.floor(bytesPerSec / 20));
  let i = 0;
  const tick = () => {
    if (res.destroyed) return;
    if (i >= buf.length) return void res.end();
    res.write(buf.subarray(i, i + step));
    i += step;
    setTimeout(tick, 50);
  };
  tick();
}

function trickle(res, body, intervalMs, stat) {
  const buf = Buffer.from(body);
  res.on('close', () => {
    stat.closedEarly = stat.sent < buf.length;
    stat.open = false;
  });
  const tick = () => {
    if (res.destroyed) return;
    if (stat.sent >= buf.length) return void res.end();
    res.write(buf.subarray(stat.sent, stat.sent + 1));
    stat.sent += 1;
    setTimeout(tick, intervalMs);
  };
  tick();
}

function handler(cfg) {
  const stats = [];
  return (req, res) => {
    const go = () => {
      const url = new URL(req.url, 'http://x').pathname;
      if (url === '/__stats') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ connections: stats }));
      }
      if (cfg.mode === 'status') {
        res.writeHead(cfg.status, { 'content-type': 'text/plain' });
        return res.end(`status ${cfg.status}\n`);
      }
      if (cfg.mode === 'stall-proxy') return stallProxy(cfg, req, res);
      if (cfg.mode === 'corrupt-proxy') return corruptProxy(cfg, req, res);
      if (cfg.mode === 'redirect') {
        res.writeHead(302, { location: `${cfg.to}${req.url}` });
        return res.end();
      }
      if (cfg.mode === 'static') {
        const file = path.join(cfg.root, path.normalize(url).replace(/^(\.\.[/\\])+/, ''));
        if (!file.startsWith(cfg.root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
          res.writeHead(404);
          return res.end();
        }
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': fs.statSync(file).size });
        return fs.createReadStream(file).pipe(res);
      }
      if (url === '/v2/' || url === '/v2') {
        if (cfg.mode === 'not-registry') {
          res.writeHead(200, { 'content-type': 'text/html' });
          return res.end('<html>welcome</html>');
        }
        res.writeHead(401, {
          'docker-distribution-api-version': 'registry/2.0',
          'www-authenticate': 'Bearer realm="http://127.0.0.1/token",service="registry"',
          'content-type': 'application/json',
        });
        return res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      }
      const ok = okBody(url, cfg.size ?? 128 * 1024);
      if (!ok) {
        res.writeHead(404);
        return res.end();
      }
      if (cfg.mode === 'stall') {
        const buf = Buffer.from(ok.body);
        res.writeHead(200, { 'content-type': ok.type, 'content-length': buf.length });
        // Some bytes, then silence with the connection held open.
        return void res.write(buf.subarray(0, cfg.after ?? 16 * 1024));
      }
      if (cfg.mode === 'trickle') {
        const stat = { path: url, total: Buffer.byteLength(ok.body), sent: 0, open: true, closedEarly: false };
        stats.push(stat);
        res.writeHead(200, { 'content-type': ok.type, 'content-length': stat.total });
        return trickle(res, ok.body, cfg.intervalMs ?? 100, stat);
      }
      if (cfg.mode === 'wrong-content') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end(padTo('<html><body>Welcome to nginx!</body></html>\n', '<!-- pad -->\n', cfg.size ?? 4096));
      }
      res.writeHead(200, { 'content-type': ok.type, 'content-length': Buffer.byteLength(ok.body) });
      sendThrottled(res, ok.body, cfg.bytesPerSec);
    };
    if (cfg.latencyMs) setTimeout(go, cfg.latencyMs);
    else go();
  };
}

function stallProxy(cfg, req, res) {
  const up = new URL(cfg.upstream);
  const out = http.request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: { ...req.headers, host: up.host } }, (r) => {
    res.writeHead(r.statusCode, r.headers);
    if (!/\/blobs\/sha256:/.test(req.url) || req.method !== 'GET') return void r.pipe(res);
    let sent = 0;
    r.on('data', (d) => {
      if (sent >= (cfg.after ?? 64 * 1024)) return void r.pause();
      const part = d.subarray(0, (cfg.after ?? 64 * 1024) - sent);
      sent += part.length;
      res.write(part);
    });
  });
  out.on('error', () => res.destroy());
  req.pipe(out);
}

function corruptProxy(cfg, req, res) {
  const up = new URL(cfg.upstream);
  const out = http.request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: { ...req.headers, host: up.host } }, (r) => {
    if (!/\/blobs\/sha256:/.test(req.url) || req.method !== 'GET') {
      res.writeHead(r.statusCode, r.headers);
      return void r.pipe(res);
    }
    const parts = [];
    r.on('data', (d) => parts.push(d));
    r.on('end', () => {
      const body = Buffer.concat(parts);
      // Config blobs (JSON) pass; layer blobs (gzip, 0x1f first) are damaged.
      if (body.length > 100 && body[0] === 0x1f) for (let i = 64; i < body.length; i += 97) body[i] ^= 0xff;
      res.writeHead(r.statusCode, r.headers);
      res.end(body);
    });
  });
  out.on('error', () => res.destroy());
  req.pipe(out);
}

async function slowAccept(cfg) {
  const child = fork(new URL(import.meta.url).pathname, ['--blocked-listener', String(cfg.delayMs ?? 5000)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise((resolve) => child.once('message', (m) => resolve(m.port)));
  child.send('block');
  await new Promise((r) => setTimeout(r, 100));
  // Fill the accept queue (backlog 1 holds two); these connections are kept open.
  const fillers = [];
  for (let i = 0; i < 3; i++) fillers.push(net.connect(port, '127.0.0.1').on('error', () => {}));
  await new Promise((r) => setTimeout(r, 200));
  process.on('exit', () => child.kill('SIGKILL'));
  return port;
}

async function main() {
  const config = JSON.parse(process.argv[2] ?? '{"servers":[]}');
  const ports = {};
  for (const cfg of config.servers) {
    if (cfg.mode === 'slow-accept') {
      ports[cfg.name] = await slowAccept(cfg);
      continue;
    }
    const srv = http.createServer(handler(cfg));
    srv.keepAliveTimeout = 1000;
    await new Promise((r) => srv.listen(cfg.port ?? 0, '127.0.0.1', r));
    ports[cfg.name] = srv.address().port;
  }
  process.stdout.write(`${JSON.stringify({ ports })}\n`);
  // Ends with its parent (stdin closes) or on a signal.
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}
