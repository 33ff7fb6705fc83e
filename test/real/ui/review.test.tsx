// The review screen: every file with its diff against the disk, every command init would run,
// the plan; Enter confirms; secrets never show.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { provisionalAnswers } from '../../../src/ui/model/validate.js';
import { ReviewScreen } from '../../../src/ui/screens/Review.js';
import { KEY, controllerFor, facts, flat, plain, press, waitFlat, waitText } from '../../unit/ui/helpers.js';

afterEach(() => cleanup());

async function setup(o: { isRoot?: boolean; dryRun?: boolean } = {}) {
  const { controller, dir } = controllerFor({ isRoot: o.isRoot ?? false, dryRun: o.dryRun });
  const out = join(dir, 'stack-wizard-shop');
  mkdirSync(out, { recursive: true });
  // An older render on disk: the review shows what changes.
  writeFileSync(join(out, 'docker-compose.yml'), 'name: "shop"\nservices: {}\n');
  const answers = provisionalAnswers({ project: 'shop', app: { image: 'ghcr.io/acme/shop:2.0' } })!;
  const review = await controller.review(answers, facts());
  return { controller, review, out, dir };
}

describe('Review', () => {
  test('files with their status and the diff of the selected one; .env shows names, never values', async () => {
    const { controller, review, out } = await setup();
    expect(review.targetDir).toBe(out);
    const onConfirm = vi.fn();
    const { lastFrame, stdin } = render(<ReviewScreen t={controller.t} review={review} problems={null} rows={40} onConfirm={onConfirm} />);
    const frame = plain(lastFrame);
    let f = await waitText(frame, `files in ${out}`);
    expect(f).toContain('+ .env');
    expect(f).toContain('~ docker-compose.yml');
    expect(f).toContain('+ stack-wizard.yaml');
    expect(flat(f)).toContain(controller.t('ui.review.localNotRoot', { dir: out }));
    expect(f).toMatch(/\+ MYSQL_ROOT_PASSWORD=••••••/);
    for (const secret of Object.values(review.prepared.secrets)) expect(f).not.toContain(secret);

    await press(stdin, KEY.down);
    f = await waitText(frame, '-services: {}');
    expect(f).toContain('--- docker-compose.yml');
    expect(f).toMatch(/\+ {2}app:/);
    await press(stdin, KEY.pageDown);
    await waitText(frame, 'line(s) above');
    await press(stdin, KEY.enter);
    expect(onConfirm).toHaveBeenCalledTimes(1);
  });

  test('the commands tab lists what init would run on a server; the plan tab the sizes', async () => {
    const { controller, review } = await setup();
    const { lastFrame, stdin } = render(<ReviewScreen t={controller.t} review={review} problems={null} rows={40} onConfirm={() => {}} />);
    const frame = plain(lastFrame);
    await waitText(frame, 'files in');
    await press(stdin, KEY.tab);
    let f = await waitText(frame, controller.t('ui.review.serverStepsLocal'));
    expect(f).toContain(controller.t('step.files'));
    expect(f).toContain('+ /opt/stack-wizard/shop/docker-compose.yml');
    await press(stdin, KEY.tab);
    f = await waitText(frame, 'Plan for "shop"');
    const mysql = review.plan.services.find((s) => s.name === 'mysql')!;
    expect(f).toMatch(new RegExp(`mysql\\s+${mysql.memoryMiB} MiB`));
    expect(f).toContain(controller.t('host.portTaken', { port: 80, process: 'nginx' }));
  });

  test('as root without --out it says the changes go to this server; a dry run says nothing changes', async () => {
    const root = await setup({ isRoot: true });
    expect(root.review.local).toBe(false);
    expect(root.review.targetDir).toBe('/opt/stack-wizard/shop');
    const a = render(<ReviewScreen t={root.controller.t} review={root.review} problems={null} rows={40} onConfirm={() => {}} />);
    await waitText(plain(a.lastFrame), root.controller.t('ui.review.server', { dir: '/opt/stack-wizard/shop' }));
    expect(plain(a.lastFrame)()).toContain('apply on this server');
    const dry = await setup({ dryRun: true });
    const b = render(<ReviewScreen t={dry.controller.t} review={dry.review} problems={null} rows={40} onConfirm={() => {}} />);
    await waitText(plain(b.lastFrame), dry.controller.t('ui.review.dryRun'));
  });

  test('answers that do not validate are listed instead', async () => {
    const { controller } = controllerFor();
    const { lastFrame } = render(<ReviewScreen t={controller.t} review={null} problems={['app.image (--image): is required (string)']} rows={30} onConfirm={() => {}} />);
    await waitFlat(plain(lastFrame), 'app.image (--image): is required');
  });
});
