// Use case: the complete file set into a folder, nothing else touched (`render`).
import type { Context } from '../context.js';
import { diffAgainstDisk, loadAnswers, prepare, writeRendered } from '../steps/prepare.js';
import { planSummary } from './plan-summary.js';

/** `out` is absolute (the command resolves it against the working directory). */
export async function renderFiles(ctx: Context, o: { answersFile: string; factsFile?: string; out: string; json: boolean }): Promise<number> {
  const { out } = o;
  const answers = await loadAnswers(ctx, o.answersFile);
  const p = await prepare(ctx, { answers, factsFile: o.factsFile, targetDir: out });
  const changes = await diffAgainstDisk(ctx, out, p.files);
  await writeRendered(ctx, out, p.files);
  if (o.json) {
    ctx.io.out(`${JSON.stringify({ out, files: changes.map((c) => ({ path: c.path, status: c.status })), plan: p.plan }, null, 2)}\n`);
    return 0;
  }
  ctx.io.out(ctx.t('render.done', { count: p.files.length, dir: out }) + '\n');
  for (const c of changes) ctx.io.out(`  ${c.status === 'created' ? '+' : c.status === 'changed' ? '~' : '='} ${c.path}\n`);
  ctx.io.out(planSummary(ctx, p.plan));
  return 0;
}
