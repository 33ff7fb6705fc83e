// The cache engines a stack can run behind the compose service `redis`, each a module behind
// CacheEngine (types.ts). Adding one is a module and a line here (docs/ARCHITECTURE.md).
import { tagVersion, versionAtLeast, type Version } from '../version-tag.js';
import { REDIS } from './redis.js';
import type { CacheEngine } from './types.js';

export type { CacheEngine } from './types.js';

export const CACHE_ENGINES = { redis: REDIS } as const satisfies Record<string, CacheEngine>;
export type CacheEngineId = keyof typeof CACHE_ENGINES;
export const DEFAULT_CACHE_ENGINE: CacheEngineId = 'redis';

export function cacheEngine(id: CacheEngineId): CacheEngine {
  return CACHE_ENGINES[id];
}

/**
 * The engine of a plan's cache. The plan names none yet (Redis is the only one); when
 * `cache.engine` arrives its plan field is read here, and every caller follows.
 */
export function cacheEngineOf(plan: { redis: { image: string; engine?: CacheEngineId } | null }): CacheEngine {
  return cacheEngine(plan.redis?.engine ?? DEFAULT_CACHE_ENGINE);
}

/** The server version targeted: from the image tag when it parses, else the pin's. */
export function cacheTargetVersion(engine: CacheEngine, image: string): Version {
  return tagVersion(image, engine.image)!;
}

/** Whether the server has a config directive (or the option of the same name): no entry means it has since the floor. */
export function cacheHas(engine: CacheEngine, directive: string, v: Version): boolean {
  const since = engine.directiveSince[directive];
  return !since || versionAtLeast(v, since[0], since[1]);
}
