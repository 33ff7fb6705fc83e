// The wizard's pure model: which screens ask which answers, how form text maps to answers, the
// validation (the answers schema's own validators), preset options, URLs and apply progress.
// No React and no I/O here, so all of it is unit-tested directly.
import type { z } from 'zod';
import { AnswersSchema, DB_VERSIONS, RUNTIMES, type Answers, type MirrorKind } from '../domain/answers.js';
import { getPath, isGiven, setPath, type Draft } from '../domain/draft.js';
import { usableRamMiB, type HostFacts } from '../domain/facts.js';
import { buildPlan, type Plan } from '../domain/plan.js';
import { PRESETS, PRESET_IDS } from '../domain/presets.js';
import { largestFittingPreset } from '../domain/sizing.js';
import { DB_DEFAULT_VERSION } from '../domain/versions.js';
import { DB_ENGINE_IDS, dbEngineIdOr } from '../domain/engines/index.js';
import { WizardError } from '../errors.js';
import { rankResults, type ProbeResult } from '../domain/mirrors.js';
import { isMsgKey, type Lang, type MsgKey, type Params, type T } from '../i18n/index.js';
import { foldParts, splitItem, type BarPart, type StepEvent } from '../steps/engine.js';

// ---------------------------------------------------------------- screens and fields

export type ScreenId = 'welcome' | 'app' | 'preset' | 'region' | 'components' | 'domain' | 'database' | 'security' | 'backup' | 'review';
export const SETUP_SCREENS: readonly ScreenId[] = ['welcome', 'app', 'preset', 'region', 'components', 'domain', 'database', 'security', 'backup', 'review'];
export type FormId = 'app' | 'components' | 'domain' | 'database' | 'security' | 'backup';
export const isFormId = (s: ScreenId): s is FormId => s in FORMS;

export type FormValue = string | boolean;
export type FormValues = Record<string, FormValue>;
export type Codec = 'text' | 'int' | 'sshPort' | 'argv' | 'bool' | 'choice';

export interface Option { value: string; label?: MsgKey; text?: string }

export interface FieldDef {
  path: string;
  label: MsgKey;
  hint?: MsgKey;
  codec: Codec;
  /** For choices: the options, which may depend on the other values. */
  options?: (v: FormValues) => Option[];
  visible?: (v: FormValues) => boolean;
}

export interface FormDef {
  title: MsgKey;
  intro?: MsgKey;
  fields: FieldDef[];
  /** Values that follow others until the operator touches them (TLS follows the domain, the version the engine). */
  normalize?: (v: FormValues, touched: ReadonlySet<string>) => FormValues;
}

const opt = (value: string, label?: MsgKey): Option => ({ value, ...(label ? { label } : {}) });
const COMPONENT_HINT: Record<string, MsgKey> = {
  redis: 'ui.h.redis', worker: 'ui.h.worker', rabbitmq: 'ui.h.rabbitmq', minio: 'ui.h.minio', monitoring: 'ui.h.monitoring',
};

const tlsOptions = (v: FormValues): Option[] => [
  ...(v.domain ? [opt('letsencrypt', 'ui.o.tls.letsencrypt')] : []),
  opt('self-signed', 'ui.o.tls.selfSigned'),
  opt('custom', 'ui.o.tls.custom'),
  opt('none', 'ui.o.tls.none'),
];

export const FORMS: Readonly<Record<FormId, FormDef>> = {
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
      { path: 'components.worker', label: 'ui.f.worker', hint: COMPONENT_HINT.worker, codec: 'bool' },
      { path: 'app.workerCommand', label: 'ui.f.workerCommand', hint: 'ui.h.workerCommand', codec: 'argv', visible: (v) => v['components.worker'] === true },
      { path: 'components.rabbitmq', label: 'ui.f.rabbitmq', hint: COMPONENT_HINT.rabbitmq, codec: 'bool' },
      { path: 'components.minio', label: 'ui.f.minio', hint: COMPONENT_HINT.minio, codec: 'bool' },
      { path: 'components.monitoring', label: 'ui.f.monitoring', hint: COMPONENT_HINT.monitoring, codec: 'bool' },
    ],
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
        options: (v) => DB_VERSIONS[dbEngineIdOr(v['database.engine'])].map((x) => opt(x)),
      },
    ],
    normalize: (v) => {
      const engine = dbEngineIdOr(v['database.engine']);
      const allowed = DB_VERSIONS[engine];
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
    ],
  },
};

