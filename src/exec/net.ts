// Network effects the Executor does not run as programs: HTTP requests (robots, webhooks, S3, with a
// file's byte range as the body or the answer streamed into a new file) and SMTP. Callers wrap
// sending in `ctx.exec.effect` so a dry run records it instead; reads (S3 HEAD, GET, LIST) go
// straight through, as the Executor's queries do. Nothing here logs: the caller redacts and notes.
import { constants, createReadStream, createWriteStream, openSync, unlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, rootCertificates, type TLSSocket } from 'node:tls';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface HttpOptions {
  method: string;
  url: URL | string;
  headers?: Record<string, string>;
  /** The request body: bytes, or a byte range [start, end) of a file, streamed. */
  body?: Buffer | string | { file: string; start: number; end: number };
  timeoutMs?: number;
  /** A private CA (PEM) trusted besides the system's. */
  ca?: string;
  /** The answer's body goes to this new file (created 0600, never through a link) instead of memory. */
  toFile?: string;
  /** Keep at most this many bytes of an in-memory answer (default 1 MiB). */
  maxBody?: number;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Bytes of the answer's body (also when written to a file). */
  bytesIn: number;
  /** SHA-256 of the answer's body (hex). */
  sha256In: string;
  /** MD5 of the request body as sent (hex): what S3 reports as the ETag of a plain PUT. */
  md5Out: string | null;
}

export class NetError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'NetError';
  }
}

const hashing = (h: ReturnType<typeof createHash>) =>
  new Transform({
    transform(chunk: Buffer, _enc, cb) {
      h.update(chunk);
      cb(null, chunk);
    },
  });

/** One HTTP(S) request; resolves with any status (the caller judges it), rejects on a network failure or timeout. */
export function http(o: HttpOptions): Promise<HttpResult> {
  const url = typeof o.url === 'string' ? new URL(o.url) : o.url;
  const https = url.protocol === 'https:';
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  let bodyLength = 0;
  if (o.body !== undefined) {
    bodyLength =
      typeof o.body === 'string'
        ? Buffer.byteLength(o.body)
        : Buffer.isBuffer(o.body)
          ? o.body.length
          : o.body.end - o.body.start;
    headers['content-length'] = String(bodyLength);
  }
  const timeoutMs = o.timeoutMs ?? 30_000;
  return new Promise<HttpResult>((resolve, reject) => {
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      reject(e instanceof NetError ? e : new NetError(e.message, (e as NodeJS.ErrnoException).code ?? 'ERR'));
    };
    const req = (https ? httpsRequest : httpRequest)(
      {
        method: o.method,
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || (https ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        headers: { host: url.host, ...headers },
        ...(https ? { servername: url.hostname, ca: o.ca ? [...rootCertificates, o.ca] : undefined } : {}),
        timeout: timeoutMs,
      },
      (res: IncomingMessage) => {
        const sha = createHash('sha256');
        let bytes = 0;
        const counted = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            bytes += chunk.length;
            sha.update(chunk);
            cb(null, chunk);
          },
        });
        const done = (body: Buffer) => {
          if (settled) return;
          settled = true;
          const hs: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) hs[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({
            status: res.statusCode ?? 0,
            headers: hs,
            body,
            bytesIn: bytes,
            sha256In: sha.digest('hex'),
            md5Out: md5 ? md5.digest('hex') : null,
          });
        };
        if (o.toFile && (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) {
          let fd: number;
          try {
            fd = openSync(
              o.toFile,
              constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
              0o600,
            );
          } catch (e) {
            res.destroy();
            fail(e as Error);
            return;
          }
          pipeline(res, counted, createWriteStream('', { fd }))
            .then(() => done(Buffer.alloc(0)))
            .catch((e: Error) => {
              try {
                unlinkSync(o.toFile!);
              } catch {
                // Gone already.
              }
              fail(e);
            });
          return;
        }
        const chunks: Buffer[] = [];
        let kept = 0;
        const max = o.maxBody ?? 1 << 20;
        res.pipe(counted);
        counted.on('data', (c: Buffer) => {
          if (kept < max) {
            chunks.push(c.subarray(0, max - kept));
            kept += Math.min(c.length, max - kept);
          }
        });
        counted.on('end', () => done(Buffer.concat(chunks)));
        res.on('error', fail);
      },
    );
    const md5 = o.body !== undefined ? createHash('md5') : null;
    req.on('timeout', () =>
      req.destroy(new NetError(`no answer within ${Math.round(timeoutMs / 1000)} s`, 'ETIMEDOUT')),
    );
    req.on('error', fail);
    if (o.body === undefined) req.end();
    else if (typeof o.body === 'string' || Buffer.isBuffer(o.body)) {
      const b = typeof o.body === 'string' ? Buffer.from(o.body) : o.body;
      md5!.update(b);
      req.end(b);
    } else if (bodyLength === 0) req.end();
    else {
      const src = createReadStream(o.body.file, { start: o.body.start, end: o.body.end - 1 });
      pipeline(src, hashing(md5!), req).catch(fail);
    }
  });
}

