// Preflight: whether this host can take the plan, from facts alone (pure). Each finding names the
// numbers it compared and the fix. Errors stop init before any change (exit 3); warnings are shown.
import type { HostFacts } from './facts.js';
import type { Plan } from './plan.js';
import { SUPPORTED_OS } from './host-checks.js';
import { parseVersion, versionAtLeast, type Version } from './versions.js';

export type Level = 'ok' | 'info' | 'warn' | 'error';
/** `params.what`, when set, is itself a message key (translated when shown, #22.9). */
export interface Finding { id: string; level: Level; key: string; params: Record<string, string | number> }

/**
 * Docker Engine 20.10 is the first with cgroup v2 support; Debian 11+ and Ubuntu 22.04+ boot with
 * cgroup v2 only, where an older engine cannot enforce the memory and CPU limits the sizing relies on.
 */
export const MIN_DOCKER = { major: 20, minor: 10, patch: 0 } as const;
/**
 * Compose v2: v1 (docker-compose 1.x, Python) ignores `deploy.resources.limits` outside swarm, so
 * no limit would be enforced, and it does not know `depends_on: condition: service_healthy`
 * with the Compose specification file format we write.
 */
export const MIN_COMPOSE = { major: 2, minor: 0, patch: 0 } as const;

const GiB = 1024 ** 3;
/** Rough unpacked sizes of the pinned images (GiB), rounded up: what `docker images` shows after a pull. */
const IMAGE_GIB: Record<string, number> = {
  app: 1.0, worker: 0, mysql: 0.8, redis: 0.15, nginx: 0.2, rabbitmq: 0.3, minio: 0.2, 'node-exporter': 0.05, prometheus: 0.3, grafana: 0.5,
};

export interface DiskNeed { imagesGiB: number; dataGiB: number; backupsGiB: number }

/** What the stack needs on disk: images and volumes under the Docker root, backups under the install dir. */
export function diskNeed(plan: Plan): DiskNeed {
  const imagesGiB = plan.services.reduce((n, s) => n + (IMAGE_GIB[s.name] ?? 0.5), 0);
  // The database grows until its working set fills the buffer pool; 4× leaves room for binlogs,
  // temp tables and growth before the operator has to think about it (at least 2 GiB).
  const dataGiB = Math.max(2, (plan.database.bufferPoolMiB * 4) / 1024);
  // Compressed dumps are about a quarter of the data files; `keep` of them are kept.
  const backupsGiB = plan.backup.keep * dataGiB * 0.25;
  const r = (x: number) => Math.ceil(x * 10) / 10;
  return { imagesGiB: r(imagesGiB), dataGiB: r(dataGiB), backupsGiB: r(backupsGiB) };
}

export interface PortHolder { port: number; project: string | null; service: string | null; container: string }

export interface DnsResult { name: string; addresses: string[]; error: string | null }

export interface PreflightInput {
  facts: HostFacts;
  plan: Plan;
  /** Containers publishing the web ports (from the Engine), to tell our own Nginx from anything else. */
  portHolders: PortHolder[];
  /** The domain's public DNS answer; only looked up for Let's Encrypt. */
  dns: DnsResult | null;
}

function osFinding(f: HostFacts): Finding {
  const versions = SUPPORTED_OS[f.os.id];
  const supported = Object.entries(SUPPORTED_OS).map(([id, v]) => `${id} ${v.join('/')}`).join(', ');
  if (versions?.includes(f.os.versionId)) return { id: 'os', level: 'ok', key: 'pf.osOk', params: { os: f.os.prettyName } };
  if (versions) return { id: 'os', level: 'error', key: 'pf.osVersion', params: { os: f.os.prettyName, supported } };
  const base = f.os.idLike.find((x) => x in SUPPORTED_OS);
  if (base) return { id: 'os', level: 'warn', key: 'pf.osDerivative', params: { os: f.os.prettyName, base, supported } };
  return { id: 'os', level: 'error', key: 'pf.osOther', params: { os: f.os.prettyName, supported } };
}

