// Doctor's pure parts: cause linking and order, redaction for the support bundle, daemon.json
// without dead mirrors, what a fix shows before it runs, the parsers of command output, the
// --json report and exit codes, the command's usage errors, and each area's gatherer, checks and
// messages kept side by side.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createContext } from '../../src/context.js';
import { main } from '../../src/cli.js';
import { CHECKS, type EvidenceSources } from '../../src/domain/doctor/checks.js';
import { link, rootCauses, sortFindings } from '../../src/domain/doctor/link.js';
import { MASK, redactDotenv, redactText } from '../../src/domain/doctor/redact.js';
import { describeAction, withoutDeadMirrors, type StackPaths } from '../../src/steps/doctor-fixes.js';
import { fmtBytes, msg, type CheckDef, type Finding, type FixAction } from '../../src/domain/doctor/types.js';
import { importantLines, logSignals } from '../../src/domain/doctor/checks-docker.js';
import { hostFileOf, parseNginxTest } from '../../src/domain/doctor/checks-web.js';
import { parseInfo, parseRows, redisBytes, slowQueries } from '../../src/domain/doctor/checks-data.js';
import { nameMatches } from '../../src/domain/doctor/checks-tls.js';
import { oomVictims } from '../../src/domain/doctor/checks-host.js';
import { aptHosts } from '../../src/host/doctor/gather.js';
import { dockerSize } from '../../src/host/doctor/gather-docker.js';
import { registryOf } from '../../src/host/doctor/gather-files.js';
import { acceptedLogins } from '../../src/host/doctor/gather-security.js';
import { upstreamErrors } from '../../src/host/doctor/gather-web.js';
import { parseAnswers } from '../../src/domain/load.js';
import { buildPlan } from '../../src/domain/plan.js';
import { renderAll } from '../../src/render/index.js';
import { DryRunExecutor } from '../../src/exec/executor.js';
import { translator } from '../../src/i18n/index.js';
import { defineCatalog, mergeCatalogs } from '../../src/i18n/define.js';
import { exitCodeFor, type DoctorReport, type DoctorStack } from '../../src/steps/doctor.js';
import { nextFix, reportJson, reportText } from '../../src/services/doctor.js';
import { makeFacts } from '../fixtures/facts.js';

const t = translator('en');
const f = (id: string, o: Partial<Finding> = {}): Finding => ({ id, check: id.split('.')[0]!, severity: 'error', title: msg('doc.docker.down'), evidence: [], fix: null, causedBy: [], ...o });

describe('linking symptoms to causes', () => {
  test('502 ← MySQL down ← disk full: each link from the evidence, the root at the end of the chain', () => {
    const disk = f('disk.docker', { hints: { fullDisk: ['docker'] } });
    const mysql = f('service.mysql', { hints: { service: 'mysql', serviceDown: true, signals: ['enospc'] } });
    const http = f('http.chain', { hints: { needs: ['mysql'] } });
    const fs = link([http, mysql, disk]);
    expect(fs.find((x) => x.id === 'service.mysql')!.causedBy).toEqual(['disk.docker']);
    expect(fs.find((x) => x.id === 'http.chain')!.causedBy).toEqual(['service.mysql']);
    expect(rootCauses(fs.find((x) => x.id === 'http.chain')!, fs).map((x) => x.id)).toEqual(['disk.docker']);
    // Worst first, and within a severity the cause before what it causes.
    expect(sortFindings(fs).map((x) => x.id)).toEqual(['disk.docker', 'service.mysql', 'http.chain']);
    // The inputs are not changed.
    expect(http.causedBy).toEqual([]);
  });

  test('Redis failing to write its files follows from Docker\'s disk being full, even without "No space left" in its log', () => {
    const fs = link([f('redis.persistence', { hints: { service: 'redis', signals: ['disk-write'] } }), f('disk.install', { hints: { fullDisk: ['install'] } }), f('disk.docker', { hints: { fullDisk: ['docker'] } })]);
    expect(fs[0]!.causedBy).toEqual(['disk.docker']);
    expect(link([f('redis.persistence', { hints: { service: 'redis', signals: ['disk-write'] } })])[0]!.causedBy).toEqual([]);
  });

  test('never a cycle, and a finding that is fine is never a cause', () => {
    const a = f('service.app', { hints: { service: 'app', serviceDown: true, needs: ['nginx'] } });
    const n = f('service.nginx', { hints: { service: 'nginx', serviceDown: true, needs: ['app'] } });
    const fs = link([a, n]);
    const edges = fs.flatMap((x) => x.causedBy.map((c) => `${x.id}←${c}`));
    expect(edges).toHaveLength(1);
    expect(link([f('http.chain', { hints: { needs: ['mysql'] } }), f('service.mysql', { severity: 'ok', hints: { service: 'mysql', serviceDown: true } })])[0]!.causedBy).toEqual([]);
  });

  test('a kernel OOM kill follows from memory pressure; nginx down from the program on its port', () => {
    const fs = link([
      f('oom.kernel', { hints: { oomKilled: ['mariadbd'] } }),
      f('memory', { severity: 'warn' }),
      f('service.nginx', { hints: { service: 'nginx', serviceDown: true } }),
      f('ports.80', { check: 'ports', hints: { ports: [80] } }),
    ]);
    expect(fs.find((x) => x.id === 'oom.kernel')!.causedBy).toEqual(['memory']);
    expect(fs.find((x) => x.id === 'service.nginx')!.causedBy).toEqual(['ports.80']);
  });
});

