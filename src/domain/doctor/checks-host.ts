// Host checks: disk space and inodes (install dir and Docker's data root), memory pressure, kernel
// OOM kills, swap, time, DNS, load. Pure: each evaluates evidence gathered by
// src/host/doctor/gather-host.ts.
import { fmtAge, fmtBytes, msg, okFinding, pct, type CheckDef, type Finding, type Fix, type Line } from './types.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

// ---------------------------------------------------------------- disk and inodes

export interface FsUse {
  path: string;
  mount: string | null;
  totalBytes: number;
  freeBytes: number;
  totalInodes: number | null;
  freeInodes: number | null;
}

export interface DiskEvidence {
  install: FsUse;
  /** Docker's data root; null when Docker is not installed or not running. */
  docker: FsUse | null;
  /** Both on one filesystem: reported once. */
  sameFs: boolean;
  /** The biggest entries of each low filesystem (du), largest first. */
  biggest: { path: string; bytes: number }[];
  /** What `docker image prune` and `docker builder prune` would free (dangling images, build cache). */
  reclaimableBytes: number | null;
}

/**
 * Free space verdict. Errors below 256 MiB, or below 3 % with under 4 GiB left: MySQL, Redis
 * (MISCONF) and Docker fail writes there. Warnings below 1 GiB, or below 10 % with under 20 GiB
 * left: one image pull or a day of logs fills that. A share alone is no verdict on a big disk
 * (20 GiB free of 250 is 8 %, yet room for many pulls and backups of this stack).
 */
export function diskLevel(free: number, total: number): 'ok' | 'warn' | 'error' {
  if (total <= 0) return 'ok';
  const p = pct(free, total);
  if (free < 256 * MiB || (p < 3 && free < 4 * GiB)) return 'error';
  if (free < 1 * GiB || (p < 10 && free < 20 * GiB)) return 'warn';
  return 'ok';
}

/** Inodes run out on filesystems full of small files (sessions, caches): no new file can be created. */
export function inodeLevel(free: number | null, total: number | null): 'ok' | 'warn' | 'error' {
  if (free === null || !total) return 'ok';
  const p = pct(free, total);
  if (p < 2) return 'error';
  if (p < 10) return 'warn';
  return 'ok';
}

const where = (fs: FsUse) => (fs.mount && fs.mount !== fs.path ? `${fs.path} (${fs.mount})` : fs.path);

function diskFix(e: DiskEvidence, fs: FsUse): Fix {
  const biggest: Line[] = e.biggest.slice(0, 8).map((b) => `  ${fmtBytes(b.bytes).padStart(9)}  ${b.path}`);
  const manual: Line[] = [
    msg('doc.disk.fix.biggest', { mount: fs.mount ?? fs.path }),
    ...biggest,
    msg('doc.disk.fix.dockerDf'),
    msg('doc.disk.fix.journal'),
    msg('doc.disk.fix.apt'),
  ];
  if ((e.reclaimableBytes ?? 0) >= 64 * MiB && e.docker && (e.sameFs || fs === e.docker)) {
    return { auto: true, action: { kind: 'docker-prune' }, notes: [msg('doc.disk.fix.prune', { size: fmtBytes(e.reclaimableBytes) })] };
  }
  return { auto: false, steps: manual };
}

