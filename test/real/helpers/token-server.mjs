// A registry token service as Docker Hub's (auth.docker.io/token), in its own process: GET
// /token?service=S&scope=repository:NAME:pull[,push] answers {"token","access_token","expires_in",
// "issued_at"} with an RS256 JWT whose x5c header carries the signing certificate, which
// Distribution's token auth (auth.token.rootcertbundle) verifies. Anonymous: anyone gets what the
// scope asks for. Usage: node token-server.mjs '{"key":"k.pem","cert":"c.pem","issuer":"I","service":"S"}'
// prints {"port":N} once listening. GET /__stats → how many tokens were issued per scope.
import http from 'node:http';
import fs from 'node:fs';
import crypto from 'node:crypto';

const cfg = JSON.parse(process.argv[2]);
const key = crypto.createPrivateKey(fs.readFileSync(cfg.key));
const der = new crypto.X509Certificate(fs.readFileSync(cfg.cert)).raw;
const b64u = (b) => Buffer.from(b).toString('base64url');
const issued = {};

function jwt(claims) {
  const header = { typ: 'JWT', alg: 'RS256', x5c: [der.toString('base64')] };
  const body = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  return `${body}.${b64u(crypto.sign('sha256', Buffer.from(body), key))}`;
}

const srv = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  if (u.pathname === '/__stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ issued }));
  }
  if (u.pathname !== '/token') {
    res.writeHead(404);
    return res.end();
  }
  const access = u.searchParams.getAll('scope').map((s) => {
    const [type, ...rest] = s.split(':');
    const actions = rest.pop().split(',');
    issued[s] = (issued[s] ?? 0) + 1;
    return { type, name: rest.join(':'), actions };
  });
  const now = Math.floor(Date.now() / 1000);
  const token = jwt({
    iss: cfg.issuer, sub: '', aud: u.searchParams.get('service') ?? cfg.service, exp: now + 300, nbf: now - 10, iat: now,
    jti: crypto.randomUUID(), access,
  });
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date(now * 1000).toISOString() }));
});
srv.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: srv.address().port })}\n`));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
