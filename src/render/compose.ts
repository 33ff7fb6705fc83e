// docker-compose.yml as data. Service names are fixed (docs/CONTRACT.md#answers); databases are never published.
import { cacheEngineOf } from '../domain/cache/index.js';
import { dbEngine } from '../domain/engines/index.js';
import type { Plan, ServicePlan } from '../domain/plan.js';
import { toYaml, type YamlComment } from './format/yaml.js';
import { CONTAINER, CUSTOM_CERT, HOST, NGINX_HEALTH_PATH } from './paths.js';
import { SECRET_MODE, file, type RenderedFile } from './types.js';
import { composeHostPath, shLine } from './format/quote.js';
import { byCodePoint } from '../domain/order.js';
import { ONE_SHOT_SERVICES } from '../domain/services.js';
import { hardeningComment, hardeningKeys, hardeningOf } from './hardening.js';

type Dict = Record<string, unknown>;

/** Compose interpolates `$` in every value; text from the operator must not be read as a variable. */
export const escapeDollar = (s: string) => s.replace(/\$/g, '$$$$');

const healthy = { condition: 'service_healthy' };

function limits(plan: Plan, s: ServicePlan): Dict {
  // deploy.resources.limits is enforced by Compose v2 without swarm (cgroup memory.max, cpu.max and
  // pids.max); the process limit lives here, not in pids_limit, which Compose refuses beside it.
  return { resources: { limits: { cpus: String(s.cpus), memory: `${s.memoryMiB}M`, pids: hardeningOf(plan, s.name).pids } } };
}

const logging = (plan: Plan) => ({ driver: 'json-file', options: { 'max-size': `${plan.logs.maxSizeMiB}m`, 'max-file': String(plan.logs.maxFiles) } });

function base(plan: Plan, s: ServicePlan): Dict {
  return {
    image: s.image,
    restart: 'unless-stopped',
    deploy: limits(plan, s),
    logging: logging(plan),
    ...hardeningKeys(hardeningOf(plan, s.name)),
  };
}

/**
 * An HTTP GET of the app's health path. A Python or Node app has its interpreter: the check runs it
 * directly (exec form, no shell). For other runtimes the image's tools are unknown, so a shell tries
 * curl, wget, Python and Node in turn.
 */
export function appHealthTest(plan: Plan): string[] {
  const url = `http://127.0.0.1:${plan.app.port}${plan.app.health}`;
  // The second layer behind healthPath's allow-list: the URL also sits inside Python and JS string
  // literals below, where no shell quoting helps, so anything beyond these characters stops the render.
  if (!/^[A-Za-z0-9._~/:-]+$/.test(url)) throw new Error(`app health URL ${JSON.stringify(url)}: only [A-Za-z0-9._~/:-]`);
  const curl = shLine(['curl', '-fsS', '-o', '/dev/null', '--max-time', '4', url]);
  const wget = shLine(['wget', '-q', '-O', '/dev/null', '-T', '4', url]);
  const pyCode = `import urllib.request; urllib.request.urlopen('${url}', timeout=4)`;
  const nodeCode = `fetch('${url}',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`;
  const py = `python3 -c "${pyCode}"`;
  const node = `node -e "${nodeCode}"`;
  switch (plan.app.runtime) {
    case 'python-asgi':
    case 'python-wsgi':
      return ['CMD', 'python3', '-c', pyCode];
    case 'node':
      return ['CMD', 'node', '-e', nodeCode];
    case 'java':
      return ['CMD-SHELL', escapeDollar([curl, wget].join(' || '))];
    case 'generic':
      return ['CMD-SHELL', escapeDollar([curl, wget, py, node].join(' || '))];
  }
}

