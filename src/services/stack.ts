// What the maintenance use cases share: which stack (--answers or --project, or the menu's chosen
// stack), its log, the lock, and progress printed as log lines (the menu shows the same lines).
import type { Context } from '../context.js';
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
