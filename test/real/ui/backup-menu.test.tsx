// The maintenance menu's backup, restore and update rows: restore picks a backup on its own screen
// (newest first, from the manifests on disk) and asks before it runs with --yes; update shows its
// preview (the command's own output) and runs with --yes only after Enter; verify picks a backup
// and runs at once; security apply previews as a dry run and asks before it runs with --yes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { manifestText, type Manifest } from '../../../src/domain/backup.js';
import { App } from '../../../src/ui/app.js';
import type { MaintenanceTask } from '../../../src/services/maintenance.js';
import type { MenuChoice, MenuEntry } from '../../../src/ui/menu.js';
import type { RegistryEntry } from '../../../src/steps/installed.js';
import { KEY, controllerFor, plain, press, waitText } from '../../unit/ui/helpers.js';

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
  const calls: { entry: MenuEntry; choice: MenuChoice | undefined; task: MaintenanceTask }[] = [];
  const runCommand = vi.fn(async (entry: MenuEntry, s: RegistryEntry, onLine: (l: string) => void, choice?: MenuChoice) => {
    const task = entry.task!(s, choice);
    calls.push({ entry, choice, task });
    onLine(`ran ${task.use}${'yes' in task && task.yes ? ' yes' : ''}`);
    // Without yes these use cases preview and exit 2, as the real ones do.
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
    await waitText(frame, 'Restore backup 20260101-030000?');
    expect(calls).toHaveLength(0);
    // Esc goes back to the list, nothing run.
    await press(r.stdin, KEY.escape);
    await waitText(frame, 'choose a backup');
    await press(r.stdin, KEY.enter);
    await waitText(frame, 'Restore backup 20260102-030000?');
    await press(r.stdin, KEY.enter);
    await waitText(frame, 'Done.');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.task).toEqual({ use: 'restore', stack: { answersFile: stack.answers }, id: '20260102-030000', yes: true });
    // Enter leaves for the menu, as the screen says; never back to the question, where another Enter would restore again.
    await press(r.stdin, KEY.enter);
    f = await waitText(frame, 'Maintenance');
    expect(f).not.toContain('Restore backup');
    expect(calls).toHaveLength(1);
  });

  test('update: the preview runs first, and only Enter on its question runs it with --yes', async () => {
    const { controller, stack, calls } = installed();
    const r = render(<App controller={controller} stacks={[stack]} draft={{}} given={new Set()} onExit={() => {}} onAbort={() => {}} />);
    const frame = plain(r.lastFrame);
    await waitText(frame, 'Maintenance');
    await moveTo(r.stdin, controller.menu(), 'update');
    let f = await waitText(frame, 'Apply this update?');
    expect(f).toContain('ran update');
    expect(f).not.toContain('ran update yes');
    expect(calls.map((c) => c.task)).toEqual([{ use: 'update', stack: { answersFile: stack.answers }, yes: false }]);
    await press(r.stdin, KEY.enter);
    f = await waitText(frame, 'Done.');
    expect(f).toContain('ran update yes');
    expect(calls.map((c) => c.task)).toEqual([
      { use: 'update', stack: { answersFile: stack.answers }, yes: false },
      { use: 'update', stack: { answersFile: stack.answers }, yes: true },
    ]);
  });

  test('verify: the same picker, titled for verify; the chosen backup is verified at once and the result shown', async () => {
    const { controller, stack, calls } = installed();
    const verified = vi.fn(async (entry: MenuEntry, s: RegistryEntry, onLine: (l: string) => void, choice?: MenuChoice) => {
      calls.push({ entry, choice, task: entry.task!(s, choice) });
      onLine(`Backup ${choice?.id} verified: 1 file checksummed, 1 table with 10 rows restored in a throwaway container.`);
      return 0;
    });
    const r = render(<App controller={{ ...controller, runCommand: verified }} stacks={[stack]} draft={{}} given={new Set()} onExit={() => {}} onAbort={() => {}} />);
    const frame = plain(r.lastFrame);
    await waitText(frame, 'Maintenance');
    await moveTo(r.stdin, controller.menu(), 'verify');
    // The list loads after the title shows: Enter before it is on screen would choose nothing.
    let f = await waitText(frame, '20260101-030000');
    expect(f).toContain('Verify: choose a backup');
    expect(f.indexOf('20260102-030000')).toBeLessThan(f.indexOf('20260101-030000'));
    expect(calls).toHaveLength(0);
    await press(r.stdin, KEY.down, KEY.enter);
    f = await waitText(frame, 'Done.');
    expect(f).toContain('Backup 20260101-030000 verified');
    expect(calls.map((c) => c.task)).toEqual([{ use: 'backupVerify', stack: { answersFile: stack.answers }, id: '20260101-030000' }]);
    // Enter returns to the menu.
    await press(r.stdin, KEY.enter);
    await waitText(frame, 'Maintenance');
  });

  test('verify: a backup that fails its check shows the failure and its exit code', async () => {
    const { controller, stack } = installed();
    const failing = vi.fn(async (_e: MenuEntry, _s: RegistryEntry, onLine: (l: string) => void) => {
      onLine('error: database.sql.gz: SHA-256 differs from the manifest');
      return 1;
    });
    const r = render(<App controller={{ ...controller, runCommand: failing }} stacks={[stack]} draft={{}} given={new Set()} onExit={() => {}} onAbort={() => {}} />);
    const frame = plain(r.lastFrame);
    await waitText(frame, 'Maintenance');
    await moveTo(r.stdin, controller.menu(), 'verify');
    await waitText(frame, '20260101-030000');
    await press(r.stdin, KEY.enter);
    const f = await waitText(frame, 'Failed (exit code 1)');
    expect(f).toContain('SHA-256 differs from the manifest');
  });

  test('security apply: a dry run first, then only Enter on its question runs it with --yes; Esc runs nothing', async () => {
    const { controller, stack } = installed();
    const calls: MaintenanceTask[] = [];
    // As the real use case: the dry run lists the changes and exits 0; with yes it applies them.
    const security = vi.fn(async (entry: MenuEntry, s: RegistryEntry, onLine: (l: string) => void, choice?: MenuChoice) => {
      const task = entry.task!(s, choice);
      calls.push(task);
      onLine(task.use === 'securityApply' && task.dryRun ? '• Firewall (ufw)\n    ufw allow 22/tcp' : 'Applied 1 change.');
      return 0;
    });
    const r = render(<App controller={{ ...controller, runCommand: security }} stacks={[stack]} draft={{}} given={new Set()} onExit={() => {}} onAbort={() => {}} />);
    const frame = plain(r.lastFrame);
    await waitText(frame, 'Maintenance');
    await moveTo(r.stdin, controller.menu(), 'securityApply');
    let f = await waitText(frame, 'Apply these security settings?');
    expect(f).toContain('ufw allow 22/tcp');
    const preview: MaintenanceTask = { use: 'securityApply', answersFile: stack.answers, yes: false, dryRun: true };
    expect(calls).toEqual([preview]);
    await press(r.stdin, KEY.escape);
    await waitText(frame, 'Maintenance');
    expect(calls).toHaveLength(1);
    await moveTo(r.stdin, controller.menu(), 'securityApply');
    await waitText(frame, 'Apply these security settings?');
    await press(r.stdin, KEY.enter);
    f = await waitText(frame, 'Done.');
    expect(f).toContain('Applied 1 change.');
    expect(calls).toEqual([preview, preview, { use: 'securityApply', answersFile: stack.answers, yes: true, dryRun: false }]);
  });

  test('security apply: a preview that refuses (the lock-out guard, exit 3) asks nothing', async () => {
    const { controller, stack } = installed();
    const refusing = vi.fn(async (_e: MenuEntry, _s: RegistryEntry, onLine: (l: string) => void) => {
      onLine('error: these rules would close the SSH port 2222 that sshd listens on');
      return 3;
    });
    const r = render(<App controller={{ ...controller, runCommand: refusing }} stacks={[stack]} draft={{}} given={new Set()} onExit={() => {}} onAbort={() => {}} />);
    const frame = plain(r.lastFrame);
    await waitText(frame, 'Maintenance');
    await moveTo(r.stdin, controller.menu(), 'securityApply');
    const f = await waitText(frame, 'Failed (exit code 3)');
    expect(f).not.toContain('Apply these security settings?');
    await press(r.stdin, KEY.enter);
    await waitText(frame, 'Maintenance');
    expect(refusing).toHaveBeenCalledTimes(1);
  });

  test('backup runs at once and its output is shown', async () => {
    const { controller, stack, calls } = installed();
    const r = render(<App controller={controller} stacks={[stack]} draft={{}} given={new Set()} onExit={() => {}} onAbort={() => {}} />);
    const frame = plain(r.lastFrame);
    await waitText(frame, 'Maintenance');
    await moveTo(r.stdin, controller.menu(), 'backup');
    await waitText(frame, 'ran backup');
    expect(calls.map((c) => c.task)).toEqual([{ use: 'backup', stack: { answersFile: stack.answers } }]);
  });
});
