// The restore journal: a small file written (atomically) before each phase of a restore, so a
// restore that was killed (SIGKILL, power loss) is seen by the next run and finished or rolled
// back. Pure: the phases, which moves are legal, and what to do with a journal left behind.
import { z } from 'zod';
import { parseJsonAs } from './json.js';

/**
 * begun       journal written, nothing changed yet (the safety backup is being taken)
 * safety      the safety backup of the current state is complete (its ID is recorded)
 * stopped     the app side is stopped: from here on the live data is being replaced
 * restoring   parts being replaced; `done` lists the finished ones (database, redis, volume:<name>)
 * starting    everything replaced; the stack is starting and being health-checked
 * done        healthy on the restored data
 * rolling-back  putting the safety backup back (after a failure or an interruption)
 * rolled-back   the safety backup is back and healthy
 * rollback-failed  even the safety backup did not come back healthy: an operator must look
 */
export const PHASES = ['begun', 'safety', 'stopped', 'restoring', 'starting', 'done', 'rolling-back', 'rolled-back', 'rollback-failed'] as const;
export type Phase = (typeof PHASES)[number];

export const JournalSchema = z.strictObject({
  format: z.literal(1),
  project: z.string(),
  /** The backup being restored. */
  backupId: z.string(),
  /** The backup of the state before the restore; set from phase `safety` on. */
  safetyId: z.string().nullable(),
  phase: z.enum(PHASES),
  /** Parts finished in the current phase (restoring or rolling-back). */
  done: z.array(z.string()),
  pid: z.number().int(),
  startedAt: z.string(),
  updatedAt: z.string(),
  /** Why a rollback started. */
  reason: z.string().nullable(),
  /** A point-in-time restore: the binary log is replayed after the backup, up to (not including) this ISO instant. */
  stopAt: z.string().optional(),
});
export type Journal = z.infer<typeof JournalSchema>;

const NEXT: Record<Phase, readonly Phase[]> = {
  begun: ['safety', 'rolled-back'],
  safety: ['stopped', 'rolling-back'],
  stopped: ['restoring', 'rolling-back'],
  restoring: ['restoring', 'starting', 'rolling-back'],
  starting: ['done', 'rolling-back'],
  done: [],
  'rolling-back': ['rolling-back', 'rolled-back', 'rollback-failed'],
  'rolled-back': [],
  'rollback-failed': ['rolling-back'],
};

export class JournalError extends Error {}

export function startJournal(o: { project: string; backupId: string; pid: number; now: Date; stopAt?: Date }): Journal {
  const at = o.now.toISOString();
  return { format: 1, project: o.project, backupId: o.backupId, safetyId: null, phase: 'begun', done: [], pid: o.pid, startedAt: at, updatedAt: at, reason: null, ...(o.stopAt ? { stopAt: o.stopAt.toISOString() } : {}) };
}

/** The journal after a move to `to`; throws on a move the state machine does not allow. */
export function advance(j: Journal, to: Phase, o: { now: Date; safetyId?: string; part?: string; reason?: string }): Journal {
  if (!NEXT[j.phase].includes(to)) throw new JournalError(`restore journal: ${j.phase} → ${to} is not a legal move`);
  if (to === 'safety' && !o.safetyId) throw new JournalError('restore journal: the safety phase needs the safety backup ID');
  const samePhase = to === j.phase;
  const done = samePhase ? (o.part && !j.done.includes(o.part) ? [...j.done, o.part] : j.done) : o.part ? [o.part] : [];
  return {
    ...j,
    phase: to,
    safetyId: o.safetyId ?? j.safetyId,
    done,
    updatedAt: o.now.toISOString(),
    reason: to === 'rolling-back' && !samePhase ? (o.reason ?? j.reason) : j.reason,
  };
}

export type Recovery =
  /** Nothing was changed, or the restore ended: the journal is only removed. */
  | { action: 'discard'; why: 'nothing-changed' | 'finished' }
  /** The live data may be half replaced: redo the restore (each part replaces its data whole), or roll back. */
  | { action: 'resume'; backupId: string; safetyId: string }
  /** A rollback was under way: finish it. */
  | { action: 'rollback'; safetyId: string }
  /** Even the rollback failed before: say so and let the operator choose. */
  | { action: 'manual'; safetyId: string | null };

/** What a later run does with a journal whose process is gone. */
export function recoveryFor(j: Journal): Recovery {
  switch (j.phase) {
    case 'begun':
      return { action: 'discard', why: 'nothing-changed' };
    case 'safety':
      // The safety backup is complete but nothing was stopped or replaced yet.
      return { action: 'discard', why: 'nothing-changed' };
    case 'stopped':
    case 'restoring':
    case 'starting':
      return { action: 'resume', backupId: j.backupId, safetyId: j.safetyId! };
    case 'rolling-back':
      return { action: 'rollback', safetyId: j.safetyId! };
    case 'done':
    case 'rolled-back':
      return { action: 'discard', why: 'finished' };
    case 'rollback-failed':
      return { action: 'manual', safetyId: j.safetyId };
  }
}

export const parseJournal = (text: string): Journal | null => parseJsonAs(JournalSchema, text);

export const journalText = (j: Journal) => `${JSON.stringify(j, null, 2)}\n`;