function diskFindings(f: HostFacts, plan: Plan): Finding[] {
  const need = diskNeed(plan);
  const docker = f.disks.dockerRoot;
  const inst = f.disks.installDir;
  const sameFs = docker.mount !== null && docker.mount === inst.mount;
  // Each check names only what lies on its filesystem, and its sum is of the parts shown (#22.7).
  type Part = 'images' | 'data' | 'backups';
  const checks: { d: typeof docker; parts: Part[] }[] = sameFs
    ? [{ d: docker, parts: ['images', 'data', 'backups'] }]
    : [
        { d: docker, parts: ['images', 'data'] },
        { d: inst, parts: ['backups'] },
      ];
  const gib: Record<Part, number> = { images: need.imagesGiB, data: need.dataGiB, backups: need.backupsGiB };
  return checks.map(({ d, parts }) => {
    const free = d.freeBytes / GiB;
    const n = parts.reduce((sum, p) => sum + gib[p], 0);
    const params: Record<string, string | number> = { path: d.mount ?? d.path, free: free.toFixed(1), need: n.toFixed(1), parts: parts.join('+') };
    for (const p of parts) params[p] = gib[p].toFixed(1);
    if (d.totalBytes === 0) return { id: 'disk', level: 'warn', key: 'pf.disk.unknown', params } as Finding;
    if (free < n) return { id: 'disk', level: 'error', key: 'pf.disk.short', params } as Finding;
    // Less than 50 % headroom over the estimate: fine today, tight after a few updates.
    if (free < n * 1.5) return { id: 'disk', level: 'warn', key: 'pf.disk.tight', params } as Finding;
    return { id: 'disk', level: 'ok', key: 'pf.disk.ok', params } as Finding;
  });
}

function portFindings(f: HostFacts, plan: Plan, holders: PortHolder[]): Finding[] {
  const ports = [plan.ports.http, ...(plan.nginx.tls !== 'none' ? [plan.ports.https] : [])];
  return ports.map((port): Finding => {
    const use = f.ports.find((p) => p.port === port);
    if (!use || !use.inUse) return { id: `port-${port}`, level: 'ok', key: 'pf.portFree', params: { port } };
    const holder = holders.find((h) => h.port === port);
    if (holder && holder.project === plan.project && holder.service === 'nginx') {
      return { id: `port-${port}`, level: 'ok', key: 'pf.portOurs', params: { port, container: holder.container } };
    }
    if (holder) {
      return {
        id: `port-${port}`,
        level: 'error',
        key: 'pf.portContainer',
        params: { port, container: holder.container, project: holder.project ?? '-' },
      };
    }
    return {
      id: `port-${port}`,
      level: 'error',
      key: 'pf.portTaken',
      params: { port, process: use.process ?? '?', pid: use.pid ?? '?' },
    };
  });
}

const fmt = (v: { major: number; minor: number; patch: number }) => `${v.major}.${v.minor}.${v.patch}`;

function dockerFindings(f: HostFacts): Finding[] {
  const out: Finding[] = [];
  if (!f.docker.installed) {
    out.push({ id: 'docker', level: 'info', key: 'pf.dockerMissing', params: { min: fmt(MIN_DOCKER) } });
    return out;
  }
  const v: Version | null = f.docker.version ? parseVersion(f.docker.version) : null;
  if (v && !versionAtLeast(v, MIN_DOCKER.major, MIN_DOCKER.minor, MIN_DOCKER.patch)) {
    out.push({ id: 'docker', level: 'error', key: 'pf.dockerOld', params: { have: f.docker.version!, min: fmt(MIN_DOCKER) } });
  } else if (f.docker.permissionDenied) {
    // Running, but this account may not use it: root (which init needs anyway) may (#22.8).
    out.push({ id: 'docker', level: 'info', key: 'pf.dockerDenied', params: { have: f.docker.version ?? '?', user: f.user.name ?? String(f.user.uid) } });
  } else if (!f.docker.running) {
    out.push({ id: 'docker', level: 'info', key: 'pf.dockerStopped', params: { have: f.docker.version ?? '?' } });
  } else {
    out.push({ id: 'docker', level: 'ok', key: 'pf.dockerOk', params: { have: f.docker.version ?? '?', min: fmt(MIN_DOCKER) } });
  }
  const cv = f.compose.version ? parseVersion(f.compose.version) : null;
  if (!f.compose.installed || !f.compose.v2 || !cv) {
    out.push({ id: 'compose', level: 'info', key: 'pf.composeMissing', params: { have: f.compose.version ?? '-', min: fmt(MIN_COMPOSE) } });
  } else if (!versionAtLeast(cv, MIN_COMPOSE.major, MIN_COMPOSE.minor, MIN_COMPOSE.patch)) {
    out.push({ id: 'compose', level: 'error', key: 'pf.composeOld', params: { have: f.compose.version!, min: fmt(MIN_COMPOSE) } });
  } else {
    out.push({ id: 'compose', level: 'ok', key: 'pf.composeOk', params: { have: f.compose.version!, min: fmt(MIN_COMPOSE) } });
  }
  return out;
}

