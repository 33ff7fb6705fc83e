// One flag per wizard prompt (docs/ARCHITECTURE.md#flags-and-prompts): a flag or an answers-file key skips its
// prompt. The table maps each flag to its answers path; values are checked by the answers schema.
// The mirror kinds from their zod-free list: --help shows these flags without loading the answers schema.
import { MIRROR_KINDS } from './mirror-kinds/index.js';
import { mergeDraft, setPath, type Draft } from './draft.js';
import { refusalKey, splitCommandLine } from './command-line.js';
import { channelPath, withChannelValue, type ChannelKind } from './notify/channel-draft.js';
import type { ParseArgsConfig } from 'node:util';
import type { MsgKey, Params } from '../i18n/index.js';

/** parseArgs' option table (node:util), as the commands declare theirs. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

type Parsed = { value: unknown } | { error: MsgKey; params?: Params };
function commandLine(s: string): Parsed {
  const r = splitCommandLine(s.trim());
  return 'argv' in r ? { value: r.argv } : { error: refusalKey(r.feature), params: { text: r.text, at: r.at } };
}

export interface AnswerFlag {
  flag: string;
  path: string;
  parse: (s: string) => Parsed;
  /** How the value goes into the draft when `path` is not an answers path of its own (a notification channel's value). */
  set?: (d: Draft, v: unknown) => Draft;
}

const COMPONENTS = ['redis', 'worker', 'rabbitmq', 'minio', 'monitoring'] as const;

const str = (s: string): Parsed => ({ value: s });
/** A channel's value (`--notify-dingtalk URL`): the first channel of that kind in notify.channels. */
const channel = (flag: string, kind: ChannelKind, prop: string, parse: (s: string) => Parsed = str): AnswerFlag => ({
  flag, path: channelPath(kind, prop), parse, set: (d, v) => withChannelValue(d, kind, prop, v),
});
const list = (s: string): Parsed => ({ value: s.split(/[\s,]+/).filter(Boolean) });
const int = (s: string): Parsed => (/^\d{1,6}$/.test(s.trim()) ? { value: Number(s.trim()) } : { error: 'flag.int' });
const onOff = (s: string): Parsed => {
  const v = s.trim().toLowerCase();
  if (['on', 'yes', 'true', '1'].includes(v)) return { value: true };
  if (['off', 'no', 'false', '0'].includes(v)) return { value: false };
  return { error: 'flag.onOff' };
};

export const ANSWER_FLAGS: readonly AnswerFlag[] = [
  { flag: 'project', path: 'project', parse: str },
  { flag: 'image', path: 'app.image', parse: str },
  { flag: 'app-port', path: 'app.port', parse: int },
  { flag: 'health', path: 'app.health', parse: str },
  { flag: 'runtime', path: 'app.runtime', parse: str },
  {
    flag: 'worker-command',
    path: 'app.workerCommand',
    // One line split as a shell splits it, never run through one (#22.11).
    parse: commandLine,
  },
  // The migration argv, split like --worker-command; `none` for none.
  { flag: 'migrate', path: 'app.migrate', parse: (s) => (s.trim() === 'none' ? { value: undefined } : commandLine(s)) },
  { flag: 'preset', path: 'preset', parse: str },
  { flag: 'region', path: 'region', parse: str },
  {
    flag: 'components',
    path: 'components',
    parse: (s) => {
      const names = s.split(',').map((x) => x.trim()).filter((x) => x && x !== 'none');
      const bad = names.find((n) => !(COMPONENTS as readonly string[]).includes(n));
      if (bad) return { error: 'flag.component', params: { name: bad, allowed: COMPONENTS.join(',') } };
      return { value: Object.fromEntries(COMPONENTS.map((c) => [c, names.includes(c)])) };
    },
  },
  // `--domain none`: serve on the IP address; the prompt is still skipped.
  { flag: 'domain', path: 'domain', parse: (s) => ({ value: s.trim() === 'none' || s.trim() === '' ? undefined : s.trim() }) },
  { flag: 'tls', path: 'tls', parse: str },
  { flag: 'email', path: 'email', parse: str },
  { flag: 'cert', path: 'certificate.cert', parse: str },
  { flag: 'key', path: 'certificate.key', parse: str },
  { flag: 'http-port', path: 'ports.http', parse: int },
  { flag: 'https-port', path: 'ports.https', parse: int },
  { flag: 'db-engine', path: 'database.engine', parse: str },
  { flag: 'db-version', path: 'database.version', parse: str },
  { flag: 'cache-engine', path: 'cache.engine', parse: str },
  { flag: 'firewall', path: 'security.firewall', parse: onOff },
  { flag: 'fail2ban', path: 'security.fail2ban', parse: onOff },
  { flag: 'ssh-port', path: 'security.sshPort', parse: (s) => (s.trim() === 'auto' ? { value: 'auto' } : int(s)) },
  // Addresses or ranges fail2ban never bans, separated by commas or spaces (the prompt's form); `none` for none.
  { flag: 'ignore-ip', path: 'security.ignoreIp', parse: (s) => ({ value: s.trim() === 'none' ? [] : s.split(/[\s,]+/).filter(Boolean) }) },
  { flag: 'backup-schedule', path: 'backup.schedule', parse: str },
  { flag: 'backup-keep', path: 'backup.keep', parse: int },
  { flag: 'backup-drill', path: 'backup.drill', parse: str },
  { flag: 's3-endpoint', path: 'backup.s3.endpoint', parse: str },
  { flag: 's3-bucket', path: 'backup.s3.bucket', parse: str },
  { flag: 's3-region', path: 'backup.s3.region', parse: str },
  { flag: 's3-credentials-file', path: 'backup.s3.credentialsFile', parse: str },
  { flag: 's3-addressing', path: 'backup.s3.addressing', parse: str },
  { flag: 's3-keep', path: 'backup.s3.keep', parse: int },
  // Notification channels, one value each (the URL first: it creates the channel).
  channel('notify-wecom', 'wecom', 'url'),
  channel('notify-dingtalk', 'dingtalk', 'url'),
  channel('notify-dingtalk-secret', 'dingtalk', 'secretFile'),
  channel('notify-feishu', 'feishu', 'url'),
  channel('notify-feishu-secret', 'feishu', 'secretFile'),
  channel('notify-webhook', 'webhook', 'url'),
  channel('notify-email-host', 'email', 'host'),
  channel('notify-email-port', 'email', 'port', int),
  channel('notify-email-tls', 'email', 'tls'),
  channel('notify-email-user', 'email', 'user'),
  channel('notify-email-password-file', 'email', 'passwordFile'),
  channel('notify-email-from', 'email', 'from'),
  channel('notify-email-to', 'email', 'to', list),
  { flag: 'notify-lang', path: 'notify.lang', parse: str },
  { flag: 'install-dir', path: 'installDir', parse: str },
  // The operator's own Docker Hub accelerator, probed with the registry mirrors (the region screen's field).
  { flag: 'accelerator', path: 'mirrors.accelerator', parse: str },
  { flag: 'redis-mode', path: 'redis.mode', parse: str },
];

