// The maintenance use cases the wizard's menu offers, as data: a task names a use case and its
// options, and `runTask` calls the same service the command does. The menu never builds a
// command line (docs/ARCHITECTURE.md#layers).
import type { Context } from '../context.js';
import { backup, backupVerify } from './backup.js';
import { doctorReport, loadDoctor } from './doctor.js';
import { restore } from './restore.js';
import { securityApply, securityStatusReport } from './security.js';
import { showStatus } from './status.js';
import type { StackSelector } from './stack.js';
import { update } from './update.js';

export type MaintenanceTask =
  | { use: 'status'; stack: StackSelector }
  | { use: 'backup'; stack: StackSelector }
  | { use: 'backupVerify'; stack: StackSelector; id?: string }
  /** Without `yes` it checks the backup and stops short of restoring it (exit 2). */
  | { use: 'restore'; stack: StackSelector; id?: string; yes: boolean }
  /** Without `yes` it shows what would change and stops (exit 2). */
  | { use: 'update'; stack: StackSelector; yes: boolean }
  | { use: 'doctor'; stack: StackSelector }
  | { use: 'securityStatus'; answersFile: string }
  /** `dryRun`: the preview, exit 0 when it would apply. */
  | { use: 'securityApply'; answersFile: string; yes: boolean; dryRun: boolean };

/** Runs a task as its command would with the same options, printing into `ctx.io`; returns the exit code. */
export async function runTask(ctx: Context, task: MaintenanceTask): Promise<number> {
  switch (task.use) {
    case 'status':
      return showStatus(ctx, { stack: task.stack, json: false });
    case 'backup':
      return backup(ctx, { stack: task.stack, scheduled: false });
    case 'backupVerify':
      return backupVerify(ctx, { stack: task.stack, id: task.id, json: false });
    case 'restore':
      return restore(ctx, { stack: task.stack, id: task.id, yes: task.yes, rollback: false, skipVerify: false, json: false });
    case 'update':
      return update(ctx, { stack: task.stack, yes: task.yes, rollback: false, pull: true });
    case 'doctor':
      return doctorReport(ctx, await loadDoctor(ctx, task.stack, {}), { json: false });
    case 'securityStatus':
      return securityStatusReport(ctx, { answersFile: task.answersFile, json: false });
    case 'securityApply':
      return securityApply(ctx, { answersFile: task.answersFile, yes: task.yes, dryRun: task.dryRun });
  }
}
