// Pinned image tags the generators are written and tested against, and what follows from them.
// The database's and the cache's pins live in their engine modules (engines/, cache/).
import { CACHE_ENGINES, type CacheEngine } from './cache/index.js';
import { DB_ENGINES, DB_ENGINE_IDS, dbEngine, type DbEngineId } from './engines/index.js';
import { pinnedImage } from './releases.js';
import type { ServiceName } from './services.js';
import { formatVersion, imageTag, parseVersion, versionAtLeast, type Version } from './version-tag.js';

export { formatVersion, imageTag, parseVersion, versionAtLeast, type Version };

/** Bump when any generator's output changes, so `update` can offer the new files with a diff. */
// 2: every pin moved (#17: MySQL 8.4.11 / 9.7.2, MariaDB, Redis 8.10, nginx 1.30) and carries its digest.
export const TEMPLATE_VERSION = 2;

/** The default database series per engine: the current LTS line (engines/*.ts). */
export const DB_DEFAULT_VERSION = Object.fromEntries(DB_ENGINE_IDS.map((id) => [id, DB_ENGINES[id].defaultSeries])) as Readonly<Record<DbEngineId, string>>;

/** Images of the services that are not a database or cache engine (those pin theirs per engine), from releases.ts. */
export const IMAGES: Readonly<Record<Exclude<ServiceName, 'app' | 'worker' | 'mysql' | 'redis'>, string>> = {
  nginx: pinnedImage('nginx', '1.30'),
  rabbitmq: pinnedImage('rabbitmq', '4.1'),
  minio: pinnedImage('minio', ''),
  'node-exporter': pinnedImage('node-exporter', '1.9'),
  prometheus: pinnedImage('prometheus', '3.5'),
  grafana: pinnedImage('grafana', '12.1'),
};

/**
 * The oldest server versions the generated files are written for and proven on by the real
 * programs in the tests; an image override below its floor is refused (answers.ts).
 */
export const VERSION_FLOORS = {
  // Debian 12's nginx, on which every variant passes `nginx -t`; it has everything we write
  // (ssl_reject_handshake 1.19.4, keepalive_* in upstream 1.15.3, $realip_remote_addr 1.9.7).
  nginx: { major: 1, minor: 22, patch: 0 },
  // The cache engine's (cache/redis.ts, cache/valkey.ts): Redis's here, the chosen engine's in floorOf.
  redis: CACHE_ENGINES.redis.floor,
} as const satisfies Record<string, Version>;

/** On swarm Nginx re-resolves the app's replicas with `server … resolve` in its upstream (open source since 1.27.3). */
export const SWARM_NGINX_FLOOR: Version = { major: 1, minor: 27, patch: 3 };

/** The floor an image override of the service is held to: the chosen cache engine's for `redis`. */
export function floorOf(service: keyof typeof VERSION_FLOORS, cache: CacheEngine): Version {
  return service === 'redis' ? cache.floor : VERSION_FLOORS[service];
}

/** The version an image tag names when it is below the floor, else null (an unparsable tag is judged elsewhere). */
export function belowFloor(floor: Version, image: string): Version | null {
  const tag = imageTag(image);
  const v = tag ? parseVersion(tag) : null;
  return v && !versionAtLeast(v, floor.major, floor.minor, floor.patch) ? v : null;
}

/**
 * Docker Hub short names expanded to their full path (`mysql:8` → `library/mysql:8`), which is
 * what an image-prefix mirror expects after its host. References to other registries are kept.
 */
export function hubPath(ref: string): string | null {
  const first = ref.split('/')[0]!;
  const hasRegistry = ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return first === 'docker.io' ? ref.slice('docker.io/'.length) : null;
  return ref.includes('/') ? ref : `library/${ref}`;
}

/** Public registries a full-reference prefix mirror (one whose URL ends in /docker.io) also serves. */
export const PREFIXABLE_REGISTRIES = ['ghcr.io', 'quay.io', 'gcr.io', 'registry.k8s.io', 'mcr.microsoft.com', 'docker.elastic.co', 'nvcr.io'] as const;

/**
 * Rewrites an image to an image-prefix mirror: Docker Hub images become `<prefix>/library/mysql:8.4.6`.
 * A prefix ending in `/docker.io` takes full references (DaoCloud's m.daocloud.io style), so images
 * of the other public registries become `<prefix base>/ghcr.io/org/app:1`; anything else is kept.
 */
export function withPrefixMirror(ref: string, prefixUrl: string | undefined): string {
  if (!prefixUrl) return ref;
  const host = prefixUrl.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  const p = hubPath(ref);
  if (p !== null) return `${host}/${p}`;
  const registry = ref.split('/')[0]!;
  if (host.endsWith('/docker.io') && (PREFIXABLE_REGISTRIES as readonly string[]).includes(registry)) return `${host.slice(0, -'/docker.io'.length)}/${ref}`;
  return ref;
}

/** The image each service runs: the operator's override, else our pin (through a prefix mirror if one was chosen). */
export function resolveImage(
  service: Exclude<ServiceName, 'app' | 'worker'>,
  o: { override: string | undefined; dbEngine: DbEngineId; dbSeries: string; cache: CacheEngine; prefixMirror: string | undefined },
): string {
  if (o.override) return o.override;
  const pinned = service === 'mysql' ? dbEngine(o.dbEngine).images[o.dbSeries]! : service === 'redis' ? o.cache.image : IMAGES[service];
  return withPrefixMirror(pinned, o.prefixMirror);
}

/** The Nginx version the config targets: from the image tag, else our pin's. */
export function nginxTargetVersion(image: string): { version: Version; fromTag: boolean } {
  const tag = imageTag(image);
  const v = tag ? parseVersion(tag) : null;
  if (v) return { version: v, fromTag: true };
  return { version: parseVersion(imageTag(IMAGES.nginx)!)!, fromTag: false };
}
