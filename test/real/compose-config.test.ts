// Every golden compose file accepted by the real Compose v2 (`docker compose config`), with every
// variable resolved from the rendered .env and the limits normalised as the engine will get them.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDotenv } from '../../src/domain/secrets.js';

const GOLDEN = join(import.meta.dirname, '..', 'golden');

describe('docker compose config (Compose v2) on every golden file set', () => {
  it('Compose v2 is installed (npm test provisions it; a missing one fails)', () => {
    const v = execFileSync('docker', ['compose', 'version', '--short'], { encoding: 'utf8' }).trim();
    expect(v).toMatch(/^v?2\./);
  });

  for (const name of readdirSync(GOLDEN)) {
    it(`${name}: valid, fully interpolated, limits as planned`, () => {
      const dir = mkdtempSync(join(tmpdir(), `sw-compose-${name}-`));
      cpSync(join(GOLDEN, name), dir, { recursive: true });
      const q = spawnSync('docker', ['compose', 'config', '-q'], { cwd: dir, encoding: 'utf8' });
      expect(q.stderr).toBe('');
      expect(q.status).toBe(0);
      const r = spawnSync('docker', ['compose', 'config', '--format', 'json'], { cwd: dir, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/variable is not set/);
      const cfg = JSON.parse(r.stdout) as {
        name: string;
        services: Record<string, { deploy?: { resources?: { limits?: { memory?: string | number } } }; ports?: { published?: string; host_ip?: string; target: number }[]; environment?: Record<string, string>; cap_drop?: string[]; cap_add?: string[]; security_opt?: string[]; read_only?: boolean; tmpfs?: string[] }>;
      };
      for (const [svc, s] of Object.entries(cfg.services)) {
        // The hardening (#15.8) as Compose hands it to the engine: nothing dropped by the loader.
        expect(s.cap_drop, svc).toEqual(['ALL']);
        expect(s.security_opt, svc).toEqual(['no-new-privileges:true']);
        expect((s.deploy?.resources?.limits as { pids?: number } | undefined)?.pids, svc).toBeGreaterThanOrEqual(64);
        if (s.tmpfs?.length) expect(s.read_only, svc).toBe(true);
        for (const c of s.cap_add ?? []) expect(['CHOWN', 'SETUID', 'SETGID', 'DAC_READ_SEARCH', 'DAC_OVERRIDE', 'NET_BIND_SERVICE'], `${svc} ${c}`).toContain(c);
        const mem = Number(s.deploy?.resources?.limits?.memory);
        expect(mem, `${svc} memory limit`).toBeGreaterThan(16 * 1024 * 1024);
        for (const p of s.ports ?? []) {
          if (svc !== 'nginx') expect(p.host_ip, `${svc} publishes ${p.published}`).toBe('127.0.0.1');
        }
      }
      // Interpolation filled the secrets in, so the app really receives a usable URL.
      expect(cfg.services.app!.environment!.DATABASE_URL).toMatch(/^mysql:\/\/\w+:[A-Za-z0-9]{32}@mysql:3306\/\w+$/);
      // The app and worker get their own MinIO user's secret, never the root password (#15.8).
      const env = parseDotenv(readFileSync(join(dir, '.env'), 'utf8'));
      if (cfg.services.minio) {
        for (const svc of ['app', 'worker']) {
          const e = cfg.services[svc]?.environment;
          if (!e) continue;
          expect(e.S3_SECRET_KEY, svc).toBe(env.MINIO_APP_PASSWORD);
          expect(Object.values(e), svc).not.toContain(env.MINIO_ROOT_PASSWORD);
        }
        expect(cfg.services['minio-init']!.environment!.MINIO_ROOT_PASSWORD).toBe(env.MINIO_ROOT_PASSWORD);
      }
    });
  }
});
