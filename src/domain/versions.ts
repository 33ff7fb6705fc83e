// Pinned image tags the generators are written and tested against, and what follows from them.
import type { Answers, ServiceName } from './answers.js';

/** Bump when any generator's output changes, so `update` can offer the new files with a diff. */
export const TEMPLATE_VERSION = 1;

export const DB_IMAGES = {
  mysql: { '8.0': 'mysql:8.0.43', '8.4': 'mysql:8.4.6' },
  mariadb: { '10.11': 'mariadb:10.11.14', '11.4': 'mariadb:11.4.8', '11.8': 'mariadb:11.8.3' },
} as const;
/** Default database version per engine: the current LTS line. */
export const DB_DEFAULT_VERSION = { mysql: '8.4', mariadb: '11.4' } as const;

export const IMAGES: Readonly<Record<Exclude<ServiceName, 'app' | 'worker' | 'mysql'>, string>> = {
  redis: 'redis:7.4.5',
  nginx: 'nginx:1.28.0',
  rabbitmq: 'rabbitmq:4.1.4-management',
  minio: 'minio/minio:RELEASE.2025-04-22T22-12-26Z',
  'node-exporter': 'prom/node-exporter:v1.9.1',
  prometheus: 'prom/prometheus:v3.5.0',
  grafana: 'grafana/grafana:12.1.1',
};

export interface Version { major: number; minor: number; patch: number }

/**
 * The oldest server versions the generated files are written for and proven on by the real
 * programs in the tests; an image override below its floor is refused (answers.ts).
 */
export const VERSION_FLOORS = {
  // Debian 12's nginx, on which every variant passes `nginx -t`; it has everything we write
  // (ssl_reject_handshake 1.19.4, keepalive_* in upstream 1.15.3, $realip_remote_addr 1.9.7).
  nginx: { major: 1, minor: 22, patch: 0 },
  // enable-protected-configs / enable-debug-command / enable-module-command exist from 7.0
  // (Debian 12's 7.0 runs every generated redis.conf); an older server would keep DEBUG and MODULE.
  redis: { major: 7, minor: 0, patch: 0 },
} as const satisfies Record<string, Version>;

/** The version an image tag names when it is below the service's floor, else null (an unparsable tag is judged elsewhere). */
export function belowFloor(service: keyof typeof VERSION_FLOORS, image: string): Version | null {
  const tag = imageTag(image);
  const v = tag ? parseVersion(tag) : null;
  const f = VERSION_FLOORS[service];
  return v && !versionAtLeast(v, f.major, f.minor, f.patch) ? v : null;
}

export function parseVersion(s: string): Version | null {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(s);
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) } : null;
}

export function versionAtLeast(v: Version, major: number, minor: number, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

export function formatVersion(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** The tag of an image reference, or null ("repo@sha256:…" and bare names have none). */
export function imageTag(ref: string): string | null {
  const noDigest = ref.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(colon + 1) : null;
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
export function resolveImage(a: Answers, service: Exclude<ServiceName, 'app' | 'worker'>, dbVersion: string): string {
  const override = a.images[service];
  if (override) return override;
  const pinned =
    service === 'mysql'
      ? (DB_IMAGES[a.database.engine] as Record<string, string>)[dbVersion]!
      : IMAGES[service];
  return withPrefixMirror(pinned, a.mirrors['image-prefix']);
}

/** The Nginx version the config targets: from the image tag, else our pin's. */
export function nginxTargetVersion(image: string): { version: Version; fromTag: boolean } {
  const tag = imageTag(image);
  const v = tag ? parseVersion(tag) : null;
  if (v) return { version: v, fromTag: true };
  return { version: parseVersion(imageTag(IMAGES.nginx)!)!, fromTag: false };
}

/** Redis version targeted, from the tag when it parses, else our pin's. */
export function redisTargetVersion(image: string): Version {
  const tag = imageTag(image);
  return (tag && parseVersion(tag)) || parseVersion(imageTag(IMAGES.redis)!)!;
}

/** The database server version the my.cnf targets: from the image tag when it parses (an override may pin a patch release), else our pin's. */
export function dbServerVersion(engine: 'mysql' | 'mariadb', image: string, version: string): Version {
  const tag = imageTag(image);
  const fromTag = tag ? parseVersion(tag) : null;
  if (fromTag) return fromTag;
  const pinned = (DB_IMAGES[engine] as Record<string, string>)[version];
  return parseVersion((pinned && imageTag(pinned)) || version) ?? { major: 0, minor: 0, patch: 0 };
}
