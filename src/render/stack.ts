// docker-stack.yml for deploy: swarm (#20), written natively from the plan (a converted
// `docker compose config` carries keys `docker stack deploy` rejects). No IPVS is assumed: every
// service is `endpoint_mode: dnsrr` (no virtual IP) and Nginx publishes in `mode: host` on the
// edge nodes (no routing mesh), so it also sees the real client address.
import { createHash } from 'node:crypto';
import { cacheEngineOf } from '../domain/cache/index.js';
import { dbEngine } from '../domain/engines/index.js';
import type { Plan, ServicePlan } from '../domain/plan.js';
import { secretNames, urlSecretNames, type Secrets } from '../domain/secrets.js';
import { STACK_FILE, dockerSecretName, roleConstraint, type NodeRole } from '../domain/swarm.js';
// The compose file's probes and environment, so both deployments judge and configure the app alike.
import { MINIO_APP_POLICY, MINIO_INIT, appEnvironment, appHealthTest as composeAppHealth, escapeDollar, minioAppUser, minioBucket, minioRootUser, nginxHealthcheck, workerHealthTest } from './compose.js';
import { hardeningOf } from './hardening.js';
import { renderMinio } from './minio.js';
import { toYaml } from './format/yaml.js';
import { redisArg } from './format/redis-conf.js';
import { renderMysqlCnf } from './mysql.js';
import { renderNginx } from './nginx.js';
import { CONTAINER, HOST } from './paths.js';
import { renderRedisConf } from './redis.js';
import { SECRET_MODE, file, type RenderedFile } from './types.js';

type Dict = Record<string, unknown>;

/** Secret files `docker stack deploy` reads (mode 0600, beside .env, never in the manifest). */
export const STACK_SECRETS_DIR = 'swarm/secrets';
const SECRETS_MOUNT = '/run/secrets';
/** The secret Redis includes as a config file: its requirepass line. */
const REDIS_AUTH_CONF = 'redis_auth_conf';

const hash8 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 8);

interface StackConfig {
  key: string;
  path: string;
  content: string;
  target: string;
}

/** The files services read, as Docker configs named by their content: a changed file is a new config, which rolls the service. */
function stackConfigs(plan: Plan): StackConfig[] {
  const out: StackConfig[] = [];
  for (const f of renderNginx(plan)) {
    const target =
      f.path === HOST.nginxConf
        ? CONTAINER.nginxConf
        : `${CONTAINER.nginxConfD}/${f.path.slice(HOST.nginxConfD.length + 1)}`;
    out.push({
      key: `nginx_${f.path.replace(/^nginx\//, '').replace(/[^a-z0-9]+/gi, '_')}`,
      path: f.path,
      content: f.content,
      target,
    });
  }
  const cnf = renderMysqlCnf(plan);
  out.push({ key: 'mysql_cnf', path: cnf.path, content: cnf.content, target: CONTAINER.mysqlCnf });
  for (const f of plan.redis ? renderRedisConf(plan) : []) {
    if (f.path === HOST.redisConf)
      out.push({ key: 'redis_conf', path: f.path, content: f.content, target: CONTAINER.redisConf });
  }
  for (const f of renderMinio(plan)) {
    const [key, target] = f.path === HOST.minioInit ? ['minio_init', CONTAINER.minioInit] : ['minio_policy', CONTAINER.minioPolicy];
    out.push({ key: key!, path: f.path, content: f.content, target: target! });
  }
  return out;
}

const configName = (plan: Plan, c: StackConfig) => `${plan.project}_${c.key}_${hash8(c.content)}`;
const configsOf = (all: StackConfig[], prefix: string) =>
  all.filter((c) => c.key.startsWith(prefix)).map((c) => ({ source: c.key, target: c.target, mode: 0o444 }));

/**
 * The .env secrets a service receives as files under /run/secrets/. Docker's default mode (0444
 * inside that task's container only): the images read them after dropping to their own user.
 */
const secretRefs = (names: string[]) => names.map(dockerSecretName);

