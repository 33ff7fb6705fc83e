// The maintenance menu's backup, restore and update rows: restore picks a backup on its own screen
// (newest first, from the manifests on disk) and asks before it runs with --yes; update shows its
// preview (the command's own output) and runs with --yes only after Enter.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { manifestText, type Manifest } from '../../../src/domain/backup.js';
import { App } from '../../../src/ui/app.js';
import type { MenuChoice, MenuEntry } from '../../../src/ui/menu.js';
import type { RegistryEntry } from '../../../src/steps/installed.js';
import { KEY, controllerFor, plain, press, waitText } from './helpers.js';

afterEach(() => cleanup());

function installed() {
  const c = controllerFor();
  const installDir = join(c.dir, 'opt', 'shop');
  mkdirSync(installDir, { recursive: true });
  const answers = join(installDir, 'stack-wizard.yaml');
  writeFileSync(answers, 'project: shop\napp:\n  image: ghcr.io/acme/shop:3.1\n');
  const stack: RegistryEntry = { project: 'shop', installDir, answers, templateVersion: 1 };
  const backup = (id: string, createdAt: string, rows: number) => {
    const m: Manifest = {
      format: 1, id, project: 'shop', kind: 'manual', createdAt, durationMs: 1, tool: { version: 'x', templateVersion: 1 }, compression: 'gzip', encryption: null,
      database: { engine: 'mariadb', serverVersion: '10.11.6', image: 'mariadb:10.11', dumpTool: 'mariadb-dump', databases: ['shop'], tables: { 'shop.items': rows } },
      redis: null, volumes: [], files: [{ name: 'database.sql.gz', kind: 'database', bytes: 2048, sha256: 'b'.repeat(64), rawBytes: 9000 }],
    };
    mkdirSync(join(installDir, 'backups', id), { recursive: true });
    writeFileSync(join(installDir, 'backups', id, 'manifest.json'), manifestText(m));
  };
  backup('20260101-030000', '2026-01-01T03:00:00.000Z', 10);
  backup('20260102-030000', '2026-01-02T03:00:00.000Z', 20);
  // A half-written backup is not offered.
  mkdirSync(join(installDir, 'backups', '20260103-030000.partial'), { recursive: true });
  const calls: { entry: MenuEntry; choice: MenuChoice | undefined; args: string[] }[] = [];
  const runCommand = vi.fn(async (entry: MenuEntry, s: RegistryEntry, onLine: (l: string) => void, choice?: MenuChoice) => {
    calls.push({ entry, choice, args: entry.args(s, choice) });
    onLine(`ran ${entry.command} ${entry.args(s, choice).join(' ')}`);
    // Without --yes these commands preview and exit 2, as the real ones do.
    return choice?.yes ? 0 : 2;
  });
  const controller = { ...c.controller, runCommand };
  return { controller, stack, calls };
}

const moveTo = async (stdin: Parameters<typeof press>[0], entries: MenuEntry[], id: string) => {
  const at = entries.findIndex((e) => e.id === id);
  for (let i = 0; i < at; i++) await press(stdin, KEY.down);
  await press(stdin, KEY.enter);
};

describe('backup rows of the maintenance menu', () => {
  test('restore: the picker lists complete backups newest first; the chosen one runs with --yes after the question', async () => {
    const { controller, stack, calls } = installed();
    const r = render(<App controller={controller} stacks={[stack]} draft={{}} given={new Set()} onExit={() => {}} onAbort={() => {}} />);
    const frame = plain(r.lastFrame);
    await waitText(frame, 'Maintenance');
    await moveTo(r.stdin, controller.menu(), 'restore');
    let f = await waitText(frame, '20260101-030000');
    expect(f).toContain('Restore: choose a backup');
    expect(f.indexOf('20260102-030000')).toBeLessThan(f.indexOf('20260101-030000'));
    expect(f).toContain('20 rows');
    expect(f).not.toContain('partial');
    // The older one.
    await press(r.stdin, KEY.down, KEY.enter);
    f = await waitText(frame, 'Restore backup 20260101-030000?');
    expect(calls).toHaveLength(0);
    // Esc goes back to the list, nothing run.
    await press(r.stdin, KEY.escape);
    await waitText(frame, 'choose a backup');
    await press(r.stdin, KEY.enter);
    await waitText(frame, 'Restore backup 20260102-030000?');
    await press(r.stdin, KEY.enter);
    f = await waitText(frame, 'Done.');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args).toEqual(['20260102-030000', '--yes', '--answers', stack.answers]);
  });

  test('update: the preview runs first, and only Enter on its question runs it with --yes', async () => {
    const { controller, stack, calls } = installed();
    const r = render(<App controller={controller} stacks={[stack]} draft={{}} given={new Set()} onExit={() => {}} onAbort={() => {}} />);
    const frame = plain(r.lastFrame);
    await waitText(frame, 'Maintenance');
    await moveTo(r.stdin, controller.menu(), 'update');
    let f = await waitText(frame, 'Apply this update?');
    expect(f).toContain(`ran update --answers ${stack.answers}`);
    expect(calls.map((c) => c.args)).toEqual([['--answers', stack.answers]]);
    await press(r.stdin, KEY.enter);
    f = await waitText(frame, 'Done.');
    expect(f).toContain(`ran update --yes --answers ${stack.answers}`);
    expect(calls.map((c) => c.args)).toEqual([['--answers', stack.answers], ['--yes', '--answers', stack.answers]]);
  });

  test('backup runs at once and its output is shown', async () => {
    const { controller, stack, calls } = installed();
    const r = render(<App controller={controller} stacks={[stack]} draft={{}} given={new Set()} onExit={() => {}} onAbort={() => {}} />);
    const frame = plain(r.lastFrame);
    await waitText(frame, 'Maintenance');
    await moveTo(r.stdin, controller.menu(), 'backup');
    await waitText(frame, `ran backup --answers ${stack.answers}`);
    expect(calls).toHaveLength(1);
  });
});
