// Use case: `backup watch`: the dead-man's switch's run (its hourly timer calls it): backups,
// drills and off-site copies judged against their schedules, the host's events from doctor's
// evidence, alerts sent through notify with de-duplication. Read-only for the stack: no lock.
import type { Context } from '../context.js';
import { runWatch } from '../steps/watch.js';
import { withStack, type StackSelector } from './stack.js';

export interface WatchOptions {
  stack: StackSelector;
  json: boolean;
  host: boolean;
}

export async function backupWatch(ctx: Context, o: WatchOptions): Promise<number> {
  return withStack(
    ctx,
    o.stack,
    'backup watch',
    async (s) => {
      const r = await runWatch(ctx, s, { host: o.host });
      const firing = r.observations.filter((x) => x.firing);
      if (o.json) {
        ctx.io.out(
          `${JSON.stringify(
            {
              firing: firing.map((x) => ({
                key: x.event.key,
                kind: x.event.kind,
                severity: x.event.severity,
                params: x.event.params,
              })),
              sent: r.sent.map((x) => ({
                key: x.key,
                send: x.send,
                channels: x.results.map((c) => ({ channel: c.channel, ok: c.ok, answer: c.answer })),
              })),
              hostChecks: r.host,
            },
            null,
            2,
          )}\n`,
        );
      } else {
        ctx.io.out(
          `${firing.length ? ctx.t('wt.firing', { count: firing.length }) : ctx.t('wt.allOk', { count: r.observations.length })}\n`,
        );
        for (const x of firing) ctx.io.out(`  ! ${x.event.key}\n`);
        for (const x of r.sent)
          ctx.io.out(
            `  → ${ctx.t('wt.sent', { key: x.key, send: x.send, ok: x.results.filter((c) => c.ok).length, total: x.results.length })}\n`,
          );
      }
      // The watch did its job (what it found went out as alerts): its timer's unit does not turn "failed" for it.
      return 0;
    },
    { lock: false, refuse: false },
  );
}
