// The guided troubleshooting session: pick a symptom, watch the checks run, read the findings
// worst first, then fix them one by one (causes first), each verified by re-running its check.
// Data and callbacks come from a DoctorController; this file does no I/O.
import { Box, Text } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { Symptom } from '../../domain/doctor/types.js';
import type { CheckProgress, DoctorController, DoctorView, FindingView } from '../doctor-controller.js';
import { Frame, Para, SelectList, Spinner, useKeys } from '../components.js';

// One column each in every terminal (no East Asian "ambiguous" glyph such as ·).
const MARK = { ok: '✓', info: 'i', warn: '!', error: 'x' } as const;
const COLOR = { ok: 'green', info: undefined, warn: 'yellow', error: 'red' } as const;
const isProblem = (f: FindingView) => f.severity === 'warn' || f.severity === 'error';

/** Problems in the order to fix them: a cause before what it causes, worst first otherwise. */
export function fixOrder(findings: readonly FindingView[]): FindingView[] {
  const left = findings.filter(isProblem);
  const out: FindingView[] = [];
  while (left.length) {
    const i = left.findIndex((f) => f.causedBy.every((c) => !left.some((x) => x.id === c.id)));
    out.push(...left.splice(i < 0 ? 0 : i, 1));
  }
  return out;
}

/** The exit code of a session: what is still open at the end (0, 4 warnings, 5 errors). */
export const sessionCode = (open: readonly FindingView[]) => (open.some((f) => f.severity === 'error') ? 5 : open.some((f) => f.severity === 'warn') ? 4 : 0);

type Phase =
  | { p: 'symptom' }
  | { p: 'running'; symptom: Symptom }
  | { p: 'findings'; view: DoctorView }
  | { p: 'fix'; queue: FindingView[]; i: number; step: 'ask' | 'applying' | 'verifying' | 'result'; result?: { fixed: boolean; text: string }; closed: string[] }
  | { p: 'done'; fixed: number; open: FindingView[] }
  | { p: 'error'; text: string };

export interface DoctorFlowProps {
  controller: DoctorController;
  rows: number;
  onExit: (code: number) => void;
}

