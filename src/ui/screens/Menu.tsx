// The maintenance menu for an installed stack: one row per capability present in this build.
import { Box, Text } from 'ink';
import { useState, type ReactNode } from 'react';
import type { T } from '../../i18n/index.js';
import type { RegistryEntry } from '../../services/setup.js';
import { Frame, SelectList, useKeys, type Hint } from '../components.js';
import type { MenuEntry, MenuId } from '../menu.js';

export interface MenuProps {
  t: T;
  stack: RegistryEntry;
  entries: MenuEntry[];
  onChoose: (e: MenuEntry) => void;
  onQuit: () => void;
  /** Reached from the stack chooser: Esc goes back to it (the wizard handles the key). */
  canGoBack?: boolean;
}

export function MenuScreen({ t, stack, entries, onChoose, onQuit, canGoBack }: MenuProps) {
  const [index, setIndex] = useState(0);
  const items: { value: MenuId | 'quit'; label: ReactNode }[] = [
    ...entries.map((e) => ({
      value: e.id,
      label: (
        <Text>
          <Text bold>{t(e.label)}</Text>
          <Text dimColor>{`  ${t(e.hint)}`}</Text>
        </Text>
      ),
    })),
    { value: 'quit', label: <Text>{t('ui.menu.quit')}</Text> },
  ];
  return (
    <Frame t={t} title={t('ui.s.menu')} hints={[['Up/Down', 'ui.k.choose'], ['Enter', 'ui.k.open'], ...(canGoBack ? [['Esc', 'ui.k.back'] as Hint] : []), ['Ctrl-C', 'ui.k.quit']]}>
      <Text>{t('ui.menu.stack', { project: stack.project, dir: stack.installDir })}</Text>
      <Box marginTop={1}>
        <SelectList items={items} index={index} onIndex={setIndex} onChoose={(v) => (v === 'quit' ? onQuit() : onChoose(entries.find((e) => e.id === v)!))} />
      </Box>
    </Frame>
  );
}

/** When several stacks are installed: which one to look after. The last row (or Esc) quits. */
export function StackChooser({ t, stacks, onChoose, onQuit }: { t: T; stacks: RegistryEntry[]; onChoose: (s: RegistryEntry) => void; onQuit: () => void }) {
  const [index, setIndex] = useState(0);
  useKeys((_i, key) => {
    if (key.escape) onQuit();
  });
  const QUIT = '\u0000quit';
  return (
    <Frame t={t} title={t('ui.s.stacks')} hints={[['Up/Down', 'ui.k.choose'], ['Enter', 'ui.k.open'], ['Esc', 'ui.k.quit']]}>
      <SelectList
        items={[...stacks.map((s) => ({ value: s.project, label: `${s.project}  ${s.installDir}` })), { value: QUIT, label: t('ui.menu.quit') }]}
        index={index}
        onIndex={setIndex}
        onChoose={(p) => (p === QUIT ? onQuit() : onChoose(stacks.find((s) => s.project === p)!))}
      />
    </Frame>
  );
}

/** A maintenance command's output, live; Enter or Esc returns to the menu when it is done. */
export function CommandOutput(props: {
  t: T;
  title: string;
  lines: string[];
  exitCode: number | null;
  height: number;
  onBack: () => void;
  /** A preview that ended as a preview ends (`whenExit`): Enter answers its question, Esc goes back. */
  confirm?: { text: string; whenExit: number; onConfirm: () => void };
}) {
  const { t, title, lines, exitCode, height, onBack, confirm } = props;
  const asking = confirm !== undefined && exitCode === confirm.whenExit;
  useKeys((_i, key) => {
    if (exitCode === null) return;
    if (asking && key.return) confirm.onConfirm();
    else if (key.return || key.escape) onBack();
  });
  return (
    <Frame t={t} title={title} hints={exitCode === null ? [['Ctrl-C', 'ui.k.abort']] : asking ? [['Enter', 'ui.bk.kConfirm'], ['Esc', 'ui.k.back']] : [['Enter', 'ui.k.back']]}>
      {lines.slice(-(asking ? height - 2 : height)).map((l, i) => (
        <Text key={i} wrap="truncate-end">
          {l === '' ? ' ' : l}
        </Text>
      ))}
      {exitCode === null ? null : asking ? <Text color="yellow">{confirm.text}</Text> : exitCode === 0 ? <Text color="green">{t('ui.menu.done')}</Text> : <Text color="red">{t('ui.menu.failed', { code: exitCode })}</Text>}
    </Frame>
  );
}
