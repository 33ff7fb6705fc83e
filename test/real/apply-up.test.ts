// The start step on a real engine, with a small stack of busybox services that have the stack's
// service names and real healthchecks: healthy start, a second run that changes nothing, a config
// change that restarts only its service, status against docker inspect, and a broken app image
// that ends in exit 1 with its logs while the previous healthy stack comes back and serves.
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../src/context.js';
import { runSteps, type StepEvent } from '../../src/steps/engine.js';
import { prepare, type Prepared } from '../../src/steps/prepare.js';
import { writeFilesStep } from '../../src/steps/install.js';
import { imagesStep } from '../../src/steps/images.js';
import { upStep, APPLIED, PREVIOUS } from '../../src/steps/up.js';
import { stackStatus } from '../../src/steps/stack-status.js';
import { formatMemoryBars } from '../../src/services/status.js';
import { AnswersSchema } from '../../src/domain/answers.js';
import { WizardError } from '../../src/errors.js';
import { makeFacts } from '../fixtures/facts.js';
import { busyboxImage, freePort, rmImages, sh } from './helpers/engine.js';

const project = `swup${process.pid}`;
const BASE = `stack-wizard-test/bb-${project}:1`;
const APP_OK = `stack-wizard-test/app-${project}:ok`;
const APP_BROKEN = `stack-wizard-test/app-${project}:broken`;
const dir = mkdtempSync(join(tmpdir(), 'sw-up-'));
const stateDir = mkdtempSync(join(tmpdir(), 'sw-up-etc-'));
let port: number;

function compose(appImage: string): string {
  const svc = (extra: string) => `    init: true\n    stop_grace_period: 1s\n    deploy: { resources: { limits: { memory: 48M, cpus: "0.5" } } }\n${extra}`;
  const hc = (url: string, start = '1s') => `    healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", "${url}"], interval: 1s, timeout: 2s, retries: 3, start_period: ${start} }\n`;
  return [
    `name: ${project}`,
    'services:',
    '  mysql:',
    `    image: ${BASE}`,
    '    command: ["sh", "-c", "cat /etc/mysql/conf.d/stack-wizard.cnf; exec sleep 3600"]',
    '    volumes: ["./mysql/conf.d:/etc/mysql/conf.d:ro"]',
    svc('    healthcheck: { test: ["CMD", "test", "-f", "/etc/mysql/conf.d/stack-wizard.cnf"], interval: 1s, timeout: 2s, retries: 3 }'),
    '  redis:',
    `    image: ${BASE}`,
    '    command: ["sleep", "3600"]',
    svc('    healthcheck: { test: ["CMD", "true"], interval: 1s, timeout: 2s, retries: 3 }'),
    '  app:',
    `    image: ${appImage}`,
    '    depends_on: { mysql: { condition: service_healthy }, redis: { condition: service_healthy } }',
    '    environment: { MYSQL_PASSWORD: "${MYSQL_PASSWORD}" }',
    svc(hc('http://127.0.0.1:8000/health', '2s').trimEnd()),
    '  nginx:',
    `    image: ${BASE}`,
    '    command: ["httpd", "-f", "-p", "80", "-h", "/srv"]',
    '    volumes: ["./nginx/conf.d:/srv:ro"]',
    `    ports: ["127.0.0.1:${port}:80"]`,
    '    depends_on: { app: { condition: service_healthy } }',
    svc(hc('http://127.0.0.1:80/index.html').trimEnd()),
    '',
  ].join('\n');
}

async function prepared(ctx: Context, appImage: string, cnf = '[mysqld]\nmax_connections = 50\n'): Promise<Prepared> {
  const answers = AnswersSchema.parse({ project, preset: '4g', app: { image: appImage }, images: { mysql: BASE, redis: BASE, nginx: BASE }, installDir: dir });
  const p = await prepare(ctx, { answers, facts: makeFacts({ ramMiB: 3790, cores: 2 }) });
  const env = p.files.find((f) => f.path === '.env')!;
  p.files = [
    { path: 'docker-compose.yml', content: compose(appImage), mode: 0o644 },
    env,
    { path: 'mysql/conf.d/stack-wizard.cnf', content: cnf, mode: 0o644 },
    { path: 'nginx/conf.d/index.html', content: 'served by the healthy stack\n', mode: 0o644 },
    { path: 'stack-wizard.yaml', content: `project: ${project}\napp: { image: ${appImage} }\n`, mode: 0o644 },
  ];
  return p;
}

