// Review before anything changes: the plan, every file with its diff against what is on disk,
// and every command init would run on the server. Enter applies (or finishes a dry run).
import { Box, Text } from 'ink';
import { useRef, useState, type ReactNode } from 'react';
import type { T } from '../../i18n/index.js';
import { Frame, Para, Problem, Rows, Spinner, useKeys, useTermSize, wrapDisplay } from '../components.js';
import type { Review } from '../types.js';

export type ReviewTab = 'plan' | 'files' | 'commands';
const TABS: ReviewTab[] = ['plan', 'files', 'commands'];

export interface ReviewProps {
  t: T;
  step?: string;
  review: Review | null;
  /** Answers that do not validate, as "path: message" lines (the operator goes back to fix them). */
  problems: string[] | null;
  /** Terminal rows: the diff and lists scroll inside what fits. */
  rows: number;
  onConfirm: () => void;
}

const mark = (s: string) => (s === 'created' ? '+' : s === 'changed' ? '~' : '=');

function diffLine(l: string, i: number): ReactNode {
  const color = l.startsWith('+') ? 'green' : l.startsWith('-') ? 'red' : l.startsWith('@@') ? 'cyan' : undefined;
  return (
    <Text key={i} color={color} wrap="truncate-end">
      {l === '' ? ' ' : l}
    </Text>
  );
}

/** A window onto many lines with a note of how many are above and below. */
function Scrolled({ t, lines, offset, height }: { t: T; lines: ReactNode[]; offset: number; height: number }) {
  const start = Math.max(0, Math.min(offset, Math.max(0, lines.length - height)));
  const shown = lines.slice(start, start + height);
  return (
    <Box flexDirection="column">
      {start > 0 ? <Text dimColor>{t('ui.review.above', { n: start })}</Text> : null}
      {shown}
      {start + height < lines.length ? <Text dimColor>{t('ui.review.below', { n: lines.length - start - height })}</Text> : null}
    </Box>
  );
}

