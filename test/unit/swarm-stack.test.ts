// deploy: swarm (#20): the answers it takes and refuses, and the stack file's invariants (no virtual
// IP anywhere, Nginx in host mode on the edge, roles by label, rolling updates that roll back,
// passwords only as secrets, configs named by their content).
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { AnswersSchema, type AnswersInput } from '../../src/domain/answers.js';
import { parseAnswers } from '../../src/domain/load.js';
import { buildPlan } from '../../src/domain/plan.js';
import { ensureSecrets } from '../../src/domain/secrets.js';
import {
  convergence,
  parseRoles,
  parseStackPs,
  parseStackServices,
  stackDeployArgv,
  swarmStatus,
  SWARM_PORTS,
  type ClusterNode,
  type NodeSize,
} from '../../src/domain/swarm.js';
import type { Context } from '../../src/context.js';
import { formatSwarmStatus } from '../../src/services/status.js';
import { WizardError } from '../../src/errors.js';
import { translator } from '../../src/i18n/index.js';
import { renderAll } from '../../src/render/index.js';
import { HOST } from '../../src/render/paths.js';
import { SECRET_MODE } from '../../src/render/types.js';
import { VM, seededRandom } from '../fixtures/facts.js';

type Dict = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BASE: AnswersInput = {
  project: 'shop',
  preset: '8g',
  deploy: 'swarm',
  app: { image: 'registry.example.com/team/api:1.4.2', workerCommand: ['celery', '-A', 'app', 'worker'] },
  components: { redis: true, worker: true, rabbitmq: true },
};

function render(a: AnswersInput = BASE) {
  const answers = AnswersSchema.parse(a);
  const plan = buildPlan(answers, VM['8g']);
  const secrets = ensureSecrets(plan, {}, seededRandom(5));
  const files = renderAll({ plan, answers, secrets });
  const stack = files.find((f) => f.path === 'docker-stack.yml');
  return { plan, secrets, files, stack: stack ? (parse(stack.content) as Dict) : null, text: stack?.content ?? '' };
}

it("MinIO's root user in the stack file is at least 3 characters, as in compose (#22.15)", () => {
  for (const [project, user] of [['ab', 'ab-admin'], ['shop', 'shop']] as const) {
    const { stack } = render({ ...BASE, project, components: { ...BASE.components, minio: true } });
    expect(stack!.services.minio.environment.MINIO_ROOT_USER, project).toBe(user);
  }
});

function refusal(extra: Partial<AnswersInput>, lang: 'en' | 'zh-CN' = 'en'): string {
  const yaml = JSON.stringify({ ...BASE, ...extra });
  try {
    parseAnswers(yaml, 'answers.yaml', translator(lang));
  } catch (e) {
    expect(e).toBeInstanceOf(WizardError);
    expect((e as WizardError).exitCode).toBe(2);
    return [(e as Error).message, ...((e as WizardError).details ?? [])].join('\n');
  }
  throw new Error('accepted');
}

