// The engine seam (src/domain/engines, src/domain/cache): every engine module is held to the same
// rules, so an engine added later is checked by these tests without editing them. The rendered
// files themselves are judged by the goldens and the real servers (test/real/mariadb.test.ts,
// redis.test.ts, compose-config.test.ts).
import { describe, expect, it } from 'vitest';
import { AnswersSchema } from '../../src/domain/answers.js';
import { CACHE_ENGINES, cacheHas, cacheTargetVersion } from '../../src/domain/cache/index.js';
import { composeArgv } from '../../src/domain/compose-argv.js';
import { DB_ENGINES, DB_ENGINE_IDS, dbEngine, dbEngineIdOr, dbServerVersion } from '../../src/domain/engines/index.js';
import { worstCaseFromVariables } from '../../src/domain/mysql-memory.js';
import { checkMysqlOptions } from '../../src/domain/mysql-options.js';
import { buildPlan } from '../../src/domain/plan.js';
import { imageTag, parseVersion } from '../../src/domain/version-tag.js';
import { composeData } from '../../src/render/compose.js';
import { renderMysqlCnf } from '../../src/render/mysql.js';
import { renderRedisConf } from '../../src/render/redis.js';
import { makeFacts } from '../fixtures/facts.js';

const plan = (engine: string, version: string, preset: '4g' | '8g' | '16g' = '8g', images: Record<string, string> = {}) =>
  buildPlan(AnswersSchema.parse({ project: 'shop', preset, app: { image: 'ghcr.io/acme/shop:1' }, database: { engine, version }, images }), makeFacts({ ramMiB: 16384 }));

