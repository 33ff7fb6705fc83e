// Reads the start of a binlog file on the data volume (root reads the volume's folder on the host):
// the time its first event was written, which tells a file from an earlier one of the same name.
// Read-only; the copy itself goes through the Executor's pipeline (steps/binlog-archive.ts).
import { open } from 'node:fs/promises';
import { scanBinlog } from '../domain/binlog.js';

/** ISO time of the file's first event, or null when it is missing or no binlog. */
export async function binlogHeadStart(path: string): Promise<string | null> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    // The magic and the first event's header are all that is needed.
    const buf = Buffer.alloc(64);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const r = scanBinlog(buf.subarray(0, bytesRead));
    return r.magic && r.first !== null ? new Date(r.first * 1000).toISOString() : null;
  } finally {
    await fh.close();
  }
}
