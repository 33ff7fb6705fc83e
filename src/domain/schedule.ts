// Times of the backup jobs as data: the daily backup ("HH:MM"), the weekly restore drill
// ("Sun 04:00"), durations ("6h"), and the slots they fall on. Pure: `Date`'s local methods read
// the process's time zone, which is the host's (the timers run in it too).

export const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
export type Day = (typeof DAYS)[number];

export const DAILY_RE = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
export const WEEKLY_RE = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) ((?:[01]\d|2[0-3]):[0-5]\d)$/;
export const DURATION_RE = /^([1-9]\d{0,4})([mhd])$/;

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

/** The drill's default: Sunday 04:00, an hour after the default backup; moved when the backup is near (see drillSchedule). */
export const DEFAULT_DRILL = 'Sun 04:00';
/** How long after its time a scheduled backup may take before the dead-man's switch calls it missing. */
export const DEFAULT_GRACE = '6h';
/**
 * The least distance between the drill and the daily backup: both take the maintenance lock, and
 * a drill reads the disk as hard as a backup writes it. A backup still running then is waited for.
 */
export const MIN_GAP_MINUTES = 60;

export const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const hhmm = (m: number) => `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

export interface Weekly {
  day: number;
  minutes: number;
}
export function parseWeekly(s: string): Weekly | null {
  const m = WEEKLY_RE.exec(s);
  return m ? { day: DAYS.indexOf(m[1] as Day), minutes: minutesOf(m[2]!) } : null;
}

export function parseDuration(s: string): number | null {
  const m = DURATION_RE.exec(s);
  if (!m) return null;
  return Number(m[1]) * (m[2] === 'm' ? MINUTE : m[2] === 'h' ? HOUR : DAY);
}

/** Minutes between two times of day, the short way round midnight. */
export function dayGap(a: number, b: number): number {
  const d = Math.abs(a - b) % 1440;
  return Math.min(d, 1440 - d);
}

/** Whether a weekly drill at `drill` comes within MIN_GAP_MINUTES of a daily backup at `backup`. */
export function drillClashes(drill: string, backup: string): boolean {
  const w = parseWeekly(drill);
  if (!w || !DAILY_RE.test(backup)) return false;
  return dayGap(w.minutes, minutesOf(backup)) < MIN_GAP_MINUTES;
}

/**
 * The drill schedule in force: the answer, else Sunday 04:00, else (when that is near the daily
 * backup) Sunday two hours after the backup, so the default never meets it.
 */
export function drillSchedule(b: { drill?: string | undefined; schedule: string }): string {
  if (b.drill) return b.drill;
  if (!drillClashes(DEFAULT_DRILL, b.schedule)) return DEFAULT_DRILL;
  return `Sun ${hhmm(minutesOf(b.schedule) + 120)}`;
}

/** The most recent time at or before `now` that a daily `HH:MM` fell on (local time). */
export function lastDaily(schedule: string, now: Date): Date {
  const m = minutesOf(schedule);
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate(), Math.floor(m / 60), m % 60, 0, 0);
  if (d.getTime() > now.getTime()) d.setDate(d.getDate() - 1);
  return d;
}

/** The most recent time at or before `now` that a weekly slot fell on (local time). */
export function lastWeekly(w: Weekly, now: Date): Date {
  const d = new Date(
    now.getFullYear(),
    now.getMonth(),
    now.getDate(),
    Math.floor(w.minutes / 60),
    w.minutes % 60,
    0,
    0,
  );
  d.setDate(d.getDate() - ((now.getDay() - w.day + 7) % 7));
  if (d.getTime() > now.getTime()) d.setDate(d.getDate() - 7);
  return d;
}

/** systemd's OnCalendar= for a weekly slot: `Sun *-*-* 04:00:00`. */
export const weeklyCalendar = (w: Weekly) => `${DAYS[w.day]} *-*-* ${hhmm(w.minutes)}:00`;

/** `3h 5m`, `2d 4h`, `40s`: an age as the operator reads it. */
export function humanAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}
