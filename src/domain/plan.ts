// answers + host facts → plan: every decision the generators need, and nothing they must compute.
import { z } from 'zod';
import { redisMode, type Answers } from './answers.js';
import { CACHE_ENGINE_IDS, cacheEngine, cacheTargetVersion } from './cache/index.js';
import { DB_ENGINE_IDS, dbEngine, dbServerVersion } from './engines/index.js';
import { maxContainerNofile, usableCores, usableRamMiB, type HostFacts } from './facts.js';
import { PRESETS } from './presets.js';
import {
  MIN_HOST_MIB, MIN_MIB, allocateMemory, cpuLimit, reserveMiB, enabledServices, largestFittingPreset, presetFor, sizeApp, sizeMysql, sizeNginx,
  sizeRedis, type SizedService,
} from './sizing.js';
import { DB_DEFAULT_VERSION, TEMPLATE_VERSION, formatVersion, nginxTargetVersion, resolveImage, versionAtLeast } from './versions.js';
import { hubImages, type HubImage } from './registry.js';
import { MIRROR_KINDS } from './mirror-kinds/index.js';
import { hostError } from '../errors.js';
import { byCodePoint } from './order.js';
import { sizeForNodes } from './swarm.js';

const ServicePlanSchema = z.strictObject({
  name: z.string(),
  image: z.string(),
  memoryMiB: z.number().int().positive(),
  cpus: z.number().positive(),
});

