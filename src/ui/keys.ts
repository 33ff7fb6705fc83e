// Keys that arrive in one read. Ink parses each read as one key: escape sequences (arrows) come
// apart, but "\x7f\x7f" (two Backspaces over a laggy SSH link), "ab\x7f" or "x\r" reach a handler
// as one string with no key flag set, and the edit keys in it were lost (#22.5).
import type { Key } from 'ink';

// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A key with no flag set, keeping Ink's other fields (kitty protocol's) as they came. */
function bare(key: Key): Key {
  const out = { ...key };
  for (const [k, v] of Object.entries(out)) if (typeof v === 'boolean') (out as Record<string, unknown>)[k] = false;
  return out;
}

/** One control character as Ink reads it alone (its parse-keypress), in the same shape. */
function controlKey(ch: string, base: Key): [string, Key] | null {
  switch (ch) {
    case '\r':
    case '\n':
      return ['', { ...base, return: true }];
    case '\t':
      return ['', { ...base, tab: true }];
    case '\b':
      return ['', { ...base, backspace: true }];
    case '\u007f':
      return ['', { ...base, delete: true }];
  }
  const code = ch.charCodeAt(0);
  // Ctrl+letter: Ink names it by the letter (Ctrl-U is "u" with ctrl).
  if (code >= 1 && code <= 26) return [String.fromCharCode(code + 96), { ...base, ctrl: true }];
  return null;
}

/**
 * The keys in one read, in order: runs of printable text stay one piece (a paste goes into a field
 * at once), each control character (Backspace, Ctrl-U, Enter, Tab, Ctrl-C) is a key of its own. A
 * single key, or one Ink already named (arrows, Esc, meta), is handed on as it came. "\r\n" is one
 * Enter.
 */
export function splitBurst(input: string, key: Key): [string, Key][] {
  if (input.length <= 1 || !CONTROL.test(input) || key.meta || key.escape) return [[input, key]];
  const base = bare(key);
  const out: [string, Key][] = [];
  let text = '';
  const flush = () => {
    if (text) out.push([text, base]);
    text = '';
  };
  const chars = [...input];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (!CONTROL.test(ch)) {
      text += ch;
      continue;
    }
    flush();
    if (ch === '\r' && chars[i + 1] === '\n') i++;
    const k = controlKey(ch, base);
    if (k) out.push(k);
  }
  flush();
  return out;
}
