// From symptoms to causes: ties each finding to the findings that explain it (502 ← MySQL down ←
// disk full), then orders them worst first with root causes ahead of what they cause. Pure.
import { severityRank, type Finding } from './types.js';

const bad = (f: Finding) => severityRank(f.severity) >= severityRank('warn');
const has = (xs: readonly string[] | undefined, x: string) => !!xs && xs.includes(x);

/** Whether `from` already reaches `to` through causedBy (adding to → from would close a cycle). */
function reaches(byId: Map<string, Finding>, from: string, to: string, seen = new Set<string>()): boolean {
  if (from === to) return true;
  if (seen.has(from)) return false;
  seen.add(from);
  return (byId.get(from)?.causedBy ?? []).some((c) => reaches(byId, c, to, seen));
}

/** Returns copies of the findings with causedBy filled in. */
export function link(input: readonly Finding[]): Finding[] {
  const fs = input.map((f) => ({ ...f, causedBy: [...f.causedBy] }));
  const byId = new Map(fs.map((f) => [f.id, f]));
  const add = (f: Finding, cause: Finding | undefined) => {
    if (!cause || cause === f || !bad(cause) || f.causedBy.includes(cause.id)) return;
    if (reaches(byId, cause.id, f.id)) return;
    f.causedBy.push(cause.id);
  };
  const serviceDown = (svc: string) => fs.find((x) => x.hints?.service === svc && x.hints.serviceDown && bad(x));
  const fullDisks = fs.filter((x) => bad(x) && (x.hints?.fullDisk?.length ?? 0) > 0);
  const dns = fs.find((x) => x.hints?.dnsBroken && bad(x));
  const docker = fs.find((x) => x.id === 'docker.daemon' && bad(x));
  const ports = fs.filter((x) => x.check === 'ports' && bad(x));
  const nginxConfig = fs.find((x) => x.id === 'nginx.config' && bad(x));

  for (const f of fs) {
    if (!bad(f)) continue;
    const h = f.hints ?? {};
    // The Docker engine down explains every finding that could not see containers.
    if (has(h.signals, 'docker-down')) add(f, docker);
    // A full disk explains what failed writing (ENOSPC, Redis MISCONF); Docker's own disk first for services.
    if (has(h.signals, 'enospc')) {
      add(f, fullDisks.find((d) => h.service && d.hints!.fullDisk!.includes('docker')) ?? fullDisks[0]);
    }
    // A service's failed disk write (its data lives in a Docker volume) and Docker's disk full.
    if (has(h.signals, 'disk-write') && h.service) add(f, fullDisks.find((d) => d.hints!.fullDisk!.includes('docker')));
    // The nginx config error explains nginx not starting; a hand edit of that file explains the error.
    if (h.service === 'nginx' && h.serviceDown && (has(h.signals, 'emerg') || nginxConfig)) add(f, nginxConfig);
    if (h.files?.length) {
      for (const file of h.files) add(f, fs.find((x) => x !== f && x.check === 'files' && has(x.hints?.files, file)));
    }
    // Another program on 80/443 keeps nginx from starting.
    if (h.service === 'nginx' && h.serviceDown) for (const p of ports) add(f, p);
    // OOM kills: the container's own limit, else the host's memory.
    if (has(h.signals, 'oom') && h.service) {
      add(f, fs.find((x) => x.id === `oom.${h.service}`));
      add(f, fs.find((x) => x.id === 'oom.kernel'));
    }
    if (has(h.signals, 'dns')) add(f, dns);
    // Dependencies last: a deeper, more specific cause found above comes first.
    for (const svc of h.needs ?? []) add(f, serviceDown(svc));
    for (const svc of h.affectedBy ?? []) {
      add(f, serviceDown(svc));
      for (const x of fs) if (x.hints?.service === svc && x.severity === 'error') add(f, x);
    }
  }
  // Kernel OOM kills follow from memory pressure on the host when that is reported too.
  const oomKernel = byId.get('oom.kernel');
  if (oomKernel && bad(oomKernel)) add(oomKernel, fs.find((x) => x.id === 'memory' && bad(x)));
  return fs;
}

/** The findings at the end of f's cause chains (f itself when nothing causes it). */
export function rootCauses(f: Finding, all: readonly Finding[]): Finding[] {
  const byId = new Map(all.map((x) => [x.id, x]));
  const out: Finding[] = [];
  const walk = (x: Finding, seen: Set<string>) => {
    if (seen.has(x.id)) return;
    seen.add(x.id);
    const causes = x.causedBy.map((c) => byId.get(c)).filter((c): c is Finding => !!c);
    if (causes.length === 0) {
      if (!out.includes(x)) out.push(x);
      return;
    }
    for (const c of causes) walk(c, seen);
  };
  walk(f, new Set());
  return out;
}

/** Worst first; within one severity, causes before the findings they explain, then the checks' order. */
export function sortFindings(fs: readonly Finding[]): Finding[] {
  const depth = (f: Finding): number => {
    const byId = new Map(fs.map((x) => [x.id, x]));
    const d = (x: Finding, seen: Set<string>): number =>
      seen.has(x.id) ? 0 : Math.max(0, ...x.causedBy.map((c) => byId.get(c)).filter((c): c is Finding => !!c).map((c) => 1 + d(c, new Set([...seen, x.id]))));
    return d(f, new Set());
  };
  return fs
    .map((f, i) => ({ f, i, d: depth(f) }))
    .sort((a, b) => severityRank(b.f.severity) - severityRank(a.f.severity) || a.d - b.d || a.i - b.i)
    .map((x) => x.f);
}
