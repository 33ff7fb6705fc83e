// The backup schedule's host files (answers backup.schedule, "HH:MM" or "off"): a systemd service
// and timer where systemd runs, a cron.d entry where it does not. They name the stack-wizard
// program as found at install time, so they go to /etc rather than into the install dir.
import { join } from 'node:path';
import serviceTemplate from '../../templates/backup.service.tmpl';
import timerTemplate from '../../templates/backup.timer.tmpl';
import cronTemplate from '../../templates/backup.cron.tmpl';
import { SYS } from '../domain/host-paths.js';
import { HOST } from './paths.js';
import { fill } from './template.js';
import { hostFile, type HostFile } from './host-file.js';
import { commentText, cronCommand, cronShell, shQuote, unitArg, unitValue } from './format/quote.js';

export function scheduleNames(project: string) {
  const base = `stack-wizard-${project}-backup`;
  return { service: `${base}.service`, timer: `${base}.timer`, cron: base };
}

/** Every file a schedule of `project` may have on the host, of either kind. */
export function scheduleHostPaths(project: string): string[] {
  const n = scheduleNames(project);
  return [join(SYS.systemdDir, n.service), join(SYS.systemdDir, n.timer), join(SYS.cronDir, n.cron)];
}

/** The command a scheduled run executes: the program, `backup --scheduled`, the stack's answers file. */
export const scheduledArgv = (bin: readonly string[], installDir: string) => [...bin, 'backup', '--scheduled', '--answers', join(installDir, HOST.answers)];

export interface ScheduleFiles { files: { path: string; content: string }[]; kind: 'systemd' | 'cron' }

export interface ScheduleInput { project: string; installDir: string; schedule: string; bin: readonly string[]; systemd: boolean }

/** The unit files (or cron entry) for a schedule; pure. */
export function scheduleFiles(o: ScheduleInput): ScheduleFiles {
  const n = scheduleNames(o.project);
  const argv = scheduledArgv(o.bin, o.installDir);
  // The time goes into OnCalendar= and cron's minute and hour fields: digits only, whatever the caller passed.
  if (!/^(?:[01]\d|2[0-3]):[0-5]\d$/.test(o.schedule)) throw new Error(`backup schedule: ${JSON.stringify(o.schedule)} is not HH:MM`);
  const [hh, mm] = o.schedule.split(':');
  if (o.systemd) {
    // Values quoted for where they land (format/quote.ts), though the answers allow none that need it.
    const project = unitValue(o.project);
    const service = fill(serviceTemplate, { project, installDir: unitValue(o.installDir), execStart: argv.map(unitArg).join(' ') });
    const timer = fill(timerTemplate, { project, service: unitValue(n.service), schedule: unitValue(o.schedule), hh: hh!, mm: mm! });
    return { kind: 'systemd', files: [{ path: join(SYS.systemdDir, n.service), content: service }, { path: join(SYS.systemdDir, n.timer), content: timer }] };
  }
  const log = join(o.installDir, 'logs', 'backup-cron.log');
  const cron = fill(cronTemplate, {
    project: commentText(o.project),
    schedule: commentText(o.schedule),
    minute: Number(mm),
    hour: Number(hh),
    command: cronCommand(argv),
    log: cronShell(shQuote(log)),
  });
  return { kind: 'cron', files: [{ path: join(SYS.cronDir, n.cron), content: cron }] };
}

/**
 * The schedule's host files against what the host has (`now`: each of scheduleHostPaths, null when
 * absent): the units or the cron entry to write, and the other kind's files to remove (systemd came
 * or went); with the schedule off, every file there is removed.
 */
export function scheduleHostFiles(o: ScheduleInput & { off: boolean }, now: Readonly<Record<string, string | null>>): HostFile[] {
  const present = scheduleHostPaths(o.project).filter((p) => (now[p] ?? null) !== null);
  if (o.off) return present.map((p) => hostFile(p, null, now[p]!));
  const f = scheduleFiles(o);
  const mine = new Set(f.files.map((x) => x.path));
  return [...f.files.map((x) => hostFile(x.path, x.content, now[x.path] ?? null)), ...present.filter((p) => !mine.has(p)).map((p) => hostFile(p, null, now[p]!))];
}
