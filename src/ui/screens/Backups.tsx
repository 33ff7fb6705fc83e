// The backup rows' screens: pick a backup (newest first) to restore or verify, then confirm what restoring means.
import { Box, Text } from 'ink';
import { useState } from 'react';
import { humanBytes, type BackupSummary } from '../../domain/backup.js';
import type { T } from '../../i18n/index.js';
import { Frame, Para, SelectList, useKeys } from '../components.js';

export function BackupPicker(props: { t: T; title?: string; backups: BackupSummary[] | null; error: string | null; onChoose: (id: string) => void; onBack: () => void }) {
  const { t, backups, error, onChoose, onBack } = props;
  const [index, setIndex] = useState(0);
  useKeys((_i, key) => {
    if (key.escape) onBack();
  });
  const usable = (backups ?? []).filter((b) => b.manifest);
  return (
    <Frame t={t} title={props.title ?? t('ui.bk.pickTitle')} hints={[['Up/Down', 'ui.k.choose'], ['Enter', 'ui.k.open'], ['Esc', 'ui.k.back']]}>
      {error ? <Text color="red">{error}</Text> : backups === null ? <Text>{t('ui.bk.loading')}</Text> : usable.length === 0 ? <Para text={t('bk.listEmpty')} /> : (
        <SelectList
          items={usable.map((b) => ({
            value: b.id,
            label: (
              <Text>
                <Text bold>{b.id}</Text>
                <Text dimColor>{`  ${b.kind}  ${humanBytes(b.bytes)}  ${Object.values(b.manifest!.database?.tables ?? {}).reduce((n, x) => n + x, 0)} ${t('ui.bk.rows')}, ${b.manifest!.redis?.keys ?? 0} ${t('bk.keys')}${b.manifest!.encryption ? `, ${t('bk.encrypted')}` : ''}`}</Text>
              </Text>
            ),
          }))}
          index={Math.min(index, usable.length - 1)}
          onIndex={setIndex}
          onChoose={onChoose}
        />
      )}
    </Frame>
  );
}

/** A yes/no question before a command that changes the server: Enter runs it, Esc goes back. */
export function Confirm(props: { t: T; title: string; text: string; onConfirm: () => void; onBack: () => void }) {
  const { t, title, text, onConfirm, onBack } = props;
  useKeys((_i, key) => {
    if (key.return) onConfirm();
    else if (key.escape) onBack();
  });
  return (
    <Frame t={t} title={title} hints={[['Enter', 'ui.bk.kConfirm'], ['Esc', 'ui.k.back']]}>
      <Box flexDirection="column">
        <Para text={text} />
      </Box>
    </Frame>
  );
}
