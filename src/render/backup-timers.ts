// The host files of the restore drill (answers backup.drill, weekly), of the dead-man's switch
// (the watch, hourly) and of the binary log archive (every 15 minutes, #18.3): systemd services and timers where systemd runs, cron.d entries where it
// does not, as for the backup schedule. Pure: the program to run, the schedules, the host's init
// system and the live files come in; HostFiles go out (steps/backup-timers.ts writes them).
import { cronCommand, cronShell, shQuote, unitArg, unitValue } from './format/quote.js';
import { join } from 'node:path';
import drillService from '../../templates/drill.service.tmpl';
import drillTimer from '../../templates/drill.timer.tmpl';
import drillCron from '../../templates/drill.cron.tmpl';
import watchService from '../../templates/watch.service.tmpl';
import watchTimer from '../../templates/watch.timer.tmpl';
import watchCron from '../../templates/watch.cron.tmpl';
import binlogsService from '../../templates/binlogs.service.tmpl';
import binlogsTimer from '../../templates/binlogs.timer.tmpl';
import binlogsCron from '../../templates/binlogs.cron.tmpl';
import { SYS } from '../domain/host-paths.js';
import { minutesOf, parseWeekly, weeklyCalendar } from '../domain/schedule.js';
import { hostFile, type HostFile } from './host-file.js';
import { HOST } from './paths.js';
import { fill } from './template.js';

const SYSTEMD_DIR = SYS.systemdDir;
const CRON_DIR = SYS.cronDir;

export function timerNames(project: string) {
  const drill = `stack-wizard-${project}-drill`;
  const watch = `stack-wizard-${project}-watch`;
  const binlogs = `stack-wizard-${project}-binlogs`;
  return {
    drill: { service: `${drill}.service`, timer: `${drill}.timer`, cron: drill },
    watch: { service: `${watch}.service`, timer: `${watch}.timer`, cron: watch },
    binlogs: { service: `${binlogs}.service`, timer: `${binlogs}.timer`, cron: binlogs },
  };
}

/** Every file these timers may have on the host, of either kind. */
export function timerHostPaths(project: string): string[] {
  const n = timerNames(project);
  return [n.drill, n.watch, n.binlogs].flatMap((x) => [
    join(SYSTEMD_DIR, x.service),
    join(SYSTEMD_DIR, x.timer),
    join(CRON_DIR, x.cron),
  ]);
}

export const drillArgv = (bin: readonly string[], installDir: string) => [
  ...bin,
  'backup',
  'drill',
  '--scheduled',
  '--answers',
  join(installDir, HOST.answers),
];
export const watchArgv = (bin: readonly string[], installDir: string) => [
  ...bin,
  'backup',
  'watch',
  '--answers',
  join(installDir, HOST.answers),
];

export const binlogsArgv = (bin: readonly string[], installDir: string) => [
  ...bin,
  'backup',
  'binlogs',
  '--answers',
  join(installDir, HOST.answers),
];

export interface TimerInput {
  project: string;
  installDir: string;
  /** backup.schedule ("HH:MM" or "off"): the watch runs at the half hour from it. */
  schedule: string;
  /** The drill schedule in force ("Sun 04:00" or "off"). */
  drill: string;
  bin: readonly string[];
  systemd: boolean;
  /** The database engine keeps a binary log to archive (both engines do; a stack without one has none). */
  binlogs: boolean;
}

export interface TimerFile {
  path: string;
  content: string;
  unit: 'drill' | 'watch' | 'binlogs';
}

/**
 * The files wanted now: the drill's unless the drill is off; the watch's always (it also watches
 * the disk, the containers and the certificate, whatever the backup schedule says); the binary
 * log archive's where the engine keeps one (its run does nothing until a backup gives it a base).
 */
