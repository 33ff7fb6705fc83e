// Writing as root where another local user has a hand (#15.2). A user who can change a folder on
// the way to a file root writes can swap a name in it for a link at the right moment and have root
// write (or chown, or truncate) something else. So, before root writes:
// - every folder on the way is examined with lstat, from / down, never following a link that has
//   not been vetted: a link is followed only when root (or we) own it, since only root can make a
//   link owned by root, and the folder holding it is itself safe;
// - every folder must be owned by root or by us, and not writable by group or others unless it
//   has the sticky bit (like /tmp, where others cannot rename or delete what is ours).
// A chain that passes cannot be changed by anyone else afterwards, so checking first and writing
// after is safe by construction. Files are then created O_EXCL|O_NOFOLLOW under unpredictable
// names, and logs are opened O_NOFOLLOW and checked to be our own regular file.
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, chmodSync, openSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { hostError } from '../errors.js';

const errnoCode = (e: unknown) => (e as NodeJS.ErrnoException).code;
const euid = () => process.geteuid?.() ?? 0;
/** Owners whose folders and links we trust: root, and whoever we run as. */
const trusted = (uid: number) => uid === 0 || uid === euid();

/** A user's name from /etc/passwd, for messages; the number when it has none. */
export function userName(uid: number): string {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[2] === String(uid));
    if (line) return `${line.split(':')[0]} (uid ${uid})`;
  } catch {
    // no passwd file: the number will do
  }
  return `uid ${uid}`;
}

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');
/** The sticky bit: in such a folder others may add names but not rename or remove ours (/tmp). */
const STICKY = 0o1000;

/**
 * Refuses a folder that is not root's (or ours) or that others may write in without the sticky
 * bit. Run by an ordinary user, their group's write bit is theirs to decide (a private group's
 * home folder is 0775 on some systems); root writing must not trust any group.
 */
function checkFolder(path: string, st: { uid: number; mode: number }): void {
  if (!trusted(st.uid)) throw hostError('err.unsafe.owner', { path, owner: userName(st.uid) });
  const others = euid() === 0 ? 0o022 : 0o002;
  if ((st.mode & others) !== 0 && (st.mode & STICKY) === 0) throw hostError('err.unsafe.writable', { path, mode: octal(st.mode) });
}

/** Links followed on one path before giving up (Linux's own limit). */
const MAX_LINKS = 40;

export interface ChainResult {
  /** The deepest existing folder, links resolved. */
  existing: string;
  /** Names still to be created below it, outermost first (empty when the whole path exists). */
  missing: string[];
}

/**
 * Walks `path` (a folder, existing or to be made) from / and refuses (exit 3, naming the path and
 * the fix) a link or folder another user controls. ENOTDIR when a component is a file. With
 * `lastMayBeForeign`, the folder `path` itself may belong to another user (a Docker volume's
 * folder, owned by the service's user): what is done in it must then be safe by construction
 * (removing a name never follows it; GNU rm and find walk without following links).
 */