describe('answers: deploy: swarm', () => {
  it('is optional: a single-server answers file stays as it was (no deploy key written)', () => {
    const a = AnswersSchema.parse({ project: 'x', app: { image: 'x/app:1' } });
    expect(a.deploy).toBeUndefined();
    expect(buildPlan(a, VM['8g']).swarm).toBeNull();
    expect(render({ project: 'x', app: { image: 'x/app:1' } }).stack).toBeNull();
  });

  it('refuses what would live on one server only, naming the field and the way out', () => {
    expect(refusal({ tls: 'self-signed' })).toMatch(
      /tls.*self-signed is not available with deploy: swarm.*tls: custom/s,
    );
    expect(refusal({ domain: 'a.example.com', email: 'o@example.com' })).toMatch(/tls.*letsencrypt/s);
    expect(refusal({ components: { monitoring: true } })).toMatch(/components\.monitoring.*deploy: compose/s);
    expect(refusal({ app: { image: 'x/app:1', dataDir: '/data' } })).toMatch(/app\.dataDir/);
    expect(refusal({ images: { nginx: 'nginx:1.26.3' } })).toMatch(/images\.nginx.*1\.27\.3/s);
    expect(refusal({ deploy: undefined, swarm: { appReplicas: 2 } })).toMatch(/deploy.*add deploy: swarm/s);
    expect(refusal({ tls: 'self-signed' }, 'zh-CN')).toMatch(/deploy: swarm 暂不支持 tls: self-signed/);
    expect(refusal({ swarm: { appReplicas: 0 } })).toMatch(/swarm\.appReplicas/);
  });

  it("states an unencrypted overlay in the plan's warnings, and not an encrypted one", () => {
    expect(render().plan.warnings.map((w) => w.key)).toContain('warn.swarmUnencrypted');
    const enc = render({ ...BASE, swarm: { encrypted: true } });
    expect(enc.plan.warnings.map((w) => w.key)).not.toContain('warn.swarmUnencrypted');
    expect(enc.stack!.networks.backend.driver_opts).toEqual({ encrypted: 'true' });
    expect(render().stack!.networks.backend.driver_opts).toBeUndefined();
  });
});

