// The plan as the operator checks it first: per-service memory and CPU, the reserve and the total.
// init's preview and render print it.
import type { Context } from '../context.js';
import type { Plan } from '../domain/plan.js';

/** Per-service memory and CPU, the reserve and the total: what the operator checks first. */
export function planSummary(ctx: Context, plan: Plan): string {
  const { t } = ctx;
  const s = plan.sizing;
  const lines = [
    t('plan.header', {
      project: plan.project,
      preset: s.requestedPreset,
      tier: s.tier,
      ram: s.hostRamMiB,
      cores: s.cores,
    }),
  ];
  const w = Math.max(...plan.services.map((x) => x.name.length));
  for (const x of plan.services) {
    lines.push(`  ${x.name.padEnd(w)}  ${String(x.memoryMiB).padStart(6)} MiB  ${String(x.cpus).padStart(5)} CPU  ${x.image}`);
  }
  const used = plan.services.reduce((n, x) => n + x.memoryMiB, 0);
  lines.push(t('plan.total', { used, reserve: s.reserveMiB, sum: used + s.reserveMiB, plan: s.planRamMiB }));
  const db = plan.database;
  lines.push(t('plan.mysql', { engine: db.engine, version: db.version, pool: db.bufferPoolMiB, conns: db.maxConnections, worst: db.worstCaseMiB }));
  if (plan.redis) lines.push(t('plan.redis', { max: plan.redis.maxmemoryMiB, policy: plan.redis.policy }));
  lines.push(t('plan.app', { runtime: plan.app.runtime, workers: plan.app.workers }));
  for (const w of plan.warnings) lines.push(`! ${ctx.t(w.key as never, w.params)}`);
  return `${lines.join('\n')}\n`;
}