export const diskCheck: CheckDef<DiskEvidence> = {
  id: 'disk',
  label: 'doc.check.disk',
  symptoms: ['down', 'bad-gateway', 'slow', 'pull', 'disk', 'ssh'],
  evaluate(e) {
    const out: Finding[] = [];
    const one = (id: 'disk.install' | 'disk.docker', fs: FsUse, which: ('install' | 'docker')[]) => {
      const level = diskLevel(fs.freeBytes, fs.totalBytes);
      const line = msg('doc.disk.ev.usage', {
        where: where(fs),
        free: fmtBytes(fs.freeBytes),
        total: fmtBytes(fs.totalBytes),
        used: pct(fs.totalBytes - fs.freeBytes, fs.totalBytes),
      });
      if (level === 'ok') {
        out.push(okFinding('disk', id, which.length === 2 ? 'doc.disk.ok.both' : id === 'disk.install' ? 'doc.disk.ok.install' : 'doc.disk.ok.docker', [line]));
        return;
      }
      const evidence: Line[] = [line];
      if (e.reclaimableBytes && e.docker && (e.sameFs || fs === e.docker)) evidence.push(msg('doc.disk.ev.reclaimable', { size: fmtBytes(e.reclaimableBytes) }));
      for (const b of e.biggest.slice(0, 5)) evidence.push(`${fmtBytes(b.bytes).padStart(9)}  ${b.path}`);
      out.push({
        id,
        check: 'disk',
        severity: level,
        title: msg(which.length === 2 ? 'doc.disk.title.both' : id === 'disk.install' ? 'doc.disk.title.install' : 'doc.disk.title.docker', {
          free: fmtBytes(fs.freeBytes),
          where: where(fs),
        }),
        explain: msg(which.includes('docker') ? 'doc.disk.explain.docker' : 'doc.disk.explain.install'),
        evidence,
        fix: diskFix(e, fs),
        causedBy: [],
        hints: level === 'error' ? { fullDisk: which } : {},
      });
    };
    one('disk.install', e.install, e.sameFs ? ['install', 'docker'] : ['install']);
    if (e.docker && !e.sameFs) one('disk.docker', e.docker, ['docker']);
    return out;
  },
};

export const inodesCheck: CheckDef<DiskEvidence> = {
  id: 'inodes',
  label: 'doc.check.inodes',
  symptoms: ['down', 'disk'],
  evaluate(e) {
    const out: Finding[] = [];
    const one = (id: string, fs: FsUse, which: ('install' | 'docker')[]) => {
      const level = inodeLevel(fs.freeInodes, fs.totalInodes);
      const line: Line =
        fs.totalInodes && fs.freeInodes !== null
          ? msg('doc.inodes.ev.usage', { where: where(fs), free: fs.freeInodes, total: fs.totalInodes, used: pct(fs.totalInodes - fs.freeInodes, fs.totalInodes) })
          : msg('doc.inodes.ev.none', { where: where(fs) });
      if (level === 'ok') {
        out.push(okFinding('inodes', id, 'doc.inodes.ok', [line], { where: where(fs) }));
        return;
      }
      out.push({
        id,
        check: 'inodes',
        severity: level,
        title: msg('doc.inodes.title', { where: where(fs), free: fs.freeInodes ?? 0 }),
        explain: msg('doc.inodes.explain'),
        evidence: [line],
        fix: { auto: false, steps: [msg('doc.inodes.fix.find', { mount: fs.mount ?? fs.path }), msg('doc.inodes.fix.clean')] },
        causedBy: [],
        hints: level === 'error' ? { fullDisk: which } : {},
      });
    };
    one('inodes.install', e.install, e.sameFs ? ['install', 'docker'] : ['install']);
    if (e.docker && !e.sameFs) one('inodes.docker', e.docker, ['docker']);
    return out;
  },
};

// ---------------------------------------------------------------- memory, OOM, swap

export interface MemoryEvidence {
  totalBytes: number;
  availableBytes: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
  /** /proc/pressure/memory: share of time tasks waited for memory (%), null without PSI. */
  psi: { someAvg60: number; fullAvg60: number } | null;
  /** The stack's containers by memory use. */
  top: { service: string; usedBytes: number; limitBytes: number | null }[];
}