export function appEnvironment(plan: Plan, forWorker = false): Dict {
  // URLs take the percent-encoded copies from .env: a kept password may hold @, : or /.
  const db = plan.database;
  const engine = dbEngine(db.engine);
  const env: Dict = {
    DATABASE_URL: `${engine.urlScheme}://${db.user}:\${MYSQL_PASSWORD_URLENCODED}@mysql:${engine.port}/${db.name}`,
    DB_HOST: 'mysql',
    DB_PORT: String(engine.port),
    DB_NAME: db.name,
    DB_USER: db.user,
    DB_PASSWORD: '${MYSQL_PASSWORD}',
  };
  if (plan.redis) {
    Object.assign(env, {
      REDIS_URL: 'redis://:${REDIS_PASSWORD_URLENCODED}@redis:6379/0',
      REDIS_HOST: 'redis',
      REDIS_PORT: '6379',
      REDIS_PASSWORD: '${REDIS_PASSWORD}',
    });
  }
  if (plan.components.rabbitmq) {
    env.RABBITMQ_URL = `amqp://${plan.project}:\${RABBITMQ_PASSWORD_URLENCODED}@rabbitmq:5672/`;
  }
  if (plan.components.minio) {
    // Its own MinIO user, limited to its bucket (minio-init creates both): never the root credentials (#15.8).
    Object.assign(env, {
      S3_ENDPOINT: 'http://minio:9000',
      S3_ACCESS_KEY: minioAppUser(plan.project),
      S3_SECRET_KEY: '${MINIO_APP_PASSWORD}',
      S3_BUCKET: minioBucket(plan.project),
    });
  }
  // Worker counts and memory caps the runtimes read themselves (gunicorn and uvicorn read WEB_CONCURRENCY);
  // the background worker's own, from its smaller container.
  const sz = forWorker && plan.worker
    ? { workers: plan.worker.processes, node: plan.worker.nodeMaxOldSpaceMiB, jvm: plan.worker.jvmHeapMiB }
    : { workers: plan.app.workers, node: plan.app.nodeMaxOldSpaceMiB, jvm: plan.app.jvmHeapMiB };
  env.WEB_CONCURRENCY = String(sz.workers);
  if (sz.node) env.NODE_OPTIONS = `--max-old-space-size=${sz.node}`;
  if (sz.jvm) env.JAVA_TOOL_OPTIONS = `-Xms${sz.jvm}m -Xmx${sz.jvm}m`;
  for (const [k, v] of Object.entries(plan.app.env).sort(([a], [b]) => byCodePoint(a, b))) env[k] = escapeDollar(v);
  return env;
}

function appDependsOn(plan: Plan): Dict {
  const d: Dict = { mysql: healthy };
  if (plan.redis) d.redis = healthy;
  if (plan.components.rabbitmq) d.rabbitmq = healthy;
  if (plan.components.minio) d[MINIO_INIT] = { condition: 'service_completed_successfully' };
  return d;
}

function app(plan: Plan, s: ServicePlan): Dict {
  const svc: Dict = { ...base(plan, s) };
  if (plan.app.command) svc.command = plan.app.command.map(escapeDollar);
  svc.environment = appEnvironment(plan);
  svc.depends_on = appDependsOn(plan);
  svc.healthcheck = { test: appHealthTest(plan), interval: '10s', timeout: '5s', retries: 5, start_period: '60s' };
  if (plan.app.dataDir) svc.volumes = [`app-data:${plan.app.dataDir}`];
  svc.networks = ['frontend', 'backend'];
  // Gunicorn/uvicorn finish in-flight requests on SIGTERM within their graceful timeout (30 s).
  svc.stop_grace_period = '35s';
  return svc;
}

/** TCP ports of the queues a worker may consume, as /proc/net/tcp writes them (hex). */
const QUEUE_PORT_HEX = { rabbitmq: '1628' /* 5672 */, redis: '18EB' /* 6379 */ } as const;
const portHex = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');

/**
 * The worker's health: the operator's own check (app.workerHealth), else "it holds an established
 * TCP connection to its queue" (RabbitMQ or Redis, else MySQL for a database-backed queue), read
 * from /proc/net/tcp with sh and grep, which Debian-, Ubuntu- and Alpine-based images all have.
 * Celery, RQ, BullMQ and Sidekiq-style workers keep that connection open while they wait for jobs.
 */
/** Nginx's own health: its health path served locally (the same on one server and on swarm). */
export const nginxHealthcheck = () => ({
  test: ['CMD-SHELL', `curl -fsS -o /dev/null --max-time 3 http://127.0.0.1${NGINX_HEALTH_PATH} || exit 1`],
  interval: '10s',
  timeout: '5s',
  retries: 3,
  start_period: '10s',
});

