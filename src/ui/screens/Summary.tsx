// The end of setup: where the stack answers, where its files and secrets live, what to do next.
import { Box, Text } from 'ink';
import type { T } from '../../i18n/index.js';
import { Frame, Para, Rows, useKeys } from '../components.js';

export interface SummaryData {
  urls: string[];
  targetDir: string;
  envFile: string;
  answersFile: string;
  local: boolean;
  dryRun: boolean;
  applied: number;
  next: string[];
}

export function SummaryScreen({ t, data, onExit }: { t: T; data: SummaryData; onExit: () => void }) {
  useKeys((_i, key) => {
    if (key.return || key.escape) onExit();
  });
  const headline = data.dryRun
    ? t('ui.summary.dryRun')
    : data.local
      ? t('ui.summary.local', { dir: data.targetDir })
      : data.applied === 0
        ? t('init.nothingChanged')
        : t('init.applied', { count: data.applied, dir: data.targetDir });
  return (
    <Frame t={t} title={t('ui.s.summary')} hints={[['Enter', 'ui.k.exit']]}>
      <Para color="green" text={headline} />
      <Box marginTop={1}>
        <Rows
          rows={[
            [t('ui.summary.urls'), data.urls.join('\n')],
            [t('ui.summary.files'), data.targetDir],
            [t('ui.summary.secrets'), t('ui.summary.secretsValue', { file: data.envFile })],
            [t('ui.summary.answers'), data.answersFile],
          ]}
        />
      </Box>
      <Box marginTop={1} flexDirection="column">
        <Text bold>{t('ui.summary.next')}</Text>
        {data.next.map((n, i) => (
          <Para key={i} text={`${i + 1}. ${n}`} indent={2} hang={3} />
        ))}
      </Box>
    </Frame>
  );
}