export const SCREEN_TITLES: Readonly<Record<ScreenId, MsgKey>> = {
  welcome: 'ui.s.welcome', app: 'ui.s.app', preset: 'ui.s.preset', region: 'ui.s.region', components: 'ui.s.components',
  domain: 'ui.s.domain', database: 'ui.s.database', security: 'ui.s.security', backup: 'ui.s.backup', review: 'ui.s.review',
};

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
  return String(v);
}

export type Decoded = { value: unknown } | { problem: MsgKey };
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
  for (const f of form.fields) v[f.path] = encode(f.codec, valueOrDefault(draft, f.path));
  return form.normalize ? form.normalize(v, initialTouched(form, draft)) : v;
}

/** The form's visible answers written into the draft; hidden ones removed (no email without Let's Encrypt). */
export function applyValues(form: FormDef, v: FormValues, draft: Draft, given: ReadonlySet<string> = new Set()): Draft {
  let d = draft;
  const shown = new Set(visibleFields(form, v).map((f) => f.path));
  for (const f of form.fields) {
    if (isGiven(given, f.path)) continue;
    if (!shown.has(f.path)) {
      d = setPath(d, f.path, undefined);
      continue;
    }
    const r = decode(f.codec, v[f.path] ?? '');
    d = setPath(d, f.path, 'value' in r ? r.value : undefined);
  }
  return d;
}

// ---------------------------------------------------------------- validation

export interface Problem { text: string; severity: 'error' | 'warn' }
export type Problems = Record<string, Problem>;
export const hasErrors = (p: Problems) => Object.values(p).some((x) => x.severity === 'error');

/** Valid stand-ins for required answers another screen asks, so this screen's checks can run. */
function withPlaceholders(d: Draft, asked: ReadonlySet<string>): Draft {
  let out = d;
  if (!asked.has('project') && typeof getPath(d, 'project') !== 'string') out = setPath(out, 'project', 'placeholder');
  if (!asked.has('app.image') && typeof getPath(d, 'app.image') !== 'string') out = setPath(out, 'app.image', 'placeholder');
  return out;
}

/** Where the answers-file wording ("set email") reads wrong on a screen, the screen's own words. */
const SCREEN_WORDING: Partial<Record<MsgKey, MsgKey>> = {
  'v.workerNeedsCommand': 'ui.v.workerCommand',
  'v.leNeedsEmail': 'ui.v.leEmail',
  'v.customNeedsCert': 'ui.v.certPaths',
};

/** One line for a schema issue, in the operator's language (the same keys the answers file errors use). */
export function issueText(issue: z.core.$ZodIssue, t: T, onScreen = false): string {
  if (isMsgKey(issue.message)) {
    const key = (onScreen && SCREEN_WORDING[issue.message]) || issue.message;
    return t(key, (issue as { params?: Params }).params ?? {});
  }
  const last = issue.path[issue.path.length - 1];
  switch (issue.code) {
    case 'invalid_type':
      return t('v.required', { expected: issue.expected });
    case 'invalid_value':
      return t('v.oneOf', { values: issue.values.map((v) => String(v)).join(', ') });
    case 'too_small':
      return t('v.tooSmall', { min: String(issue.minimum) });
    case 'too_big':
      return t('v.tooBig', { max: String(issue.maximum) });
    case 'invalid_format':
      return issue.format === 'email' ? t('v.email') : issue.format === 'url' ? t('v.httpUrl') : t('v.format', { format: issue.format });
    case 'invalid_union':
      return last === 'sshPort' ? t('v.portOrAuto') : last === 'schedule' ? t('v.schedule') : t('v.invalid');
    default:
      return t('v.invalid');
  }
}

const related = (issuePath: string, fieldPath: string) =>
  issuePath === fieldPath || issuePath.startsWith(`${fieldPath}.`) || fieldPath.startsWith(`${issuePath}.`);

