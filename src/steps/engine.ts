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
  /** Which bar a progress event moves: an image (`mysql:8.4.6`) or one of its layers (`mysql:8.4.6 3f4a…`). */
  item?: string;
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
