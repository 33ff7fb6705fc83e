// Use case: the stack's services as the Engine sees them (`status`, the menu's Status).
import type { Context } from '../context.js';
import { findStack, stackStatus, type StackStatus } from '../steps/stack-status.js';
import type { StackSelector } from './stack.js';

export type { StackStatus };

const MiB = 1024 * 1024;

function uptime(s: number | null): string {
  if (s === null) return '-';
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export function formatStatus(ctx: Context, st: StackStatus): string {
  const { t } = ctx;
  const rows = st.services.map((x) => [
    x.service,
    x.state,
    x.health,
    uptime(x.uptimeSeconds),
    x.memory.usedBytes === null ? '-' : `${Math.round(x.memory.usedBytes / MiB)}/${x.memory.limitBytes ? Math.round(x.memory.limitBytes / MiB) : '∞'} MiB`,
    x.cpu.percent === null ? '-' : `${x.cpu.percent}%${x.cpu.limitCpus ? `/${x.cpu.limitCpus * 100}%` : ''}`,
    x.ports.map((p) => `${p.hostIp && p.hostIp !== '0.0.0.0' ? `${p.hostIp}:` : ''}${p.hostPort}→${p.containerPort}`).join(' ') || '-',
    x.image ?? '-',
  ]);
  const head = [t('status.service'), t('status.state'), t('status.health'), t('status.uptime'), t('status.memory'), t('status.cpu'), t('status.ports'), t('status.image')];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ');
  const out = [t('status.header', { project: st.project, dir: st.installDir }), line(head), ...rows.map(line)];
  for (const x of st.services) if (x.digest) out.push(`  ${x.service}: ${x.digest}`);
  out.push(st.healthy ? t('status.allHealthy') : t('status.notHealthy', { services: st.services.filter((x) => !(x.state === 'running' && (x.health === 'healthy' || x.health === 'none'))).map((x) => x.service).join(', ') }));
  return `${out.join('\n')}\n`;
}

export async function showStatus(ctx: Context, o: { stack: StackSelector; json: boolean }): Promise<number> {
  const ref = await findStack(ctx, { answersFile: o.stack.answersFile, project: o.stack.project });
  const st = await stackStatus(ctx, ref);
  ctx.io.out(o.json ? `${JSON.stringify(st, null, 2)}\n` : formatStatus(ctx, st));
  return 0;
}
