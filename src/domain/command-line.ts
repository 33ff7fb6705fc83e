// A command typed as one line (the worker's command, app.command: in the wizard, a flag or the
// answers file as a string) becomes argv the way a POSIX shell would split it, without a shell
// (#22.11): quotes and backslashes group and escape, nothing is expanded. A line whose meaning
// needs a shell (pipes, lists, redirections, substitutions, variables, globs, ~, comments, a
// leading VAR=value) is refused with the reason: run without a shell, it would mean something else.

export type ShellFeature =
  | 'pipe'
  | 'list'
  | 'redirect'
  | 'substitution'
  | 'variable'
  | 'glob'
  | 'tilde'
  | 'comment'
  | 'assignment'
  | 'subshell'
  | 'newline'
  | 'unterminated';

export type SplitResult = { argv: string[] } | { feature: ShellFeature; at: number; text: string };

const WS = new Set([' ', '\t']);

export function splitCommandLine(line: string): SplitResult {
  const argv: string[] = [];
  let word: string | null = null; // null: between words ("" is an empty quoted word)
  const refuse = (feature: ShellFeature, at: number, len = 1): SplitResult => ({
    feature,
    at: at + 1,
    text: line.slice(at, at + len),
  });
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    const next = line[i + 1];
    if (WS.has(c)) {
      if (word !== null) argv.push(word);
      word = null;
      i++;
      continue;
    }
    if (c === '\n' || c === '\r') return refuse('newline', i);
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return refuse('unterminated', i);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let s = '';
      for (;;) {
        if (j >= line.length) return refuse('unterminated', i);
        const d = line[j]!;
        if (d === '"') break;
        if (d === '$') return refuse(line[j + 1] === '(' ? 'substitution' : 'variable', j, line[j + 1] === '(' ? 2 : 1);
        if (d === '`') return refuse('substitution', j);
        // Inside double quotes a backslash escapes only $ ` " \ (POSIX); elsewhere it stays.
        if (d === '\\' && j + 1 < line.length && '$`"\\'.includes(line[j + 1]!)) {
          s += line[j + 1];
          j += 2;
          continue;
        }
        s += d;
        j++;
      }
      word = (word ?? '') + s;
      i = j + 1;
      continue;
    }
    if (c === '\\') {
      if (next === undefined) return refuse('unterminated', i);
      if (next === '\n') return refuse('newline', i + 1);
      word = (word ?? '') + next;
      i += 2;
      continue;
    }
    if (c === '|') return refuse(next === '|' ? 'list' : 'pipe', i, next === '|' ? 2 : 1);
    if (c === '&' || c === ';') return refuse('list', i, next === c ? 2 : 1);
    if (c === '<' || c === '>') return refuse('redirect', i, next === c ? 2 : 1);
    if (c === '`') return refuse('substitution', i);
    if (c === '$') return refuse(next === '(' ? 'substitution' : 'variable', i, next === '(' ? 2 : 1);
    if (c === '(' || c === ')') return refuse('subshell', i);
    if (c === '*' || c === '?' || c === '[') return refuse('glob', i);
    if (word === null && c === '~') return refuse('tilde', i);
    if (word === null && c === '#') return refuse('comment', i);
    if (c === '=' && argv.length === 0 && word !== null && /^[A-Za-z_][A-Za-z0-9_]*$/.test(word))
      return refuse('assignment', i - word.length, word.length + 1);
    word = (word ?? '') + c;
    i++;
  }
  if (word !== null) argv.push(word);
  return { argv };
}

/** How argv reads back as one line (the wizard's field shows it so): plain words bare, others single-quoted. */
export function joinCommandLine(argv: readonly string[]): string {
  // A first word with = would read back as an assignment: quoted too.
  const plain = (a: string, i: number) => /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) && !(i === 0 && a.includes('='));
  return argv.map((a, i) => (plain(a, i) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** The message key of a refusal (src/i18n/catalog/cli.ts), its parameters `text` and `at`. */
export const refusalKey = (f: ShellFeature) => `v.cmdline.${f}` as const;