/** `--mirror KIND=URL`, repeatable: the mirror for one kind (what the region screen asks). */
export const MIRROR_FLAG = 'mirror';

export const ANSWER_FLAG_OPTIONS: OptionSpec = {
  ...Object.fromEntries(ANSWER_FLAGS.map((f) => [f.flag, { type: 'string' as const }])),
  [MIRROR_FLAG]: { type: 'string', multiple: true },
};

export interface FlagProblem { flag: string; key: MsgKey; params: Params }

/** The flags given → a draft and the set of answers paths they fix (so their prompts are skipped). */
export function draftFromFlags(values: Record<string, unknown>): { draft: Draft; given: Set<string>; problems: FlagProblem[] } {
  let draft: Draft = {};
  const given = new Set<string>();
  const problems: FlagProblem[] = [];
  for (const f of ANSWER_FLAGS) {
    const raw = values[f.flag];
    if (typeof raw !== 'string') continue;
    const r = f.parse(raw);
    if ('error' in r) {
      problems.push({ flag: `--${f.flag}`, key: r.error, params: { value: raw, ...(r.params ?? {}) } });
      continue;
    }
    given.add(f.path);
    if (f.set) draft = f.set(draft, r.value);
    else if (r.value !== undefined && typeof r.value === 'object' && !Array.isArray(r.value)) draft = mergeDraft(draft, setPath({}, f.path, r.value));
    else draft = setPath(draft, f.path, r.value);
  }
  const mirrors = values[MIRROR_FLAG];
  for (const m of Array.isArray(mirrors) ? mirrors : []) {
    const i = String(m).indexOf('=');
    const kind = i > 0 ? String(m).slice(0, i) : '';
    if (!(MIRROR_KINDS as readonly string[]).includes(kind)) {
      problems.push({ flag: `--${MIRROR_FLAG}`, key: 'flag.mirror', params: { value: String(m), kinds: MIRROR_KINDS.join(', ') } });
      continue;
    }
    given.add(`mirrors.${kind}`);
    draft = setPath(draft, `mirrors.${kind}`, String(m).slice(i + 1));
  }
  return { draft, given, problems };
}

/** The flag that sets an answers path, for error messages ("--image (app.image): …"). */
export function flagFor(path: string): string | undefined {
  const f = ANSWER_FLAGS.find((x) => path === x.path || path.startsWith(`${x.path}.`));
  if (!f && path.startsWith('mirrors.')) return `--${MIRROR_FLAG} ${path.slice('mirrors.'.length)}=URL`;
  return f && `--${f.flag}`;
}

/** The answer flags for --help: each skips its prompt in the wizard and in init. */
export function answerFlagsHelp(t: (k: 'help.answerFlags') => string): string {
  const items = [...ANSWER_FLAGS.map((f) => `--${f.flag}`), `--${MIRROR_FLAG} KIND=URL`];
  const lines: string[] = [];
  let cur = ' ';
  for (const it of items) {
    if (cur.length + it.length + 1 > 96) {
      lines.push(cur);
      cur = ' ';
    }
    cur += ` ${it}`;
  }
  lines.push(cur);
  return [t('help.answerFlags'), ...lines].join('\n');
}
