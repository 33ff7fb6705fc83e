// The drill's, the watch's and the binary log archive's timers (render/backup-timers.ts): installed by init, refreshed by every
// `backup`, like the backup schedule; written to /etc (they name the program found at install time)
// and enabled with systemd, or cron.d entries where systemd does not run. Files of the other kind
// (systemd came or went) and the drill's when it is turned off are removed.
import type { Context } from '../context.js';
import { dbEngine } from '../domain/engines/index.js';
import { hostPath } from '../domain/host-paths.js';
import { drillSchedule } from '../domain/schedule.js';
import { readHostFiles } from '../host/host-files.js';
import { timerHostFiles, timerHostPaths } from '../render/backup-timers.js';
import { changes, type HostFile } from '../render/host-file.js';
import { changeLine, timerActive, wizardBin } from './backup-schedule.js';
import type { Step } from './engine.js';
import { readNotifyState, writeNotifyState } from './notify.js';
import type { Prepared } from './prepare.js';

const unitName = (path: string) => path.split('/').pop()!;

async function desired(ctx: Context, s: Prepared) {
  const root = ctx.hostRoot;
  const { bin, stable } = await wizardBin(ctx);
  const now = await readHostFiles(ctx.exec, root, timerHostPaths(s.plan.project));
  const files = timerHostFiles(
    {
      project: s.plan.project,
      installDir: s.plan.installDir,
      schedule: s.plan.backup.schedule,
      drill: drillSchedule(s.answers.backup),
      bin,
      systemd: s.facts.systemd,
      binlogs: dbEngine(s.plan.database.engine).binlog !== null,
    },
    now,
  );
  // Timers act on this machine's systemd, never under another root.
  return { root, files, stable, live: s.facts.systemd && !root };
}

/** The timers' host files as the step would write (or remove) them now: what init's preview diffs. */
export async function timerHostFilesNow(ctx: Context, s: Prepared): Promise<HostFile[]> {
  if (s.factsFile) return [];
  return (await desired(ctx, s)).files;
}

/** What the timers step would change (empty when the host already matches). */
export async function timerChanges(ctx: Context, s: Prepared): Promise<string[]> {
  const d = await desired(ctx, s);
  const out = d.files.filter(changes).map(changeLine);
  if (d.live) {
    for (const f of d.files.filter((x) => x.content !== null && x.path.endsWith('.timer'))) {
      // A timer whose file is new or changes is enabled by the apply anyway: systemctl is asked only about the others.
      if (changes(f) || !(await timerActive(ctx, unitName(f.path))))
        out.push(`systemctl enable --now ${unitName(f.path)}`);
    }
  }
  if (out.length && !d.stable) out.push(ctx.t('bk.schedUnstable'));
  return out;
}

export async function applyTimers(ctx: Context, s: Prepared): Promise<void> {
  const d = await desired(ctx, s);
  const on = (p: string) => hostPath(d.root, p);
  const removed = d.files.filter((f) => f.content === null);
  for (const f of removed.filter((x) => x.path.endsWith('.timer')))
    if (d.live) await ctx.exec.run('systemctl', ['disable', '--now', unitName(f.path)], { check: false });
  for (const f of removed) await ctx.exec.remove(on(f.path));
  const written = d.files.filter((f) => f.content !== null);
  await ctx.exec.writeFiles(written.map((f) => ({ path: on(f.path), content: f.content!, mode: f.mode })));
  if (d.live) {
    await ctx.exec.run('systemctl', ['daemon-reload'], { timeoutMs: 60_000 });
    const timers = written.filter((f) => f.path.endsWith('.timer')).map((f) => unitName(f.path));
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
    const c = await timerChanges(ctx, s);
    return { needed: c.some((x) => !x.startsWith('!')), changes: c };
  },
  async apply(ctx, s) {
    await applyTimers(ctx, s);
  },
};
