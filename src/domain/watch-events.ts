// What the watch timer sees, as events to alert on (or recover from): the dead-man's switch's
// conditions (domain/backup-watch.ts) and, from doctor's evidence, the host's: disk below 10 % or
// filling within a week, containers killed for memory or restarting in a loop, the certificate's
// expiry and renewal, dead mirrors. Pure; the watch keeps the samples it needs between runs.
import { z } from 'zod';
import { humanBytes } from './backup.js';
import type { WatchCondition } from './backup-watch.js';
import type { DiskEvidence, FsUse } from './doctor/checks-host.js';
import type { ServicesEvidence } from './doctor/checks-docker.js';
import type { TlsEvidence } from './doctor/checks-tls.js';
import type { MirrorsEvidence } from './doctor/checks-files.js';
import { event, type NotifyEvent } from './notify/events.js';
import { DAY, HOUR, humanAge } from './schedule.js';

export interface Observation {
  event: NotifyEvent;
  firing: boolean;
}

export const SamplesSchema = z.strictObject({
  /** Free bytes per filesystem (install, docker) over the last week, oldest first. */
  disk: z.array(z.strictObject({ at: z.string(), fs: z.string(), free: z.number(), total: z.number() })),
  /** Each service's restart count at the last watch. */
  restarts: z.record(z.string(), z.strictObject({ at: z.string(), count: z.number().int() })),
});
export type Samples = z.infer<typeof SamplesSchema>;
export const emptySamples = (): Samples => ({ disk: [], restarts: {} });

const stamp = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

/** The switch's conditions as events: backup missing, drill failed or stale, off-site copy failed. */
export function deadmanObservations(
  conds: readonly WatchCondition[],
  o: { schedule: string; grace: string; drill: string; bucket: string | null },
): Observation[] {
  return conds.map((c): Observation => {
    switch (c.id) {
      case 'backup-missing':
        return {
          firing: c.firing,
          event: event('backup-missing', {
            due: c.due ? stamp(c.due) : '-',
            schedule: o.schedule,
            grace: o.grace,
            newest: c.newest ? `${c.newest.id} (${stamp(c.newest.at)})` : '-',
          }),
        };
      case 'drill-failed':
        return {
          firing: c.firing,
          event: event('drill-failed', { id: c.last?.id ?? '-', reason: c.last?.error ?? '-' }),
        };
      case 'drill-stale':
        return {
          firing: c.firing,
          event: event(
            'drill-stale',
            {
              age: c.ageMs === null ? '-' : humanAge(c.ageMs),
              drill: o.drill,
              last: c.lastOk ? `${c.lastOk.id ?? '-'} (${stamp(c.lastOk.at)})` : '-',
            },
            undefined,
            'warn',
          ),
        };
      case 'remote-failed':
        return {
          firing: c.firing,
          event: event('remote-failed', {
            id: c.last?.id ?? '-',
            bucket: o.bucket ?? '-',
            reason: c.last?.error ?? '-',
          }),
        };
    }
  });
}

/** Free space under 10 %: the alert's own line, below doctor's warning (which also counts 1 GiB). */
export const DISK_LOW_PCT = 10;
/** Filling up: at the last week's rate, full within this many days. */
export const FILL_DAYS = 7;
/** Samples span at least this long before a rate is trusted (an hour of logs is no trend). */
export const MIN_TREND_SPAN = 6 * HOUR;
/** A service restarted this many times since the last watch (an hour) is in a loop. */
export const RESTART_LOOP = 3;

/** Least-squares slope of free bytes over time, in bytes per day (negative: filling). */
export function fillRate(points: readonly { at: string; free: number }[]): number | null {
  if (points.length < 3) return null;
  const xs = points.map((p) => Date.parse(p.at) / DAY);
  const ys = points.map((p) => p.free);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? null : num / den;
}

const where = (f: FsUse) => (f.mount && f.mount !== f.path ? `${f.path} (${f.mount})` : f.path);