function timeFinding(f: HostFacts, plan: Plan): Finding {
  if (f.timeSynchronized === true) return { id: 'time', level: 'ok', key: 'pf.timeOk', params: {} };
  // Let's Encrypt rejects requests from a clock far off; certificates look "not yet valid" to clients.
  const level: Level = f.timeSynchronized === false ? 'warn' : 'info';
  return { id: 'time', level, key: f.timeSynchronized === false ? 'pf.timeNotSynced' : 'pf.timeUnknown', params: { tls: plan.nginx.tls } };
}

function dnsFinding(f: HostFacts, plan: Plan, dns: DnsResult | null): Finding | null {
  if (plan.nginx.tls !== 'letsencrypt' || !plan.nginx.domain) return null;
  const domain = plan.nginx.domain;
  const mine = [...f.addresses.public, ...f.addresses.private];
  if (!dns || dns.addresses.length === 0) {
    return { id: 'dns', level: 'error', key: 'pf.dnsNone', params: { domain, error: dns?.error ?? 'not looked up', addrs: mine.join(', ') || '-' } };
  }
  const resolved = dns.addresses.join(', ');
  const match = dns.addresses.filter((a) => mine.includes(a));
  if (match.length > 0) return { id: 'dns', level: 'ok', key: 'pf.dnsOk', params: { domain, resolved } };
  // A cloud VM behind 1:1 NAT (most of them) has only a private address on its interface: the
  // public one cannot be seen from inside, so a mismatch is expected and only the operator can confirm.
  if (f.addresses.public.length === 0) {
    return { id: 'dns', level: 'warn', key: 'pf.dnsNat', params: { domain, resolved, addrs: f.addresses.private.join(', ') || '-' } };
  }
  // Behind a CDN or load balancer the name points at the proxy; the operator told us so with realIp.
  if (plan.nginx.realIp) return { id: 'dns', level: 'warn', key: 'pf.dnsProxy', params: { domain, resolved, addrs: f.addresses.public.join(', ') } };
  return { id: 'dns', level: 'error', key: 'pf.dnsElsewhere', params: { domain, resolved, addrs: f.addresses.public.join(', ') } };
}

export function preflight(i: PreflightInput): Finding[] {
  const f = i.facts;
  const out: Finding[] = [];
  out.push(
    f.user.isRoot
      ? { id: 'root', level: 'ok', key: 'pf.rootOk', params: {} }
      : { id: 'root', level: 'error', key: 'pf.notRoot', params: { user: f.user.name ?? String(f.user.uid) } },
  );
  out.push(osFinding(f));
  // buildPlan already refused a host below the preset; this line shows the numbers it compared.
  const used = i.plan.services.reduce((n, s) => n + s.memoryMiB, 0);
  out.push({ id: 'ram', level: 'ok', key: 'pf.ramOk', params: { have: i.plan.sizing.hostRamMiB, need: used + i.plan.sizing.reserveMiB } });
  out.push(...diskFindings(f, i.plan));
  out.push(...portFindings(f, i.plan, i.portHolders));
  out.push(...dockerFindings(f));
  out.push(timeFinding(f, i.plan));
  const dns = dnsFinding(f, i.plan, i.dns);
  if (dns) out.push(dns);
  return out;
}
