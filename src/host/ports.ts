// Who listens on a port now, read-only: `ss`, else the kernel's /proc/net/tcp tables (Debian
// minbase has no iproute2). A port is never reported free because the tool to look is missing.
import type { Executor } from '../exec/executor.js';
import { parseSs } from './probe.js';
import { parseProcNetTcp } from './proc-net.js';

/** `inUse` null: it could not be told (neither `ss` nor /proc/net/tcp could be read). */
export interface PortCheck { port: number; inUse: boolean | null; process: string | null }

/** The program holding a socket (by its inode), as ss -p names it; null when it cannot be found. -lname takes a glob: the brackets are escaped. */
async function socketOwner(exec: Executor, inode: number): Promise<string | null> {
  const r = await exec.query('find', ['/proc', '-mindepth', '3', '-maxdepth', '3', '-path', '/proc/[0-9]*/fd/*', '-lname', `socket:\\[${inode}\\]`, '-print', '-quit'], { timeoutMs: 3000 });
  const pid = /^\/proc\/(\d+)\/fd\//.exec(r.stdout.trim())?.[1];
  if (!pid) return null;
  return (await exec.readFile(`/proc/${pid}/comm`).catch(() => null))?.trim() || null;
}

export async function checkPorts(exec: Executor, ports: number[]): Promise<PortCheck[]> {
  const r = await exec.query('ss', ['-Hltnp'], { timeoutMs: 1500 });
  if (r.exitCode === 0) {
    const listening = parseSs(r.stdout);
    return ports.map((port) => {
      const l = listening.find((x) => x.port === port);
      return { port, inUse: !!l, process: l?.process ?? null };
    });
  }
  const tables = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map((f) => exec.readFile(f).catch(() => null)));
  if (tables.every((x) => x === null)) return ports.map((port) => ({ port, inUse: null, process: null }));
  const listening = tables.flatMap((x) => (x ? parseProcNetTcp(x) : []));
  return Promise.all(
    ports.map(async (port) => {
      const l = listening.find((x) => x.port === port);
      return { port, inUse: !!l, process: l ? await socketOwner(exec, l.inode) : null };
    }),
  );
}
