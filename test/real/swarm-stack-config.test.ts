// Every golden stack file (deploy: swarm, #20) read by Docker's own stack loader (`docker stack
// config`: client side, no swarm and no engine state touched), with the .env values in the
// environment as `docker stack deploy` takes them. Deploying it on a real three-node swarm is the
// e2e on branch w2-swarm, not yet green (docs/ARCHITECTURE.md#docker-swarm-20).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseDotenv } from '../../src/domain/secrets.js';

const GOLDEN = join(import.meta.dirname, '..', 'golden');
const CASES = readdirSync(GOLDEN).filter((n) => existsSync(join(GOLDEN, n, 'docker-stack.yml')));

type Dict = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('docker stack config on every golden stack file', () => {
  it('there are stack goldens, and the CLI has `docker stack config`', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(2);
    const help = execFileSync('docker', ['stack', 'config', '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/--compose-file/);
  });

  for (const name of CASES) {
    it(`${name}: read by Docker's loader, every variable set, secrets and configs found`, () => {
      const dir = mkdtempSync(join(tmpdir(), `sw-stack-${name}-`));
      try {
        cpSync(join(GOLDEN, name), dir, { recursive: true });
        const env = parseDotenv(readFileSync(join(dir, '.env'), 'utf8'));
        const r = spawnSync('docker', ['stack', 'config', '-c', 'docker-stack.yml'], {
          cwd: dir,
          encoding: 'utf8',
          env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
        });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        const cfg = parse(r.stdout) as Dict;
        expect(cfg.services.app.environment.DATABASE_URL).toBe(
          `mysql://app:${env.MYSQL_PASSWORD_URLENCODED}@mysql:3306/shop`,
        );
        // `$$` reached the container as `$`: the healthcheck reads its password from the secret file.
        expect(cfg.services.redis.healthcheck.test[1]).toContain(
          'export REDIS_PASSWORD="$(cat /run/secrets/redis_password)"',
        );
        // The loader made the paths absolute: the stack's own files are found in the install dir.
        for (const [key, c] of Object.entries(cfg.configs as Dict)) {
          expect(c.file.startsWith(`${dir}/`), key).toBe(true);
          expect(existsSync(c.file), key).toBe(true);
        }
        for (const [key, s] of Object.entries(cfg.secrets as Dict)) {
          if (key === 'tls_cert' || key === 'tls_key') expect(s.file, key).toMatch(/^\/etc\/ssl\/shop\//);
          else expect(existsSync(s.file) && s.file.startsWith(`${dir}/swarm/secrets/`), key).toBe(true);
        }
        // Nothing the loader dropped or rewrote: each service keeps its placement and update policy.
        for (const [svc, s] of Object.entries(cfg.services as Dict)) {
          expect(s.deploy.endpoint_mode, svc).toBe('dnsrr');
          expect(s.deploy.update_config.failure_action, svc).toBe('rollback');
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
