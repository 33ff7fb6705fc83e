// Where init records an installed stack, so later commands find it without flags: the tool's own
// state, written by steps through the Executor (docs/ARCHITECTURE.md#tool-state says why not conf).
import { join } from 'node:path';
import type { Context } from '../context.js';
import type { Plan } from '../domain/plan.js';

export const DEFAULT_STATE_DIR = '/etc/stack-wizard';

/** STACK_WIZARD_STATE_DIR moves the registry (tests, unusual hosts). */
export const stateDir = (ctx: Context) => ctx.env.STACK_WIZARD_STATE_DIR || DEFAULT_STATE_DIR;
export const stateFile = (ctx: Context, project: string) => join(stateDir(ctx), `${project}.json`);

export interface RegistryEntry { project: string; installDir: string; answers: string; templateVersion: number }

export function registryEntry(plan: Plan): string {
  const e: RegistryEntry = {
    project: plan.project,
    installDir: plan.installDir,
    answers: join(plan.installDir, 'stack-wizard.yaml'),
    templateVersion: plan.templateVersion,
  };
  return `${JSON.stringify(e, null, 2)}\n`;
}

/** Stacks recorded on this host, by project name. */
export async function installedStacks(ctx: Context): Promise<RegistryEntry[]> {
  const out: RegistryEntry[] = [];
  for (const name of (await ctx.exec.listDir(stateDir(ctx))).filter((n) => n.endsWith('.json'))) {
    const text = await ctx.exec.readFile(join(stateDir(ctx), name));
    try {
      const e = JSON.parse(text ?? '') as RegistryEntry;
      if (e && typeof e.installDir === 'string' && typeof e.answers === 'string') out.push(e);
    } catch {
      // A damaged entry is ignored here; doctor reports it.
    }
  }
  return out;
}
