// Quoting at the point of use (#15): the second layer behind the answers' allow-lists
// (src/domain/safe-values.ts). Every generator that puts a value into a shell line, a systemd unit,
// a cron line or a logrotate file list goes through these, so a value the schema should have
// refused still lands as one literal word. What a syntax cannot carry (a line break in a cron or
// unit line, a brace in logrotate's list) throws: nothing is written, never a changed meaning.

// eslint-disable-next-line no-control-regex
const LINE_BREAKING = /[\x00-\x08\x0a-\x1f\x7f\u2028\u2029]/;

function noLineBreaks(where: string, s: string): string {
  if (LINE_BREAKING.test(s)) throw new Error(`${where}: a value cannot hold a line break or control character`);
  return s;
}

/**
 * One POSIX shell word: bare when only safe characters, else single-quoted, a `'` as `'"'"'`
 * (no backslash: on a cron line a backslash before our `\%` would change its meaning).
 */
export const shQuote = (s: string): string => (/^[A-Za-z0-9_@+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`);

/** A command line for /bin/sh from argv. */
export const shLine = (argv: readonly string[]): string => argv.map(shQuote).join(' ');

/**
 * One argument of a systemd `ExecStart=` (systemd.syntax(7), systemd.service(5)): double-quoted when
 * it holds anything but safe characters; `\` and `"` escaped, `%` as `%%` (a specifier), `$` as `$$`
 * (systemd substitutes environment variables in ExecStart). A line break would end the setting.
 */
export function unitArg(s: string): string {
  noLineBreaks('systemd unit', s);
  if (/^[A-Za-z0-9_@+=:,./-]+$/.test(s)) return s;
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}

/** The value of a unit setting that expands specifiers but is not split (WorkingDirectory=, Description=, a comment): `%` as `%%`. */
export const unitValue = (s: string): string => noLineBreaks('systemd unit', s).replace(/%/g, '%%');

/** Text on a comment line of a generated file (systemd, cron, logrotate): one line, nothing more. */
export const commentText = (s: string): string => noLineBreaks('comment', s);

/**
 * The command field of a cron line (crontab(5)): the shell words of `argv`, and every `%` as `\%`
 * (cron turns a bare `%` into a line break and feeds the rest to stdin, even inside shell quotes).
 */
export function cronCommand(argv: readonly string[]): string {
  for (const a of argv) noLineBreaks('cron line', a);
  return cronShell(shLine(argv));
}

/**
 * A shell fragment on a cron line: `%` escaped for cron, line breaks refused. cron reads `\\%` as `%`
 * but keeps any other backslash, so `\\` before our `\\%` would undo it: a backslash throws.
 */
export function cronShell(sh: string): string {
  if (noLineBreaks('cron line', sh).includes('\\')) throw new Error('cron line: a value cannot hold a backslash');
  return sh.replace(/%/g, '\\%');
}

/**
 * One file of logrotate's file list: always double-quoted (a space would split it), glob characters
 * escaped (logrotate globs every name). logrotate has no escape for `"` and reads `{` `}` even in
 * quotes: those, `\` and line breaks throw.
 */
export function logrotatePath(p: string): string {
  if (/["{}\\]/.test(noLineBreaks('logrotate', p))) throw new Error('logrotate: a file name cannot hold " { } or \\');
  return `"${p.replace(/[*?[\]]/g, '\\$&')}"`;
}

/**
 * A line of a logrotate script (postrotate … endscript, run by /bin/sh): one line, and never a line
 * that logrotate would read as the script's end.
 */
export function logrotateScriptLine(sh: string): string {
  noLineBreaks('logrotate script', sh);
  if (/^\s*endscript\b/.test(sh)) throw new Error('logrotate: a script line cannot be endscript');
  return sh;
}

/**
 * A path on a fail2ban `logpath =` line (jail.conf(5)): its config parser expands `%(name)s`, so `%`
 * is `%%`; it globs every path, so `*` `?` `[` are bracketed; and it splits the line at its last
 * space for the head/tail option, so a path with a space is followed by the default `head`.
 */
export function fail2banLogpath(p: string): string {
  const s = noLineBreaks('fail2ban', p).replace(/%/g, '%%').replace(/[*?[]/g, '[$&]');
  return /\s/.test(s) ? `${s} head` : s;
}

/**
 * A host path in a Compose short volume (`HOST:CONTAINER:ro`): Compose interpolates `${…}` in it, so
 * `$` is `$$`; a `:` would split the volume, and Compose has no escape for it there: it throws.
 */
export function composeHostPath(p: string): string {
  if (noLineBreaks('compose volume', p).includes(':')) throw new Error('compose volume: a host path cannot hold ":"');
  return p.replace(/\$/g, '$$$$');
}
