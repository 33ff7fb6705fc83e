// Parsing and validating the answers and facts files: pure (text in), errors name file:line and the fix.
import { LineCounter, parseDocument, isMap, isScalar, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { AnswersSchema, type Answers } from './answers.js';
import { HostFactsSchema, type HostFacts } from './facts.js';
import { usageError } from '../errors.js';
import { isMsgKey, type T } from '../i18n/index.js';

export interface ParsedDoc { doc: Document; lines: LineCounter; data: unknown }

/** An answers, facts or catalogue file is a few kilobytes; a larger one is refused before it is read whole. */
export const MAX_INPUT_BYTES = 1024 * 1024;

/**
 * What the YAML parser may be given. Its cost follows the structure, not the bytes: on this kind of
 * machine a million blank lines take 2 s, half a million flow items 7 s, and 1 MiB of `[` runs out
 * of memory. A real answers file has about a hundred lines, a facts file a few hundred; these
 * budgets keep the worst file under the limit to about 0.3 s of parsing.
 */
export const YAML_BUDGET = { lines: 10_000, commas: 10_000, brackets: 1_000, aliases: 100 } as const;

// NUL, the C0 controls and DEL, which a text file never holds (tab, line feed and carriage return are fine); U+FFFD is what a byte that is not UTF-8 became.
// eslint-disable-next-line no-control-regex
const BINARY_RE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\uFFFD]/;

const count = (text: string, ch: string) => {
  let n = 0;
  for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) n++;
  return n;
};

/** Refuses, before parsing, text that is not a small text file (exit 2, what is wrong, never the content). */
function checkInputText(text: string, file: string): void {
  if (text.length > MAX_INPUT_BYTES) throw usageError('err.inputTooLarge', { file, max: '1 MiB' });
  const bad = BINARY_RE.exec(text);
  if (bad) throw usageError('err.inputBinary', { file, line: count(text.slice(0, bad.index), '\n') + 1 });
  const lines = count(text, '\n');
  const commas = count(text, ',');
  const brackets = count(text, '[') + count(text, '{');
  if (lines > YAML_BUDGET.lines || commas > YAML_BUDGET.commas || brackets > YAML_BUDGET.brackets) {
    throw usageError('err.inputTooComplex', { file, lines, commas, brackets, maxLines: YAML_BUDGET.lines, maxCommas: YAML_BUDGET.commas, maxBrackets: YAML_BUDGET.brackets });
  }
}

/** Error text from the parser: its first line, without the position (printed apart), and short. */
const parserMessage = (m: string) => {
  const first = m.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return first.length > 160 ? `${first.slice(0, 160)}…` : first;
};

/**
 * A duplicate key is an error (YAML says so; the last one would silently win). Checked here with
 * a set per mapping rather than the parser's `uniqueKeys`, which compares every pair of keys.
 */
function firstDuplicateKey(doc: Document): [number, number] | null {
  let found: [number, number] | null = null;
  visit(doc, {
    Map(_, node) {
      const seen = new Set<unknown>();
      for (const item of node.items) {
        const k = isScalar(item.key) ? item.key.value : item.key;
        if (seen.has(k) && isScalar(item.key) && item.key.range) {
          found = [item.key.range[0], 0];
          return visit.BREAK;
        }
        seen.add(k);
      }
      return undefined;
    },
  });
  return found;
}

export function parseYamlText(text: string, file: string): ParsedDoc {
  checkInputText(text, file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: false, strict: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    throw usageError('err.yamlSyntax', { file, line: pos?.line ?? 1, col: pos?.col ?? 1, message: parserMessage(err.message) });
  }
  const dup = firstDuplicateKey(doc);
  if (dup) {
    const pos = lines.linePos(dup[0]);
    throw usageError('err.yamlSyntax', { file, line: pos.line, col: pos.col, message: 'Map keys must be unique' });
  }
  let data: unknown;
  try {
    // An alias bomb (aliases of aliases of …) stops at the count; an alias without its anchor is an error, not a crash.
    data = doc.toJS({ maxAliasCount: YAML_BUDGET.aliases });
  } catch (e) {
    const m = e instanceof Error ? e.message : String(e);
    const key = /Excessive alias count/.test(m) ? 'err.yamlAliasBomb' : /Unresolved alias/.test(m) ? 'err.yamlAliasUndefined' : null;
    if (key) throw usageError(key, { file, max: YAML_BUDGET.aliases });
    throw usageError('err.yamlSyntax', { file, line: 1, col: 1, message: parserMessage(m) });
  }
  return { doc, lines, data };
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

/** A type's name as the operator reads it (zh-CN: in Chinese, #22.9): zod's expected and what was found. */
export function typeWord(t: T, name: string): string {
  const key = `v.kind.${name === 'array' ? 'list' : name === 'object' ? 'mapping' : name}`;
  return isMsgKey(key) ? t(key) : name;
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

/** Edit distance, two rows at a time; only called on short strings (see suggestion). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The known key a typo most likely meant, or null. A key far longer than any known one is no typo: not compared at all. */
function suggestion(key: string, known: readonly string[]): string | null {
  if (key.length > 64) return null;
  let best: [string, number] | null = null;
  for (const k of known) {
    // The distance is at least the difference in length: skip what cannot be close enough.
    const limit = Math.max(2, Math.floor(key.length / 3));
    if (Math.abs(k.length - key.length) > limit) continue;
    const d = distance(k, key);
    if (d <= limit && (!best || d < best[1])) best = [k, d];
  }
  return best?.[0] ?? null;
}

/** A key or path part as a message shows it: control characters escaped, at most 60 characters. */
export function shownKey(key: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = key.slice(0, 61).replace(/[\x00-\x1f\x7f\u2028\u2029]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return key.length > 60 ? `${clean.slice(0, 60)}… (${key.length} characters)` : clean;
}

/** At most this many problems are listed; the count says how many there are. */
const MAX_LISTED = 50;

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
          const best = suggestion(key, knownKeys(schema, path));
          const message = best ? t('v.unknownKeyDidYouMean', { key: shownKey(key), suggestion: best }) : t('v.unknownKey', { key: shownKey(key) });
          entries.push({ path: [...path, key], message, line: keyLine(p, path, key) ?? lineOf(p, path) });
        }
        break;
      case 'invalid_type': {
        const v = valueAt(p.data, path);
        const message = v === undefined ? t('v.required', { expected: typeWord(t, issue.expected) }) : t('v.type', { expected: typeWord(t, issue.expected), received: typeWord(t, typeName(v)) });
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
      case 'too_big': {
        const max = String(issue.maximum);
        const message = issue.origin === 'string' ? t('v.tooLong', { max }) : issue.origin === 'array' ? t('v.tooMany', { max }) : t('v.tooBig', { max });
        entries.push({ path, message, line: lineOf(p, path) });
        break;
      }
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
      case 'invalid_key': {
        // A record's key (an app.env name): what is wrong with the key itself.
        const inner = issue.issues[0];
        const message = inner?.code === 'too_big' ? t('v.tooLong', { max: String(inner.maximum) }) : inner && isMsgKey(inner.message) ? t(inner.message) : t('v.invalid');
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
      if (out.length >= MAX_LISTED) return out;
      const dotted = e.path.map((k) => shownKey(String(k))).join('.') || '(top level)';
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
