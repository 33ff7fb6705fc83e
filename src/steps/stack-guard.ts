// The one guard around everything that changes an installed stack: init on a server, backup,
// restore, update, doctor's fixes (headless and in the guided session), security apply. Inside it
// every action is logged to the install dir's log (secrets redacted), one operation runs at a time
// (the maintenance lock), and nothing touches a stack that a killed restore or update left half
// changed, except the command that finishes or undoes it.
import { join } from 'node:path';
import type { Context } from '../context.js';
import { fileLog } from '../exec/executor.js';
import { WizardError, errorText, opError } from '../errors.js';
import { JOURNAL, pendingRestore, readJournal } from './restore.js';
import { acquireLock, otherProcessAlive } from './stack-tools.js';
import { UPDATE_JOURNAL, pendingUpdate } from './update.js';

/** Where a server run logs every action (appended, timestamped, secrets redacted). */
export const logFile = (installDir: string) => join(installDir, 'logs', 'stack-wizard.log');

export interface StackTarget { project: string; installDir: string }

export interface GuardOptions {
  /** Take the maintenance lock (default true; never in a dry run, which changes nothing). */
  lock?: boolean;
  /** Refuse while a killed restore or update is pending (default true; false for read-only work). */
  refuse?: boolean;
  /** The interrupted operation this command finishes itself (restore or update): not refused. */
  allow?: 'restore' | 'update';
}

/** Throws naming the command to run when a killed restore or update left its journal. Read-only but for a finished journal. */
export async function refuseInterrupted(ctx: Context, t: { installDir: string }, allow?: 'restore' | 'update'): Promise<void> {
  // A journal whose process still runs is an operation in progress, not an interrupted one.
  const running = await readJournal(ctx, t.installDir);
  if (running && (await otherProcessAlive(ctx, running.pid))) throw opError('err.bk.locked', { what: 'restore', pid: running.pid, file: join(t.installDir, JOURNAL) });
  const updating = await pendingUpdate(ctx, t);
  if (updating && (await otherProcessAlive(ctx, updating.pid))) throw opError('err.bk.locked', { what: 'update', pid: updating.pid, file: join(t.installDir, UPDATE_JOURNAL) });
  if (allow !== 'restore') {
    const j = await pendingRestore(ctx, t);
    if (j) throw opError('err.rs.pending', { id: j.backupId, phase: j.phase, safety: j.safetyId ?? '-' });
  }
  if (allow !== 'update' && updating) throw opError('err.up.pending', { started: updating.startedAt, phase: updating.phase, id: updating.backupId });
}

/** Holders whose run takes seconds (the 15-minute binary log archive): a command waits for them rather than fail. */
const SHORT_HOLDERS = new Set(['backup binlogs']);
const SHORT_WAIT_MS = 120_000;

/** Takes the maintenance lock unless this is a dry run; returns its release. */
export async function lockFor(ctx: Context, t: { installDir: string }, what: string): Promise<() => Promise<void>> {
  if (ctx.exec.dryRun) return async () => {};
  const deadline = Date.now() + SHORT_WAIT_MS;
  for (;;) {
    try {
      return await acquireLock(ctx, t.installDir, what);
    } catch (e) {
      const short = e instanceof WizardError && e.key === 'err.bk.locked' && SHORT_HOLDERS.has(String(e.params.what));
      if (!short || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}


/** Runs `fn` with the stack's log, its lock and the interrupted-operation check (see above). */
export async function guarded<T>(ctx: Context, t: StackTarget, what: string, fn: () => Promise<T>, o: GuardOptions = {}): Promise<T> {
  const log = fileLog(logFile(t.installDir), ctx.clock);
  ctx.setLogSink(log.sink);
  log.open();
  ctx.exec.note(`${what}: project ${t.project}, install dir ${t.installDir}`);
  let release: () => Promise<void> = async () => {};
  try {
    // The lock first: a restore still running is "locked", not "interrupted".
    if (o.lock !== false) release = await lockFor(ctx, t, what);
    if (o.refuse !== false) await refuseInterrupted(ctx, t, o.allow);
    const r = await fn();
    ctx.exec.note(`${what} done`);
    return r;
  } catch (e) {
    ctx.exec.note(`${what} failed: ${errorText(ctx.t, e)}`);
    throw e;
  } finally {
    await release();
  }
}
