// The dead-man's switch as a pure judgement of what the host holds: the backups, the restore
// drills (.stack-wizard/drills.jsonl) and the off-site copies (.stack-wizard/remote.jsonl). The
// watch timer turns its verdicts into alerts, doctor into findings, status into ages: one rule.
import { z } from 'zod';
import { DAY, WEEK, lastDaily, parseWeekly } from './schedule.js';

const ms = z.number().int().nonnegative();

/** One restore drill, a line of drills.jsonl. */
export const DrillRecordSchema = z.strictObject({
  at: z.string(),
  /** The backup drilled; null when there was none to drill. */
  id: z.string().nullable(),
  ok: z.boolean(),
  scheduled: z.boolean(),
  durationMs: ms,
  /** Milliseconds per part: checksums, database (start, load, count, CHECKSUM TABLE), redis, archives. */
  parts: z.record(z.string(), ms),
  database: z.strictObject({ tables: ms, rows: ms, checksummed: ms, checksumSkipped: ms }).nullable(),
  redis: z.strictObject({ keys: ms }).nullable(),
  archives: z.array(z.string()),
  error: z.string().nullable(),
});
export type DrillRecord = z.infer<typeof DrillRecordSchema>;

/** One upload of a backup to the bucket, a line of remote.jsonl. */
export const RemoteRecordSchema = z.strictObject({
  at: z.string(),
  id: z.string(),
  ok: z.boolean(),
  bucket: z.string(),
  files: ms,
  bytes: ms,
  durationMs: ms,
  /** Remote backups retention deleted after this upload. */
  pruned: z.array(z.string()),
  error: z.string().nullable(),
});
export type RemoteRecord = z.infer<typeof RemoteRecordSchema>;

/** The records of a JSON-lines file that parse, oldest first (a torn last line is skipped). */
export function parseJsonl<T>(text: string | null, schema: z.ZodType<T>): T[] {
  const out: T[] = [];
  for (const line of (text ?? '').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = schema.safeParse(JSON.parse(line));
      if (r.success) out.push(r.data);
    } catch {
      // A line cut by a crash: the rest still counts.
    }
  }
  return out;
}

/** The file after appending `line`, keeping the newest `keep` lines. */
export function appendJsonl(text: string | null, record: unknown, keep = 500): string {
  const lines = (text ?? '').split('\n').filter((l) => l.trim());
  lines.push(JSON.stringify(record));
  return `${lines.slice(-keep).join('\n')}\n`;
}

export interface WatchInput {
  now: Date;
  /** backup.schedule: "HH:MM" or "off". */
  schedule: string;
  graceMs: number;
  /** The drill schedule in force ("Sun 04:00") or "off". */
  drill: string;
  /** Complete backups' IDs and creation times. */
  backups: readonly { id: string; createdAt: string }[];
  drills: readonly DrillRecord[];
  remote: readonly RemoteRecord[];
  /** Whether backup.s3 is set. */
  s3: boolean;
  /** Since when backups are expected (the first watch, else the install): earlier slots are not judged. */
  expectSince: Date | null;
}

export type WatchCondition =
  | { id: 'backup-missing'; firing: boolean; due: string | null; newest: { id: string; at: string } | null }
  | { id: 'drill-failed'; firing: boolean; last: DrillRecord | null }
  | { id: 'drill-stale'; firing: boolean; lastOk: DrillRecord | null; ageMs: number | null }
  | { id: 'remote-failed'; firing: boolean; last: RemoteRecord | null };

const newestBy = <T extends { at: string }>(xs: readonly T[], f: (x: T) => boolean = () => true): T | null =>
  xs.filter(f).reduce<T | null>((a, b) => (a === null || Date.parse(b.at) >= Date.parse(a.at) ? b : a), null);

/** Every condition the switch watches, firing or not. */
export function watchConditions(w: WatchInput): WatchCondition[] {
  const out: WatchCondition[] = [];
  const newest = w.backups.reduce<{ id: string; at: string } | null>(
    (a, b) => (a === null || b.createdAt > a.at ? { id: b.id, at: b.createdAt } : a),
    null,
  );

  // A backup is due at the schedule's last slot whose grace has passed; it must have started after that slot.
  if (w.schedule === 'off') out.push({ id: 'backup-missing', firing: false, due: null, newest });
  else {
    const slot = lastDaily(w.schedule, new Date(w.now.getTime() - w.graceMs));
    const judged = w.expectSince === null || slot.getTime() >= w.expectSince.getTime();
    const firing = judged && (newest === null || Date.parse(newest.at) < slot.getTime());
    out.push({ id: 'backup-missing', firing, due: judged ? slot.toISOString() : null, newest });
  }

  const last = newestBy(w.drills);
  out.push({ id: 'drill-failed', firing: last !== null && !last.ok, last });

  // Two drill periods (plus the grace) without a drill that passed: the drill itself is not running.
  const weekly = w.drill === 'off' ? null : parseWeekly(w.drill);
  const lastOk = newestBy(w.drills, (d) => d.ok);
  const from = lastOk ? Date.parse(lastOk.at) : (w.expectSince?.getTime() ?? null);
  const ageMs = from === null ? null : w.now.getTime() - from;
  out.push({
    id: 'drill-stale',
    firing: weekly !== null && ageMs !== null && ageMs > 2 * WEEK + w.graceMs,
    lastOk,
    ageMs,
  });

  const lastRemote = newestBy(w.remote);
  out.push({ id: 'remote-failed', firing: w.s3 && lastRemote !== null && !lastRemote.ok, last: lastRemote });
  return out;
}

/** When a backup older than this is "old" for status's colouring: a day and the grace (the schedule is daily). */
export const backupStaleMs = (graceMs: number) => DAY + graceMs;
