// Troubleshoot from the maintenance menu, on a real controller that reads this host as it opens.
// Moved from the unit suite's doctor.test.tsx (docs/ARCHITECTURE.md#tests).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { Symptom } from '../../../src/domain/doctor/types.js';
import { SYMPTOMS } from '../../../src/domain/doctor/types.js';
import { translator } from '../../../src/i18n/index.js';
import { App } from '../../../src/ui/app.js';
import type { CheckProgress, DoctorController, DoctorView, FindingView } from '../../../src/ui/doctor-controller.js';
import { KEY, controllerFor, plain, press, waitText } from '../../unit/ui/helpers.js';

afterEach(() => cleanup());
const t = translator('en');

// The guided session's own controller is scripted as in test/unit/ui/doctor.test.tsx: what this
// test proves is the menu's way in and out, on a real wizard controller.
const ok: FindingView = { id: 'memory', check: 'memory', severity: 'ok', title: 'enough free memory', explain: null, evidence: [], fix: null, causedBy: [], root: null };

/** A scripted stack: the findings a run returns, and which re-checks come back fixed. */
function scripted(o: { findings: FindingView[]; fixedAfterVerify: Set<string> }) {
  const calls: string[] = [];
  let release: (() => void) | null = null;
  const c: DoctorController = {
    t,
    symptoms: SYMPTOMS,
    checksFor: () => [{ id: 'disk', label: t('doc.check.disk') }, { id: 'redis-persistence', label: t('doc.check.redisPersistence') }, { id: 'memory', label: t('doc.check.memory') }],
    async run(symptom: Symptom, onProgress: (p: CheckProgress) => void): Promise<DoctorView> {
      calls.push(`run ${symptom}`);
      onProgress({ check: 'disk', state: 'done', severity: 'error' });
      onProgress({ check: 'redis-persistence', state: 'start' });
      // The test lets the run finish once it has seen the progress.
      await new Promise<void>((r) => (release = r));
      return { checks: c.checksFor(symptom), findings: o.findings };
    },
    async fix(id, onLine) {
      calls.push(`fix ${id}`);
      onLine('Total reclaimed space: 1.341GB');
    },
    async verify(id) {
      calls.push(`verify ${id}`);
      const fixed = o.fixedAfterVerify.has(id);
      return { fixed, now: fixed ? null : o.findings.find((x) => x.id === id)! };
    },
  };
  return { c, calls, finish: () => release?.() };
}

describe('the maintenance menu', () => {
  test('Troubleshoot opens the guided session; Esc goes back to the menu', async () => {
    const { controller, dir } = controllerFor();
    const installDir = join(dir, 'opt', 'shop');
    mkdirSync(installDir, { recursive: true });
    const answers = join(installDir, 'stack-wizard.yaml');
    writeFileSync(answers, 'project: shop\napp:\n  image: ghcr.io/acme/shop:3.1\n');
    const stack = { project: 'shop', installDir, answers, templateVersion: 1 };
    const s = scripted({ findings: [ok], fixedAfterVerify: new Set() });
    const doctor = vi.fn(() => s.c);
    const r = render(<App controller={{ ...controller, doctor }} stacks={[stack]} draft={{}} given={new Set()} onExit={() => {}} onAbort={() => {}} />);
    const frame = plain(r.lastFrame);
    await waitText(frame, 'Maintenance');
    const at = controller.menu().findIndex((e) => e.id === 'troubleshoot');
    expect(at).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < at; i++) await press(r.stdin, KEY.down);
    await press(r.stdin, KEY.enter);
    await waitText(frame, 'What is wrong?');
    expect(doctor).toHaveBeenCalledWith(stack);
    await press(r.stdin, KEY.escape);
    await waitText(frame, 'Maintenance');
  });
});
