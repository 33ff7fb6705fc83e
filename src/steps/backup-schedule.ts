// The backup schedule (answers backup.schedule, "HH:MM" or "off"): installed by init (a step) and
// refreshed by every `backup`. Its files come from render/backup-schedule.ts as host files (init's
// preview diffs them); this step writes them and has systemd enable the timer.
import type { Context } from '../context.js';
import { ownScript } from '../host/self.js';
import { hostPath } from '../domain/host-paths.js';
import { scheduleHostFiles, scheduleHostPaths, scheduleNames } from '../render/backup-schedule.js';
import { changes, type HostFile } from '../render/host-file.js';
import { readHostFiles } from '../host/host-files.js';
import type { Step } from './engine.js';
import type { Prepared } from './prepare.js';
import { hostError } from '../errors.js';
import { notRootOnly, programNotRootOnly } from '../exec/safe-fs.js';

export { scheduleFiles, scheduleNames } from '../render/backup-schedule.js';

/**
 * The program to schedule: `stack-wizard` on PATH (a global install, kept current by upgrades),
 * else this Node and this script by their real paths. Null when neither is stable (an npx cache).
 * The timer runs it as root, so it must run only files root alone can change (#15.6): a program
 * that is not is `untrusted` (the path at fault), and the schedule is refused.
 */
export async function wizardBin(ctx: Context): Promise<{ bin: string[]; stable: boolean; untrusted: string | null }> {
  const r = await ctx.exec.query('sh', ['-c', 'command -v stack-wizard'], { timeoutMs: 5000 });
  const found = r.stdout.trim();
  if (r.exitCode === 0 && found.startsWith('/') && !programNotRootOnly(found)) return { bin: [found], stable: true, untrusted: null };
  const script = ownScript();
  return { bin: [process.execPath, script], stable: !/\/_npx\//.test(script), untrusted: notRootOnly(process.execPath) ?? notRootOnly(script) };
}

async function desired(ctx: Context, s: Prepared) {
  const root = ctx.hostRoot;
  const n = scheduleNames(s.plan.project);
  const off = s.plan.backup.schedule === 'off';
  const { bin, stable, untrusted } = await wizardBin(ctx);
  const now = await readHostFiles(ctx.exec, root, scheduleHostPaths(s.plan.project));
  const files = scheduleHostFiles({ project: s.plan.project, installDir: s.plan.installDir, schedule: s.plan.backup.schedule, bin, systemd: s.facts.systemd, off }, now);
  return { root, n, off, files, stable, untrusted, systemd: s.facts.systemd && !off };
}

/** The schedule's host files as the step would write (or remove) them now: what init's preview diffs. */
export async function scheduleHostFilesNow(ctx: Context, s: Prepared): Promise<HostFile[]> {
  if (s.factsFile) return [];
  return (await desired(ctx, s)).files;
}

/** Whether systemd has this timer enabled and running (the schedule's and the drill's timers). */
export async function timerActive(ctx: Context, timer: string): Promise<boolean> {
  const r = await ctx.exec.query('systemctl', ['is-enabled', timer], { timeoutMs: 5000 });
  const a = await ctx.exec.query('systemctl', ['is-active', timer], { timeoutMs: 5000 });
  return r.stdout.trim() === 'enabled' && a.stdout.trim() === 'active';
}

/** A host file's change as the preview lists it: - removed, + new, ~ changed. */
export const changeLine = (f: HostFile) => `${f.content === null ? '-' : f.old === null ? '+' : '~'} ${f.path}`;

/** What the schedule step would change (empty when the host already matches). */
export async function scheduleChanges(ctx: Context, s: Prepared): Promise<string[]> {
  const d = await desired(ctx, s);
  const out = d.files.filter(changes).map(changeLine);
  if (d.off) return out;
  if (d.systemd && !d.root && !(await timerActive(ctx, d.n.timer))) out.push(`systemctl enable --now ${d.n.timer}`);
  if (out.length && !d.stable) out.push(ctx.t('bk.schedUnstable'));
  if (out.length && d.untrusted) out.push(ctx.t('bk.schedUntrusted', { path: d.untrusted }));
  return out;
}

export async function applySchedule(ctx: Context, s: Prepared): Promise<void> {
  const d = await desired(ctx, s);
  const on = (p: string) => hostPath(d.root, p);
  const removed = d.files.filter((f) => f.content === null);
  if (d.off) {
    if (s.facts.systemd && !d.root && removed.some((f) => f.path.endsWith('.timer'))) await ctx.exec.run('systemctl', ['disable', '--now', d.n.timer], { check: false });
    for (const f of removed) await ctx.exec.remove(on(f.path));
    if (s.facts.systemd && !d.root && removed.length) await ctx.exec.run('systemctl', ['daemon-reload'], { check: false });
    return;
  }
  // Root's timer must not run what another user can change (a sudoer's nvm Node).
  if (d.untrusted) throw hostError('err.bk.schedUntrusted', { path: d.untrusted });
  await ctx.exec.writeFiles(d.files.filter((f) => f.content !== null).map((f) => ({ path: on(f.path), content: f.content!, mode: f.mode })));
  for (const f of removed) await ctx.exec.remove(on(f.path));
  if (d.systemd && !d.root) {
    await ctx.exec.run('systemctl', ['daemon-reload'], { timeoutMs: 60_000 });
    await ctx.exec.run('systemctl', ['enable', '--now', d.n.timer], { timeoutMs: 60_000 });
  }
}

/** init's step: the schedule of answers backup.schedule. */
export const backupScheduleStep: Step = {
  id: 'backup-schedule',
  title: 'step.backupSchedule',
  async check(ctx, s) {
    // A render for another host (--host-facts) says nothing about this one's systemd.
    if (s.factsFile) return { needed: false, changes: [] };
    const changes = await scheduleChanges(ctx, s);
    return { needed: changes.some((c) => !c.startsWith('!')), changes };
  },
  async apply(ctx, s) {
    await applySchedule(ctx, s);
  },
};