export const PlanSchema = z.strictObject({
  schemaVersion: z.literal(1),
  templateVersion: z.number().int(),
  project: z.string(),
  installDir: z.string(),
  region: z.enum(['cn', 'global']),
  sizing: z.strictObject({
    requestedPreset: z.enum(['auto', '4g', '8g', '16g']),
    tier: z.enum(['4g', '8g', '16g']),
    hostRamMiB: z.number().int(),
    planRamMiB: z.number().int(),
    reserveMiB: z.number().int(),
    budgetMiB: z.number().int(),
    cores: z.number().int(),
  }),
  services: z.array(ServicePlanSchema),
  app: z.strictObject({
    image: z.string(),
    port: z.number().int(),
    health: z.string(),
    runtime: z.enum(['python-asgi', 'python-wsgi', 'node', 'java', 'generic']),
    command: z.array(z.string()).nullable(),
    workerCommand: z.array(z.string()).nullable(),
    /** The worker's own health check argv; null: the default (a connection to its queue). */
    workerHealth: z.array(z.string()).nullable(),
    /** The migration argv `update` runs in a one-off container of the new image; null: none. */
    migrate: z.array(z.string()).nullable(),
    env: z.record(z.string(), z.string()),
    dataDir: z.string().nullable(),
    capAdd: z.array(z.string()),
    readOnly: z.boolean(),
    workers: z.number().int().positive(),
    /** Memory per worker process (MiB); workers × workerMiB stays within 85 % of the app's limit. */
    workerMiB: z.number().int().positive(),
    nodeMaxOldSpaceMiB: z.number().int().nullable(),
    jvmHeapMiB: z.number().int().nullable(),
  }),
  database: z.strictObject({
    engine: z.enum(DB_ENGINE_IDS),
    version: z.string(),
    /** x.y.z the my.cnf is written for (MySQL's redo settings change at 8.0.30). */
    serverVersion: z.string(),
    image: z.string(),
    name: z.string(),
    user: z.string(),
    bufferPoolMiB: z.number().int(),
    bufferPoolInstances: z.number().int(),
    bufferPoolChunkMiB: z.number().int().nullable(),
    maxConnections: z.number().int(),
    redoLogMiB: z.number().int(),
    logBufferMiB: z.number().int(),
    sortBufferKiB: z.number().int(),
    joinBufferKiB: z.number().int(),
    readBufferKiB: z.number().int(),
    readRndBufferKiB: z.number().int(),
    tmpTableMiB: z.number().int(),
    keyBufferMiB: z.number().int(),
    ariaPagecacheMiB: z.number().int().nullable(),
    performanceSchema: z.boolean(),
    perConnectionFixedKiB: z.number().int(),
    globalOverheadMiB: z.number().int(),
    worstCaseMiB: z.number().int(),
    slowQueryMs: z.number().int(),
    binlogExpireSeconds: z.number().int(),
  }),
  redis: z
    .strictObject({
      /** The server behind the service `redis` (cache.engine). */
      engine: z.enum(CACHE_ENGINE_IDS),
      image: z.string(),
      version: z.string(),
      mode: z.enum(['cache', 'queue']),
      maxmemoryMiB: z.number().int(),
      policy: z.enum(['allkeys-lru', 'noeviction']),
    })
    .nullable(),
  nginx: z.strictObject({
    image: z.string(),
    version: z.string(),
    /** `http2 on;` from 1.25.1; `listen … ssl http2` before. */
    http2: z.enum(['directive', 'listen']),
    /**
     * How Nginx follows the app's containers through Docker's DNS: `resolve` on the upstream server
     * (open-source Nginx from 1.27.3, with a zone), else a variable proxy_pass looked up by the resolver.
     */
    appDns: z.enum(['upstream', 'variable']),
    workerProcesses: z.number().int(),
    workerConnections: z.number().int(),
    workerRlimitNofile: z.number().int(),
    domain: z.string().nullable(),
    tls: z.enum(['letsencrypt', 'self-signed', 'custom', 'none']),
    email: z.string().nullable(),
    certificate: z.strictObject({ cert: z.string(), key: z.string() }).nullable(),
    clientMaxBodySize: z.string(),
    ssePaths: z.array(z.string()),
    websocketPaths: z.array(z.string()),
    loginPaths: z.array(z.string()),
    apiPrefix: z.string(),
    frontendDir: z.string().nullable(),
    realIp: z.strictObject({ from: z.array(z.string()), header: z.string() }).nullable(),
  }),
  /** The background worker's processes, sized to its own container (it runs the app's image with the app's environment). */
  worker: z
    .strictObject({
      processes: z.number().int().positive(),
      processMiB: z.number().int().positive(),
      nodeMaxOldSpaceMiB: z.number().int().nullable(),
      jvmHeapMiB: z.number().int().nullable(),
    })
    .nullable(),
  components: z.strictObject({ redis: z.boolean(), worker: z.boolean(), rabbitmq: z.boolean(), minio: z.boolean(), monitoring: z.boolean() }),
  ports: z.strictObject({ http: z.number().int(), https: z.number().int() }),
  security: z.strictObject({
    firewall: z.boolean(),
    fail2ban: z.boolean(),
    /** Every port sshd listens on (and the one asked for): never blocked. */
    sshPorts: z.array(z.number().int()),
    extraPorts: z.array(z.number().int()),
    ignoreIp: z.array(z.string()),
  }),
  backup: z.strictObject({ keep: z.number().int(), schedule: z.string() }),
  mirrors: z.record(z.string(), z.string()),
  logs: z.strictObject({ maxSizeMiB: z.number().int(), maxFiles: z.number().int() }),
  /** The nofile ulimit MySQL asks for: 65535, or the host's hard limit where it cannot be raised. */
  nofile: z.number().int(),
  /** deploy: swarm (#20): a stack file for several nodes instead of the single server's compose file. */
  swarm: z
    .strictObject({
      appReplicas: z.number().int(),
      workerReplicas: z.number().int(),
      encrypted: z.boolean(),
      nodes: z.array(z.string()),
      /** Per service: the node it was sized for (smallest it may run on) and what shares that node. */
      sizedFor: z.array(
        z.strictObject({ service: z.string(), node: z.string(), nodeMiB: z.number().int(), memoryMiB: z.number().int(), cpus: z.number(), neighbours: z.array(z.string()) }),
      ),
    })
    .nullable(),
  /** Conditions worth showing the operator; keys into the i18n catalogue with their parameters. */
  warnings: z.array(z.strictObject({ key: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])) })),
});
export type Plan = z.output<typeof PlanSchema>;
export type ServicePlan = Plan['services'][number];

