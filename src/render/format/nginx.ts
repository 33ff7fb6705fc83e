// The one Nginx serializer: directives and blocks as data → text. Arguments that nginx's tokenizer
// would split or misread (spaces, ; { } quotes, a leading #) are double-quoted, so data from the
// answers file can never end a directive or open a block. `$variables` stay live inside quotes.

export interface NginxDirective {
  /** Directive or block name (or a map entry's key); `#` makes a comment line (args joined), `` without args a blank line. */
  name: string;
  args?: readonly (string | number)[];
  /** Present for blocks (`events`, `http`, `server`, `location`, `upstream`, `map`, …). */
  block?: readonly NginxDirective[];
  /** A short comment written on the line above. */
  comment?: string;
}

export type NginxConf = readonly NginxDirective[];

/** Shorthands that keep generator code close to the text it produces. */
export const d = (name: string, ...args: (string | number)[]): NginxDirective => ({ name, args });
export const b = (name: string, args: (string | number)[], block: NginxDirective[], comment?: string): NginxDirective =>
  comment ? { name, args, block, comment } : { name, args, block };
export const c = (text: string): NginxDirective => ({ name: '#', args: [text] });
export const blank: NginxDirective = { name: '' };
export const withComment = (x: NginxDirective, comment: string): NginxDirective => ({ ...x, comment });

const NEEDS_QUOTES = /[\s;{}"']|^#|^$/;

export function quoteArg(arg: string | number): string {
  const s = String(arg);
  if (/[\r\n]/.test(s)) throw new Error('nginx: an argument cannot hold a line break');
  // nginx unescapes only \" \' \\ \t \r \n (quoted or not); any other backslash (regex \.) stays as written.
  const escaped = s.replace(/\\(?=["'\\tnr]|$)/g, '\\\\');
  return NEEDS_QUOTES.test(s) ? `"${escaped.replace(/"/g, '\\"')}"` : escaped;
}

function lines(nodes: NginxConf, depth: number, out: string[]): void {
  const pad = '    '.repeat(depth);
  for (const n of nodes) {
    if (n.comment) for (const l of n.comment.split('\n')) out.push(`${pad}# ${l}`.trimEnd());
    if (n.name === '' && !n.args) {
      out.push('');
      continue;
    }
    if (n.name === '#') {
      for (const l of (n.args ?? []).join(' ').split('\n')) out.push(`${pad}# ${l}`.trimEnd());
      continue;
    }
    // Names are quoted too: map and geo entries use values (even "") in the name's place.
    const head = [quoteArg(n.name), ...(n.args ?? []).map(quoteArg)].join(' ');
    if (n.block) {
      out.push(`${pad}${head} {`);
      lines(n.block, depth + 1, out);
      out.push(`${pad}}`);
    } else {
      out.push(`${pad}${head};`);
    }
  }
}

/** Serialises a config; `header` lines become a leading comment. */
export function toNginx(conf: NginxConf, header?: string): string {
  const out: string[] = [];
  if (header) for (const l of header.split('\n')) out.push(`# ${l}`.trimEnd());
  lines(conf, 0, out);
  // No trailing blank lines, one final newline.
  while (out.length && out[out.length - 1] === '') out.pop();
  return `${out.join('\n')}\n`;
}