export const memoryCheck: CheckDef<MemoryEvidence> = {
  id: 'memory',
  label: 'doc.check.memory',
  symptoms: ['down', 'slow', 'ssh'],
  evaluate(e) {
    const availPct = pct(e.availableBytes, e.totalBytes);
    const ev: Line[] = [msg('doc.memory.ev.available', { avail: fmtBytes(e.availableBytes), total: fmtBytes(e.totalBytes), pct: availPct })];
    if (e.swapTotalBytes > 0) ev.push(msg('doc.memory.ev.swap', { used: fmtBytes(e.swapTotalBytes - e.swapFreeBytes), total: fmtBytes(e.swapTotalBytes) }));
    if (e.psi) ev.push(msg('doc.memory.ev.psi', { some: e.psi.someAvg60, full: e.psi.fullAvg60 }));
    for (const t of e.top.slice(0, 5)) ev.push(`  ${t.service}: ${fmtBytes(t.usedBytes)}${t.limitBytes ? ` / ${fmtBytes(t.limitBytes)}` : ''}`);
    // Pressure stall: "full" means every task waited; a few % over a minute is already felt as slowness.
    const level =
      availPct < 5 || (e.psi && e.psi.fullAvg60 >= 5) ? 'error' : availPct < 10 || (e.psi && e.psi.someAvg60 >= 10) ? 'warn' : 'ok';
    if (level === 'ok') return [okFinding('memory', 'memory', 'doc.memory.ok', ev)];
    return [
      {
        id: 'memory',
        check: 'memory',
        severity: level,
        title: msg('doc.memory.title', { avail: fmtBytes(e.availableBytes), total: fmtBytes(e.totalBytes) }),
        explain: msg('doc.memory.explain'),
        evidence: ev,
        fix: { auto: false, steps: [msg('doc.memory.fix.top'), msg('doc.memory.fix.preset'), msg('doc.memory.fix.swap')] },
        causedBy: [],
      },
    ];
  },
};

export interface OomEvidence {
  /** Where the kernel log was read: the journal, dmesg, or nowhere (no permission). */
  source: 'journal' | 'dmesg' | null;
  hours: number;
  /** Kernel lines about OOM kills in that window. */
  lines: string[];
}

/** `Killed process 1234 (mysqld)` → the process names the kernel killed, with counts. */
export function oomVictims(lines: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of lines) {
    const m = /Killed process \d+ \(([^)]+)\)/.exec(l);
    if (m) out.set(m[1]!, (out.get(m[1]!) ?? 0) + 1);
  }
  return out;
}

export const oomCheck: CheckDef<OomEvidence> = {
  id: 'oom',
  label: 'doc.check.oom',
  symptoms: ['down', 'slow'],
  evaluate(e) {
    const victims = oomVictims(e.lines);
    if (e.source === null) return [{ ...okFinding('oom', 'oom.kernel', 'doc.oom.unreadable'), severity: 'info' }];
    if (victims.size === 0) return [okFinding('oom', 'oom.kernel', 'doc.oom.ok', [msg('doc.oom.ev.none', { hours: e.hours, source: e.source })])];
    const list = [...victims].map(([p, n]) => `${p} ×${n}`).join(', ');
    return [
      {
        id: 'oom.kernel',
        check: 'oom',
        severity: 'error',
        title: msg('doc.oom.title', { count: [...victims.values()].reduce((a, b) => a + b, 0), hours: e.hours, list }),
        explain: msg('doc.oom.explain'),
        evidence: e.lines.slice(-6),
        fix: { auto: false, steps: [msg('doc.oom.fix.which'), msg('doc.memory.fix.preset'), msg('doc.memory.fix.swap')] },
        causedBy: [],
        hints: { oomKilled: [...victims.keys()] },
      },
    ];
  },
};

export interface SwapEvidence {
  ramBytes: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
  /** Inside a container swap is the host's business. */
  container: boolean;
  /** Pages swapped in per second, measured over a second (null: not measured). */
  swapInPerSec: number | null;
}