export function DoctorFlow({ controller: c, rows, onExit }: DoctorFlowProps) {
  const { t } = c;
  const [phase, setPhase] = useState<Phase>({ p: 'symptom' });
  const [progress, setProgress] = useState<Map<string, CheckProgress>>(new Map());
  const [output, setOutput] = useState<string[]>([]);
  const [index, setIndex] = useState(0);
  const alive = useRef(true);
  useEffect(() => () => void (alive.current = false), []);
  const safe = <A extends unknown[]>(fn: (...a: A) => void) => (...a: A) => alive.current && fn(...a);
  const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

  const start = (symptom: Symptom) => {
    setProgress(new Map());
    setPhase({ p: 'running', symptom });
    c.run(symptom, safe((p: CheckProgress) => setProgress((m) => new Map(m).set(p.check, p)))).then(
      safe((view: DoctorView) => {
        setIndex(0);
        setPhase({ p: 'findings', view });
      }),
      safe((e: unknown) => setPhase({ p: 'error', text: errorText(e) })),
    );
  };

  /** Enters item i of the queue; after the first, re-checks it: fixing a cause often fixed it too. */
  const enter = (queue: FindingView[], i: number, closed: string[]) => {
    if (i >= queue.length) {
      setPhase({ p: 'done', fixed: closed.length, open: queue.filter((f) => !closed.includes(f.id)) });
      return;
    }
    setIndex(0);
    setOutput([]);
    if (i === 0) {
      setPhase({ p: 'fix', queue, i, step: 'ask', closed });
      return;
    }
    setPhase({ p: 'fix', queue, i, step: 'verifying', closed });
    c.verify(queue[i]!.id).then(
      safe((r: { fixed: boolean; now: FindingView | null }) => {
        if (r.fixed) enter(queue, i + 1, [...closed, queue[i]!.id]);
        else setPhase({ p: 'fix', queue: r.now ? queue.map((f, k) => (k === i ? r.now! : f)) : queue, i, step: 'ask', closed });
      }),
      safe(() => setPhase({ p: 'fix', queue, i, step: 'ask', closed })),
    );
  };

  const act = (choice: 'apply' | 'skip' | 'check') => {
    if (phase.p !== 'fix') return;
    const { queue, i, closed } = phase;
    const f = queue[i]!;
    if (choice === 'skip') return enter(queue, i + 1, closed);
    const failed = (e: unknown) => setPhase({ p: 'fix', queue, i, step: 'result', closed, result: { fixed: false, text: t('doc.ui.fixError', { error: errorText(e) }) } });
    const verify = () => {
      setPhase({ ...phase, step: 'verifying' });
      c.verify(f.id).then(
        safe((r: { fixed: boolean; now: FindingView | null }) => {
          const q = r.now ? queue.map((x, k) => (k === i ? r.now! : x)) : queue;
          setPhase({
            p: 'fix', queue: q, i, step: 'result', closed: r.fixed ? [...closed, f.id] : closed,
            result: { fixed: r.fixed, text: r.fixed ? t('doc.ui.fixed') : t('doc.ui.notFixed', { title: r.now?.title ?? f.title }) },
          });
        }),
        safe(failed),
      );
    };
    if (choice === 'check') return verify();
    setPhase({ ...phase, step: 'applying' });
    c.fix(f.id, safe((line: string) => setOutput((o) => [...o, line].slice(-200)))).then(safe(verify), safe(failed));
  };

  useKeys((_i, key) => {
    if (phase.p === 'symptom' && key.escape) onExit(0);
    else if (phase.p === 'findings' && key.escape) setPhase({ p: 'symptom' });
    else if (phase.p === 'fix' && phase.step === 'result' && (key.return || key.escape)) {
      enter(phase.queue, phase.i + 1, phase.closed);
    } else if (phase.p === 'done' && (key.return || key.escape)) onExit(sessionCode(phase.open));
    else if (phase.p === 'error' && (key.return || key.escape)) onExit(1);
  });

  if (phase.p === 'symptom') {
    return (
      <Frame t={t} title={t('doc.ui.title')} hints={[['Up/Down', 'ui.k.choose'], ['Enter', 'ui.k.open'], ['Esc', 'ui.k.back']]}>
        <Text bold>{t('doc.ui.ask')}</Text>
        <Box marginTop={1}>
          <SelectList items={c.symptoms.map((s) => ({ value: s, label: t(`doc.ui.sym.${s}`) }))} index={index} onIndex={setIndex} onChoose={start} />
        </Box>
      </Frame>
    );
  }

  if (phase.p === 'running') {
    const list = c.checksFor(phase.symptom);
    const done = list.filter((x) => progress.get(x.id)?.state === 'done').length;
    const shown = list.slice(0, Math.max(4, rows - 7));
    return (
      <Frame t={t} title={t('doc.ui.title')} hints={[['Ctrl-C', 'ui.k.abort']]}>
        <Text>{t('doc.ui.running', { done, total: list.length })}</Text>
        <Box marginTop={1} flexDirection="column">
          {shown.map((x) => {
            const p = progress.get(x.id);
            const sev = p?.severity;
            return (
              <Text key={x.id}>
                {p?.state === 'done' && sev ? <Text color={COLOR[sev]}>{MARK[sev]}</Text> : p?.state === 'start' ? <Spinner /> : <Text dimColor>-</Text>} <Text dimColor={!p}>{x.label}</Text>
              </Text>
            );
          })}
        </Box>
      </Frame>
    );
  }

  if (phase.p === 'findings') {
    const problems = phase.view.findings.filter(isProblem);
    const auto = problems.filter((f) => f.fix?.auto).length;
    const passed = phase.view.findings.filter((f) => f.severity === 'ok').length;
    const room = Math.max(3, rows - 10);
    return (
      <Frame t={t} title={t('doc.ui.title')} hints={[['Up/Down', 'ui.k.choose'], ['Enter', 'ui.k.open'], ['Esc', 'ui.k.back']]}>
        <Para text={problems.length ? t('doc.ui.found', { problems: problems.length, fixes: auto }) : t('doc.ui.noProblems')} bold />
        <Box marginTop={1} flexDirection="column">
          {problems.slice(0, room).map((f) => (
            <Box key={f.id} flexDirection="column">
              <Text>
                <Text color={COLOR[f.severity]}>{MARK[f.severity]}</Text> {f.title}
              </Text>
              {f.root ? <Text dimColor>{`    ← ${f.root.title}`}</Text> : null}
            </Box>
          ))}
          <Text dimColor>{`✓ ${t('doc.out.passed', { count: passed })}`}</Text>
        </Box>
        <Box marginTop={1}>
          <SelectList
            items={[...(problems.length ? [{ value: 'fix' as const, label: t('doc.ui.next') }] : []), { value: 'back' as const, label: t('ui.menu.quit') }]}
            index={index}
            onIndex={setIndex}
            onChoose={(v) => (v === 'fix' ? enter(fixOrder(phase.view.findings), 0, []) : onExit(sessionCode(problems)))}
          />
        </Box>
      </Frame>
    );
  }

  if (phase.p === 'fix') {
    const f = phase.queue[phase.i]!;
    const busy = phase.step === 'applying' || phase.step === 'verifying';
    const choices: { value: 'apply' | 'skip' | 'check'; label: string }[] = f.fix?.auto
      ? [{ value: 'apply', label: t('doc.ui.apply') }, { value: 'skip', label: t('doc.ui.skip') }]
      : [{ value: 'check', label: t('doc.ui.manualDone') }, { value: 'skip', label: t('doc.ui.skip') }];
    const room = Math.max(3, rows - 16);
    return (
      <Frame t={t} title={t('doc.ui.title')} step={t('doc.ui.fixStep', { n: phase.i + 1, of: phase.queue.length })} hints={phase.step === 'result' ? [['Enter', 'ui.k.next']] : busy ? [['Ctrl-C', 'ui.k.abort']] : [['Up/Down', 'ui.k.choose'], ['Enter', 'ui.k.open']]}>
        <Text bold color={COLOR[f.severity]}>{`${MARK[f.severity]} ${f.title}`}</Text>
        {f.root ? <Para dimColor text={t('doc.ui.rootFirst', { cause: f.root.title })} /> : null}
        {f.evidence.slice(0, room).map((l, k) => (
          <Text key={k} dimColor wrap="truncate-end">{`  ${l}`}</Text>
        ))}
        {f.explain ? (
          <Box marginTop={1}>
            <Para text={`${t('doc.out.why')} ${f.explain}`} />
          </Box>
        ) : null}
        {f.fix ? (
          <Box marginTop={1} flexDirection="column">
            <Text bold>{f.fix.auto ? `${t('doc.out.fixAuto')} ${f.fix.title ?? ''}` : t('doc.out.fixManual')}</Text>
            {f.fix.steps.slice(0, 8).map((s, k) => (
              <Para key={k} text={`  ${s}`} indent={0} hang={4} />
            ))}
          </Box>
        ) : null}
        <Box marginTop={1} flexDirection="column">
          {phase.step === 'ask' ? (
            <>
              <Text>{t('doc.ui.applyQ')}</Text>
              <SelectList items={choices} index={Math.min(index, choices.length - 1)} onIndex={setIndex} onChoose={act} />
            </>
          ) : busy ? (
            <>
              <Text>
                <Spinner /> {t(phase.step === 'applying' ? 'doc.ui.applying' : 'doc.ui.verifying')}
              </Text>
              {output.slice(-6).map((l, k) => (
                <Text key={k} dimColor wrap="truncate-end">{`  ${l}`}</Text>
              ))}
            </>
          ) : (
            <Text color={phase.result?.fixed ? 'green' : 'red'}>{phase.result?.text}</Text>
          )}
        </Box>
      </Frame>
    );
  }

  if (phase.p === 'done') {
    return (
      <Frame t={t} title={t('doc.ui.title')} hints={[['Enter', 'ui.k.back']]}>
        <Para bold text={t('doc.ui.doneAll', { fixed: phase.fixed, left: phase.open.length })} />
        {phase.open.map((f) => (
          <Text key={f.id}>
            <Text color={COLOR[f.severity]}>{MARK[f.severity]}</Text> {f.title}
          </Text>
        ))}
      </Frame>
    );
  }

  return (
    <Frame t={t} title={t('doc.ui.title')} hints={[['Enter', 'ui.k.back']]}>
      <Para color="red" text={phase.text} />
    </Frame>
  );
}
