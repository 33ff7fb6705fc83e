// Doctor's evidence: what each check looks at, collected read-only (Executor queries and file
// reads, the Engine's API, loopback network reads), so it runs the same in --dry-run. One source
// per kind of evidence, gathered once per run and shared by the checks that read it.
import { createHash, X509Certificate } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { stat, statfs } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Context } from '../context.js';
import type { Answers } from '../domain/answers.js';
import type { HostFacts } from '../domain/facts.js';
import type { Plan } from '../domain/plan.js';
import type { Secrets } from '../domain/secrets.js';
import { parseDotenv, secretNames } from '../domain/secrets.js';
import type { RenderedFile } from '../render/types.js';
import { CONTAINER, CUSTOM_CERT, HOST, SELF_SIGNED_CERT } from '../render/paths.js';
import { NGINX_ERROR_LOG } from '../render/nginx-log.js';
import { certbotUnitNames } from '../render/certbot.js';
import { parseMeminfo, parseSs } from './probe.js';
import { inContainer, sshSessions } from './security.js';
import { probeMirrors } from './mirror-probe.js';
import { builtinCatalogue, probeTarget, type MirrorEntry, type MirrorKind } from '../domain/mirrors.js';
import { existingRegistryMirrors, parseDaemonJson } from '../render/docker-daemon.js';
import type { EvidenceSources, SourceId } from '../domain/doctor/checks.js';
import { diskLevel, inodeLevel, type FsUse } from '../domain/doctor/checks-host.js';
import type { ContainerEvidence, ServiceEvidence } from '../domain/doctor/checks-docker.js';
import type { CertInfo } from '../domain/doctor/checks-tls.js';
import { parseInfo, parseRows, redisBytes } from '../domain/doctor/checks-data.js';
import { ufwAgainstPlan } from './ufw-plan.js';
import { otherProcessAlive } from './processes.js';
import { parseJournal } from '../domain/restore-journal.js';
import { parseUpdateJournal } from '../domain/update-journal.js';
import { readFail2ban, readUfw } from './security.js';
import { JAILS } from '../render/security-fail2ban.js';

/** The jails `security apply` sets up. */
const expectedJails = () => [JAILS.sshd, JAILS.limit, JAILS.scan, JAILS.recidive];

/** The installed stack doctor looks after: its answers, plan, the files a render gives now, its secrets. */
export interface DoctorStack {
  project: string;
  installDir: string;
  answers: Answers;
  plan: Plan;
  facts: HostFacts;
  /** The file set rendered from the saved answers now (what a restore writes back). */
  files: RenderedFile[];
  secrets: Secrets;
  /** STACK_WIZARD_MIRROR_CATALOG's catalogue, or the built-in one. */
  catalogue?: readonly MirrorEntry[];
}

/** One container as `docker inspect` reports it (the fields doctor reads). */
export interface Inspected {
  Id: string;
  Name: string;
  Created: string;
  Image: string;
  RestartCount: number;
  LogPath: string;
  Config: { Image: string; Labels: Record<string, string> | null };
  State: {
    Status: string;
    ExitCode: number;
    Error: string;
    OOMKilled: boolean;
    StartedAt: string;
    FinishedAt: string;
    Health?: { Status: string; Log?: { Output: string; ExitCode: number }[] | null };
  };
  HostConfig: { Memory: number; NanoCpus: number; LogConfig: { Type: string; Config: Record<string, string> | null } };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> | null };
}

const composeArgs = (s: DoctorStack) => ['compose', '--project-directory', s.installDir, '-f', join(s.installDir, HOST.compose)];
const lines = (t: string) => t.split(/\r?\n/).filter((l) => l.trim() !== '');
const sha = (t: string) => createHash('sha256').update(t).digest('hex');

/** Docker's human sizes ("869.2MB", "1.2GB", "0B"): decimal units. */
export function dockerSize(s: string | undefined): number {
  const m = /^([\d.]+)\s*([kKMGT]?B)?/.exec((s ?? '').trim());
  if (!m) return 0;
  const mult: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };
  return Math.round(Number(m[1]) * (mult[m[2] ?? 'B'] ?? 1));
}

