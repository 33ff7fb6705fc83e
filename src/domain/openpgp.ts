// Just enough OpenPGP (RFC 4880) to check which key an ASCII-armored public key block holds: a
// mirror serves Docker's signing key, and we trust it only if its fingerprint is Docker's.
import { createHash } from 'node:crypto';

/** Docker's apt repository signing key (docs.docker.com/engine/install/debian). */
export const DOCKER_KEY_FINGERPRINTS: readonly string[] = ['9DC858229FC7DD38854AE2D88D81803C0EBFCD88'];

/** The binary packets inside an armored block, or null when it is not one. */
export function dearmor(text: string): Buffer | null {
  const m = /-----BEGIN PGP PUBLIC KEY BLOCK-----\r?\n([\s\S]*?)-----END PGP PUBLIC KEY BLOCK-----/.exec(text);
  if (!m) return null;
  const lines = m[1]!.split(/\r?\n/);
  // Armor headers (e.g. "Comment: …") end at the first empty line.
  const blank = lines.findIndex((l) => l.trim() === '');
  const body = (blank >= 0 && lines.slice(0, blank).every((l) => /^[\w-]+: /.test(l)) ? lines.slice(blank + 1) : lines)
    .filter((l) => !l.startsWith('='))
    .join('')
    .replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+=*$/.test(body)) return null;
  const buf = Buffer.from(body, 'base64');
  return buf.length ? buf : null;
}

interface Packet { tag: number; body: Buffer }

function packets(buf: Buffer): Packet[] {
  const out: Packet[] = [];
  let i = 0;
  while (i < buf.length) {
    const h = buf[i]!;
    if ((h & 0x80) === 0) throw new Error('not an OpenPGP packet');
    let tag: number;
    let len: number;
    if (h & 0x40) {
      // New format length.
      tag = h & 0x3f;
      const a = buf[i + 1]!;
      if (a < 192) [len, i] = [a, i + 2];
      else if (a < 224) [len, i] = [((a - 192) << 8) + buf[i + 2]! + 192, i + 3];
      else if (a === 255) [len, i] = [buf.readUInt32BE(i + 2), i + 6];
      else throw new Error('partial body lengths are not used in keys');
    } else {
      tag = (h >> 2) & 0x0f;
      const lt = h & 3;
      if (lt === 0) [len, i] = [buf[i + 1]!, i + 2];
      else if (lt === 1) [len, i] = [buf.readUInt16BE(i + 1), i + 3];
      else if (lt === 2) [len, i] = [buf.readUInt32BE(i + 1), i + 5];
      else throw new Error('indeterminate length');
    }
    if (i + len > buf.length) throw new Error('truncated packet');
    out.push({ tag, body: buf.subarray(i, i + len) });
    i += len;
  }
  return out;
}

/** Fingerprints (upper-case hex) of the primary keys in an armored block; [] when it holds none. */
export function primaryKeyFingerprints(armored: string): string[] {
  const buf = dearmor(armored);
  if (!buf) return [];
  let list: Packet[];
  try {
    list = packets(buf);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const p of list) {
    if (p.tag !== 6) continue;
    const version = p.body[0];
    if (version === 4) {
      // v4: SHA-1 over 0x99, the two-octet length, then the key packet body.
      const hdr = Buffer.from([0x99, (p.body.length >> 8) & 0xff, p.body.length & 0xff]);
      out.push(createHash('sha1').update(hdr).update(p.body).digest('hex').toUpperCase());
    } else if (version === 6 || version === 5) {
      // v6 (RFC 9580) / v5: SHA-256 over 0x9B (v6) or 0x9A (v5), the four-octet length, then the body.
      const hdr = Buffer.alloc(5);
      hdr[0] = version === 6 ? 0x9b : 0x9a;
      hdr.writeUInt32BE(p.body.length, 1);
      out.push(createHash('sha256').update(hdr).update(p.body).digest('hex').toUpperCase());
    }
  }
  return out;
}
