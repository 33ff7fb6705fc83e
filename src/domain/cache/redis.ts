// Redis (the official `redis` image). Pinned to the current 8.x (src/domain/releases.ts); Debian
// 12's 7.0 is the floor, on which every generated redis.conf runs. Reviewed for Redis 8: the
// official 8.x image loads its bundled modules with --loadmodule at start (enable-module-command
// no only refuses the MODULE command at run time); the new ACL categories do not touch the
// default user requirepass authenticates; the entrypoint fixes /data's owner and leaves a
// readable config alone; protected-mode is compiled off there, which the config turns back on.
import { pinnedImage } from '../releases.js';
import type { CacheEngine } from './types.js';

export const REDIS: CacheEngine = {
  id: 'redis',
  label: 'Redis',
  image: pinnedImage('redis', '8.10'),
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