export function ReviewScreen({ t, step, review, problems, rows, onConfirm }: ReviewProps) {
  const [tab, setTab] = useState<ReviewTab>('files');
  const [file, setFile] = useState(0);
  const [offset, setOffset] = useState(0);
  const state = useRef({ tab, file, offset });
  state.current = { tab, file, offset };
  const { columns } = useTermSize();
  const height = Math.max(6, rows - 16);

  useKeys((input, key) => {
    const s = state.current;
    if (!review) return;
    if (key.tab || key.rightArrow || key.leftArrow) {
      const i = TABS.indexOf(s.tab);
      const next = TABS[(i + (key.leftArrow || key.shift ? TABS.length - 1 : 1)) % TABS.length]!;
      setTab(next);
      setOffset(0);
    } else if (key.upArrow || key.downArrow) {
      if (s.tab === 'files') {
        const n = review.files.length;
        setFile(Math.max(0, Math.min(n - 1, s.file + (key.upArrow ? -1 : 1))));
        setOffset(0);
      } else setOffset(Math.max(0, s.offset + (key.upArrow ? -1 : 1)));
    } else if (key.pageDown || input === ' ') setOffset(s.offset + height);
    else if (key.pageUp) setOffset(Math.max(0, s.offset - height));
    else if (key.return) onConfirm();
  });

  if (problems) {
    return (
      <Frame t={t} title={t('ui.s.review')} step={step} hints={[['Esc', 'ui.k.back'], ['Ctrl-C', 'ui.k.quit']]}>
        <Para text={t('ui.review.invalid')} />
        {problems.map((p, i) => (
          <Problem key={i} text={p} />
        ))}
      </Frame>
    );
  }
  if (!review) {
    return (
      <Frame t={t} title={t('ui.s.review')} step={step} hints={[['Esc', 'ui.k.back']]}>
        <Text>
          <Spinner /> {t('ui.review.preparing')}
        </Text>
      </Frame>
    );
  }

  const { plan } = review;
  const confirm = review.dryRun ? 'ui.k.finishDry' : review.local ? 'ui.k.writeLocal' : 'ui.k.apply';
  let body: ReactNode;
  if (tab === 'plan') {
    const used = plan.services.reduce((n, s) => n + s.memoryMiB, 0);
    const lines: ReactNode[] = [
      <Text key="h">{t('plan.header', { project: plan.project, preset: plan.sizing.requestedPreset, tier: plan.sizing.tier, ram: plan.sizing.hostRamMiB, cores: plan.sizing.cores })}</Text>,
      <Rows key="s" indent={2} rows={plan.services.map((s) => [s.name, `${String(s.memoryMiB).padStart(6)} MiB  ${String(s.cpus).padStart(5)} CPU  ${s.image}`])} />,
      <Text key="t">{t('plan.total', { used, reserve: plan.sizing.reserveMiB, sum: used + plan.sizing.reserveMiB, plan: plan.sizing.planRamMiB })}</Text>,
      <Text key="m">{t('plan.mysql', { engine: plan.database.engine, version: plan.database.version, pool: plan.database.bufferPoolMiB, conns: plan.database.maxConnections, worst: plan.database.worstCaseMiB })}</Text>,
      ...(plan.redis ? [<Text key="r">{t('plan.redis', { max: plan.redis.maxmemoryMiB, policy: plan.redis.policy })}</Text>] : []),
      <Text key="a">{t('plan.app', { runtime: plan.app.runtime, workers: plan.app.workers })}</Text>,
      ...review.notes.map((n, i) => <Para key={`n${i}`} color="yellow" hang={2} text={`! ${n}`} />),
    ];
    body = <Scrolled t={t} lines={lines} offset={offset} height={height} />;
  } else if (tab === 'files') {
    const f = review.files[file];
    const listHeight = Math.min(review.files.length, Math.max(3, Math.floor(height / 3)));
    const listStart = Math.max(0, Math.min(file - Math.floor(listHeight / 2), review.files.length - listHeight));
    body = (
      <Box flexDirection="column">
        <Text>{t('ui.review.filesIn', { dir: review.targetDir, count: review.files.length })}</Text>
        {review.files.slice(listStart, listStart + listHeight).map((c, j) => {
          const i = listStart + j;
          return (
            <Text key={c.path} color={i === file ? 'cyan' : undefined}>
              {i === file ? '> ' : '  '}
              {mark(c.status)} {c.path}
              <Text dimColor>{`  ${t(c.status === 'created' ? 'ui.review.created' : c.status === 'changed' ? 'ui.review.changed' : 'ui.review.unchanged')}`}</Text>
            </Text>
          );
        })}
        <Box marginTop={1} flexDirection="column">
          {f && f.diff ? (
            <Scrolled t={t} lines={f.diff.split('\n').map(diffLine)} offset={offset} height={height - listHeight} />
          ) : (
            <Text dimColor>{t('ui.review.noDiff')}</Text>
          )}
        </Box>
      </Box>
    );
  } else {
    const lines: ReactNode[] = [<Text key="h">{t(review.local ? 'ui.review.serverStepsLocal' : 'ui.review.serverSteps')}</Text>];
    review.steps.forEach((s, i) => {
      // A check step shows how its checks came out; a step that changes something, whether it has work to do.
      const [mark, color, note] = s.check
        ? s.check === 'failed'
          ? (['✗ ', 'red', t('ui.review.checksFailed')] as const)
          : s.check === 'warned'
            ? (['! ', 'yellow', t('ui.review.checksWarned')] as const)
            : (['✓ ', 'green', t('ui.review.checksPassed')] as const)
        : s.needed
          ? (['- ', undefined, ''] as const)
          : (['✓ ', 'green', t('init.nothingToDo')] as const);
      lines.push(
        <Text key={`s${i}`}>
          <Text color={color}>{mark}</Text>
          {s.title}
          {note ? <Text dimColor>{` ${t('ui.review.stepNote', { note })}`}</Text> : null}
        </Text>,
      );
      // Findings are wrapped here, under their own text, each row a line of the scrolled window (#22.6, #22.7).
      s.changes.forEach((c, j) => {
        const color = c.startsWith('✗ ') ? 'red' : c.startsWith('! ') ? 'yellow' : undefined;
        wrapDisplay(c, Math.max(20, columns - 7)).forEach((l, k) =>
          lines.push(<Text key={`c${i}.${j}.${k}`} color={color}>{`${k === 0 ? '    ' : '      '}${l}`}</Text>),
        );
      });
    });
    body = <Scrolled t={t} lines={lines} offset={offset} height={height} />;
  }

  return (
    <Frame
      t={t}
      title={t('ui.s.review')}
      step={step}
      hints={[['Tab', 'ui.k.section'], ['Up/Down', tab === 'files' ? 'ui.k.file' : 'ui.k.scroll'], ['PgUp/PgDn', 'ui.k.scroll'], ['Enter', confirm], ['Esc', 'ui.k.back']]}
    >
      <Text>
        {TABS.map((x) => (
          <Text key={x} inverse={x === tab} bold={x === tab}>{` ${t(`ui.review.tab.${x}`)} `}</Text>
        ))}
      </Text>
      <Para
        color="cyan"
        text={
          review.dryRun
            ? t('ui.review.dryRun')
            : review.local
              ? t(review.isRoot ? 'ui.review.localOut' : 'ui.review.localNotRoot', { dir: review.targetDir })
              : t('ui.review.server', { dir: review.targetDir })
        }
      />
      <Box marginTop={1} flexDirection="column">
        {body}
      </Box>
    </Frame>
  );
}
