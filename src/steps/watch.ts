// `backup watch`: the dead-man's switch, run by its own timer (hourly), apart from the backup's,
// so a backup that stops running is noticed by something that still does. It judges the backups,
// drills and off-site copies (domain/backup-watch.ts), reads doctor's evidence for the host's
// events (disk, containers, certificate, mirrors), and alerts through notify with de-duplication.
import type { Context } from '../context.js';
import { watchConditions, type WatchCondition } from '../domain/backup-watch.js';
import { DEFAULT_GRACE, drillSchedule, parseDuration } from '../domain/schedule.js';
import {
  deadmanObservations,
  emptySamples,
  hostObservations,
  type HostEvidence,
  type Observation,
} from '../domain/watch-events.js';
import { listBackups } from './backup.js';
import { loadDoctorStack, runDoctor } from './doctor.js';
import { backupHistory } from './backup-history.js';
import { notifySettings, processObservations, readNotifyState, writeNotifyState, type Sent } from './notify.js';
import type { Stack } from './stack-tools.js';

/** The doctor checks whose evidence the watch reads (their sources: disk, services, tls, mirrors). */
export const WATCH_CHECKS = ['disk', 'restarts', 'oom-containers', 'tls-expiry', 'tls-renewal', 'mirrors'];

export interface BackupFacts {
  conditions: WatchCondition[];
  schedule: string;
  grace: string;
  drill: string;
}

/** The switch's verdicts on what this host holds now (shared by the watch, doctor and status). */
export async function backupFacts(ctx: Context, s: Stack, expectSince: Date | null): Promise<BackupFacts> {
  const b = s.prepared.answers.backup;
  const grace = b.grace ?? DEFAULT_GRACE;
  const drill = drillSchedule(b);
  const backups = (await listBackups(ctx, s.installDir))
    .filter((x) => x.manifest)
    .map((x) => ({ id: x.id, createdAt: x.createdAt }));
  const { drills, remote } = await backupHistory(ctx, s.installDir);
  const conditions = watchConditions({
    now: ctx.clock(),
    schedule: b.schedule,
    graceMs: parseDuration(grace)!,
    drill,
    backups,
    drills,
    remote,
    s3: !!b.s3,
    expectSince,
  });
  return { conditions, schedule: b.schedule, grace, drill };
}

export interface WatchReport {
  observations: Observation[];
  sent: Sent[];
  /** Whether the host's checks ran (off with --no-host, or when doctor could not gather). */
  host: boolean;
}

export async function runWatch(ctx: Context, s: Stack, o: { host: boolean }): Promise<WatchReport> {
  const st = await readNotifyState(ctx, s.installDir);
  const now = ctx.clock();
  st.firstSeen ??= now.toISOString();
  const f = await backupFacts(ctx, s, new Date(st.firstSeen));
  const observations = deadmanObservations(f.conditions, {
    schedule: f.schedule,
    grace: f.grace,
    drill: f.drill,
    bucket: s.prepared.answers.backup.s3?.bucket ?? null,
  });
  let host = false;
  if (o.host) {
    try {
      const report = await runDoctor(ctx, await loadDoctorStack(ctx, { answersFile: s.answersFile }), {
        checks: WATCH_CHECKS,
      });
      const h = hostObservations(report.evidence as HostEvidence, st.samples ?? emptySamples(), now);
      observations.push(...h.observations);
      st.samples = h.samples;
      host = true;
    } catch (e) {
      ctx.exec.note(`watch: the host's checks could not run: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const sent = await processObservations(
    ctx,
    notifySettings(s.prepared.answers, s.prepared.facts.hostname),
    st,
    observations,
  );
  if (!ctx.exec.dryRun) await writeNotifyState(ctx, s.installDir, st);
  return { observations, sent, host };
}
