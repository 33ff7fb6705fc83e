// Notification channels as single answers: the wizard asks (and a flag sets) one value at a time,
// `notify.channels.<kind>.<prop>` (the DingTalk robot's URL, the SMTP host…), while the answers
// file keeps the fixed list shape `notify.channels: [ { kind, … } ]`. These read and write the
// first channel of a kind in a draft; the channel's main value (a robot's URL, the mail host) set
// empty removes the channel. Pure.
import type { Draft } from '../draft.js';
import { getPath, setPath } from '../draft.js';

export type ChannelKind = 'wecom' | 'dingtalk' | 'feishu' | 'webhook' | 'email';

/** The value that makes a channel exist: without it the channel is removed. */
export const MAIN_PROP: Record<ChannelKind, string> = {
  wecom: 'url',
  dingtalk: 'url',
  feishu: 'url',
  webhook: 'url',
  email: 'host',
};

export const channelPath = (kind: ChannelKind, prop: string) => `notify.channels.${kind}.${prop}`;

/** `notify.channels.dingtalk.secretFile` → ['dingtalk', 'secretFile']; null for any other path. */
export function parseChannelPath(path: string): { kind: ChannelKind; prop: string } | null {
  const m = /^notify\.channels\.(wecom|dingtalk|feishu|webhook|email)\.(\w+)$/.exec(path);
  return m ? { kind: m[1] as ChannelKind, prop: m[2]! } : null;
}

const channelsOf = (d: Draft): Record<string, unknown>[] => {
  const v = getPath(d, 'notify.channels');
  return Array.isArray(v) ? (v as Record<string, unknown>[]) : [];
};

export function channelValue(d: Draft, kind: ChannelKind, prop: string): unknown {
  return channelsOf(d).find((c) => c.kind === kind)?.[prop];
}

export function withChannelValue(d: Draft, kind: ChannelKind, prop: string, v: unknown): Draft {
  const list = [...channelsOf(d)];
  const i = list.findIndex((c) => c.kind === kind);
  const empty = v === undefined || v === '';
  let next: Record<string, unknown>[];
  if (prop === MAIN_PROP[kind] && empty) next = list.filter((c) => c.kind !== kind);
  else if (i < 0) next = empty ? list : [...list, { kind, [prop]: v }];
  else {
    const c = { ...list[i]! };
    if (empty) delete c[prop];
    else c[prop] = v;
    next = list.map((x, j) => (j === i ? c : x));
  }
  return setPath(d, 'notify.channels', next.length ? next : undefined);
}

/** Whether a schema issue at `issuePath` (notify.channels.<i>.<prop>) is about this channel field. */
export function channelOwns(d: Draft, kind: ChannelKind, prop: string, issuePath: string): boolean {
  const m = /^notify\.channels\.(\d+)(?:\.(\w+))?/.exec(issuePath);
  if (!m) return false;
  const c = channelsOf(d)[Number(m[1])];
  if (c?.kind !== kind) return false;
  // An issue of the channel as a whole (a missing value) shows at its main field.
  return m[2] === prop || (m[2] === undefined && prop === MAIN_PROP[kind]);
}
