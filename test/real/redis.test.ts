// A real redis-server or valkey-server started with each generated redis.conf, byte for byte, the
// password passed on the command line as compose does: CONFIG GET must show the plan, an
// unauthenticated command must be refused, the removed commands must be gone, and the data must land
// in /data, the official images' data directory (AOF + RDB). maxmemory is also held against the
// container limit read from the rendered docker-compose.yml. Redis 7.0 (the floor) is Debian 12's;
// the 7.4 and 8.x configs (the pin is 8.10) run on Debian 13's redis 8.0; Valkey 8.1 (its floor) is
// Debian 13's and Valkey 9.1 (its pin) Debian sid's. Each in its Debian chroot, whose /data plays
// the volume; each server in its own network namespace on its real port, 6379.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AnswersSchema } from '../../src/domain/answers.js';
import { pinnedImage, withoutDigest } from '../../src/domain/releases.js';
import { buildPlan, type Plan } from '../../src/domain/plan.js';
import { DISABLED_COMMANDS, renderRedisConf } from '../../src/render/redis.js';
import { VM } from '../fixtures/facts.js';
import { composeMemoryLimit } from './support/compose-limit.js';
import { NetNs, Stop, debianChroot, waitFor } from './support/sandbox.js';

const PASSWORD = 'Test0nlyPassw0rdForRedisServer42';
/** The image the config is written for (an override, or the engine's pin) → the real server it runs on. */
const TARGETS = [
  { engine: 'redis', image: 'redis:7.0.15', suite: 'bookworm', server: 'redis', expect: /^7\.0\./ },
  { engine: 'redis', image: pinnedImage('redis', '7.4'), suite: 'trixie', server: 'redis', expect: /^8\.0\./ },
  { engine: 'redis', image: 'redis:8.0.2', suite: 'trixie', server: 'redis', expect: /^8\.0\./ },
  { engine: 'redis', image: null, suite: 'trixie', server: 'redis', expect: /^8\.0\./ },
  { engine: 'valkey', image: pinnedImage('valkey', '8.1'), suite: 'trixie', server: 'valkey', expect: /^8\.1\./ },
  { engine: 'valkey', image: null, suite: 'sid', server: 'valkey', expect: /^9\.1\./ },
] as const;
/** The official redis image's data directory (its documented contract), where the volume is mounted. */
const IMAGE_DATA_DIR = '/data';
const MiB = 1024 * 1024;

function plan(preset: '4g' | '8g' | '16g', mode: 'cache' | 'queue', image: string | null, engine: 'redis' | 'valkey' = 'redis'): Plan {
  const a = AnswersSchema.parse({
    project: 'shop',
    preset,
    app: { image: 'registry.example.com/team/api:1.4.2' },
    images: image ? { redis: image } : {},
    redis: { mode },
    cache: { engine },
  });
  return buildPlan(a, VM[preset]);
}

let ns: NetNs | null = null;
let cleanup: (() => void) | null = null;
afterEach(async () => {
  await ns?.stop();
  ns = null;
  cleanup?.();
  cleanup = null;
});

