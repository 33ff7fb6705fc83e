// The events stack-wizard alerts on, as data: each has a key (the kind and what it is about, so
// two containers in trouble are two events), a severity, the values its message needs, and the
// command that fixes it. The texts are i18n keys (catalog/notify.ts), read in notify.lang.
import type { MsgKey, Params, T } from '../../i18n/index.js';

export const EVENT_KINDS = [
  'backup-failed',
  'backup-missing',
  'drill-failed',
  'drill-stale',
  'remote-failed',
  'cert-renewal-failed',
  'cert-expiring',
  'disk-low',
  'disk-filling',
  'container-oom',
  'container-restarting',
  'mirror-degraded',
  'update-rolled-back',
  'test',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface NotifyEvent {
  kind: EventKind;
  /** What de-duplication counts as "the same event": the kind, and its subject when it has one. */
  key: string;
  severity: 'warn' | 'error';
  params: Params;
}

export const event = (
  kind: EventKind,
  params: Params = {},
  subject?: string,
  severity: 'warn' | 'error' = 'error',
): NotifyEvent => ({
  kind,
  key: subject ? `${kind}:${subject}` : kind,
  severity,
  params,
});

/** The command that fixes it, shown in every message (placeholders from the event's params). */
const FIX: Record<EventKind, string> = {
  'backup-failed': 'stack-wizard backup',
  'backup-missing': 'stack-wizard doctor --check backups',
  'drill-failed': 'stack-wizard backup verify {id}',
  'drill-stale': 'stack-wizard backup drill',
  'remote-failed': 'stack-wizard backup s3 test',
  'cert-renewal-failed': 'stack-wizard doctor --check tls-renewal --fix',
  'cert-expiring': 'stack-wizard doctor --check tls-expiry --fix',
  'disk-low': 'stack-wizard doctor --check disk --fix',
  'disk-filling': 'stack-wizard doctor --check disk',
  'container-oom': 'stack-wizard doctor --check oom-containers',
  'container-restarting': 'stack-wizard doctor --check restarts',
  'mirror-degraded': 'stack-wizard doctor --check mirrors --fix',
  'update-rolled-back': 'stack-wizard update',
  test: 'stack-wizard notify test',
};

const fill = (s: string, p: Params) => s.replace(/\{(\w+)\}/g, (m, k: string) => (k in p ? String(p[k]) : m));
export const fixCommand = (e: Pick<NotifyEvent, 'kind' | 'params'>) => fill(FIX[e.kind], e.params);

export interface Message {
  /** One line: the subject of a mail, the first line of a chat message. */
  title: string;
  /** The lines under it: what happened, where, when, and the fix. */
  lines: string[];
  /** The whole message as plain text (chat robots, the mail body). */
  text: string;
  state: 'firing' | 'resolved';
}

export interface Where {
  host: string;
  project: string;
  at: Date;
}

const stamp = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');

/** The alert (or its recovery) in one language, with the host, the project, what happened and the fix. */
export function composeMessage(
  t: T,
  e: NotifyEvent,
  where: Where,
  state: 'firing' | 'resolved',
  o: { repeat?: boolean; since?: Date } = {},
): Message {
  const kind = `nt.ev.${e.kind}` as const;
  const what = t(`${kind}.${state === 'firing' ? 'what' : 'ok'}` as MsgKey, e.params);
  const title = t(state === 'firing' ? (o.repeat ? 'nt.titleRepeat' : 'nt.title') : 'nt.titleOk', {
    host: where.host,
    project: where.project,
    what: t(`${kind}.title` as MsgKey, e.params),
  });
  const lines = [
    what,
    t('nt.where', { host: where.host, project: where.project }),
    t('nt.when', { at: stamp(where.at), ...(o.since ? { since: stamp(o.since) } : {}) }) +
      (o.since && state === 'resolved' ? t('nt.since', { since: stamp(o.since) }) : ''),
    ...(state === 'firing' ? [t('nt.fix', { command: fixCommand(e) })] : []),
  ];
  return { title, lines, text: [title, ...lines].join('\n'), state };
}
