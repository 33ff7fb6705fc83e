// Secrets are generated once into .env and kept on every later render. They never appear in
// answers, plans, logs or any other file; compose passes them to containers by interpolation.
import type { Plan } from './plan.js';
import { usageError } from '../errors.js';

export type Secrets = Readonly<Record<string, string>>;
export type RandomBytes = (n: number) => Uint8Array;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 32 characters from 62 (~190 bits), URL- and shell-safe so they embed in DATABASE_URL as is. */
export function generateSecret(random: RandomBytes, length = 32): string {
  let out = '';
  while (out.length < length) {
    for (const b of random(length * 2)) {
      // Rejection sampling: 248 = 4 × 62 keeps every character equally likely.
      if (b < 248 && out.length < length) out += ALPHABET[b % 62];
    }
  }
  return out;
}

export function secretNames(plan: Plan): string[] {
  const names = ['MYSQL_ROOT_PASSWORD', 'MYSQL_PASSWORD'];
  if (plan.redis) names.push('REDIS_PASSWORD');
  if (plan.components.rabbitmq) names.push('RABBITMQ_PASSWORD');
  // The app's own MinIO user's secret: the root password reaches only MinIO and minio-init (#15.8).
  if (plan.components.minio) names.push('MINIO_ROOT_PASSWORD', 'MINIO_APP_PASSWORD');
  if (plan.components.monitoring) names.push('GRAFANA_ADMIN_PASSWORD');
  return names;
}

/**
 * Secrets that compose also places inside a URL (DATABASE_URL, REDIS_URL, RABBITMQ_URL). A kept
 * password may hold `@`, `:` or `/`, so the URL takes a percent-encoded copy, written beside it in .env.
 */
const IN_URLS = new Set(['MYSQL_PASSWORD', 'REDIS_PASSWORD', 'RABBITMQ_PASSWORD']);
export const urlEncodedName = (name: string) => `${name}_URLENCODED`;
export const urlSecretNames = (plan: Plan) => secretNames(plan).filter((n) => IN_URLS.has(n));

/**
 * Why an existing .env value cannot be kept as it is: the kind of character and where it is in the
 * value (1-based). `detail` is only ever the syntax at fault (`$`, a backslash, a quote, an escaped
 * control character), never text of the value: the value is a password.
 */
export interface DotenvProblem { line: number; kind: 'control' | 'variable' | 'escape'; detail: string; pos: number }

/** A .env as Compose reads it: the values, and the keys whose value we cannot know or write back exactly. */
export interface DotenvDoc { values: Record<string, string>; problems: Record<string, DotenvProblem>; file?: string }

const isDoc = (x: Secrets | DotenvDoc): x is DotenvDoc =>
  typeof (x as DotenvDoc).values === 'object' && typeof (x as DotenvDoc).problems === 'object';

/**
 * Keeps every existing secret, whatever its characters, and generates only the missing (or empty)
 * ones: a replaced password no longer opens a database volume initialised with the old one. A value
 * Compose cannot carry exactly (a line break, a `$NAME` it would substitute) is refused with exit 2,
 * naming the key, the file and the fix; it is never silently replaced.
 */
export function ensureSecrets(plan: Plan, existing: Secrets | DotenvDoc, random: RandomBytes): Secrets {
  const doc: DotenvDoc = isDoc(existing) ? existing : { values: { ...existing }, problems: {} };
  const file = doc.file ?? '.env';
  const out: Record<string, string> = {};
  for (const n of secretNames(plan)) {
    const bad = doc.values[n] ? unwritable(doc.values[n]!) : null;
    const p = doc.problems[n] ?? (bad ? { line: 0, kind: 'control' as const, ...bad } : null);
    if (p) throw usageError(`err.secret.${p.kind}`, { file: p.line ? `${file}:${p.line}` : file, key: n, detail: p.detail, pos: p.pos });
    // An empty value never opened anything (the images refuse an empty password), so it gets a real one.
    out[n] = doc.values[n] || generateSecret(random);
  }
  return out;
}

/** The first character a .env line cannot hold (line breaks, NUL and other control characters; tab is fine), escaped for a message, and its position. */
function unwritable(v: string): { detail: string; pos: number } | null {
  // eslint-disable-next-line no-control-regex
  const m = /[\x00-\x08\x0a-\x1f\x7f]/.exec(v);
  return m ? { detail: JSON.stringify(m[0]).slice(1, -1), pos: m.index + 1 } : null;
}

