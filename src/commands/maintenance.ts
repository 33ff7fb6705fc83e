// What backup, restore and update share at the command level: the stack, its log, the lock,
// and progress printed as log lines (the menu shows the same lines in its output screen).
import { join } from 'node:path';
import type { Context } from '../context.js';
import { fileLog } from '../exec/executor.js';
import { WizardError } from '../errors.js';
import type { StepEvent } from '../steps/engine.js';
import { logFile } from '../steps/install.js';
import { acquireLock, loadStack, type Stack } from '../steps/stack-tools.js';
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

/** Loads the stack, logs to its log file, holds the maintenance lock while `fn` runs. */
export async function withStack<T>(ctx: Context, args: ParsedArgs, what: string, fn: (s: Stack) => Promise<T>, o: { lock?: boolean } = {}): Promise<T> {
  const s = await loadStack(ctx, { answersFile: optString(args, 'answers'), project: optString(args, 'project') });
  const log = fileLog(logFile(s.installDir), ctx.clock);
  ctx.setLogSink(log.sink);
  log.open();
  ctx.exec.note(`${what}: project ${s.project}, install dir ${s.installDir}`);
  const release = o.lock === false || ctx.exec.dryRun ? async () => {} : await acquireLock(ctx, s.installDir, what);
  try {
    const r = await fn(s);
    ctx.exec.note(`${what} done`);
    return r;
  } catch (e) {
    const msg = e instanceof WizardError ? [ctx.t(e.key, e.params), ...e.details].join('\n') : e instanceof Error ? e.message : String(e);
    ctx.exec.note(`${what} failed: ${msg}`);
    throw e;
  } finally {
    await release();
  }
}

export const backupDirOf = (s: Stack, id: string) => join(s.installDir, 'backups', id);