export function checkFolderChain(path: string, o: { lastMayBeForeign?: boolean } = {}): ChainResult {
  let cur = '/';
  checkFolder(cur, lstatSync(cur));
  const parts = resolve(path).split('/').filter(Boolean);
  let links = 0;
  while (parts.length) {
    const name = parts.shift()!;
    if (name === '.') continue;
    if (name === '..') {
      // `cur` is a real folder (links resolved), so its parent is the real parent.
      cur = dirname(cur);
      continue;
    }
    const next = join(cur, name);
    let st;
    try {
      st = lstatSync(next);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return { existing: cur, missing: [name, ...parts.filter((p) => p !== '.')] };
      throw e;
    }
    if (st.isSymbolicLink()) {
      if (!trusted(st.uid)) throw hostError('err.unsafe.link', { path: next, owner: userName(st.uid) });
      if (++links > MAX_LINKS) throw Object.assign(new Error(`ELOOP: too many links in ${path}`), { code: 'ELOOP', path });
      const target = readlinkSync(next);
      if (target.startsWith('/')) cur = '/';
      parts.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    if (!st.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, ${next}`), { code: 'ENOTDIR', path: next });
    if (!(o.lastMayBeForeign && parts.length === 0)) checkFolder(next, st);
    cur = next;
  }
  return { existing: cur, missing: [] };
}

/**
 * Creates `path` and its missing parents one level at a time, each chmod-ed explicitly (`mode` for
 * `path`, 0755 for parents), after checking the existing chain as above. A folder someone else
 * creates meanwhile is checked like any other. Appends what it created to `created`, outermost first.
 */
export function safeMakeDirs(path: string, mode: number, created: string[]): void {
  const { existing, missing } = checkFolderChain(path);
  let cur = existing;
  for (const [i, name] of missing.entries()) {
    const d = join(cur, name);
    const m = i === missing.length - 1 ? mode : 0o755;
    try {
      // Created no more open than `m` (the umask only narrows it), then set exactly.
      mkdirSync(d, { mode: m });
      created.push(d);
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw e;
      // Someone made it meanwhile: not ours to remove, and examined like any other.
      const st = lstatSync(d);
      if (st.isSymbolicLink()) throw hostError('err.unsafe.link', { path: d, owner: userName(st.uid) });
      if (!st.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, ${d}`), { code: 'ENOTDIR', path: d });
      checkFolder(d, st);
      cur = d;
      continue;
    }
    // Ours and in a safe folder: nobody else can have swapped it between mkdir and chmod.
    chmodSync(d, m);
    cur = d;
  }
}

/** Root's own PATH, as systemd gives it to services and install.sh searches it. */
export const ROOT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * Null when root alone owns `path` (every link resolved) and every folder above it, and none of
 * them is writable by group or others; else the first path that is not. What root's timers run
 * must not be replaceable by another local user (a sudoer's nvm Node). Not running as root: null
 * (nothing is scheduled as root then).
 */
export function notRootOnly(path: string): string | null {
  if (euid() !== 0) return null;
  let p: string;
  try {
    p = realpathSync(path);
  } catch {
    return path;
  }
  for (;;) {
    let st;
    try {
      st = statSync(p);
    } catch {
      return p;
    }
    if (st.uid !== 0 || (st.mode & 0o022) !== 0) return p;
    if (p === '/') return null;
    p = dirname(p);
  }
}

/**
 * Null when running `program` as root runs only root-only files: the program itself, and what it
 * hands over to: the Node.js and script an install.sh wrapper execs, or the `node` an
 * `#!/usr/bin/env node` script finds in root's PATH. Else the first path that is not root-only.
 */
export function programNotRootOnly(program: string): string | null {
  const own = notRootOnly(program);
  if (own) return own;
  let head: string;
  try {
    head = readFileSync(program, 'utf8').slice(0, 4096);
  } catch {
    return null;
  }
  const wrapper = /^exec (\S+) (\S+) "\$@"$/m.exec(head);
  if (head.startsWith('#!/bin/sh') && wrapper) return notRootOnly(wrapper[1]!) ?? notRootOnly(wrapper[2]!);
  if (/^#!\s*\/usr\/bin\/env\s+node\b/.test(head)) {
    for (const d of ROOT_PATH) {
      try {
        statSync(`${d}/node`);
      } catch {
        continue;
      }
      return notRootOnly(`${d}/node`);
    }
    return 'node';
  }
  return null;
}

/** A temporary name beside `path` that nobody can guess in advance. */
export const tempNameFor = (path: string) => join(dirname(path), `.${basename(path)}.sw-${randomBytes(9).toString('hex')}.tmp`);

/** Creates a new file (never an existing one, never through a link) with `mode`. */
export function createExclusive(path: string, mode: number): number {
  return openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
}

/**
 * Opens a file for appending (a log) without following a link at its name, creating it with
 * `mode`; refuses anything but our own regular file with a single name (a hard link planted
 * earlier would send the lines elsewhere).
 */
export function openAppendNoFollow(path: string, mode: number): number {
  const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, mode);
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.nlink !== 1 || !trusted(st.uid)) throw Object.assign(new Error(`EPERM: ${path} is not our own regular file`), { code: 'EPERM', path });
    return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Opens a file for writing (truncating it) without following a link at its name. */
export function openTruncNoFollow(path: string, mode: number): number {
  return openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, mode);
}