describe('every database engine module', () => {
  for (const id of DB_ENGINE_IDS) {
    const e = dbEngine(id);
    describe(id, () => {
      it('offers its default series, and pins for each series an image of that series', () => {
        expect(e.id).toBe(id);
        expect(e.series).toContain(e.defaultSeries);
        expect(Object.keys(e.images)).toEqual([...e.series]);
        for (const s of e.series) {
          const v = parseVersion(imageTag(e.images[s]!)!)!;
          expect(`${v.major}.${v.minor}`, `${e.images[s]} pins series ${s}`).toBe(s);
        }
      });

      it('writes, for every series and preset, only options its own table allows at that version', () => {
        for (const s of e.series)
          for (const preset of ['4g', '8g', '16g'] as const) {
            const p = plan(id, s, preset);
            const names = e.serverOptions(p.database).map((o) => o.name);
            expect(checkMysqlOptions(id, p.database.serverVersion, names), `${id} ${s} ${preset}`).toEqual([]);
            expect(names.length).toBeGreaterThan(10);
          }
      });

      it('refuses an option it never looked up, naming its own module', () => {
        const [p] = checkMysqlOptions(id, formatPin(e.images[e.defaultSeries]!), ['innodb_made_up_option']);
        expect(p!.kind).toBe('unknown');
        expect(p!.message).toContain(`src/domain/engines/${id}.ts`);
      });

      it('gives the container the database and user of the plan, and passwords only as .env references', () => {
        const env = e.composeEnvironment({ name: 'shop_db', user: 'shop_user' });
        const values = Object.values(env);
        expect(values).toContain('shop_db');
        expect(values).toContain('shop_user');
        // A literal secret never reaches the compose file: every other value is a ${…} reference or a flag.
        for (const v of values.filter((x) => x !== 'shop_db' && x !== 'shop_user')) expect(v).toMatch(/^(\$\{[A-Z_]+\}|1)$/);
      });

      it('dumps the given databases consistently, without locking the app out', () => {
        const args = e.dump.args(['a', 'b']);
        expect(args).toContain('--single-transaction');
        expect(args.slice(-3)).toEqual(['--databases', 'a', 'b']);
        const counter = e.dump.rowCounter();
        counter.push(new TextEncoder().encode("USE `a`;\nCREATE TABLE `t` (\n  `id` int\n);\nINSERT INTO `t` VALUES (1,'x'),(2,'y, (z)');\n"));
        expect(counter.counts()).toEqual({ 'a.t': 2 });
      });

      it('never lets the root password onto a command line: the client and tools read it inside the container', () => {
        for (const argv of [e.client, e.dump.argv, e.doctorStatus]) {
          const text = argv.join(' ');
          expect(text).not.toMatch(/-p\S|--password/);
          expect(text).toMatch(/MYSQL_PWD="\$\{MARIADB_ROOT_PASSWORD:-\$\{?MYSQL_ROOT_PASSWORD/);
        }
      });

      it('its memory traits drive the plan: the worst case computed from the rendered my.cnf fits the container', () => {
        const p = plan(id, e.defaultSeries, '8g');
        const cnf = renderMysqlCnf(p).content;
        const vars: Record<string, string> = { ...e.sizing.serverDefaults };
        for (const m of cnf.matchAll(/^([a-z_]+) = (\d+)([KMG]?)$/gm)) vars[m[1]!] = String(Number(m[2]) * ({ '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 } as Record<string, number>)[m[3]!]!);
        if (cnf.includes('performance_schema = ON')) vars.performance_schema = 'ON';
        if (!vars.innodb_log_buffer_size) vars.innodb_log_buffer_size = String(p.database.logBufferMiB * 1024 ** 2);
        const limit = p.services.find((s) => s.name === 'mysql')!.memoryMiB;
        expect(worstCaseFromVariables(vars, id).worstCaseMiB).toBeLessThanOrEqual(limit);
        expect(p.database.bufferPoolChunkMiB === null).toBe(!e.sizing.poolGrid);
        expect(p.database.ariaPagecacheMiB === null).toBe(!e.sizing.ariaPagecache);
      });

      it('is the compose service mysql whatever the engine, with its own healthcheck and environment', () => {
        const p = plan(id, e.defaultSeries);
        const svc = (composeData(p).services as Record<string, { image: string; healthcheck: { test: string[] }; environment: Record<string, string> }>).mysql!;
        expect(svc.image).toBe(e.images[e.defaultSeries]);
        expect(svc.healthcheck.test).toEqual(e.healthcheck.map((x) => x.replace(/\$/g, '$$$$')));
        expect(svc.environment).toEqual(e.composeEnvironment(p.database));
        expect(renderMysqlCnf(p).content).toContain(`${e.label} ${p.database.serverVersion}`);
      });
    });
  }

  it('the answers accept exactly the registered engines and each one\'s series', () => {
    for (const id of DB_ENGINE_IDS) for (const s of DB_ENGINES[id].series) expect(AnswersSchema.safeParse({ project: 'x', app: { image: 'a' }, database: { engine: id, version: s } }).success).toBe(true);
    expect(AnswersSchema.safeParse({ project: 'x', app: { image: 'a' }, database: { engine: 'oracle' } }).success).toBe(false);
    expect(AnswersSchema.safeParse({ project: 'x', app: { image: 'a' }, database: { engine: DB_ENGINE_IDS[0], version: '0.1' } }).success).toBe(false);
    expect(AnswersSchema.parse({ project: 'x', app: { image: 'a' } }).database.engine).toBe(DB_ENGINE_IDS[0]);
  });

  it('an unknown or missing engine in a draft falls back to the default; a known one is kept', () => {
    expect(dbEngineIdOr(undefined)).toBe(DB_ENGINE_IDS[0]);
    expect(dbEngineIdOr('oracle')).toBe(DB_ENGINE_IDS[0]);
    expect(dbEngineIdOr('toString')).toBe(DB_ENGINE_IDS[0]);
    for (const id of DB_ENGINE_IDS) expect(dbEngineIdOr(id)).toBe(id);
  });

  it('the server version targeted: an override\'s tag when it parses, else the series\' pin', () => {
    expect(dbServerVersion('mysql', 'mysql:8.0.28', '8.0')).toEqual({ major: 8, minor: 0, patch: 28 });
    // A digest-only reference names no version: the series' pin (8.4.11, src/domain/releases.ts).
    expect(dbServerVersion('mysql', 'registry.local/db@sha256:' + 'a'.repeat(64), '8.4')).toEqual({ major: 8, minor: 4, patch: 11 });
    expect(dbServerVersion('mariadb', 'mariadb:lts', '11.8')).toEqual({ major: 11, minor: 8, patch: 9 });
  });
});

describe('the cache engine module', () => {
  for (const [id, c] of Object.entries(CACHE_ENGINES)) {
    it(`${id}: its pin is at or above its floor, and later directives are written only from their version`, () => {
      const pinned = cacheTargetVersion(c, c.image);
      expect(pinned.major * 1000 + pinned.minor).toBeGreaterThanOrEqual(c.floor.major * 1000 + c.floor.minor);
      for (const [d, [major, minor]] of Object.entries(c.directiveSince)) {
        expect(cacheHas(c, d, { major, minor, patch: 0 })).toBe(true);
        expect(cacheHas(c, d, { major: minor === 0 ? major - 1 : major, minor: minor === 0 ? 99 : minor - 1, patch: 0 })).toBe(false);
      }
    });
  }

  it('redis 8 images get the 8.0-only directive, 7.x images never', () => {
    const conf = (image: string) => renderRedisConf(buildPlan(AnswersSchema.parse({ project: 'shop', app: { image: 'a' }, images: { redis: image } }), makeFacts()))[0]!.content;
    expect(conf('redis:8.0.2')).toMatch(/^hide-user-data-from-log yes$/m);
    expect(conf('redis:7.0.15')).not.toContain('hide-user-data-from-log');
    expect(conf('redis:7.0.15')).toMatch(/^appenddirname /m);
    expect(conf('redis:7.4.5')).toContain('Redis 7.4.5 (redis:7.4.5)');
  });
});

describe('the compose command line', () => {
  it('is the install dir\'s compose file, with the project directory set, then the arguments', () => {
    expect(composeArgv('/opt/stack-wizard/shop', 'up', '-d')).toEqual(['compose', '--project-directory', '/opt/stack-wizard/shop', '-f', '/opt/stack-wizard/shop/docker-compose.yml', 'up', '-d']);
    expect(composeArgv('/srv/x/')[4]).toBe('/srv/x/docker-compose.yml');
  });
});

function formatPin(image: string): string {
  const v = parseVersion(imageTag(image)!)!;
  return `${v.major}.${v.minor}.${v.patch}`;
}
