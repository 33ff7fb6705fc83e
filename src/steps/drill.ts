// `backup drill`: the restore drill. The newest complete backup goes through the same path as
// `backup verify` (checksums, the dump loaded into a throwaway server with no network, rows and
// CHECKSUM TABLE against the manifest, the Redis snapshot loaded, every archive read, throwaways
// removed), timed part by part, and the outcome appended to .stack-wizard/drills.jsonl. A
// scheduled drill bounds its throwaways' CPU; the unit runs it under nice and ionice.
import { join } from 'node:path';
import type { Context } from '../context.js';
import { appendJsonl, type DrillRecord } from '../domain/backup-watch.js';
import { errorText } from '../errors.js';
import { HOST } from '../render/paths.js';
import { listBackups, type Emit } from './backup.js';
import { verifyBackup, type ThrowawayLimits } from './backup-verify.js';
import type { Stack } from './stack-tools.js';

export { readDrills } from './backup-history.js';

const drillLog = (installDir: string) => join(installDir, HOST.drillLog);

/** Throwaways of a scheduled drill: a quarter of the default CPU weight, at most half the cores (one at least). */
export const drillLimits = (cores: number): ThrowawayLimits => ({
  cpuShares: 256,
  cpus: Math.max(1, Math.floor(cores / 2)),
});

/**
 * Drills backup `id` (default: the newest complete one) and records the outcome; never throws for a
 * failed drill (the record says why), only for what stops it being recorded.
 */
export async function runDrill(
  ctx: Context,
  s: Stack,
  o: { id?: string; scheduled: boolean },
  emit: Emit,
): Promise<DrillRecord> {
  const t0 = Date.now();
  const at = ctx.clock().toISOString();
  const id = o.id ?? (await listBackups(ctx, s.installDir)).find((b) => b.manifest)?.id ?? null;
  let rec: DrillRecord;
  if (id === null) {
    rec = {
      at,
      id: null,
      ok: false,
      scheduled: o.scheduled,
      durationMs: 0,
      parts: {},
      database: null,
      redis: null,
      archives: [],
      error: ctx.t('dr.noBackup', { dir: join(s.installDir, HOST.backups) }),
    };
  } else {
    try {
      const r = await verifyBackup(ctx, s, id, emit, {
        limits: o.scheduled ? drillLimits(s.prepared.facts.cpu.cores) : null,
      });
      rec = {
        at,
        id,
        ok: true,
        scheduled: o.scheduled,
        durationMs: Date.now() - t0,
        parts: r.parts,
        database: r.database,
        redis: r.redis,
        archives: r.archives,
        error: null,
      };
    } catch (e) {
      const reason = ctx.exec.redact(errorText(ctx.t, e)).replace(/\s+/g, ' ').slice(0, 600);
      rec = {
        at,
        id,
        ok: false,
        scheduled: o.scheduled,
        durationMs: Date.now() - t0,
        parts: {},
        database: null,
        redis: null,
        archives: [],
        error: reason,
      };
    }
  }
  if (!ctx.exec.dryRun) {
    const path = drillLog(s.installDir);
    await ctx.exec.writeFiles([
      { path, content: appendJsonl(await ctx.exec.readFile(path).catch(() => null), rec), mode: 0o600 },
    ]);
  }
  return rec;
}
