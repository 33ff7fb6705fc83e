// The apply phase: the confirmed review applied with live progress, then the summary. Neither
// has a way back (the history is cleared on the way in).
import { useEffect, useRef, useState } from 'react';
import { EXIT, WizardError, errorText } from '../../errors.js';
import { applyReducer, initialApply, type ApplyState } from '../model/apply.js';
import { ApplyScreen } from '../screens/Apply.js';
import { SummaryScreen } from '../screens/Summary.js';
import type { Review } from '../types.js';
import type { WizardScope } from './scope.js';

function ApplyRun({ s, review }: { s: WizardScope; review: Review }) {
  const { c, t, rows } = s;
  const [state, setState] = useState<ApplyState>(() => initialApply(c.applySteps(review)));
  const [failCode, setFailCode] = useState<number>(EXIT.failed);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    c.apply(review, (e) => setState((x) => applyReducer(x, e))).then(
      (res) => s.nav.start({ v: 'summary', data: c.summary(review, res, s.host.facts!) }),
      (e: unknown) => {
        setFailCode(e instanceof WizardError ? e.exitCode : EXIT.failed);
        setState((x) => ({ ...x, error: errorText(t, e), steps: x.steps.map((y) => (y.status === 'running' ? { ...y, status: 'failed' } : y)) }));
      },
    );
  }, []);
  // The frame fits the terminal: a line per step, the running step's bars, then the output box.
  const barLines = Math.max(2, Math.min(8, rows - state.steps.length - 16));
  return (
    <ApplyScreen
      t={t}
      state={state}
      barLines={barLines}
      outputLines={Math.max(3, Math.min(12, rows - state.steps.length - barLines - 10))}
      onFailedExit={() => s.exit(failCode)}
    />
  );
}

export function ApplyPhase({ s }: { s: WizardScope }) {
  const view = s.nav.view;
  if (view.v === 'apply') return <ApplyRun s={s} review={view.review} />;
  if (view.v === 'summary') return <SummaryScreen t={s.t} data={view.data} onExit={() => s.exit(0)} />;
  return null;
}
