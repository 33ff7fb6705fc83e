// Whether a process still runs, read from /proc through the Executor (so --dry-run sees the truth).
import type { Context } from '../context.js';

/** Whether another process of ours that wrote a lock or journal (its pid) still runs. */
export const otherProcessAlive = async (ctx: Context, pid: number) => pid > 0 && pid !== process.pid && (await ctx.exec.exists(`/proc/${pid}`));
