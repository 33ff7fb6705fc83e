// Steps: ordered, idempotent units of change. Each one checks (read-only), describes what it would
// change, and applies through the Executor. Preflight steps only check. Running a list twice
// changes nothing the second time: `check` sees the first run's result.
import type { Context } from '../context.js';
import type { MsgKey, Params } from '../i18n/index.js';
import type { Prepared } from './prepare.js';

export interface StepCheck {
  /** False when the host is already as this step would leave it. */
  needed: boolean;
  /** What would change: commands, files, settings; shown in the preview. */
  changes: string[];
}

export interface StepEvent {
  step: string;
  kind: 'start' | 'skip' | 'progress' | 'output' | 'done' | 'fail';
  text?: string;
  /** 0..1 for progress bars (downloads, pulls). */
  fraction?: number;
  /**
   * Which bar a progress event moves: an image (`mysql:8.4.6`), `health`, `apt-download`, … A part
   * of a bar follows a space (a layer: `mysql:8.4.6 3f4a…`) and is folded into its bar (see
   * foldParts). Without an item the step's own bar moves. A bar never moves back, except when an
   * event without a part says 0: a new attempt (the next mirror) starts it again.
   */
  item?: string;
  /** Bytes of a download so far and in all (of the part, for a part); total 0 while unknown. */
  bytes?: { done: number; total: number };
}

/** `mysql:8.4.6 3f4a…` → the bar `mysql:8.4.6` and its part `3f4a…` (image references have no spaces). */
export function splitItem(item: string): { bar: string; part: string | null } {
  const i = item.indexOf(' ');
  return i < 0 ? { bar: item, part: null } : { bar: item.slice(0, i), part: item.slice(i + 1) };
}

export interface BarPart { fraction: number; done: number; total: number }

/**
 * One bar from its parts (an image from its layers): the fractions weighted by size, so a 40 MB
 * layer moves the bar forty times as far as a 1 MB one. A part whose size is not known yet (a layer
 * still waiting) weighs as much as the average known one. `done`/`total` sum the known bytes.
 */
export function foldParts(parts: Iterable<BarPart>): { fraction: number; done: number; total: number } {
  const all = [...parts];
  if (all.length === 0) return { fraction: 0, done: 0, total: 0 };
  const known = all.filter((p) => p.total > 0);
  const avg = known.length ? known.reduce((n, p) => n + p.total, 0) / known.length : 1;
  let w = 0;
  let f = 0;
  for (const p of all) {
    const weight = p.total > 0 ? p.total : avg;
    w += weight;
    f += weight * Math.max(0, Math.min(1, p.fraction));
  }
  return { fraction: f / w, done: known.reduce((n, p) => n + Math.min(p.done, p.total), 0), total: known.reduce((n, p) => n + p.total, 0) };
}

export interface Step {
  id: string;
  title: MsgKey;
  params?: Params;
  /** Preflight steps change nothing; a failure stops the run before any change (exit 3). */
  preflight?: boolean;
  check(ctx: Context, s: Prepared): Promise<StepCheck>;
  apply(ctx: Context, s: Prepared, emit: (e: Omit<StepEvent, 'step'>) => void): Promise<void>;
}

/** `checked`: a preflight step that passed (it changes nothing, so it is never `applied`). */
export interface StepReport { id: string; title: string; status: 'skipped' | 'applied' | 'checked'; changes: string[] }

/** Everything the steps would change, without changing anything. */
export async function previewSteps(ctx: Context, steps: readonly Step[], s: Prepared): Promise<{ step: Step; check: StepCheck }[]> {
  const out = [];
  for (const step of steps) out.push({ step, check: await step.check(ctx, s) });
  return out;
}

export async function runSteps(
  ctx: Context,
  steps: readonly Step[],
  s: Prepared,
  onEvent: (e: StepEvent) => void = () => {},
): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  for (const step of steps) {
    const title = ctx.t(step.title, step.params);
    const check = await step.check(ctx, s);
    if (step.preflight) {
      // A check that passed with nothing to report is a skip, like any step with nothing to do.
      if (!check.needed && check.changes.length === 0) {
        onEvent({ step: step.id, kind: 'skip', text: title });
        reports.push({ id: step.id, title, status: 'checked', changes: [] });
        continue;
      }
      // Its findings are the output; `needed` means it failed, and apply throws with the details.
      onEvent({ step: step.id, kind: 'start', text: title });
      for (const line of check.changes) onEvent({ step: step.id, kind: 'output', text: line });
      if (check.needed) {
        try {
          await step.apply(ctx, s, (e) => onEvent({ ...e, step: step.id }));
        } catch (e) {
          onEvent({ step: step.id, kind: 'fail', text: e instanceof Error ? e.message : String(e) });
          throw e;
        }
      }
      onEvent({ step: step.id, kind: 'done', text: title });
      reports.push({ id: step.id, title, status: 'checked', changes: check.changes });
      continue;
    }
    if (!check.needed) {
      onEvent({ step: step.id, kind: 'skip', text: title });
      reports.push({ id: step.id, title, status: 'skipped', changes: [] });
      continue;
    }
    onEvent({ step: step.id, kind: 'start', text: title });
    // What it is about to change, so the operator (and the log) sees it before it happens.
    for (const line of check.changes) onEvent({ step: step.id, kind: 'output', text: line });
    ctx.exec.note(`step ${step.id}: ${check.changes.join('; ')}`);
    try {
      await step.apply(ctx, s, (e) => onEvent({ ...e, step: step.id }));
    } catch (e) {
      onEvent({ step: step.id, kind: 'fail', text: e instanceof Error ? e.message : String(e) });
      throw e;
    }
    onEvent({ step: step.id, kind: 'done', text: title });
    reports.push({ id: step.id, title, status: 'applied', changes: check.changes });
  }
  return reports;
}