/** The host of each package source (one-line .list and deb822 .sources). */
export function aptHosts(texts: readonly string[]): string[] {
  const out = new Set<string>();
  for (const t of texts) {
    for (const line of t.split('\n')) {
      if (/^\s*#/.test(line)) continue;
      for (const m of line.matchAll(/\b(?:https?):\/\/([^/\s:]+)/g)) out.add(m[1]!);
    }
  }
  return [...out];
}

/** The registry an image reference pulls from: docker.io unless its first part names a host. */
export function registryOf(ref: string): string {
  const first = ref.split('/')[0]!;
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

/**
 * nginx error log lines about the upstream, within the last `minutes` and after `notBefore` (the
 * later start of nginx and the app: errors from before a restart are history, not the state now).
 */
export function upstreamErrors(text: string, now: Date, minutes: number, notBefore: number | null = null): { refused: number; timedOut: number; other: number; sample: string[]; lastUpstream: string | null } {
  const out = { refused: 0, timedOut: 0, other: 0, sample: [] as string[], lastUpstream: null as string | null };
  const since = Math.max(now.getTime() - minutes * 60_000, notBefore ?? 0);
  for (const l of text.split('\n')) {
    if (!/upstream/.test(l)) continue;
    const ts = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)/.exec(l);
    if (ts && Date.UTC(+ts[1]!, +ts[2]! - 1, +ts[3]!, +ts[4]!, +ts[5]!, +ts[6]!) < since) continue;
    if (/\(111: Connection refused\)|\(113: |no live upstreams|\(104: Connection reset/.test(l)) out.refused++;
    else if (/timed out/.test(l)) out.timedOut++;
    else if (/\[error\]|\[crit\]/.test(l)) out.other++;
    else continue;
    out.sample.push(l.length > 300 ? `${l.slice(0, 297)}...` : l);
    const u = /upstream: "https?:\/\/([\d.]+):\d+/.exec(l);
    if (u) out.lastUpstream = u[1]!;
  }
  out.sample = out.sample.slice(-5);
  return out;
}

/** `Accepted publickey for root from 203.0.113.9 port 51234 ssh2` → the addresses, newest last. */
export function acceptedLogins(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/Accepted \S+ for \S+ from (\S+) port \d+/g)) {
    const a = m[1]!;
    const i = out.indexOf(a);
    if (i >= 0) out.splice(i, 1);
    out.push(a);
  }
  return out;
}

/** Kernel log lines about OOM kills. */
export const oomLines = (text: string) => text.split('\n').filter((l) => /Out of memory|oom-kill|Killed process \d+/.test(l));

function certInfo(c: X509Certificate): CertInfo {
  const san = (c.subjectAltName ?? '').split(/,\s*/).filter((x) => x.startsWith('DNS:')).map((x) => x.slice(4));
  const cn = /CN=([^\n,]+)/.exec(c.subject)?.[1]?.trim();
  return {
    subject: c.subject.replace(/\n/g, ', '),
    issuer: c.issuer.replace(/\n/g, ', '),
    names: san.length ? san : cn ? [cn] : [],
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
    fingerprint256: c.fingerprint256,
    selfSigned: c.subject === c.issuer,
  };
}

export class Gather {
  private memo = new Map<string, Promise<unknown>>();
  constructor(
    readonly ctx: Context,
    readonly stack: DoctorStack,
  ) {}

  private once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = fn();
      this.memo.set(key, p);
    }
    return p;
  }

  source<K extends SourceId>(id: K): Promise<EvidenceSources[K]> {
    return this.once(`source:${id}`, () => (SOURCES[id] as (g: Gather) => Promise<EvidenceSources[K]>)(this));
  }

  q(cmd: string, args: readonly string[], timeoutMs = 10_000) {
    return this.ctx.exec.query(cmd, args, { timeoutMs });
  }

  dockerUp(): Promise<boolean> {
    return this.once('docker-up', async () => !(await this.ctx.docker.unreachable().catch((e: Error) => e.message)));
  }

  systemd(): boolean {
    return this.stack.facts.systemd;
  }

  /** Every container of the project, as docker inspect reports them. */
  containers(): Promise<Inspected[]> {
    return this.once('containers', async () => {
      if (!(await this.dockerUp())) return [];
      const ids = lines((await this.q('docker', ['ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${this.stack.project}`])).stdout);
      if (ids.length === 0) return [];
      const r = await this.q('docker', ['inspect', ...ids], 20_000);
      try {
        return (JSON.parse(r.stdout) as Inspected[]).filter((c) => c.Config.Labels?.['com.docker.compose.oneoff'] !== 'True');
      } catch {
        return [];
      }
    });
  }

  /** The service's container: the running one when there are several. */
  async container(service: string): Promise<Inspected | null> {
    const cs = (await this.containers()).filter((c) => c.Config.Labels?.['com.docker.compose.service'] === service);
    return cs.find((c) => c.State.Status === 'running') ?? cs[0] ?? null;
  }

  async running(service: string): Promise<Inspected | null> {
    const c = await this.container(service);
    return c && c.State.Status === 'running' ? c : null;
  }

  /** A command inside a running service container; null when it is not running. */
  async execIn(service: string, argv: string[], timeoutMs = 15_000) {
    const c = await this.running(service);
    if (!c) return null;
    return this.q('docker', ['exec', c.Id, ...argv], timeoutMs);
  }

  /**
   * The container's last lines from its latest run only (since `since`): a stopped service's log
   * still holds the errors of an earlier crash, which are not why it is down now.
   */
  logs(id: string, tail: number, since: string | null = null): Promise<string[]> {
    return this.once(`logs:${id}:${tail}:${since}`, async () => {
      const r = await this.q('docker', ['logs', '--timestamps', '--tail', String(tail), id], 15_000);
      if (r.exitCode !== 0) return [`(logs unavailable: ${r.stderr.trim().split('\n').pop() ?? ''})`];
      const from = since && !since.startsWith('0001-') ? Date.parse(since) - 1000 : null;
      const all = lines(this.ctx.exec.redact(`${r.stdout}\n${r.stderr}`))
        .map((l) => /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .sort((a, b) => a[1]!.localeCompare(b[1]!));
      const last = all.filter((m) => from === null || Date.parse(m[1]!) >= from);
      // A run that has printed next to nothing yet (between two crashes): the runs before it say why.
      return (last.length >= 3 ? last : all).map((m) => m[2]!);
    });
  }

  usage(id: string) {
    return this.once(`usage:${id}`, () => this.ctx.docker.usage(id));
  }

  /** The compose file's services and their depends_on, as written. */
  composeServices(): Promise<{ name: string; dependsOn: string[] }[]> {
    return this.once('compose-services', async () => {
      const text = await this.ctx.exec.readFile(join(this.stack.installDir, HOST.compose)).catch(() => null);
      const doc = text ? (parseYaml(text) as { services?: Record<string, { depends_on?: Record<string, unknown> | string[] }> } | null) : null;
      type Def = { depends_on?: Record<string, unknown> | string[] } | null;
      const svcs: Record<string, Def> = doc?.services ?? Object.fromEntries(this.stack.plan.services.map((s) => [s.name, {}]));
      return Object.entries(svcs).map(([name, v]) => ({
        name,
        dependsOn: Array.isArray(v?.depends_on) ? v.depends_on : Object.keys(v?.depends_on ?? {}),
      }));
    });
  }

  listeners() {
    return this.once('ss', async () => {
      const r = await this.q('ss', ['-Hltnp'], 5000);
      return r.exitCode === 0 ? parseSs(r.stdout) : [];
    });
  }

  async fsUse(path: string): Promise<FsUse & { dev: number | null }> {
    let p = path;
    while (p !== '/' && !(await this.ctx.exec.exists(p))) p = p.replace(/\/[^/]+\/?$/, '') || '/';
    const mounts = (await this.ctx.exec.readFile('/proc/mounts').catch(() => null)) ?? '';
    let mount: string | null = null;
    for (const line of mounts.split('\n')) {
      const mp = line.split(' ')[1];
      if (mp && (p === mp || p.startsWith(mp === '/' ? '/' : `${mp}/`)) && (mount === null || mp.length > mount.length)) mount = mp;
    }
    try {
      const s = await statfs(p);
      const dev = (await stat(p)).dev;
      return { path, mount, totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize, totalInodes: s.files > 0 ? s.files : null, freeInodes: s.files > 0 ? s.ffree : null, dev };
    } catch {
      return { path, mount, totalBytes: 0, freeBytes: 0, totalInodes: null, freeInodes: null, dev: null };
    }
  }

  dockerRoot(): Promise<string | null> {
    return this.once('docker-root', async () => {
      if (this.stack.facts.docker.rootDir) return this.stack.facts.docker.rootDir;
      if (!(await this.dockerUp())) return null;
      const r = await this.q('docker', ['info', '--format', '{{.DockerRootDir}}']);
      return r.exitCode === 0 && r.stdout.trim() ? r.stdout.trim() : null;
    });
  }

  /** Host names this server needs to resolve: its package sources, registry mirrors, configured mirrors, the domain. */
  neededNames(): Promise<string[]> {
    return this.once('names', async () => {
      const dir = '/etc/apt/sources.list.d';
      const files = ['/etc/apt/sources.list', ...(await this.ctx.exec.listDir(dir)).filter((n) => /\.(list|sources)$/.test(n)).map((n) => join(dir, n))];
      const texts = (await Promise.all(files.map((f) => this.ctx.exec.readFile(f).catch(() => null)))).filter((t): t is string => t !== null);
      const hosts = aptHosts(texts);
      for (const u of [...(await this.daemonMirrors()), ...Object.values(this.stack.plan.mirrors)]) {
        try {
          hosts.push(new URL(u).hostname);
        } catch {
          // not a URL: the mirrors check reports it
        }
      }
      if (this.stack.plan.nginx.domain) hosts.push(this.stack.plan.nginx.domain);
      return [...new Set(hosts)].filter((h) => !/^[\d.]+$/.test(h) && !h.includes(':') && h !== 'localhost').slice(0, 6);
    });
  }

  daemonMirrors(): Promise<string[]> {
    return this.once('daemon-mirrors', async () => {
      if (await this.dockerUp()) return this.ctx.docker.registryMirrors().catch(() => []);
      const text = await this.ctx.exec.readFile('/etc/docker/daemon.json').catch(() => null);
      try {
        return existingRegistryMirrors(parseDaemonJson(text));
      } catch {
        return [];
      }
    });
  }

  unitActive(unit: string): Promise<string | null> {
    return this.once(`unit:${unit}`, async () => {
      if (!this.systemd()) return null;
      const r = await this.q('systemctl', ['is-active', unit], 5000);
      return r.exitCode === 127 ? null : r.stdout.trim() || null;
    });
  }

  unitLoaded(unit: string): Promise<boolean> {
    return this.once(`loaded:${unit}`, async () => {
      if (!this.systemd()) return false;
      const r = await this.q('systemctl', ['show', '-p', 'LoadState', '--value', unit], 5000);
      return r.exitCode === 0 && r.stdout.trim() === 'loaded';
    });
  }

  journal(args: string[], n = 20): Promise<string[]> {
    return this.once(`journal:${args.join(' ')}:${n}`, async () => {
      const r = await this.q('journalctl', ['--no-pager', '-q', '-o', 'cat', '-n', String(n), ...args], 15_000);
      return r.exitCode === 0 ? lines(this.ctx.exec.redact(r.stdout)) : [];
    });
  }

  mirrorProbe(kind: MirrorKind, urls: readonly string[]) {
    return this.once(`probe:${kind}:${urls.join(' ')}`, async () => {
      const cat = this.stack.catalogue ?? builtinCatalogue();
      const entries: MirrorEntry[] = urls.map((u) => cat.find((e) => e.kind === kind && e.url.replace(/\/+$/, '') === u.replace(/\/+$/, '')) ?? { kind, id: 'configured', name: u, url: u.replace(/\/+$/, '') });
      return probeMirrors(entries, probeTarget(this.stack.facts.os, this.stack.facts.arch));
    });
  }

  readText(path: string) {
    return this.ctx.exec.readFile(path).catch(() => null);
  }
}

// ---------------------------------------------------------------- the sources

type Gatherers = { [K in SourceId]: (g: Gather) => Promise<EvidenceSources[K]> };

async function tcpCheckScript(): Promise<string> {
  // Whatever the app image has: its runtime's interpreter first, then nc or bash's /dev/tcp.
  return [
    'h=$1; p=$2',
    'if command -v python3 >/dev/null 2>&1; then exec python3 -c "import socket,sys',
    'try:',
    '  socket.create_connection((sys.argv[1], int(sys.argv[2])), 4).close()',
    'except Exception as e:',
    '  print(e, file=sys.stderr); sys.exit(1)" "$h" "$p"',
    "elif command -v node >/dev/null 2>&1; then exec node -e \"const s=require('net').connect({host:process.argv[1],port:+process.argv[2]},()=>{s.end();process.exit(0)});s.setTimeout(4000,()=>{console.error('timed out');process.exit(1)});s.on('error',e=>{console.error(e.message);process.exit(1)})\" \"$h\" \"$p\"",
    'elif command -v nc >/dev/null 2>&1; then exec nc -z -w 4 "$h" "$p"',
    'elif command -v bash >/dev/null 2>&1; then exec bash -c \'exec 3<>"/dev/tcp/$0/$1"\' "$h" "$p"',
    'else echo "no tool in this image to test a TCP connection" >&2; exit 125; fi',
  ].join('\n');
}

function httpGet(url: string, o: { host?: string; servername?: string; timeoutMs: number }): Promise<{ status: number | null; error: string | null; ms: number | null; date: string | null }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(u, {
      method: 'GET',
      agent: false,
      headers: { ...(o.host ? { host: o.host } : {}), 'user-agent': 'stack-wizard doctor', connection: 'close' },
      ...(u.protocol === 'https:' ? { rejectUnauthorized: false, servername: o.servername } : {}),
    });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), o.timeoutMs);
    req.on('response', (res) => {
      res.resume();
      clearTimeout(timer);
      resolve({ status: res.statusCode ?? null, error: null, ms: Date.now() - t0, date: String(res.headers.date ?? '') || null });
      req.destroy();
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ status: null, error: e.code ?? e.message, ms: null, date: null });
    });
    req.end();
  });
}