export const defaultInstallDir = (project: string) => `/opt/stack-wizard/${project}`;

function checkHostFits(a: Answers, hostMiB: number, planRamMiB: number): void {
  if (a.preset === 'auto') {
    if (hostMiB < MIN_HOST_MIB) throw hostError('err.hostTooSmallAuto', { have: hostMiB, need: MIN_HOST_MIB });
    return;
  }
  if (hostMiB < planRamMiB) {
    const fits = largestFittingPreset(hostMiB);
    throw hostError('err.hostTooSmall', { preset: a.preset, have: hostMiB, need: planRamMiB, fits: fits ?? 'auto' });
  }
}

/** The image each service of these answers runs (the operator's override, else our pin; through a chosen prefix mirror). */
function imageResolver(a: Answers): (s: SizedService) => string {
  const dbSeries = a.database.version ?? DB_DEFAULT_VERSION[a.database.engine];
  const cache = cacheEngine(a.cache.engine);
  return (s) =>
    s === 'app' || s === 'worker' ? a.app.image : resolveImage(s, { override: a.images[s], dbEngine: a.database.engine, dbSeries, cache, prefixMirror: a.mirrors['image-prefix'] });
}

/** Every image the stack of these answers runs, by service, as buildPlan names them (no host facts needed). */
export const serviceImages = (a: Answers): { name: SizedService; image: string }[] => {
  const image = imageResolver(a);
  return enabledServices(a.components).map((name) => ({ name, image: image(name) }));
};

/**
 * The Docker Hub images the stack of these answers pulls: the pinned stack images and the app's
 * when it is on Docker Hub, each once, with the digest the plan pins (registry mirrors are judged
 * on these). References already rewritten to the image-prefix mirror count as the Hub's.
 */
export const planHubImages = (a: Answers): HubImage[] =>
  hubImages(serviceImages(a).map((s) => s.image), a.mirrors['image-prefix'] ? [a.mirrors['image-prefix']] : []);

