// What backup, restore and update share at the command level: the stack, its log, the lock,
// and progress printed as log lines (the menu shows the same lines in its output screen).
import { join } from 'node:path';
import type { Context } from '../context.js';
import type { StepEvent } from '../steps/engine.js';
import { guarded, type GuardOptions } from '../steps/stack-guard.js';
import { loadStack, type Stack } from '../steps/stack-tools.js';
import { optString } from './common.js';
import type { ParsedArgs } from './types.js';
import type { Emit } from '../steps/backup.js';

export const STACK_OPTIONS = { answers: { type: 'string' }, project: { type: 'string' } } as const;

/** Progress as lines: each item's text when its quarter changes (health lines always), output as is. */
export function progressPrinter(ctx: Context): Emit {
  const shown = new Map<string, number>();
  return (e: Omit<StepEvent, 'step'>) => {
    if (e.kind === 'output' && e.text) ctx.io.out(`    ${e.text}\n`);
    else if (e.kind === 'progress' && e.text) {
      if (e.item === 'health') {
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
export async function withStack<T>(ctx: Context, args: ParsedArgs, what: string, fn: (s: Stack) => Promise<T>, o: GuardOptions = {}): Promise<T> {
  const s = await loadStack(ctx, { answersFile: optString(args, 'answers'), project: optString(args, 'project') });
  return guarded(ctx, s, what, () => fn(s), o);
}

export const backupDirOf = (s: Stack, id: string) => join(s.installDir, 'backups', id);