/**
 * Where an image takes `X_FILE` for `X` (the official MySQL and MariaDB images do), a variable
 * holding `${SECRET}` becomes `X_FILE: /run/secrets/secret`, so the password is in no service spec.
 */
function fileVariables(env: Record<string, string>, secrets: string[]): { env: Dict; used: string[] } {
  const out: Dict = {};
  const used: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    const m = /^\$\{([A-Z_]+)\}$/.exec(v);
    if (m && secrets.includes(m[1]!)) {
      out[`${k}_FILE`] = `${SECRETS_MOUNT}/${dockerSecretName(m[1]!)}`;
      if (!used.includes(m[1]!)) used.push(m[1]!);
    } else out[k] = v;
  }
  return { env: out, used };
}

/** A shell healthcheck that read a password from the environment reads it from its secret file instead (raw text in, escaped out). */
function withSecretEnv(test: readonly string[], names: string[]): string[] {
  if (test[0] !== 'CMD-SHELL' || names.length === 0) return test.map(escapeDollar);
  const exports = names.map((n) => `export ${n}="$(cat ${SECRETS_MOUNT}/${dockerSecretName(n)})"`).join('; ');
  return ['CMD-SHELL', escapeDollar(`${exports}; ${test[1]!}`)];
}

function placement(role: NodeRole): Dict {
  return { constraints: [roleConstraint(role)] };
}

/**
 * Rolling updates: one task at a time, watched for `monitor` after it is healthy; any failure
 * rolls the service back. start-first where no host port or data volume is held (two replicas
 * overlap, so no request finds none); stop-first where a second copy could not start.
 */
function updates(order: 'start-first' | 'stop-first'): Dict {
  const u = { parallelism: 1, delay: '5s', order, monitor: '20s', max_failure_ratio: 0 };
  return { update_config: { ...u, failure_action: 'rollback' }, rollback_config: { ...u, failure_action: 'pause' } };
}

/**
 * The compose file's hardening as swarm takes it (#15.8): cap_drop/cap_add (Docker 20.10+) and
 * read_only, tmpfs as `type: tmpfs` mounts (the `tmpfs` key is ignored by swarm). Swarm has no
 * no-new-privileges or process limit in this file format: those two are compose-only.
 */
function hardened(plan: Plan, name: string): { keys: Dict; tmpfs: Dict[] } {
  const h = hardeningOf(plan, name);
  const keys: Dict = { cap_drop: ['ALL'] };
  const caps = Object.keys(h.caps).sort();
  if (caps.length) keys.cap_add = caps;
  if ('tmpfs' in h.rootfs) keys.read_only = true;
  const tmpfs = 'tmpfs' in h.rootfs ? h.rootfs.tmpfs.map((target) => ({ type: 'tmpfs', target })) : [];
  return { keys, tmpfs };
}

function base(plan: Plan, s: ServicePlan | string, extra: Dict): Dict {
  const name = typeof s === 'string' ? s : s.name;
  const { keys, tmpfs } = hardened(plan, name);
  const volumes = [...((extra.volumes as unknown[] | undefined) ?? []), ...tmpfs];
  return {
    ...(typeof s === 'string' ? {} : { image: s.image }),
    logging: {
      driver: 'json-file',
      options: { 'max-size': `${plan.logs.maxSizeMiB}m`, 'max-file': String(plan.logs.maxFiles) },
    },
    ...keys,
    ...extra,
    ...(volumes.length ? { volumes } : {}),
  };
}

function deploy(s: ServicePlan, role: NodeRole, more: Dict): Dict {
  return {
    endpoint_mode: 'dnsrr',
    placement: placement(role),
    resources: { limits: { cpus: String(s.cpus), memory: `${s.memoryMiB}M` } },
    restart_policy: { condition: 'any', delay: '5s' },
    ...more,
  };
}

/** The app's health probe, faster than on one server: a rolling update waits for it, and a broken image must be caught in under a minute. */
const appHealth = (test: string[]) => ({ test, interval: '5s', timeout: '4s', retries: 3, start_period: '30s' });

