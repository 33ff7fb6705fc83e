// deploy: swarm through init (#20.2), against this machine's real Docker CLI and engine, which is
// not in a swarm (and must not be made one: it is shared): init's start is `docker stack deploy`
// instead of `docker compose up`; the dry-run preview shows the exact command and why it cannot
// run here; applied, it refuses before running anything. The deploy on a real swarm is the e2e's
// (test/e2e/swarm.test.ts on the lab's servers).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../src/context.js';
import { AnswersSchema } from '../../src/domain/answers.js';
import { DryRunExecutor } from '../../src/exec/executor.js';
import { WizardError } from '../../src/errors.js';
import { runSteps } from '../../src/steps/engine.js';
import { installSteps } from '../../src/steps/install.js';
import { prepare, type Prepared } from '../../src/steps/prepare.js';
import { swarmDeployStep } from '../../src/steps/swarm-deploy.js';
import { upStep } from '../../src/steps/up.js';
import { makeFacts } from '../fixtures/facts.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-swarm-deploy-'));
let ctx: Context;
let p: Prepared;

beforeAll(async () => {
  // The shared engine is reachable and not in a swarm: the premise of every case below.
  expect(execFileSync('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}'], { encoding: 'utf8' }).trim()).toBe(
    'inactive',
  );
  ctx = createContext({
    lang: 'en',
    dryRun: true,
    exec: new DryRunExecutor(),
    cwd: dir,
    env: { LANG: 'C' },
    io: { out: () => {}, err: () => {} },
  });
  const answers = AnswersSchema.parse({
    project: 'demo',
    preset: '8g',
    deploy: 'swarm',
    installDir: join(dir, 'opt'),
    app: { image: 'ghcr.io/example/api:1.0.0' },
    components: { redis: true },
    security: { firewall: false, fail2ban: false },
  });
  p = await prepare(ctx, { answers, facts: makeFacts({ ramMiB: 7680, cores: 4 }), targetDir: join(dir, 'opt') });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('deploy: swarm in init', () => {
  it("init's start step on a swarm plan is the stack deploy; on a single server compose up", () => {
    expect(installSteps(p.plan)).toContain(swarmDeployStep);
    expect(installSteps(p.plan)).not.toContain(upStep);
    const single = { ...p.plan, swarm: null };
    expect(installSteps(single)).toContain(upStep);
  });

  it('the preview shows the exact deploy command from the install dir, and why this server cannot run it', async () => {
    const c = await swarmDeployStep.check(ctx, p);
    expect(c.needed).toBe(true);
    expect(c.changes[0]).toBe(
      `docker stack deploy --prune --with-registry-auth -c ${join(dir, 'opt', 'docker-stack.yml')} demo`,
    );
    expect(c.changes).toContain('  wait until every service has all its tasks running and healthy (at most 420 s)');
    expect(c.changes.at(-1)).toMatch(/this server is not one \(swarm state inactive\): run stack-wizard cluster init/);
  });

  it('applied, it refuses before running anything (no deploy, no file written)', async () => {
    const before = ctx.exec.actions.length;
    const err = await runSteps(ctx, [swarmDeployStep], p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WizardError);
    expect((err as WizardError).key).toBe('swarm.err.notManager');
    expect(ctx.exec.actions.slice(before)).toEqual([]);
  });
});
