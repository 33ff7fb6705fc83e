// The setup questions as data: each form's fields, how form text maps to answers (codecs), and
// the values a form starts from. A question screen is one FormDef here (docs/ARCHITECTURE.md#adding-a-screen).
// No React and no I/O: unit-tested directly.
import { AnswersSchema, RUNTIMES, type Answers } from '../../domain/answers.js';
import { getPath, isGiven, setPath, type Draft } from '../../domain/draft.js';
import { DB_DEFAULT_VERSION } from '../../domain/versions.js';
import { DB_ENGINES, DB_ENGINE_IDS, dbEngineIdOr } from '../../domain/engines/index.js';
import { CACHE_ENGINE_IDS } from '../../domain/cache/index.js';
import { channelOwns, channelPath, channelValue, withChannelValue, type ChannelKind } from '../../domain/notify/channel-draft.js';
import type { MsgKey, Params } from '../../i18n/index.js';
import { joinCommandLine, refusalKey, splitCommandLine } from '../../domain/command-line.js';

export type FormValue = string | boolean;
export type FormValues = Record<string, FormValue>;
export type Codec = 'text' | 'int' | 'sshPort' | 'argv' | 'command' | 'bool' | 'choice';

export interface Option { value: string; label?: MsgKey; text?: string }

export interface FieldDef {
  path: string;
  label: MsgKey;
  hint?: MsgKey;
  codec: Codec;
  /** For choices: the options, which may depend on the other values. */
  options?: (v: FormValues) => Option[];
  visible?: (v: FormValues) => boolean;
  /** A field that is not one answers path (a notification channel's value): how it reads and writes the draft. */
  bind?: FieldBind;
}

export interface FieldBind {
  get(d: Draft): unknown;
  set(d: Draft, v: unknown): Draft;
  /** Whether a schema issue at this answers path is this field's. */
  owns(issuePath: string, d: Draft): boolean;
}

const channelField = (kind: ChannelKind, prop: string, label: MsgKey, codec: Codec, o: Partial<FieldDef> = {}): FieldDef => ({
  path: channelPath(kind, prop),
  label,
  codec,
  bind: { get: (d) => channelValue(d, kind, prop), set: (d, v) => withChannelValue(d, kind, prop, v), owns: (ip, d) => channelOwns(d, kind, prop, ip) },
  ...o,
});
const filled = (path: string) => (v: FormValues) => String(v[path] ?? '').trim() !== '';

export interface FormDef {
  title: MsgKey;
  intro?: MsgKey;
  fields: FieldDef[];
  /** Values that follow others until the operator touches them (TLS follows the domain, the version the engine). */
  normalize?: (v: FormValues, touched: ReadonlySet<string>) => FormValues;
}

export const opt = (value: string, label?: MsgKey): Option => ({ value, ...(label ? { label } : {}) });
const COMPONENT_HINT: Record<string, MsgKey> = {
  redis: 'ui.h.redis', worker: 'ui.h.worker', rabbitmq: 'ui.h.rabbitmq', minio: 'ui.h.minio', monitoring: 'ui.h.monitoring',
};

const tlsOptions = (v: FormValues): Option[] => [
  ...(v.domain ? [opt('letsencrypt', 'ui.o.tls.letsencrypt')] : []),
  opt('self-signed', 'ui.o.tls.selfSigned'),
  opt('custom', 'ui.o.tls.custom'),
  opt('none', 'ui.o.tls.none'),
];

