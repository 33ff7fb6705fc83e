// What the maintenance use cases share: which stack (--answers or --project, or the menu's chosen
// stack), its log, the lock, and progress printed as log lines (the menu shows the same lines).
import type { Context } from '../context.js';
import { WizardError } from '../errors.js';
import type { StepEvent } from '../steps/engine.js';
import { guarded, type GuardOptions } from '../steps/stack-guard.js';
import { loadStack, type Stack } from '../steps/stack-tools.js';
import type { Emit } from '../steps/backup.js';

export type { Stack };

/** The stack a use case acts on: its answers file, or the project name init recorded; neither: the only one installed. */
export interface StackSelector { answersFile?: string; project?: string }

/** Progress as lines: each item's text when its quarter changes (health lines always), output as is. */
export function progressPrinter(ctx: Context): Emit {
  const shown = new Map<string, number>();
  return (e: Omit<StepEvent, 'step'>) => {
    if (e.kind === 'output' && e.text) ctx.io.out(`    ${e.text}\n`);
    else if (e.kind === 'progress' && e.text) {
      if (e.item === 'health' || e.item === 'phase') {
        ctx.io.out(`    ${e.text}\n`);
        return;
      }
      if (e.item?.includes(' ')) return; // an image layer: the image's own line says enough
      const q = Math.floor((e.fraction ?? 0) * 4);
      const key = e.item ?? '';
      if ((shown.get(key) ?? -1) >= q) return;
      shown.set(key, q);
      ctx.io.out(`    ${e.text}\n`);
    }
  };
}

/**
 * Loads the stack and runs `fn` inside the guard every change to a stack goes through
 * (steps/stack-guard.ts): its log file, the maintenance lock, no work on a half-restored or
 * half-updated stack unless `allow`ed.
 */
export async function withStack<T>(ctx: Context, sel: StackSelector, what: string, fn: (s: Stack) => Promise<T>, o: GuardOptions = {}): Promise<T> {
  const s = await loadStack(ctx, { answersFile: sel.answersFile, project: sel.project });
  return guarded(ctx, s, what, () => fn(s), o);
}

/**
 * withStack for a timer's run: when another operation holds the maintenance lock (a backup still
 * running when the drill starts, a drill when the backup does), waits for it, checking every
 * 30 s for up to `waitMs`, instead of failing: the two were scheduled apart, and a late one must
 * still run.
 */
export async function withStackWaiting<T>(ctx: Context, sel: StackSelector, what: string, fn: (s: Stack) => Promise<T>, o: GuardOptions = {}, waitMs = 4 * 3600_000): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await withStack(ctx, sel, what, fn, o);
    } catch (e) {
      if (!(e instanceof WizardError && e.key === 'err.bk.locked') || Date.now() > deadline) throw e;
      ctx.io.out(`    ${ctx.t('bk.waitingLock', { what: String(e.params.what ?? '?'), pid: String(e.params.pid ?? '?') })}\n`);
      await new Promise((r) => setTimeout(r, 30_000));
    }
  }
}
