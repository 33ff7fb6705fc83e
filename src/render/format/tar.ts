// A .tar.gz in memory (POSIX ustar, regular files only), so a support bundle is written in one
// atomic Executor write with its final mode, without a tar program or a temporary folder.
import { gzipSync } from 'node:zlib';

export interface TarEntry { path: string; content: string | Uint8Array; mode?: number }

function header(name: string, size: number, mode: number, mtime: number, prefix: string): Buffer {
  const h = Buffer.alloc(512);
  const field = (off: number, len: number, v: string) => h.write(v.slice(0, len), off, len, 'utf8');
  const octal = (off: number, len: number, n: number) => field(off, len, `${n.toString(8).padStart(len - 1, '0')}\0`);
  field(0, 100, name);
  octal(100, 8, mode);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, mtime);
  h.fill(' ', 148, 156);
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  field(265, 32, 'root');
  field(297, 32, 'root');
  field(345, 155, prefix);
  let sum = 0;
  for (const b of h) sum += b;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** ustar splits a long path into prefix (≤155 bytes) and name (≤100 bytes) at a slash. */
export function splitPath(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new Error(`path too long for a tar archive: ${path}`);
}

export function tarGz(entries: readonly TarEntry[], mtime: Date): Buffer {
  const parts: Buffer[] = [];
  const secs = Math.floor(mtime.getTime() / 1000);
  for (const e of entries) {
    const data = typeof e.content === 'string' ? Buffer.from(e.content, 'utf8') : Buffer.from(e.content);
    const { name, prefix } = splitPath(e.path.replace(/^\/+/, ''));
    parts.push(header(name, data.length, e.mode ?? 0o600, secs, prefix), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts), { level: 9 });
}