function appService(plan: Plan, s: ServicePlan, forWorker: boolean, all: string[]): Dict {
  // The app's own MinIO user's secret, never the root one (#15.8).
  const secrets = urlSecretNames(plan).concat(all.includes('MINIO_APP_PASSWORD') ? ['MINIO_APP_PASSWORD'] : []);
  const env = appEnvironment(plan, forWorker) as Record<string, string>;
  // Apps that read *_FILE get the files too; DATABASE_URL and friends stay, the contract every app reads.
  for (const n of secrets) env[`${n}_FILE`] = `${SECRETS_MOUNT}/${dockerSecretName(n)}`;
  const replicas = forWorker ? plan.swarm!.workerReplicas : plan.swarm!.appReplicas;
  const svc: Dict = base(plan, s, {});
  if (forWorker) svc.command = (plan.app.workerCommand ?? []).map(escapeDollar);
  else if (plan.app.command) svc.command = plan.app.command.map(escapeDollar);
  Object.assign(svc, {
    environment: env,
    secrets: secretRefs(secrets),
    healthcheck: forWorker
      ? { test: workerHealthTest(plan), interval: '30s', timeout: '5s', retries: 3, start_period: '60s' }
      : appHealth(composeAppHealth(plan)),
    networks: forWorker ? ['backend', 'frontend'] : ['frontend', 'backend'],
    stop_grace_period: forWorker ? '60s' : '35s',
    deploy: deploy(s, 'app', { mode: 'replicated', replicas, ...updates('start-first') }),
  });
  return svc;
}

function mysqlService(plan: Plan, s: ServicePlan, all: string[]): Dict {
  const engine = dbEngine(plan.database.engine);
  const { env, used } = fileVariables(engine.composeEnvironment(plan.database), all);
  return base(plan, s, {
    environment: env,
    secrets: secretRefs(used),
    configs: configsOf(stackConfigs(plan), 'mysql_'),
    volumes: [`mysql-data:${CONTAINER.mysqlData}`],
    healthcheck: {
      test: withSecretEnv(engine.healthcheck, used),
      interval: '10s',
      timeout: '5s',
      retries: 10,
      start_period: '120s',
    },
    networks: ['backend'],
    stop_grace_period: '120s',
    deploy: deploy(s, 'data', { mode: 'replicated', replicas: 1, ...updates('stop-first') }),
  });
}

function redisService(plan: Plan, s: ServicePlan): Dict {
  const cache = cacheEngineOf(plan);
  return base(plan, s, {
    // Redis reads no password file, but includes config files: the secret REDIS_AUTH_CONF is `requirepass …`.
    // The image's entrypoint still sees its server first and drops to its own user.
    command: [cache.server, CONTAINER.redisConf, '--include', `${SECRETS_MOUNT}/${REDIS_AUTH_CONF}`],
    secrets: [...secretRefs(['REDIS_PASSWORD']), REDIS_AUTH_CONF],
    configs: configsOf(stackConfigs(plan), 'redis_'),
    volumes: [`redis-data:${CONTAINER.redisData}`],
    healthcheck: {
      test: withSecretEnv(
        ['CMD-SHELL', `${cache.cliAuthEnv}="$REDIS_PASSWORD" ${cache.healthcheck[1]}`],
        ['REDIS_PASSWORD'],
      ),
      interval: '10s',
      timeout: '5s',
      retries: 5,
      start_period: '20s',
    },
    networks: ['backend'],
    stop_grace_period: '30s',
    deploy: deploy(s, 'data', { mode: 'replicated', replicas: 1, ...updates('stop-first') }),
  });
}