export const swapCheck: CheckDef<SwapEvidence> = {
  id: 'swap',
  label: 'doc.check.swap',
  symptoms: ['slow', 'down'],
  evaluate(e) {
    const used = e.swapTotalBytes - e.swapFreeBytes;
    const ev: Line[] = [msg('doc.swap.ev', { ram: fmtBytes(e.ramBytes), swap: fmtBytes(e.swapTotalBytes), used: fmtBytes(used) })];
    if (e.swapInPerSec !== null) ev.push(msg('doc.swap.ev.rate', { rate: e.swapInPerSec }));
    // Thrashing: pages come back from swap all the time; every request waits on the disk.
    if (e.swapTotalBytes > 0 && e.swapInPerSec !== null && e.swapInPerSec >= 100) {
      return [{ id: 'swap', check: 'swap', severity: 'warn', title: msg('doc.swap.thrashing', { rate: e.swapInPerSec }), explain: msg('doc.swap.thrashingExplain'), evidence: ev, fix: { auto: false, steps: [msg('doc.memory.fix.top'), msg('doc.memory.fix.preset')] }, causedBy: [] }];
    }
    // Up to ~4 GB a small swap file absorbs a spike (an import, a migration) instead of the OOM killer.
    if (e.swapTotalBytes === 0 && e.ramBytes <= 4.5 * GiB && !e.container) {
      return [{ id: 'swap', check: 'swap', severity: 'warn', title: msg('doc.swap.none', { ram: fmtBytes(e.ramBytes) }), explain: msg('doc.swap.noneExplain'), evidence: ev, fix: { auto: true, action: { kind: 'security-steps', steps: ['security-swap'] }, notes: [] }, causedBy: [] }];
    }
    return [okFinding('swap', 'swap', e.container && e.swapTotalBytes === 0 ? 'doc.swap.container' : 'doc.swap.ok', ev)];
  },
};

// ---------------------------------------------------------------- time

export interface TimeEvidence {
  container: boolean;
  /** timedatectl NTPSynchronized; null when it cannot tell. */
  synchronized: boolean | null;
  /** The time service found active (systemd-timesyncd, chrony, ntp), if any. */
  service: string | null;
  /** Our clock minus a web server's Date header, seconds; null when none answered. */
  skew: { source: string; seconds: number } | null;
}

export const timeCheck: CheckDef<TimeEvidence> = {
  id: 'time',
  label: 'doc.check.time',
  symptoms: ['tls', 'pull', 'all'],
  evaluate(e) {
    const ev: Line[] = [
      msg('doc.time.ev.sync', { sync: e.synchronized === null ? '?' : e.synchronized ? 'yes' : 'no', service: e.service ?? '-' }),
      e.skew ? msg('doc.time.ev.skew', { seconds: e.skew.seconds, source: e.skew.source }) : msg('doc.time.ev.noSkew'),
    ];
    // Beyond a minute TLS handshakes, registry tokens and TOTP start to fail.
    if (e.skew && Math.abs(e.skew.seconds) > 60) {
      return [{
        id: 'time', check: 'time', severity: 'error', title: msg('doc.time.skewTitle', { seconds: e.skew.seconds }), explain: msg('doc.time.explain'), evidence: ev,
        fix: e.container ? { auto: false, steps: [msg('doc.time.fix.host')] } : { auto: true, action: { kind: 'commands', argv: [['timedatectl', 'set-ntp', 'true']] }, notes: [msg('doc.time.fix.ntpNote')] },
        causedBy: [],
      }];
    }
    if (!e.container && e.synchronized === false) {
      return [{
        id: 'time', check: 'time', severity: 'warn', title: msg('doc.time.unsynced'), explain: msg('doc.time.explain'), evidence: ev,
        fix: { auto: true, action: { kind: 'commands', argv: [['timedatectl', 'set-ntp', 'true']] }, notes: [msg('doc.time.fix.ntpNote')] },
        causedBy: [],
      }];
    }
    return [okFinding('time', 'time', e.container ? 'doc.time.container' : 'doc.time.ok', ev)];
  },
};

// ---------------------------------------------------------------- DNS

export interface DnsEvidence {
  nameservers: string[];
  /** The names this server needs (package sources, registry mirrors, the domain). */
  names: { name: string; addresses: string[]; error: string | null }[];
  /** Each nameserver asked directly for the first name. */
  servers: { server: string; error: string | null }[];
  /** systemd-resolved's state when /etc/resolv.conf points at its stub (127.0.0.53). */
  resolved: 'active' | 'inactive' | 'missing' | null;
}

