// The pure parts of applying a stack: preflight findings, the daemon.json merge, where Docker comes
// from, pull candidates and progress, the Engine's log and stats formats, the log file.
import { mkdtempSync, readFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { preflight, diskNeed, type PreflightInput, type Finding } from '../../src/domain/preflight.js';
import { buildPlan } from '../../src/domain/plan.js';
import { AnswersSchema, type AnswersInput } from '../../src/domain/answers.js';
import { TEST_DOCKER_KEY_ENV, acceptedDockerKeys, debianArchiveUri, distroPackages, dockerCeRepo, hasDockerCeSource } from '../../src/domain/docker-install.js';
import { DOCKER_KEY_FINGERPRINTS } from '../../src/domain/openpgp.js';
import { pullCandidates } from '../../src/domain/pull.js';
import { PullProgress, computeUsage, demuxLogs, pullStreamError, splitRef } from '../../src/exec/docker.js';
import { DryRunExecutor, RealExecutor, fileLog } from '../../src/exec/executor.js';
import { MESSAGES, isMsgKey } from '../../src/i18n/index.js';
import { createContext } from '../../src/context.js';
import { runSteps } from '../../src/steps/engine.js';
import { preflightStep } from '../../src/steps/preflight.js';
import { WizardError } from '../../src/errors.js';
import type { DockerApi } from '../../src/exec/docker.js';
import { makeFacts } from '../fixtures/facts.js';
import type { HostFacts } from '../../src/domain/facts.js';

const GiB = 1024 ** 3;
const base: AnswersInput = { project: 'shop', preset: '4g', app: { image: 'ghcr.io/acme/shop:1.0' } };

function input(o: { facts?: Partial<HostFacts>; answers?: Partial<AnswersInput>; dns?: PreflightInput['dns']; holders?: PreflightInput['portHolders'] } = {}): PreflightInput {
  const facts = { ...makeFacts({ ramMiB: 3790, cores: 2 }), ...o.facts } as HostFacts;
  const answers = AnswersSchema.parse({ ...base, ...o.answers });
  return { facts, plan: buildPlan(answers, facts), portHolders: o.holders ?? [], dns: o.dns ?? null };
}
const byId = (fs: Finding[], id: string) => fs.find((f) => f.id === id)!;
const errors = (fs: Finding[]) => fs.filter((f) => f.level === 'error').map((f) => f.id);

describe('preflight findings', () => {
  it('a supported, roomy host with Docker passes with only ok lines', () => {
    const fs = preflight(input());
    expect(errors(fs)).toEqual([]);
    expect(fs.map((f) => f.id)).toEqual(['root', 'os', 'ram', 'disk', 'port-80', 'docker', 'compose', 'time']);
    expect(byId(fs, 'ram').params).toMatchObject({ have: 3790 });
  });

  it('not root, an old or foreign OS are errors; a derivative is a warning', () => {
    expect(byId(preflight(input({ facts: { user: { isRoot: false, uid: 1000, name: 'ops' } } })), 'root')).toMatchObject({ level: 'error', params: { user: 'ops' } });
    const old = preflight(input({ facts: { os: { id: 'debian', versionId: '10', codename: 'buster', prettyName: 'Debian 10', idLike: [] } } }));
    expect(byId(old, 'os')).toMatchObject({ level: 'error', key: 'pf.osVersion' });
    expect(String(byId(old, 'os').params.supported)).toContain('ubuntu 22.04/24.04');
    const centos = preflight(input({ facts: { os: { id: 'centos', versionId: '9', codename: null, prettyName: 'CentOS Stream 9', idLike: ['rhel', 'fedora'] } } }));
    expect(byId(centos, 'os')).toMatchObject({ level: 'error', key: 'pf.osOther' });
    const mint = preflight(input({ facts: { os: { id: 'linuxmint', versionId: '21.3', codename: 'virginia', prettyName: 'Linux Mint 21.3', idLike: ['ubuntu', 'debian'] } } }));
    expect(byId(mint, 'os')).toMatchObject({ level: 'warn', params: { base: 'ubuntu' } });
  });

  it('disk: images + data + backups against the free space, with the numbers', () => {
    const need = diskNeed(input().plan);
    expect(need.imagesGiB).toBeGreaterThan(1.5);
    expect(need.dataGiB).toBeGreaterThanOrEqual(2);
    expect(need.backupsGiB).toBeCloseTo(7 * need.dataGiB * 0.25, 0);
    const total = need.imagesGiB + need.dataGiB + need.backupsGiB;
    const disk = (free: number) => ({ path: '/var/lib/docker', mount: '/', totalBytes: 40 * GiB, freeBytes: free * GiB, freeInodes: 1e6 });
    const short = preflight(input({ facts: { disks: { installDir: { ...disk(total - 1), path: '/opt/x' }, dockerRoot: disk(total - 1) } } }));
    expect(byId(short, 'disk')).toMatchObject({ level: 'error', key: 'pf.disk.short', params: { free: (total - 1).toFixed(1), need: total.toFixed(1), parts: 'images+data+backups' } });
    const tight = preflight(input({ facts: { disks: { installDir: { ...disk(total * 1.2), path: '/opt/x' }, dockerRoot: disk(total * 1.2) } } }));
    expect(byId(tight, 'disk').level).toBe('warn');
    // Separate file systems: backups are checked where the install dir is.
    const split = preflight(input({ facts: { disks: { installDir: { ...disk(0.5), path: '/opt/x', mount: '/opt' }, dockerRoot: disk(100) } } }));
    expect(split.filter((f) => f.id === 'disk').map((f) => `${f.level}:${f.params.parts}:${f.params.need}`)).toEqual([
      `ok:images+data:${(need.imagesGiB + need.dataGiB).toFixed(1)}`,
      `error:backups:${need.backupsGiB.toFixed(1)}`,
    ]);
  });

  it('ports: free, held by our own Nginx, by another container, or by a host process', () => {
    const used = { ports: [{ port: 80, inUse: true, process: 'docker-proxy', pid: 900 }, { port: 443, inUse: false, process: null, pid: null }] };
    const ours = preflight(input({ facts: used, holders: [{ port: 80, project: 'shop', service: 'nginx', container: 'shop-nginx-1' }] }));
    expect(byId(ours, 'port-80')).toMatchObject({ level: 'ok', key: 'pf.portOurs' });
    const other = preflight(input({ facts: used, holders: [{ port: 80, project: 'blog', service: 'web', container: 'blog-web-1' }] }));
    expect(byId(other, 'port-80')).toMatchObject({ level: 'error', params: { container: 'blog-web-1', project: 'blog' } });
    const host = preflight(input({ facts: { ports: [{ port: 80, inUse: true, process: 'nginx', pid: 321 }, { port: 443, inUse: false, process: null, pid: null }] } }));
    expect(byId(host, 'port-80')).toMatchObject({ level: 'error', key: 'pf.portTaken', params: { process: 'nginx', pid: 321 } });
    // With TLS, 443 is checked too.
    const tls = preflight(input({ answers: { domain: 'shop.example.com', tls: 'self-signed' } }));
    expect(tls.map((f) => f.id)).toContain('port-443');
  });

  it('Docker: missing is installed later (info), too old is an error, Compose v1 gets the plugin', () => {
    const missing = preflight(input({ facts: { docker: { installed: false, version: null, running: false, rootDir: null, storageDriver: null, cgroupVersion: null }, compose: { installed: false, version: null, v2: false } } }));
    expect(errors(missing)).toEqual([]);
    expect(byId(missing, 'docker').key).toBe('pf.dockerMissing');
    const old = preflight(input({ facts: { docker: { installed: true, version: '19.03.15', running: true, rootDir: '/var/lib/docker', storageDriver: 'overlay2', cgroupVersion: '1' } } }));
    expect(byId(old, 'docker')).toMatchObject({ level: 'error', params: { have: '19.03.15', min: '20.10.0' } });
    const v1 = preflight(input({ facts: { compose: { installed: false, version: '1.29.2', v2: false } } }));
    expect(byId(v1, 'compose')).toMatchObject({ level: 'info', key: 'pf.composeMissing', params: { have: '1.29.2' } });
  });

  it('time: not synchronized is a warning with the command that fixes it', () => {
    const f = byId(preflight(input({ facts: { timeSynchronized: false } })), 'time');
    expect(f.level).toBe('warn');
    expect(MESSAGES.en[f.key]).toContain('timedatectl set-ntp true');
  });

  it("DNS for Let's Encrypt: on an interface, behind NAT, elsewhere, behind a proxy, or missing", () => {
    const le = { domain: 'shop.example.com', tls: 'letsencrypt' as const, email: 'ops@example.com' };
    const dns = (addresses: string[], error: string | null = null) => ({ name: 'shop.example.com', addresses, error });
    expect(preflight(input({ answers: { ...le } })).some((f) => f.id === 'dns')).toBe(true);
    expect(byId(preflight(input({ answers: le, dns: dns(['203.0.113.10']) })), 'dns').level).toBe('ok');
    expect(byId(preflight(input({ answers: le, dns: dns([], 'ENOTFOUND') })), 'dns')).toMatchObject({ level: 'error', params: { error: 'ENOTFOUND' } });
    expect(byId(preflight(input({ answers: le, dns: dns(['198.51.100.20']) })), 'dns')).toMatchObject({ level: 'error', key: 'pf.dnsElsewhere' });
    const nat = preflight(input({ answers: le, dns: dns(['198.51.100.20']), facts: { addresses: { public: [], private: ['10.0.0.5'] } } }));
    expect(byId(nat, 'dns')).toMatchObject({ level: 'warn', key: 'pf.dnsNat', params: { resolved: '198.51.100.20', addrs: '10.0.0.5' } });
    const cdn = preflight(input({ answers: { ...le, nginx: { realIp: { from: ['198.51.100.0/24'] } } }, dns: dns(['198.51.100.20']) }));
    expect(byId(cdn, 'dns').key).toBe('pf.dnsProxy');
    // No DNS check without Let's Encrypt.
    expect(preflight(input({ answers: { domain: 'shop.example.com', tls: 'self-signed' } })).some((f) => f.id === 'dns')).toBe(false);
  });

  it('every finding key is in both catalogues', () => {
    const keys = new Set<string>();
    const variants = [
      input(), input({ facts: { user: { isRoot: false, uid: 1, name: 'x' }, timeSynchronized: null } }),
      input({ answers: { domain: 'a.example.com', email: 'a@example.com' }, dns: { name: 'a.example.com', addresses: [], error: 'x' } }),
    ];
    for (const v of variants) for (const f of preflight(v)) keys.add(f.key);
    for (const k of ['pf.osVersion', 'pf.osOther', 'pf.osDerivative', 'pf.disk.short', 'pf.disk.tight', 'pf.disk.unknown', 'pf.disk.images', 'pf.disk.data', 'pf.disk.backups', 'pf.portOurs', 'pf.portContainer', 'pf.portTaken',
      'pf.dockerMissing', 'pf.dockerOld', 'pf.dockerStopped', 'pf.composeMissing', 'pf.composeOld', 'pf.timeNotSynced', 'pf.dnsOk', 'pf.dnsNat', 'pf.dnsProxy', 'pf.dnsElsewhere']) keys.add(k);
    for (const k of keys) {
      expect(isMsgKey(k), k).toBe(true);
      expect(MESSAGES['zh-CN'][k], k).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('a failing preflight stops the run with exit 3, every error listed, before any change', async () => {
    const exec = new DryRunExecutor();
    const docker = { unreachable: async () => 'ENOENT' } as unknown as DockerApi;
    const ctx = createContext({ lang: 'en', dryRun: true, exec, docker, io: { out: () => {}, err: () => {} }, interactive: false });
    const facts = { ...makeFacts({ ramMiB: 3790, cores: 2 }), user: { isRoot: false, uid: 1000, name: 'ops' }, ports: [{ port: 80, inUse: true, process: 'apache2', pid: 77 }] };
    const answers = AnswersSchema.parse(base);
    const p = { answers, facts, plan: buildPlan(answers, facts), secrets: {}, files: [], targetDir: '/nonexistent' };
    const out: string[] = [];
    const err = await runSteps(ctx, [preflightStep], p, (e) => e.kind === 'output' && out.push(e.text!)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WizardError);
    expect((err as WizardError).exitCode).toBe(3);
    expect((err as WizardError).details.join('\n')).toMatch(/running as ops, not root[\s\S]*port 80 is in use by apache2 \(pid 77\)/);
    expect(out.some((l) => l.startsWith('✓ Debian'))).toBe(true);
    expect(exec.actions).toEqual([]);
  });
});

describe('where Docker comes from', () => {
  const deb = (v: string, codename: string) => ({ ...makeFacts(), os: { id: 'debian', versionId: v, codename, prettyName: `Debian ${v}`, idLike: [] } });
  const ubu = (v: string, codename: string) => ({ ...makeFacts(), os: { id: 'ubuntu', versionId: v, codename, prettyName: `Ubuntu ${v}`, idLike: ['debian'] } });

  it('the docker-ce repository from a mirror: <url>/linux/<os>, key at <url>/linux/<os>/gpg', () => {
    const r = dockerCeRepo(deb('12', 'bookworm'), 'https://mirror.example.com/docker-ce/')!;
    expect(r.base).toBe('https://mirror.example.com/docker-ce/linux/debian');
    expect(r.gpgUrl).toBe('https://mirror.example.com/docker-ce/linux/debian/gpg');
    expect(r).toMatchObject({ suite: 'bookworm', arch: 'amd64', os: 'debian' });
    // An apt source for it already there (the mirror step's, or the operator's own) is used as is.
    expect(hasDockerCeSource(['Types: deb\nURIs: https://mirror.example.com/docker-ce/linux/debian\nSuites: bookworm\n'])).toBe(true);
    expect(hasDockerCeSource(['deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/ubuntu noble stable\n'])).toBe(true);
    expect(hasDockerCeSource(['# deb https://download.docker.com/linux/ubuntu noble stable\n', 'Types: deb\nURIs: http://deb.example.org/debian\n'])).toBe(false);
    expect(dockerCeRepo(ubu('24.04', 'noble'), undefined)!.base).toBe('https://download.docker.com/linux/ubuntu');
  });

  it("the distribution's Compose v2: docker-compose-v2 on Ubuntu, docker-compose on Debian 13, Debian 13's plugin on Debian 11/12", () => {
    expect(distroPackages(ubu('22.04', 'jammy'))).toEqual({ engine: ['docker.io'], compose: { kind: 'package', name: 'docker-compose-v2' } });
    expect(distroPackages(deb('13', 'trixie'))!.compose).toEqual({ kind: 'package', name: 'docker-compose' });
    expect(distroPackages(deb('12', 'bookworm'))!.compose).toEqual({ kind: 'debian-trixie-plugin' });
    expect(distroPackages(deb('11', 'bullseye'))!.compose).toEqual({ kind: 'debian-trixie-plugin' });
  });

  it("docker-ce is accepted only with Docker's key; the test override replaces it (never a second key) and must be a fingerprint", () => {
    expect(acceptedDockerKeys({})).toEqual({ fingerprints: DOCKER_KEY_FINGERPRINTS, test: false });
    expect(acceptedDockerKeys({ [TEST_DOCKER_KEY_ENV]: '' })).toEqual({ fingerprints: DOCKER_KEY_FINGERPRINTS, test: false });
    const fpr = 'f2c762feec64bd6ddd1899cc15f93ecfc51713ea';
    expect(acceptedDockerKeys({ [TEST_DOCKER_KEY_ENV]: fpr })).toEqual({ fingerprints: [fpr.toUpperCase()], test: true });
    expect(acceptedDockerKeys({ [TEST_DOCKER_KEY_ENV]: fpr }).fingerprints).not.toContain(DOCKER_KEY_FINGERPRINTS[0]);
    expect(() => acceptedDockerKeys({ [TEST_DOCKER_KEY_ENV]: 'anything' })).toThrow(/STACK_WIZARD_TEST_DOCKER_KEY_FINGERPRINT is not an OpenPGP fingerprint/);
  });

  it("reads the host's Debian archive from deb822 or one-line sources, skipping security", () => {
    expect(debianArchiveUri([{ path: 'debian.sources', text: 'Types: deb\nURIs: http://deb.example.org/debian-security\nSuites: bookworm-security\n\nTypes: deb\nURIs: http://deb.example.org/debian/\nSuites: bookworm bookworm-updates\n' }])).toBe('http://deb.example.org/debian');
    expect(debianArchiveUri([{ path: 'sources.list', text: '# c\ndeb [arch=amd64] https://mirror.example.net/debian bookworm main\n' }])).toBe('https://mirror.example.net/debian');
    expect(debianArchiveUri([{ path: 'x.sources', text: 'Types: deb\nURIs: http://a.example/debian\nSuites: bookworm\nEnabled: no\n' }])).toBeNull();
  });
});

describe('pulls', () => {
  it('candidates: the reference, then each mirror with the Docker Hub path, then Docker Hub for a mirror reference', () => {
    expect(pullCandidates('mysql:8.4.6', ['https://r1.example.com', 'https://r2.example.com/'])).toEqual([
      'mysql:8.4.6', 'r1.example.com/library/mysql:8.4.6', 'r2.example.com/library/mysql:8.4.6',
    ]);
    expect(pullCandidates('r1.example.com/library/redis:7', ['https://r1.example.com', 'https://r2.example.com'])).toEqual([
      'r1.example.com/library/redis:7', 'r2.example.com/library/redis:7', 'docker.io/library/redis:7',
    ]);
    // Another registry is not on Docker Hub: no mirror can have it.
    expect(pullCandidates('ghcr.io/acme/api:1', ['https://r1.example.com'])).toEqual(['ghcr.io/acme/api:1']);
    // Pinned by digest: its own name only (the Engine finds it by digest under that name alone); daemon.json's
    // mirrors, then Docker Hub, are the Engine's fallback for it (#16.4).
    const pinned = `mysql:8.4.11@sha256:${'a'.repeat(64)}`;
    expect(pullCandidates(pinned, ['https://r1.example.com'])).toEqual([pinned]);
    expect(pullCandidates(`r1.example.com/library/${pinned}`, ['https://r1.example.com'])).toEqual([`r1.example.com/library/${pinned}`]);
  });

  it('splits references with registry ports and digests', () => {
    expect(splitRef('127.0.0.1:5000/a/b:1')).toEqual({ repo: '127.0.0.1:5000/a/b', tag: '1' });
    expect(splitRef('127.0.0.1:5000/a/b')).toEqual({ repo: '127.0.0.1:5000/a/b', tag: 'latest' });
    expect(splitRef('a@sha256:abc')).toEqual({ repo: 'a', tag: 'sha256:abc' });
  });

  it('progress: 80 % download, 20 % extraction per layer; the image is the mean of its layers', () => {
    const p = new PullProgress('redis:7');
    expect(p.update({ status: 'Pulling from library/redis', id: '7' })).toBeNull();
    p.update({ status: 'Pulling fs layer', id: 'aaaaaaaaaaaa' });
    p.update({ status: 'Already exists', id: 'bbbbbbbbbbbb' });
    expect(p.fraction).toBe(0.5);
    expect(p.update({ status: 'Downloading', id: 'aaaaaaaaaaaa', progressDetail: { current: 50, total: 100 } })).toEqual({ layer: 'aaaaaaaaaaaa', fraction: 0.4 });
    p.update({ status: 'Extracting', id: 'aaaaaaaaaaaa', progressDetail: { current: 100, total: 100 } });
    expect(p.fraction).toBe(1);
    expect(pullStreamError({ errorDetail: { message: 'boom' }, error: 'boom' })).toBe('boom');
    expect(pullStreamError({ status: 'Downloading' })).toBeNull();
  });

  it("demultiplexes the Engine's log frames and computes memory and CPU as docker stats does", () => {
    const frame = (kind: number, s: string) => Buffer.concat([Buffer.from([kind, 0, 0, 0, 0, 0, 0, Buffer.byteLength(s)]), Buffer.from(s)]);
    expect(demuxLogs(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]), false)).toBe('out\nerr\n');
    expect(demuxLogs(Buffer.from('plain\n'), true)).toBe('plain\n');
    const u = computeUsage({
      memory_stats: { usage: 100 * 1024 * 1024, limit: 256 * 1024 * 1024, stats: { total_inactive_file: 20 * 1024 * 1024 } },
      cpu_stats: { cpu_usage: { total_usage: 2_000_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 1_000_000_000 }, system_cpu_usage: 10_000_000_000 },
    });
    expect(u).toEqual({ memoryBytes: 80 * 1024 * 1024, memoryLimitBytes: 256 * 1024 * 1024, cpuPercent: 20 });
  });
});

describe('the log file', () => {
  it('holds lines until opened, then appends them with timestamps, mode 0600, secrets redacted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-log-'));
    const path = join(dir, 'logs', 'stack-wizard.log');
    const log = fileLog(path, () => new Date('2026-01-02T03:04:05Z'));
    const exec = new RealExecutor(log.sink);
    exec.addSecrets(['s3cretPassw0rd']);
    exec.note('connecting with s3cretPassw0rd');
    expect(existsSync(path)).toBe(false);
    log.open();
    exec.note('second line');
    expect(readFileSync(path, 'utf8')).toBe('2026-01-02T03:04:05.000Z note: connecting with ••••••\n2026-01-02T03:04:05.000Z note: second line\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});

describe('open-files limit on hosts that cannot raise it', () => {
  it('reads the hard limit and CAP_SYS_RESOURCE from /proc', async () => {
    const { parseNofileLimits } = await import('../../src/host/probe.js');
    const limits = 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 20000                files\n';
    expect(parseNofileLimits(limits, 'CapEff:\t000001fffeffffff\n')).toEqual({ nofileHard: 20000, canRaiseNofile: false });
    expect(parseNofileLimits(limits, 'CapEff:\t000001ffffffffff\n')).toEqual({ nofileHard: 20000, canRaiseNofile: true });
    expect(parseNofileLimits(null, null)).toEqual({ nofileHard: null, canRaiseNofile: true });
  });

  it('caps the containers nofile ulimits at the host hard limit, with a warning; otherwise 65535', async () => {
    const { renderAll } = await import('../../src/render/index.js');
    const answers = AnswersSchema.parse(base);
    // A container (LXC here) without CAP_SYS_RESOURCE: only there is the cap real (#22.8).
    const capped = { ...makeFacts({ ramMiB: 3790, cores: 2 }), virtualization: 'lxc', limits: { nofileHard: 20000, canRaiseNofile: false } };
    const plan = buildPlan(answers, capped);
    expect(plan.nofile).toBe(20000);
    expect(plan.nginx.workerRlimitNofile).toBeLessThanOrEqual(20000);
    expect(plan.warnings.map((w) => w.key)).toContain('warn.nofileCapped');
    const compose = renderAll({ plan, answers, secrets: { MYSQL_ROOT_PASSWORD: 'a'.repeat(32), MYSQL_PASSWORD: 'b'.repeat(32), REDIS_PASSWORD: 'c'.repeat(32) } })
      .find((f) => f.path === 'docker-compose.yml')!.content;
    expect(compose).not.toMatch(/65535/);
    expect(buildPlan(answers, makeFacts({ ramMiB: 3790, cores: 2 })).nofile).toBe(65535);
    expect(buildPlan(answers, { ...capped, limits: { nofileHard: 20000, canRaiseNofile: true } }).nofile).toBe(65535);
  });
});

describe('status output', () => {
  it('prints a table with memory and CPU against the limits, in English and Chinese', async () => {
    const { formatStatus } = await import('../../src/services/status.js');
    const st = {
      project: 'shop', installDir: '/opt/stack-wizard/shop', checkedAt: '2026-01-02T03:04:05.000Z', healthy: false,
      services: [
        { service: 'nginx', container: 'shop-nginx-1', containerId: 'a', state: 'running', health: 'healthy', startedAt: 'x', uptimeSeconds: 7300, restarts: 0,
          image: 'nginx:1.28.0', imageId: 'sha256:1', digest: 'nginx@sha256:abc', ports: [{ hostIp: '0.0.0.0', hostPort: 80, containerPort: 80, protocol: 'tcp' }],
          memory: { usedBytes: 12 * 1024 * 1024, limitBytes: 128 * 1024 * 1024, percent: 9.4 }, cpu: { percent: 0.2, limitCpus: 0.5 } },
        { service: 'app', container: null, containerId: null, state: 'missing', health: 'none', startedAt: null, uptimeSeconds: null, restarts: 0,
          image: null, imageId: null, digest: null, ports: [], memory: { usedBytes: null, limitBytes: null, percent: null }, cpu: { percent: null, limitCpus: null } },
      ],
    };
    const en = formatStatus(createContext({ lang: 'en', dryRun: true, io: { out: () => {}, err: () => {} } }), st);
    expect(en).toMatch(/^nginx\s+running\s+healthy\s+2h\s+12\/128 MiB\s+0\.2%\/50%\s+80→80\s+nginx:1\.28\.0$/m);
    expect(en).toMatch(/^app\s+missing\s+none\s+-\s+-\s+-\s+-\s+-$/m);
    expect(en).toContain('nginx: nginx@sha256:abc');
    expect(en).toContain('Not healthy: app.');
    const zh = formatStatus(createContext({ lang: 'zh-CN', dryRun: true, io: { out: () => {}, err: () => {} } }), st);
    expect(zh).toMatch(/^服务\s+状态\s+健康/m);
    expect(zh).toContain('不健康：app。');
  });
});