export function timerFiles(o: TimerInput): TimerFile[] {
  const n = timerNames(o.project);
  const out: TimerFile[] = [];
  const log = cronShell(shQuote(join(o.installDir, 'logs', 'backup-cron.log')));
  // The watch's minute: half an hour from the backup's, so the two never start together.
  const watchMinute = ((o.schedule === 'off' ? 17 : minutesOf(o.schedule) % 60) + 30) % 60;
  const w = o.drill === 'off' ? null : parseWeekly(o.drill);
  // The archive's first minute of the quarter: 7 from the backup's, so the two rarely meet (a run
  // that finds the backup's lock held leaves the files to the backup, which archives them itself).
  const binlogMinute = ((o.schedule === 'off' ? 0 : minutesOf(o.schedule) % 60) + 7) % 15;
  const binlogs = o.binlogs
    ? o.systemd
      ? [
          {
            unit: 'binlogs' as const,
            path: join(SYSTEMD_DIR, n.binlogs.service),
            content: fill(binlogsService, {
              project: o.project,
              installDir: unitValue(o.installDir),
              execStart: binlogsArgv(o.bin, o.installDir).map(unitArg).join(' '),
            }),
          },
          {
            unit: 'binlogs' as const,
            path: join(SYSTEMD_DIR, n.binlogs.timer),
            content: fill(binlogsTimer, { project: o.project, service: n.binlogs.service, minute: String(binlogMinute).padStart(2, '0') }),
          },
        ]
      : [
          {
            unit: 'binlogs' as const,
            path: join(CRON_DIR, n.binlogs.cron),
            content: fill(binlogsCron, { project: o.project, minute: binlogMinute, command: cronCommand(binlogsArgv(o.bin, o.installDir)), log }),
          },
        ]
    : [];
  if (o.systemd) {
    if (w) {
      out.push({
        unit: 'drill',
        path: join(SYSTEMD_DIR, n.drill.service),
        content: fill(drillService, {
          project: o.project,
          installDir: unitValue(o.installDir),
          execStart: drillArgv(o.bin, o.installDir).map(unitArg).join(' '),
        }),
      });
      out.push({
        unit: 'drill',
        path: join(SYSTEMD_DIR, n.drill.timer),
        content: fill(drillTimer, {
          project: o.project,
          service: n.drill.service,
          schedule: o.drill,
          calendar: weeklyCalendar(w),
        }),
      });
    }
    out.push({
      unit: 'watch',
      path: join(SYSTEMD_DIR, n.watch.service),
      content: fill(watchService, {
        project: o.project,
        installDir: unitValue(o.installDir),
        execStart: watchArgv(o.bin, o.installDir).map(unitArg).join(' '),
      }),
    });
    out.push({
      unit: 'watch',
      path: join(SYSTEMD_DIR, n.watch.timer),
      content: fill(watchTimer, {
        project: o.project,
        service: n.watch.service,
        minute: String(watchMinute).padStart(2, '0'),
      }),
    });
    return [...out, ...binlogs];
  }
  if (w) {
    out.push({
      unit: 'drill',
      path: join(CRON_DIR, n.drill.cron),
      content: fill(drillCron, {
        project: o.project,
        schedule: o.drill,
        minute: w.minutes % 60,
        hour: Math.floor(w.minutes / 60),
        weekday: w.day,
        command: cronCommand(drillArgv(o.bin, o.installDir)),
        log,
      }),
    });
  }
  out.push({
    unit: 'watch',
    path: join(CRON_DIR, n.watch.cron),
    content: fill(watchCron, {
      project: o.project,
      minute: watchMinute,
      command: cronCommand(watchArgv(o.bin, o.installDir)),
      log,
    }),
  });
  return [...out, ...binlogs];
}

/**
 * The timers' host files against what the host has (`now`: each of timerHostPaths, null when
 * absent): the files wanted, and the rest of timerHostPaths that exist removed (the drill turned
 * off, systemd came or went).
 */
export function timerHostFiles(o: TimerInput, now: Readonly<Record<string, string | null>>): HostFile[] {
  const want = timerFiles(o);
  const mine = new Set(want.map((f) => f.path));
  const stale = timerHostPaths(o.project).filter((p) => (now[p] ?? null) !== null && !mine.has(p));
  return [
    ...want.map((f) => hostFile(f.path, f.content, now[f.path] ?? null)),
    ...stale.map((p) => hostFile(p, null, now[p]!)),
  ];
}
