// Apply progress: the steps' events folded into what the apply screen shows.
import { foldParts, splitItem, type BarPart, type StepEvent } from '../../steps/engine.js';

export type StepStatus = 'pending' | 'running' | 'done' | 'skipped' | 'failed';
/**
 * One progress bar of a step: an image (its layers folded in by size), the health wait, apt's
 * downloads, dpkg… `bytes` when the source counts them. `parts` are the layers seen so far.
 */
export interface BarView {
  item: string;
  fraction: number;
  detail: string | null;
  bytes: { done: number; total: number } | null;
  parts: Readonly<Record<string, BarPart>>;
}
export interface ApplyStepView { id: string; title: string; status: StepStatus; bars: BarView[] }
export interface ApplyState { steps: ApplyStepView[]; output: string[]; error: string | null }

/** Kept output lines; the screen shows the last few of them. */
export const OUTPUT_KEEP = 200;

export const initialApply = (steps: { id: string; title: string }[]): ApplyState => ({
  steps: steps.map((s) => ({ ...s, status: 'pending', bars: [] })),
  output: [],
  error: null,
});

const clamp01 = (x: number | undefined) => Math.max(0, Math.min(1, x ?? 0));

/** A progress event applied to its bar (the protocol is StepEvent.item's, src/steps/engine.ts). */
export function moveBar(bars: readonly BarView[], e: StepEvent): BarView[] {
  const { bar: item, part } = splitItem(e.item ?? '');
  const had = bars.find((b) => b.item === item);
  const base: BarView = had ?? { item, fraction: 0, detail: null, bytes: null, parts: {} };
  let next: BarView;
  if (part !== null) {
    const parts = { ...base.parts, [part]: { fraction: clamp01(e.fraction), done: e.bytes?.done ?? 0, total: e.bytes?.total ?? 0 } };
    const all = foldParts(Object.values(parts));
    next = { ...base, parts, fraction: Math.max(base.fraction, all.fraction), bytes: all.total > 0 ? { done: all.done, total: all.total } : base.bytes };
  } else if (had && e.fraction === 0) {
    // A new attempt (the next mirror, another apt-get run): the bar starts again.
    next = { item, fraction: 0, detail: e.text ?? null, bytes: e.bytes ?? null, parts: {} };
  } else {
    next = { ...base, fraction: Math.max(base.fraction, clamp01(e.fraction)), detail: e.text ?? base.detail, bytes: e.bytes && e.bytes.total > 0 ? e.bytes : base.bytes };
  }
  return had ? bars.map((b) => (b === had ? next : b)) : [...bars, next];
}

export function applyReducer(s: ApplyState, e: StepEvent): ApplyState {
  let steps = s.steps;
  if (!steps.some((x) => x.id === e.step)) steps = [...steps, { id: e.step, title: e.text ?? e.step, status: 'pending', bars: [] }];
  const upd = (f: (x: ApplyStepView) => ApplyStepView) => steps.map((x) => (x.id === e.step ? f(x) : x));
  switch (e.kind) {
    case 'start':
      return { ...s, steps: upd((x) => ({ ...x, status: 'running' })) };
    case 'skip':
      return { ...s, steps: upd((x) => ({ ...x, status: 'skipped' })) };
    case 'progress':
      return { ...s, steps: upd((x) => ({ ...x, status: 'running', bars: moveBar(x.bars, e) })) };
    case 'output': {
      const lines = (e.text ?? '').split('\n').filter((l) => l !== '');
      return { ...s, steps, output: [...s.output, ...lines].slice(-OUTPUT_KEEP) };
    }
    case 'done':
      // Done means every bar of the step got there, whatever its last event said.
      return { ...s, steps: upd((x) => ({ ...x, status: 'done', bars: x.bars.map((b) => ({ ...b, fraction: 1 })) })) };
    case 'fail':
      return { ...s, steps: upd((x) => ({ ...x, status: 'failed' })), error: e.text ?? 'failed' };
  }
}

/** The bars worth showing in `max` lines: unfinished first (in their order), then the latest finished; and how many are left out. */
export function barsToShow(bars: readonly BarView[], max: number): { shown: BarView[]; hidden: number } {
  if (bars.length <= max) return { shown: [...bars], hidden: 0 };
  const room = Math.max(1, max - 1);
  const open = bars.filter((b) => b.fraction < 1);
  const finished = bars.filter((b) => b.fraction >= 1);
  const spare = room - Math.min(room, open.length);
  const pick = new Set([...open.slice(0, room), ...(spare > 0 ? finished.slice(-spare) : [])]);
  const shown = bars.filter((b) => pick.has(b));
  return { shown, hidden: bars.length - shown.length };
}