export function workerHealthTest(plan: Plan): string[] {
  if (plan.app.workerHealth) return ['CMD', ...plan.app.workerHealth.map(escapeDollar)];
  const ports = [
    ...(plan.components.rabbitmq ? [QUEUE_PORT_HEX.rabbitmq] : []),
    ...(plan.redis ? [QUEUE_PORT_HEX.redis] : []),
  ];
  const alt = (ports.length ? ports : [portHex(dbEngine(plan.database.engine).port)]).join('|');
  // Columns: "sl: local_addr:port rem_addr:port st"; state 01 is ESTABLISHED. tcp6 may be absent (-s).
  return ['CMD-SHELL', `grep -qsE '^ *[0-9]+: [0-9A-F]+:[0-9A-F]{4} [0-9A-F]+:(${alt}) 01 ' /proc/net/tcp /proc/net/tcp6`];
}

function worker(plan: Plan, s: ServicePlan): Dict {
  const svc: Dict = { ...base(plan, s) };
  svc.command = (plan.app.workerCommand ?? []).map(escapeDollar);
  svc.environment = appEnvironment(plan, true);
  svc.depends_on = appDependsOn(plan);
  svc.healthcheck = { test: workerHealthTest(plan), interval: '30s', timeout: '5s', retries: 3, start_period: '60s' };
  if (plan.app.dataDir) svc.volumes = [`app-data:${plan.app.dataDir}`];
  svc.networks = ['backend', 'frontend'];
  // Long jobs get time to finish or re-queue before SIGKILL.
  svc.stop_grace_period = '60s';
  return svc;
}

function mysql(plan: Plan, s: ServicePlan): Dict {
  const db = plan.database;
  const engine = dbEngine(db.engine);
  return {
    ...base(plan, s),
    environment: engine.composeEnvironment(db),
    volumes: ['mysql-data:' + CONTAINER.mysqlData, `./${HOST.mysqlCnf}:${CONTAINER.mysqlCnf}:ro`],
    healthcheck: { test: engine.healthcheck.map(escapeDollar), interval: '10s', timeout: '5s', retries: 10, start_period: '120s' },
    networks: ['backend'],
    ulimits: { nofile: { soft: plan.nofile, hard: plan.nofile } },
    // InnoDB flushes dirty pages on shutdown; a kill would mean crash recovery on next start.
    stop_grace_period: '120s',
  };
}

function redis(plan: Plan, s: ServicePlan): Dict {
  const cache = cacheEngineOf(plan);
  return {
    ...base(plan, s),
    // The password comes from .env by interpolation; redis.conf itself holds no secret.
    command: [cache.server, CONTAINER.redisConf, '--requirepass', '${REDIS_PASSWORD}'],
    environment: { [cache.cliAuthEnv]: '${REDIS_PASSWORD}' },
    volumes: ['redis-data:' + CONTAINER.redisData, `./${HOST.redisConf}:${CONTAINER.redisConf}:ro`],
    healthcheck: { test: [...cache.healthcheck], interval: '10s', timeout: '5s', retries: 5, start_period: '20s' },
    networks: ['backend'],
    stop_grace_period: '30s',
  };
}

function nginx(plan: Plan, s: ServicePlan): Dict {
  const n = plan.nginx;
  const ports = [`${plan.ports.http}:80`];
  if (n.tls !== 'none') ports.push(`${plan.ports.https}:443`);
  const volumes = [
    `./${HOST.nginxConf}:${CONTAINER.nginxConf}:ro`,
    `./${HOST.nginxConfD}:${CONTAINER.nginxConfD}:ro`,
    `./${HOST.nginxLogs}:${CONTAINER.nginxLogs}`,
  ];
  if (n.tls === 'letsencrypt') {
    volumes.push(`./${HOST.acmeWebroot}:${CONTAINER.acmeWebroot}:ro`, `./${HOST.letsencrypt}:${CONTAINER.letsencrypt}:ro`);
  }
  if (n.tls === 'self-signed') volumes.push(`./${HOST.nginxCerts}:${CONTAINER.nginxCerts}:ro`);
  if (n.tls === 'custom' && n.certificate) {
    volumes.push(
      `${composeHostPath(n.certificate.cert)}:${CONTAINER.nginxCerts}/${CUSTOM_CERT.cert}:ro`,
      `${composeHostPath(n.certificate.key)}:${CONTAINER.nginxCerts}/${CUSTOM_CERT.key}:ro`,
    );
  }
  if (n.frontendDir) volumes.push(`${composeHostPath(n.frontendDir)}:${CONTAINER.frontend}:ro`);
  return {
    ...base(plan, s),
    ports,
    volumes,
    depends_on: { app: healthy },
    healthcheck: nginxHealthcheck(),
    networks: ['frontend'],
    ulimits: { nofile: { soft: n.workerRlimitNofile, hard: n.workerRlimitNofile } },
  };
}

