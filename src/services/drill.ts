// Use case: `backup drill`: the restore drill of the newest backup (or one named), timed part by
// part, recorded in .stack-wizard/drills.jsonl; a failure alerts (notify) and exits 1, a pass after
// a failure sends the recovery once. The weekly timer runs it with `scheduled` (bounded throwaways).
import type { Context } from '../context.js';
import type { DrillRecord } from '../domain/backup-watch.js';
import { event } from '../domain/notify/events.js';
import { runDrill } from '../steps/drill.js';
import { reportEvents } from '../steps/notify.js';
import { progressPrinter, withStack, withStackWaiting, type StackSelector } from './stack.js';

const secs = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);

/** The drill's outcome as the operator reads it: what passed, and how long each part took. */
export function formatDrill(ctx: Context, d: DrillRecord): string {
  if (!d.ok) return `${ctx.t('dr.failed', { id: d.id ?? '-', seconds: secs(d.durationMs), reason: d.error ?? '-' })}\n`;
  const p = d.parts;
  const lines = [
    ctx.t('dr.passed', { id: d.id ?? '-', seconds: secs(d.durationMs) }),
    `  ${ctx.t('dr.parts', { checksums: secs(p.checksums), database: secs(p.database), load: secs(p['database-load']), sums: secs(p['database-checksum']), redis: secs(p.redis), archives: secs(p.archives) })}`,
    `  ${ctx.t('dr.content', { tables: d.database?.tables ?? 0, rows: d.database?.rows ?? 0, checksummed: d.database?.checksummed ?? 0, skipped: d.database?.checksumSkipped ?? 0, keys: d.redis?.keys ?? 0, archives: d.archives.length })}`,
  ];
  return `${lines.join('\n')}\n`;
}

export interface DrillOptions {
  stack: StackSelector;
  id?: string;
  scheduled: boolean;
  json: boolean;
}

export async function backupDrill(ctx: Context, o: DrillOptions): Promise<number> {
  const emit = progressPrinter(ctx);
  // Throwaway containers only; the lock keeps a backup (or a verify) from running beside it.
  return (o.scheduled ? withStackWaiting : withStack)(
    ctx,
    o.stack,
    'backup drill',
    async (s) => {
      if (ctx.exec.dryRun) {
        ctx.io.out(`${ctx.t('dr.dryRun', { id: o.id ?? ctx.t('dr.newest') })}\n`);
        return 0;
      }
      ctx.io.out(`→ ${ctx.t('dr.starting', { id: o.id ?? ctx.t('dr.newest') })}\n`);
      const d = await runDrill(ctx, s, { ...(o.id ? { id: o.id } : {}), scheduled: o.scheduled }, emit);
      await reportEvents(ctx, s.prepared.answers, s.installDir, s.prepared.facts.hostname, [
        { firing: !d.ok, event: event('drill-failed', { id: d.id ?? '-', reason: d.error ?? '-' }) },
      ]);
      ctx.io.out(o.json ? `${JSON.stringify(d, null, 2)}\n` : formatDrill(ctx, d));
      return d.ok ? 0 : 1;
    },
    { refuse: false },
  );
}
