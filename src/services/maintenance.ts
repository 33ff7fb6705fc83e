// The maintenance use cases the wizard's menu offers, as data: a task names a use case and its
// options, and `runTask` calls the same service the command does. The menu never builds a
// command line (docs/ARCHITECTURE.md#layers).
import type { Context } from '../context.js';
import type { StackSelector } from './stack.js';

export type MaintenanceTask =
  | { use: 'status'; stack: StackSelector }
  | { use: 'backup'; stack: StackSelector }
  | { use: 'backupVerify'; stack: StackSelector; id?: string }
  /** The restore drill of the newest backup (recorded, alerting as the weekly one does). */
  | { use: 'backupDrill'; stack: StackSelector }
  | { use: 'notifyTest'; stack: StackSelector }
  | { use: 's3Test'; stack: StackSelector }
  /** Without `yes` it checks the backup and stops short of restoring it (exit 2). */
  | { use: 'restore'; stack: StackSelector; id?: string; yes: boolean }
  /** Without `yes` it shows what would change and stops (exit 2). */
  | { use: 'update'; stack: StackSelector; yes: boolean }
  | { use: 'doctor'; stack: StackSelector }
  | { use: 'securityStatus'; answersFile: string }
  /** `dryRun`: the preview, exit 0 when it would apply. */
  | { use: 'securityApply'; answersFile: string; yes: boolean; dryRun: boolean };

/**
 * Runs a task as its command would with the same options, printing into `ctx.io`; returns the exit
 * code. Each service loads when its task runs, as each command does: the wizard's first frame
 * does not wait for the code of the menu's rows.
 */
export async function runTask(ctx: Context, task: MaintenanceTask): Promise<number> {
  switch (task.use) {
    case 'status':
      return (await import('./status.js')).showStatus(ctx, { stack: task.stack, json: false, bars: true });
    case 'backup':
      return (await import('./backup.js')).backup(ctx, { stack: task.stack, scheduled: false });
    case 'backupVerify':
      return (await import('./backup.js')).backupVerify(ctx, { stack: task.stack, id: task.id, json: false });
    case 'backupDrill':
      return (await import('./drill.js')).backupDrill(ctx, { stack: task.stack, scheduled: false, json: false });
    case 'notifyTest':
      return (await import('./notify.js')).notifyTest(ctx, { stack: task.stack, json: false });
    case 's3Test':
      return (await import('./backup-s3.js')).backupS3Test(ctx, { stack: task.stack, json: false });
    case 'restore':
      return (await import('./restore.js')).restore(ctx, { stack: task.stack, id: task.id, yes: task.yes, rollback: false, skipVerify: false, json: false });
    case 'update':
      return (await import('./update.js')).update(ctx, { stack: task.stack, yes: task.yes, rollback: false, pull: true });
    case 'doctor': {
      const d = await import('./doctor.js');
      return d.doctorReport(ctx, await d.loadDoctor(ctx, task.stack, {}), { json: false });
    }
    case 'securityStatus':
      return (await import('./security.js')).securityStatusReport(ctx, { answersFile: task.answersFile, json: false });
    case 'securityApply':
      return (await import('./security.js')).securityApply(ctx, { answersFile: task.answersFile, yes: task.yes, dryRun: task.dryRun });
  }
}