export function servedChain(port: number, servername: string | null, timeoutMs: number): Promise<{ chain: CertInfo[]; authorized: boolean; authError: string | null; error: string | null }> {
  return new Promise((resolve) => {
    const sock = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(servername && !/^[\d.]+$/.test(servername) ? { servername } : {}) });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ chain: [], authorized: false, authError: null, error: 'timed out' });
    }, timeoutMs);
    sock.on('secureConnect', () => {
      clearTimeout(timer);
      const chain: CertInfo[] = [];
      let c = sock.getPeerX509Certificate();
      const seen = new Set<string>();
      // Walk what the server sent: leaf, then each issuer it included.
      let peer = sock.getPeerCertificate(true) as tls.DetailedPeerCertificate | null;
      while (peer && peer.raw && !seen.has(peer.fingerprint256)) {
        seen.add(peer.fingerprint256);
        try {
          chain.push(certInfo(new X509Certificate(peer.raw)));
        } catch {
          break;
        }
        peer = peer.issuerCertificate && peer.issuerCertificate !== peer ? peer.issuerCertificate : null;
      }
      if (chain.length === 0 && c) chain.push(certInfo(c));
      c = undefined;
      const authError = sock.authorizationError ? String((sock.authorizationError as unknown as { code?: string }).code ?? sock.authorizationError) : null;
      resolve({ chain, authorized: sock.authorized, authError, error: null });
      sock.end();
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ chain: [], authorized: false, authError: null, error: e.code ?? e.message });
    });
  });
}

