// Parsing and validating the answers and facts files: pure (text in), errors name file:line and the fix.
import { LineCounter, parseDocument, isMap, isScalar, type Document } from 'yaml';
import type { z } from 'zod';
import { AnswersSchema, type Answers } from './answers.js';
import { HostFactsSchema, type HostFacts } from './facts.js';
import { usageError } from '../errors.js';
import { isMsgKey, type T } from '../i18n/index.js';

export interface ParsedDoc { doc: Document; lines: LineCounter; data: unknown }

export function parseYamlText(text: string, file: string): ParsedDoc {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, strict: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    throw usageError('err.yamlSyntax', { file, line: pos?.line ?? 1, col: pos?.col ?? 1, message: err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') });
  }
  return { doc, lines, data: doc.toJS() };
}

function lineOf(p: ParsedDoc, path: readonly PropertyKey[]): number | null {
  // The deepest node that exists along the path: an unknown key points at its parent, a wrong value at itself.
  for (let n = path.length; n >= 0; n--) {
    const node = p.doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return p.lines.linePos(node.range[0]).line;
  }
  return null;
}

/** The key's own line for an unknown key (zod reports the parent's path). */
function keyLine(p: ParsedDoc, parent: readonly PropertyKey[], key: string): number | null {
  const node = parent.length ? p.doc.getIn(parent as unknown[], true) : p.doc.contents;
  if (isMap(node)) {
    for (const item of node.items) {
      if (isScalar(item.key) && item.key.value === key && item.key.range) return p.lines.linePos(item.key.range[0]).line;
    }
  }
  return null;
}

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v === 'object' ? 'mapping' : typeof v);

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: unknown = schema;
  const unwrap = (x: unknown): unknown => {
    let cur = x as { def?: { innerType?: unknown; in?: unknown; schema?: unknown }; shape?: unknown };
    for (let i = 0; i < 8 && cur?.def && !cur.shape; i++) cur = (cur.def.innerType ?? cur.def.in ?? cur.def.schema) as typeof cur;
    return cur;
  };
  for (const k of path) {
    const cur = unwrap(s) as { shape?: Record<string, unknown> };
    s = cur?.shape?.[String(k)];
  }
  const obj = unwrap(s) as { shape?: Record<string, unknown> } | undefined;
  return obj?.shape ? Object.keys(obj.shape) : [];
}

/** One message per zod issue, in the operator's language, pointing at file:line. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], p: ParsedDoc, file: string, schema: z.ZodType, t: T): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    const path = issue.path;
    const entries: { path: readonly PropertyKey[]; message: string; line: number | null }[] = [];
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const known = knownKeys(schema, path);
          const best = known.map((k) => [k, distance(k, key)] as const).sort((a, b) => a[1] - b[1])[0];
          const message = best && best[1] <= Math.max(2, Math.floor(key.length / 3))
            ? t('v.unknownKeyDidYouMean', { key, suggestion: best[0] })
            : t('v.unknownKey', { key });
          entries.push({ path: [...path, key], message, line: keyLine(p, path, key) ?? lineOf(p, path) });
        }
        break;
      case 'invalid_type': {
        const v = valueAt(p.data, path);
        const message = v === undefined ? t('v.required', { expected: issue.expected }) : t('v.type', { expected: issue.expected, received: typeName(v) });
        entries.push({ path, message, line: lineOf(p, path) });
        break;
      }
      case 'invalid_value':
        entries.push({ path, message: t('v.oneOf', { values: issue.values.map((v) => JSON.stringify(v)).join(', ') }), line: lineOf(p, path) });
        break;
      case 'too_small':
        entries.push({
          path,
          message: issue.origin === 'array' ? t('v.tooShort', { min: String(issue.minimum) }) : t('v.tooSmall', { min: String(issue.minimum) }),
          line: lineOf(p, path),
        });
        break;
      case 'too_big':
        entries.push({ path, message: t('v.tooBig', { max: String(issue.maximum) }), line: lineOf(p, path) });
        break;
      case 'invalid_union': {
        const last = path[path.length - 1];
        const message = last === 'sshPort' ? t('v.portOrAuto') : last === 'schedule' ? t('v.schedule') : t('v.invalid');
        entries.push({ path, message, line: lineOf(p, path) });
        break;
      }
      case 'invalid_format': {
        const message = isMsgKey(issue.message) ? t(issue.message) : issue.format === 'email' ? t('v.email') : issue.format === 'url' ? t('v.httpUrl') : t('v.format', { format: issue.format });
        entries.push({ path, message, line: lineOf(p, path) });
        break;
      }
      default: {
        const params = (issue as { params?: Record<string, string> }).params ?? {};
        const message = isMsgKey(issue.message) ? t(issue.message, params) : issue.message;
        entries.push({ path, message, line: lineOf(p, path) });
      }
    }
    for (const e of entries) {
      const dotted = e.path.map(String).join('.') || '(top level)';
      out.push(e.line !== null ? t('v.at', { file, line: e.line, path: dotted, message: e.message }) : t('v.atNoLine', { file, path: dotted, message: e.message }));
    }
  }
  return out;
}

export function parseAnswers(text: string, file: string, t: T): Answers {
  const p = parseYamlText(text, file);
  if (p.data === null || typeof p.data !== 'object' || Array.isArray(p.data)) throw usageError('err.answersNotMapping', { file });
  const r = AnswersSchema.safeParse(p.data);
  if (!r.success) throw usageError('err.answersInvalid', { file, count: r.error.issues.length }, describeIssues(r.error.issues, p, file, AnswersSchema, t));
  return r.data;
}

export function parseFacts(text: string, file: string, t: T): HostFacts {
  const p = parseYamlText(text, file);
  const r = HostFactsSchema.safeParse(p.data);
  if (!r.success) throw usageError('err.factsInvalid', { file, count: r.error.issues.length }, describeIssues(r.error.issues, p, file, HostFactsSchema, t));
  return r.data;
}
