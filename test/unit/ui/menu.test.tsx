// The maintenance menu: a table of entries tied to commands, shown as each command exists;
// reconfigure re-runs the setup prefilled from the saved answers; a command's output on screen.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { COMMANDS } from '../../../src/commands/index.js';
import { translator } from '../../../src/i18n/index.js';
import { App } from '../../../src/ui/app.js';
import { MAINTENANCE_MENU, availableEntries, type MenuEntry } from '../../../src/ui/menu.js';
import { CommandOutput, MenuScreen } from '../../../src/ui/screens/Menu.js';
import { KEY, controllerFor, plain, press, waitText } from './helpers.js';

afterEach(() => cleanup());
const t = translator('en');

describe('the menu table', () => {
  test('covers status, backup, restore, update, troubleshoot, security and reconfigure', () => {
    expect(MAINTENANCE_MENU.map((e) => e.id)).toEqual(['status', 'backup', 'restore', 'update', 'troubleshoot', 'security', 'reconfigure']);
  });
  test('an entry shows only when its command exists in the command table', () => {
    const names = new Set(COMMANDS.map((c) => c.name));
    const shown = availableEntries((n) => names.has(n)).map((e) => e.id);
    for (const e of MAINTENANCE_MENU) expect(shown.includes(e.id)).toBe(names.has(e.command));
    // When a command lands, its row appears with nothing else to change.
    expect(availableEntries((n) => names.has(n) || n === 'status').map((e) => e.id)).toContain('status');
  });
  test('stack commands get the stack\'s answers file', () => {
    const stack = { project: 'p', installDir: '/opt/stack-wizard/p', answers: '/opt/stack-wizard/p/stack-wizard.yaml', templateVersion: 1 };
    expect(MAINTENANCE_MENU.find((e) => e.id === 'security')!.args(stack)).toEqual(['status', '--answers', stack.answers]);
  });
});

describe('MenuScreen', () => {
  test('lists the entries with their hints; Enter opens one; the last row quits', async () => {
    const stack = { project: 'shop', installDir: '/opt/stack-wizard/shop', answers: '/x.yaml', templateVersion: 1 };
    const entries = availableEntries(() => true);
    const onChoose = vi.fn();
    const onQuit = vi.fn();
    const r = render(<MenuScreen t={t} stack={stack} entries={entries} onChoose={onChoose} onQuit={onQuit} />);
    const f = await waitText(plain(r.lastFrame), 'Reconfigure');
    expect(f).toContain('Stack "shop" in /opt/stack-wizard/shop');
    expect(f).toContain('Troubleshoot  find what is wrong');
    await press(r.stdin, KEY.down, KEY.enter);
    expect((onChoose.mock.calls[0]![0] as MenuEntry).id).toBe('backup');
    for (let i = 0; i < entries.length; i++) await press(r.stdin, KEY.down);
    await press(r.stdin, KEY.enter);
    expect(onQuit).toHaveBeenCalled();
  });

  test('a command\'s output, then its result; Enter goes back', async () => {
    const onBack = vi.fn();
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i}`);
    const r = render(<CommandOutput t={t} title="Status" lines={lines} exitCode={null} height={10} onBack={onBack} />);
    let f = await waitText(plain(r.lastFrame), 'line 39');
    expect(f).not.toContain('line 29');
    await press(r.stdin, KEY.enter);
    expect(onBack).not.toHaveBeenCalled();
    r.rerender(<CommandOutput t={t} title="Status" lines={lines} exitCode={4} height={10} onBack={onBack} />);
    f = await waitText(plain(r.lastFrame), 'exit code 4');
    await press(r.stdin, KEY.enter);
    expect(onBack).toHaveBeenCalled();
  });
});

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
    // Only commands that exist appear (status, backup… arrive with their modules).
    for (const e of MAINTENANCE_MENU) expect(f.includes(t(e.label))).toBe(COMMANDS.some((c) => c.name === e.command));
    const at = controller.menu().findIndex((e) => e.id === 'reconfigure');
    for (let i = 0; i < at; i++) await press(r.stdin, KEY.down);
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

  test('runCommand runs a command module and hands its output over line by line', async () => {
    const { controller, stack, dir } = installed();
    const lines: string[] = [];
    const out = join(dir, 'rendered');
    const entry: MenuEntry = { id: 'status', label: 'ui.menu.status', hint: 'ui.menu.statusHint', command: 'render', args: (s) => ['--answers', s.answers, '--out', out] };
    const code = await controller.runCommand(entry, stack, (l) => lines.push(l));
    expect(code).toBe(0);
    expect(lines[0]).toContain(`Rendered`);
    expect(lines.some((l) => l.includes('docker-compose.yml'))).toBe(true);
    const bad: MenuEntry = { ...entry, args: () => ['--answers', join(dir, 'missing.yaml'), '--out', out] };
    const lines2: string[] = [];
    expect(await controller.runCommand(bad, stack, (l) => lines2.push(l))).toBe(2);
    expect(lines2.join('\n')).toContain('missing.yaml does not exist');
  });
});
