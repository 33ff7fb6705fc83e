// The real Compose v2 reads the .env we write back to the exact secret: every tricky value an
// operator may already have, and a rendered stack whose kept passwords reach the containers as they are.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/domain/plan.js';
import { dotenvValue, ensureSecrets } from '../../src/domain/secrets.js';
import { renderAll } from '../../src/render/index.js';
import { GOLDEN_CASES } from '../fixtures/golden-cases.js';
import { seededRandom } from '../fixtures/facts.js';
import { TRICKY_VALUES, randomValues } from '../fixtures/dotenv-values.js';

type Config = { services: Record<string, { environment?: Record<string, string>; command?: string[] }> };

/** `docker compose config --format json` in `dir`; the output is itself a compose file, so each `$` comes back as `$$`. */
function composeConfig(dir: string): Config {
  const r = spawnSync('docker', ['compose', 'config', '--format', 'json'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout.replace(/\$\$/g, '$')) as Config;
}

describe('.env values as docker compose reads them', () => {
  it('every tricky and 300 random printable values come back exactly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-dotenv-'));
    const values = [...TRICKY_VALUES, ...randomValues(300, 7)];
    writeFileSync(join(dir, '.env'), `${values.map((v, i) => `K${i}=${dotenvValue(v)}`).join('\n')}\n`);
    const environment = Object.fromEntries(values.map((_, i) => [`K${i}`, `\${K${i}}`]));
    writeFileSync(join(dir, 'docker-compose.yml'), JSON.stringify({ services: { a: { image: 'busybox', environment } } }));
    const env = composeConfig(dir).services.a!.environment!;
    for (const [i, v] of values.entries()) expect(env[`K${i}`], JSON.stringify(v)).toBe(v);
  });

  it('a rendered stack keeps hand-set passwords and the containers get them exactly', () => {
    const c = GOLDEN_CASES.find((g) => g.name === 'auto-full-8g-host')!;
    const plan = buildPlan(c.answers, c.facts);
    const kept = { MYSQL_ROOT_PASSWORD: 'my-Own_p@ss.word!2024', MYSQL_PASSWORD: `it's "q" $HOME \\`, REDIS_PASSWORD: 'pa$$ #x' };
    const secrets = ensureSecrets(plan, kept, seededRandom(1));
    const dir = mkdtempSync(join(tmpdir(), 'sw-dotenv-stack-'));
    for (const f of renderAll({ plan, answers: c.answers, secrets })) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    const s = composeConfig(dir).services;
    expect(s.mysql!.environment).toMatchObject({ MARIADB_ROOT_PASSWORD: kept.MYSQL_ROOT_PASSWORD, MARIADB_PASSWORD: kept.MYSQL_PASSWORD });
    expect(s.app!.environment).toMatchObject({ DB_PASSWORD: kept.MYSQL_PASSWORD, REDIS_PASSWORD: kept.REDIS_PASSWORD });
    expect(s.redis!.command).toContain(kept.REDIS_PASSWORD);
    expect(s.redis!.environment!.REDISCLI_AUTH).toBe(kept.REDIS_PASSWORD);
    // The URLs carry percent-encoded copies: a URL parser gets the password back whole.
    const db = new URL(s.app!.environment!.DATABASE_URL!);
    expect([db.hostname, db.port, db.pathname, decodeURIComponent(db.password)]).toEqual(['mysql', '3306', `/${plan.database.name}`, kept.MYSQL_PASSWORD]);
    const redis = new URL(s.app!.environment!.REDIS_URL!);
    expect([redis.hostname, decodeURIComponent(redis.password)]).toEqual(['redis', kept.REDIS_PASSWORD]);
    const amqp = new URL(s.app!.environment!.RABBITMQ_URL!);
    expect([amqp.hostname, decodeURIComponent(amqp.password)]).toEqual(['rabbitmq', secrets.RABBITMQ_PASSWORD]);
  });
});
