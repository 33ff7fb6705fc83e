// The summary after a setup, from a real controller's review: the preview behind it probes this
// host (its firewall, fail2ban, Docker). Moved from the unit suite's apply-summary.test.tsx
// (docs/ARCHITECTURE.md#tests).
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { translator } from '../../../src/i18n/index.js';
import { provisionalAnswers } from '../../../src/ui/model/validate.js';
import { SummaryScreen } from '../../../src/ui/screens/Summary.js';
import { KEY, controllerFor, facts, flat, plain, press, waitFlat, waitFor, waitText } from '../../unit/ui/helpers.js';

afterEach(() => cleanup());
const t = translator('en');

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

  test('root with --out: the same next command with --answers in English and in Chinese (#22.15)', async () => {
    for (const lang of ['en', 'zh-CN'] as const) {
      const { controller, dir } = controllerFor({ isRoot: true, lang, out: 'out' });
      const answers = provisionalAnswers({ project: 'shop', app: { image: 'ghcr.io/acme/shop:2.0' } })!;
      const review = await controller.review(answers, facts());
      const data = controller.summary(review, { applied: 1, targetDir: review.targetDir, local: true }, facts());
      const r = render(<SummaryScreen t={translator(lang)} data={data} onExit={() => {}} />);
      const f = await waitFlat(plain(r.lastFrame), 'stack-wizard init --answers');
      expect(flat(f), lang).toContain(`stack-wizard init --answers ${review.targetDir}/stack-wizard.yaml`);
      expect(review.targetDir.startsWith(dir), lang).toBe(true);
      cleanup();
    }
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
