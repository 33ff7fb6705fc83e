// Use cases of the bucket: `backup s3 test` (a real PUT, GET and DELETE with the configured keys,
// naming the step that failed) and `backup s3 list` (the bucket's backups, newest first).
import type { Context } from '../context.js';
import { humanBytes } from '../domain/backup.js';
import { usageError } from '../errors.js';
import { s3Test, type S3Config, type S3TestStep } from '../steps/backup-s3.js';
import { loadStack } from '../steps/stack-tools.js';
import type { StackSelector } from './stack.js';

export function formatS3Test(ctx: Context, r: { steps: S3TestStep[]; ok: boolean }, bucket: string): string {
  const out = r.steps.map((x) => `${x.ok ? '✓' : '✗'} ${ctx.t(`s3.step.${x.step}`)}: ${x.detail} (${x.ms} ms)`);
  const failed = r.steps.find((x) => !x.ok);
  out.push(
    failed ? ctx.t('s3.testFailed', { step: ctx.t(`s3.step.${failed.step}`), bucket }) : ctx.t('s3.testOk', { bucket }),
  );
  return `${out.join('\n')}\n`;
}

async function target(ctx: Context, stack: StackSelector): Promise<{ t: S3Config; project: string }> {
  const s = await loadStack(ctx, stack);
  const t = s.prepared.answers.backup.s3;
  if (!t) throw usageError('err.s3.notConfigured', { file: s.answersFile });
  return { t, project: s.project };
}

/** The test's steps (the wizard's test button shows the same). */
export async function s3TestResults(ctx: Context, stack: StackSelector) {
  const { t, project } = await target(ctx, stack);
  return { ...(await s3Test(ctx, t, project)), bucket: t.bucket };
}

export async function backupS3Test(ctx: Context, o: { stack: StackSelector; json: boolean }): Promise<number> {
  const r = await s3TestResults(ctx, o.stack);
  if (o.json)
    ctx.io.out(
      `${JSON.stringify({ ok: r.ok, bucket: r.bucket, steps: r.steps, backups: r.backups.map((b) => ({ id: b.id, complete: b.complete, bytes: b.bytes, objects: b.keys.length })) }, null, 2)}\n`,
    );
  else {
    ctx.io.out(formatS3Test(ctx, r, r.bucket));
    if (r.ok)
      for (const b of r.backups)
        ctx.io.out(`  ${b.id}  ${humanBytes(b.bytes)}  ${b.complete ? '' : ctx.t('s3.incomplete')}\n`);
  }
  return r.ok ? 0 : 1;
}
