// The maintenance phase, for an installed stack: the stack chooser, the menu, a backup picked and
// confirmed, a command's live output, the troubleshooting session. One row of SCREENS per view.
import { Text } from 'ink';
import { useState, type ReactNode } from 'react';
import type { BackupSummary } from '../../domain/backup.js';
import { EXIT, errorText } from '../../errors.js';
import type { RegistryEntry } from '../../services/setup.js';
import type { MenuChoice, MenuEntry } from '../menu.js';
import { BackupPicker, Confirm } from '../screens/Backups.js';
import { DoctorFlow } from '../screens/Doctor.js';
import { CommandOutput, MenuScreen, StackChooser } from '../screens/Menu.js';
import type { View } from './navigation.js';
import type { WizardScope } from './scope.js';

export type MaintenanceView = Extract<View, { v: 'stacks' | 'menu' | 'pick' | 'confirm' | 'command' | 'doctor' }>;

/** What a maintenance screen is drawn from: the scope, the stack, and the phase's own state and actions. */
interface Wiring {
  s: WizardScope;
  stack: RegistryEntry | null;
  cmd: { lines: string[]; code: number | null };
  backups: { list: BackupSummary[] | null; error: string | null };
  runEntry(e: MenuEntry, choice: MenuChoice, how?: 'push' | 'replace' | 'fromPick'): void;
  openEntry(e: MenuEntry): void;
}

const SCREENS: { [K in MaintenanceView['v']]: (w: Wiring, view: Extract<MaintenanceView, { v: K }>) => ReactNode } = {
  stacks: ({ s }) => (
    <StackChooser
      t={s.t}
      stacks={s.stacks}
      onQuit={() => s.exit(0)}
      onChoose={(x) => {
        s.session.setStack(x);
        s.nav.go({ v: 'menu' });
      }}
    />
  ),
  menu: ({ s, stack, openEntry }) =>
    stack ? <MenuScreen t={s.t} stack={stack} entries={s.c.menu()} canGoBack={s.nav.canGoBack} onQuit={() => s.exit(0)} onChoose={openEntry} /> : null,
  doctor: ({ s }, view) => <DoctorFlow controller={view.controller} rows={s.rows} onExit={s.nav.back} />,
  pick: ({ s, stack, backups, runEntry }, view) => {
    if (!stack) return null;
    const e = view.entry;
    return (
      <BackupPicker
        t={s.t}
        title={s.t(e.pickTitle ?? 'ui.bk.pickTitle')}
        backups={backups.list}
        error={backups.error}
        onBack={s.nav.back}
        onChoose={(id) => (e.confirm ? s.nav.go({ v: 'confirm', entry: e, choice: { id } }) : runEntry(e, { id }, 'fromPick'))}
      />
    );
  },
  confirm: ({ s, runEntry }, view) => (
    <Confirm
      t={s.t}
      title={s.t(view.entry.label)}
      text={s.t(view.entry.confirm ?? 'ui.bk.genericConfirm', { id: view.choice.id ?? '' })}
      onBack={s.nav.back}
      onConfirm={() => runEntry(view.entry, { ...view.choice, yes: true }, 'fromPick')}
    />
  ),
  command: ({ s, cmd, runEntry }, view) => {
    const e = view.entry;
    const confirm =
      e.previewFirst && !view.choice?.yes
        ? { text: s.t(e.confirm ?? 'ui.bk.genericConfirm', { id: '' }), whenExit: e.previewExit ?? 2, onConfirm: () => runEntry(e, { ...view.choice, yes: true }, 'replace') }
        : undefined;
    return <CommandOutput t={s.t} title={s.t(e.label)} lines={cmd.lines} exitCode={cmd.code} height={Math.max(5, s.rows - 6)} onBack={s.nav.back} confirm={confirm} />;
  },
};

export function MaintenancePhase({ s }: { s: WizardScope }) {
  const { c, t, nav } = s;
  const { stack } = s.session;
  const [cmd, setCmd] = useState<Wiring['cmd']>({ lines: [], code: null });
  const [backups, setBackups] = useState<Wiring['backups']>({ list: null, error: null });

  /**
   * Runs a menu entry's command, its output live on the command screen. `push`: from the menu
   * (back returns to it); `replace`: in place of the current view (the preview's answer);
   * `fromPick`: from the backup picker or its question, which are done with: back returns to
   * the menu (never to a question that would run the command again).
   */
  const runEntry: Wiring['runEntry'] = (e, choice, how = 'push') => {
    if (!stack) return;
    setCmd({ lines: [], code: null });
    const view: View = { v: 'command', entry: e, choice };
    if (how === 'push') nav.go(view);
    else if (how === 'fromPick') nav.fromPick(view);
    else nav.replace(view);
    c.runCommand(e, stack, (line) => setCmd((x) => ({ ...x, lines: [...x.lines, line].slice(-500) })), choice).then(
      (code) => setCmd((x) => ({ ...x, code })),
      (err: unknown) => setCmd((x) => ({ lines: [...x.lines, errorText(t, err)], code: EXIT.failed })),
    );
  };

  /** A menu row chosen: the troubleshooting session, the setup again, a backup to pick, or the command. */
  const openEntry = (e: MenuEntry) => {
    if (!stack) return;
    if (e.flow === 'doctor' && c.doctor) {
      nav.go({ v: 'doctor', controller: c.doctor(stack) });
      return;
    }
    if (e.flow === 'reconfigure') {
      c.stackDraft(stack).then(
        (d) => {
          s.session.reconfigure(d);
          nav.go({ v: 'flow', id: 'app' });
        },
        (err: unknown) => {
          setCmd({ lines: errorText(t, err).split('\n'), code: EXIT.failed });
          nav.go({ v: 'command', entry: e });
        },
      );
      return;
    }
    if (e.pick === 'backup') {
      setBackups({ list: null, error: null });
      nav.go({ v: 'pick', entry: e });
      c.backups(stack).then(
        (list) => setBackups({ list, error: null }),
        (err: unknown) => setBackups({ list: null, error: errorText(t, err) }),
      );
      return;
    }
    runEntry(e, {});
  };

  const view = nav.view as MaintenanceView;
  const draw = SCREENS[view.v] as (w: Wiring, v: MaintenanceView) => ReactNode;
  return draw({ s, stack, cmd, backups, runEntry, openEntry }, view) ?? <Text>{t('ui.review.preparing')}</Text>;
}