/** Problems of the form's visible fields: unreadable numbers first, then the answers schema's own checks. */
export function validateForm(form: FormDef, v: FormValues, draft: Draft, t: T, given: ReadonlySet<string> = new Set()): Problems {
  const out: Problems = {};
  const fields = visibleFields(form, v).filter((f) => !isGiven(given, f.path));
  for (const f of fields) {
    const r = decode(f.codec, v[f.path] ?? '');
    if ('problem' in r) out[f.path] = { text: t(r.problem), severity: 'error' };
  }
  const asked = new Set(fields.map((f) => f.path));
  const candidate = withPlaceholders(applyValues(form, v, draft, given), asked);
  const r = AnswersSchema.safeParse(candidate);
  if (!r.success) {
    for (const issue of r.error.issues) {
      const ip = issue.path.map(String).join('.');
      const f = fields.find((x) => related(ip, x.path));
      if (f && !out[f.path]) out[f.path] = { text: issueText(issue, t, true), severity: 'error' };
    }
  }
  return out;
}

/** Whole answers from a draft, or the schema's problems as "path: message" lines. */
export function answersFromDraft(draft: Draft, t: T): { answers: Answers } | { problems: { path: string; text: string }[] } {
  const r = AnswersSchema.safeParse(draft);
  if (r.success) return { answers: r.data };
  return { problems: r.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(top level)', text: issueText(i, t) })) };
}

/** Answers good enough to size a plan while later screens are still unanswered. */
export function provisionalAnswers(draft: Draft): Answers | null {
  let d = withPlaceholders(draft, new Set());
  // A worker whose command is not typed yet still takes its memory.
  if (getPath(d, 'components.worker') === true && getPath(d, 'app.workerCommand') === undefined) d = setPath(d, 'app.workerCommand', ['worker']);
  const r = AnswersSchema.safeParse(d);
  return r.success ? r.data : null;
}

// ---------------------------------------------------------------- which screens to show

/** The answers paths a screen asks, given what is drafted so far. */
export function screenPaths(s: ScreenId, draft: Draft, mirrorKinds: readonly string[] = []): string[] {
  if (isFormId(s)) {
    const form = FORMS[s];
    return visibleFields(form, initialValues(form, draft)).map((f) => f.path);
  }
  if (s === 'preset') return ['preset'];
  if (s === 'region') return ['region', ...(valueOrDefault(draft, 'region') === 'cn' ? mirrorKinds.map((k) => `mirrors.${k}`) : [])];
  return [];
}

/** Answers a screen offers but that never keep it from being skipped (they have a sound default). */
const OPTIONAL_PATHS: ReadonlySet<string> = new Set(['security.ignoreIp']);

/** A screen is skipped when a flag or the answers file gave every answer it asks. */
export function screenSkipped(s: ScreenId, draft: Draft, given: ReadonlySet<string>, mirrorKinds: readonly string[] = []): boolean {
  const paths = screenPaths(s, draft, mirrorKinds).filter((p) => !OPTIONAL_PATHS.has(p));
  if (s === 'region' && isGiven(given, 'region') && paths.slice(1).some((p) => isGiven(given, p))) return true;
  return paths.length > 0 && paths.every((p) => isGiven(given, p));
}

export function nextScreen(from: ScreenId, draft: Draft, given: ReadonlySet<string>, mirrorKinds: readonly string[] = []): ScreenId {
  const i = SETUP_SCREENS.indexOf(from);
  for (let j = i + 1; j < SETUP_SCREENS.length; j++) {
    const s = SETUP_SCREENS[j]!;
    if (!screenSkipped(s, draft, given, mirrorKinds)) return s;
  }
  return 'review';
}

/** The screens this run shows, for "step 3 of 9". */
export function shownScreens(draft: Draft, given: ReadonlySet<string>, mirrorKinds: readonly string[] = []): ScreenId[] {
  return SETUP_SCREENS.filter((s) => !screenSkipped(s, draft, given, mirrorKinds));
}

// ---------------------------------------------------------------- presets

export type PresetChoice = 'auto' | '4g' | '8g' | '16g';
export const PRESET_CHOICES: readonly PresetChoice[] = [...PRESET_IDS, 'auto'];

export interface PresetOption {
  id: PresetChoice;
  title: string;
  fits: boolean;
  /** Why it does not fit, translated. */
  reason: string | null;
  services: { name: string; memoryMiB: number; cpus: number }[];
  planRamMiB: number | null;
  reserveMiB: number | null;
  tier: string | null;
}

/** What each preset gives each service on this host, and whether the host can run it (buildPlan decides). */
export function presetOptions(answers: Answers, facts: HostFacts, t: T, lang: Lang): PresetOption[] {
  const hostMiB = usableRamMiB(facts);
  return PRESET_CHOICES.map((id) => {
    const title = id === 'auto' ? t('ui.preset.autoTitle', { mib: hostMiB }) : PRESETS[id].title[lang];
    try {
      const plan = buildPlan({ ...answers, preset: id }, facts);
      return {
        id, title, fits: true, reason: null,
        services: plan.services.map((s) => ({ name: s.name, memoryMiB: s.memoryMiB, cpus: s.cpus })),
        planRamMiB: plan.sizing.planRamMiB, reserveMiB: plan.sizing.reserveMiB, tier: plan.sizing.tier,
      };
    } catch (e) {
      if (!(e instanceof WizardError)) throw e;
      return { id, title, fits: false, reason: t(e.key, e.params), services: [], planRamMiB: null, reserveMiB: null, tier: null };
    }
  });
}

/** A named size the operator can reason about when one fits (tested per preset); else `auto`. */
export function recommendedPreset(facts: HostFacts): PresetChoice {
  return largestFittingPreset(usableRamMiB(facts)) ?? 'auto';
}

/** Memory per service for the components form: "app 1024 MiB · mysql 2048 MiB", or why they do not fit. */
export function componentsFit(answers: Answers, facts: HostFacts, t: T): { line: string; error: string | null } {
  try {
    const plan = buildPlan(answers, facts);
    return { line: plan.services.map((s) => `${s.name} ${s.memoryMiB} MiB`).join(t('ui.sep')), error: null };
  } catch (e) {
    if (!(e instanceof WizardError)) throw e;
    return { line: '', error: t(e.key, e.params) };
  }
}

// ---------------------------------------------------------------- the finished stack

const hostForUrl = (h: string) => (h.includes(':') ? `[${h}]` : h);

/** Where the stack answers: the domain, else this host's address (public first). */
export function stackUrls(plan: Plan, facts: HostFacts): string[] {
  const tls = plan.nginx.tls !== 'none';
  const host = plan.nginx.domain ?? facts.addresses.public[0] ?? facts.addresses.private.find((a) => !a.startsWith('127.')) ?? 'SERVER-IP';
  const port = tls ? plan.ports.https : plan.ports.http;
  const url = `${tls ? 'https' : 'http'}://${hostForUrl(host)}${port === (tls ? 443 : 80) ? '' : `:${port}`}/`;
  const out = [url];
  if (plan.components.monitoring) out.push('http://127.0.0.1:3000/ (Grafana, ssh -L 3000:127.0.0.1:3000)');
  return out;
}

// ---------------------------------------------------------------- apply progress

export type StepStatus = 'pending' | 'running' | 'done' | 'skipped' | 'failed';
/**
 * One progress bar of a step: an image (its layers folded in by size), the health wait, apt's
 * downloads, dpkg… `bytes` when the source counts them. `parts` are the layers seen so far.
 */
export interface BarView {
  item: string;
  fraction: number;
  detail: string | null;
  bytes: { done: number; total: number } | null;
  parts: Readonly<Record<string, BarPart>>;
}
export interface ApplyStepView { id: string; title: string; status: StepStatus; bars: BarView[] }
export interface ApplyState { steps: ApplyStepView[]; output: string[]; error: string | null }

/** Kept output lines; the screen shows the last few of them. */
export const OUTPUT_KEEP = 200;

export const initialApply = (steps: { id: string; title: string }[]): ApplyState => ({
  steps: steps.map((s) => ({ ...s, status: 'pending', bars: [] })),
  output: [],
  error: null,
});

const clamp01 = (x: number | undefined) => Math.max(0, Math.min(1, x ?? 0));

/** A progress event applied to its bar (the protocol is StepEvent.item's, src/steps/engine.ts). */
export function moveBar(bars: readonly BarView[], e: StepEvent): BarView[] {
  const { bar: item, part } = splitItem(e.item ?? '');
  const had = bars.find((b) => b.item === item);
  const base: BarView = had ?? { item, fraction: 0, detail: null, bytes: null, parts: {} };
  let next: BarView;
  if (part !== null) {
    const parts = { ...base.parts, [part]: { fraction: clamp01(e.fraction), done: e.bytes?.done ?? 0, total: e.bytes?.total ?? 0 } };
    const all = foldParts(Object.values(parts));
    next = { ...base, parts, fraction: Math.max(base.fraction, all.fraction), bytes: all.total > 0 ? { done: all.done, total: all.total } : base.bytes };
  } else if (had && e.fraction === 0) {
    // A new attempt (the next mirror, another apt-get run): the bar starts again.
    next = { item, fraction: 0, detail: e.text ?? null, bytes: e.bytes ?? null, parts: {} };
  } else {
    next = { ...base, fraction: Math.max(base.fraction, clamp01(e.fraction)), detail: e.text ?? base.detail, bytes: e.bytes && e.bytes.total > 0 ? e.bytes : base.bytes };
  }
  return had ? bars.map((b) => (b === had ? next : b)) : [...bars, next];
}

export function applyReducer(s: ApplyState, e: StepEvent): ApplyState {
  let steps = s.steps;
  if (!steps.some((x) => x.id === e.step)) steps = [...steps, { id: e.step, title: e.text ?? e.step, status: 'pending', bars: [] }];
  const upd = (f: (x: ApplyStepView) => ApplyStepView) => steps.map((x) => (x.id === e.step ? f(x) : x));
  switch (e.kind) {
    case 'start':
      return { ...s, steps: upd((x) => ({ ...x, status: 'running' })) };
    case 'skip':
      return { ...s, steps: upd((x) => ({ ...x, status: 'skipped' })) };
    case 'progress':
      return { ...s, steps: upd((x) => ({ ...x, status: 'running', bars: moveBar(x.bars, e) })) };
    case 'output': {
      const lines = (e.text ?? '').split('\n').filter((l) => l !== '');
      return { ...s, steps, output: [...s.output, ...lines].slice(-OUTPUT_KEEP) };
    }
    case 'done':
      // Done means every bar of the step got there, whatever its last event said.
      return { ...s, steps: upd((x) => ({ ...x, status: 'done', bars: x.bars.map((b) => ({ ...b, fraction: 1 })) })) };
    case 'fail':
      return { ...s, steps: upd((x) => ({ ...x, status: 'failed' })), error: e.text ?? 'failed' };
  }
}

/** The bars worth showing in `max` lines: unfinished first (in their order), then the latest finished; and how many are left out. */
export function barsToShow(bars: readonly BarView[], max: number): { shown: BarView[]; hidden: number } {
  if (bars.length <= max) return { shown: [...bars], hidden: 0 };
  const room = Math.max(1, max - 1);
  const open = bars.filter((b) => b.fraction < 1);
  const finished = bars.filter((b) => b.fraction >= 1);
  const spare = room - Math.min(room, open.length);
  const pick = new Set([...open.slice(0, room), ...(spare > 0 ? finished.slice(-spare) : [])]);
  const shown = bars.filter((b) => pick.has(b));
  return { shown, hidden: bars.length - shown.length };
}

// ---------------------------------------------------------------- region and mirrors

/** Time zones of mainland China: a host there most likely needs the mirrors. */
const CN_TIMEZONES = ['Asia/Shanghai', 'Asia/Chongqing', 'Asia/Harbin', 'Asia/Urumqi', 'PRC'];
export const suggestRegion = (facts: HostFacts | null): 'cn' | 'global' => (facts && CN_TIMEZONES.includes(facts.timezone) ? 'cn' : 'global');

export interface MirrorView { kind: MirrorKind; id: string; name: string; url: string }
export interface MirrorResult { kind: MirrorKind; id: string; alive: boolean; latencyMs: number | null; bytesPerSecond?: number | null }
export const mirrorKey = (kind: string, id: string) => `${kind}/${id}`;

export function latencyText(m: MirrorResult | undefined, measuring: boolean, t: T): string {
  if (!m) return measuring ? t('ui.mirror.measuring') : t('ui.mirror.notMeasured');
  if (!m.alive) return t('ui.mirror.down');
  return m.latencyMs === null ? t('ui.mirror.alive') : `${Math.round(m.latencyMs)} ms`;
}

/**
 * The best live candidate, ranked by the same rankResults as init and `mirrors` (latency plus the
 * time to fetch 1 MiB at the measured speed), so all three pick the same one. Only a measured
 * candidate is ever picked: with none measured yet (or all dead) the answer is none, and the field
 * follows the measurements as they arrive.
 */
export function bestMirror(cands: readonly MirrorView[], results: ReadonlyMap<string, MirrorResult>): string {
  const measured: ProbeResult[] = [];
  for (const c of cands) {
    const r = results.get(mirrorKey(c.kind, c.id));
    if (r) measured.push({ kind: c.kind, id: c.id, url: c.url, alive: r.alive, latencyMs: r.latencyMs, bytesPerSecond: r.bytesPerSecond ?? null, error: null });
  }
  const best = rankResults(measured)[0];
  return best?.alive ? best.url : '';
}

export const mirrorKinds = (cands: readonly MirrorView[]): MirrorKind[] => [...new Set(cands.map((c) => c.kind))];

export function regionForm(cands: readonly MirrorView[], results: ReadonlyMap<string, MirrorResult>, measuring: boolean, draft: Draft, t: T): FormDef {
  return {
    title: 'ui.s.region',
    intro: 'ui.i.region',
    fields: [
      { path: 'region', label: 'ui.f.region', codec: 'choice', options: () => [opt('global', 'ui.o.region.global'), opt('cn', 'ui.o.region.cn')] },
      ...mirrorKinds(cands).map((kind): FieldDef => ({
        path: `mirrors.${kind}`,
        label: 'ui.f.mirror',
        codec: 'choice',
        visible: (v) => v.region === 'cn',
        options: () => {
          const mine = cands.filter((c) => c.kind === kind);
          const out: Option[] = mine.map((c) => ({ value: c.url, text: `${c.name}  ${c.url}  ${latencyText(results.get(mirrorKey(kind, c.id)), measuring, t)}` }));
          const had = getPath(draft, `mirrors.${kind}`);
          if (typeof had === 'string' && !mine.some((c) => c.url === had)) out.push({ value: had, text: `${had}  ${t('ui.mirror.notMeasured')}` });
          out.push(opt('', 'ui.o.mirror.none'));
          return out;
        },
      })),
    ],
  };
}

export function regionInitial(draft: Draft, facts: HostFacts | null, cands: readonly MirrorView[], results: ReadonlyMap<string, MirrorResult>): FormValues {
  const v: FormValues = { region: String(getPath(draft, 'region') ?? suggestRegion(facts)) };
  for (const kind of mirrorKinds(cands)) {
    const had = getPath(draft, `mirrors.${kind}`);
    // An image prefix renames every image: offered, never chosen for the operator (as init does).
    v[`mirrors.${kind}`] = typeof had === 'string' ? had : kind === 'image-prefix' ? '' : bestMirror(cands.filter((c) => c.kind === kind), results);
  }
  return v;
}

/**
 * A mirror that did not answer is never written (docs/CONTRACT.md#mirrors); and while the probe runs, a kind
 * whose candidates are all still unmeasured cannot be left at "none" by an early Enter (the probe
 * ends within seconds). A chosen candidate not measured yet is probed again at the review.
 */
export function validateRegion(v: FormValues, cands: readonly MirrorView[], results: ReadonlyMap<string, MirrorResult>, t: T, measuring = false): Problems {
  const out: Problems = {};
  if (v.region !== 'cn') return out;
  for (const kind of mirrorKinds(cands)) {
    const value = v[`mirrors.${kind}`];
    const c = cands.find((x) => x.kind === kind && x.url === value);
    const r = c && results.get(mirrorKey(kind, c.id));
    if (r && !r.alive) out[`mirrors.${kind}`] = { text: t('ui.v.mirrorDown', { url: c.url }), severity: 'error' };
    const waiting = measuring && kind !== 'image-prefix' && value === '' && !cands.some((x) => x.kind === kind && results.has(mirrorKey(kind, x.id)));
    if (waiting) out[`mirrors.${kind}`] = { text: t('ui.v.mirrorMeasuring'), severity: 'error' };
  }
  return out;
}
