// The request each chat robot expects, as its vendor documents it, and how to read its answer.
// Pure: the timestamp and the secret come in, the URL, headers and body go out; exec/net.ts sends.
//
// - WeCom group robot: POST {"msgtype":"text","text":{"content":…}} to …/webhook/send?key=…;
//   content at most 2048 bytes of UTF-8; answers {"errcode":0,"errmsg":"ok"}.
// - DingTalk custom robot with "加签": timestamp (ms) and sign in the query, where sign is
//   urlEncode(base64(HMAC-SHA256(key = secret, data = timestamp + "\n" + secret))); the timestamp
//   must be within an hour of DingTalk's clock. Same body shape; answers {"errcode":0,…}.
// - Feishu/Lark custom bot with "签名校验": timestamp (seconds) and sign in the JSON body, where sign
//   is base64(HMAC-SHA256(key = timestamp + "\n" + secret, data = empty)); body
//   {"msg_type":"text","content":{"text":…}}; answers {"code":0,…} (older: {"StatusCode":0,…}).
// - Our generic webhook: a JSON document; with a secret, X-Stack-Wizard-Signature:
//   sha256=<hex HMAC-SHA256(key = secret, data = body)>, as GitHub signs its webhooks.
import { createHmac } from 'node:crypto';
import type { NotifyChannel } from '../answers.js';
import { fixCommand, type Message, type NotifyEvent } from './events.js';

export interface HttpPost {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** WeCom's text limit (bytes of UTF-8); a longer message is cut at a character boundary with an ellipsis. */
export const WECOM_MAX_BYTES = 2048;

export function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  const ell = '…';
  let out = '';
  for (const ch of s) {
    if (Buffer.byteLength(out + ch + ell, 'utf8') > maxBytes) break;
    out += ch;
  }
  return out + ell;
}

export const dingtalkSign = (secret: string, timestampMs: number) =>
  createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');

export const feishuSign = (secret: string, timestampSec: number) =>
  createHmac('sha256', `${timestampSec}\n${secret}`).update('').digest('base64');

export const webhookSignature = (secret: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

export interface WebhookDoc {
  source: 'stack-wizard';
  event: string;
  key: string;
  state: 'firing' | 'resolved';
  severity: 'warn' | 'error';
  host: string;
  project: string;
  title: string;
  text: string;
  fix: string | null;
  at: string;
  params: NotifyEvent['params'];
}

/** The HTTP request for a robot or webhook channel (`secret` read from its secretFile, if any). */
export function buildPost(
  ch: Exclude<NotifyChannel, { kind: 'email' }>,
  m: Message,
  e: NotifyEvent,
  o: { host: string; project: string; now: Date; secret: string | null },
): HttpPost {
  switch (ch.kind) {
    case 'wecom':
      return {
        url: ch.url,
        headers: JSON_HEADERS,
        body: JSON.stringify({ msgtype: 'text', text: { content: truncateUtf8(m.text, WECOM_MAX_BYTES) } }),
      };
    case 'dingtalk': {
      let url = ch.url;
      if (o.secret) {
        const ts = o.now.getTime();
        const u = new URL(ch.url);
        u.searchParams.set('timestamp', String(ts));
        u.searchParams.set('sign', dingtalkSign(o.secret, ts));
        url = u.toString();
      }
      return { url, headers: JSON_HEADERS, body: JSON.stringify({ msgtype: 'text', text: { content: m.text } }) };
    }
    case 'feishu': {
      const ts = Math.floor(o.now.getTime() / 1000);
      const signed = o.secret ? { timestamp: String(ts), sign: feishuSign(o.secret, ts) } : {};
      return {
        url: ch.url,
        headers: JSON_HEADERS,
        body: JSON.stringify({ ...signed, msg_type: 'text', content: { text: m.text } }),
      };
    }
    case 'webhook': {
      const doc: WebhookDoc = {
        source: 'stack-wizard',
        event: e.kind,
        key: e.key,
        state: m.state,
        severity: e.severity,
        host: o.host,
        project: o.project,
        title: m.title,
        text: m.lines.join('\n'),
        fix: m.state === 'firing' ? fixCommand(e) : null,
        at: o.now.toISOString(),
        params: e.params,
      };
      const body = JSON.stringify(doc);
      return {
        url: ch.url,
        headers: {
          ...JSON_HEADERS,
          ...(o.secret ? { 'x-stack-wizard-signature': webhookSignature(o.secret, body) } : {}),
        },
        body,
      };
    }
  }
}

/** Whether the robot took the message, from its HTTP status and body; the answer as the operator should see it. */
export function judgeAnswer(
  kind: NotifyChannel['kind'],
  status: number,
  body: string,
): { ok: boolean; answer: string } {
  const short = body.replace(/\s+/g, ' ').trim().slice(0, 300);
  if (status < 200 || status > 299) return { ok: false, answer: `HTTP ${status}${short ? ` ${short}` : ''}` };
  if (kind === 'webhook') return { ok: true, answer: `HTTP ${status}${short ? ` ${short}` : ''}` };
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return { ok: false, answer: `HTTP ${status}, not JSON: ${short}` };
  }
  if (kind === 'feishu') {
    const code = j.code ?? j.StatusCode;
    return { ok: code === 0, answer: `code ${String(code)}: ${String(j.msg ?? j.StatusMessage ?? '')}` };
  }
  return { ok: j.errcode === 0, answer: `errcode ${String(j.errcode)}: ${String(j.errmsg ?? '')}` };
}

/** The secret values a request carries, for the log's redaction: the sign and the access token or key in the URL. */
export function secretsOf(p: HttpPost): string[] {
  const out: string[] = [];
  try {
    const u = new URL(p.url);
    for (const k of ['key', 'access_token', 'sign', 'token']) {
      const v = u.searchParams.get(k);
      if (v) out.push(v, encodeURIComponent(v));
    }
    // Feishu's hook token is the last path segment.
    const last = u.pathname.split('/').filter(Boolean).pop();
    if (last && /\/hook\//.test(u.pathname)) out.push(last);
  } catch {
    // Not a URL: nothing to add.
  }
  return out.filter((s) => s.length >= 6);
}
