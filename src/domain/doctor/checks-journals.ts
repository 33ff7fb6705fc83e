// Interrupted maintenance: a restore or update killed half way (SIGKILL, a crash, a reboot) leaves
// its journal, and every change is refused until it is finished or rolled back. Doctor names it
// with the two ways out, so an operator who only runs doctor is not left guessing. Pure.
import { recoveryFor, type Journal } from '../restore-journal.js';
import type { UpdateJournal } from '../update-journal.js';
import { msg, okFinding, type CheckDef, type Finding } from './types.js';

export interface JournalsEvidence {
  /** The restore journal, when there is one (one that changed nothing or finished is no finding). */
  restore: { path: string; journal: Journal; running: boolean } | null;
  /** The update journal when there is one; `journal` null: it does not parse. */
  update: { path: string; journal: UpdateJournal | null; running: boolean } | null;
}

export const journalsCheck: CheckDef<JournalsEvidence> = {
  id: 'journals',
  label: 'doc.check.journals',
  // A half-restored database or half-updated stack explains any of these.
  symptoms: ['down', 'bad-gateway', 'slow'],
  evaluate(e) {
    const out: Finding[] = [];
    const r = e.restore;
    if (r) {
      const j = r.journal;
      const ev = [msg('doc.journal.evidence', { file: r.path, started: j.startedAt, updated: j.updatedAt, pid: j.pid }), ...(j.done.length ? [msg('doc.journal.done', { parts: j.done.join(', ') })] : [])];
      if (r.running) out.push({ ...okFinding('journals', 'journal.restore', 'doc.journal.restoreRunning', ev, { id: j.backupId, phase: j.phase, pid: j.pid }), severity: 'info' });
      else if (recoveryFor(j).action !== 'discard') {
        out.push({
          id: 'journal.restore', check: 'journals', severity: 'error',
          title: msg('doc.journal.restore', { id: j.backupId, phase: j.phase }), explain: msg('doc.journal.restoreExplain'), evidence: ev,
          fix: { auto: false, steps: [msg('doc.journal.fix.restoreFinish'), msg('doc.journal.fix.restoreRollback', { safety: j.safetyId ?? '-' })] },
          causedBy: [],
        });
      }
    }
    const u = e.update;
    if (u && !u.journal) {
      out.push({
        id: 'journal.update', check: 'journals', severity: 'error', title: msg('doc.journal.updateUnreadable', { file: u.path }),
        explain: msg('doc.journal.updateExplain'), evidence: [u.path], fix: { auto: false, steps: [msg('doc.journal.fix.updateUnreadable', { file: u.path })] }, causedBy: [],
      });
    } else if (u?.journal) {
      const j = u.journal;
      const ev = [msg('doc.journal.updateEvidence', { file: u.path, started: j.startedAt, pid: j.pid })];
      if (u.running) out.push({ ...okFinding('journals', 'journal.update', 'doc.journal.updateRunning', ev, { phase: j.phase, pid: j.pid }), severity: 'info' });
      else {
        out.push({
          id: 'journal.update', check: 'journals', severity: 'error',
          title: msg('doc.journal.update', { started: j.startedAt, phase: j.phase }), explain: msg('doc.journal.updateExplain'), evidence: ev,
          fix: { auto: false, steps: [msg('doc.journal.fix.updateRollback', { id: j.backupId }), msg('doc.journal.fix.updateFinish')] },
          causedBy: [],
        });
      }
    }
    if (out.length === 0) out.push(okFinding('journals', 'journal.none', 'doc.journal.none'));
    return out;
  },
};
