// Redis (the official `redis` image). The pinned image is 7.4; Debian 12 has 7.0, on which every
// generated redis.conf runs, so 7.0 is the floor.
import type { CacheEngine } from './types.js';

export const REDIS: CacheEngine = {
  id: 'redis',
  label: 'Redis',
  image: 'redis:7.4.5',
  // enable-protected-configs / enable-debug-command / enable-module-command exist from 7.0;
  // an older server would keep DEBUG and MODULE.
  floor: { major: 7, minor: 0, patch: 0 },
  server: 'redis-server',
  cli: 'redis-cli',
  cliAuthEnv: 'REDISCLI_AUTH',
  directiveSince: {
    // The AOF is a folder of files from 7.0 (one file before).
    appenddirname: [7, 0],
    // Checked against Redis 8.0's shipped redis.conf; not claimed for 7.4, so older servers never see it.
    'hide-user-data-from-log': [8, 0],
  },
  healthcheck: ['CMD-SHELL', 'redis-cli ping | grep -q PONG'],
};
