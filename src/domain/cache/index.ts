// The cache engines a stack can run behind the compose service `redis`, each a module behind
// CacheEngine (types.ts). Adding one is a module and a line here (docs/ARCHITECTURE.md).
import { tagVersion, versionAtLeast, type Version } from '../version-tag.js';
import { REDIS } from './redis.js';
import type { CacheEngine } from './types.js';
import { VALKEY } from './valkey.js';

export type { CacheEngine } from './types.js';

/** In the order the wizard offers them; the first is the default. */
export const CACHE_ENGINES = { redis: REDIS, valkey: VALKEY } as const satisfies Record<string, CacheEngine>;
export type CacheEngineId = keyof typeof CACHE_ENGINES;
export const CACHE_ENGINE_IDS = Object.keys(CACHE_ENGINES) as [CacheEngineId, ...CacheEngineId[]];
export const DEFAULT_CACHE_ENGINE: CacheEngineId = CACHE_ENGINE_IDS[0];

export function cacheEngine(id: CacheEngineId): CacheEngine {
  return CACHE_ENGINES[id];
}

/** The engine of a plan's cache (`cache.engine` in the answers): the one place that picks it. */
export function cacheEngineOf(plan: { redis: { image: string; engine?: CacheEngineId } | null }): CacheEngine {
  return cacheEngine(plan.redis?.engine ?? DEFAULT_CACHE_ENGINE);
}

export const isCacheEngineId = (v: unknown): v is CacheEngineId => typeof v === 'string' && Object.hasOwn(CACHE_ENGINES, v);

/** The server version targeted: from the image tag when it parses, else the pin's. */
export function cacheTargetVersion(engine: CacheEngine, image: string): Version {
  return tagVersion(image, engine.image)!;
}

/** Whether the server has a config directive (or the option of the same name): no entry means it has since the floor. */
export function cacheHas(engine: CacheEngine, directive: string, v: Version): boolean {
  const since = engine.directiveSince[directive];
  return !since || versionAtLeast(v, since[0], since[1]);
}
