// Doctor's evidence: what each check looks at, collected read-only (Executor queries and file
// reads, the Engine's API, loopback network reads), so it runs the same in --dry-run. One source
// per kind of evidence, gathered once per run and shared by the checks that read it.
//
// This file holds what several sources read (containers, logs, listeners, filesystems, units,
// mirror probes), memoised per run; each area's sources sit in ./gather-<area>.ts beside the
// checks that read them (src/domain/doctor/checks-<area>.ts), and ./sources.ts lists them all.
import { stat, statfs } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Context } from '../../context.js';
import type { Answers } from '../../domain/answers.js';
import { planHubImages } from '../../domain/plan.js';
import { composeArgv } from '../../domain/compose-argv.js';
import type { HostFacts } from '../../domain/facts.js';
import type { Plan } from '../../domain/plan.js';
import type { Secrets } from '../../domain/secrets.js';
import type { RenderedFile } from '../../render/types.js';
import { HOST } from '../../render/paths.js';
import { parseSs } from '../probe.js';
import { probeMirrors } from '../mirror-probe.js';
import { builtinCatalogue, probeTarget, type MirrorEntry, type MirrorKind } from '../../domain/mirrors.js';
import { existingRegistryMirrors, parseDaemonJson } from '../../domain/daemon-json.js';
import type { EvidenceSources, SourceId } from '../../domain/doctor/checks.js';
import type { FsUse } from '../../domain/doctor/checks-host.js';

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

/** A gatherer per evidence source: what src/domain/doctor/checks.ts says each check reads. */
export type Gatherers = { [K in SourceId]: (g: Gather) => Promise<EvidenceSources[K]> };

export const composeArgs = (s: DoctorStack) => composeArgv(s.installDir);
export const lines = (t: string) => t.split(/\r?\n/).filter((l) => l.trim() !== '');

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

/** One GET, certificates not verified (loopback and Date headers): status, time, Date header. */
export function httpGet(url: string, o: { host?: string; servername?: string; timeoutMs: number }): Promise<{ status: number | null; error: string | null; ms: number | null; date: string | null }> {
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

export class Gather {
  private memo = new Map<string, Promise<unknown>>();
  constructor(
    readonly ctx: Context,
    readonly stack: DoctorStack,
    /** Every source's gatherer (./sources.ts): a source may read another through source(). */
    private readonly sources: Gatherers,
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
    return this.once(`source:${id}`, () => (this.sources[id] as (g: Gather) => Promise<EvidenceSources[K]>)(this));
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

  /** `onImages`: Docker Hub mirrors judged on the stack's Docker Hub images, as init judged them (#16.6). */
  mirrorProbe(kind: MirrorKind, urls: readonly string[], onImages = false) {
    return this.once(`probe:${kind}:${onImages}:${urls.join(' ')}`, async () => {
      const cat = this.stack.catalogue ?? builtinCatalogue();
      const entries: MirrorEntry[] = urls.map((u) => cat.find((e) => e.kind === kind && e.url.replace(/\/+$/, '') === u.replace(/\/+$/, '')) ?? { kind, id: 'configured', name: u, url: u.replace(/\/+$/, '') });
      const images = onImages && (kind === 'registry' || kind === 'image-prefix') ? planHubImages(this.stack.answers) : [];
      return probeMirrors(entries, probeTarget(this.stack.facts.os, this.stack.facts.arch, images));
    });
  }

  readText(path: string) {
    return this.ctx.exec.readFile(path).catch(() => null);
  }
}
