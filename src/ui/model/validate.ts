// Checking answers on a screen: the answers schema's own validators, worded for the screen, and
// the answers the flow can already size a plan with.
import type { z } from 'zod';
import { AnswersSchema, type Answers } from '../../domain/answers.js';
import { getPath, isGiven, setPath, type Draft } from '../../domain/draft.js';
import { typeWord } from '../../domain/load.js';
import { isMsgKey, type MsgKey, type Params, type T } from '../../i18n/index.js';
import { applyValues, decode, visibleFields, type FormDef, type FormValues } from './forms.js';

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
      return t('v.required', { expected: typeWord(t, issue.expected) });
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
    if ('problem' in r) out[f.path] = { text: t(r.problem, r.params), severity: 'error' };
  }
  const asked = new Set(fields.map((f) => f.path));
  const candidate = withPlaceholders(applyValues(form, v, draft, given), asked);
  const r = AnswersSchema.safeParse(candidate);
  if (!r.success) {
    for (const issue of r.error.issues) {
      const ip = issue.path.map(String).join('.');
      const f = fields.find((x) => (x.bind ? x.bind.owns(ip, candidate) : related(ip, x.path)));
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