function rabbitmq(plan: Plan, s: ServicePlan): Dict {
  return {
    ...base(plan, s),
    hostname: 'rabbitmq',
    environment: { RABBITMQ_DEFAULT_USER: plan.project, RABBITMQ_DEFAULT_PASS: '${RABBITMQ_PASSWORD}' },
    volumes: ['rabbitmq-data:' + CONTAINER.rabbitmqData],
    healthcheck: { test: ['CMD', 'rabbitmq-diagnostics', '-q', 'ping'], interval: '15s', timeout: '10s', retries: 5, start_period: '60s' },
    networks: ['backend'],
  };
}

/** MinIO refuses to start with a root user under 3 characters (its documented minimum); a 1-2 letter project gets a suffix. */
export const minioRootUser = (project: string) => (project.length >= 3 ? project : `${project}-admin`);

/** The app's MinIO user and bucket (S3 bucket names: 3-63 characters; a project is 1-32 of [a-z0-9-]). */
export const minioAppUser = (project: string) => `${project}-app`;
export const minioBucket = (project: string) => (project.length >= 3 ? project : `${project}-data`);
export const MINIO_APP_POLICY = 'stack-wizard-app';
export const MINIO_INIT = ONE_SHOT_SERVICES[0]!;

function minio(plan: Plan, s: ServicePlan): Dict {
  return {
    ...base(plan, s),
    command: ['server', CONTAINER.minioData, '--console-address', ':9001'],
    environment: { MINIO_ROOT_USER: minioRootUser(plan.project), MINIO_ROOT_PASSWORD: '${MINIO_ROOT_PASSWORD}' },
    volumes: ['minio-data:' + CONTAINER.minioData],
    // The minio image has no curl; `mc ready local` is its documented readiness probe.
    healthcheck: { test: ['CMD', 'mc', 'ready', 'local'], interval: '15s', timeout: '10s', retries: 5, start_period: '30s' },
    networks: ['backend'],
  };
}

/**
 * The one-shot that gives the app its MinIO user (minio/init.sh, idempotent): runs with the root
 * credentials after MinIO is healthy and before the app starts, on every `up`. Not a planned service:
 * it holds no memory once it has exited.
 */
function minioInit(plan: Plan): Dict {
  const minioSvc = plan.services.find((x) => x.name === 'minio')!;
  return {
    image: minioSvc.image,
    restart: 'no',
    // mc is a Go program that makes a few admin calls.
    deploy: { resources: { limits: { cpus: '0.5', memory: '128M', pids: hardeningOf(plan, MINIO_INIT).pids } } },
    logging: logging(plan),
    ...hardeningKeys(hardeningOf(plan, MINIO_INIT)),
    entrypoint: ['/bin/sh', CONTAINER.minioInit],
    environment: {
      MINIO_ROOT_USER: minioRootUser(plan.project),
      MINIO_ROOT_PASSWORD: '${MINIO_ROOT_PASSWORD}',
      MINIO_APP_USER: minioAppUser(plan.project),
      MINIO_APP_PASSWORD: '${MINIO_APP_PASSWORD}',
      MINIO_APP_POLICY,
      MINIO_BUCKET: minioBucket(plan.project),
      // mc keeps its aliases here: the root file system is read-only.
      MC_CONFIG_DIR: '/tmp/mc',
    },
    volumes: [`./${HOST.minioInit}:${CONTAINER.minioInit}:ro`, `./${HOST.minioPolicy}:${CONTAINER.minioPolicy}:ro`],
    depends_on: { minio: healthy },
    networks: ['backend'],
  };
}