export const dnsCheck: CheckDef<DnsEvidence> = {
  id: 'dns',
  label: 'doc.check.dns',
  symptoms: ['pull', 'tls', 'down'],
  evaluate(e) {
    const ev: Line[] = [msg('doc.dns.ev.servers', { list: e.nameservers.join(', ') || '-' })];
    for (const n of e.names) ev.push(n.error ? `${n.name}: ${n.error}` : `${n.name}: ${n.addresses.slice(0, 2).join(', ')}`);
    for (const s of e.servers) if (s.error) ev.push(msg('doc.dns.ev.deadServer', { server: s.server, error: s.error }));
    if (e.names.length === 0) return [{ ...okFinding('dns', 'dns', 'doc.dns.nothing', ev), severity: 'info' }];
    const failed = e.names.filter((n) => n.error);
    if (failed.length === 0) return [okFinding('dns', 'dns', 'doc.dns.ok', ev, { count: e.names.length })];
    const all = failed.length === e.names.length;
    const dead = e.servers.filter((s) => s.error).map((s) => s.server);
    const steps: Line[] = [];
    if (e.nameservers.length === 0) steps.push(msg('doc.dns.fix.noServers'));
    else if (dead.length) steps.push(msg('doc.dns.fix.deadServers', { list: dead.join(', ') }));
    steps.push(msg('doc.dns.fix.edit'), msg('doc.dns.fix.test', { name: e.names[0]!.name }), msg('doc.dns.fix.cloud'));
    const fix: Fix =
      e.resolved === 'inactive'
        ? { auto: true, action: { kind: 'commands', argv: [['systemctl', 'restart', 'systemd-resolved']] }, notes: [msg('doc.dns.fix.resolved')] }
        : { auto: false, steps };
    return [{
      id: 'dns',
      check: 'dns',
      severity: all ? 'error' : 'warn',
      title: msg(all ? 'doc.dns.titleAll' : 'doc.dns.titleSome', { names: failed.map((n) => n.name).join(', ') }),
      explain: msg(all ? 'doc.dns.explainAll' : 'doc.dns.explainSome'),
      evidence: ev,
      fix,
      causedBy: [],
      hints: all ? { dnsBroken: true } : {},
    }];
  },
};

// ---------------------------------------------------------------- load

export interface LoadEvidence {
  load1: number;
  load5: number;
  load15: number;
  cores: number;
  /** In a container /proc/loadavg is the whole machine's: other tenants' load, not ours. */
  container: boolean;
  /** Containers by CPU use, with their limits (cores). */
  top: { service: string; cpuPercent: number; limitCpus: number | null }[];
}

export const loadCheck: CheckDef<LoadEvidence> = {
  id: 'load',
  label: 'doc.check.load',
  symptoms: ['slow'],
  evaluate(e) {
    const ev: Line[] = [msg('doc.load.ev', { l1: e.load1, l5: e.load5, l15: e.load15, cores: e.cores })];
    const capped = e.top.filter((t) => t.limitCpus && t.cpuPercent >= t.limitCpus * 90);
    for (const t of e.top.slice(0, 5)) ev.push(`  ${t.service}: ${t.cpuPercent}%${t.limitCpus ? ` / ${t.limitCpus * 100}%` : ''}`);
    // A 5-minute load above twice the cores means runnable tasks wait; requests queue behind them.
    const busy = e.load5 > e.cores * 4 ? 'error' : e.load5 > e.cores * 2 ? 'warn' : 'ok';
    const level = capped.length ? (busy === 'error' && !e.container ? 'error' : 'warn') : e.container && busy !== 'ok' ? 'info' : busy;
    if (level === 'ok') return [okFinding('load', 'load', 'doc.load.ok', ev)];
    return [{
      id: 'load',
      check: 'load',
      severity: level,
      title: capped.length && (e.container || e.load5 <= e.cores * 2) ? msg('doc.load.capped', { services: capped.map((c) => c.service).join(', ') }) : msg('doc.load.title', { l5: e.load5, cores: e.cores }),
      explain: msg(e.container && !capped.length ? 'doc.load.hostExplain' : 'doc.load.explain'),
      evidence: ev,
      fix: { auto: false, steps: [msg('doc.load.fix.top'), msg('doc.load.fix.slowQueries'), msg('doc.memory.fix.preset')] },
      causedBy: [],
    }];
  },
};

export { fmtAge };
