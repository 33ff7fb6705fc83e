// Use case: the stack's services as the Engine sees them (`status`, the menu's Status).
import type { Context } from '../context.js';
import { humanBytes } from '../domain/backup.js';
import { memoryChart } from '../domain/memory-bar.js';
import { backupStaleMs } from '../domain/backup-watch.js';
import { DEFAULT_GRACE, humanAge, parseDuration } from '../domain/schedule.js';
import { listBackups } from '../steps/backup.js';
import { backupHistory } from '../steps/backup-history.js';
import { findStack, stackStatus, type StackStatus } from '../steps/stack-status.js';
import type { StackSelector } from './stack.js';
import { isSwarmStack, readSwarmStatus } from '../steps/swarm-deploy.js';
import type { SwarmStatus } from '../domain/swarm.js';

export type { StackStatus };

/** The last backup, drill and off-site copy, with their ages (`status`, the menu's Status). */
export interface BackupStatus {
  lastBackup: { id: string; createdAt: string; ageSeconds: number; bytes: number; stale: boolean } | null;
  lastDrill: { id: string | null; at: string; ageSeconds: number; ok: boolean; durationMs: number; error: string | null } | null;
  lastRemote: { id: string; at: string; ageSeconds: number; ok: boolean; bucket: string; error: string | null } | null;
}

export async function backupStatus(ctx: Context, installDir: string, graceMs = parseDuration(DEFAULT_GRACE)!): Promise<BackupStatus> {
  const now = ctx.clock().getTime();
  const age = (at: string) => Math.max(0, Math.round((now - Date.parse(at)) / 1000));
  const b = (await listBackups(ctx, installDir)).find((x) => x.manifest);
  const h = await backupHistory(ctx, installDir);
  const d = h.drills.at(-1);
  const r = h.remote.at(-1);
  return {
    lastBackup: b ? { id: b.id, createdAt: b.createdAt, ageSeconds: age(b.createdAt), bytes: b.bytes, stale: now - Date.parse(b.createdAt) > backupStaleMs(graceMs) } : null,
    lastDrill: d ? { id: d.id, at: d.at, ageSeconds: age(d.at), ok: d.ok, durationMs: d.durationMs, error: d.error } : null,
    lastRemote: r ? { id: r.id, at: r.at, ageSeconds: age(r.at), ok: r.ok, bucket: r.bucket, error: r.error } : null,
  };
}

export function formatBackupStatus(ctx: Context, b: BackupStatus): string {
  const { t } = ctx;
  const lines = [
    b.lastBackup
      ? `${b.lastBackup.stale ? '!' : '✓'} ${t('status.lastBackup', { id: b.lastBackup.id, age: humanAge(b.lastBackup.ageSeconds * 1000), size: humanBytes(b.lastBackup.bytes) })}`
      : `! ${t('status.noBackup')}`,
    b.lastDrill
      ? `${b.lastDrill.ok ? '✓' : '✗'} ${t(b.lastDrill.ok ? 'status.lastDrill' : 'status.lastDrillFailed', { id: b.lastDrill.id ?? '-', age: humanAge(b.lastDrill.ageSeconds * 1000), seconds: (b.lastDrill.durationMs / 1000).toFixed(1), error: b.lastDrill.error ?? '-' })}`
      : `- ${t('status.noDrill')}`,
    ...(b.lastRemote
      ? [`${b.lastRemote.ok ? '✓' : '✗'} ${t(b.lastRemote.ok ? 'status.lastRemote' : 'status.lastRemoteFailed', { id: b.lastRemote.id, age: humanAge(b.lastRemote.ageSeconds * 1000), bucket: b.lastRemote.bucket, error: b.lastRemote.error ?? '-' })}`]
      : []),
  ];
  return `${lines.join('\n')}\n`;
}

const MiB = 1024 * 1024;

function uptime(s: number | null): string {
  if (s === null) return '-';
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** Each service's memory now as a bar inside the host's RAM (#22.17); none when the host's RAM is unknown. */
export function formatMemoryBars(ctx: Context, st: StackStatus): string {
  if (!st.hostRamBytes) return '';
  const mib = (b: number | null) => (b === null ? null : Math.round(b / MiB));
  const rows = st.services.map((x) => ({ name: x.service, limitMiB: mib(x.memory.limitBytes), usedMiB: x.state === 'running' ? mib(x.memory.usedBytes) : null, stopped: x.state !== 'running' }));
  return `${memoryChart(ctx.t, { hostMiB: Math.round(st.hostRamBytes / MiB), rows, live: true, indent: '' }).join('\n')}\n`;
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

/** `bars`: draw the memory bars (a terminal or the wizard's screen); plain lines for a pipe or a log, none in --json. */
export async function showStatus(ctx: Context, o: { stack: StackSelector; json: boolean; bars?: boolean }): Promise<number> {
  const ref = await findStack(ctx, { answersFile: o.stack.answersFile, project: o.stack.project });
  if (await isSwarmStack(ctx, ref.installDir)) {
    const sw = await readSwarmStatus(ctx, ref.project, ref.installDir);
    const backups = await backupStatus(ctx, ref.installDir);
    ctx.io.out(o.json ? `${JSON.stringify({ swarm: sw, backups }, null, 2)}\n` : `${formatSwarmStatus(ctx, sw)}${formatBackupStatus(ctx, backups)}`);
    return 0;
  }
  const st = await stackStatus(ctx, ref);
  const backups = await backupStatus(ctx, ref.installDir);
  const bars = o.bars && !o.json ? formatMemoryBars(ctx, st) : '';
  ctx.io.out(o.json ? `${JSON.stringify({ ...st, backups }, null, 2)}\n` : `${formatStatus(ctx, st)}${bars}${formatBackupStatus(ctx, backups)}`);
  return 0;
}

/** A swarm stack: per service its replicas and update state, then its tasks per node; nodes not ready last. */
export function formatSwarmStatus(ctx: Context, st: SwarmStatus): string {
  const { t } = ctx;
  const out = [t('status.swarm.head', { project: st.project, count: st.services.length })];
  for (const s of st.services) {
    const update = s.update && s.update !== 'completed' ? `, ${s.update}${s.updateMessage ? `: ${s.updateMessage}` : ''}` : '';
    const mark = s.desired > 0 && s.running >= s.desired ? '✓' : '✗';
    out.push(`${mark} ${t('status.swarm.service', { service: s.name, running: s.running, desired: s.desired, mode: s.mode, update })}`);
    for (const [node, states] of Object.entries(s.tasks).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      out.push(t('status.swarm.tasks', { node, tasks: states.join(', ') }));
  }
  for (const n of st.nodesDown) out.push(`! ${t('status.swarm.nodeDown', { node: n.hostname, state: `${n.state}/${n.availability}` })}`);
  out.push(st.healthy ? t('status.allHealthy') : t('status.notHealthy', { services: st.services.filter((s) => s.running < s.desired || s.desired === 0).map((s) => s.name).join(', ') || '-' }));
  return `${out.join('\n')}\n`;
}