function nodeExporter(plan: Plan, s: ServicePlan): Dict {
  return {
    ...base(plan, s),
    command: ['--path.rootfs=/host', '--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|var/lib/docker/.+)($|/)'],
    pid: 'host',
    volumes: ['/:/host:ro,rslave'],
    // prom/node-exporter is built on Prometheus's busybox image, whose wget this uses.
    healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:9100/metrics'], interval: '30s', timeout: '5s', retries: 3, start_period: '10s' },
    networks: ['backend'],
  };
}

function prometheus(plan: Plan, s: ServicePlan): Dict {
  // Retention by size as well as time, so a small disk is never filled by metrics.
  const retentionSize = `${Math.max(1, Math.floor(s.memoryMiB / 128))}GB`;
  return {
    ...base(plan, s),
    command: [
      `--config.file=${CONTAINER.prometheusConf}`,
      `--storage.tsdb.path=${CONTAINER.prometheusData}`,
      '--storage.tsdb.retention.time=15d',
      `--storage.tsdb.retention.size=${retentionSize}`,
    ],
    volumes: [`./${HOST.prometheusConf}:${CONTAINER.prometheusConf}:ro`, 'prometheus-data:' + CONTAINER.prometheusData],
    healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:9090/-/ready'], interval: '30s', timeout: '5s', retries: 3 },
    depends_on: { 'node-exporter': healthy },
    networks: ['backend'],
  };
}

function grafana(plan: Plan, s: ServicePlan): Dict {
  return {
    ...base(plan, s),
    environment: {
      GF_SECURITY_ADMIN_USER: 'admin',
      GF_SECURITY_ADMIN_PASSWORD: '${GRAFANA_ADMIN_PASSWORD}',
      GF_USERS_ALLOW_SIGN_UP: 'false',
      GF_ANALYTICS_REPORTING_ENABLED: 'false',
    },
    volumes: ['grafana-data:' + CONTAINER.grafanaData, `./monitoring/grafana/provisioning:${CONTAINER.grafanaProvisioning}:ro`],
    // Loopback only: reach it through an SSH tunnel (ssh -L 3000:127.0.0.1:3000), never from the Internet.
    ports: ['127.0.0.1:3000:3000'],
    healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:3000/api/health'], interval: '30s', timeout: '5s', retries: 3 },
    depends_on: { prometheus: healthy },
    networks: ['backend', 'frontend'],
  };
}

const BUILDERS: Record<string, (plan: Plan, s: ServicePlan) => Dict> = {
  app, worker, mysql, redis, nginx, rabbitmq, minio, 'node-exporter': nodeExporter, prometheus, grafana,
};

export function composeData(plan: Plan): Dict {
  const services: Dict = {};
  for (const s of plan.services) {
    services[s.name] = BUILDERS[s.name]!(plan, s);
    if (s.name === 'minio') services[MINIO_INIT] = minioInit(plan);
  }
  const volumes: Dict = {};
  const vol = (name: string) => (volumes[name] = {});
  if (plan.app.dataDir) vol('app-data');
  vol('mysql-data');
  if (plan.redis) vol('redis-data');
  if (plan.components.rabbitmq) vol('rabbitmq-data');
  if (plan.components.minio) vol('minio-data');
  if (plan.components.monitoring) {
    vol('prometheus-data');
    vol('grafana-data');
  }
  return {
    name: plan.project,
    services,
    networks: {
      // Nginx and the app; the app also reaches the Internet through it.
      frontend: {},
      // Databases and queues: no route out, nothing published.
      backend: { internal: true },
    },
    volumes,
  };
}

/** Above each service's cap_drop: why each capability it gets back is there (#15.8). */
export function composeComments(plan: Plan, data: Dict): YamlComment[] {
  return Object.keys(data.services as Dict).map((name) => ({ path: ['services', name], key: 'cap_drop', text: hardeningComment(hardeningOf(plan, name)) }));
}

/** 0600: it carries app.env, where people put tokens whatever the docs say (#15.8). */
export function renderCompose(plan: Plan): RenderedFile {
  const data = composeData(plan);
  return file(
    HOST.compose,
    toYaml(data, `Generated by stack-wizard (template ${plan.templateVersion}) for "${plan.project}".\nEdit the answers and re-render instead of editing this file; hand edits are reported by doctor.`, composeComments(plan, data)),
    SECRET_MODE,
  );
}
