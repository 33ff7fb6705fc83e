// Valkey (the Linux Foundation's BSD fork of Redis, the `valkey/valkey` image): a drop-in server
// behind the same compose service `redis`, the same redis.conf directives and the same
// REDIS_URL, so clients see no difference. Pinned to 9.1 (src/domain/releases.ts); 8.1 (Debian
// 13's) is the floor, and every generated config runs on both (test/real/redis.test.ts).
// The image's contract (valkey-io/valkey-container): `valkey-server [conf] [--opt val]…` as the
// command, /data as working dir, root drops to the `valkey` user, `redis-cli` and `redis-server`
// linked to the Valkey binaries.
import { pinnedImage } from '../releases.js';
import type { CacheEngine } from './types.js';

export const VALKEY: CacheEngine = {
  id: 'valkey',
  label: 'Valkey',
  image: pinnedImage('valkey', '9.1'),
  floor: { major: 8, minor: 1, patch: 0 },
  server: 'valkey-server',
  cli: 'valkey-cli',
  // valkey-cli 8.1 reads only REDISCLI_AUTH; 9.x reads VALKEYCLI_AUTH and REDISCLI_AUTH (checked in both binaries).
  cliAuthEnv: 'REDISCLI_AUTH',
  // Everything the generator writes exists in Valkey from 8.1 on (the real 8.1 and 9.1 servers take it).
  directiveSince: {},
  healthcheck: ['CMD-SHELL', 'valkey-cli ping | grep -q PONG'],
};