const FORM_DEFS = {
  app: {
    title: 'ui.s.app',
    intro: 'ui.i.app',
    fields: [
      { path: 'project', label: 'ui.f.project', hint: 'ui.h.project', codec: 'text' },
      { path: 'app.image', label: 'ui.f.image', hint: 'ui.h.image', codec: 'text' },
      { path: 'app.port', label: 'ui.f.appPort', hint: 'ui.h.appPort', codec: 'int' },
      { path: 'app.health', label: 'ui.f.health', hint: 'ui.h.health', codec: 'text' },
      { path: 'app.runtime', label: 'ui.f.runtime', hint: 'ui.h.runtime', codec: 'choice', options: () => RUNTIMES.map((r) => opt(r)) },
    ],
  },
  components: {
    title: 'ui.s.components',
    intro: 'ui.i.components',
    fields: [
      { path: 'components.redis', label: 'ui.f.redis', hint: COMPONENT_HINT.redis, codec: 'bool' },
      { path: 'cache.engine', label: 'ui.f.cacheEngine', hint: 'ui.h.cacheEngine', codec: 'choice', options: () => CACHE_ENGINE_IDS.map((id) => opt(id)), visible: (v) => v['components.redis'] === true },
      { path: 'components.worker', label: 'ui.f.worker', hint: COMPONENT_HINT.worker, codec: 'bool' },
      { path: 'app.workerCommand', label: 'ui.f.workerCommand', hint: 'ui.h.workerCommand', codec: 'command', visible: (v) => v['components.worker'] === true },
      { path: 'components.rabbitmq', label: 'ui.f.rabbitmq', hint: COMPONENT_HINT.rabbitmq, codec: 'bool' },
      // Asked, not assumed (#22.1): a Redis holding jobs or sessions must not evict them.
      {
        path: 'redis.mode',
        label: 'ui.f.redisMode',
        hint: 'ui.h.redisMode',
        codec: 'choice',
        options: () => [opt('cache', 'ui.o.redisMode.cache'), opt('queue', 'ui.o.redisMode.queue')],
        visible: (v) => v['components.redis'] === true,
      },
      { path: 'components.minio', label: 'ui.f.minio', hint: COMPONENT_HINT.minio, codec: 'bool' },
      { path: 'components.monitoring', label: 'ui.f.monitoring', hint: COMPONENT_HINT.monitoring, codec: 'bool' },
    ],
    // Until the operator chooses, Redis is a queue when it is the worker's broker (no RabbitMQ).
    normalize: (v, touched) => {
      const broker = v['components.redis'] === true && v['components.worker'] === true && v['components.rabbitmq'] !== true;
      if (touched.has('redis.mode') && v['redis.mode']) return v;
      return { ...v, 'redis.mode': broker ? 'queue' : 'cache' };
    },
  },
  domain: {
    title: 'ui.s.domain',
    intro: 'ui.i.domain',
    fields: [
      { path: 'domain', label: 'ui.f.domain', hint: 'ui.h.domain', codec: 'text' },
      { path: 'tls', label: 'ui.f.tls', codec: 'choice', options: tlsOptions },
      { path: 'email', label: 'ui.f.email', hint: 'ui.h.email', codec: 'text', visible: (v) => v.tls === 'letsencrypt' },
      { path: 'certificate.cert', label: 'ui.f.cert', hint: 'ui.h.cert', codec: 'text', visible: (v) => v.tls === 'custom' },
      { path: 'certificate.key', label: 'ui.f.key', codec: 'text', visible: (v) => v.tls === 'custom' },
      { path: 'ports.http', label: 'ui.f.httpPort', codec: 'int' },
      { path: 'ports.https', label: 'ui.f.httpsPort', codec: 'int', visible: (v) => v.tls !== 'none' },
    ],
    normalize: (v, touched) => {
      const out = { ...v };
      if (!touched.has('tls')) out.tls = v.domain ? 'letsencrypt' : v.tls === 'letsencrypt' ? 'none' : v.tls!;
      if (!tlsOptions(out).some((o) => o.value === out.tls)) out.tls = 'none';
      return out;
    },
  },
  database: {
    title: 'ui.s.database',
    intro: 'ui.i.database',
    fields: [
      { path: 'database.engine', label: 'ui.f.engine', codec: 'choice', options: () => DB_ENGINE_IDS.map((id) => opt(id)) },
      {
        path: 'database.version',
        label: 'ui.f.version',
        hint: 'ui.h.version',
        codec: 'choice',
        // A new stack: only the series offered (one past its end of life is kept for stacks that run it).
        options: (v) => DB_ENGINES[dbEngineIdOr(v['database.engine'])].offered.map((x) => opt(x)),
      },
    ],
    normalize: (v) => {
      const engine = dbEngineIdOr(v['database.engine']);
      const allowed = DB_ENGINES[engine].offered;
      return allowed.includes(String(v['database.version'])) ? v : { ...v, 'database.version': DB_DEFAULT_VERSION[engine] };
    },
  },
  security: {
    title: 'ui.s.security',
    intro: 'ui.i.security',
    fields: [
      { path: 'security.firewall', label: 'ui.f.firewall', hint: 'ui.h.firewall', codec: 'bool' },
      { path: 'security.fail2ban', label: 'ui.f.fail2ban', hint: 'ui.h.fail2ban', codec: 'bool' },
      { path: 'security.sshPort', label: 'ui.f.sshPort', hint: 'ui.h.sshPort', codec: 'sshPort' },
      // Offered with the operator's own address filled in (securityInitial); saved to the answers.
      { path: 'security.ignoreIp', label: 'ui.f.ignoreIp', hint: 'ui.h.ignoreIp', codec: 'argv', visible: (v) => v['security.fail2ban'] === true },
    ],
  },
  backup: {
    title: 'ui.s.backup',
    intro: 'ui.i.backup',
    fields: [
      { path: 'backup.schedule', label: 'ui.f.schedule', hint: 'ui.h.schedule', codec: 'text' },
      { path: 'backup.keep', label: 'ui.f.keep', hint: 'ui.h.keep', codec: 'int' },
      { path: 'backup.drill', label: 'ui.f.drill', hint: 'ui.h.drill', codec: 'text' },
      // Off-site copies: the rest of the bucket's settings once an endpoint is typed.
      { path: 'backup.s3.endpoint', label: 'ui.f.s3Endpoint', hint: 'ui.h.s3Endpoint', codec: 'text' },
      { path: 'backup.s3.bucket', label: 'ui.f.s3Bucket', codec: 'text', visible: filled('backup.s3.endpoint') },
      { path: 'backup.s3.region', label: 'ui.f.s3Region', hint: 'ui.h.s3Region', codec: 'text', visible: filled('backup.s3.endpoint') },
      { path: 'backup.s3.credentialsFile', label: 'ui.f.s3Credentials', hint: 'ui.h.s3Credentials', codec: 'text', visible: filled('backup.s3.endpoint') },
      {
        path: 'backup.s3.addressing', label: 'ui.f.s3Addressing', hint: 'ui.h.s3Addressing', codec: 'choice', visible: filled('backup.s3.endpoint'),
        options: () => [opt('', 'ui.o.s3.auto'), opt('path', 'ui.o.s3.path'), opt('virtual', 'ui.o.s3.virtual')],
      },
      { path: 'backup.s3.keep', label: 'ui.f.s3Keep', hint: 'ui.h.s3Keep', codec: 'int', visible: filled('backup.s3.endpoint') },
      // Alerts: a field per channel; a robot's secret and the mail settings once its URL or host is typed.
      channelField('wecom', 'url', 'ui.f.ntWecom', 'text', { hint: 'ui.h.ntRobotUrl' }),
      channelField('dingtalk', 'url', 'ui.f.ntDingtalk', 'text', { hint: 'ui.h.ntRobotUrl' }),
      channelField('dingtalk', 'secretFile', 'ui.f.ntSecretFile', 'text', { hint: 'ui.h.ntSecretFile', visible: filled(channelPath('dingtalk', 'url')) }),
      channelField('feishu', 'url', 'ui.f.ntFeishu', 'text', { hint: 'ui.h.ntRobotUrl' }),
      channelField('feishu', 'secretFile', 'ui.f.ntSecretFile', 'text', { hint: 'ui.h.ntSecretFile', visible: filled(channelPath('feishu', 'url')) }),
      channelField('webhook', 'url', 'ui.f.ntWebhook', 'text', { hint: 'ui.h.ntRobotUrl' }),
      channelField('email', 'host', 'ui.f.ntEmailHost', 'text', { hint: 'ui.h.ntEmailHost' }),
      ...(['port', 'tls', 'user', 'passwordFile', 'from', 'to'] as const).map((prop) =>
        channelField('email', prop, `ui.f.ntEmail.${prop}`, prop === 'port' ? 'int' : prop === 'to' ? 'argv' : prop === 'tls' ? 'choice' : 'text', {
          visible: filled(channelPath('email', 'host')),
          ...(prop === 'tls' ? { options: () => [opt('starttls'), opt('tls'), opt('none')] } : {}),
          ...(prop === 'passwordFile' ? { hint: 'ui.h.ntSecretFile' as MsgKey } : {}),
        }),
      ),
      {
        path: 'notify.lang', label: 'ui.f.ntLang', hint: 'ui.h.ntLang', codec: 'choice',
        options: () => [opt('', 'ui.o.ntLang.auto'), opt('zh-CN', 'ui.o.ntLang.zh'), opt('en', 'ui.o.ntLang.en')],
      },
    ],
  },
} satisfies Record<string, FormDef>;