/**
 * A value as a .env right-hand side that Compose reads back exactly: bare when alphanumeric (every
 * generated secret), in single quotes (literal: no escapes, no `$` substitution) when it has no `'`
 * and no backslash, else in double quotes with `\`, `"` and `$` escaped by a backslash. The real
 * `docker compose config` checks this in test/real/dotenv-compose.test.ts.
 */
export function dotenvValue(v: string): string {
  const bad = unwritable(v);
  if (bad) throw new Error(`a .env value cannot hold ${bad.detail} (character ${bad.pos})`);
  if (/^[A-Za-z0-9]+$/.test(v)) return v;
  if (!/['\\]/.test(v)) return `'${v}'`;
  return `"${v.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

// Escapes Compose expands inside double quotes (checked against compose-go); any other is refused.
const DOUBLE_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v' };
// Stands for an escaped `$` until `$` references are read (a private-use character no .env holds).
const LITERAL_DOLLAR = '\uE000';

/** `$$` is one `$`; `$NAME` and `${…}` are substituted by Compose from the environment, which we cannot know. */
function dollars(raw: string, line: number, note: (p: DotenvProblem) => void): string {
  return raw.replace(/\$(\$|\{[^}]*\}?|[A-Za-z_][A-Za-z0-9_]*)?/g, (m, ref: string | undefined, offset: number) => {
    if (ref === '$') return '$';
    if (ref) note({ line, kind: 'variable', detail: ref.startsWith('{') ? '${' : '$', pos: offset + 1 });
    return m;
  });
}

/**
 * Reads a .env the way Compose v2 does (compose-go's dotenv): `export` prefixes, `#` comments,
 * unquoted values trimmed and cut at ` #`, single quotes literal, double quotes with backslash
 * escapes, `$$` for `$` outside single quotes. What we cannot decode with certainty is a problem.
 */
export function readDotenv(text: string, file?: string): DotenvDoc {
  const values: Record<string, string> = {};
  const problems: Record<string, DotenvProblem> = {};
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*)$/.exec(lines[i]!);
    if (!m) continue;
    const key = m[1]!;
    let rest = m[2]!;
    let problem: DotenvProblem | null = null;
    const note = (p: DotenvProblem) => void (problem ??= p);
    let value: string;
    const q = rest[0];
    if (q === "'" || q === '"') {
      // A quoted value may run over several lines; it ends at the first unescaped matching quote.
      let raw = '';
      let j = 1;
      let closed = false;
      for (;;) {
        while (j < rest.length) {
          const c = rest[j]!;
          if (c === '\\' && j + 1 < rest.length) {
            const e = rest[j + 1]!;
            if (q === "'") {
              // Compose reads \' in single quotes as a quote but keeps other backslashes: ambiguous.
              if (e === "'") note({ line: lineNo, kind: 'escape', detail: "\\'", pos: raw.length + 1 });
              raw += c;
              j++;
              continue;
            }
            const mapped = e === '$' ? LITERAL_DOLLAR : DOUBLE_ESCAPES[e];
            // The escaped character is part of the password: only the backslash is named.
            if (mapped === undefined) note({ line: lineNo, kind: 'escape', detail: '\\', pos: raw.length + 1 });
            raw += mapped ?? c + e;
            j += 2;
            continue;
          }
          if (c === q) {
            closed = true;
            break;
          }
          raw += c;
          j++;
        }
        if (closed || i + 1 >= lines.length) break;
        // The line ended inside the quotes: the value holds a line break.
        raw += '\n';
        rest = lines[++i]!;
        j = 0;
      }
      if (!closed) note({ line: lineNo, kind: 'escape', detail: `${q}… (no closing ${q})`, pos: 1 });
      value = q === "'" ? raw : dollars(raw, lineNo, note).replaceAll(LITERAL_DOLLAR, '$');
    } else {
      // Unquoted: an inline comment starts at whitespace followed by #; backslashes are literal.
      value = dollars(rest.replace(/\s#.*$/, '').trim(), lineNo, note);
    }
    const bad = unwritable(value);
    if (!problem && bad) problem = { line: lineNo, kind: 'control', ...bad };
    // The last assignment wins, as in Compose.
    values[key] = value;
    if (problem) problems[key] = problem;
    else delete problems[key];
  }
  return { values, problems, ...(file ? { file } : {}) };
}

/** KEY=VALUE pairs as Compose reads them (a value we cannot decode with certainty as best read). */
export function parseDotenv(text: string): Record<string, string> {
  return readDotenv(text).values;
}

/** Every secret value, for redaction of logs and support bundles. */
export function secretValues(s: Secrets): string[] {
  const all = Object.values(s).flatMap((v) => [v, encodeURIComponent(v)]);
  return [...new Set(all)].filter((v) => v.length >= 8);
}
