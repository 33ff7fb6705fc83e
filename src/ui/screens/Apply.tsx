// Apply with live progress: each step with its state; under a running step one bar per thing it
// waits on (each image, apt's downloads, dpkg, the health wait), bounded so the frame never grows;
// the commands' output in a bounded area (the last lines only).
import { Box, Text } from 'ink';
import { humanBytes } from '../../domain/backup.js';
import type { T } from '../../i18n/index.js';
import { Frame, Para, Problem, ProgressBar, Spinner, useKeys } from '../components.js';
import { barsToShow, type ApplyState, type BarView } from '../model/apply.js';

export interface ApplyProps {
  t: T;
  state: ApplyState;
  /** Output lines shown at most. */
  outputLines: number;
  /** Bars shown at most under a running step (the rest are counted in one line). */
  barLines?: number;
  /** Set when the run failed: Enter leaves. */
  onFailedExit?: () => void;
}

function Bar({ b }: { b: BarView }) {
  const label = b.detail ?? b.item;
  const bytes = b.bytes && b.bytes.total > 0 ? `  ${humanBytes(b.bytes.done)} / ${humanBytes(b.bytes.total)}` : '';
  return (
    <Text wrap="truncate-end">
      {'  '}
      <ProgressBar fraction={b.fraction} />
      {label || bytes ? <Text dimColor>{`  ${label}${bytes}`}</Text> : null}
    </Text>
  );
}

export function ApplyScreen({ t, state, outputLines, barLines = 6, onFailedExit }: ApplyProps) {
  useKeys((_i, key) => {
    if (key.return && state.error && onFailedExit) onFailedExit();
  });
  const tail = state.output.slice(-outputLines);
  return (
    <Frame t={t} title={t('ui.s.apply')} hints={state.error ? [['Enter', 'ui.k.exit']] : [['Ctrl-C', 'ui.k.abort']]}>
      {state.steps.map((s) => {
        // Bars belong to the step at work (or the one that failed); a finished step's ✓ says enough.
        const { shown, hidden } = s.status === 'running' || s.status === 'failed' ? barsToShow(s.bars, barLines) : { shown: [], hidden: 0 };
        return (
          <Box key={s.id} flexDirection="column">
            <Text>
              {s.status === 'running' ? <Spinner /> : s.status === 'done' ? <Text color="green">✓</Text> : s.status === 'failed' ? <Text color="red">✗</Text> : s.status === 'skipped' ? <Text dimColor>=</Text> : <Text dimColor>-</Text>}{' '}
              <Text bold={s.status === 'running'} dimColor={s.status === 'pending' || s.status === 'skipped'}>{s.title}</Text>
              {s.status === 'skipped' ? <Text dimColor>{` (${t('init.nothingToDo')})`}</Text> : null}
            </Text>
            {shown.map((b) => (
              <Bar key={b.item} b={b} />
            ))}
            {hidden > 0 ? <Text dimColor>{`  ${t('ui.apply.moreBars', { count: hidden })}`}</Text> : null}
          </Box>
        );
      })}
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
