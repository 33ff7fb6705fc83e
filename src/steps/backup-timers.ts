// The drill's and the watch's timers (render/backup-timers.ts): installed by init, refreshed by every
// `backup`, like the backup schedule; written to /etc (they name the program found at install time)
// and enabled with systemd, or cron.d entries where systemd does not run. Files of the other kind
// (systemd came or went) and the drill's when it is turned off are removed.
import type { Context } from '../context.js';
import { drillSchedule } from '../domain/schedule.js';
import { timerFiles, timerHostPaths, timerNames } from '../render/backup-timers.js';
import { wizardBin } from './backup-schedule.js';
import type { Step } from './engine.js';
import type { Prepared } from './prepare.js';
import { readNotifyState, writeNotifyState } from './notify.js';

async function desired(ctx: Context, s: Prepared) {
  const root = ctx.hostRoot;
  const { bin, stable } = await wizardBin(ctx);
  const files = timerFiles({
    project: s.plan.project,
    installDir: s.plan.installDir,
    schedule: s.plan.backup.schedule,
    drill: drillSchedule(s.answers.backup),
    bin,
    systemd: s.facts.systemd,
  });
  const present: string[] = [];
  for (const p of timerHostPaths(s.plan.project)) if (await ctx.exec.exists(root + p)) present.push(p);
  const wanted = new Set(files.map((f) => f.path));
  return { root, files, stable, present, stale: present.filter((p) => !wanted.has(p)), n: timerNames(s.plan.project) };
}

async function timerActive(ctx: Context, timer: string): Promise<boolean> {
  const r = await ctx.exec.query('systemctl', ['is-enabled', timer], { timeoutMs: 5000 });
  const a = await ctx.exec.query('systemctl', ['is-active', timer], { timeoutMs: 5000 });
  return r.stdout.trim() === 'enabled' && a.stdout.trim() === 'active';
}

/** What the timers step would change (empty when the host already matches). */
export async function timerChanges(ctx: Context, s: Prepared): Promise<string[]> {
  const d = await desired(ctx, s);
  const out: string[] = [];
  for (const f of d.files) {
    const old = await ctx.exec.readFile(d.root + f.path);
    if (old !== f.content) out.push(`${old === null ? '+' : '~'} ${f.path}`);
  }
  for (const p of d.stale) out.push(`- ${p}`);
  if (s.facts.systemd && !d.root) {
    for (const t of d.files.filter((f) => f.path.endsWith('.timer'))) {
      const name = t.path.split('/').pop()!;
      if (!(await timerActive(ctx, name))) out.push(`systemctl enable --now ${name}`);
    }
  }
  if (out.length && !d.stable) out.push(ctx.t('bk.schedUnstable'));
  return out;
}

export async function applyTimers(ctx: Context, s: Prepared): Promise<void> {
  const d = await desired(ctx, s);
  const live = s.facts.systemd && !d.root;
  for (const p of d.stale.filter((x) => x.endsWith('.timer')))
    if (live) await ctx.exec.run('systemctl', ['disable', '--now', p.split('/').pop()!], { check: false });
  for (const p of d.stale) await ctx.exec.remove(d.root + p);
  await ctx.exec.writeFiles(d.files.map((f) => ({ path: d.root + f.path, content: f.content, mode: 0o644 })));
  if (live) {
    await ctx.exec.run('systemctl', ['daemon-reload'], { timeoutMs: 60_000 });
    const timers = d.files.filter((f) => f.path.endsWith('.timer')).map((f) => f.path.split('/').pop()!);
    if (timers.length) await ctx.exec.run('systemctl', ['enable', '--now', ...timers], { timeoutMs: 60_000 });
  }
  // Backups are expected from the day the watch is installed: the days before the install are not "missing".
  const st = await readNotifyState(ctx, s.plan.installDir);
  if (!st.firstSeen) {
    st.firstSeen = ctx.clock().toISOString();
    await writeNotifyState(ctx, s.plan.installDir, st);
  }
}

/** init's step: the drill (answers backup.drill) and the dead-man's switch. */
export const backupTimersStep: Step = {
  id: 'backup-timers',
  title: 'step.backupTimers',
  async check(ctx, s) {
    if (s.factsFile) return { needed: false, changes: [] };
    const changes = await timerChanges(ctx, s);
    return { needed: changes.some((c) => !c.startsWith('!')), changes };
  },
  async apply(ctx, s) {
    await applyTimers(ctx, s);
  },
};
