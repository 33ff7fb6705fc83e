// The cache engine seam: the Redis-protocol server behind the compose service `redis` (Redis or
// Valkey, `cache.engine` in the answers). One module per engine behind this interface; the
// generators and steps ask it for names, versions and commands (docs/ARCHITECTURE.md).
import type { Version } from '../version-tag.js';

export interface CacheEngine {
  id: string;
  /** The product's name in generated headers and messages. */
  label: string;
  /** The pinned image the generated redis.conf is written and tested against. */
  image: string;
  /** The oldest server an image override may run: everything the generator writes exists from it on. */
  floor: Version;
  /** The server and its command-line client inside the image. */
  server: string;
  cli: string;
  /** The variable the client reads its password from (compose sets it in the container: the password never crosses our command line). */
  cliAuthEnv: string;
  /** Config directives that exist only from a version on (major, minor); every other one exists from the floor. */
  directiveSince: Readonly<Record<string, readonly [number, number]>>;
  /** The compose healthcheck test. */
  healthcheck: readonly string[];
}