describe('the stack file', () => {
  const { stack, text, secrets, files, plan } = render();
  const svc = stack!.services as Dict;

  it('has no virtual IP and no routing mesh: every service dnsrr, Nginx published in host mode only', () => {
    for (const [name, s] of Object.entries(svc)) expect(s.deploy.endpoint_mode, name).toBe('dnsrr');
    expect(svc.nginx.ports).toEqual([{ target: 80, published: 80, protocol: 'tcp', mode: 'host' }]);
    for (const [name, s] of Object.entries(svc)) if (name !== 'nginx') expect(s.ports, name).toBeUndefined();
    expect(svc.nginx.deploy.mode).toBe('global');
  });

  it('places services by role label, the stateful ones as one replica with their volume', () => {
    expect(svc.nginx.deploy.placement.constraints).toEqual(['node.labels.edge == true']);
    expect(svc.app.deploy.placement.constraints).toEqual(['node.labels.app == true']);
    expect(svc.worker.deploy.placement.constraints).toEqual(['node.labels.app == true']);
    for (const [name, vol] of [
      ['mysql', 'mysql-data:/var/lib/mysql'],
      ['redis', 'redis-data:/data'],
      ['rabbitmq', 'rabbitmq-data:/var/lib/rabbitmq'],
    ]) {
      expect(svc[name!].deploy.placement.constraints, name).toEqual(['node.labels.data == true']);
      expect(svc[name!].deploy.replicas, name).toBe(1);
      // Its data volume first; read-only ones also get their tmpfs mounts (#15.8).
      expect(svc[name!].volumes[0], name).toEqual(vol);
      for (const m of svc[name!].volumes.slice(1)) expect(m.type, name).toBe('tmpfs');
    }
    expect(svc.app.deploy.replicas).toBe(2);
    expect(render({ ...BASE, swarm: { appReplicas: 4 } }).stack!.services.app.deploy.replicas).toBe(4);
  });

  it('hardens every service as swarm takes it, and gives the app its own MinIO user, never the root password (#15.8)', () => {
    const { stack } = render({ ...BASE, components: { ...BASE.components, minio: true } });
    const services = stack!.services as Dict;
    for (const [name, s] of Object.entries(services)) {
      expect(s.cap_drop, name).toEqual(['ALL']);
      // Swarm's file format has neither: they stay compose-only rather than being ignored.
      expect(s.security_opt, name).toBeUndefined();
      expect(s.pids_limit, name).toBeUndefined();
      if (s.read_only) expect(s.volumes.some((v: Dict) => v.type === 'tmpfs' && v.target === '/tmp'), name).toBe(true);
    }
    expect(services.nginx.cap_add).toEqual(['CHOWN', 'NET_BIND_SERVICE', 'SETGID', 'SETUID']);
    for (const name of ['app', 'worker']) {
      expect(services[name].secrets, name).toContain('minio_app_password');
      expect(services[name].secrets, name).not.toContain('minio_root_password');
      expect(services[name].environment.S3_ACCESS_KEY, name).toBe('shop-app');
      expect(JSON.stringify(services[name].environment), name).not.toMatch(/MINIO_ROOT/);
    }
    const init = services['minio-init'];
    expect(init.secrets.sort()).toEqual(['minio_app_password', 'minio_root_password']);
    expect(init.deploy.restart_policy.condition).toBe('on-failure');
    expect(init.configs.map((c: Dict) => c.target).sort()).toEqual(['/stack-wizard/app-policy.json', '/stack-wizard/minio-init.sh']);
  });

  it('rolls updates one task at a time, back on failure; start-first only where nothing is held', () => {
    for (const [name, s] of Object.entries(svc)) {
      expect(s.deploy.update_config.failure_action, name).toBe('rollback');
      expect(s.deploy.update_config.parallelism, name).toBe(1);
      expect(s.deploy.rollback_config, name).toBeDefined();
      expect(s.healthcheck?.test, name).toBeDefined();
      const order = name === 'app' || name === 'worker' ? 'start-first' : 'stop-first';
      expect(s.deploy.update_config.order, name).toBe(order);
    }
  });

  it('limits memory and CPU as the plan sized them', () => {
    for (const s of plan.services) {
      expect(svc[s.name].deploy.resources.limits, s.name).toEqual({ cpus: String(s.cpus), memory: `${s.memoryMiB}M` });
    }
  });

  it('holds no password: images read *_FILE secrets, the app gets its URLs by interpolation at deploy time', () => {
    for (const v of Object.values(secrets)) expect(text).not.toContain(v);
    expect(svc.mysql.environment.MYSQL_ROOT_PASSWORD_FILE).toBe('/run/secrets/mysql_root_password');
    expect(svc.mysql.environment.MYSQL_PASSWORD_FILE).toBe('/run/secrets/mysql_password');
    expect(svc.mysql.environment.MYSQL_ROOT_PASSWORD).toBeUndefined();
    expect(svc.mysql.secrets).toEqual(['mysql_root_password', 'mysql_password']);
    // MySQL's healthcheck read the root password from its environment; on swarm from the secret file.
    expect(svc.mysql.healthcheck.test[1]).toMatch(
      /^export MYSQL_ROOT_PASSWORD="\$\$\(cat \/run\/secrets\/mysql_root_password\)"; /,
    );
    expect(svc.redis.command).toEqual([
      'redis-server',
      '/usr/local/etc/redis/redis.conf',
      '--include',
      '/run/secrets/redis_auth_conf',
    ]);
    expect(svc.app.environment.DATABASE_URL).toBe('mysql://app:${MYSQL_PASSWORD_URLENCODED}@mysql:3306/shop');
    expect(svc.app.environment.MYSQL_PASSWORD_FILE).toBe('/run/secrets/mysql_password');
  });

  it('writes each secret to its own 0600 file, kept out of the manifest', () => {
    const dir = files.filter((f) => f.path.startsWith('swarm/secrets/'));
    expect(dir.map((f) => f.path).sort()).toEqual(
      ['mysql_password', 'mysql_root_password', 'rabbitmq_password', 'redis_auth_conf', 'redis_password'].map(
        (n) => `swarm/secrets/${n}`,
      ),
    );
    for (const f of dir) expect(f.mode).toBe(SECRET_MODE);
    expect(dir.find((f) => f.path.endsWith('/mysql_password'))!.content).toBe(secrets.MYSQL_PASSWORD);
    expect(dir.find((f) => f.path.endsWith('/redis_auth_conf'))!.content).toBe(
      `requirepass ${secrets.REDIS_PASSWORD}\n`,
    );
    const manifest = JSON.parse(files.find((f) => f.path === HOST.manifest)!.content) as {
      files: Record<string, string>;
    };
    expect(Object.keys(manifest.files).filter((p) => p.startsWith('swarm/'))).toEqual([]);
    expect(Object.keys(manifest.files)).toContain('docker-stack.yml');
  });

  it('names configs by their content, so a changed file rolls the services that read it', () => {
    const names = Object.values(stack!.configs as Dict).map((c) => c.name as string);
    expect(names.every((n) => /^shop_[a-z_]+_[0-9a-f]{8}$/.test(n))).toBe(true);
    const other = render({ ...BASE, nginx: { clientMaxBodySize: '50m' } }).stack!.configs as Dict;
    expect(other.nginx_nginx_conf.name).not.toBe(stack!.configs.nginx_nginx_conf.name);
    expect(other.nginx_conf_d_default_conf.name).toBe(stack!.configs.nginx_conf_d_default_conf.name);
    expect(other.mysql_cnf.name).toBe(stack!.configs.mysql_cnf.name);
    expect(svc.nginx.configs.map((c: Dict) => c.target)).toEqual([
      '/etc/nginx/nginx.conf',
      '/etc/nginx/conf.d/default.conf',
    ]);
  });

  it("has Nginx re-resolve the app replicas at Docker's DNS", () => {
    const site = files.find((f) => f.path === HOST.nginxSite)!.content;
    // The same DNS-following upstream as one server's updates (#21): a rescheduled replica is found within `valid`.
    expect(site).toMatch(/^resolver 127\.0\.0\.11 valid=2s ipv6=off;$/m);
    expect(site).toMatch(/upstream app_upstream \{[^}]*zone app_upstream 64k;[^}]*server app:8000 resolve;/s);
  });
});

