// Every golden compose file accepted by the real Compose v2 (`docker compose config`), with every
// variable resolved from the rendered .env and the limits normalised as the engine will get them.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

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
        services: Record<string, { deploy?: { resources?: { limits?: { memory?: string | number } } }; ports?: { published?: string; host_ip?: string; target: number }[]; environment?: Record<string, string> }>;
      };
      for (const [svc, s] of Object.entries(cfg.services)) {
        const mem = Number(s.deploy?.resources?.limits?.memory);
        expect(mem, `${svc} memory limit`).toBeGreaterThan(16 * 1024 * 1024);
        for (const p of s.ports ?? []) {
          if (svc !== 'nginx') expect(p.host_ip, `${svc} publishes ${p.published}`).toBe('127.0.0.1');
        }
      }
      // Interpolation filled the secrets in, so the app really receives a usable URL.
      expect(cfg.services.app!.environment!.DATABASE_URL).toMatch(/^mysql:\/\/\w+:[A-Za-z0-9]{32}@mysql:3306\/\w+$/);
    });
  }
});