function diskObservations(d: DiskEvidence, samples: Samples, now: Date): { obs: Observation[]; disk: Samples['disk'] } {
  const obs: Observation[] = [];
  const week = now.getTime() - FILL_DAYS * DAY;
  let disk = samples.disk.filter((s) => Date.parse(s.at) >= week);
  const fss: [string, FsUse][] = [
    ['install', d.install],
    ...(d.docker && !d.sameFs ? [['docker', d.docker] as [string, FsUse]] : []),
  ];
  for (const [fs, u] of fss) {
    if (u.totalBytes <= 0) continue;
    disk.push({ at: now.toISOString(), fs, free: u.freeBytes, total: u.totalBytes });
    const pct = (u.freeBytes / u.totalBytes) * 100;
    obs.push({
      firing: pct < DISK_LOW_PCT,
      event: event('disk-low', { where: where(u), free: humanBytes(u.freeBytes), pct: pct.toFixed(1) }, fs),
    });
    const mine = disk.filter((s) => s.fs === fs);
    const span = mine.length ? now.getTime() - Date.parse(mine[0]!.at) : 0;
    const rate = span >= MIN_TREND_SPAN ? fillRate(mine) : null;
    const days = rate !== null && rate < 0 ? u.freeBytes / -rate : null;
    obs.push({
      firing: days !== null && days < FILL_DAYS,
      event: event(
        'disk-filling',
        {
          where: where(u),
          free: humanBytes(u.freeBytes),
          rate: rate === null ? '-' : humanBytes(Math.abs(rate)),
          days: days === null ? '-' : days.toFixed(1),
          span: humanAge(span),
        },
        fs,
        'warn',
      ),
    });
  }
  // One sample per hour per filesystem is plenty for a week's trend.
  disk = disk.slice(-2 * 24 * FILL_DAYS * 2);
  return { obs, disk };
}

function containerObservations(
  s: ServicesEvidence,
  samples: Samples,
  now: Date,
): { obs: Observation[]; restarts: Samples['restarts'] } {
  const obs: Observation[] = [];
  const restarts: Samples['restarts'] = {};
  if (!s.reachable) return { obs, restarts: samples.restarts };
  for (const svc of s.services) {
    const c = svc.container;
    if (!c) continue;
    obs.push({ firing: c.oomKilled, event: event('container-oom', { service: svc.name }, svc.name) });
    const before = samples.restarts[svc.name];
    const grew = before ? c.restartCount - before.count : 0;
    const looping = c.state === 'restarting' || grew >= RESTART_LOOP;
    obs.push({
      firing: looping,
      event: event('container-restarting', { service: svc.name, count: c.restartCount, state: c.state }, svc.name),
    });
    restarts[svc.name] = { at: now.toISOString(), count: c.restartCount };
  }
  return { obs, restarts };
}

function tlsObservations(t: TlsEvidence, now: Date): Observation[] {
  if (t.mode === 'none') return [];
  const obs: Observation[] = [];
  const cert = t.file?.cert ?? t.served?.chain[0] ?? null;
  if (cert) {
    const days = Math.floor((Date.parse(cert.notAfter) - now.getTime()) / DAY);
    obs.push({
      firing: days < 14,
      event: event('cert-expiring', { days, until: cert.notAfter }, undefined, days < 3 ? 'error' : 'warn'),
    });
  }
  if (t.mode === 'letsencrypt' && t.timer) {
    const off = t.timer.enabled !== 'enabled' || t.timer.active !== 'active';
    const failed = !!t.timer.lastResult && t.timer.lastResult !== 'success';
    obs.push({
      firing: off || failed,
      event: event('cert-renewal-failed', {
        detail: off
          ? `${t.timer.unit}: ${t.timer.enabled ?? '?'}/${t.timer.active ?? '?'}`
          : `${t.timer.unit}: ${t.timer.lastResult}`,
      }),
    });
  }
  return obs;
}

function mirrorObservations(m: MirrorsEvidence): Observation[] {
  const configured = [...m.daemon.map((u) => ['registry', u] as const), ...Object.entries(m.answers)];
  if (configured.length === 0) return [];
  const dead = configured.filter(
    ([kind, url]) =>
      !m.results.find((r) => r.kind === kind && r.url.replace(/\/+$/, '') === url.replace(/\/+$/, ''))?.alive,
  );
  const detail = dead.map(([kind, url]) => `${kind} ${url}`).join(', ');
  return [{ firing: dead.length > 0, event: event('mirror-degraded', { detail: detail || '-' }, undefined, 'warn') }];
}

export interface HostEvidence {
  disk?: DiskEvidence | undefined;
  services?: ServicesEvidence | undefined;
  tls?: TlsEvidence | undefined;
  mirrors?: MirrorsEvidence | undefined;
}

/** The host's events from doctor's evidence, and the samples to keep for the next run. */
export function hostObservations(
  ev: HostEvidence,
  samples: Samples,
  now: Date,
): { observations: Observation[]; samples: Samples } {
  const out: Observation[] = [];
  let next: Samples = { ...samples };
  if (ev.disk) {
    const d = diskObservations(ev.disk, samples, now);
    out.push(...d.obs);
    next = { ...next, disk: d.disk };
  }
  if (ev.services) {
    const c = containerObservations(ev.services, samples, now);
    out.push(...c.obs);
    next = { ...next, restarts: c.restarts };
  }
  if (ev.tls) out.push(...tlsObservations(ev.tls, now));
  if (ev.mirrors) out.push(...mirrorObservations(ev.mirrors));
  return { observations: out, samples: next };
}
