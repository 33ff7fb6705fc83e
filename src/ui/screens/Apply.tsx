// Apply with live progress: each step with its state, a bar for downloads and image pulls, and
// the commands' output in a bounded area (the last lines only, so the frame never grows).
import { Box, Text } from 'ink';
import type { T } from '../../i18n/index.js';
import { Frame, Para, Problem, ProgressBar, Spinner, useKeys } from '../components.js';
import type { ApplyState } from '../model.js';

export interface ApplyProps {
  t: T;
  state: ApplyState;
  /** Output lines shown at most. */
  outputLines: number;
  /** Set when the run failed: Enter leaves. */
  onFailedExit?: () => void;
}

export function ApplyScreen({ t, state, outputLines, onFailedExit }: ApplyProps) {
  useKeys((_i, key) => {
    if (key.return && state.error && onFailedExit) onFailedExit();
  });
  const tail = state.output.slice(-outputLines);
  return (
    <Frame t={t} title={t('ui.s.apply')} hints={state.error ? [['Enter', 'ui.k.exit']] : [['Ctrl-C', 'ui.k.abort']]}>
      {state.steps.map((s) => (
        <Box key={s.id} flexDirection="column">
          <Text>
            {s.status === 'running' ? <Spinner /> : s.status === 'done' ? <Text color="green">✓</Text> : s.status === 'failed' ? <Text color="red">✗</Text> : s.status === 'skipped' ? <Text dimColor>=</Text> : <Text dimColor>-</Text>}{' '}
            <Text bold={s.status === 'running'} dimColor={s.status === 'pending' || s.status === 'skipped'}>{s.title}</Text>
            {s.status === 'skipped' ? <Text dimColor>{` (${t('init.nothingToDo')})`}</Text> : null}
          </Text>
          {s.fraction !== null && s.status !== 'skipped' ? (
            <Text>
              {'  '}
              <ProgressBar fraction={s.fraction} />
              {s.detail ? <Text dimColor>{`  ${s.detail}`}</Text> : null}
            </Text>
          ) : null}
        </Box>
      ))}
      {tail.length > 0 ? (
        <Box marginTop={1} flexDirection="column" borderStyle="single" borderDimColor paddingX={1}>
          {tail.map((l, i) => (
            <Text key={i} dimColor wrap="truncate-end">
              {l}
            </Text>
          ))}
        </Box>
      ) : null}
      {state.error ? (
        <Box marginTop={1} flexDirection="column">
          <Problem text={state.error} />
          <Para text={t('ui.apply.failedNote')} />
        </Box>
      ) : null}
    </Frame>
  );
}
