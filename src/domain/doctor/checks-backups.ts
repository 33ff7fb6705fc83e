// Backups: the dead-man's switch's verdicts as findings (domain/backup-watch.ts decides; the watch
// timer alerts on the same rule): no complete backup since the last scheduled one plus the grace,
// the last restore drill failed or none passed for two weeks, the last off-site copy failed. Pure.
import { watchConditions, type DrillRecord, type RemoteRecord } from '../backup-watch.js';
import { humanAge, parseDuration } from '../schedule.js';
import { fmtAge, msg, okFinding, type CheckDef, type Finding } from './types.js';

export interface BackupsEvidence {
  /** backup.schedule ("HH:MM" or "off"), the grace ("6h"), the drill schedule in force ("Sun 04:00" or "off"). */
  schedule: string;
  grace: string;
  drill: string;
  /** The bucket of backup.s3, when set. */
  bucket: string | null;
  /** Complete backups (their manifest reads), newest first. */
  backups: { id: string; createdAt: string }[];
  /** Folders under backups/ whose manifest does not read. */
  broken: string[];
  drills: DrillRecord[];
  remote: RemoteRecord[];
  /** The first watch's time (notify.json): backups are expected from then on. */
  firstSeen: string | null;
  /** Whether the watch's timer (or cron entry) is installed. */
  watchInstalled: boolean | null;
}

const stamp = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

export const backupsCheck: CheckDef<BackupsEvidence> = {
  id: 'backups',
  label: 'doc.check.backups',
  symptoms: ['disk'],
  evaluate(e, now) {
    const out: Finding[] = [];
    const graceMs = parseDuration(e.grace) ?? 6 * 3600_000;
    const conds = watchConditions({
      now,
      schedule: e.schedule,
      graceMs,
      drill: e.drill,
      backups: e.backups,
      drills: e.drills,
      remote: e.remote,
      s3: e.bucket !== null,
      expectSince: e.firstSeen ? new Date(e.firstSeen) : null,
    });
    const newest = e.backups[0];
    const ev = [
      newest
        ? msg('doc.bk.ev.newest', {
            id: newest.id,
            age: fmtAge((now.getTime() - Date.parse(newest.createdAt)) / 1000),
            count: e.backups.length,
          })
        : msg('doc.bk.ev.none'),
      msg('doc.bk.ev.schedule', { schedule: e.schedule, grace: e.grace, drill: e.drill }),
    ];
    for (const c of conds) {
      if (c.id === 'backup-missing') {
        if (c.firing) {
          out.push({
            id: 'backup.missing',
            check: 'backups',
            severity: 'error',
            title: msg('doc.bk.missing', { due: c.due ? stamp(c.due) : '-' }),
            explain: msg('doc.bk.missingExplain'),
            evidence: ev,
            fix: { auto: false, steps: [msg('doc.bk.fix.logs'), msg('doc.bk.fix.now')] },
            causedBy: [],
            hints: { affectedBy: ['mysql', 'redis'] },
          });
        } else
          out.push(
            okFinding(
              'backups',
              'backup.missing',
              e.schedule === 'off' ? 'doc.bk.scheduleOff' : newest ? 'doc.bk.ok' : 'doc.bk.notYetDue',
              ev,
              { id: newest?.id ?? '-' },
            ),
          );
      } else if (c.id === 'drill-failed' && c.firing && c.last) {
        out.push({
          id: 'backup.drill',
          check: 'backups',
          severity: 'error',
          title: msg('doc.bk.drillFailed', { id: c.last.id ?? '-', at: stamp(c.last.at) }),
          explain: msg('doc.bk.drillFailedExplain'),
          evidence: [c.last.error ?? '-'],
          fix: { auto: false, steps: [msg('doc.bk.fix.verify', { id: c.last.id ?? '' }), msg('doc.bk.fix.drill')] },
          causedBy: [],
        });
      } else if (c.id === 'drill-stale' && c.firing) {
        out.push({
          id: 'backup.drillStale',
          check: 'backups',
          severity: 'warn',
          title: msg('doc.bk.drillStale', { age: c.ageMs === null ? '-' : humanAge(c.ageMs) }),
          explain: msg('doc.bk.drillStaleExplain'),
          evidence: [msg('doc.bk.ev.schedule', { schedule: e.schedule, grace: e.grace, drill: e.drill })],
          fix: { auto: false, steps: [msg('doc.bk.fix.drill'), msg('doc.bk.fix.timers')] },
          causedBy: [],
        });
      } else if (c.id === 'remote-failed' && c.firing && c.last) {
        out.push({
          id: 'backup.remote',
          check: 'backups',
          severity: 'warn',
          title: msg('doc.bk.remoteFailed', { id: c.last.id, bucket: c.last.bucket, at: stamp(c.last.at) }),
          explain: msg('doc.bk.remoteExplain'),
          evidence: [c.last.error ?? '-'],
          fix: { auto: false, steps: [msg('doc.bk.fix.s3test')] },
          causedBy: [],
        });
      }
    }
    if (e.broken.length) {
      out.push({
        id: 'backup.broken',
        check: 'backups',
        severity: 'warn',
        title: msg('doc.bk.broken', { ids: e.broken.join(', ') }),
        explain: msg('doc.bk.brokenExplain'),
        evidence: [],
        fix: { auto: false, steps: [msg('doc.bk.fix.broken')] },
        causedBy: [],
      });
    }
    if (e.watchInstalled === false && e.schedule !== 'off') {
      out.push({
        id: 'backup.watch',
        check: 'backups',
        severity: 'warn',
        title: msg('doc.bk.noWatch'),
        explain: msg('doc.bk.noWatchExplain'),
        evidence: [],
        fix: { auto: false, steps: [msg('doc.bk.fix.timers')] },
        causedBy: [],
      });
    }
    return out;
  },
};
