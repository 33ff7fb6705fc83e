// Every doctor check's evaluate() on recorded evidence: bundles taken on the e2e lab server (a
// healthy stack, then each breakage of issue 8) replayed here, plus variants of the healthy
// evidence for what the lab cannot stage (a banned operator, an expiring Let's Encrypt chain, …).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CHECKS, type EvidenceSources, type SourceId } from '../../src/domain/doctor/checks.js';
import { mirrorsCheck } from '../../src/domain/doctor/checks-files.js';
import { link, rootCauses, sortFindings } from '../../src/domain/doctor/link.js';
import { lineText, type Finding, type FixAction } from '../../src/domain/doctor/types.js';
import { translator } from '../../src/i18n/index.js';

const DIR = new URL('./fixtures/doctor/', import.meta.url).pathname;
interface Recording { checkedAt: string; evidence: EvidenceSources }
const load = (name: string): Recording => JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Recording;
const t = translator('en');
const zh = translator('zh-CN');

/** All checks on one evidence set, linked and ordered as doctor reports them. */
function evaluate(rec: Recording): Finding[] {
  const now = new Date(rec.checkedAt);
  return sortFindings(link(CHECKS.flatMap((c) => c.def.evaluate(rec.evidence[c.source] as never, now))));
}
/** One check alone. */
function check(id: string, ev: unknown, now = new Date('2026-11-23T09:30:00Z')): Finding[] {
  const c = CHECKS.find((x) => x.def.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c.def.evaluate(ev as never, now);
}
const problems = (fs: readonly Finding[]) => fs.filter((f) => f.severity === 'warn' || f.severity === 'error');
const byId = (fs: readonly Finding[], id: string) => {
  const f = fs.find((x) => x.id === id);
  if (!f) throw new Error(`no finding ${id} among ${fs.map((x) => x.id).join(', ')}`);
  return f;
};
const action = (f: Finding): FixAction => {
  if (!f.fix?.auto) throw new Error(`${f.id} has no automatic fix`);
  return f.fix.action;
};
const title = (f: Finding) => t(f.title.key, f.title.params);
const text = (f: Finding) => [title(f), ...f.evidence.map((l) => lineText(t, l)), ...(f.fix && !f.fix.auto ? f.fix.steps.map((l) => lineText(t, l)) : [])].join('\n');
const healthy = load('healthy');
function variant<K extends SourceId>(source: K, patch: (e: EvidenceSources[K]) => void): EvidenceSources[K] {
  const e = structuredClone(healthy.evidence[source]);
  patch(e);
  return e;
}

describe('recorded on the lab server', () => {
  test('the recordings are every scenario of issue 8 plus a healthy stack', () => {
    expect(readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()).toEqual(
      ['app-crash', 'cert-expired', 'disk-full', 'dns-broken', 'healthy', 'mirror-dead', 'mysql-stopped', 'nginx-config', 'port-taken', 'redis-full'].map((n) => `${n}.json`),
    );
  });

  test('a healthy stack: every check reports, nothing worse than info', () => {
    const fs = evaluate(healthy);
    expect(problems(fs).map((f) => `${f.id}: ${title(f)}`)).toEqual([]);
    // Each check speaks, so the operator sees what was looked at.
    for (const c of CHECKS) expect(fs.some((f) => f.check === c.def.id), c.def.id).toBe(true);
    expect(CHECKS.length).toBeGreaterThanOrEqual(25);
    for (const s of ['app', 'mysql', 'redis', 'nginx']) expect(byId(fs, `service.${s}`).severity).toBe('ok');
    expect(title(byId(fs, 'http.chain'))).toBe('a request goes through: HTTP 200');
    expect(title(byId(fs, 'tls.expiry'))).toMatch(/^the certificate is valid for \d+ more day\(s\)$/);
  });

  test('MySQL stopped: the 503 is traced to MySQL, whose fix starts it', () => {
    const fs = evaluate(load('mysql-stopped'));
    const mysql = byId(fs, 'service.mysql');
    expect(mysql.severity).toBe('error');
    expect(title(mysql)).toBe('mysql is stopped');
    expect(action(mysql)).toEqual({ kind: 'compose-up', services: ['mysql'] });
    const http = byId(fs, 'http.chain');
    expect(http.causedBy).toEqual(['service.mysql']);
    expect(rootCauses(http, fs).map((x) => x.id)).toEqual(['service.mysql']);
    expect(text(http)).toContain('app → mysql (mysql:3306): [Errno -5] No address associated with hostname');
    // The cause is listed before the symptom.
    expect(fs.indexOf(mysql)).toBeLessThan(fs.indexOf(http));
  });

  test('the app image crashing: a restart loop with its log line, rolled back to the last healthy image', () => {
    const rec = load('app-crash');
    const fs = evaluate(rec);
    const app = byId(fs, 'service.app');
    expect(title(app)).toMatch(/^app keeps crashing: exit code 3, restarted \d+ time\(s\)$/);
    expect(text(app)).toContain('app: APP_MODE=crash, exiting on purpose');
    const healthyId = rec.evidence.services.services.find((s) => s.name === 'app')!.healthyImageId!;
    expect(action(app)).toEqual({ kind: 'rollback-image', service: 'app', image: 'stack-wizard-lab/app:ok', imageId: healthyId });
    for (const id of ['http.chain', 'nginx.config']) expect(rootCauses(byId(fs, id), fs).map((x) => x.id), id).toEqual(['service.app']);
  });

  test('Redis full under noeviction: named with the drift from redis.conf, fixed by setting its limits back', () => {
    const fs = evaluate(load('redis-full'));
    expect(problems(fs).map((f) => f.id)).toEqual(['redis.memory']);
    const r = byId(fs, 'redis.memory');
    expect(r.severity).toBe('error');
    expect(text(r)).toMatch(/policy noeviction.*writes refused for memory [1-9]/);
    expect(text(r)).toContain("redis.conf says 278mb, allkeys-lru");
    expect(action(r)).toEqual({ kind: 'redis-config', set: { maxmemory: String(278 * 1024 * 1024), 'maxmemory-policy': 'allkeys-lru' } });
  });

  test('an nginx config error: the file and line, caused by the hand edit, which the fix puts back', () => {
    const fs = evaluate(load('nginx-config'));
    const cfg = byId(fs, 'nginx.config');
    expect(title(cfg)).toMatch(/unknown directive "garbage_directive" in \/etc\/nginx\/conf\.d\/default\.conf:\d+/);
    expect(action(cfg)).toEqual({ kind: 'restore-files', paths: ['nginx/conf.d/default.conf'] });
    const edit = byId(fs, 'files.edited:nginx/conf.d/default.conf');
    expect(action(edit)).toEqual({ kind: 'restore-files', paths: ['nginx/conf.d/default.conf'] });
    for (const id of ['nginx.config', 'service.nginx', 'http.chain']) expect(rootCauses(byId(fs, id), fs).map((x) => x.id), id).toEqual([edit.id]);
    // The log lines are those of its latest run: the one error that stops it, once.
    expect(text(byId(fs, 'service.nginx')).match(/unknown directive "garbage_directive"/g)).toHaveLength(1);
  });

  test('port 80 taken by another program: it is named, with its unit, and is the root of nginx being down', () => {
    const fs = evaluate(load('port-taken'));
    const p = byId(fs, 'ports.80');
    expect(title(p)).toMatch(/^port 80 is taken by another program: python3 \(pid \d+\)$/);
    expect(text(p)).toContain('python3 -m http.server 80');
    expect(action(p)).toMatchObject({ kind: 'stop-port-holder', port: 80, unit: 'other-web.service' });
    expect(rootCauses(byId(fs, 'service.nginx'), fs).map((x) => x.id)).toEqual(['ports.80']);
    expect(rootCauses(byId(fs, 'http.chain'), fs).map((x) => x.id)).toEqual(['ports.80']);
  });

  test('the disk nearly full: Docker\'s disk, the biggest consumers, Redis refusing writes because of it', () => {
    const fs = evaluate(load('disk-full'));
    const d = byId(fs, 'disk.docker');
    expect(d.severity).toBe('error');
    expect(text(d)).toMatch(/\/var\/lib\/docker: [\d.]+ KiB free of [\d.]+ GiB \(100 % used\)/);
    expect(text(d)).toMatch(/unused Docker images and build cache: 1\.\d GiB/);
    expect(action(d)).toEqual({ kind: 'docker-prune' });
    const r = byId(fs, 'redis.persistence');
    expect(text(r)).toContain('No space left on device');
    expect(r.causedBy).toEqual(['disk.docker']);
    expect(rootCauses(byId(fs, 'http.chain'), fs).map((x) => x.id)).toEqual(['disk.docker']);
  });

  test('an expired certificate: when it expired, what is served, a new one as the fix', () => {
    const fs = evaluate(load('cert-expired'));
    expect(problems(fs).map((f) => f.id)).toEqual(['tls.expiry']);
    const c = byId(fs, 'tls.expiry');
    expect(title(c)).toMatch(/^the certificate expired \d+ d ago \(2024-02-01T00:00:00\.000Z\)$/);
    expect(text(c)).toContain('served on the HTTPS port: valid until 2024-02-01T00:00:00.000Z');
    expect(action(c)).toEqual({ kind: 'renew-cert', mode: 'self-signed' });
  });

  test('a dead registry mirror: named, dropped from daemon.json by the fix', () => {
    const fs = evaluate(load('mirror-dead'));
    expect(problems(fs).map((f) => f.id)).toEqual(['mirror.registry']);
    const m = byId(fs, 'mirror.registry');
    expect(text(m)).toContain('http://127.0.0.1:5999/: refused');
    expect(action(m)).toEqual({ kind: 'drop-mirrors', urls: ['http://127.0.0.1:5999/'] });
  });

  test('registry mirrors judged on the stack\'s images (#16.6): one that answers but refuses or changed an image says how, and is dropped by the fix', () => {
    const ev = {
      region: 'cn' as const,
      daemon: ['https://allow.example', 'https://stale.example', 'https://ok.example'],
      answers: {},
      results: [
        { kind: 'registry', url: 'https://allow.example', alive: false, latencyMs: 20, error: 'redis:8.10.2: manifest http-403', class: 'allow-list' },
        { kind: 'registry', url: 'https://stale.example', alive: false, latencyMs: 30, error: 'nginx:1.30.5: 0a1b2c3d4e5f ≠ pinned e9f347c65f31', class: 'stale' },
        { kind: 'registry', url: 'https://ok.example', alive: true, latencyMs: 25, error: null, class: 'ok' },
      ],
    };
    const [m] = mirrorsCheck.evaluate(ev, new Date());
    expect(m).toMatchObject({ id: 'mirror.registry', severity: 'warn' });
    expect(title(m!)).toBe('registry mirror(s) in daemon.json answer but do not serve every image of this stack (allow-list, stale or rate-limited): https://allow.example, https://stale.example');
    expect(text(m!)).toContain('https://allow.example: allow-list: redis:8.10.2: manifest http-403');
    expect(text(m!)).toContain('https://stale.example: stale: nginx:1.30.5: 0a1b2c3d4e5f ≠ pinned e9f347c65f31');
    expect(text(m!)).toContain('https://ok.example: 25 ms');
    expect(action(m!)).toEqual({ kind: 'drop-mirrors', urls: ['https://allow.example', 'https://stale.example'] });
  });

  test('DNS broken: the dead nameserver named, the exact steps to fix it', () => {
    const fs = evaluate(load('dns-broken'));
    expect(problems(fs).map((f) => f.id)).toEqual(['dns']);
    const d = byId(fs, 'dns');
    expect(d.hints?.dnsBroken).toBe(true);
    expect(d.fix?.auto).toBe(false);
    expect(text(d)).toContain('nameserver 127.0.0.53 does not answer: ECONNREFUSED');
    expect(text(d)).toContain('These nameservers do not answer: 127.0.0.53');
    expect(text(d)).toContain('/etc/resolv.conf');
  });

  test('every message of every recorded finding exists in both languages with its parameters filled', () => {
    for (const f of readdirSync(DIR).filter((x) => x.endsWith('.json'))) {
      for (const x of evaluate(load(f.replace(/\.json$/, '')))) {
        for (const m of [x.title, ...(x.explain ? [x.explain] : []), ...x.evidence, ...(x.fix ? (x.fix.auto ? x.fix.notes : x.fix.steps) : [])]) {
          if (typeof m === 'string') continue;
          for (const tr of [t, zh]) expect(tr(m.key, m.params), `${f} ${x.id} ${m.key}`).not.toMatch(/\{\w+\}|^doc\./);
        }
      }
    }
  });
});

describe('host checks on variants', () => {
  test('disk: a nearly full install dir is a warning with du\'s biggest entries; an empty one an error that marks the disk full', () => {
    const GiB = 1024 ** 3;
    const warn = check('disk', variant('disk', (e) => {
      e.install = { ...e.install, totalBytes: 20 * GiB, freeBytes: 1.5 * GiB };
      e.sameFs = false;
      e.biggest = [{ path: '/opt/stack-wizard/x/logs', bytes: 12 * GiB }];
    }));
    const inst = byId(warn, 'disk.install');
    expect(inst.severity).toBe('warn');
    expect(text(inst)).toContain('/opt/stack-wizard/x/logs');
    expect(inst.hints?.fullDisk).toBeUndefined();
    const err = byId(check('disk', variant('disk', (e) => {
      e.install.freeBytes = 100 * 1024 * 1024;
      e.reclaimableBytes = 0;
    })), 'disk.install');
    expect(err.severity).toBe('error');
    expect(err.hints?.fullDisk).toEqual(['install']);
    expect(err.fix?.auto).toBe(false);
    // A share alone is no verdict on a big disk; a size alone is one on any.
    const big = (free: number) => byId(check('disk', variant('disk', (e) => {
      e.install = { ...e.install, totalBytes: 250 * GiB, freeBytes: free };
      e.sameFs = false;
    })), 'disk.install').severity;
    expect(big(23 * GiB)).toBe('ok');
    expect(big(15 * GiB)).toBe('warn');
    expect(big(5 * GiB)).toBe('warn');
    expect(big(3 * GiB)).toBe('error');
    expect(big(0.2 * GiB)).toBe('error');
  });

  test('inodes: under 2 % free is an error, under 10 % a warning', () => {
    expect(byId(check('inodes', variant('disk', (e) => (e.install.freeInodes = Math.floor(e.install.totalInodes! * 0.01)))), 'inodes.install').severity).toBe('error');
    expect(byId(check('inodes', variant('disk', (e) => (e.install.freeInodes = Math.floor(e.install.totalInodes! * 0.05)))), 'inodes.install').severity).toBe('warn');
    expect(byId(check('inodes', healthy.evidence.disk), 'inodes.install').severity).toBe('ok');
  });

  test('memory: little available is a warning, a stalled minute (PSI full) an error', () => {
    const low = check('memory', variant('memory', (e) => (e.availableBytes = e.totalBytes * 0.08)))[0]!;
    expect(low.severity).toBe('warn');
    expect(text(low)).toContain('mysql: ');
    expect(check('memory', variant('memory', (e) => (e.psi = { someAvg60: 40, fullAvg60: 12 })))[0]!.severity).toBe('error');
  });

  test('kernel OOM kills: the victims counted; an unreadable log is only info', () => {
    const f = check('oom', { source: 'journal', hours: 24, lines: [
      '2026-11-23T01:02:03+0000 kernel: Out of memory: Killed process 1234 (mariadbd) total-vm:2000000kB, anon-rss:1400000kB',
      '2026-11-23T05:02:03+0000 kernel: Memory cgroup out of memory: Killed process 4321 (mariadbd) total-vm:1kB',
      '2026-11-23T06:02:03+0000 kernel: Out of memory: Killed process 999 (python3) total-vm:1kB',
    ] })[0]!;
    expect(f.severity).toBe('error');
    expect(title(f)).toBe('the kernel killed 3 process(es) for lack of memory in the last 24 h: mariadbd ×2, python3 ×1');
    expect(f.hints?.oomKilled).toEqual(['mariadbd', 'python3']);
    expect(check('oom', { source: null, hours: 24, lines: [] })[0]!.severity).toBe('info');
  });

  test('swap: none on a small VM is a warning fixed by security apply\'s swap step; thrashing is a warning', () => {
    const GiB = 1024 ** 3;
    const none = check('swap', { ramBytes: 3.7 * GiB, swapTotalBytes: 0, swapFreeBytes: 0, container: false, swapInPerSec: null })[0]!;
    expect(none.severity).toBe('warn');
    expect(action(none)).toEqual({ kind: 'security-steps', steps: ['security-swap'] });
    expect(check('swap', { ramBytes: 3.7 * GiB, swapTotalBytes: GiB, swapFreeBytes: 0.1 * GiB, container: false, swapInPerSec: 500 })[0]!.title.key).toBe('doc.swap.thrashing');
    expect(check('swap', healthy.evidence.swap)[0]!.severity).toBe('ok');
  });

  test('load: a busy VM warns, a container only informs (its load average is the machine\'s), a capped container warns', () => {
    const vm = check('load', variant('load', (e) => Object.assign(e, { container: false, load5: 5, cores: 2 })))[0]!;
    expect(vm.severity).toBe('warn');
    expect(check('load', variant('load', (e) => Object.assign(e, { container: false, load5: 9, cores: 2 })))[0]!.severity).toBe('error');
    expect(check('load', healthy.evidence.load)[0]!.severity).toBe('info');
    const capped = check('load', variant('load', (e) => (e.top[0] = { service: 'mysql', cpuPercent: 149, limitCpus: 1.5 })))[0]!;
    expect(capped.severity).toBe('warn');
    expect(title(capped)).toBe('container(s) at their CPU limit: mysql');
  });

  test('time: minutes off is an error (NTP switched on by the fix); not synchronized on a VM a warning', () => {
    const off = check('time', { container: false, synchronized: false, service: null, skew: { source: 'apt.example.org', seconds: -300 } })[0]!;
    expect(off.severity).toBe('error');
    expect(action(off)).toEqual({ kind: 'commands', argv: [['timedatectl', 'set-ntp', 'true']] });
    expect(check('time', { container: false, synchronized: false, service: null, skew: { source: 'x', seconds: 1 } })[0]!.severity).toBe('warn');
    // In a container the host keeps the time: "not synchronized" there is not ours to fix.
    expect(check('time', healthy.evidence.time)[0]!.severity).toBe('ok');
  });

  test('DNS: some names failing is a warning; a stopped systemd-resolved behind 127.0.0.53 is restarted by the fix', () => {
    const some = check('dns', { nameservers: ['10.0.0.2'], names: [{ name: 'apt.example.org', addresses: ['1.2.3.4'], error: null }, { name: 'mirror.example.cn', addresses: [], error: 'ENOTFOUND' }], servers: [{ server: '10.0.0.2', error: null }], resolved: null })[0]!;
    expect(some.severity).toBe('warn');
    expect(title(some)).toBe('DNS does not resolve mirror.example.cn');
    expect(some.hints?.dnsBroken).toBeUndefined();
    const resolved = check('dns', { nameservers: ['127.0.0.53'], names: [{ name: 'apt.example.org', addresses: [], error: 'ECONNREFUSED' }], servers: [{ server: '127.0.0.53', error: 'ECONNREFUSED' }], resolved: 'inactive' })[0]!;
    expect(action(resolved)).toEqual({ kind: 'commands', argv: [['systemctl', 'restart', 'systemd-resolved']] });
  });
});

describe('Docker and service checks on variants', () => {
  test('the engine down: its journal, restarted by the fix; not installed: init installs it', () => {
    const down = check('docker', { installed: true, unreachable: 'ECONNREFUSED', version: null, unit: 'failed', journal: ['failed to start daemon: error initializing graphdriver: no space left on device'] })[0]!;
    expect(title(down)).toBe('the Docker engine is not running');
    expect(text(down)).toContain('no space left on device');
    expect(action(down)).toEqual({ kind: 'docker-restart' });
    expect(check('docker', { installed: false, unreachable: 'ENOENT', version: null, unit: null, journal: [] })[0]!.fix?.auto).toBe(false);
    // Every check that needs the engine points at it, so the linker names it as the cause.
    const fs = link([down, ...check('services', { reachable: false, services: [] }), ...check('docker-space', { ...healthy.evidence.dockerSpace, reachable: false })]);
    expect(byId(fs, 'services').causedBy).toEqual(['docker.daemon']);
  });

  test('Docker\'s leftovers: over 1 GiB of dangling images and build cache is pruned by the fix', () => {
    const f = check('docker-space', variant('dockerSpace', (e) => (e.dangling = { count: 3, bytes: 1.5 * 1024 ** 3 })))[0]!;
    expect(f.severity).toBe('warn');
    expect(action(f)).toEqual({ kind: 'docker-prune' });
    expect(check('docker-space', healthy.evidence.dockerSpace)[0]!.severity).toBe('ok');
  });

  test('container logs: a huge one is truncated by the fix; no max-size is a warning with the daemon.json setting', () => {
    const big = check('docker-logs', variant('dockerLogs', (e) => (e.containers[0]!.sizeBytes = 3 * 1024 ** 3)))[0]!;
    expect(big.severity).toBe('error');
    expect(action(big)).toEqual({ kind: 'truncate-logs', files: [healthy.evidence.dockerLogs.containers[0]!.logPath] });
    const unbounded = check('docker-logs', variant('dockerLogs', (e) => (e.containers[1]!.maxSize = null)))[0]!;
    expect(unbounded.severity).toBe('warn');
    expect(unbounded.fix?.auto).toBe(false);
  });

  test('compose: a rejected file is an error naming what compose said; a missing one is restored', () => {
    const bad = check('compose', { composeFile: '/opt/x/docker-compose.yml', exists: true, exitCode: 15, output: ['services.app.environment.DB_PORT must be a string'] })[0]!;
    expect(bad.severity).toBe('error');
    expect(text(bad)).toContain('DB_PORT must be a string');
    expect(action(check('compose', { composeFile: '/opt/x/docker-compose.yml', exists: false, exitCode: null, output: [] })[0]!)).toEqual({ kind: 'restore-files', paths: ['docker-compose.yml'] });
  });

  test('services: unhealthy, missing, OOM-killed, starting, each with its own words and fix', () => {
    const sv = (patch: (s: EvidenceSources['services']['services'][number]) => void) => variant('services', (e) => patch(e.services.find((s) => s.name === 'app')!));
    const unhealthy = byId(check('services', sv((s) => Object.assign(s.container!, { health: 'unhealthy', healthLog: 'HTTP 500 from /health' }))), 'service.app');
    expect(title(unhealthy)).toBe('app runs but its health check fails');
    expect(text(unhealthy)).toContain('HTTP 500 from /health');
    expect(action(unhealthy)).toEqual({ kind: 'restart-service', service: 'app' });
    const missing = byId(check('services', sv((s) => (s.container = null))), 'service.app');
    expect(action(missing)).toEqual({ kind: 'compose-up', services: ['app'] });
    const oom = byId(check('services', sv((s) => Object.assign(s.container!, { state: 'exited', exitCode: 137, oomKilled: true }))), 'service.app');
    expect(title(oom)).toBe('app was killed for exceeding its memory limit');
    expect(oom.hints?.signals).toContain('oom');
    expect(byId(check('services', sv((s) => (s.container!.health = 'starting'))), 'service.app').severity).toBe('info');
    // Up for seconds after several restarts: a loop caught between two crashes, not a slow start.
    const between = byId(check('services', sv((s) => Object.assign(s.container!, { health: 'starting', restartCount: 4, startedAt: '2026-11-23T09:29:55Z' }))), 'service.app');
    expect(between.title.key).toBe('doc.svc.loopUp');
    expect(title(between)).toBe('app keeps crashing: restarted 4 time(s), starting again now');
  });

  test('services: a one-shot (minio-init, #15.8) that exited 0 is done; one that failed is an error', () => {
    const oneShot = (exitCode: number) =>
      variant('services', (e) => {
        const app = e.services.find((s) => s.name === 'app')!;
        e.services.push({ ...app, name: 'minio-init', container: { ...app.container!, name: 'shop-minio-init-1', state: 'exited', health: null, exitCode } });
      });
    const done = byId(check('services', oneShot(0)), 'service.minio-init');
    expect(done.severity).toBe('ok');
    expect(title(done)).toBe('minio-init ran and finished (exit 0), as a one-shot step should');
    const failed = byId(check('services', oneShot(1)), 'service.minio-init');
    expect(failed.severity).toBe('error');
    // The same exit 0 of a long-running service is someone stopping it, not success.
    expect(byId(check('services', variant('services', (e) => Object.assign(e.services.find((s) => s.name === 'app')!.container!, { state: 'exited', exitCode: 0 }))), 'service.app').severity).toBe('error');
  });

  test('restarts: up now after crashing 4 times is a warning', () => {
    const f = check('restarts', variant('services', (e) => (e.services[0]!.container!.restartCount = 4)));
    expect(f[0]!.severity).toBe('warn');
    expect(title(f[0]!)).toMatch(/was restarted 4 time\(s\) after crashing/);
    expect(check('restarts', healthy.evidence.services)[0]!.severity).toBe('ok');
  });

  test('memory limits: OOMKilled is an error, 95 % of the limit a warning; a service killed for memory is caused by it', () => {
    const ev = variant('services', (e) => {
      const m = e.services.find((s) => s.name === 'mysql')!;
      m.memory = { usedBytes: 95, limitBytes: 100 };
      const r = e.services.find((s) => s.name === 'redis')!;
      Object.assign(r.container!, { state: 'exited', exitCode: 137, oomKilled: true });
    });
    const fs = link([...check('oom-containers', ev), ...check('services', ev)]);
    expect(byId(fs, 'oom.mysql').severity).toBe('warn');
    expect(byId(fs, 'oom.redis').severity).toBe('error');
    expect(byId(fs, 'service.redis').causedBy).toContain('oom.redis');
  });
});

describe('web, data and TLS checks on variants', () => {
  test('ports: another container on 80 is an error to resolve by hand; nothing there is only info', () => {
    const other = check('ports', variant('ports', (e) => (e.ports[0]!.publishedBy = [{ container: 'oldsite-web-1', project: 'oldsite', service: 'web' }])));
    expect(byId(other, 'ports.80').severity).toBe('error');
    expect(title(byId(other, 'ports.80'))).toBe('port 80 is taken by another container: oldsite-web-1');
    expect(byId(check('ports', variant('ports', (e) => Object.assign(e.ports[0]!, { listeners: [], publishedBy: [] }))), 'ports.80').severity).toBe('info');
  });

  test('nginx -t not possible (no container) is info; ok otherwise', () => {
    expect(check('nginx-config', { ran: null, exitCode: null, output: [], mounts: {} })[0]!.severity).toBe('info');
    expect(check('nginx-config', healthy.evidence.nginxConfig)[0]!.severity).toBe('ok');
  });

  test('the request path: nginx holding the app\'s old address is reloaded by the fix; a burst of 502s warns', () => {
    const stale = check('http', variant('http', (e) => {
      e.front.status = 502;
      e.staleUpstream = { logged: '172.19.0.2', current: '172.19.0.5' };
    }))[0]!;
    expect(title(stale)).toBe("the site fails (HTTP 502): nginx still sends requests to the app's old address 172.19.0.2 (now 172.19.0.5)");
    expect(action(stale)).toEqual({ kind: 'reload-nginx' });
    const recent = check('http', variant('http', (e) => (e.errorLog = { minutes: 15, refused: 0, timedOut: 9, other: 0, sample: ['upstream timed out (110: Connection timed out)'] })))[0]!;
    expect(recent.severity).toBe('warn');
    expect(recent.explain?.key).toBe('doc.http.504Explain');
  });

  test('MySQL connections: refused at the limit is an error, a peak at 85 % a warning', () => {
    const refused = check('mysql-connections', variant('mysql', (e) => (e.status.Connection_errors_max_connections = '12')))[0]!;
    expect(refused.severity).toBe('error');
    expect(title(refused)).toMatch(/^MySQL refused 12 connection\(s\) at max_connections/);
    const max = Number(healthy.evidence.mysql.variables.max_connections);
    expect(check('mysql-connections', variant('mysql', (e) => (e.status.Max_used_connections = String(Math.ceil(max * 0.85)))))[0]!.severity).toBe('warn');
    expect(check('mysql-connections', healthy.evidence.mysql)[0]!.severity).toBe('ok');
  });

  test('MySQL slow queries: many a minute warn, with the slowest statements from the slow log', () => {
    const f = check('mysql-slow', variant('mysql', (e) => {
      e.status.Slow_queries = '9000';
      e.status.Uptime = '600';
      e.slowLog = ['# Time: 2026-11-23T09:00:00', '# Query_time: 4.5  Lock_time: 0.0 Rows_sent: 1  Rows_examined: 2000000', 'SET timestamp=1;', 'SELECT * FROM orders WHERE email = \'x\';', '# Query_time: 1.2', 'SELECT 1;'];
    }))[0]!;
    expect(f.severity).toBe('warn');
    expect(text(f)).toContain("4.5s  SELECT * FROM orders WHERE email = 'x';");
    expect(check('mysql-slow', healthy.evidence.mysql)[0]!.severity).toBe('ok');
  });

  test('MySQL: a peak at max_connections is an error even when Connection_errors_max_connections stayed 0 (MariaDB, #22.2)', () => {
    const f = check('mysql-connections', variant('mysql', (e) => Object.assign(e.status, { Threads_connected: '3', Max_used_connections: e.variables.max_connections, Connection_errors_max_connections: '0' })))[0]!;
    expect(f.severity).toBe('error');
    expect(title(f)).toMatch(/^MySQL reached max_connections \(\d+; \d+ at peak\): new connections are refused with "Too many connections"$/);
  });

  test('MySQL memory: running settings that can pass the container limit warn', () => {
    const f = check('mysql-memory', variant('mysql', (e) => (e.variables.max_connections = '5000')))[0]!;
    expect(f.severity).toBe('warn');
    expect(title(f)).toMatch(/^MySQL can use \d+ MiB with every connection busy, above its \d+ MiB limit$/);
    expect(check('mysql-memory', healthy.evidence.mysql)[0]!.severity).toBe('ok');
  });

  test('Redis: a cache that evicts more than it hits warns; drift alone warns with the same fix', () => {
    const ev = variant('redis', (e) => Object.assign(e.info, { evicted_keys: '50000', keyspace_hits: '10', keyspace_misses: '90' }));
    expect(title(check('redis-memory', ev)[0]!)).toBe('Redis evicts keys all the time (50000 so far; hit rate 10 %)');
    const drift = check('redis-memory', variant('redis', (e) => (e.info.maxmemory_policy = 'volatile-lru')))[0]!;
    expect(drift.severity).toBe('warn');
    expect(action(drift)).toEqual({ kind: 'redis-config', set: { 'maxmemory-policy': 'allkeys-lru' } });
  });

  test('Redis as the worker\'s broker (#22.1): an evicting policy warns, evictions are an error; noeviction is fine', () => {
    const warn = check('redis-memory', variant('redis', (e) => (e.broker = true)))[0]!;
    expect(healthy.evidence.redis.info.maxmemory_policy).toBe('allkeys-lru');
    expect(warn.severity).toBe('warn');
    expect(title(warn)).toBe('Redis may evict queued jobs: the worker takes its jobs from it, and maxmemory-policy is allkeys-lru');
    expect(text(warn)).toContain('redis: { mode: queue }');
    const lost = check('redis-memory', variant('redis', (e) => Object.assign(e, { broker: true }) && Object.assign(e.info, { evicted_keys: '12' })))[0]!;
    expect(lost.severity).toBe('error');
    expect(zh(lost.title.key, lost.title.params)).toContain('已淘汰 12 个键');
    // The same evidence without a worker on Redis is a cache doing its job.
    expect(check('redis-memory', variant('redis', (e) => Object.assign(e.info, { evicted_keys: '12' })))[0]!.severity).toBe('ok');
    const queue = variant('redis', (e) => Object.assign(e, { broker: true, rendered: { ...e.rendered, policy: 'noeviction' } }) && (e.info.maxmemory_policy = 'noeviction'));
    expect(check('redis-memory', queue)[0]!.severity).toBe('ok');
  });

  test('Redis under noeviction (#22.2): refused writes are an error even after it drained; 80 % of maxmemory warns', () => {
    const base = (patch: Record<string, string>) =>
      variant('redis', (e) => {
        e.rendered.policy = 'noeviction';
        Object.assign(e.info, { maxmemory_policy: 'noeviction', maxmemory: String(100 * 1024 * 1024), used_memory: String(30 * 1024 * 1024) }, patch);
        e.rendered.maxmemory = '100mb';
      });
    expect(check('redis-memory', base({}))[0]!.severity).toBe('ok');
    const refused = check('redis-memory', base({ errorstat_OOM: 'count=37' }))[0]!;
    expect(refused.severity).toBe('error');
    expect(title(refused)).toBe('Redis refused 37 writes for memory (maxmemory 100 MiB, noeviction); 30.0 MiB used now');
    const near = check('redis-memory', base({ used_memory: String(85 * 1024 * 1024) }))[0]!;
    expect(near.severity).toBe('warn');
    expect(title(near)).toContain('Redis is almost full');
    expect(check('redis-memory', base({ used_memory: String(95 * 1024 * 1024) }))[0]!.severity).toBe('error');
  });

  test('TLS: Let\'s Encrypt with 15 days left warns (renewal failing), a wrong name is an error, wildcards match', () => {
    const le = variant('tls', (e) => {
      e.mode = 'letsencrypt';
      e.domain = 'shop.example.com';
      e.expectedName = 'shop.example.com';
      const c = { ...e.served!.chain[0]!, names: ['*.example.com'], notAfter: '2026-12-08T09:00:00.000Z', selfSigned: false, issuer: 'CN=E6, O=Let\'s Encrypt' };
      e.served = { chain: [c], authorized: true, authError: null, error: null };
      e.file = { path: '/opt/x/letsencrypt/live/shop.example.com/fullchain.pem', cert: c, error: null };
    });
    const soon = check('tls-expiry', le)[0]!;
    expect(soon.severity).toBe('warn');
    expect(soon.explain?.key).toBe('doc.tls.soonLeExplain');
    expect(action(soon)).toEqual({ kind: 'renew-cert', mode: 'letsencrypt' });
    expect(check('tls-name', le)[0]!.severity).toBe('ok');
    const wrong = check('tls-name', { ...le, expectedName: 'shop.example.org', domain: 'shop.example.org' })[0]!;
    expect(wrong.severity).toBe('error');
    expect(title(wrong)).toBe('the certificate is not for shop.example.org (it names *.example.com)');
  });

  test('TLS: a served chain without its intermediate is an error; an older certificate served than on disk is reloaded', () => {
    const base = variant('tls', (e) => {
      e.mode = 'custom';
      e.served!.authorized = false;
      e.served!.authError = 'UNABLE_TO_VERIFY_LEAF_SIGNATURE';
    });
    const chain = check('tls-chain', base)[0]!;
    expect(chain.title.key).toBe('doc.tls.chainIncomplete');
    expect(chain.fix?.auto).toBe(false);
    const stale = check('tls-expiry', variant('tls', (e) => {
      e.file!.cert = { ...e.file!.cert!, fingerprint256: 'AA:BB', notAfter: '2030-01-01T00:00:00.000Z' };
    }))[0]!;
    expect(stale.title.key).toBe('doc.tls.stale');
    expect(action(stale)).toEqual({ kind: 'reload-nginx' });
  });

  test('TLS renewal: a timer that is off is an error enabled by the fix; a failed last run warns', () => {
    const ev = variant('tls', (e) => {
      e.mode = 'letsencrypt';
      e.timer = { unit: 'stack-wizard-shop-certbot.timer', enabled: 'disabled', active: 'inactive', lastResult: null, lastRun: null, journal: [] };
    });
    const off = check('tls-renewal', ev)[0]!;
    expect(off.severity).toBe('error');
    expect(action(off)).toEqual({ kind: 'commands', argv: [['systemctl', 'enable', '--now', 'stack-wizard-shop-certbot.timer']] });
    const failed = check('tls-renewal', { ...ev, timer: { ...ev.timer!, enabled: 'enabled', active: 'active', lastResult: 'exit-code', lastRun: 'Mon 2026-11-23 00:00:01 UTC', journal: ['Challenge failed for domain shop.example.com: DNS problem: NXDOMAIN'] } })[0]!;
    expect(failed.severity).toBe('warn');
    expect(failed.hints?.signals).toEqual(['dns']);
  });
});

describe('security, mirror and file checks on variants', () => {
  const fw = (patch: Partial<EvidenceSources['firewall']>) => check('firewall', { ...healthy.evidence.firewall, wanted: true, active: true, ports: healthy.evidence.firewall.ports.map((p) => ({ ...p, open: true })), ...patch })[0]!;
  test('firewall: wanted but off is an error fixed by security apply; SSH not allowed is an error; extra rules warn', () => {
    expect(fw({}).severity).toBe('ok');
    const off = fw({ active: false });
    expect(off.severity).toBe('error');
    expect(action(off)).toEqual({ kind: 'security-steps', steps: ['security-packages', 'security-firewall'] });
    const ssh = fw({ ports: healthy.evidence.firewall.ports.map((p) => ({ ...p, open: p.purpose !== 'ssh' })) });
    expect(title(ssh)).toBe('the firewall does not allow SSH (port 2222)');
    expect(fw({ unexpected: ['allow 8080/tcp'] }).severity).toBe('warn');
    expect(check('firewall', healthy.evidence.firewall)[0]!.severity).toBe('info');
  });

  test('exposure: MySQL published on every interface is an error', () => {
    const f = check('exposure', variant('exposure', (e) => e.published.push({ container: 'legacy-db-1', project: 'legacy', service: 'db', hostIp: '0.0.0.0', hostPort: 3306, containerPort: 3306 })))[0]!;
    expect(f.severity).toBe('error');
    expect(title(f)).toBe('a database or queue port is reachable from the Internet: 3306');
    expect(check('exposure', healthy.evidence.exposure)[0]!.severity).toBe('ok');
  });

  const f2b: EvidenceSources['fail2ban'] = {
    wanted: true, installed: true, running: true, missing: [], journal: [],
    jails: ['sshd', 'stack-wizard-nginx-limit', 'stack-wizard-nginx-scan', 'recidive'].map((name) => ({ name, currentlyBanned: 0, totalBanned: 0, bannedIps: [] })),
    operator: [{ address: '203.0.113.7', source: 'recent login' }],
  };
  test('fail2ban: stopped or missing a jail is an error fixed by security apply', () => {
    expect(check('fail2ban', f2b)[0]!.severity).toBe('ok');
    expect(action(check('fail2ban', { ...f2b, running: false })[0]!)).toEqual({ kind: 'security-steps', steps: ['security-packages', 'security-fail2ban'] });
    expect(title(check('fail2ban', { ...f2b, missing: ['recidive'] })[0]!)).toBe('fail2ban runs without jail(s): recidive');
    expect(check('fail2ban', healthy.evidence.fail2ban)[0]!.severity).toBe('info');
  });

  test('your own address banned: named with the jails, unbanned in each by the fix', () => {
    const banned = { ...f2b, jails: f2b.jails.map((j) => (j.name === 'sshd' || j.name === 'recidive' ? { ...j, currentlyBanned: 1, bannedIps: ['203.0.113.7'] } : j)) };
    const f = check('self-ban', banned)[0]!;
    expect(title(f)).toBe('your own address 203.0.113.7 is banned by fail2ban (sshd, recidive)');
    expect(action(f)).toEqual({ kind: 'commands', argv: [['fail2ban-client', 'set', 'sshd', 'unbanip', '203.0.113.7'], ['fail2ban-client', 'set', 'recidive', 'unbanip', '203.0.113.7']] });
    expect(check('self-ban', f2b)[0]!.severity).toBe('ok');
  });

  test('sshd: not listening is an error (restart); on another port than planned a warning', () => {
    expect(action(check('ssh', { ports: [22], listening: [], unit: { name: 'ssh', active: 'failed' } })[0]!)).toEqual({ kind: 'commands', argv: [['systemctl', 'restart', 'ssh']] });
    expect(check('ssh', { ports: [22], listening: [2222], unit: { name: 'ssh', active: 'active' } })[0]!.severity).toBe('warn');
    expect(check('ssh', healthy.evidence.ssh)[0]!.severity).toBe('ok');
  });

  test('mirrors: a dead apt mirror in the answers warns with the command to find a live one; a DNS failure links to DNS', () => {
    const ev: EvidenceSources['mirrors'] = { region: 'cn', daemon: [], answers: { 'apt-debian': 'https://mirrors.example.cn/debian' }, results: [{ kind: 'apt-debian', url: 'https://mirrors.example.cn/debian', alive: false, latencyMs: null, error: 'dns: ENOTFOUND' }] };
    const m = check('mirrors', ev)[0]!;
    expect(m.id).toBe('mirror.apt-debian');
    expect(m.severity).toBe('warn');
    expect(text(m)).toContain('stack-wizard mirrors --kind apt-debian');
    const dns = check('dns', load('dns-broken').evidence.dns);
    expect(byId(link([m, ...dns]), 'mirror.apt-debian').causedBy).toEqual(['dns']);
  });

  test('pulls: images from Docker Hub with no live endpoint are blocked', () => {
    const ev: EvidenceSources['pull'] = {
      reachable: true,
      images: [{ service: 'app', ref: 'acme/shop:2', registry: 'docker.io', fromRegistry: true, present: true }],
      endpoints: [{ registry: 'docker.io', url: 'https://registry-1.docker.io', alive: false, error: 'timeout' }],
    };
    const f = check('pull', ev)[0]!;
    expect(f.severity).toBe('warn');
    expect(title(f)).toBe('images cannot be pulled: no registry endpoint answers for docker.io');
    expect(check('pull', { ...ev, endpoints: [{ ...ev.endpoints[0]!, alive: true, error: null }] })[0]!.severity).toBe('ok');
  });

  test('files: a changed answers file is news (init applies it), never put back', () => {
    const f = check('files', variant('files', (e) => (e.actual['stack-wizard.yaml'] = 'f'.repeat(64))))[0]!;
    expect(f.severity).toBe('info');
    expect(title(f)).toBe('the answers (stack-wizard.yaml) changed since the last render: not applied yet');
    expect(f.fix?.auto).toBe(false);
  });

  test('files: a missing rendered file is an error restored by the fix; no manifest warns', () => {
    const missing = check('files', variant('files', (e) => (e.actual['redis/redis.conf'] = null)))[0]!;
    expect(missing.id).toBe('files.missing');
    expect(action(missing)).toEqual({ kind: 'restore-files', paths: ['redis/redis.conf'] });
    expect(check('files', { manifest: null, manifestError: 'ENOENT', actual: {}, restorable: {} })[0]!.severity).toBe('warn');
  });

  test('.env: readable by others is fixed with chmod 600; missing secrets are an error', () => {
    const mode = check('env', { ...healthy.evidence.env, mode: 0o644 })[0]!;
    expect(title(mode)).toBe('/opt/stack-wizard/labshop/.env is readable by other users (mode 644)');
    expect(action(mode)).toEqual({ kind: 'commands', argv: [['chmod', '600', '/opt/stack-wizard/labshop/.env']] });
    expect(check('env', { ...healthy.evidence.env, missing: ['REDIS_PASSWORD'] })[0]!.severity).toBe('error');
    expect(check('env', healthy.evidence.env)[0]!.severity).toBe('ok');
  });
});

describe('an interrupted restore or update', () => {
  const rJournal = { format: 1 as const, project: 'labshop', backupId: '20260101-000000', safetyId: '20260101-000100-pre-restore', phase: 'restoring' as const, done: ['database'], pid: 4194311, startedAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:01:00.000Z', reason: null };
  const rPath = '/opt/stack-wizard/labshop/.stack-wizard/restore.json';
  const uJournal = { format: 1 as const, project: 'labshop', pid: 4194312, startedAt: '2026-02-02T00:00:00.000Z', backupId: '20260202-000000-pre-update', schema: null, templateFrom: null, templateTo: null, phase: 'applying' as const, services: {}, files: [] };
  const uPath = '/opt/stack-wizard/labshop/.stack-wizard/update.json';

  test('a killed restore is an error naming the backup, what was replaced and both ways out', () => {
    const [f, ...rest] = check('journals', { restore: { path: rPath, journal: rJournal, running: false }, update: null });
    expect(rest).toEqual([]);
    expect(f!.severity).toBe('error');
    expect(text(f!)).toBe([
      'a restore of 20260101-000000 was interrupted (phase restoring): the data may be half replaced',
      `${rPath}: started 2026-01-01T00:00:00.000Z, last step 2026-01-01T00:01:00.000Z, written by process 4194311`,
      'already replaced: database',
      'finish it: stack-wizard restore --yes',
      'or put back the state from before it (backup 20260101-000100-pre-restore): stack-wizard restore --rollback --yes',
    ].join('\n'));
    // Chinese too, with the same commands.
    expect(zh(f!.title.key, f!.title.params)).toBe('对 20260101-000000 的恢复曾被中断（阶段 restoring）：数据可能只替换了一半');
  });

  test('a restore still running is only news; one that changed nothing yet or finished is no finding', () => {
    const running = check('journals', { restore: { path: rPath, journal: rJournal, running: true }, update: null });
    expect(running.map((f) => `${f.severity} ${title(f)}`)).toEqual(['info a restore of 20260101-000000 is running now (process 4194311, phase restoring)']);
    for (const phase of ['begun', 'safety', 'done', 'rolled-back'] as const) {
      expect(check('journals', { restore: { path: rPath, journal: { ...rJournal, phase }, running: false }, update: null }).map((f) => `${f.severity} ${f.id}`), phase).toEqual(['ok journal.none']);
    }
    for (const phase of ['stopped', 'starting', 'rolling-back', 'rollback-failed'] as const) {
      expect(check('journals', { restore: { path: rPath, journal: { ...rJournal, phase }, running: false }, update: null })[0]!.severity, phase).toBe('error');
    }
  });

  test('a killed update: the rollback and the finish; an unreadable journal says what to look at', () => {
    const [u] = check('journals', { restore: null, update: { path: uPath, journal: uJournal, running: false } });
    expect(text(u!)).toBe([
      'an update started 2026-02-02T00:00:00.000Z was interrupted (phase applying)',
      `${uPath}: started 2026-02-02T00:00:00.000Z, written by process 4194312`,
      'put back the images and files from before it (backup 20260202-000000-pre-update): stack-wizard update --rollback --yes',
      'or finish the update: stack-wizard update --yes',
    ].join('\n'));
    const [bad] = check('journals', { restore: null, update: { path: uPath, journal: null, running: false } });
    expect(bad!.severity).toBe('error');
    expect(title(bad!)).toBe(`the update journal ${uPath} cannot be read`);
    expect(check('journals', { restore: null, update: { path: uPath, journal: uJournal, running: true } })[0]!.severity).toBe('info');
    // Both at once: both reported.
    expect(check('journals', { restore: { path: rPath, journal: rJournal, running: false }, update: { path: uPath, journal: uJournal, running: false } }).map((f) => f.id)).toEqual(['journal.restore', 'journal.update']);
  });
});