export function buildPlan(a: Answers, f: HostFacts): Plan {
  const hostMiB = usableRamMiB(f);
  const cores = usableCores(f);
  const { preset, planRamMiB } = presetFor(a, hostMiB);
  checkHostFits(a, hostMiB, planRamMiB);

  const components = { ...a.components, worker: a.components.worker };
  const alloc = allocateMemory(preset, planRamMiB, components);
  if (alloc.short.length > 0) {
    const detail = alloc.short.map((s) => `${s}: ${alloc.limits[s] ?? 0} MiB`).join(', ');
    throw hostError('err.componentsDontFit', { preset: a.preset, have: planRamMiB, detail });
  }

  const dbVersion = a.database.version ?? DB_DEFAULT_VERSION[a.database.engine];
  const engine = dbEngine(a.database.engine);
  const cache = cacheEngine(a.cache.engine);
  const image = imageResolver(a);
  const planned = enabledServices(components).map((s: SizedService) => ({
    name: s,
    image: image(s),
    memoryMiB: alloc.limits[s]!,
    cpus: cpuLimit(s, cores),
  }));
  // deploy: swarm on a manager that sees its nodes: each service sized for the smallest node it may run on.
  const replicas = { app: a.swarm?.appReplicas ?? 2, worker: a.swarm?.workerReplicas ?? 1 };
  const nodeFit = a.deploy === 'swarm' && f.swarmNodes?.length ? sizeForNodes(planned, f.swarmNodes, replicas, reserveMiB) : null;
  const services = nodeFit ? planned.map((s, i) => ({ ...s, ...nodeFit.services[i]!, image: s.image })) : planned;
  for (const fit of nodeFit?.fits ?? []) {
    const min = MIN_MIB[fit.service as SizedService];
    if (fit.memoryMiB < min)
      throw hostError('err.swarmNodeTooSmall', { service: fit.service, node: fit.node, have: fit.memoryMiB, need: min, with: fit.neighbours.join(', ') });
  }
  const svc = (n: SizedService) => services.find((s) => s.name === n);

  const dbServer = dbServerVersion(a.database.engine, image('mysql'), dbVersion);
  // Some servers make the whole redo log their log buffer (MariaDB 11; see sizeMysql).
  const mysql = sizeMysql(preset, svc('mysql')!.memoryMiB, engine.sizing, { logBufferIsRedo: engine.sizing.logBufferIsRedo(dbServer) });
  // On a swarm the app's processes follow its own CPU limit (sized for its node), not the manager's cores.
  const appSz = sizeApp(preset, svc('app')!.memoryMiB, nodeFit ? Math.max(1, Math.ceil(svc('app')!.cpus)) : cores, a.app.runtime);
  // The worker container is smaller than the app's: its processes and heaps come from its own limit and CPUs.
  const workerSvc = svc('worker');
  const workerSz = workerSvc ? sizeApp(preset, workerSvc.memoryMiB, Math.max(1, Math.ceil(workerSvc.cpus)), a.app.runtime) : null;
  const nginxSvc = svc('nginx')!;
  const nofile = maxContainerNofile(f);
  const ngSized = sizeNginx(preset, nginxSvc.cpus);
  // Nginx's rlimit cannot exceed what the host grants a container; its connections then share it.
  const ng = ngSized.workerRlimitNofile <= nofile
    ? ngSized
    : { ...ngSized, workerRlimitNofile: nofile, workerConnections: Math.floor(nofile / 2) };
  const ngV = nginxTargetVersion(nginxSvc.image);
  const tls = a.tls ?? (a.domain ? 'letsencrypt' : 'none');

  const warnings: Plan['warnings'] = [];
  if (nofile < 65535) warnings.push({ key: 'warn.nofileCapped', params: { limit: nofile } });
  if (a.app.runtime !== 'java' && appSz.workerMiB < preset.app.workerMiB[a.app.runtime]) {
    // One worker does not get the memory such a process usually takes: it may be killed under load.
    warnings.push({ key: 'warn.appWorkerSmall', params: { runtime: a.app.runtime, have: appSz.workerMiB, typical: preset.app.workerMiB[a.app.runtime] } });
  }
  // No tag means :latest: each pull may bring another version, and a rollback has nothing fixed to return to.
  if (!imageHasTag(a.app.image)) warnings.push({ key: 'warn.imageNoTag', params: { image: a.app.image } });
  // The same for an image the operator put in place of a pinned one (#22.15).
  for (const [service, ref] of Object.entries(a.images)) {
    if (typeof ref === 'string' && !imageHasTag(ref)) warnings.push({ key: 'warn.overrideNoTag', params: { service, image: ref } });
  }
  if (!ngV.fromTag) warnings.push({ key: 'warn.nginxVersionAssumed', params: { image: nginxSvc.image, version: formatVersion(ngV.version) } });

  let sshPorts = [...f.sshd.ports];
  if (typeof a.security.sshPort === 'number' && !sshPorts.includes(a.security.sshPort)) sshPorts.push(a.security.sshPort);
  if (sshPorts.length === 0) {
    // Nothing seen listening (a render on another machine): keep the conventional port open rather than lock anyone out.
    sshPorts = [22];
    warnings.push({ key: 'warn.sshPortAssumed', params: { port: 22 } });
  }
  sshPorts.sort((x, y) => x - y);

  const swarm =
    a.deploy === 'swarm'
      ? {
          appReplicas: 2,
          workerReplicas: 1,
          encrypted: false,
          ...a.swarm,
          nodes: [...new Set(a.swarm?.nodes ?? [])].sort(byCodePoint),
          sizedFor: nodeFit?.fits ?? [],
        }
      : null;
  // The preview says it: without encryption the overlay's traffic (database passwords included) crosses the wire in clear.
  if (swarm && !swarm.encrypted) warnings.push({ key: 'warn.swarmUnencrypted', params: {} });
  // ufw denies what it was not told: with no node list the nodes cannot reach each other's Swarm ports.
  if (swarm && a.security.firewall && swarm.nodes.length === 0) warnings.push({ key: 'warn.swarmNoNodes', params: {} });

  const redisSvc = svc('redis');
  const plan: Plan = {
    schemaVersion: 1,
    templateVersion: TEMPLATE_VERSION,
    project: a.project,
    installDir: a.installDir ?? defaultInstallDir(a.project),
    region: a.region,
    sizing: {
      requestedPreset: a.preset,
      tier: preset.id,
      hostRamMiB: hostMiB,
      planRamMiB,
      reserveMiB: alloc.reserveMiB,
      budgetMiB: alloc.budgetMiB,
      cores,
    },
    services,
    app: {
      image: a.app.image,
      port: a.app.port,
      health: a.app.health,
      runtime: a.app.runtime,
      command: a.app.command ?? null,
      workerCommand: a.components.worker ? (a.app.workerCommand ?? null) : null,
      workerHealth: a.components.worker ? (a.app.workerHealth ?? null) : null,
      migrate: a.app.migrate ?? null,
      env: a.app.env,
      dataDir: a.app.dataDir ?? null,
      capAdd: [...new Set(a.app.capAdd)].sort(),
      readOnly: a.app.readOnly,
      ...appSz,
    },
    database: {
      engine: a.database.engine,
      version: dbVersion,
      serverVersion: formatVersion(dbServer),
      image: image('mysql'),
      name: a.database.name ?? a.project.replace(/-/g, '_'),
      user: a.database.user,
      ...mysql,
    },
    redis: redisSvc
      ? {
          engine: a.cache.engine,
          image: redisSvc.image,
          version: formatVersion(cacheTargetVersion(cache, redisSvc.image)),
          mode: redisMode(a),
          ...sizeRedis(preset, redisSvc.memoryMiB, redisMode(a)),
        }
      : null,
    nginx: {
      image: nginxSvc.image,
      version: formatVersion(ngV.version),
      http2: versionAtLeast(ngV.version, 1, 25, 1) ? 'directive' : 'listen',
      appDns: versionAtLeast(ngV.version, 1, 27, 3) ? 'upstream' : 'variable',
      ...ng,
      domain: a.domain ?? null,
      tls,
      email: a.email ?? null,
      certificate: a.certificate ?? null,
      clientMaxBodySize: a.nginx.clientMaxBodySize,
      ssePaths: a.nginx.ssePaths,
      websocketPaths: a.nginx.websocketPaths,
      loginPaths: a.nginx.loginPaths,
      apiPrefix: a.nginx.apiPrefix,
      frontendDir: a.nginx.frontendDir ?? null,
      realIp: a.nginx.realIp ?? null,
    },
    worker: workerSz
      ? { processes: workerSz.workers, processMiB: workerSz.workerMiB, nodeMaxOldSpaceMiB: workerSz.nodeMaxOldSpaceMiB, jvmHeapMiB: workerSz.jvmHeapMiB }
      : null,
    components,
    ports: a.ports,
    security: {
      firewall: a.security.firewall,
      fail2ban: a.security.fail2ban,
      sshPorts,
      extraPorts: a.security.extraPorts,
      ignoreIp: a.security.ignoreIp,
    },
    backup: a.backup,
    // By kind; the operator's accelerator is a registry candidate, read from the answers where registry mirrors are chosen.
    mirrors: Object.fromEntries(Object.entries(a.mirrors).filter((e): e is [string, string] => typeof e[1] === 'string' && (MIRROR_KINDS as readonly string[]).includes(e[0]))),
    logs: { ...preset.logs },
    nofile,
    swarm,
    warnings,
  };
  return plan;
}

/** A tag after the last path segment's colon, or a digest (`@sha256:…`); `host:5000/app` has neither. */
export function imageHasTag(ref: string): boolean {
  if (ref.includes('@')) return true;
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  return last.includes(':');
}

/** The preset a host can run, for messages and the UI. */
export function presetFitsHost(id: keyof typeof PRESETS, hostMiB: number): boolean {
  return hostMiB >= PRESETS[id].minHostMiB;
}