function nginxService(plan: Plan, s: ServicePlan): Dict {
  const ports: Dict[] = [{ target: 80, published: plan.ports.http, protocol: 'tcp', mode: 'host' }];
  if (plan.nginx.tls !== 'none')
    ports.push({ target: 443, published: plan.ports.https, protocol: 'tcp', mode: 'host' });
  const secrets: Dict[] = [];
  if (plan.nginx.tls === 'custom') {
    secrets.push(
      { source: 'tls_cert', target: `${CONTAINER.nginxCerts}/custom/fullchain.pem`, mode: 0o444 },
      { source: 'tls_key', target: `${CONTAINER.nginxCerts}/custom/privkey.pem`, mode: 0o400 },
    );
  }
  return base(plan, s, {
    ports,
    configs: configsOf(stackConfigs(plan), 'nginx_'),
    ...(secrets.length ? { secrets } : {}),
    // On each edge node's own disk, where that node's fail2ban reads them.
    volumes: [`nginx-logs:${CONTAINER.nginxLogs}`],
    healthcheck: nginxHealthcheck(),
    networks: ['frontend'],
    // One per edge node: the host port is held, so an update stops the old task first.
    deploy: deploy(s, 'edge', { mode: 'global', ...updates('stop-first') }),
  });
}

function simpleData(plan: Plan, s: ServicePlan, volume: string, target: string, extra: Dict): Dict {
  return base(plan, s, {
    ...extra,
    volumes: [`${volume}:${target}`],
    networks: ['backend'],
    deploy: deploy(s, 'data', { mode: 'replicated', replicas: 1, ...updates('stop-first') }),
  });
}

/**
 * The one-shot that gives the app its MinIO user (minio/init.sh): restarted only on failure, so it
 * runs until it has succeeded once per deploy of a changed spec. Passwords as secret files.
 */
function minioInitService(plan: Plan, minio: ServicePlan): Dict {
  const secrets = ['MINIO_ROOT_PASSWORD', 'MINIO_APP_PASSWORD'];
  return base(plan, MINIO_INIT, {
    image: minio.image,
    entrypoint: ['/bin/sh', CONTAINER.minioInit],
    environment: {
      MINIO_ROOT_USER: minioRootUser(plan.project),
      MINIO_ROOT_PASSWORD_FILE: `${SECRETS_MOUNT}/${dockerSecretName('MINIO_ROOT_PASSWORD')}`,
      MINIO_APP_USER: minioAppUser(plan.project),
      MINIO_APP_PASSWORD_FILE: `${SECRETS_MOUNT}/${dockerSecretName('MINIO_APP_PASSWORD')}`,
      MINIO_APP_POLICY,
      MINIO_BUCKET: minioBucket(plan.project),
      MC_CONFIG_DIR: '/tmp/mc',
    },
    secrets: secretRefs(secrets),
    configs: configsOf(stackConfigs(plan), 'minio_'),
    networks: ['backend'],
    deploy: {
      endpoint_mode: 'dnsrr',
      placement: placement('data'),
      resources: { limits: { cpus: '0.5', memory: '128M' } },
      restart_policy: { condition: 'on-failure', delay: '10s', max_attempts: 30 },
      ...updates('stop-first'),
    },
  });
}

