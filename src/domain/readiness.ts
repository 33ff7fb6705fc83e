// `doctor` on a host without a stack (#22.13): is this host ready for one? The preflight checks of
// init (OS, RAM, disk, ports, Docker, time), judged for the default stack (preset auto), plus
// whether names resolve and which mirror kinds have a live candidate. Pure: facts and probe results in.
import type { HostFacts } from './facts.js';
import type { Plan } from './plan.js';
import { preflight, type Finding, type Level } from './preflight.js';
import type { MirrorKind, ProbeResult } from './mirrors.js';

/** The name every Docker Hub pull starts from: if it does not resolve, pulls fail unless a mirror serves them. */
export const PULL_NAME = 'registry-1.docker.io';

export interface ReadinessInput {
  facts: HostFacts;
  /** The default stack's plan, or why none fits this host (a message key and its numbers). */
  plan: Plan | { key: string; params: Record<string, string | number> };
  dns: { name: string; addresses: string[]; error: string | null };
  /** The mirror probe of the kinds that matter on this host (empty: not probed). */
  mirrors: readonly ProbeResult[];
}

const isPlan = (p: ReadinessInput['plan']): p is Plan => 'sizing' in p;

export function readiness(i: ReadinessInput): Finding[] {
  const out: Finding[] = [];
  if (isPlan(i.plan)) out.push(...preflight({ facts: i.facts, plan: i.plan, portHolders: [], dns: null }));
  else out.push({ id: 'ram', level: 'error', key: i.plan.key, params: i.plan.params });
  out.push(
    i.dns.addresses.length
      ? { id: 'dns', level: 'ok', key: 'rd.dnsOk', params: { name: i.dns.name, addresses: i.dns.addresses.join(', ') } }
      : { id: 'dns', level: 'warn', key: 'rd.dnsFail', params: { name: i.dns.name, error: i.dns.error ?? '-' } },
  );
  const kinds = [...new Set(i.mirrors.map((r) => r.kind))] as MirrorKind[];
  for (const kind of kinds) {
    const all = i.mirrors.filter((r) => r.kind === kind);
    const live = all.filter((r) => r.alive).sort((a, b) => (a.latencyMs ?? Infinity) - (b.latencyMs ?? Infinity));
    // No live mirror is not fatal (the origin may answer), but on a mainland host pulls and apt will crawl or fail.
    const level: Level = live.length ? 'ok' : 'warn';
    out.push(
      live.length
        ? {
            id: `mirror-${kind}`,
            level,
            key: 'rd.mirrorsOk',
            params: { kind, live: live.length, total: all.length, best: live[0]!.url, ms: live[0]!.latencyMs ?? '?' },
          }
        : { id: `mirror-${kind}`, level, key: 'rd.mirrorsNone', params: { kind, total: all.length } },
    );
  }
  return out;
}

/** Doctor's exit codes (docs/CONTRACT.md#commands): 0 nothing worse than info, 4 a warning, 5 an error. */
export function readinessExit(findings: readonly Finding[]): number {
  if (findings.some((f) => f.level === 'error')) return 5;
  if (findings.some((f) => f.level === 'warn')) return 4;
  return 0;
}
