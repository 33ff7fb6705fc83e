// init with the answers as flags or a file, rendering into --out: as root its preview still reads
// this host (Docker's daemon.json and engine, the install dir). Moved from the unit suite's
// wizard-command.test.ts, which reads no host (docs/ARCHITECTURE.md#tests).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cliInDir as cli, tempDir } from '../unit/ui/helpers.js';


describe('asking nothing', () => {
  test('init --yes with the answers as flags renders into --out', async () => {
    const r = await cli(['init', '--project', 'flagged', '--image', 'ghcr.io/acme/x:1', '--db-engine', 'mariadb', '--components', 'redis,worker', '--worker-command', 'celery -A x worker', '--host-facts', '$FACTS', '--out', '$DIR/out', '--yes']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const saved = readFileSync(join(r.dir, 'out/stack-wizard.yaml'), 'utf8');
    expect(saved).toContain('engine: "mariadb"');
    expect(saved).toMatch(/workerCommand:\n\s+- "celery"\n\s+- "-A"/);
  });

  test('init --answers F without a terminal keeps its scripted behaviour (unchanged by the wizard)', async () => {
    const dir = tempDir('sw-ans-');
    writeFileSync(join(dir, 'a.yaml'), 'project: plain\napp:\n  image: a/b:1\n');
    const r = await cli(['init', '--answers', join(dir, 'a.yaml'), '--host-facts', '$FACTS', '--out', '$DIR/out']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Files in');
    expect(existsSync(join(r.dir, 'out/docker-compose.yml'))).toBe(true);
  });
});