describe('redaction', () => {
  const secrets = ['Zx9qWe12rTy34uIoP0aS', 'hunter2hunter2'];
  test('known values, URL passwords, PEM keys, secret assignments, flags, bearer tokens, random keys', () => {
    const out = redactText(
      [
        'MYSQL_PASSWORD=Zx9qWe12rTy34uIoP0aS',
        'mysql://app:Zx9qWe12rTy34uIoP0aS@mysql:3306/shop',
        'redis://:anotherpass99@redis:6379/0',
        'SENTRY_DSN: "https://k3y:s3cretpw@sentry.example.com/1"',
        '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----',
        '"api_key": "sk-live-AbCdEfGhIjKlMnOpQrStUvWx12"',
        'redis-server /etc/redis.conf --requirepass hunter2hunter2',
        'Authorization: Bearer eyJhbGciOi.payload.sig',
        'token: W3rTyUiOpAsDfGhJkLzXcVbNm12',
      ].join('\n'),
      secrets,
    );
    for (const leak of ['Zx9qWe12rTy34uIoP0aS', 'anotherpass99', 's3cretpw', 'MIGHAgEAMBMGBy', 'sk-live', 'hunter2hunter2', 'eyJhbGciOi', 'W3rTyUiOp']) expect(out).not.toContain(leak);
    expect(out).toContain(`mysql://app:${MASK}@mysql:3306/shop`);
    expect(out).toContain('https://k3y:••••••@sentry.example.com/1');
    expect(out).toContain('-----BEGIN PRIVATE KEY-----');
  });

  test('what support needs stays: references, hashes, image IDs, ordinary words, numbers', () => {
    const keep = [
      'DB_PASSWORD: ${MYSQL_PASSWORD}',
      '--requirepass ${REDIS_PASSWORD}',
      'sha256:4ffa578a886a64cc2edaf95b71a3e4989f4e0dcfc3ef5556552871f4afe286',
      '"authError": "DEPTH_ZERO_SELF_SIGNED_CERT"',
      'max_connections 151, PasswordAuthentication no',
      'token: 12345',
    ].join('\n');
    expect(redactText(keep, secrets)).toBe(keep);
  });

  test('.env keeps the names (and the project name), never a value', () => {
    expect(redactDotenv('# secrets\nCOMPOSE_PROJECT_NAME=shop\nMYSQL_PASSWORD=abc\nEMPTY=\n')).toBe(`# secrets\nCOMPOSE_PROJECT_NAME=shop\nMYSQL_PASSWORD=${MASK}\nEMPTY=\n`);
  });
});

describe('daemon.json without dead mirrors', () => {
  const text = `${JSON.stringify({ 'registry-mirrors': ['http://127.0.0.1:5999', 'https://good.example.com'], 'log-opts': { 'max-size': '10m' } }, null, 2)}\n`;
  test('drops only the dead one, keeps everything else as it was', () => {
    const out = JSON.parse(withoutDeadMirrors(text, ['http://127.0.0.1:5999/'])!) as Record<string, unknown>;
    expect(out).toEqual({ 'registry-mirrors': ['https://good.example.com'], 'log-opts': { 'max-size': '10m' } });
  });
  test('all dead: an empty list, which dockerd\'s reload honours (a missing key keeps the old mirrors)', () => {
    expect(JSON.parse(withoutDeadMirrors(text, ['http://127.0.0.1:5999', 'https://good.example.com'])!)['registry-mirrors']).toEqual([]);
  });
  test('a live replacement goes first; nothing to change gives null', () => {
    expect(JSON.parse(withoutDeadMirrors(text, ['http://127.0.0.1:5999'], 'https://live.example.cn/')!)['registry-mirrors']).toEqual(['https://live.example.cn', 'https://good.example.com']);
    expect(withoutDeadMirrors(text, ['https://other.example.com'])).toBeNull();
  });
});

