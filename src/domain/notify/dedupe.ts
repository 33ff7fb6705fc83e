// No alert storms: what was sent for each event key, and what to send now. An event that starts is
// sent at once; while it goes on it is sent again only after `repeatAfterMs`; when it ends one
// recovery is sent (only if its alert was), then nothing until it starts again.
import { z } from 'zod';
import { SamplesSchema } from '../watch-events.js';

const EntrySchema = z.strictObject({
  firing: z.boolean(),
  /** When it started (this time round). */
  since: z.string(),
  /** When its alert last reached a channel; null: never (no channel took it yet). */
  lastSent: z.string().nullable(),
  sent: z.number().int().nonnegative(),
  severity: z.enum(['warn', 'error']),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type DedupeEntry = z.infer<typeof EntrySchema>;

export const NotifyStateSchema = z.strictObject({
  format: z.literal(1),
  events: z.record(z.string(), EntrySchema),
  /** The first watch on this host: backups are expected from then on (no alert for the days before the install). */
  firstSeen: z.string().optional(),
  samples: SamplesSchema.optional(),
});
export type NotifyState = z.infer<typeof NotifyStateSchema>;

export const emptyState = (): NotifyState => ({ format: 1, events: {} });

export function parseNotifyState(text: string | null): NotifyState {
  if (!text) return emptyState();
  try {
    const r = NotifyStateSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : emptyState();
  } catch {
    return emptyState();
  }
}

export type Decision = { send: 'alert' | 'repeat' | 'recovery'; since: Date } | { send: null };

/** What to send for an event now firing (or not), given what was sent before. */
export function decide(prev: DedupeEntry | undefined, firing: boolean, now: Date, repeatAfterMs: number): Decision {
  if (firing) {
    if (!prev || !prev.firing) return { send: 'alert', since: now };
    const since = new Date(prev.since);
    // Never reached a channel: try again now rather than wait out the window.
    if (prev.lastSent === null) return { send: 'alert', since };
    return now.getTime() - Date.parse(prev.lastSent) >= repeatAfterMs ? { send: 'repeat', since } : { send: null };
  }
  if (prev?.firing && prev.lastSent !== null) return { send: 'recovery', since: new Date(prev.since) };
  return { send: null };
}

/** The entry after a decision; `delivered`: at least one channel accepted what was sent. */
export function record(
  prev: DedupeEntry | undefined,
  firing: boolean,
  d: Decision,
  delivered: boolean,
  now: Date,
  e: { severity: 'warn' | 'error'; params: DedupeEntry['params'] },
): DedupeEntry | undefined {
  if (!firing) {
    // A recovery that reached nobody is tried again next time; else the event is closed.
    if (d.send === 'recovery' && !delivered) return prev;
    return prev ? { ...prev, firing: false } : undefined;
  }
  const since = d.send === null ? (prev?.since ?? now.toISOString()) : d.since.toISOString();
  return {
    firing: true,
    since,
    lastSent: d.send !== null && delivered ? now.toISOString() : prev?.firing ? prev.lastSent : null,
    sent: (prev?.firing ? prev.sent : 0) + (d.send !== null && delivered ? 1 : 0),
    severity: e.severity,
    params: e.params,
  };
}
