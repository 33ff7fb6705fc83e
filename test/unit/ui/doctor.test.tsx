// The guided troubleshooting screens: a symptom, the checks with progress, the findings worst
// first, then the fixes one by one (causes first), each verified by re-running its check. The
// screens take data and callbacks; a scripted controller plays the stack (the lab e2e runs the
// real one); the menu's Troubleshoot entry opens the same flow (test/real/ui/doctor-menu.test.tsx).
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { Symptom } from '../../../src/domain/doctor/types.js';
import { SYMPTOMS } from '../../../src/domain/doctor/types.js';
import { translator } from '../../../src/i18n/index.js';
import type { CheckProgress, DoctorController, DoctorView, FindingView } from '../../../src/ui/doctor-controller.js';
import { DoctorFlow, fixOrder, sessionCode } from '../../../src/ui/screens/Doctor.js';
import { KEY, plain, press, waitText } from './helpers.js';

afterEach(() => cleanup());
const t = translator('en');

const disk: FindingView = {
  id: 'disk.docker', check: 'disk', severity: 'error', title: "Docker's disk is almost full: 28.0 KiB left on /var/lib/docker",
  explain: 'MySQL, Redis and every container write to Docker\'s data directory.', evidence: ['/var/lib/docker: 28.0 KiB free of 3.7 GiB (100 % used)'],
  fix: { auto: true, title: 'Remove untagged images and the build cache', steps: ['$ docker image prune -f', '$ docker builder prune -f'] }, causedBy: [], root: null,
};
const redis: FindingView = {
  id: 'redis.persistence', check: 'redis-persistence', severity: 'error', title: 'Redis cannot write its append-only file: writes are refused',
  explain: null, evidence: ['append-only file: last write err'], fix: { auto: true, title: 'Ask Redis to save again (BGSAVE)', steps: ['$ … redis-cli BGSAVE'] },
  causedBy: [{ id: 'disk.docker', title: disk.title }], root: { id: 'disk.docker', title: disk.title },
};
const fw: FindingView = {
  id: 'firewall', check: 'firewall', severity: 'warn', title: 'the firewall lets more in than the stack needs: allow 8080/tcp', explain: null, evidence: [],
  fix: { auto: false, title: null, steps: ['List the rules: ufw status numbered', 'Delete the ones you do not need: ufw delete NUMBER'] }, causedBy: [], root: null,
};
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

describe('the order of fixes', () => {
  test('a cause before what it causes; the exit code of what is left', () => {
    // A cause, then what it caused (re-checked right after), then the next problem.
    expect(fixOrder([redis, ok, disk, fw]).map((f) => f.id)).toEqual(['disk.docker', 'redis.persistence', 'firewall']);
    expect(sessionCode([])).toBe(0);
    expect(sessionCode([fw])).toBe(4);
    expect(sessionCode([fw, disk])).toBe(5);
  });
});

describe('DoctorFlow', () => {
  test('symptom → checks with progress → findings → the cause fixed and verified → its symptom re-checked and gone', async () => {
    const s = scripted({ findings: [disk, redis, ok], fixedAfterVerify: new Set(['disk.docker', 'redis.persistence']) });
    const onExit = vi.fn();
    const r = render(<DoctorFlow controller={s.c} rows={40} onExit={onExit} />);
    const frame = plain(r.lastFrame);
    let f = await waitText(frame, 'What is wrong?');
    for (const sym of SYMPTOMS) expect(f).toContain(t(`doc.ui.sym.${sym}`));
    // Disk full is the fifth symptom.
    await press(r.stdin, KEY.down, KEY.down, KEY.down, KEY.down, KEY.enter);
    f = await waitText(frame, 'Checking (1 of 3)');
    expect(f).toContain('x Disk space (install dir, Docker data)');
    expect(s.calls).toEqual(['run disk']);
    s.finish();
    f = await waitText(frame, '2 problem(s) found, worst first. 2 can be fixed automatically.');
    expect(f).toContain(`x ${disk.title}`);
    expect(f).toContain(`x ${redis.title}`);
    expect(f).toContain(`← ${disk.title}`);
    expect(f).toContain('1 check(s) passed');
    await press(r.stdin, KEY.enter);
    f = await waitText(frame, 'Fix 1 of 2');
    expect(f).toContain('/var/lib/docker: 28.0 KiB free of 3.7 GiB (100 % used)');
    expect(f).toContain('$ docker image prune -f');
    expect(f).toContain('Apply this fix?');
    await press(r.stdin, KEY.enter);
    await waitText(frame, 'Fixed: the check passes now.');
    expect(s.calls).toEqual(['run disk', 'fix disk.docker', 'verify disk.docker']);
    await press(r.stdin, KEY.enter);
    // Redis's finding followed from the disk: re-checked first, it is gone, nothing to apply.
    await waitText(frame, 'Done: 2 fixed, 0 still open.');
    expect(s.calls).toEqual(['run disk', 'fix disk.docker', 'verify disk.docker', 'verify redis.persistence']);
    await press(r.stdin, KEY.enter);
    expect(onExit).toHaveBeenCalledWith(0);
  });

  test('a manual fix: its steps, "done, check again", still failing → it stays open and the session ends with 4', async () => {
    const s = scripted({ findings: [fw], fixedAfterVerify: new Set() });
    const onExit = vi.fn();
    const r = render(<DoctorFlow controller={s.c} rows={40} onExit={onExit} />);
    const frame = plain(r.lastFrame);
    await waitText(frame, 'What is wrong?');
    await press(r.stdin, KEY.down, KEY.down, KEY.down, KEY.down, KEY.down, KEY.enter);
    await waitText(frame, 'Checking');
    s.finish();
    await waitText(frame, '1 problem(s) found');
    await press(r.stdin, KEY.enter);
    const f = await waitText(frame, 'Fix (by hand):');
    expect(f).toContain('ufw status numbered');
    expect(f).toContain('Done, check again');
    await press(r.stdin, KEY.enter);
    await waitText(frame, `Still failing: ${fw.title}`);
    expect(s.calls).toEqual(['run ssh', 'verify firewall']);
    await press(r.stdin, KEY.enter);
    await waitText(frame, 'Done: 0 fixed, 1 still open.');
    await press(r.stdin, KEY.enter);
    expect(onExit).toHaveBeenCalledWith(4);
  });

  test('nothing wrong: says so; Esc on the symptom list leaves', async () => {
    const s = scripted({ findings: [ok], fixedAfterVerify: new Set() });
    const onExit = vi.fn();
    const r = render(<DoctorFlow controller={s.c} rows={40} onExit={onExit} />);
    const frame = plain(r.lastFrame);
    await waitText(frame, 'What is wrong?');
    await press(r.stdin, KEY.enter);
    await waitText(frame, 'Checking');
    s.finish();
    await waitText(frame, 'No problems found by these checks.');
    await press(r.stdin, KEY.escape);
    await waitText(frame, 'What is wrong?');
    await press(r.stdin, KEY.escape);
    expect(onExit).toHaveBeenCalledWith(0);
  });

  test('in Chinese', async () => {
    const zh = translator('zh-CN');
    const s = scripted({ findings: [ok], fixedAfterVerify: new Set() });
    const r = render(<DoctorFlow controller={{ ...s.c, t: zh }} rows={40} onExit={() => {}} />);
    const f = await waitText(plain(r.lastFrame), '遇到了什么问题？');
    expect(f).toContain('网站打不开');
    expect(f).toContain('SSH 登录不上');
  });
});