describe('what a fix shows before it runs', () => {
  const s: StackPaths = { project: 'shop', installDir: '/opt/stack-wizard/shop', composeFile: '/opt/stack-wizard/shop/docker-compose.yml' };
  const compose = 'docker compose --project-directory /opt/stack-wizard/shop -f /opt/stack-wizard/shop/docker-compose.yml';
  test('every kind has a translated title and its commands', () => {
    const all: FixAction[] = [
      { kind: 'compose-up', services: ['mysql'] },
      { kind: 'rollback-image', service: 'app', image: 'acme/shop:2', imageId: 'sha256:0123456789abcdef0123' },
      { kind: 'reload-nginx' },
      { kind: 'restart-service', service: 'app' },
      { kind: 'docker-restart' },
      { kind: 'docker-prune' },
      { kind: 'truncate-logs', files: ['/var/lib/docker/containers/x/x-json.log'] },
      { kind: 'stop-port-holder', port: 80, pid: 4242, unit: null },
      { kind: 'restore-files', paths: ['nginx/nginx.conf'] },
      { kind: 'redis-config', set: { maxmemory: '291504128' } },
      { kind: 'redis-save', command: 'BGSAVE' },
      { kind: 'renew-cert', mode: 'self-signed' },
      { kind: 'drop-mirrors', urls: ['http://127.0.0.1:5999'] },
      { kind: 'commands', argv: [['chmod', '600', '/opt/stack-wizard/shop/.env']] },
      { kind: 'security-steps', steps: ['security-firewall'] },
    ];
    for (const a of all) {
      const d = describeAction(a, s);
      expect(t(d.title.key, d.title.params), a.kind).not.toMatch(/\{|^doc\./);
      // Putting files back is no command line: its title names the files (in the chosen language).
      if (a.kind === 'restore-files') expect(d.commands, a.kind).toEqual([]);
      else expect(d.commands.length, a.kind).toBeGreaterThan(0);
    }
    expect(describeAction(all[0]!, s).commands).toEqual([`${compose} up -d mysql`]);
    expect(describeAction(all[1]!, s).commands[0]).toBe('docker tag sha256:0123456789abcdef0123 acme/shop:2');
    expect(describeAction(all[7]!, s).commands).toEqual(['kill 4242', `${compose} up -d nginx`]);
    expect(describeAction({ kind: 'stop-port-holder', port: 80, pid: 1, unit: 'apache2.service' }, s).commands[0]).toBe('systemctl stop apache2.service');
    expect(describeAction(all[9]!, s).commands).toEqual([`${compose} exec -T redis redis-cli CONFIG SET maxmemory 291504128`]);
  });
});

describe('parsers of what the host says', () => {
  test('nginx\'s error log: upstream errors in the window counted by kind, the address nginx used', () => {
    const log = [
      '2026/11/23 08:00:00 [error] 1#1: *1 connect() failed (111: Connection refused) while connecting to upstream, upstream: "http://172.19.0.2:8000/"',
      '2026/11/23 09:20:00 [error] 1#1: *2 connect() failed (113: No route to host) while connecting to upstream, upstream: "http://172.19.0.2:8000/health"',
      '2026/11/23 09:21:00 [error] 1#1: *3 upstream timed out (110: Connection timed out) while reading response header from upstream, upstream: "http://172.19.0.4:8000/slow"',
      '2026/11/23 09:22:00 [notice] 1#1: signal process started',
    ].join('\n');
    const r = upstreamErrors(log, new Date('2026-11-23T09:30:00Z'), 15);
    expect(r).toMatchObject({ refused: 1, timedOut: 1, other: 0, lastUpstream: '172.19.0.4' });
    expect(r.sample).toHaveLength(2);
  });

  test('logins, package sources, registries, sizes', () => {
    expect(acceptedLogins('Accepted publickey for root from 203.0.113.9 port 5 ssh2\nFailed password for ops from 198.51.100.1 port 6 ssh2\nAccepted password for ops from 198.51.100.2 port 7 ssh2\nAccepted publickey for root from 203.0.113.9 port 8 ssh2')).toEqual(['198.51.100.2', '203.0.113.9']);
    expect(aptHosts(['deb http://apt.example.org/debian bookworm main\n# deb http://old.example.com/debian x\n', 'Types: deb\nURIs: https://mirrors.example.cn/debian-security\n'])).toEqual(['apt.example.org', 'mirrors.example.cn']);
    expect(registryOf('nginx:1.26')).toBe('docker.io');
    expect(registryOf('acme/shop:2')).toBe('docker.io');
    expect(registryOf('ghcr.io/acme/shop:2')).toBe('ghcr.io');
    expect(registryOf('localhost:5000/shop')).toBe('localhost:5000');
    expect([dockerSize('869.2MB'), dockerSize('1.2GB'), dockerSize('0B'), dockerSize('12kB')]).toEqual([869_200_000, 1_200_000_000, 0, 12_000]);
    expect(fmtBytes(1536 * 1024 * 1024)).toBe('1.5 GiB');
  });

  test('Redis INFO and sizes as Redis reads them; mysql -N -B rows; the slow log', () => {
    expect(parseInfo('# Memory\r\nused_memory:1024\r\nmaxmemory_policy:noeviction\r\n\r\n# Errorstats\r\nerrorstat_OOM:count=5\r\n')).toEqual({ used_memory: '1024', maxmemory_policy: 'noeviction', errorstat_OOM: 'count=5' });
    expect([redisBytes('278mb'), redisBytes('1gb'), redisBytes('100m'), redisBytes('4096'), redisBytes('x')]).toEqual([278 * 1024 ** 2, 1024 ** 3, 100_000_000, 4096, null]);
    expect(parseRows('Threads_connected\t3\nmax_connections\t151\n')).toEqual({ Threads_connected: '3', max_connections: '151' });
    expect(slowQueries(['# Query_time: 2.5  Lock_time: 0', 'use shop;', 'SET timestamp=1;', 'SELECT 1;'])).toEqual([{ seconds: 2.5, sql: 'SELECT 1;' }]);
  });

  test('nginx -t: the message, file and line; the host file behind a container path', () => {
    const e = parseNginxTest(['nginx: [emerg] unknown directive "x" in /etc/nginx/conf.d/default.conf:42', 'nginx: configuration file /etc/nginx/nginx.conf test failed'])!;
    expect(e).toEqual({ text: '[emerg] unknown directive "x" in /etc/nginx/conf.d/default.conf:42', file: '/etc/nginx/conf.d/default.conf', line: 42, upstream: null });
    expect(parseNginxTest(['nginx: [emerg] host not found in upstream "app:8000" in /etc/nginx/conf.d/default.conf:4'])!.upstream).toBe('app:8000');
    const mounts = { '/etc/nginx/nginx.conf': 'nginx/nginx.conf', '/etc/nginx/conf.d': 'nginx/conf.d' };
    expect(hostFileOf('/etc/nginx/conf.d/default.conf', mounts)).toBe('nginx/conf.d/default.conf');
    expect(hostFileOf('/etc/nginx/nginx.conf', mounts)).toBe('nginx/nginx.conf');
    expect(hostFileOf('/usr/share/nginx/x.conf', mounts)).toBeNull();
  });

  test('log lines: errors first, a repeated message once with its count; what they say about the cause', () => {
    const lines = ['starting', '2026/11/23 09:17:35 [emerg] 1#1: unknown directive "g"', '2026/11/23 09:17:36 [emerg] 1#1: unknown directive "g"', 'ok'];
    expect(importantLines(lines)).toEqual(['2026/11/23 09:17:36 [emerg] 1#1: unknown directive "g" (×2)']);
    expect(importantLines(['a', 'b', 'c'], 2)).toEqual(['b', 'c']);
    expect(logSignals(['[ERROR] InnoDB: Write to file ./ibdata1 failed at offset 0, 16384 bytes should have been written, only 0 were written. Operating system error number 28.', 'Errcode: 28 "No space left on device"'])).toEqual(['enospc']);
    expect(logSignals(['bind() to 0.0.0.0:80 failed (98: Address already in use)', 'nginx: [emerg] still could not bind()'])).toEqual(['emerg', 'addr-in-use']);
  });

  test('certificate names and kernel OOM victims', () => {
    expect(nameMatches('*.example.com', 'shop.example.com')).toBe(true);
    expect(nameMatches('*.example.com', 'a.b.example.com')).toBe(false);
    expect(nameMatches('Shop.Example.com', 'shop.example.com')).toBe(true);
    expect([...oomVictims(['Out of memory: Killed process 12 (mysqld) total-vm', 'oom-kill:constraint=CONSTRAINT_MEMCG', 'Killed process 13 (mysqld)'])]).toEqual([['mysqld', 2]]);
  });
});

describe('the report', () => {
  const DIR = new URL('./fixtures/doctor/', import.meta.url).pathname;
  const answers = parseAnswers(readFileSync(new URL('./fixtures/doctor/lab-answers.yaml', import.meta.url), 'utf8'), 'lab-answers.yaml', t);
  const facts = makeFacts({ ramMiB: 7680, cores: 2, sshPorts: [2222] });
  const plan = buildPlan(answers, facts);
  const stack: DoctorStack = { project: plan.project, installDir: plan.installDir, answers, plan, facts, files: renderAll({ plan, answers, secrets: { MYSQL_ROOT_PASSWORD: 'x'.repeat(32), MYSQL_PASSWORD: 'y'.repeat(32), REDIS_PASSWORD: 'z'.repeat(32) } }), secrets: {} };
  const ctx = createContext({ lang: 'en', dryRun: true, exec: new DryRunExecutor(), interactive: false });
  const report = (name: string): DoctorReport => {
    const rec = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as { checkedAt: string; evidence: EvidenceSources };
    const now = new Date(rec.checkedAt);
    const findings = sortFindings(link(CHECKS.flatMap((c) => c.def.evaluate(rec.evidence[c.source] as never, now))));
    return { project: plan.project, installDir: plan.installDir, symptom: 'all', checkedAt: rec.checkedAt, checks: CHECKS.map((c) => c.def.id), findings, evidence: rec.evidence };
  };

  test('--json: the documented shape, worst first, automatic fixes with their commands', () => {
    const j = JSON.parse(reportJson(ctx, stack, report('mysql-stopped'))) as { exitCode: number; findings: { id: string; severity: string; title: string; evidence: string[]; fix: { auto: boolean; steps: string[] }; causedBy: string[]; rootCause: string | null }[] };
    expect(j.exitCode).toBe(5);
    const rank = ['ok', 'info', 'warn', 'error'];
    const sev = j.findings.map((x) => rank.indexOf(x.severity));
    expect(sev).toEqual([...sev].sort((a, b) => b - a));
    for (const x of j.findings) {
      expect(Object.keys(x)).toEqual(expect.arrayContaining(['id', 'severity', 'title', 'evidence', 'fix']));
      expect(typeof x.fix.auto).toBe('boolean');
      expect(Array.isArray(x.fix.steps)).toBe(true);
      for (const e of x.evidence) expect(typeof e).toBe('string');
    }
    const mysql = j.findings[0]!;
    expect(mysql).toMatchObject({ id: 'service.mysql', severity: 'error', title: 'mysql is stopped', rootCause: null });
    expect(mysql.fix.auto).toBe(true);
    expect(mysql.fix.steps).toContain(`$ docker compose --project-directory ${plan.installDir} -f ${plan.installDir}/docker-compose.yml up -d mysql`);
    expect(j.findings.find((x) => x.id === 'http.chain')).toMatchObject({ causedBy: ['service.mysql'], rootCause: 'service.mysql' });
  });

  test('text: causes named under the symptom, the fix, then the checks that passed', () => {
    const out = reportText(ctx, stack, report('nginx-config'));
    expect(out).toMatch(/^doctor: labshop \(\/opt\/stack-wizard\/labshop\), \d+ checks, 5 problem\(s\)/);
    expect(out).toContain('caused by: files.edited:nginx/conf.d/default.conf');
    expect(out).toContain('Fix (automatic, stack-wizard doctor --fix):');
    expect(out).toMatch(/✓ \d+ check\(s\) passed: docker\.daemon, /);
    expect(out).toContain('Apply the automatic fixes: stack-wizard doctor --fix');
  });

  test('exit codes: 0 for a healthy stack, 5 with an error, 4 with only a warning', () => {
    expect(exitCodeFor(report('healthy').findings)).toBe(0);
    expect(exitCodeFor(report('redis-full').findings)).toBe(5);
    expect(exitCodeFor([f('x', { severity: 'warn' }), f('y', { severity: 'info' })])).toBe(4);
  });

  test('--fix order: a root cause first, never the same finding twice', () => {
    const fs = report('nginx-config').findings;
    const first = nextFix(fs, new Set())!;
    expect(first.id).toBe('files.edited:nginx/conf.d/default.conf');
    expect(nextFix(fs, new Set([first.id]))!.id).toBe('nginx.config');
    expect(nextFix(report('healthy').findings, new Set())).toBeNull();
  });
});

describe('the doctor command\'s usage', () => {
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const state = mkdtempSync(join(tmpdir(), 'sw-doctor-state-'));
    const code = await main(args, { io: { out: (s) => out.push(s), err: (s) => err.push(s) }, env: { ...process.env, STACK_WIZARD_STATE_DIR: state, LANG: 'C.UTF-8' }, interactive: false });
    return { code, out: out.join(''), err: err.join('') };
  };
  test('--json with --fix is bad usage (2), before anything is looked at', async () => {
    const r = await run(['doctor', '--json', '--fix']);
    expect(r.code).toBe(2);
    // A --json run says it in JSON (#22.13).
    expect((JSON.parse(r.out) as { error: { message: string } }).error.message).toContain('--json cannot be combined with --fix or --bundle');
  });
  test('an unknown symptom or check names the choices (2)', async () => {
    expect((await run(['doctor', '--symptom', 'slowish'])).err).toContain('unknown symptom "slowish"; use one of: down, bad-gateway, slow, pull, disk, ssh, tls, all');
    const c = await run(['doctor', '--check', 'nope']);
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/unknown check "nope"; checks are: docker, disk, inodes, /);
  });
  // Without any stack doctor checks the host instead (#22.13; test/real/cli-commands.test.ts). A stack named that is not there stays an error.
  test('no installed stack of that name: says so and how to point at one (2)', async () => {
    const r = await run(['doctor', '--json', '--project', 'nope']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toMatchObject({ error: { code: 'err.stackUnknown', field: '--project' } });
    expect(r.err).toBe('');
  });
});