/** The stack file as data. */
export function stackData(plan: Plan): Dict {
  if (!plan.swarm) throw new Error('stackData needs deploy: swarm');
  const all = secretNames(plan);
  const services: Dict = {};
  for (const s of plan.services) {
    if (s.name === 'app') services.app = appService(plan, s, false, all);
    else if (s.name === 'worker') services.worker = appService(plan, s, true, all);
    else if (s.name === 'mysql') services.mysql = mysqlService(plan, s, all);
    else if (s.name === 'redis') services.redis = redisService(plan, s);
    else if (s.name === 'nginx') services.nginx = nginxService(plan, s);
    else if (s.name === 'rabbitmq') {
      services.rabbitmq = simpleData(plan, s, 'rabbitmq-data', CONTAINER.rabbitmqData, {
        hostname: 'rabbitmq',
        environment: { RABBITMQ_DEFAULT_USER: plan.project, RABBITMQ_DEFAULT_PASS: '${RABBITMQ_PASSWORD}' },
        healthcheck: {
          test: ['CMD', 'rabbitmq-diagnostics', '-q', 'ping'],
          interval: '15s',
          timeout: '10s',
          retries: 5,
          start_period: '60s',
        },
      });
    } else if (s.name === 'minio') {
      services.minio = simpleData(plan, s, 'minio-data', CONTAINER.minioData, {
        command: ['server', CONTAINER.minioData, '--console-address', ':9001'],
        environment: { MINIO_ROOT_USER: minioRootUser(plan.project), MINIO_ROOT_PASSWORD: '${MINIO_ROOT_PASSWORD}' },
        healthcheck: {
          test: ['CMD', 'mc', 'ready', 'local'],
          interval: '15s',
          timeout: '10s',
          retries: 5,
          start_period: '30s',
        },
      });
      services[MINIO_INIT] = minioInitService(plan, s);
    } else throw new Error(`${s.name} is not available with deploy: swarm`);
  }
  const volumes: Dict = { 'nginx-logs': {}, 'mysql-data': {} };
  if (plan.redis) volumes['redis-data'] = {};
  if (plan.components.rabbitmq) volumes['rabbitmq-data'] = {};
  if (plan.components.minio) volumes['minio-data'] = {};
  const overlay = (internal: boolean): Dict => ({
    driver: 'overlay',
    ...(internal ? { internal: true } : {}),
    // IPsec between nodes: the kernel needs esp (the plan's warning says so when it is off).
    ...(plan.swarm!.encrypted ? { driver_opts: { encrypted: 'true' } } : {}),
  });
  const configs: Dict = {};
  for (const c of stackConfigs(plan)) configs[c.key] = { name: configName(plan, c), file: `./${c.path}` };
  const secrets: Dict = {};
  for (const n of all) secrets[dockerSecretName(n)] = { file: `./${STACK_SECRETS_DIR}/${dockerSecretName(n)}` };
  if (plan.redis) secrets[REDIS_AUTH_CONF] = { file: `./${STACK_SECRETS_DIR}/${REDIS_AUTH_CONF}` };
  if (plan.nginx.tls === 'custom' && plan.nginx.certificate) {
    secrets.tls_cert = { file: plan.nginx.certificate.cert };
    secrets.tls_key = { file: plan.nginx.certificate.key };
  }
  return {
    // 3.8: rollback_config, placement max_replicas_per_node and config names are all in it; Docker 20.10 reads it.
    version: '3.8',
    services,
    networks: { frontend: overlay(false), backend: overlay(true) },
    volumes,
    configs,
    secrets,
  };
}

export function renderStack(plan: Plan): RenderedFile[] {
  if (!plan.swarm) return [];
  // 0600 like the compose file: app.env reaches it (#15.8).
  return [
    file(
      STACK_FILE,
      toYaml(
        stackData(plan),
        `Generated by stack-wizard (template ${plan.templateVersion}) for "${plan.project}" on Docker Swarm.\n` +
          `Deploy from the install dir on a manager, with .env in the environment: docker stack deploy -c ${STACK_FILE} ${plan.project}\n` +
          'Edit the answers and re-render instead of editing this file.',
      ),
      SECRET_MODE,
    ),
  ];
}

/** The secret files the stack file names: the .env passwords, one per file, 0600. */
export function renderStackSecrets(plan: Plan, secrets: Secrets): RenderedFile[] {
  if (!plan.swarm) return [];
  const out = secretNames(plan).map((n) => {
    const v = secrets[n];
    if (!v) throw new Error(`secret ${n} missing`);
    return file(`${STACK_SECRETS_DIR}/${dockerSecretName(n)}`, v, SECRET_MODE);
  });
  // Generated passwords are [A-Za-z0-9] (domain/secrets.ts); a kept one is quoted as redis.conf reads strings.
  if (plan.redis)
    out.push(
      file(
        `${STACK_SECRETS_DIR}/${REDIS_AUTH_CONF}`,
        `requirepass ${redisArg(secrets.REDIS_PASSWORD!)}\n`,
        SECRET_MODE,
      ),
    );
  return out;
}