/** A form screen's id is its key here; SETUP_SCREENS (flow.ts) gives its place in the flow. */
export type FormId = keyof typeof FORM_DEFS;
export const FORMS: Readonly<Record<FormId, FormDef>> = FORM_DEFS;

// ---------------------------------------------------------------- defaults and codecs

/** Every default of the answers schema, from parsing the smallest valid answers. */
export const DEFAULTS: Answers = AnswersSchema.parse({ project: 'placeholder', app: { image: 'placeholder' } });

/** The draft's value at `path`, else the schema's default; TLS's default follows the domain. */
export function valueOrDefault(draft: Draft, path: string): unknown {
  const v = getPath(draft, path);
  if (v !== undefined) return v;
  if (path === 'tls') return getPath(draft, 'domain') ? 'letsencrypt' : 'none';
  if (path === 'project' || path === 'app.image' || path === 'domain' || path === 'email' || path.startsWith('certificate.')) return undefined;
  if (path === 'database.version') return DB_DEFAULT_VERSION[dbEngineIdOr(getPath(draft, 'database.engine'))];
  if (path === 'app.workerCommand') return undefined;
  return getPath(DEFAULTS as unknown as Draft, path);
}

export function encode(codec: Codec, v: unknown): FormValue {
  if (codec === 'bool') return v === true;
  if (v === undefined || v === null) return '';
  if (codec === 'argv') return Array.isArray(v) ? v.join(' ') : String(v);
  if (codec === 'command') return Array.isArray(v) ? joinCommandLine(v.map(String)) : String(v);
  return String(v);
}