describe('each area\'s gatherer, checks and messages side by side (docs/ARCHITECTURE.md, adding a doctor check)', () => {
  const areas = readdirSync(new URL('../../src/host/doctor/', import.meta.url)).flatMap((f) => /^gather-(.+)\.ts$/.exec(f)?.[1] ?? []).sort();
  const isCheck = (x: unknown): x is CheckDef<unknown> => typeof x === 'object' && x !== null && typeof (x as CheckDef<unknown>).evaluate === 'function' && typeof (x as CheckDef<unknown>).label === 'string';

  test('a check in checks-<area>.ts reads a source gathered in gather-<area>.ts, and its label is in catalog/doctor/<area>.ts', async () => {
    expect(areas).toEqual(['backups', 'data', 'docker', 'files', 'host', 'journals', 'security', 'tls', 'web']);
    const placed: string[] = [];
    for (const a of areas) {
      const checks = Object.values(await import(`../../src/domain/doctor/checks-${a}.ts`)).filter(isCheck);
      const gathered = Object.keys((await import(`../../src/host/doctor/gather-${a}.ts`))[`${a}Gatherers`] as object);
      const labels = Object.keys(((await import(`../../src/i18n/catalog/doctor/${a}.ts`)) as Record<string, { en: object }>)[a]!.en);
      expect(checks.length, a).toBeGreaterThan(0);
      for (const d of checks) {
        const e = CHECKS.find((c) => c.def === d);
        expect(e, `${d.id} is listed in CHECKS`).toBeDefined();
        expect(gathered, `${d.id} reads ${e!.source}`).toContain(e!.source);
        expect(labels, d.id).toContain(d.label);
        placed.push(d.id);
      }
    }
    expect(placed.sort()).toEqual(CHECKS.map((c) => c.def.id).sort());
  });

  test('merging catalogue parts refuses a key defined twice (one would silently win)', () => {
    const a = defineCatalog({ 'x.one': 'a', 'x.two': 'b' }, { 'x.one': '甲', 'x.two': '乙' });
    const b = defineCatalog({ 'x.two': 'c' }, { 'x.two': '丙' });
    expect(() => mergeCatalogs(a, b)).toThrow('message key(s) defined twice: x.two');
    expect(mergeCatalogs(a, defineCatalog({ 'x.three': 'c' }, { 'x.three': '丙' }))['zh-CN']).toEqual({ 'x.one': '甲', 'x.two': '乙', 'x.three': '丙' });
  });
});
