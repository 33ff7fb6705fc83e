// Apply: steps with their state, a progress bar, the output kept to the last lines, a failure.
// Summary: the address, where files and secrets live, and what to do next.
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { translator } from '../../../src/i18n/index.js';
import type { StepEvent } from '../../../src/steps/engine.js';
import { applyReducer, initialApply, type ApplyState } from '../../../src/ui/model/apply.js';
import { ApplyScreen } from '../../../src/ui/screens/Apply.js';
import { KEY, flat, plain, press, waitText } from './helpers.js';

const MiB = 1024 * 1024;

afterEach(() => cleanup());
const t = translator('en');

describe('Apply', () => {
  test('steps move from pending to running to done; each image has its bar; output keeps the last lines', async () => {
    let s: ApplyState = initialApply([{ id: 'images', title: 'Pull images' }, { id: 'up', title: 'Start the stack' }]);
    const view = () => <ApplyScreen t={t} state={s} outputLines={4} />;
    const r = render(view());
    const frame = plain(r.lastFrame);
    let f = await waitText(frame, 'Pull images');
    expect(f).toMatch(/- Pull images/);
    const send = (e: StepEvent) => {
      s = applyReducer(s, e);
      r.rerender(view());
    };
    send({ step: 'images', kind: 'start', text: 'Pull images' });
    send({ step: 'images', kind: 'progress', item: 'mysql:8.4.6', fraction: 0, text: 'mysql:8.4.6' });
    send({ step: 'images', kind: 'progress', item: 'mysql:8.4.6 aaa111', fraction: 0.4, bytes: { done: 40 * MiB, total: 80 * MiB } });
    send({ step: 'images', kind: 'progress', item: 'mysql:8.4.6 bbb222', fraction: 0.8, bytes: { done: 20 * MiB, total: 20 * MiB } });
    send({ step: 'images', kind: 'progress', item: 'redis:7.4', fraction: 0, text: 'redis:7.4' });
    send({ step: 'images', kind: 'progress', item: 'redis:7.4 ccc333', fraction: 1, bytes: { done: 10 * MiB, total: 10 * MiB } });
    // mysql: (80 MiB × 0.4 + 20 MiB × 0.8) / 100 MiB = 48 %, 60 of 100 MiB arrived; redis done.
    f = await waitText(frame, '48%');
    expect(f).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Pull images/);
    expect(f).toMatch(/\[=+ +\] +48% +mysql:8\.4\.6 +60 MiB \/ 100 MiB/);
    expect(f).toMatch(/\[=+\] +100% +redis:7\.4 +10 MiB \/ 10 MiB/);
    for (let i = 1; i <= 30; i++) send({ step: 'images', kind: 'output', text: `layer ${i} pulled` });
    f = await waitText(frame, 'layer 30 pulled');
    expect(f).toContain('layer 27 pulled');
    expect(f).not.toContain('layer 26 pulled');
    send({ step: 'images', kind: 'done' });
    send({ step: 'up', kind: 'start', text: 'Start the stack' });
    send({ step: 'up', kind: 'progress', item: 'health', fraction: 1 / 3, text: 'app:starting mysql:healthy redis:healthy' });
    f = await waitText(frame, '33%');
    expect(f).toMatch(/✓ Pull images/);
    // The finished step's bars are gone; the health wait has its own.
    expect(f).not.toContain('mysql:8.4.6');
    expect(f).toMatch(/\[=+ +\] +33% +app:starting mysql:healthy redis:healthy/);
  });

  test('more bars than lines: the unfinished ones show, the rest are counted', async () => {
    let s = initialApply([{ id: 'images', title: 'Pull images' }]);
    s = applyReducer(s, { step: 'images', kind: 'start' });
    for (let i = 0; i < 8; i++) s = applyReducer(s, { step: 'images', kind: 'progress', item: `img${i}:1`, fraction: i < 5 ? 1 : 0.5, text: `img${i}:1` });
    // Four lines: the three unfinished and a count of the rest.
    let r = render(<ApplyScreen t={t} state={s} outputLines={4} barLines={4} />);
    let f = await waitText(plain(r.lastFrame), 'and 5 more');
    for (const i of [5, 6, 7]) expect(f).toContain(`img${i}:1`);
    for (const i of [0, 1, 2, 3, 4]) expect(f).not.toContain(`img${i}:1`);
    r.unmount();
    // One line more: the latest finished one too.
    r = render(<ApplyScreen t={t} state={s} outputLines={4} barLines={5} />);
    f = await waitText(plain(r.lastFrame), 'and 4 more');
    for (const i of [4, 5, 6, 7]) expect(f).toContain(`img${i}:1`);
    for (const i of [0, 1, 2, 3]) expect(f).not.toContain(`img${i}:1`);
  });

  test('a failure shows its message and what stays; Enter leaves', async () => {
    let s = initialApply([{ id: 'up', title: 'Start the stack' }]);
    s = applyReducer(s, { step: 'up', kind: 'start' });
    s = applyReducer(s, { step: 'up', kind: 'fail', text: 'docker compose up exited 1: port is already allocated' });
    const onFailedExit = vi.fn();
    const r = render(<ApplyScreen t={t} state={s} outputLines={4} onFailedExit={onFailedExit} />);
    const f = await waitText(plain(r.lastFrame), 'port is already allocated');
    expect(f).toMatch(/✗ Start the stack/);
    expect(flat(f)).toContain(t('ui.apply.failedNote'));
    await press(r.stdin, KEY.enter);
    expect(onFailedExit).toHaveBeenCalled();
  });
});
