// The maintenance menu: a table of entries, each a use case of src/services/ (a task) or a wizard
// flow; reconfigure re-runs the setup prefilled from the saved answers; a task's output on screen.
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { translator } from '../../../src/i18n/index.js';
import { MAINTENANCE_MENU, type MenuEntry } from '../../../src/ui/menu.js';
import { CommandOutput, MenuScreen } from '../../../src/ui/screens/Menu.js';
import { KEY, controllerFor, plain, press, waitText } from './helpers.js';

afterEach(() => cleanup());
const t = translator('en');

const ALL_IDS = ['status', 'backup', 'verify', 'drill', 'notifyTest', 's3Test', 'restore', 'update', 'troubleshoot', 'security', 'securityApply', 'reconfigure'];

describe('the menu table', () => {
  test('covers status, backup, verify, the restore drill, the alert and bucket tests, restore, update, troubleshoot, security (status and apply) and reconfigure', () => {
    expect(MAINTENANCE_MENU.map((e) => e.id)).toEqual(ALL_IDS);
  });
  test('every entry but reconfigure runs a use case; the controller offers the whole table', () => {
    expect(MAINTENANCE_MENU.filter((e) => !e.task).map((e) => e.id)).toEqual(['reconfigure']);
    expect(MAINTENANCE_MENU.find((e) => e.id === 'reconfigure')!.flow).toBe('reconfigure');
    expect(controllerFor().controller.menu().map((e) => e.id)).toEqual(ALL_IDS);
  });
  test('stack tasks get the stack\'s answers file; apply previews as a dry run and runs with yes', () => {
    const stack = { project: 'p', installDir: '/opt/stack-wizard/p', answers: '/opt/stack-wizard/p/stack-wizard.yaml', templateVersion: 1 };
    const row = (id: string) => MAINTENANCE_MENU.find((e) => e.id === id)!;
    expect(row('status').task!(stack)).toEqual({ use: 'status', stack: { answersFile: stack.answers } });
    expect(row('backup').task!(stack)).toEqual({ use: 'backup', stack: { answersFile: stack.answers } });
    expect(row('drill').task!(stack)).toEqual({ use: 'backupDrill', stack: { answersFile: stack.answers } });
    expect(row('notifyTest').task!(stack)).toEqual({ use: 'notifyTest', stack: { answersFile: stack.answers } });
    expect(row('s3Test').task!(stack)).toEqual({ use: 's3Test', stack: { answersFile: stack.answers } });
    expect(row('security').task!(stack)).toEqual({ use: 'securityStatus', answersFile: stack.answers });
    expect(row('securityApply').task!(stack)).toEqual({ use: 'securityApply', answersFile: stack.answers, yes: false, dryRun: true });
    expect(row('securityApply').task!(stack, { yes: true })).toEqual({ use: 'securityApply', answersFile: stack.answers, yes: true, dryRun: false });
    expect(row('verify').task!(stack, { id: '20260102-030000' })).toEqual({ use: 'backupVerify', stack: { answersFile: stack.answers }, id: '20260102-030000' });
    expect(row('verify').confirm).toBeUndefined();
    expect(row('restore').task!(stack, { id: '20260102-030000' })).toEqual({ use: 'restore', stack: { answersFile: stack.answers }, id: '20260102-030000', yes: false });
    expect(row('update').task!(stack, { yes: true })).toEqual({ use: 'update', stack: { answersFile: stack.answers }, yes: true });
    expect(row('troubleshoot').task!(stack)).toEqual({ use: 'doctor', stack: { answersFile: stack.answers } });
  });
});

describe('MenuScreen', () => {
  test('lists the entries with their hints; Enter opens one; the last row quits', async () => {
    const stack = { project: 'shop', installDir: '/opt/stack-wizard/shop', answers: '/x.yaml', templateVersion: 1 };
    const entries = [...MAINTENANCE_MENU];
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
    const f = await waitText(plain(r.lastFrame), 'line 39');
    expect(f).not.toContain('line 29');
    await press(r.stdin, KEY.enter);
    expect(onBack).not.toHaveBeenCalled();
    r.rerender(<CommandOutput t={t} title="Status" lines={lines} exitCode={4} height={10} onBack={onBack} />);
    await waitText(plain(r.lastFrame), 'exit code 4');
    await press(r.stdin, KEY.enter);
    expect(onBack).toHaveBeenCalled();
  });
});
