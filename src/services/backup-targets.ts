// Use case: the wizard's test button on the backup screen (Ctrl+T): with the answers as typed (no
// stack installed yet, nothing saved), a test message to each notification channel and the
// bucket's PUT/GET/DELETE/LIST, as `notify test` and `backup s3 test` print them.
import type { Context } from '../context.js';
import type { Answers } from '../domain/answers.js';
import { event } from '../domain/notify/events.js';
import { errorText } from '../errors.js';
import { s3Test } from '../steps/backup-s3.js';
import { deliver, notifySettings } from '../steps/notify.js';
import { formatS3Test } from './backup-s3.js';
import { formatChannelResults } from './notify.js';

export async function testBackupTargets(ctx: Context, a: Answers, hostname: string): Promise<string[]> {
  const out: string[] = [];
  const settings = notifySettings(a, hostname);
  if (settings.channels.length)
    out.push(
      ...formatChannelResults(ctx, await deliver(ctx, settings, event('test', {}), 'firing'))
        .trimEnd()
        .split('\n'),
    );
  const s3 = a.backup.s3;
  if (s3) {
    try {
      out.push(
        ...formatS3Test(ctx, await s3Test(ctx, s3, a.project), s3.bucket)
          .trimEnd()
          .split('\n'),
      );
    } catch (e) {
      out.push(`✗ ${errorText(ctx.t, e)}`);
    }
  }
  if (out.length === 0) out.push(ctx.t('ui.bk.testNothing'));
  return out;
}
