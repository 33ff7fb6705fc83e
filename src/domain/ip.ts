// IP addresses and CIDR ranges, v4 and v6: parse, compare, contain. Pure; used by the firewall
// lock-out guard and fail2ban's ignoreip list.
import { isIP } from 'node:net';

export interface Cidr { family: 4 | 6; bits: bigint; prefix: number }

function v4ToBig(a: string): bigint {
  return a.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
}

function v6ToBig(a: string): bigint {
  let s = a.toLowerCase();
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const n = v4ToBig(v4[1]!);
    s = `${s.slice(0, -v4[1]!.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') as [string, string] : [s, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === null ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

/** "1.2.3.4", "10.0.0.0/8", "2001:db8::/32", "any" → a range; null when it is not an address. */
export function parseCidr(text: string): Cidr | null {
  const [addr, len, extra] = text.trim().split('/');
  if (extra !== undefined || !addr) return null;
  const fam = isIP(addr);
  if (fam !== 4 && fam !== 6) return null;
  const max = fam === 4 ? 32 : 128;
  const prefix = len === undefined ? max : Number(len);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (len !== undefined && !/^\d+$/.test(len))) return null;
  const raw = fam === 4 ? v4ToBig(addr) : v6ToBig(addr);
  const shift = BigInt(max - prefix);
  return { family: fam, bits: (raw >> shift) << shift, prefix };
}

/** Whether `address` (a single IP) lies in `range` (an IP or CIDR). IPv4-mapped IPv6 counts as IPv4. */
export function cidrContains(range: string, address: string): boolean {
  const r = parseCidr(range);
  const a = parseCidr(unmapV4(address));
  if (!r || !a || r.family !== a.family) return false;
  const max = r.family === 4 ? 32 : 128;
  const shift = BigInt(max - r.prefix);
  return (a.bits >> shift) === (r.bits >> shift);
}

/** ::ffff:203.0.113.5 (how a dual-stack socket shows an IPv4 peer) → 203.0.113.5. */
export function unmapV4(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address.trim());
  return m ? m[1]! : address.trim();
}

export const ipFamily = (address: string): 4 | 6 | 0 => {
  const f = isIP(unmapV4(address));
  return f === 4 || f === 6 ? f : 0;
};

/** Link-local (169.254.0.0/16, fe80::/10): never an address another machine reaches this one on. */
export const isLinkLocal = (address: string): boolean => cidrContains('169.254.0.0/16', address) || cidrContains('fe80::/10', address);

/** Docker's own interfaces (its bridges, a user network's br-<id>, container ends of veth pairs): not the host's addresses. */
export const isDockerInterface = (name: string): boolean => /^(docker0|docker_gwbridge|br-[0-9a-f]{12}$|veth)/.test(name);

/** The host's own addresses from its interfaces (os.networkInterfaces()'s shape): no loopback, link-local or Docker bridge (#22.8). */
export function hostAddresses(ifaces: Readonly<Record<string, readonly { address: string; internal: boolean }[] | undefined>>): string[] {
  const out: string[] = [];
  for (const [name, list] of Object.entries(ifaces)) {
    if (isDockerInterface(name)) continue;
    for (const a of list ?? []) if (!a.internal && !isLinkLocal(a.address) && !out.includes(a.address)) out.push(a.address);
  }
  return out;
}