describe('a real redis-server or valkey-server runs each generated redis.conf', () => {
  for (const t of TARGETS) {
    for (const preset of ['4g', '8g', '16g'] as const) {
      for (const mode of ['cache', 'queue'] as const) {
        it(`${t.engine} ${t.image ? withoutDigest(t.image) : '(the pin)'} target on ${t.server} ${t.suite}, preset ${preset}, ${mode}`, async () => {
          const p = plan(preset, mode, t.image, t.engine);
          const r = p.redis!;
          expect(r.engine).toBe(t.engine);
          if (!t.image) expect(r.image).toBe(pinnedImage(t.engine, t.engine === 'redis' ? '8.10' : '9.1'));
          const conf = renderRedisConf(p)[0]!.content;
          expect(conf).not.toContain(PASSWORD);
          expect(conf.split('\n').filter((l) => !l.startsWith('#')).join('\n')).not.toMatch(/requirepass|masterauth|user /);

          const root = await debianChroot(t.suite);
          const work = mkdtempSync(join(root, 'tmp', 'sw-redis-'));
          // The chroot's /data is the volume: empty for every test.
          const data = join(root, IMAGE_DATA_DIR);
          rmSync(data, { recursive: true, force: true });
          mkdirSync(data);
          cleanup = () => {
            rmSync(work, { recursive: true, force: true });
            rmSync(data, { recursive: true, force: true });
          };
          const inner = (x: string) => x.slice(root.length);
          const confPath = join(work, 'redis.conf');
          writeFileSync(confPath, conf);
          const wrap = (argv: string[]) => ['chroot', root, ...argv];

          ns = await new NetNs().start();
          // As docker-compose.yml runs it: the config file, then the password from .env.
          const server = ns.spawn(wrap([`${t.server}-server`, inner(confPath), '--requirepass', PASSWORD]));
          const cli = (...args: string[]) => ns!.run(wrap([`${t.server}-cli`, '-h', '127.0.0.1', '-p', '6379', ...args]));
          const authed = (...args: string[]) => ns!.run(wrap([`${t.server}-cli`, '-h', '127.0.0.1', '-p', '6379', '--no-auth-warning', '-a', PASSWORD, ...args]));
          await waitFor('redis-server to answer', () => {
            if (server.exitCode !== null) throw new Stop(`${t.server}-server exited ${server.exitCode}: ${server.output()}`);
            return authed('PING').stdout.trim() === 'PONG' ? true : undefined;
          });

          const info = authed('INFO', 'server').stdout;
          // Valkey reports its own version as valkey_version (redis_version stays 7.2.4 for clients).
          const version = info.match(t.server === 'valkey' ? /valkey_version:(\S+)/ : /redis_version:(\S+)/)?.[1] ?? '';
          expect(version).toMatch(t.expect);

          // Without the password: refused.
          const anon = cli('GET', 'x');
          expect(`${anon.stdout}${anon.stderr}`).toMatch(/NOAUTH/);

          const get = (name: string) => {
            const lines = authed('CONFIG', 'GET', name).stdout.trim().split('\n');
            expect(lines[0], name).toBe(name);
            return lines[1];
          };
          const maxmemory = Number(get('maxmemory'));
          expect(maxmemory).toBe(r.maxmemoryMiB * MiB);
          // Independent of the plan's own arithmetic: the container the engine will run it in must leave room above maxmemory.
          const limit = composeMemoryLimit(p, 'redis');
          expect(maxmemory).toBeGreaterThan(0);
          // At least a quarter of the container stays free for fragmentation, pages copied while a child saves, and the server itself.
          expect(maxmemory).toBeLessThanOrEqual(limit * 0.75);
          expect(get('maxmemory-policy')).toBe(mode === 'queue' ? 'noeviction' : 'allkeys-lru');
          expect(get('appendonly')).toBe('yes');
          expect(get('appendfsync')).toBe('everysec');
          expect(get('save')).toBe('3600 1 300 100 60 10000');
          expect(get('dir')).toBe(IMAGE_DATA_DIR);
          expect(get('protected-mode')).toBe('yes');
          expect(get('bind')).toBe('* -::*');
          expect(get('enable-protected-configs')).toBe('no');
          expect(get('enable-debug-command')).toBe('no');
          expect(get('enable-module-command')).toBe('no');
          expect(get('requirepass')).toBe(PASSWORD);
          if (t.engine === 'valkey' || !t.image?.startsWith('redis:7')) expect(get('hide-user-data-from-log')).toBe('yes');
          else expect(conf).not.toContain('hide-user-data-from-log');

          // Removed commands are unknown; CONFIG SET of a protected setting is refused, DEBUG and MODULE too.
          for (const cmd of DISABLED_COMMANDS) expect(authed(cmd).stdout, cmd).toMatch(/unknown command/i);
          expect(authed('CONFIG', 'SET', 'dir', '/tmp').stdout).toMatch(/protected config/i);
          expect(authed('CONFIG', 'SET', 'dbfilename', 'x.php').stdout).toMatch(/protected config/i);
          expect(authed('DEBUG', 'SLEEP', '0').stdout).toMatch(/DEBUG command not allowed/i);
          expect(authed('MODULE', 'LOAD', '/tmp/evil.so').stdout).toMatch(/MODULE command not allowed/i);
          // What doctor's fix does (src/steps/doctor-fixes.ts): CONFIG SET maxmemory / maxmemory-policy still works.
          expect(authed('CONFIG', 'SET', 'maxmemory', String(maxmemory)).stdout.trim()).toBe('OK');
          expect(authed('CONFIG', 'SET', 'maxmemory-policy', get('maxmemory-policy')!).stdout.trim()).toBe('OK');

          // Writes persist: AOF in appendonlydir, an RDB snapshot on demand, both in /data (the volume).
          expect(authed('SET', 'k', 'v').stdout.trim()).toBe('OK');
          expect(authed('BGSAVE').stdout).toMatch(/Background saving started/);
          await waitFor('the RDB snapshot', () => (readdirSync(data).includes('dump.rdb') ? true : undefined));
          expect(readdirSync(join(data, 'appendonlydir')).some((f) => f.endsWith('.aof'))).toBe(true);
          expect(existsSync(join(work, 'dump.rdb'))).toBe(false);
        });
      }
    }
  }
});

describe('directives are rendered per Redis version', () => {
  it('Debian 12\'s redis 7.0 refuses the config rendered for 8.0 (hide-user-data-from-log), so 7.x targets never get it', () => {
    const conf = renderRedisConf(plan('4g', 'cache', 'redis:8.0.2'))[0]!.content;
    expect(conf).toContain('hide-user-data-from-log yes');
    const work = mkdtempSync('/tmp/sw-redis-v-');
    cleanup = () => rmSync(work, { recursive: true, force: true });
    // The host's own redis-server (Debian 12's 7.0), with a scratch data dir: the point is the config error.
    writeFileSync(join(work, 'redis.conf'), conf.replace(`dir ${IMAGE_DATA_DIR}`, `dir ${work}`));
    const r = spawnSync('redis-server', [join(work, 'redis.conf'), '--port', '0', '--requirepass', PASSWORD], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/FATAL CONFIG FILE ERROR[\s\S]*hide-user-data-from-log/);
  });
});
