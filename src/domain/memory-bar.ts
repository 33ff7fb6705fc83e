// Each service's memory as a bar inside the host's RAM (#22.17): the preset screen draws what a
// preset plans, `status` what each container uses now against its limit. ASCII glyphs only: CJK
// terminals draw block characters (East Asian "ambiguous") two columns wide and the bars would
// not line up.
import type { T } from '../i18n/index.js';

export const BAR = { used: '#', limit: '=', free: '.' } as const;

const cells = (mib: number, hostMiB: number, width: number) =>
  mib > 0 ? Math.min(width, Math.max(1, Math.round((mib / hostMiB) * width))) : 0;

/**
 * `width` cells stand for the host's RAM: `#` what the service uses now, `=` the rest of its limit,
 * `.` the rest of the host. A service with any memory gets at least one cell, so none disappears.
 */
export function memoryBar(hostMiB: number, limitMiB: number | null, usedMiB: number | null, width: number): string {
  const host = Math.max(1, hostMiB);
  const limit = limitMiB === null ? 0 : cells(limitMiB, host, width);
  const used =
    usedMiB === null
      ? 0
      : limitMiB === null
        ? cells(usedMiB, host, width)
        : Math.min(limit, cells(usedMiB, host, width));
  const rest = Math.max(0, limit - used);
  return `[${BAR.used.repeat(used)}${BAR.limit.repeat(rest)}${BAR.free.repeat(width - used - rest)}]`;
}

export interface MemoryRow {
  name: string;
  limitMiB: number | null;
  /** What it uses now (status); undefined when only planned (the preset screen), null when not known. */
  usedMiB?: number | null;
  /** Not running (status): no use to show. */
  stopped?: boolean;
}

const CJK = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/gu;
const width = (s: string) => s.length + (s.match(CJK)?.length ?? 0);
const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - width(s)));

/**
 * The chart as lines: a title with the host's RAM, one bar per service and one for all of them
 * together, then what the glyphs mean. `live`: used now against the limits (status), else planned.
 */
export function memoryChart(
  t: T,
  o: { hostMiB: number; rows: MemoryRow[]; live: boolean; barWidth?: number; indent?: string },
): string[] {
  const bw = o.barWidth ?? 30;
  const ind = o.indent ?? '  ';
  const sum = (f: (r: MemoryRow) => number | null | undefined) => o.rows.reduce((n, r) => n + (f(r) ?? 0), 0);
  const noLimit = o.rows.some((r) => r.limitMiB === null);
  const all: MemoryRow = {
    name: t('mem.all'),
    limitMiB: noLimit ? null : sum((r) => r.limitMiB),
    // A running service whose use is not reported leaves the sum unknown, not too small.
    ...(o.live
      ? { usedMiB: o.rows.some((r) => !r.stopped && (r.usedMiB ?? null) === null) ? null : sum((r) => r.usedMiB) }
      : {}),
  };
  const rows = [...o.rows, all];
  const nw = Math.max(...rows.map((r) => width(r.name)));
  const text = (r: MemoryRow) => {
    if (!o.live) return t('mem.plan', { limit: r.limitMiB ?? '-' });
    if (r.stopped) return t('mem.notRunning');
    // An engine that cannot read the container's cgroup reports no use (docker stats: 0B / 0B).
    if (r.usedMiB === null || r.usedMiB === undefined) return t('mem.useUnknown', { limit: r.limitMiB ?? '-' });
    return r.limitMiB === null
      ? t('mem.useNoLimit', { used: r.usedMiB })
      : t('mem.use', { used: r.usedMiB, limit: r.limitMiB });
  };
  return [
    t('mem.title', { host: o.hostMiB }),
    ...rows.map(
      (r) =>
        `${ind}${pad(r.name, nw)}  ${memoryBar(o.hostMiB, r.limitMiB, o.live ? (r.usedMiB ?? null) : null, bw)}  ${text(r)}`,
    ),
    `${ind}${t(o.live ? 'mem.legendUse' : 'mem.legendPlan')}`,
  ];
}
