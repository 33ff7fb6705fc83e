// Steps that act on this machine's Docker engine (install, pulls, start) do nothing when
// STACK_WIZARD_ROOT points the host files at another root (a chroot being prepared, a test root):
// that root has no engine of its own, and the live one belongs to the machine, not to it.
import type { Context } from '../context.js';
import type { StepCheck } from './engine.js';

export function offEngine(ctx: Context): StepCheck | null {
  const root = ctx.hostRoot;
  return root ? { needed: false, changes: [ctx.t('apply.otherRoot', { root })] } : null;
}
