// The maintenance menu on a real controller: reconfigure and the use cases gather this host's facts
// (memory, cgroups, Docker, listening ports). Moved from the unit suite's menu.test.tsx
// (docs/ARCHITECTURE.md#tests).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { translator } from '../../../src/i18n/index.js';
import { App } from '../../../src/ui/app.js';
import type { MenuEntry } from '../../../src/ui/menu.js';
import { KEY, controllerFor, plain, press, waitFor, waitText } from '../../unit/ui/helpers.js';

afterEach(() => cleanup());
const t = translator('en');

describe('maintenance mode', () => {
  function installed() {
    const c = controllerFor();
    const installDir = join(c.dir, 'opt', 'shop');
    mkdirSync(installDir, { recursive: true });
    const answers = join(installDir, 'stack-wizard.yaml');
    writeFileSync(answers, 'project: shop\napp:\n  image: ghcr.io/acme/shop:3.1\n  runtime: node\ndatabase:\n  engine: mariadb\n');
    return { ...c, stack: { project: 'shop', installDir, answers, templateVersion: 1 } };
  }

  test('reconfigure re-runs the setup prefilled from the saved answers; Esc returns to the menu', async () => {
    const { controller, stack } = installed();
    const onExit = vi.fn();
    const r = render(<App controller={controller} stacks={[stack]} draft={{}} given={new Set()} onExit={onExit} onAbort={() => {}} />);
    const frame = plain(r.lastFrame);
    let f = await waitText(frame, 'Maintenance');
    expect(f).toContain('Reconfigure');
    // Every row of this build, in the table's order, then Quit.
    const labels = ['Status', 'Back up', 'Verify a backup', 'Restore', 'Update', 'Troubleshoot', 'Security status', 'Apply security settings', 'Reconfigure', 'Quit'];
    const at = labels.map((l) => f.indexOf(`${l}  `) >= 0 ? f.indexOf(`${l}  `) : f.indexOf(l));
    expect(at.every((x) => x >= 0), f).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    for (let i = 0; i < controller.menu().findIndex((e) => e.id === 'reconfigure'); i++) await press(r.stdin, KEY.down);
    await press(r.stdin, KEY.enter);
    f = await waitText(frame, 'Project and app');
    expect(f).toContain('shop (given)');
    expect(f).toContain('ghcr.io/acme/shop:3.1');
    expect(f).toContain('(*) node');
    await press(r.stdin, KEY.escape);
    await waitText(frame, 'Maintenance');
    // Quit is the last row, after every entry this build has.
    for (let i = 0; i < controller.menu().length; i++) await press(r.stdin, KEY.down);
    await press(r.stdin, KEY.enter);
    expect(onExit).toHaveBeenCalledWith(0);
  });

  test('runCommand runs the entry\'s use case, never a command line, and hands its output over line by line', async () => {
    const { controller, dir } = installed();
    // A stack of its own whose install dir is in the test's folder: the task logs there.
    const installDir = join(dir, 'opt', 'listed');
    mkdirSync(installDir, { recursive: true });
    const answers = join(installDir, 'stack-wizard.yaml');
    writeFileSync(answers, `project: listed\ninstallDir: ${installDir}\napp:\n  image: ghcr.io/acme/shop:3.1\n  runtime: node\n`);
    const stack = { project: 'listed', installDir, answers, templateVersion: 1 };
    const lines: string[] = [];
    // Restore without a backup chosen lists them, as `restore` without an id does.
    const entry: MenuEntry = { id: 'restore', label: 'ui.menu.restore', hint: 'ui.menu.restoreHint', task: (s) => ({ use: 'restore', stack: { answersFile: s.answers }, yes: false }) };
    const code = await controller.runCommand(entry, stack, (l) => lines.push(l));
    expect(code).toBe(0);
    expect(lines).toEqual([t('bk.listEmpty')]);
    const bad: MenuEntry = { ...entry, task: () => ({ use: 'status', stack: { answersFile: join(dir, 'missing.yaml') } }) };
    const lines2: string[] = [];
    expect(await controller.runCommand(bad, stack, (l) => lines2.push(l))).toBe(2);
    expect(lines2.join('\n')).toContain('missing.yaml does not exist');
  });
});

describe('several stacks installed', () => {
  function two() {
    const c = controllerFor();
    const stacks = ['shop', 'blog'].map((project) => {
      const installDir = join(c.dir, 'opt', project);
      mkdirSync(installDir, { recursive: true });
      const answers = join(installDir, 'stack-wizard.yaml');
      writeFileSync(answers, `project: ${project}\napp:\n  image: ghcr.io/acme/${project}:1\n`);
      return { project, installDir, answers, templateVersion: 1 };
    });
    return { ...c, stacks };
  }

  test('the chooser lists them; Enter opens one\'s menu; Esc there comes back; Quit exits 0', async () => {
    const { controller, stacks } = two();
    const onExit = vi.fn();
    const r = render(<App controller={controller} stacks={stacks} draft={{}} given={new Set()} onExit={onExit} onAbort={() => {}} />);
    const frame = plain(r.lastFrame);
    let f = await waitText(frame, 'Installed stacks');
    expect(f).toContain(`shop  ${stacks[0]!.installDir}`);
    expect(f).toContain(`blog  ${stacks[1]!.installDir}`);
    expect(f).toContain('Quit');
    expect(f).toContain('Esc quit');
    await press(r.stdin, KEY.down, KEY.enter);
    f = await waitText(frame, 'Maintenance');
    expect(f).toContain(`Stack "blog" in ${stacks[1]!.installDir}`);
    expect(f).toContain('Esc back');
    await press(r.stdin, KEY.escape);
    await waitText(frame, 'Installed stacks');
    expect(onExit).not.toHaveBeenCalled();
    await press(r.stdin, KEY.down, KEY.down, KEY.enter);
    await waitFor(frame, () => onExit.mock.calls.length > 0, 'onExit');
    expect(onExit).toHaveBeenCalledWith(0);
  });

  test('Esc on the chooser quits', async () => {
    const { controller, stacks } = two();
    const onExit = vi.fn();
    const r = render(<App controller={controller} stacks={stacks} draft={{}} given={new Set()} onExit={onExit} onAbort={() => {}} />);
    await waitText(plain(r.lastFrame), 'Installed stacks');
    await press(r.stdin, KEY.escape);
    await waitFor(plain(r.lastFrame), () => onExit.mock.calls.length > 0, 'onExit');
    expect(onExit).toHaveBeenCalledWith(0);
  });
});