export type Decoded = { value: unknown } | { problem: MsgKey; params?: Params };
export function decode(codec: Codec, v: FormValue): Decoded {
  if (codec === 'bool') return { value: v === true };
  const s = String(v).trim();
  if (s === '') return { value: undefined };
  switch (codec) {
    case 'int':
      return /^\d{1,6}$/.test(s) ? { value: Number(s) } : { problem: 'ui.v.number' };
    case 'sshPort':
      return s === 'auto' ? { value: 'auto' } : /^\d{1,6}$/.test(s) ? { value: Number(s) } : { problem: 'v.portOrAuto' };
    case 'argv':
      return { value: s.split(/\s+/) };
    case 'command': {
      // Split as a shell would, without one (#22.11); a line that needs a shell is refused with why.
      const r = splitCommandLine(s);
      return 'argv' in r ? { value: r.argv } : { problem: refusalKey(r.feature), params: { text: r.text, at: r.at } };
    }
    default:
      return { value: s };
  }
}

export const visibleFields = (form: FormDef, v: FormValues) => form.fields.filter((f) => !f.visible || f.visible(v));

/** Answers already in the draft count as chosen: derived values (TLS from the domain) do not override them. */
export const initialTouched = (form: FormDef, draft: Draft): Set<string> =>
  new Set(form.fields.filter((f) => getPath(draft, f.path) !== undefined).map((f) => f.path));

/**
 * The security form's start: fail2ban's never-ban list offers the operator's own address(es) (their
 * SSH session, found even under sudo) unless the answers already have a list.
 */
export function securityInitial(draft: Draft, operator: readonly string[]): FormValues {
  const v = initialValues(FORMS.security, draft);
  if (getPath(draft, 'security.ignoreIp') === undefined && operator.length) v['security.ignoreIp'] = operator.join(' ');
  return v;
}

export function initialValues(form: FormDef, draft: Draft): FormValues {
  const v: FormValues = {};
  for (const f of form.fields) v[f.path] = encode(f.codec, f.bind ? (f.bind.get(draft) ?? (f.path === channelPath('email', 'tls') ? 'starttls' : undefined)) : valueOrDefault(draft, f.path));
  return form.normalize ? form.normalize(v, initialTouched(form, draft)) : v;
}

/** The form's visible answers written into the draft; hidden ones removed (no email without Let's Encrypt). */
export function applyValues(form: FormDef, v: FormValues, draft: Draft, given: ReadonlySet<string> = new Set()): Draft {
  let d = draft;
  const shown = new Set(visibleFields(form, v).map((f) => f.path));
  for (const f of form.fields) {
    if (isGiven(given, f.path)) continue;
    const put = (x: unknown) => (f.bind ? f.bind.set(d, x) : setPath(d, f.path, x));
    if (!shown.has(f.path)) {
      d = put(undefined);
      continue;
    }
    const r = decode(f.codec, v[f.path] ?? '');
    d = put('value' in r ? r.value : undefined);
  }
  return d;
}
