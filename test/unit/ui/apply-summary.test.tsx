// Apply: steps with their state, a progress bar, the output kept to the last lines, a failure.
// Summary: the address, where files and secrets live, and what to do next.
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { translator } from '../../../src/i18n/index.js';
import type { StepEvent } from '../../../src/steps/engine.js';
import { applyReducer, initialApply, provisionalAnswers, type ApplyState } from '../../../src/ui/model.js';
import { ApplyScreen } from '../../../src/ui/screens/Apply.js';
import { SummaryScreen } from '../../../src/ui/screens/Summary.js';
import { KEY, controllerFor, facts, flat, plain, press, waitFlat, waitFor, waitText } from './helpers.js';

afterEach(() => cleanup());
const t = translator('en');

describe('Apply', () => {
  test('steps move from pending to running to done; a pull shows its bar; output keeps the last lines', async () => {
    let s: ApplyState = initialApply([{ id: 'pull', title: 'Pull images' }, { id: 'up', title: 'Start the stack' }]);
    const view = () => <ApplyScreen t={t} state={s} outputLines={4} />;
    const r = render(view());
    const frame = plain(r.lastFrame);
    let f = await waitText(frame, 'Pull images');
    expect(f).toMatch(/- Pull images/);
    const send = (e: StepEvent) => {
      s = applyReducer(s, e);
      r.rerender(view());
    };
    send({ step: 'pull', kind: 'start', text: 'Pull images' });
    send({ step: 'pull', kind: 'progress', fraction: 0.42, text: 'mysql:8.4.6 (230 MB)' });
    f = await waitText(frame, '42%');
    expect(f).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Pull images/);
    expect(f).toContain('mysql:8.4.6 (230 MB)');
    expect(f).toMatch(/\[=+ +\] +42%/);
    for (let i = 1; i <= 30; i++) send({ step: 'pull', kind: 'output', text: `layer ${i} pulled` });
    f = await waitText(frame, 'layer 30 pulled');
    expect(f).toContain('layer 27 pulled');
    expect(f).not.toContain('layer 26 pulled');
    send({ step: 'pull', kind: 'done' });
    send({ step: 'up', kind: 'start', text: 'Start the stack' });
    f = await waitText(frame, '100%');
    expect(f).toMatch(/✓ Pull images/);
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

describe('Summary', () => {
  test('not root: the local folder, the secrets file, and the command to run on the server', async () => {
    const { controller, dir } = controllerFor({ isRoot: false });
    const answers = provisionalAnswers({ project: 'shop', app: { image: 'ghcr.io/acme/shop:2.0' } })!;
    const review = await controller.review(answers, facts());
    const data = controller.summary(review, { applied: 1, targetDir: review.targetDir, local: true }, facts());
    const onExit = vi.fn();
    const r = render(<SummaryScreen t={t} data={data} onExit={onExit} />);
    const frame = plain(r.lastFrame);
    const f = await waitText(frame, 'Address');
    expect(f).toContain('http://203.0.113.10/');
    expect(f).toContain(`${dir}/stack-wizard-shop/.env (mode 0600; never printed)`);
    expect(flat(f)).toContain(t('ui.summary.local', { dir: `${dir}/stack-wizard-shop` }));
    expect(flat(f)).toContain(`stack-wizard init --answers ${dir}/stack-wizard-shop/stack-wizard.yaml`);
    expect(flat(f)).toContain(`There, init will: ${t('step.files')}`);
    await press(r.stdin, KEY.enter);
    expect(onExit).toHaveBeenCalled();
  });

  test('applied on the server: the https address, DNS and the maintenance menu next', async () => {
    const { controller } = controllerFor({ isRoot: true });
    const answers = provisionalAnswers({ project: 'shop', app: { image: 'a/b:1' }, domain: 'shop.example.com', email: 'ops@example.com' })!;
    const review = await controller.review(answers, facts());
    const data = controller.summary(review, { applied: 1, targetDir: review.targetDir, local: false }, facts());
    const r = render(<SummaryScreen t={t} data={data} onExit={() => {}} />);
    const f = await waitFlat(plain(r.lastFrame), 'https://shop.example.com/');
    expect(flat(f)).toContain(t('init.applied', { count: 1, dir: '/opt/stack-wizard/shop' }));
    expect(flat(f)).toContain(t('ui.next.dns', { domain: 'shop.example.com', ip: '203.0.113.10' }));
    expect(flat(f)).toContain(t('ui.next.menu'));
    await waitFor(plain(r.lastFrame), (x) => x.includes('/opt/stack-wizard/shop/.env'));
  });
});
