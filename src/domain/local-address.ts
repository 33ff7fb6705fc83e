// Which hosts count as "this machine or the company's own network": plain HTTP (and SMTP without
// TLS) is accepted only to them. A name is judged by how it is written (the schema cannot resolve
// it): loopback and private-range address literals, `localhost` and `*.localhost` (RFC 6761).
import { cidrContains, ipFamily } from './ip.js';

const LOCAL_RANGES = [
  '127.0.0.0/8',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '169.254.0.0/16',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
];

export function isLocalHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (!ipFamily(h)) return false;
  return LOCAL_RANGES.some((r) => cidrContains(r, h));
}

/** `https:` anywhere, `http:` only to a local host; null when the URL is acceptable, else why not. */
export function webhookUrlProblem(text: string): 'url' | 'scheme' | 'credentials' | null {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return 'url';
  }
  if (u.username || u.password) return 'credentials';
  if (u.protocol === 'https:') return null;
  if (u.protocol === 'http:' && isLocalHost(u.hostname)) return null;
  return 'scheme';
}