function newCtx(): { ctx: Context; out: StepEvent[] } {
  const out: StepEvent[] = [];
  const ctx = createContext({
    lang: 'en', dryRun: false, interactive: false, io: { out: () => {}, err: () => {} },
    env: { ...process.env, LANG: 'C', STACK_WIZARD_STATE_DIR: stateDir, STACK_WIZARD_HEALTH_TIMEOUT: '90' },
  });
  return { ctx, out };
}

const inspect = (id: string) => JSON.parse(sh('docker', ['inspect', id]))[0] as {
  Id: string; State: { StartedAt: string; Status: string; Health?: { Status: string } }; Config: { Image: string; Labels: Record<string, string> };
  HostConfig: { Memory: number; NanoCpus: number }; NetworkSettings: { Ports: Record<string, { HostIp: string; HostPort: string }[] | null> };
};
const containers = () =>
  Object.fromEntries(
    sh('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`]).split('\n').filter(Boolean)
      .map((id) => inspect(id))
      .map((i) => [i.Config.Labels['com.docker.compose.service']!, { id: i.Id, started: i.State.StartedAt }]),
  );
const steps = [writeFilesStep, imagesStep, upStep];

beforeAll(async () => {
  port = await freePort();
  busyboxImage(BASE, ['sleep', '3600']);
  busyboxImage(APP_OK, ['httpd', '-f', '-p', '8000', '-h', '/www'], 'app ok');
  busyboxImage(APP_BROKEN, ['sh', '-c', 'echo "app: cannot reach the database, retrying"; exec sleep 3600'], 'app broken');
});

afterAll(() => {
  try {
    sh('docker', ['compose', '--project-directory', dir, '-p', project, 'down', '-v', '-t', '1']);
  } catch {
    // already gone
  }
  rmImages(BASE, APP_OK, APP_BROKEN);
});

describe('start + health on a real engine', () => {
  it('brings every service to healthy, records what was applied, and serves', async () => {
    const { ctx } = newCtx();
    const events: StepEvent[] = [];
    const r = await runSteps(ctx, steps, await prepared(ctx, APP_OK), (e) => events.push(e));
    expect(r.map((x) => `${x.id}:${x.status}`)).toEqual(['files:applied', 'images:skipped', 'up:applied']);
    const cs = containers();
    expect(Object.keys(cs).sort()).toEqual(['app', 'mysql', 'nginx', 'redis']);
    for (const c of Object.values(cs)) expect(inspect(c.id).State.Health?.Status).toBe('healthy');
    const health = events.filter((e) => e.item === 'health');
    expect(health.at(-1)!.fraction).toBe(1);
    expect(await (await fetch(`http://127.0.0.1:${port}/index.html`)).text()).toBe('served by the healthy stack\n');
    expect(existsSync(join(dir, APPLIED))).toBe(true);
    expect(readFileSync(join(dir, PREVIOUS, 'files', 'docker-compose.yml'), 'utf8')).toContain(APP_OK);
  });

  it('a second run changes nothing: no file written, no container recreated or restarted', async () => {
    const before = containers();
    const { ctx } = newCtx();
    const r = await runSteps(ctx, steps, await prepared(ctx, APP_OK));
    expect(r.map((x) => `${x.id}:${x.status}`)).toEqual(['files:skipped', 'images:skipped', 'up:skipped']);
    expect(ctx.exec.actions).toEqual([]);
    expect(containers()).toEqual(before);
  });

  it('a changed my.cnf restarts only mysql, in place', async () => {
    const before = containers();
    const { ctx } = newCtx();
    const r = await runSteps(ctx, steps, await prepared(ctx, APP_OK, '[mysqld]\nmax_connections = 60\n'));
    expect(r.map((x) => `${x.id}:${x.status}`)).toEqual(['files:applied', 'images:skipped', 'up:applied']);
    const after = containers();
    expect(after.mysql!.id).toBe(before.mysql!.id);
    expect(after.mysql!.started).not.toBe(before.mysql!.started);
    for (const s of ['app', 'redis', 'nginx']) expect(after[s]).toEqual(before[s]);
    expect(sh('docker', ['logs', '--tail', '5', before.mysql!.id])).toContain('max_connections = 60');
  });

  it('status reports what docker inspect sees', async () => {
    const { ctx } = newCtx();
    const st = await stackStatus(ctx, { project, installDir: dir });
    expect(st.healthy).toBe(true);
    expect(st.services.map((s) => s.service).sort()).toEqual(['app', 'mysql', 'nginx', 'redis']);
    for (const s of st.services) {
      const i = inspect(s.containerId!);
      expect(s.state).toBe(i.State.Status);
      expect(s.health).toBe(i.State.Health!.Status);
      expect(s.image).toBe(i.Config.Image);
      expect(s.startedAt).toBe(i.State.StartedAt);
      expect(s.memory.limitBytes).toBe(i.HostConfig.Memory);
      expect(s.memory.limitBytes).toBe(48 * 1024 * 1024);
      expect(s.cpu.limitCpus).toBe(i.HostConfig.NanoCpus / 1e9);
      // Usage as `docker stats` sees it; an engine that cannot read the cgroup reports none (0B / 0B),
      // and status then says null rather than a made-up 0. The lab's inner engine checks real figures.
      const ds = sh('docker', ['stats', '--no-stream', '--format', '{{.MemUsage}}', s.containerId!]).trim();
      if (ds.startsWith('0B / 0B')) expect(s.memory.usedBytes).toBeNull();
      else {
        expect(s.memory.usedBytes, `${s.service} ${ds}`).toBeGreaterThan(0);
        expect(s.memory.usedBytes!).toBeLessThan(s.memory.limitBytes!);
        expect(s.cpu.percent).not.toBeNull();
      }
      const published = Object.entries(i.NetworkSettings.Ports).flatMap(([k, v]) => (v ?? []).map((b) => `${b.HostIp}:${b.HostPort}->${k}`));
      expect(s.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`)).toEqual(published);
    }
    expect(st.services.find((s) => s.service === 'nginx')!.ports).toEqual([{ hostIp: '127.0.0.1', hostPort: port, containerPort: 80, protocol: 'tcp' }]);
    // The memory bars (#22.17) are drawn inside this host's RAM, read through the Executor; each
    // service's bar says what the Engine reports it uses against its 48 MiB limit.
    const memTotal = Number(/^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;
    expect(st.hostRamBytes).toBe(memTotal);
    const bars = formatMemoryBars(ctx, st).split('\n');
    expect(bars[0]).toBe(ctx.t('mem.title', { host: Math.round(memTotal / 1024 / 1024) }));
    for (const s of st.services) {
      const line = bars.find((l) => l.startsWith(`${s.service} `))!;
      const used = s.memory.usedBytes === null ? null : Math.round(s.memory.usedBytes / 1024 / 1024);
      expect(line).toContain(used === null ? ctx.t('mem.useUnknown', { limit: 48 }) : ctx.t('mem.use', { used, limit: 48 }));
      expect(line).toMatch(/\[[#=]+\.+\]/);
    }
  });

  it('a broken app image: exit 1 naming app with its logs, and the previous healthy stack restored and serving', async () => {
    const healthyCompose = readFileSync(join(dir, 'docker-compose.yml'), 'utf8');
    const { ctx } = newCtx();
    const err = await runSteps(ctx, steps, await prepared(ctx, APP_BROKEN, '[mysqld]\nmax_connections = 60\n')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WizardError);
    const w = err as WizardError;
    expect(w.exitCode).toBe(1);
    expect(w.key).toBe('err.unhealthyRolledBack');
    expect(w.params.services).toBe('app');
    const details = w.details.join('\n');
    expect(details).toMatch(/^app: (running|exited), health unhealthy/m);
    expect(details).toContain('app: cannot reach the database, retrying');
    // Files and containers are back to the healthy state.
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toBe(healthyCompose);
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    const cs = containers();
    expect(inspect(cs.app!.id).Config.Image).toBe(APP_OK);
    for (const c of Object.values(cs)) expect(inspect(c.id).State.Health?.Status).toBe('healthy');
    expect(await (await fetch(`http://127.0.0.1:${port}/index.html`)).text()).toBe('served by the healthy stack\n');
    // The secret never reached the log lines.
    const secret = readFileSync(join(dir, '.env'), 'utf8').match(/MYSQL_PASSWORD=(\w+)/)![1]!;
    expect(ctx.exec.actions.map((a) => `${a.summary} ${a.outcome ?? ''}`).join('\n')).not.toContain(secret);
  });
});
