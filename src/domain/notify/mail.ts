// An alert as an Internet message (RFC 5322) for SMTP: UTF-8 throughout, so Chinese survives every
// relay: the subject as an RFC 2047 encoded word, the body as base64 lines of 76 characters
// (7-bit safe; no 8BITMIME or SMTPUTF8 needed), CRLF line ends, and dot-stuffing for DATA.

/** `=?UTF-8?B?…?=` words of at most 75 characters each (RFC 2047), split on character boundaries. */
export function encodeHeaderWord(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text) && !/=\?/.test(text)) return text;
  const words: string[] = [];
  let cur = '';
  // 45 bytes of UTF-8 become 60 base64 characters: with the 12 of =?UTF-8?B??= the word stays under 75.
  for (const ch of text) {
    if (Buffer.byteLength(cur + ch, 'utf8') > 45) {
      words.push(cur);
      cur = '';
    }
    cur += ch;
  }
  if (cur) words.push(cur);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

const base64Lines = (text: string) =>
  (
    Buffer.from(text, 'utf8')
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join('\r\n');

/** RFC 5322's date: `Tue, 15 Mar 2026 03:15:00 +0000`. */
export function mailDate(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export interface MailInput {
  from: string;
  to: readonly string[];
  subject: string;
  text: string;
  date: Date;
  messageId: string;
}

/** The message as SMTP's DATA carries it, before dot-stuffing. */
export function buildMail(m: MailInput): string {
  const headers = [
    `From: ${m.from}`,
    `To: ${m.to.join(', ')}`,
    `Subject: ${encodeHeaderWord(m.subject)}`,
    `Date: ${mailDate(m.date)}`,
    `Message-ID: <${m.messageId}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    'Auto-Submitted: auto-generated',
  ];
  return `${headers.join('\r\n')}\r\n\r\n${base64Lines(m.text.replace(/\r?\n/g, '\r\n'))}\r\n`;
}

/** DATA's payload: a line starting with "." gets another (RFC 5321 §4.5.2), then the final ".". */
export function dataPayload(message: string): string {
  const body = message.replace(/\r?\n/g, '\r\n').replace(/(^|\r\n)\./g, '$1..');
  return `${body.endsWith('\r\n') ? body : `${body}\r\n`}.\r\n`;
}

/** A mailbox fit for MAIL FROM / RCPT TO: no angle brackets, spaces or line breaks (the schema checks emails; this guards the wire). */
export const smtpPath = (addr: string): string => {
  if (/[<>\s\r\n]/.test(addr)) throw new Error(`not a mailbox: ${addr}`);
  return `<${addr}>`;
};

/** AUTH PLAIN's initial response (RFC 4616): base64 of "\0user\0password". */
export const authPlain = (user: string, password: string) =>
  Buffer.from(`\0${user}\0${password}`, 'utf8').toString('base64');
