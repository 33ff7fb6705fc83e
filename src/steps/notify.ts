// Sending alerts (answers notify): every channel gets each message; a robot's secret, the SMTP
// password are read from their files when sending (as root) and added to the log's redaction
// first, never printed. What was sent per event is kept in .stack-wizard/notify.json, so an event
// still going on is not sent again within notify.repeatAfter and its recovery is sent once.
import { join } from 'node:path';
import type { Context } from '../context.js';
import type { Answers, NotifyChannel } from '../domain/answers.js';
import { buildPost, judgeAnswer, secretsOf } from '../domain/notify/channels.js';
import { decide, parseNotifyState, record, type NotifyState } from '../domain/notify/dedupe.js';
import { composeMessage, type Message, type NotifyEvent } from '../domain/notify/events.js';
import { buildMail, dataPayload } from '../domain/notify/mail.js';
import { HOUR, parseDuration } from '../domain/schedule.js';
import type { Observation } from '../domain/watch-events.js';
import { http, NetError, smtpSend, SmtpError } from '../exec/net.js';
import { errorText, WizardError } from '../errors.js';
import { translator, type Lang } from '../i18n/index.js';
import { HOST } from '../render/paths.js';
import { readSecretFile } from './secret-file.js';

export interface NotifySettings {
  channels: NotifyChannel[];
  lang: Lang;
  repeatAfterMs: number;
  host: string;
  project: string;
}

export const DEFAULT_REPEAT = '12h';

export function notifySettings(a: Answers, hostname: string): NotifySettings {
  const n = a.notify;
  return {
    channels: n?.channels ?? [],
    lang: n?.lang ?? (a.region === 'cn' ? 'zh-CN' : 'en'),
    repeatAfterMs: parseDuration(n?.repeatAfter ?? DEFAULT_REPEAT) ?? 12 * HOUR,
    host: n?.hostname ?? hostname,
    project: a.project,
  };
}

/** A channel as the operator reads it: its kind and where it goes, without the key or token. */
export function channelLabel(ch: NotifyChannel): string {
  if (ch.kind === 'email') return `email ${ch.host}:${ch.port} → ${ch.to.join(', ')}`;
  try {
    const u = new URL(ch.url);
    return `${ch.kind} ${u.host}${u.pathname.replace(/\/hook\/.*/, '/hook/…')}`;
  } catch {
    return ch.kind;
  }
}

export interface ChannelResult {
  channel: string;
  kind: NotifyChannel['kind'];
  ok: boolean;
  /** What the channel answered: a robot's errcode or code, the SMTP server's last reply, or the network error. */
  answer: string;
  ms: number;
}

/** Which answers key names a channel's secret file (in the refusal's text). */
const secretKey = (ch: NotifyChannel) =>
  `notify.channels.${ch.kind}.${ch.kind === 'email' ? 'passwordFile' : 'secretFile'}`;
const secretFileOf = (ch: NotifyChannel) =>
  ch.kind === 'email' ? ch.passwordFile : ch.kind === 'wecom' ? undefined : ch.secretFile;

/**
 * A secret file's first line; an error for the channel when it is missing or empty. A file another
 * account could read or write is refused by the one rule for secret files (steps/secret-file.ts: throws, exit 3).
 */
async function readSecret(
  ctx: Context,
  ch: NotifyChannel,
  file: string,
): Promise<{ value: string } | { error: string }> {
  const text = await readSecretFile(ctx, file, secretKey(ch)).catch((e: unknown) => {
    if (e instanceof WizardError) throw e;
    return null;
  });
  if (text === null) return { error: ctx.t('nt.err.secretFile', { file }) };
  const value = text.split('\n')[0]!.trim();
  if (!value) return { error: ctx.t('nt.err.secretEmpty', { file }) };
  ctx.exec.addSecrets([value]);
  return { value };
}

/**
 * Every channel's secret file against the secret-file rule, before anything is sent: `notify test`
 * refuses (exit 3, the file and the chmod/chown that fixes it) rather than send with a secret others can read.
 */
export async function requireSecretFiles(ctx: Context, channels: readonly NotifyChannel[]): Promise<void> {
  for (const ch of channels) {
    const file = secretFileOf(ch);
    if (file)
      await readSecretFile(ctx, file, secretKey(ch)).catch((e: unknown) => {
        if (e instanceof WizardError) throw e;
      });
  }
}