/** Reads a byte range of a file into memory (a multipart part, hashed before it is sent). */
export async function readRange(file: string, start: number, end: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  if (end <= start) return Buffer.alloc(0);
  for await (const c of createReadStream(file, { start, end: end - 1 })) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

// ---------------------------------------------------------------- SMTP

export interface SmtpOptions {
  host: string;
  port: number;
  tls: 'starttls' | 'tls' | 'none';
  user?: string | undefined;
  password?: string | undefined;
  ca?: string | undefined;
  /** Our name in EHLO. */
  helo: string;
  from: string;
  to: readonly string[];
  /** The DATA payload, dot-stuffed, ending in CRLF.CRLF (domain/notify/mail.ts). */
  data: string;
  timeoutMs?: number;
}

export interface SmtpResult {
  /** The server's answer to the message: "250 2.0.0 Ok: queued as …". */
  reply: string;
  /** Every command and reply, the credentials left out. */
  transcript: string[];
}

export class SmtpError extends Error {
  constructor(
    readonly step: string,
    readonly reply: string,
    readonly transcript: string[],
  ) {
    super(`${step}: ${reply}`);
    this.name = 'SmtpError';
  }
}

/** A line reader over a socket that collects multi-line replies ("250-…" up to "250 …"). */
class Replies {
  private buf = '';
  private lines: string[] = [];
  private waiting: ((r: string) => void) | null = null;
  private error: Error | null = null;
  private failed: ((e: Error) => void) | null = null;

  constructor(private sock: Socket | TLSSocket) {
    this.attach(sock);
  }

  attach(sock: Socket | TLSSocket) {
    this.sock = sock;
    this.buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        this.lines.push(this.buf.slice(0, i).replace(/\r$/, ''));
        this.buf = this.buf.slice(i + 1);
      }
      this.flush();
    });
    sock.on('error', (e) => this.fail(e));
    sock.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  private fail(e: Error) {
    this.error ??= e;
    const f = this.failed;
    this.waiting = null;
    this.failed = null;
    f?.(this.error);
  }

  private flush() {
    const end = this.lines.findIndex((l) => /^\d{3}(?: |$)/.test(l));
    if (end < 0 || !this.waiting) return;
    const reply = this.lines.splice(0, end + 1).join('\n');
    const w = this.waiting;
    this.waiting = null;
    this.failed = null;
    w(reply);
  }

  next(timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.error) return reject(this.error);
      const t = setTimeout(() => {
        this.waiting = null;
        this.failed = null;
        reject(new Error(`no reply within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.waiting = (r) => {
        clearTimeout(t);
        resolve(r);
      };
      this.failed = (e) => {
        clearTimeout(t);
        reject(e);
      };
      this.flush();
    });
  }

  /** Stops reading (before the socket is handed to TLS). */
  detach() {
    this.sock.removeAllListeners('data');
    this.sock.removeAllListeners('error');
    this.sock.removeAllListeners('close');
  }
}

/** Sends one message over SMTP (RFC 5321) with STARTTLS or TLS and AUTH PLAIN or LOGIN; certificates are verified. */
export async function smtpSend(o: SmtpOptions): Promise<SmtpResult> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const transcript: string[] = [];
  const ca = o.ca ? [...rootCertificates, o.ca] : undefined;
  const servername = /^[\d.]+$|:/.test(o.host) ? undefined : o.host;
  const open = (): Promise<Socket | TLSSocket> =>
    new Promise((resolve, reject) => {
      const s =
        o.tls === 'tls'
          ? tlsConnect({ host: o.host, port: o.port, ...(servername ? { servername } : {}), ca }, () => resolve(s))
          : netConnect({ host: o.host, port: o.port }, () => resolve(s));
      s.once('error', (e) => {
        s.destroy();
        reject(e);
      });
      s.setTimeout(timeoutMs, () => s.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
    });
  const opened: (Socket | TLSSocket)[] = [];
  let sock = await open().catch((e: Error) => {
    throw new SmtpError('connect', e.message, transcript);
  });
  opened.push(sock);
  const r = new Replies(sock);
  let step = 'greeting';
  const expect = async (codes: number[], text?: string, shown?: string): Promise<string> => {
    if (text !== undefined) {
      transcript.push(`> ${shown ?? text}`);
      sock.write(`${text}\r\n`);
    }
    let reply: string;
    try {
      reply = await r.next(timeoutMs);
    } catch (e) {
      throw new SmtpError(step, (e as Error).message, transcript);
    }
    transcript.push(...reply.split('\n').map((l) => `< ${l}`));
    if (!codes.includes(Number(reply.slice(0, 3)))) throw new SmtpError(step, reply.replace(/\n/g, ' | '), transcript);
    return reply;
  };
  try {
    await expect([220]);
    step = 'EHLO';
    let ehlo = await expect([250], `EHLO ${o.helo}`);
    if (o.tls === 'starttls') {
      if (!/^250[- ]STARTTLS\b/im.test(ehlo))
        throw new SmtpError('STARTTLS', 'the server does not offer STARTTLS', transcript);
      step = 'STARTTLS';
      await expect([220], 'STARTTLS');
      r.detach();
      const plain = sock;
      sock = await new Promise<TLSSocket>((resolve, reject) => {
        const s = tlsConnect({ socket: plain, ...(servername ? { servername } : {}), ca }, () => resolve(s));
        opened.push(s);
        s.once('error', reject);
      }).catch((e: Error) => {
        throw new SmtpError('STARTTLS', e.message, transcript);
      });
      r.attach(sock);
      step = 'EHLO';
      ehlo = await expect([250], `EHLO ${o.helo}`);
    }
    if (o.user) {
      step = 'AUTH';
      const mechs = (/^250[- ]AUTH[ =](.*)$/im.exec(ehlo)?.[1] ?? '').toUpperCase().split(/\s+/);
      const pw = o.password ?? '';
      if (mechs.includes('PLAIN')) {
        await expect(
          [235],
          `AUTH PLAIN ${Buffer.from(`\0${o.user}\0${pw}`, 'utf8').toString('base64')}`,
          'AUTH PLAIN (credentials)',
        );
      } else if (mechs.includes('LOGIN')) {
        await expect([334], 'AUTH LOGIN');
        await expect([334], Buffer.from(o.user, 'utf8').toString('base64'), '(user)');
        await expect([235], Buffer.from(pw, 'utf8').toString('base64'), '(password)');
      } else
        throw new SmtpError(
          'AUTH',
          `the server offers no PLAIN or LOGIN authentication (${mechs.join(' ') || 'none'})`,
          transcript,
        );
    }
    step = 'MAIL FROM';
    await expect([250], `MAIL FROM:<${o.from}>`);
    for (const to of o.to) {
      step = `RCPT TO ${to}`;
      await expect([250, 251], `RCPT TO:<${to}>`);
    }
    step = 'DATA';
    await expect([354], 'DATA');
    transcript.push('> (message)');
    sock.write(o.data);
    const reply = await expect([250]);
    step = 'QUIT';
    await expect([221], 'QUIT').catch(() => undefined);
    return { reply: reply.split('\n').pop()!, transcript };
  } finally {
    r.detach();
    // end() sends TLS's close_notify before the FIN; the sockets are dropped if the server lingers.
    for (const x of opened) {
      x.on('error', () => undefined);
      x.end();
      setTimeout(() => x.destroy(), 2000).unref();
    }
  }
}
