// An S3-compatible server on loopback for the backup upload tests, as its own process:
//   node test/real/helpers/s3-server.mjs <dir> <accessKeyId> <secretAccessKey> <bucket> [<service domain> [<bind address>]]
// prints {"port": N} once listening. With a service domain (e.g. lab.test), a request to
// <bucket>.s3.<domain> is virtual-hosted style and one to s3.<domain> (or an address) path style,
// as S3 tells them apart by the Host header. Every request is appended to <dir>/../requests.log as
// "METHOD HOST PATH" (the test reads how it was addressed). Storage and the S3 API are s3rver's (npm); s3rver does not
// check Signature V4 itself, so every request first passes a check by AWS's own SigV4 signer
// (@smithy/signature-v4, the AWS SDK's): the request is signed again with the same headers,
// date and key, and must carry the same signature, as S3 does. A wrong key or a broken signature
// gets 403 SignatureDoesNotMatch.
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createServer, request } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import S3rver from 's3rver';

const [dir, keyId, secret, bucket, serviceEndpoint, bind = '127.0.0.1'] = process.argv.slice(2);
const requestLog = join(dirname(dir), 'requests.log');

class Sha256 {
  constructor(secretKey) {
    this.h = secretKey ? createHmac('sha256', secretKey) : createHash('sha256');
  }
  update(data) {
    this.h.update(typeof data === 'string' ? Buffer.from(data) : data);
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
  reset() {}
}

const backend = await new S3rver({ address: '127.0.0.1', port: 0, directory: dir, silent: true, configureBuckets: [{ name: bucket }], ...(serviceEndpoint ? { serviceEndpoint } : {}) }).run();

const deny = (res, code, message) => {
  res.writeHead(403, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
};

async function verify(req, body) {
  const auth = req.headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return 'AccessDenied: no AWS Signature V4 Authorization header';
  const [, id, , region, signed, signature] = m;
  if (id !== keyId) return 'InvalidAccessKeyId';
  const url = new URL(req.url, 'http://x');
  const headers = {};
  for (const h of signed.split(';')) headers[h] = String(req.headers[h] ?? '');
  const payloadHash = req.headers['x-amz-content-sha256'];
  if (payloadHash && payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== createHash('sha256').update(body).digest('hex')) return 'XAmzContentSHA256Mismatch';
  const signer = new SignatureV4({ credentials: { accessKeyId: keyId, secretAccessKey: secret }, region, service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: false });
  const amzDate = String(req.headers['x-amz-date']);
  const date = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const query = Object.fromEntries(url.searchParams.entries());
  const again = await signer.sign(
    { method: req.method, protocol: 'http:', hostname: String(req.headers.host).split(':')[0], port: undefined, path: url.pathname, query, headers, body },
    { signingDate: date, signableHeaders: new Set(signed.split(';')) },
  );
  const mine = /Signature=([0-9a-f]{64})/.exec(again.headers.authorization ?? again.headers.Authorization)?.[1];
  return mine === signature ? null : 'SignatureDoesNotMatch';
}

const front = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const body = Buffer.concat(chunks);
    appendFileSync(requestLog, `${req.method} ${req.headers.host} ${req.url}\n`);
    const problem = await verify(req, body).catch((e) => `SignatureDoesNotMatch: ${e.message}`);
    if (problem) return deny(res, problem.split(':')[0], problem);
    // Checked: s3rver (which knows only its own built-in key) serves it as its account.
    const headers = { ...req.headers, authorization: String(req.headers.authorization).replace(`Credential=${keyId}/`, 'Credential=S3RVER/') };
    const up = request({ host: '127.0.0.1', port: backend.port, method: req.method, path: req.url, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', (e) => {
      res.writeHead(502);
      res.end(e.message);
    });
    up.end(body);
  });
});
front.listen(0, bind, () => console.log(JSON.stringify({ port: front.address().port })));
