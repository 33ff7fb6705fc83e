// The host's evidence: disk and inodes, memory, kernel OOM kills, swap, the clock, DNS, CPU load.
// Checked by src/domain/doctor/checks-host.ts.
import { Resolver } from 'node:dns/promises';
import { parseMeminfo } from '../probe.js';
import { inContainer } from '../security.js';
import { diskLevel, inodeLevel, type FsUse } from '../../domain/doctor/checks-host.js';
import { httpGet, type Gatherers } from './gather.js';

/** Kernel log lines about OOM kills. */
export const oomLines = (text: string) => text.split('\n').filter((l) => /Out of memory|oom-kill|Killed process \d+/.test(l));

export const hostGatherers: Pick<Gatherers, 'disk' | 'memory' | 'oom' | 'swap' | 'time' | 'dns' | 'load'> = {
  async disk(g) {
    const root = (await g.dockerRoot()) ?? '/var/lib/docker';
    const [install, docker] = await Promise.all([g.fsUse(g.stack.installDir), (await g.dockerRoot()) ? g.fsUse(root) : Promise.resolve(null)]);
    const sameFs = !!docker && install.dev !== null && install.dev === docker.dev;
    const low = [install, ...(docker && !sameFs ? [docker] : [])].filter((f) => diskLevel(f.freeBytes, f.totalBytes) !== 'ok' || inodeLevel(f.freeInodes, f.totalInodes) !== 'ok');
    const biggest: { path: string; bytes: number }[] = [];
    for (const f of low) {
      // du on the filesystem only (-x), two levels deep, bounded in time: a huge disk answers partly.
      const r = await g.q('du', ['-x', '-B1', '-d', '2', f.mount ?? f.path], 20_000);
      for (const l of r.stdout.split('\n')) {
        const m = /^(\d+)\s+(.+)$/.exec(l);
        if (m && m[2] !== (f.mount ?? f.path)) biggest.push({ path: m[2]!, bytes: Number(m[1]) });
      }
    }
    biggest.sort((a, b) => b.bytes - a.bytes);
    // Only deepest-most-specific entries: drop a parent listed with about the same size as its child.
    const top = biggest.filter((b) => !biggest.some((c) => c !== b && c.path.startsWith(`${b.path}/`) && c.bytes >= b.bytes * 0.9)).slice(0, 10);
    const space = docker ? await g.source('dockerSpace') : null;
    const strip = ({ dev: _dev, ...rest }: FsUse & { dev: number | null }): FsUse => rest;
    return {
      install: strip(install),
      docker: docker ? strip(docker) : null,
      sameFs,
      biggest: top,
      reclaimableBytes: space?.reachable ? space.dangling.bytes + space.buildCacheBytes : null,
    };
  },

  async memory(g) {
    const mem = parseMeminfo((await g.readText('/proc/meminfo')) ?? '');
    const psiText = await g.readText('/proc/pressure/memory');
    const avg60 = (kind: string) => Number(new RegExp(`^${kind} .*avg60=([\\d.]+)`, 'm').exec(psiText ?? '')?.[1] ?? NaN);
    const psi = psiText && Number.isFinite(avg60('some')) ? { someAvg60: avg60('some'), fullAvg60: Number.isFinite(avg60('full')) ? avg60('full') : 0 } : null;
    const svcs = await g.source('services');
    const top = svcs.services
      .filter((s) => s.memory?.usedBytes)
      .map((s) => ({ service: s.name, usedBytes: s.memory!.usedBytes!, limitBytes: s.memory!.limitBytes }))
      .sort((a, b) => b.usedBytes - a.usedBytes);
    return {
      totalBytes: mem.MemTotal ?? g.stack.facts.memory.totalBytes,
      availableBytes: mem.MemAvailable ?? g.stack.facts.memory.availableBytes,
      swapTotalBytes: mem.SwapTotal ?? 0,
      swapFreeBytes: mem.SwapFree ?? 0,
      psi,
      top,
    };
  },

  async oom(g) {
    const hours = 24;
    if (g.systemd()) {
      const r = await g.q('journalctl', ['-k', '-q', '--no-pager', '-o', 'short-iso', '--since', `-${hours}h`], 20_000);
      if (r.exitCode === 0) return { source: 'journal', hours, lines: oomLines(r.stdout).slice(-20) };
    }
    const d = await g.q('dmesg', ['-T'], 10_000);
    if (d.exitCode === 0) return { source: 'dmesg', hours, lines: oomLines(d.stdout).slice(-20) };
    return { source: null, hours, lines: [] };
  },

  async swap(g) {
    const mem = parseMeminfo((await g.readText('/proc/meminfo')) ?? '');
    const total = mem.SwapTotal ?? 0;
    let rate: number | null = null;
    if (total > 0 && (mem.SwapFree ?? 0) < total) {
      const pswpin = async () => Number(/^pswpin (\d+)/m.exec((await g.readText('/proc/vmstat')) ?? '')?.[1] ?? NaN);
      const a = await pswpin();
      await new Promise((r) => setTimeout(r, 1000));
      const b = await pswpin();
      rate = Number.isFinite(a) && Number.isFinite(b) ? b - a : null;
    }
    return { ramBytes: mem.MemTotal ?? g.stack.facts.memory.totalBytes, swapTotalBytes: total, swapFreeBytes: mem.SwapFree ?? 0, container: inContainer(g.stack.facts), swapInPerSec: rate };
  },

  async time(g) {
    const container = inContainer(g.stack.facts);
    const r = await g.q('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], 5000);
    const v = r.stdout.trim();
    const synchronized = r.exitCode === 0 && (v === 'yes' || v === 'no') ? v === 'yes' : null;
    let service: string | null = null;
    for (const u of ['systemd-timesyncd', 'chrony', 'chronyd', 'ntp', 'ntpsec']) {
      if ((await g.unitActive(u)) === 'active') {
        service = u;
        break;
      }
    }
    // A web server's Date header: second resolution, enough to see a clock minutes off.
    let skew: { source: string; seconds: number } | null = null;
    for (const host of await g.neededNames()) {
      for (const scheme of ['http', 'https']) {
        const t0 = Date.now();
        const res = await httpGet(`${scheme}://${host}/`, { timeoutMs: 3000 });
        if (!res.date) continue;
        const theirs = Date.parse(res.date);
        if (!Number.isFinite(theirs)) continue;
        const mid = t0 + (Date.now() - t0) / 2;
        skew = { source: host, seconds: Math.round((mid - theirs) / 1000) };
        break;
      }
      if (skew) break;
    }
    return { container, synchronized, service, skew };
  },

  async dns(g) {
    const conf = (await g.readText('/etc/resolv.conf')) ?? '';
    const nameservers = [...conf.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]!);
    const names = await g.neededNames();
    const results = await Promise.all(names.map(async (name) => ({ name, ...(await g.ctx.exec.resolveName(name)) })));
    const servers = await Promise.all(
      nameservers.slice(0, 3).map(async (server) => {
        if (!names[0]) return { server, error: null };
        const r = new Resolver({ timeout: 2000, tries: 1 });
        try {
          r.setServers([server]);
          await r.resolve4(names[0]);
          return { server, error: null };
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code ?? String(e);
          // NODATA/NOTFOUND are answers: the server works, the name has no A record.
          return { server, error: /ENODATA|ENOTFOUND/.test(code) ? null : code };
        }
      }),
    );
    let resolved: 'active' | 'inactive' | 'missing' | null = null;
    if (nameservers.includes('127.0.0.53')) {
      resolved = !(await g.unitLoaded('systemd-resolved')) ? 'missing' : (await g.unitActive('systemd-resolved')) === 'active' ? 'active' : 'inactive';
    }
    return { nameservers, names: results.map((x) => ({ name: x.name, addresses: x.addresses, error: x.error })), servers, resolved };
  },

  async load(g) {
    const [l1, l5, l15] = ((await g.readText('/proc/loadavg')) ?? '0 0 0').split(/\s+/).map(Number);
    const svcs = await g.source('services');
    const cs = await g.containers();
    const top: { service: string; cpuPercent: number; limitCpus: number | null }[] = [];
    for (const s of svcs.services) {
      const c = cs.find((x) => x.Id === s.container?.id);
      if (!c || c.State.Status !== 'running') continue;
      const u = await g.usage(c.Id);
      if (u?.cpuPercent !== null && u?.cpuPercent !== undefined) top.push({ service: s.name, cpuPercent: u.cpuPercent, limitCpus: c.HostConfig.NanoCpus ? c.HostConfig.NanoCpus / 1e9 : null });
    }
    top.sort((a, b) => b.cpuPercent - a.cpuPercent);
    return { load1: l1 ?? 0, load5: l5 ?? 0, load15: l15 ?? 0, cores: g.stack.facts.cpu.cores, container: inContainer(g.stack.facts), top };
  },
};
