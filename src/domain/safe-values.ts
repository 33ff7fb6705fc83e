// Allow-lists for every answers value that reaches a root shell, a config line, a systemd unit, a
// cron line, a compose path or a URL (#15). The schema refuses anything else (exit 2, naming the
// field and what is allowed), so a generator never sees a character it would have to quote; the
// generators quote where they use values as well (both layers, so one mistake is not a hole).
// Messages are i18n keys (src/i18n/catalog/validation.ts).
import { posix } from 'node:path';
import { z } from 'zod';

/**
 * Length limits. Generous for real use, small enough that no value costs time or memory in a
 * check, a message or a generated file: a path fits PATH_MAX-bound tools with room for our
 * sub-paths; a URL path and a header fit one nginx directive; argv items and env values fit a
 * compose line that a person can still read.
 */
export const LIMITS = {
  hostPath: 240,
  urlPath: 256,
  url: 512,
  text: 4096,
  short: 64,
  argv: 128,
  envEntries: 256,
  listEntries: 64,
} as const;

/** A string no longer than `max`, checked first and alone: no pattern ever runs over a megabyte-long value. */
export const bounded = (max: number) => z.string().max(max, { abort: true });

/** Tab is the only control character a value may hold; the rest (NUL, line breaks, ESC…) break lines, logs and terminals. */
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\x00-\x08\x0a-\x1f\x7f\u2028\u2029]/;

/** Free text that goes into a generated file as a quoted value (argv items, app.env values). */
export const plainText = (max: number = LIMITS.text) =>
  bounded(max).refine((s) => !CONTROL_RE.test(s), { message: 'v.controlChars' });

/**
 * One path segment on the host: ASCII letters, digits and `. _ - +`. No space (logrotate splits
 * its file list on it, cron and systemd split ExecStart on it), no `%` (a systemd specifier), no
 * `$` (Compose interpolation, shells), no `:` (Compose's volume separator), no quotes, no `\`, no
 * `*?[` (globs in logrotate and shells), no non-ASCII (cron and logrotate read bytes, and a
 * look-alike character is an easy way to hide a second path). Spaces are refused rather than
 * quoted in four programs' syntaxes: a server path never needs one.
 */
const ABS_PATH_RE = /^(?:\/[A-Za-z0-9._+-]+)+$/;

/** An absolute path in allowed characters, already normalized: no `.` or `..` segment (normalize would change it), no `//`, no trailing `/`. */
export const isSafeAbsPath = (p: string) => ABS_PATH_RE.test(p) && posix.normalize(p) === p;

/**
 * Folders the stack must never be installed in or under: the system's own (a render there
 * overwrites system files, a backup retention run deletes in them), Docker's and containerd's
 * state, pseudo-filesystems.
 */
export const SYSTEM_TREES = [
  '/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/run', '/sbin', '/sys', '/usr',
  '/var/lib/docker', '/var/lib/containerd', '/var/lib/dpkg', '/var/lib/apt', '/var/lib/systemd', '/var/run', '/var/lock', '/var/spool', '/var/log', '/snap',
] as const;
/**
 * Folders that may hold a stack below them but are not one themselves: installing there mixes the
 * stack's files (compose.yaml, backups/, logs/) with everything else in it, and `backups/`
 * retention would run in a shared folder. /opt/stack-wizard holds every stack and our own Node.
 */
export const SHARED_ROOTS = ['/', '/home', '/mnt', '/media', '/opt', '/opt/stack-wizard', '/root', '/srv', '/tmp', '/var', '/var/lib', '/var/tmp', '/var/opt'] as const;

/** Why `p` is not an acceptable install dir, as an i18n key, or null. */
export function installDirProblem(p: string): 'v.absPath' | 'v.systemFolder' | null {
  if (!isSafeAbsPath(p)) return 'v.absPath';
  if ((SHARED_ROOTS as readonly string[]).includes(p)) return 'v.systemFolder';
  if (SYSTEM_TREES.some((t) => p === t || p.startsWith(`${t}/`))) return 'v.systemFolder';
  return null;
}

/** A file or folder on the host (certificate, passphrase and credentials files, a front end's folder). */
// A path that only a space spoils gets its own message naming the fix: the one refused character people meet by accident.
const onlySpaces = (p: string) => p.includes(' ') && ABS_PATH_RE.test(p.replace(/ /g, '-'));
const pathShape = (message = 'v.absPath') =>
  bounded(LIMITS.hostPath).refine((p) => !onlySpaces(p), { message: 'v.pathSpace', abort: true }).regex(ABS_PATH_RE, { message, abort: true });
export const hostPath = pathShape().refine(isSafeAbsPath, { message: 'v.absPath' });

/** Where the stack lives: a host path that is not a system folder and not a shared root. */
export const installDirValue = pathShape().superRefine((p, ctx) => {
    const problem = installDirProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, params: { system: [...SYSTEM_TREES].join(', '), shared: [...SHARED_ROOTS].join(', ') } });
  });

/** A folder inside a container for a volume (Compose `name:/path`): host-path characters, not `/` and not a kernel file system. */
export const containerPath = pathShape('v.containerPath').refine((p) => isSafeAbsPath(p) && !['/proc', '/sys', '/dev'].some((t) => p === t || p.startsWith(`${t}/`)), { message: 'v.containerPath' });

/**
 * A URL path nginx matches (`location ^~ /api/`): unreserved characters and the sub-delimiters
 * nginx reads literally. No `;` `{` `}` quotes or whitespace (they end or open nginx directives),
 * no `$` (a variable in some directives), no `?`/`#` (never part of a location), no `\`.
 */
const URL_PATH_RE = /^\/[A-Za-z0-9._~!*+,=:@%/-]*$/;
export const urlPathValue = bounded(LIMITS.urlPath).regex(URL_PATH_RE, 'v.urlPath');

/**
 * The app's health path, pasted into its container healthcheck (a shell command, since the image's
 * tools are unknown: curl, wget, python or node are tried in turn): letters, digits and `. _ ~ / -`
 * only, nothing a shell, Python or JavaScript string reads specially.
 */
export const healthPath = bounded(LIMITS.urlPath).regex(/^\/[A-Za-z0-9._~/-]*$/, 'v.healthPath');

/** An HTTP header name as nginx takes it in real_ip_header: letters, digits and `-` (RFC 9110 tokens without the punctuation no proxy uses). */
export const headerName = bounded(LIMITS.short).regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'v.headerName');

/**
 * A mirror or endpoint base URL: http(s), a host name, IPv4 or [IPv6] address, an optional port,
 * and a path of unreserved characters. No user:password (credentials would land in world-readable
 * config and logs: give them to the tool that supports them, e.g. apt's auth.conf), no query or
 * fragment, no whitespace, quotes, `$` or control characters (apt sources lines, daemon.json,
 * pip and npm config, and shells read these URLs).
 */
const HOST_RE = '(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]{2,45}\\])';
export const MIRROR_URL_RE = new RegExp(`^https?://${HOST_RE}(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~%+-]*)*$`);
/** An email address for an ACME account: no quotes, `%` or other characters a command line or unit would read specially. */
export const emailValue = bounded(254).regex(/^[A-Za-z0-9._+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/, 'v.email');

export const mirrorUrl = bounded(LIMITS.url).regex(MIRROR_URL_RE, 'v.mirrorUrl');
