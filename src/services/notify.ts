// Use case: `notify test`: one test message to every channel of notify.channels, each channel's
// own answer shown (a robot's errcode, the SMTP server's reply), exit 1 when any refused it; exit 3
// before sending when a channel's secret file breaks the secret-file rule (steps/secret-file.ts).
import type { Context } from '../context.js';
import { event } from '../domain/notify/events.js';
import { usageError } from '../errors.js';
import { loadStack } from '../steps/stack-tools.js';
import { deliver, notifySettings, requireSecretFiles, type ChannelResult } from '../steps/notify.js';
import type { StackSelector } from './stack.js';

export function formatChannelResults(ctx: Context, rs: readonly ChannelResult[]): string {
  const out: string[] = [];
  for (const r of rs) {
    out.push(`${r.ok ? '✓' : '✗'} ${r.channel}: ${r.answer} (${r.ms} ms)`);
  }
  out.push(
    ctx.t(rs.every((r) => r.ok) ? 'nt.testAllOk' : 'nt.testSomeFailed', {
      ok: rs.filter((r) => r.ok).length,
      total: rs.length,
    }),
  );
  return `${out.join('\n')}\n`;
}

/** Sends the test message; the channels' results (the wizard's test button shows the same lines). */
export async function notifyTestResults(ctx: Context, o: { stack: StackSelector }): Promise<ChannelResult[]> {
  const s = await loadStack(ctx, o.stack);
  const settings = notifySettings(s.prepared.answers, s.prepared.facts.hostname);
  if (settings.channels.length === 0) throw usageError('err.nt.noChannels', { file: s.answersFile });
  await requireSecretFiles(ctx, settings.channels);
  return deliver(ctx, settings, event('test', {}), 'firing');
}

export async function notifyTest(ctx: Context, o: { stack: StackSelector; json: boolean }): Promise<number> {
  const rs = await notifyTestResults(ctx, o);
  ctx.io.out(o.json ? `${JSON.stringify({ channels: rs }, null, 2)}\n` : formatChannelResults(ctx, rs));
  return rs.every((r) => r.ok) ? 0 : 1;
}
