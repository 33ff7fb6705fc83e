// Where Esc goes back to: the wizard's navigation reducer, without drawing anything.
import { describe, expect, test } from 'vitest';
import { MAINTENANCE_MENU } from '../../../src/ui/menu.js';
import { initialNav, navReducer, type Nav, type NavAction } from '../../../src/ui/wizard/navigation.js';

const entry = (id: string) => MAINTENANCE_MENU.find((e) => e.id === id)!;
const run = (s: Nav, ...actions: NavAction[]) => actions.reduce(navReducer, s);

describe('the wizard\'s navigation', () => {
  test('it starts at setup with no stack, at the menu with one, at the chooser with several', () => {
    expect(initialNav(0)).toEqual({ view: { v: 'flow', id: 'welcome' }, history: [] });
    expect(initialNav(1)).toEqual({ view: { v: 'menu' }, history: [] });
    expect(initialNav(2)).toEqual({ view: { v: 'stacks' }, history: [] });
  });

  test('go and back retrace the way; back at the start stays put', () => {
    const start = initialNav(0);
    const s = run(start, { type: 'go', view: { v: 'flow', id: 'app' } }, { type: 'go', view: { v: 'flow', id: 'preset' } });
    expect(s.view).toEqual({ v: 'flow', id: 'preset' });
    const b = run(s, { type: 'back' });
    expect(b.view).toEqual({ v: 'flow', id: 'app' });
    const home = run(b, { type: 'back' });
    expect(home).toEqual(start);
    expect(run(home, { type: 'back' })).toBe(home);
  });

  test('apply and its summary leave no way back', () => {
    const data = { urls: [], targetDir: '/opt/x', envFile: '/opt/x/.env', answersFile: '/opt/x/stack-wizard.yaml', local: false, dryRun: true, applied: 0, next: [] };
    const s = run(initialNav(0), { type: 'go', view: { v: 'flow', id: 'review' } }, { type: 'start', view: { v: 'summary', data } });
    expect(s).toEqual({ view: { v: 'summary', data }, history: [] });
    expect(run(s, { type: 'back' })).toBe(s);
  });

  test('a preview answered in place: back returns to where the preview was opened from', () => {
    const update = entry('update');
    const s = run(initialNav(1), { type: 'go', view: { v: 'command', entry: update, choice: {} } }, { type: 'replace', view: { v: 'command', entry: update, choice: { yes: true } } });
    expect(s.view).toEqual({ v: 'command', entry: update, choice: { yes: true } });
    expect(run(s, { type: 'back' }).view).toEqual({ v: 'menu' });
  });

  test('after the backup picker and its question, back returns to the menu, never to the question', () => {
    const restore = entry('restore');
    const s = run(
      initialNav(2),
      { type: 'go', view: { v: 'menu' } },
      { type: 'go', view: { v: 'pick', entry: restore } },
      { type: 'go', view: { v: 'confirm', entry: restore, choice: { id: 'b1' } } },
      { type: 'fromPick', view: { v: 'command', entry: restore, choice: { id: 'b1', yes: true } } },
    );
    expect(s.view.v).toBe('command');
    expect(s.history.map((v) => v.v)).toEqual(['stacks', 'menu']);
    const menu = run(s, { type: 'back' });
    expect(menu.view).toEqual({ v: 'menu' });
    expect(run(menu, { type: 'back' }).view).toEqual({ v: 'stacks' });
  });
});