/** Sends one message to one channel and reports its answer; never throws (a channel down must not stop the others). */
export async function sendTo(
  ctx: Context,
  ch: NotifyChannel,
  m: Message,
  e: NotifyEvent,
  s: NotifySettings,
): Promise<ChannelResult> {
  const t0 = Date.now();
  const label = channelLabel(ch);
  const result = (ok: boolean, answer: string): ChannelResult => ({
    channel: label,
    kind: ch.kind,
    ok,
    answer: ctx.exec.redact(answer),
    ms: Date.now() - t0,
  });
  const secretFile = secretFileOf(ch);
  let secret: string | null = null;
  if (secretFile) {
    // A refused file fails this channel only: an alert still reaches the others.
    const r = await readSecret(ctx, ch, secretFile).catch((e: unknown) => ({
      error: errorText(ctx.t, e).split('\n')[0]!,
    }));
    if ('error' in r) return result(false, r.error);
    secret = r.value;
  }
  const now = ctx.clock();
  if (ch.kind === 'email') {
    const ca = ch.caFile ? await ctx.exec.readFile(ch.caFile).catch(() => null) : undefined;
    if (ca === null) return result(false, ctx.t('nt.err.caFile', { file: ch.caFile! }));
    const data = dataPayload(
      buildMail({
        from: ch.from,
        to: ch.to,
        subject: m.title,
        text: m.lines.join('\n'),
        date: now,
        messageId: `${Buffer.from(ctx.random(12)).toString('hex')}@${s.host}`,
      }),
    );
    try {
      const r = await ctx.exec.effect(
        'send',
        `SMTP ${ch.host}:${ch.port} (${ch.tls}${ch.user ? `, AUTH as ${ch.user}` : ''}) ${ch.from} → ${ch.to.join(', ')}: ${m.title}`,
        () =>
          smtpSend({
            host: ch.host,
            port: ch.port,
            tls: ch.tls,
            user: ch.user,
            password: secret ?? undefined,
            ca,
            helo: s.host,
            from: ch.from,
            to: ch.to,
            data,
            timeoutMs: 30_000,
          }),
        { reply: '250 (dry run)', transcript: [] },
      );
      return result(true, r.reply);
    } catch (err) {
      if (err instanceof SmtpError) return result(false, `${err.step}: ${err.reply}`);
      return result(false, err instanceof Error ? err.message : String(err));
    }
  }
  const post = buildPost(ch, m, e, { host: s.host, project: s.project, now, secret });
  ctx.exec.addSecrets(secretsOf(post));
  try {
    const r = await ctx.exec.effect(
      'send',
      `POST ${post.url} (${ch.kind}): ${m.title}`,
      () => http({ method: 'POST', url: post.url, headers: post.headers, body: post.body, timeoutMs: 15_000 }),
      null,
    );
    if (!r) return result(true, '(dry run)');
    const j = judgeAnswer(ch.kind, r.status, r.body.toString('utf8'));
    return result(j.ok, j.answer);
  } catch (err) {
    return result(
      false,
      err instanceof NetError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err),
    );
  }
}

/** One message to every channel, in parallel. */
export async function deliver(
  ctx: Context,
  s: NotifySettings,
  e: NotifyEvent,
  state: 'firing' | 'resolved',
  o: { repeat?: boolean; since?: Date } = {},
): Promise<ChannelResult[]> {
  const m = composeMessage(translator(s.lang), e, { host: s.host, project: s.project, at: ctx.clock() }, state, o);
  const results = await Promise.all(s.channels.map((ch) => sendTo(ctx, ch, m, e, s)));
  for (const r of results)
    ctx.exec.note(`notify ${e.key} (${state}) via ${r.channel}: ${r.ok ? 'accepted' : 'FAILED'}: ${r.answer}`);
  return results;
}

const statePath = (installDir: string) => join(installDir, HOST.notifyState);

export async function readNotifyState(ctx: Context, installDir: string): Promise<NotifyState> {
  return parseNotifyState(await ctx.exec.readFile(statePath(installDir)).catch(() => null));
}

export async function writeNotifyState(ctx: Context, installDir: string, st: NotifyState): Promise<void> {
  await ctx.exec.writeFiles([
    { path: statePath(installDir), content: `${JSON.stringify(st, null, 2)}\n`, mode: 0o600 },
  ]);
}

export interface Sent {
  key: string;
  send: 'alert' | 'repeat' | 'recovery';
  results: ChannelResult[];
}

/**
 * Observations (each event firing or not) through de-duplication: sends what is due, records what
 * was sent. `state` is updated in place and returned; the caller writes it (with its own additions).
 */
export async function processObservations(
  ctx: Context,
  s: NotifySettings,
  st: NotifyState,
  obs: readonly Observation[],
): Promise<Sent[]> {
  const sent: Sent[] = [];
  const now = ctx.clock();
  for (const o of obs) {
    const prev = st.events[o.event.key];
    const d = decide(prev, o.firing, now, s.repeatAfterMs);
    let delivered = false;
    if (d.send !== null) {
      // A recovery speaks of the event as it was last seen firing (its values then).
      const ev =
        d.send === 'recovery' && prev ? { ...o.event, params: { ...prev.params, ...o.event.params } } : o.event;
      const results = s.channels.length
        ? await deliver(ctx, s, ev, d.send === 'recovery' ? 'resolved' : 'firing', {
            repeat: d.send === 'repeat',
            since: d.since,
          })
        : [];
      delivered = results.some((r) => r.ok);
      sent.push({ key: o.event.key, send: d.send, results });
    }
    const next = record(prev, o.firing, d, delivered, now, { severity: o.event.severity, params: o.event.params });
    if (next) st.events[o.event.key] = next;
  }
  return sent;
}

/** Reports events from an operation (backup, drill, upload, update) as they happen: read, send, write. */
export async function reportEvents(
  ctx: Context,
  a: Answers,
  installDir: string,
  hostname: string,
  obs: readonly Observation[],
): Promise<Sent[]> {
  try {
    const s = notifySettings(a, hostname);
    const st = await readNotifyState(ctx, installDir);
    const sent = await processObservations(ctx, s, st, obs);
    if (!ctx.exec.dryRun) await writeNotifyState(ctx, installDir, st);
    return sent;
  } catch (e) {
    // An alert that cannot be sent must not turn the operation it reports on into a failure.
    ctx.exec.note(`notify: ${e instanceof Error ? e.message : String(e)}`);
    return [];
  }
}