const SOURCES: Gatherers = {
  async docker(g) {
    const installed = g.stack.facts.docker.installed || (await g.ctx.exec.exists('/usr/bin/docker'));
    const unreachable = (await g.dockerUp()) ? null : await g.ctx.docker.unreachable().catch((e: Error) => e.message);
    const unit = await g.unitActive('docker');
    const journal = unreachable && unit !== null ? await g.journal(['-u', 'docker'], 15) : [];
    let version = g.stack.facts.docker.version;
    if (!unreachable) {
      const r = await g.q('docker', ['version', '--format', '{{.Server.Version}}'], 5000);
      if (r.exitCode === 0) version = r.stdout.trim();
    }
    return { installed, unreachable: unreachable ?? null, version, unit, journal };
  },

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

  async dockerSpace(g) {
    const empty = { reachable: false, images: null, buildCacheBytes: 0, volumesBytes: 0, dangling: { count: 0, bytes: 0 }, fsTotalBytes: null };
    if (!(await g.dockerUp())) return empty;
    const df = await g.q('docker', ['system', 'df', '--format', '{{json .}}'], 30_000);
    const rows = lines(df.stdout).map((l) => {
      try {
        return JSON.parse(l) as { Type: string; TotalCount: string; Size: string; Reclaimable: string };
      } catch {
        return null;
      }
    }).filter((x): x is { Type: string; TotalCount: string; Size: string; Reclaimable: string } => x !== null);
    const row = (t: string) => rows.find((r) => r.Type === t);
    const ids = lines((await g.q('docker', ['image', 'ls', '-q', '--no-trunc', '-f', 'dangling=true'])).stdout);
    let bytes = 0;
    if (ids.length) {
      const r = await g.q('docker', ['image', 'inspect', '--format', '{{.Size}}', ...ids]);
      bytes = lines(r.stdout).reduce((n, l) => n + (Number(l) || 0), 0);
    }
    const root = await g.dockerRoot();
    const fs = root ? await g.fsUse(root) : null;
    const img = row('Images');
    return {
      reachable: true,
      images: img ? { count: Number(img.TotalCount) || 0, sizeBytes: dockerSize(img.Size), reclaimableBytes: dockerSize(img.Reclaimable) } : null,
      buildCacheBytes: dockerSize(row('Build Cache')?.Size),
      volumesBytes: dockerSize(row('Local Volumes')?.Size),
      dangling: { count: ids.length, bytes },
      fsTotalBytes: fs?.totalBytes || null,
    };
  },

  async dockerLogs(g) {
    if (!(await g.dockerUp())) return { reachable: false, containers: [] };
    const ids = lines((await g.q('docker', ['ps', '-aq', '--no-trunc'])).stdout);
    if (ids.length === 0) return { reachable: true, containers: [] };
    let all: Inspected[] = [];
    try {
      all = JSON.parse((await g.q('docker', ['inspect', ...ids], 20_000)).stdout) as Inspected[];
    } catch {
      all = [];
    }
    const paths = all.map((c) => c.LogPath).filter(Boolean);
    const sizes = new Map<string, number>();
    if (paths.length) {
      const r = await g.q('stat', ['-c', '%s %n', ...paths]);
      for (const l of lines(r.stdout)) {
        const i = l.indexOf(' ');
        sizes.set(l.slice(i + 1), Number(l.slice(0, i)));
      }
    }
    return {
      reachable: true,
      containers: all.map((c) => ({
        service: c.Config.Labels?.['com.docker.compose.service'] ?? null,
        name: c.Name.replace(/^\//, ''),
        logPath: c.LogPath || null,
        sizeBytes: c.LogPath ? (sizes.get(c.LogPath) ?? null) : null,
        driver: c.HostConfig.LogConfig?.Type ?? '?',
        maxSize: c.HostConfig.LogConfig?.Config?.['max-size'] ?? null,
      })),
    };
  },

  async compose(g) {
    const file = join(g.stack.installDir, HOST.compose);
    if (!(await g.ctx.exec.exists(file))) return { composeFile: file, exists: false, exitCode: null, output: [] };
    const r = await g.q('docker', [...composeArgs(g.stack), 'config', '--quiet'], 30_000);
    if (r.exitCode === 127 || /is not a docker command|unknown command/i.test(r.stderr)) return { composeFile: file, exists: true, exitCode: null, output: [] };
    return { composeFile: file, exists: true, exitCode: r.exitCode, output: lines(g.ctx.exec.redact(`${r.stdout}\n${r.stderr}`)) };
  },

  async services(g) {
    if (!(await g.dockerUp())) return { reachable: false, services: [] };
    const applied = await g.readText(join(g.stack.installDir, '.stack-wizard', 'applied.json'));
    let healthy: Record<string, { imageId?: string }> = {};
    try {
      healthy = applied ? ((JSON.parse(applied) as { services?: Record<string, { imageId?: string }> }).services ?? {}) : {};
    } catch {
      healthy = {};
    }
    const defs = await g.composeServices();
    const services: ServiceEvidence[] = await Promise.all(
      defs.map(async (d): Promise<ServiceEvidence> => {
        const c = await g.container(d.name);
        if (!c) return { name: d.name, container: null, logs: [], dependsOn: d.dependsOn, healthyImageId: healthy[d.name]?.imageId ?? null, memory: null };
        const h = c.State.Health;
        const last = h?.Log?.[h.Log.length - 1];
        const ce: ContainerEvidence = {
          id: c.Id,
          name: c.Name.replace(/^\//, ''),
          state: c.State.Status,
          health: (h?.Status as ContainerEvidence['health']) ?? null,
          healthLog: last ? g.ctx.exec.redact(String(last.Output ?? '').trim()) : null,
          exitCode: c.State.ExitCode,
          error: c.State.Error || null,
          oomKilled: c.State.OOMKilled,
          restartCount: c.RestartCount,
          startedAt: c.State.StartedAt || null,
          finishedAt: c.State.FinishedAt || null,
          image: c.Config.Image,
          imageId: c.Image,
        };
        const [logs, use] = await Promise.all([g.logs(c.Id, 60, c.State.StartedAt), c.State.Status === 'running' ? g.usage(c.Id) : null]);
        return {
          name: d.name,
          container: ce,
          logs,
          dependsOn: d.dependsOn,
          healthyImageId: healthy[d.name]?.imageId ?? null,
          memory: use ? { usedBytes: use.memoryBytes, limitBytes: c.HostConfig.Memory || use.memoryLimitBytes } : null,
        };
      }),
    );
    return { reachable: true, services };
  },

  async ports(g) {
    const p = g.stack.plan;
    const want: { port: number; purpose: 'http' | 'https' }[] = [{ port: p.ports.http, purpose: 'http' }];
    if (p.nginx.tls !== 'none') want.push({ port: p.ports.https, purpose: 'https' });
    const ls = await g.listeners();
    const pub = (await g.dockerUp()) ? await g.ctx.docker.publishingContainers().catch(() => []) : [];
    const ports = await Promise.all(
      want.map(async (w) => {
        const listeners = await Promise.all(
          ls.filter((l) => l.port === w.port).map(async (l) => {
            let cmdline: string | null = null;
            let unit: string | null = null;
            if (l.pid !== null) {
              cmdline = ((await g.readText(`/proc/${l.pid}/cmdline`)) ?? '').split('\0').filter(Boolean).join(' ') || null;
              const cg = (await g.readText(`/proc/${l.pid}/cgroup`)) ?? '';
              // The systemd service that started it (not docker's own unit, whose docker-proxy serves containers).
              const u = /\/([^/\n]+\.service)(?:\/[^\n]*)?$/m.exec(cg.split('\n').find((x) => /(^0::|name=systemd:)/.test(x)) ?? '');
              unit = u && u[1] !== 'docker.service' && u[1] !== 'containerd.service' ? u[1]! : null;
            }
            return { address: l.address, process: l.process, pid: l.pid, cmdline: cmdline ? g.ctx.exec.redact(cmdline) : null, unit };
          }),
        );
        const publishedBy = pub.filter((c) => c.ports.some((x) => x.hostPort === w.port)).map((c) => ({ container: c.name, project: c.project, service: c.service }));
        return { port: w.port, purpose: w.purpose, listeners, publishedBy };
      }),
    );
    return { project: g.stack.project, ports };
  },

  async nginxConfig(g) {
    const mounts: Record<string, string> = {
      [CONTAINER.nginxConf]: HOST.nginxConf,
      [CONTAINER.nginxConfD]: HOST.nginxConfD,
      [CONTAINER.nginxCerts]: HOST.nginxCerts,
      [CONTAINER.letsencrypt]: HOST.letsencrypt,
    };
    if (!(await g.dockerUp())) return { ran: null, exitCode: null, output: [], mounts };
    const r = await g.execIn('nginx', ['nginx', '-t'], 20_000);
    // A container caught between two crashes refuses the exec itself ("is restarting"): only an
    // answer from nginx counts; otherwise test the files in a one-off container below.
    const out = r ? lines(`${r.stdout}\n${r.stderr}`) : [];
    if (r && out.some((l) => /^nginx: /.test(l))) return { ran: 'exec', exitCode: r.exitCode, output: out, mounts };
    if (!(await g.ctx.exec.exists(join(g.stack.installDir, HOST.compose)))) return { ran: null, exitCode: null, output: [], mounts };
    // nginx is not running (maybe because of its config): test the same files in a one-off container.
    const one = await g.q('docker', [...composeArgs(g.stack), 'run', '--rm', '--no-deps', '-T', '--entrypoint', 'nginx', 'nginx', '-t'], 90_000);
    return { ran: 'oneoff', exitCode: one.exitCode, output: lines(g.ctx.exec.redact(`${one.stdout}\n${one.stderr}`)).filter((l) => !/^\s*(Container|Network|Volume) /.test(l)), mounts };
  },

  async http(g) {
    const p = g.stack.plan;
    const healthUnderApi = p.nginx.apiPrefix === '/' || p.app.health.startsWith(p.nginx.apiPrefix);
    const path = healthUnderApi ? p.app.health : '/';
    const tlsOn = p.nginx.tls !== 'none';
    const url = tlsOn ? `https://127.0.0.1:${p.ports.https}${path}` : `http://127.0.0.1:${p.ports.http}${path}`;
    const front = await httpGet(url, { host: p.nginx.domain ?? undefined, servername: p.nginx.domain ?? undefined, timeoutMs: 10_000 });
    let nginxToApp: { ok: boolean; status: number | null; error: string | null } | null = null;
    const n = await g.execIn('nginx', ['curl', '-sS', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '8', `http://app:${p.app.port}${p.app.health}`], 20_000);
    if (n) {
      const code = Number(n.stdout.trim());
      nginxToApp = code > 0 ? { ok: code < 500, status: code, error: null } : { ok: false, status: null, error: (n.stderr.trim().split('\n').pop() ?? '').replace(/^curl: \(\d+\)\s*/, '') || `exit ${n.exitCode}` };
    }
    let appTo: { service: string; host: string; port: number; ok: boolean; error: string | null }[] | null = null;
    const app = await g.running('app');
    if (app) {
      const script = await tcpCheckScript();
      const backends = [{ service: 'mysql', port: 3306 }, ...(p.redis ? [{ service: 'redis', port: 6379 }] : [])];
      appTo = await Promise.all(
        backends.map(async (b) => {
          const r = await g.q('docker', ['exec', app.Id, 'sh', '-c', script, 'sh', b.service, String(b.port)], 15_000);
          const err = r.stderr.trim().split('\n').pop() ?? '';
          return { service: b.service, host: b.service, port: b.port, ok: r.exitCode === 0, error: r.exitCode === 0 ? null : g.ctx.exec.redact(err) || `exit ${r.exitCode}` };
        }),
      );
    }
    const minutes = 15;
    const tail = await g.q('tail', ['-n', '400', join(g.stack.installDir, HOST.nginxLogs, NGINX_ERROR_LOG)], 5000);
    const nginx = await g.running('nginx');
    const started = [app, nginx].map((c) => (c?.State.StartedAt ? Date.parse(c.State.StartedAt) : NaN)).filter((n) => Number.isFinite(n));
    const errs = upstreamErrors(tail.exitCode === 0 ? tail.stdout : '', g.ctx.clock(), minutes, started.length ? Math.max(...started) : null);
    const appIps = app ? Object.values(app.NetworkSettings.Networks ?? {}).map((x) => x.IPAddress).filter(Boolean) : [];
    const staleUpstream = errs.lastUpstream && appIps.length && !appIps.includes(errs.lastUpstream) ? { logged: errs.lastUpstream, current: appIps.join(', ') } : null;
    return {
      front: { url, status: front.status, error: front.error, ms: front.ms },
      nginxToApp,
      appTo,
      errorLog: { minutes, refused: errs.refused, timedOut: errs.timedOut, other: errs.other, sample: errs.sample.map((l) => g.ctx.exec.redact(l)) },
      staleUpstream,
    };
  },

  async mysql(g) {
    const engine = g.stack.plan.database.engine;
    const c = await g.running('mysql');
    const base = { engine, running: !!c, error: null as string | null, status: {}, variables: {}, limitBytes: c?.HostConfig.Memory || null, slowLog: [] as string[] };
    if (!c) return base;
    const client = engine === 'mariadb' ? 'mariadb' : 'mysql';
    // The root password is read inside the container from its own environment: it never crosses our command line.
    const sql = 'SHOW GLOBAL STATUS; SHOW GLOBAL VARIABLES;';
    const r = await g.q('docker', ['exec', c.Id, 'sh', '-c', `MYSQL_PWD="\${MARIADB_ROOT_PASSWORD:-$MYSQL_ROOT_PASSWORD}" exec ${client} -uroot -N -B -e "${sql}"`], 20_000);
    if (r.exitCode !== 0) return { ...base, error: g.ctx.exec.redact(r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`) };
    const rows = parseRows(r.stdout);
    const status: Record<string, string> = {};
    const variables: Record<string, string> = {};
    for (const [k, v] of Object.entries(rows)) (/^[A-Z]/.test(k) ? status : variables)[k] = v;
    let slowLog: string[] = [];
    if (/^(ON|1)$/i.test(variables.slow_query_log ?? '') && variables.slow_query_log_file) {
      const f = variables.slow_query_log_file.startsWith('/') ? variables.slow_query_log_file : `${variables.datadir ?? '/var/lib/mysql/'}${variables.slow_query_log_file}`;
      const t = await g.q('docker', ['exec', c.Id, 'tail', '-n', '300', f], 10_000);
      if (t.exitCode === 0) slowLog = t.stdout.split('\n').map((l) => g.ctx.exec.redact(l));
    }
    return { ...base, status, variables, slowLog };
  },

  async redis(g) {
    const conf = (await g.readText(join(g.stack.installDir, HOST.redisConf))) ?? '';
    const get = (k: string) => new RegExp(`^\\s*${k}\\s+(\\S+)`, 'm').exec(conf)?.[1] ?? null;
    const rendered = { maxmemory: get('maxmemory'), policy: get('maxmemory-policy') };
    const c = await g.running('redis');
    if (!c) return { running: false, error: null, info: {}, rendered, logs: [] };
    // REDISCLI_AUTH is set in the container by the compose file: the password stays inside.
    const r = await g.q('docker', ['exec', c.Id, 'redis-cli', 'INFO', 'everything'], 15_000);
    const logs = await g.logs(c.Id, 200);
    if (r.exitCode !== 0 || /^(NOAUTH|ERR|WRONGPASS)/m.test(r.stdout)) return { running: true, error: g.ctx.exec.redact((r.stderr || r.stdout).trim().split('\n').pop() ?? ''), info: {}, rendered, logs };
    return { running: true, error: null, info: parseInfo(r.stdout), rendered, logs };
  },

  async tls(g) {
    const p = g.stack.plan;
    const n = p.nginx;
    const mode = n.tls;
    const expectedName = n.domain ?? (mode === 'self-signed' ? p.project : null);
    if (mode === 'none') return { mode, domain: null, expectedName, file: null, served: null, timer: null };
    const path =
      mode === 'self-signed' ? join(p.installDir, HOST.nginxCerts, SELF_SIGNED_CERT.cert)
        : mode === 'letsencrypt' ? join(p.installDir, HOST.letsencrypt, 'live', n.domain ?? '', 'fullchain.pem')
          : (n.certificate?.cert ?? join(p.installDir, HOST.nginxCerts, CUSTOM_CERT.cert));
    let file: { path: string; cert: CertInfo | null; error: string | null };
    const pem = await g.readText(path);
    if (pem === null) file = { path, cert: null, error: 'ENOENT' };
    else {
      try {
        file = { path, cert: certInfo(new X509Certificate(pem)), error: null };
      } catch (e) {
        file = { path, cert: null, error: (e as Error).message };
      }
    }
    const served = await servedChain(p.ports.https, n.domain, 8000);
    let timer = null;
    if (mode === 'letsencrypt') {
      const units = certbotUnitNames(p);
      const en = await g.q('systemctl', ['is-enabled', units.timer], 5000);
      const show = await g.q('systemctl', ['show', '-p', 'Result', '-p', 'ExecMainExitTimestamp', units.service], 5000);
      const prop = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(show.stdout)?.[1]?.trim() || null;
      timer = {
        unit: units.timer,
        enabled: en.stdout.trim() || null,
        active: await g.unitActive(units.timer),
        lastResult: prop('ExecMainExitTimestamp') ? prop('Result') : null,
        lastRun: prop('ExecMainExitTimestamp'),
        journal: await g.journal(['-u', units.service], 8),
      };
    }
    return { mode, domain: n.domain, expectedName, file, served, timer };
  },

  async firewall(g) {
    const p = g.stack.plan;
    const ufw = await readUfw(g.ctx.exec);
    // The same reading as `security status`: an operator's narrower SSH rule is SSH open, not an extra.
    const view = ufwAgainstPlan(ufw, p);
    const ports = view.ports.map((x) => ({ port: x.port, purpose: x.purpose, open: x.v4 }));
    const unexpected = view.unexpected;
    return { wanted: p.security.firewall, installed: ufw.installed, readable: ufw.readable, active: ufw.active, incoming: ufw.defaults.incoming, ports, unexpected };
  },

  async exposure(g) {
    const p = g.stack.plan;
    const allowed = [...new Set([...p.security.sshPorts, p.ports.http, ...(p.nginx.tls !== 'none' ? [p.ports.https] : []), ...p.security.extraPorts])];
    const ufw = await readUfw(g.ctx.exec);
    const pub = (await g.dockerUp()) ? await g.ctx.docker.publishingContainers().catch(() => []) : [];
    const published = pub.flatMap((c) => c.ports.map((x) => ({ container: c.name, project: c.project, service: c.service, hostIp: x.hostIp, hostPort: x.hostPort, containerPort: x.containerPort })));
    const loop = (a: string) => /^(127\.|\[?::1\]?$|localhost)/.test(a) || a === '[::1]';
    const listeners = (await g.listeners()).filter((l) => !loop(l.address)).map((l) => ({ address: l.address, port: l.port, process: l.process }));
    return { allowed, ufwActive: ufw.active, published, listeners };
  },

  async fail2ban(g) {
    const p = g.stack.plan;
    const st = await readFail2ban(g.ctx.exec);
    const operator: { address: string; source: string }[] = [];
    const add = (address: string, source: string) => {
      if (address && !operator.some((o) => o.address === address)) operator.push({ address, source });
    };
    if (g.stack.facts.session.sshClientAddress) add(g.stack.facts.session.sshClientAddress, 'this session');
    for (const s of await sshSessions(g.ctx.exec, g.stack.facts)) add(s.address, 'open SSH session');
    if (g.systemd()) {
      const j = await g.q('journalctl', ['--no-pager', '-q', '-o', 'cat', '-u', 'ssh', '-u', 'sshd', '--since', '-7d', '-n', '3000'], 15_000);
      for (const a of acceptedLogins(j.stdout).slice(-5)) add(a, 'recent login');
    }
    const journal = st.installed && !st.running ? await g.journal(['-u', 'fail2ban'], 10) : [];
    return {
      wanted: p.security.fail2ban,
      installed: st.installed,
      running: st.running,
      jails: st.jails.map((j) => ({ name: j.name, currentlyBanned: j.currentlyBanned, totalBanned: j.totalBanned, bannedIps: j.bannedIps })),
      missing: st.running ? expectedJails().filter((j) => !st.jails.some((x) => x.name === j)) : expectedJails(),
      operator,
      journal,
    };
  },

  async ssh(g) {
    const ls = await g.listeners();
    const listening = [...new Set(ls.filter((l) => l.process === 'sshd' || l.process === 'sshd-session' || (l.process === 'systemd' && g.stack.plan.security.sshPorts.includes(l.port))).map((l) => l.port))].sort((a, b) => a - b);
    let unit: { name: string; active: string } | null = null;
    for (const name of ['ssh', 'sshd']) {
      if (await g.unitLoaded(name)) {
        unit = { name, active: (await g.unitActive(name)) ?? '?' };
        break;
      }
    }
    return { ports: g.stack.plan.security.sshPorts, listening, unit };
  },

  async mirrors(g) {
    const daemon = await g.daemonMirrors();
    const answers = { ...g.stack.plan.mirrors };
    const byKind = new Map<MirrorKind, string[]>();
    const push = (k: MirrorKind, u: string) => byKind.set(k, [...new Set([...(byKind.get(k) ?? []), u])]);
    for (const u of daemon) push('registry', u);
    for (const [k, u] of Object.entries(answers)) push(k as MirrorKind, u);
    const results = (await Promise.all([...byKind].map(([k, urls]) => g.mirrorProbe(k, urls)))).flat();
    return { region: g.stack.plan.region, daemon, answers, results: results.map((r) => ({ kind: r.kind, url: r.url, alive: r.alive, latencyMs: r.latencyMs, error: r.error })) };
  },

  async pull(g) {
    if (!(await g.dockerUp())) return { reachable: false, images: [], endpoints: [] };
    const images = await Promise.all(
      g.stack.plan.services.map(async (s) => {
        const img = await g.ctx.docker.image(s.image).catch(() => null);
        return { service: s.name, ref: s.image, registry: registryOf(s.image), fromRegistry: !!img && img.repoDigests.length > 0, present: !!img };
      }),
    );
    const registries = [...new Set(images.filter((i) => i.fromRegistry || !i.present).map((i) => i.registry))];
    const endpoints: { registry: string; url: string; alive: boolean; error: string | null }[] = [];
    for (const reg of registries) {
      const urls = reg === 'docker.io' ? [...(await g.daemonMirrors()), 'https://registry-1.docker.io'] : [`https://${reg}`];
      const res = await g.mirrorProbe('registry', urls);
      for (const r of res) endpoints.push({ registry: reg, url: r.url, alive: r.alive, error: r.error });
    }
    return { reachable: true, images, endpoints };
  },

  async files(g) {
    const dir = g.stack.installDir;
    const text = await g.readText(join(dir, HOST.manifest));
    let manifest: Record<string, string> | null = null;
    let manifestError: string | null = null;
    if (text === null) manifestError = `${join(dir, HOST.manifest)}: ENOENT`;
    else {
      try {
        manifest = (JSON.parse(text) as { files?: Record<string, string> }).files ?? null;
      } catch (e) {
        manifestError = `${join(dir, HOST.manifest)}: ${(e as Error).message}`;
      }
    }
    const actual: Record<string, string | null> = {};
    const restorable: Record<string, boolean> = {};
    for (const p of Object.keys(manifest ?? {})) {
      const t = await g.readText(join(dir, p));
      actual[p] = t === null ? null : sha(t);
      const rendered = g.stack.files.find((f) => f.path === p);
      const prev = await g.readText(join(dir, '.stack-wizard', 'previous', 'files', p));
      restorable[p] = (!!rendered && sha(rendered.content) === manifest![p]) || (prev !== null && sha(prev) === manifest![p]);
    }
    return { manifest, manifestError, actual, restorable };
  },

  async env(g) {
    const path = join(g.stack.installDir, HOST.env);
    const text = await g.readText(path);
    if (text === null) return { path, exists: false, mode: null, missing: [] };
    const vals = parseDotenv(text);
    return { path, exists: true, mode: await g.ctx.exec.fileMode(path), missing: secretNames(g.stack.plan).filter((k) => !vals[k]) };
  },

  // Read-only: a finished journal is left for the next changing command to remove.
  async journals(g) {
    const rPath = join(g.stack.installDir, HOST.restoreJournal);
    const rText = await g.readText(rPath);
    const rj = rText ? parseJournal(rText) : null;
    const restore = rj && { path: rPath, journal: rj, running: await otherProcessAlive(g.ctx, rj.pid) };
    const uPath = join(g.stack.installDir, HOST.updateJournal);
    const uText = await g.readText(uPath);
    const uj = uText === null ? null : parseUpdateJournal(uText);
    const update = uText === null ? null : { path: uPath, journal: uj, running: uj ? await otherProcessAlive(g.ctx, uj.pid) : false };
    return { restore, update };
  },
};

export { redisBytes };
