// Listening TCP sockets from the kernel's own tables (/proc/net/tcp and tcp6), for hosts without
// `ss` (Debian's minbase has no iproute2): a port is never reported free just because the tool
// to look is missing.

export interface ProcListener { port: number; address: string; inode: number }

/** LISTEN rows (state 0A) of /proc/net/tcp or tcp6: the local port (hex) and the socket's inode. */
export function parseProcNetTcp(text: string): ProcListener[] {
  const out: ProcListener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10 || cols[3] !== '0A') continue;
    const [addr, port] = cols[1]!.split(':');
    if (!addr || !port) continue;
    out.push({ port: parseInt(port, 16), address: addr, inode: Number(cols[9]) });
  }
  return out;
}
