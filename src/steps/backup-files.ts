// What every backup file goes through, and the backups' folder: a stream compressed on every core,
// encrypted when backups are, hashed and counted as it is written (the database's dump or copy,
// Redis's files, volumes, config, archived binary logs).
import { join } from 'node:path';
import type { Context } from '../context.js';
import { humanBytes } from '../domain/backup.js';
import type { PipeStage } from '../exec/executor.js';
import { HOST } from '../render/paths.js';
import type { StepEvent } from './engine.js';
import { compressStage, encryptStage, type Compression } from './stack-tools.js';

export type Emit = (e: Omit<StepEvent, 'step'>) => void;

export const backupsDir = (installDir: string) => join(installDir, HOST.backups);

/** Streams `source` through compression (and encryption) into `dir/name`, with progress against `expect` bytes. */
export async function store(
  ctx: Context,
  o: { dir: string; name: string; source: PipeStage[]; c: Compression; pass: string | null; expect: number; emit: Emit; label: string; tap?: (b: Buffer) => void; tee?: PipeStage },
): Promise<{ bytes: number; sha256: string; rawBytes: number }> {
  const stages = [...o.source, compressStage(o.c), ...(o.pass ? [encryptStage(o.pass)] : [])];
  const started = Date.now();
  let lastPct = -1;
  const r = await ctx.exec.pipe(stages, {
    outputFile: join(o.dir, o.name),
    outputMode: 0o600,
    tap: o.tap,
    ...(o.tee ? { tee: o.tee } : {}),
    onProgress: (inBytes, outBytes) => {
      const fraction = o.expect > 0 ? Math.min(0.99, inBytes / o.expect) : 0;
      const pct = Math.floor(fraction * 100);
      if (pct === lastPct) return;
      lastPct = pct;
      const secs = (Date.now() - started) / 1000;
      const rate = secs > 0 ? inBytes / secs : 0;
      o.emit({ kind: 'progress', item: o.label, fraction, text: `${o.label}: ${humanBytes(inBytes)} read, ${humanBytes(outBytes)} written, ${humanBytes(rate)}/s` });
    },
  });
  o.emit({ kind: 'progress', item: o.label, fraction: 1, text: `${o.label}: ${humanBytes(r.bytesIn)} → ${humanBytes(r.bytesOut)}` });
  return { bytes: r.bytesOut, sha256: r.sha256Out, rawBytes: r.bytesIn };
}

