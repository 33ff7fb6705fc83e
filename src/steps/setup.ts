// Where a setup writes and what it runs: the install dir as root, else a local folder
// (./stack-wizard-<project>, or --out) with nothing else touched. Shared by the wizard and init.
import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { runSteps, type Step, type StepEvent, type StepReport } from './engine.js';
import { installSteps, runInstall } from './install.js';
import { diffAgainstDisk, writeRendered, type Prepared } from './prepare.js';
import type { Plan } from '../domain/plan.js';

export interface SetupTarget { isRoot: boolean; local: boolean; /** Set when local. */ targetDir: string | undefined }

export function setupTarget(ctx: Context, project: string, out: string | undefined, isRoot = ctx.isRoot): SetupTarget {
  const local = !isRoot || out !== undefined;
  return { isRoot, local, targetDir: local ? resolve(ctx.cwd, out ?? `stack-wizard-${project}`) : undefined };
}

/** The local render as a step, so the wizard shows it like any other. */
export const writeLocalStep: Step = {
  id: 'files-local',
  title: 'step.filesLocal',
  async check(ctx, s) {
    const changes = (await diffAgainstDisk(ctx, s.targetDir, s.files)).filter((c) => c.status !== 'unchanged');
    return { needed: changes.length > 0, changes: changes.map((c) => `${c.status === 'created' ? '+' : '~'} ${c.path}`) };
  },
  async apply(ctx, s, emit) {
    emit({ kind: 'progress', fraction: 0, text: s.targetDir });
    await writeRendered(ctx, s.targetDir, s.files);
    emit({ kind: 'progress', fraction: 1, text: s.targetDir });
  },
};

export const setupSteps = (local: boolean, plan?: Plan): Step[] => (local ? [writeLocalStep] : installSteps(plan));

export function applySetup(ctx: Context, p: Prepared, local: boolean, onEvent: (e: StepEvent) => void): Promise<StepReport[]> {
  // On a server every action is also logged to the install dir (runInstall).
  return local ? runSteps(ctx, setupSteps(local), p, onEvent) : runInstall(ctx, p, onEvent);
}