describe('swarm policy', () => {
  it('parses role lists and names a wrong one', () => {
    expect(parseRoles('edge,app')).toEqual({ roles: ['edge', 'app'] });
    expect(parseRoles('data, data')).toEqual({ roles: ['data'] });
    expect(parseRoles('edge,web')).toEqual({ bad: 'web' });
  });
  it('knows the ports nodes talk on and deploys from the install dir', () => {
    expect(SWARM_PORTS.map((p) => `${p.port}/${p.proto}`)).toEqual(['2377/tcp', '7946/tcp', '7946/udp', '4789/udp']);
    expect(stackDeployArgv('/opt/stack-wizard/shop', 'shop')).toEqual([
      'stack',
      'deploy',
      '--prune',
      '--with-registry-auth',
      '-c',
      '/opt/stack-wizard/shop/docker-stack.yml',
      'shop',
    ]);
  });
});

describe('per-node sizing (#20.2)', () => {
  const withNodes = (nodes: NodeSize[], a: AnswersInput = BASE) => buildPlan(AnswersSchema.parse(a), { ...VM['8g'], swarmNodes: nodes });
  const mem = (p: ReturnType<typeof withNodes>, n: string) => p.services.find((s) => s.name === n)!;

  it('nodes big enough for everything their roles bring: the single-server limits stand, each with the node it was sized for', () => {
    const single = buildPlan(AnswersSchema.parse(BASE), VM['8g']);
    const big = ['n1', 'n2', 'n3'].map((h) => ({ hostname: h, roles: ['edge', 'app', 'data'] as NodeSize['roles'], memoryMiB: 15_000, cpus: 4 }));
    const p = withNodes(big);
    expect(p.services.map((s) => [s.name, s.memoryMiB])).toEqual(single.services.map((s) => [s.name, s.memoryMiB]));
    expect(p.swarm!.sizedFor.map((f) => f.service).sort()).toEqual(['app', 'mysql', 'nginx', 'rabbitmq', 'redis', 'worker']);
  });

  it('a small app node scales the app and worker down (together, in proportion); the data node sizes MySQL and Redis, the edge Nginx', () => {
    const p = withNodes([
      { hostname: 'mgr', roles: ['edge', 'data'], memoryMiB: 7680, cpus: 4 },
      { hostname: 'small', roles: ['app'], memoryMiB: 1990, cpus: 1 },
      { hostname: 'large', roles: ['app'], memoryMiB: 15_000, cpus: 8 },
    ]);
    const app = p.swarm!.sizedFor.find((f) => f.service === 'app')!;
    // Two app replicas over two app nodes: one each, beside one worker; sized for the smaller node.
    expect(app).toMatchObject({ node: 'small', nodeMiB: 1990, neighbours: ['app', 'worker'], cpus: 1 });
    const budget = 1990 - 256 - Math.round(1990 * 0.06);
    expect(mem(p, 'app').memoryMiB + mem(p, 'worker').memoryMiB).toBeLessThanOrEqual(budget);
    expect(mem(p, 'app').memoryMiB % 16).toBe(0);
    expect(mem(p, 'app').cpus).toBe(1);
    expect(p.swarm!.sizedFor.find((f) => f.service === 'mysql')).toMatchObject({ node: 'mgr', neighbours: ['mysql', 'redis', 'nginx', 'rabbitmq'] });
    // The stack file carries the per-node limits.
    const answers = AnswersSchema.parse(BASE);
    const files = renderAll({ plan: p, answers, secrets: ensureSecrets(p, {}, seededRandom(5)) });
    const stack = parse(files.find((f) => f.path === 'docker-stack.yml')!.content) as Dict;
    expect(stack.services.app.deploy.resources.limits).toEqual({ cpus: '1', memory: `${mem(p, 'app').memoryMiB}M` });
  });

  it('three app replicas on two app nodes: a node may hold two', () => {
    const p = withNodes(
      [
        { hostname: 'a', roles: ['edge', 'data', 'app'], memoryMiB: 7680, cpus: 4 },
        { hostname: 'b', roles: ['app'], memoryMiB: 7680, cpus: 4 },
      ],
      { ...BASE, swarm: { appReplicas: 3 } },
    );
    expect(p.swarm!.sizedFor.find((f) => f.service === 'app')!.neighbours).toContain('2×app');
  });

  it('a node too small for its roles is refused, naming the service, the node and the way out', () => {
    let err: unknown;
    try {
      withNodes([{ hostname: 'tiny', roles: ['edge', 'app', 'data'], memoryMiB: 1200, cpus: 1 }]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WizardError);
    const text = translator('en')((err as WizardError).key, (err as WizardError).params);
    expect(text).toMatch(/on node tiny .*cluster label/);
  });

  it('without node facts (a render elsewhere) the plan is the single-server one', () => {
    expect(buildPlan(AnswersSchema.parse(BASE), VM['8g']).swarm!.sizedFor).toEqual([]);
  });
});

describe('the stack as the manager sees it (deploy wait, status #20.3)', () => {
  const ls = [
    '{"ID":"a1","Image":"registry.example.com/team/api:1.4.2@sha256:' + 'ab'.repeat(32) + '","Mode":"replicated","Name":"shop_app","Ports":"","Replicas":"1/2"}',
    '{"ID":"n1","Image":"nginx:1.28","Mode":"global","Name":"shop_nginx","Ports":"","Replicas":"2/2"}',
    '{"ID":"m1","Image":"mariadb:10.11","Mode":"replicated","Name":"shop_mysql","Ports":"","Replicas":"1/1"}',
  ].join('\n');
  const inspect = (state: string | null, startedAt = '2026-12-07T17:00:00Z') =>
    JSON.stringify([
      { ID: 'a1', Spec: { Name: 'shop_app' }, ...(state ? { UpdateStatus: { State: state, StartedAt: startedAt, Message: `update ${state}` } } : {}) },
      { ID: 'n1', Spec: { Name: 'shop_nginx' } },
      { ID: 'm1', Spec: { Name: 'shop_mysql' } },
    ]);

  it('reads replicas, mode, image (digest dropped) and the last update per service', () => {
    const s = parseStackServices('shop', ls, inspect('updating'));
    expect(s.map((x) => [x.name, x.mode, x.running, x.desired, x.image, x.update])).toEqual([
      ['app', 'replicated', 1, 2, 'registry.example.com/team/api:1.4.2', 'updating'],
      ['mysql', 'replicated', 1, 1, 'mariadb:10.11', null],
      ['nginx', 'global', 2, 2, 'nginx:1.28', null],
    ]);
  });

  it('converged only with every planned service at its replicas and no update moving; a rollback since the deploy is a failure, an older one is not', () => {
    const planned = ['app', 'mysql', 'nginx'];
    const full = ls.replace('"1/2"', '"2/2"');
    expect(convergence(parseStackServices('shop', ls, inspect(null)), planned, 0)).toMatchObject({ done: false, pending: ['app: 1/2'] });
    expect(convergence(parseStackServices('shop', full, inspect('updating')), planned, 0)).toMatchObject({ done: false, pending: ['app: updating'] });
    expect(convergence(parseStackServices('shop', full, inspect('completed')), planned, 0).done).toBe(true);
    expect(convergence(parseStackServices('shop', full, inspect(null)), [...planned, 'redis'], 0).pending).toEqual(['redis: missing']);
    const since = Date.parse('2026-12-07T16:59:00Z');
    const rolled = convergence(parseStackServices('shop', full, inspect('rollback_completed')), planned, since);
    expect(rolled.done).toBe(false);
    expect(rolled.failed.map((x) => x.name)).toEqual(['app']);
    const before = convergence(parseStackServices('shop', full, inspect('rollback_completed')), planned, Date.parse('2026-12-07T17:01:00Z'));
    expect(before).toMatchObject({ done: true, failed: [] });
  });

  it('status: tasks grouped per node, a lost node named, not healthy until the replicas are back', () => {
    const ps = [
      '{"CurrentState":"Running 3 minutes ago","DesiredState":"Running","Error":"","Name":"shop_app.1","Node":"sw2"}',
      '{"CurrentState":"Starting 4 seconds ago","DesiredState":"Running","Error":"","Name":"shop_app.2","Node":"sw2"}',
      '{"CurrentState":"Running 3 minutes ago","DesiredState":"Running","Error":"","Name":"shop_nginx.k2j3","Node":"sw1"}',
      '{"CurrentState":"Running 3 minutes ago","DesiredState":"Running","Error":"","Name":"shop_nginx.p9q8","Node":"sw2"}',
      '{"CurrentState":"Running 3 minutes ago","DesiredState":"Running","Error":"","Name":"shop_mysql.1","Node":"sw1"}',
    ].join('\n');
    const tasks = parseStackPs('shop', ps);
    expect(tasks[1]).toEqual({ service: 'app', node: 'sw2', state: 'starting', error: '' });
    const node = (hostname: string, state: string): ClusterNode => ({
      id: hostname, hostname, role: 'worker', leader: false, availability: 'active', state, address: '', roles: [], labels: {}, cpus: 2, memoryMiB: 4000, engine: '', healthy: state === 'ready',
    });
    const st = swarmStatus('shop', parseStackServices('shop', ls, inspect(null)), tasks, [node('sw1', 'ready'), node('sw2', 'ready'), node('sw3', 'down')], ['app', 'mysql', 'nginx']);
    expect(st.healthy).toBe(false);
    expect(st.nodesDown).toEqual([{ hostname: 'sw3', state: 'down', availability: 'active' }]);
    expect(st.services.find((s) => s.name === 'app')!.tasks).toEqual({ sw2: ['running', 'starting'] });
    expect(st.services.find((s) => s.name === 'nginx')!.tasks).toEqual({ sw1: ['running'], sw2: ['running'] });
    const text = formatSwarmStatus({ t: translator('en') } as Context, st);
    expect(text).toContain('✗ app: 1/2 running (replicated)');
    expect(text).toContain('  sw2: running, starting');
    expect(text).toContain('! node sw3 is down/active');
    const zh = formatSwarmStatus({ t: translator('zh-CN') } as Context, st);
    expect(zh).toContain('节点 sw3 状态为 down/active');
  });
});
