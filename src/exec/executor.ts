// The Executor: the only way code changes the host. The real one acts; the dry-run twin records
// what it would do and changes nothing. Reads (`query`, `readFile`) run in both, since previews
// and preflight need the truth. Every action is logged with secrets redacted.
import {
  closeSync, constants, createReadStream, createWriteStream, existsSync, fchmodSync, fsyncSync, ftruncateSync, lstatSync, openSync, readdirSync,
  readFileSync as readFileSyncFs, readSync, renameSync, rmdirSync, rmSync, unlinkSync, writeSync,
} from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, readdir, readFile, stat } from 'node:fs/promises';
import { Resolver } from 'node:dns/promises';
import { dirname, resolve } from 'node:path';
import { execa } from 'execa';
import type { FileOwnership } from '../domain/secret-file.js';
import { checkFolderChain, createExclusive, openAppendNoFollow, openTruncNoFollow, safeMakeDirs, tempNameFor, userName } from './safe-fs.js';

export interface CommandResult { exitCode: number; stdout: string; stderr: string; timedOut: boolean }

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
  /** Each output line as it arrives (for live progress); already redacted. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Throw on a non-zero exit (default true for run, false for query). */
  check?: boolean;
}

export type ActionKind = 'run' | 'write' | 'mkdir' | 'remove' | 'rename' | 'docker' | 'send';
export interface Action { kind: ActionKind; summary: string; detail?: string; outcome?: string }

export interface WriteSpec { path: string; content: string | Uint8Array; mode: number }
export type WriteOutcome = 'created' | 'changed' | 'unchanged';

export interface Executor {
  readonly dryRun: boolean;
  /** A command that changes the host. In dry-run it is recorded and reported as succeeded. */
  run(cmd: string, args: readonly string[], opts?: RunOptions): Promise<CommandResult>;
  /** A read-only command (probes, status); runs in dry-run too. */
  query(cmd: string, args: readonly string[], opts?: RunOptions): Promise<CommandResult>;
  /**
   * A file's text, or null when it does not exist. With `maxBytes`, at most that much is read (a
   * device such as /dev/zero or a huge file is never read whole): a longer file fails with EFBIG.
   * With `noFollow`, a link at the name is not followed (ELOOP): for files another user may have
   * replaced by a link to something of root's.
   */
  readFile(path: string, o?: { maxBytes?: number; noFollow?: boolean }): Promise<string | null>;
  exists(path: string): Promise<boolean>;
  /** Permission bits of a file, or null when it does not exist. */
  fileMode(path: string): Promise<number | null>;
  /**
   * The name itself (a link is not followed): its kind, owner and permission bits, with this
   * process's uid; null when absent. Its folders are checked as for a write (checkFolderChain: exit 3
   * when another user could swap the file under it). Read-only: runs in dry-run too.
   */
  fileOwnership(path: string): Promise<FileOwnership | null>;
  /** Size and SHA-256 of a file, streamed (gigabytes are fine). Read-only: runs in dry-run too. */
  hashFile(path: string): Promise<{ bytes: number; sha256: string }>;
  /** Entry names in a folder, sorted; [] when it does not exist. */
  listDir(path: string): Promise<string[]>;
  /** null when `dir` (or the nearest existing parent it would be created in) is a writable folder, else the reason. */
  unwritableReason(dir: string): Promise<string | null>;
  /**
   * Writes a set of files all-or-nothing: every file is staged beside its target, then all are
   * renamed into place with signals held back, so an interrupted or failed run keeps the old set.
   */
  writeFiles(files: readonly WriteSpec[]): Promise<Map<string, WriteOutcome>>;
  mkdir(path: string, mode?: number): Promise<void>;
  remove(path: string): Promise<void>;
  /**
   * Takes an exclusive lock on `path` (created 0600 with its folder, never through a link) with
   * flock(2), held by this process until `release()` or its end, however it ends: the kernel
   * drops it, so a killed run never leaves a lock to take over. `holder` is written into the file
   * for the message of whoever comes next (`previous`: what it said before). `{ heldBy }` (the
   * holder's text) when another process holds it. The dry run takes no lock.
   */
  lock(path: string, holder: string): Promise<LockResult>;
  /**
   * Runs programs connected stdout → stdin, streaming (gigabytes pass through without being held),
   * hashing and counting what flows. Any program failing fails the whole pipeline (CommandError
   * naming it); the others are then ended. In dry-run it is recorded and nothing runs.
   */
  pipe(stages: readonly PipeStage[], opts?: PipeOptions): Promise<PipeResult>;
  /** Records an effect done through another client (dockerode); `fn` is skipped in dry-run. */
  effect<T>(kind: ActionKind, summary: string, fn: () => Promise<T>, dryValue: T): Promise<T>;
  /**
   * The public DNS answer for a name (A and AAAA, from the resolvers in /etc/resolv.conf; /etc/hosts is
   * not consulted, since Let's Encrypt does not see it). Read-only: runs in dry-run too.
   */
  resolveName(name: string): Promise<NameAnswer>;
  /** A line for the log only (what a step decided, a wait's outcome); redacted like every other line. */
  note(text: string): void;
  /**
   * Where log lines go from now on (the install dir's log once the stack is known). Every Context
   * sharing this Executor (the menu runs commands in its own) logs to the same place.
   */
  setLogSink(sink: LogSink): void;
  readonly actions: readonly Action[];
  /**
   * Sends SIGTERM to every command still running: an interrupted run (Ctrl-C) ends them before it
   * exits. execa's own exit hook is not enough: Ink's older signal-exit unhooks it on unmount.
   */
  terminate(): void;
  /**
   * Ends every command still running and everything it started (an interrupted apply: apt-get
   * and its dpkg, compose and its plugins): SIGTERM, up to `graceMs` for them to exit, then
   * SIGKILL for whatever is left. Resolves when none of them runs; the number that needed SIGKILL.
   */
  stopAll(graceMs: number): Promise<number>;
  /** Adds values that must never appear in logs or action summaries. */
  addSecrets(values: readonly string[]): void;
  redact(text: string): string;
}

export interface NameAnswer { addresses: string[]; error: string | null }

/** Taken (with what the file said before: a holder that did not release it cleanly), or held by another process. */
export type LockResult = { release: (leave?: string) => Promise<void>; previous: string } | { heldBy: string };

/** One program of a pipeline. */
export interface PipeStage {
  cmd: string;
  args: readonly string[];
  /** Added to the inherited environment. */
  env?: Record<string, string>;
  /** Written to the program's file descriptor 3 (a passphrase): never on a command line, never logged. */
  fd3?: string;
}

export interface PipeOptions {
  /** The first program reads this file on stdin (else empty input). */
  inputFile?: string;
  /** The last program's stdout goes to this file, created with `outputMode` (else it is collected, for small outputs). */
  outputFile?: string;
  outputMode?: number;
  /** Sees every chunk leaving the first program, in order (e.g. to count rows of a dump). */
  tap?: (chunk: Buffer) => void;
  /**
   * A second program fed everything the first one writes, at the pace of the slower reader (a copy
   * unpacked while it is stored); its output is discarded, and its failure fails the pipeline.
   * Needs a second stage.
   */
  tee?: PipeStage;
  /** Cumulative bytes read from the input (file or first program) and written by the last program. */
  onProgress?: (bytesIn: number, bytesOut: number) => void;
  timeoutMs?: number;
}

export interface PipeResult {
  /** Bytes that left the first program (or were read from inputFile). */
  bytesIn: number;
  bytesOut: number;
  /** SHA-256 of the input file as read, when there is one. */
  sha256In: string | null;
  /** SHA-256 of the last program's output. */
  sha256Out: string;
  /** The last program's output when no outputFile was given. */
  stdout: string;
  /** Each program's stderr, redacted. */
  stderr: string[];
}

export class CommandError extends Error {
  constructor(readonly cmd: string, readonly result: CommandResult) {
    super(`${cmd} exited ${result.exitCode}${result.timedOut ? ' (timed out)' : ''}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    this.name = 'CommandError';
  }
}

export type LogSink = (line: string) => void;

/**
 * Appends each line, with an ISO timestamp, to a log file (created 0600 with its folder: commands
 * can name hosts and paths an operator may not want world-readable). The folders on the way are
 * checked and the file opened without following links (another user's link must not make root
 * append elsewhere). A log that cannot be written never stops the work: the line is dropped.
 * Until `open()`, lines are held in memory, so a run that stops in preflight (which changes
 * nothing) creates no file.
 */
export function fileLog(path: string, clock: () => Date = () => new Date()): { sink: LogSink; open(): void } {
  let held: string[] | null = [];
  const write = (text: string) => {
    try {
      safeMakeDirs(dirname(path), 0o750, []);
      const fd = openAppendNoFollow(path, 0o600);
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
    } catch {
      // Logging must not turn a working change into a failure.
    }
  };
  return {
    sink(line) {
      const entry = `${clock().toISOString()} ${line.replace(/\n/g, '\n    ')}\n`;
      if (held) held.push(entry);
      else write(entry);
    },
    open() {
      if (!held) return;
      const lines = held;
      held = null;
      if (lines.length) write(lines.join(''));
    },
  };
}

/** Child pids of every process, from /proc (Linux); empty where /proc is not there. */
function processTree(): Map<number, number[]> {
  const tree = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return tree;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSyncFs(`/proc/${e}/stat`, 'utf8');
      // Fields after the command name, which may itself hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      tree.set(ppid, [...(tree.get(ppid) ?? []), Number(e)]);
    } catch {
      // gone meanwhile
    }
  }
  return tree;
}

/** Running (a zombie is not: it is only waiting to be reaped). */
function isAlive(pid: number): boolean {
  if (existsSync('/proc/self')) {
    try {
      const stat = readFileSyncFs(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals) {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** What a no-follow read takes without a limit of its own: more than any config file. */
const READ_LIMIT = 64 * 1024 * 1024;

/** Reads at most `max` bytes; one more means the file is too large (EFBIG). Works on devices and pipes, which have no size. */
function readBounded(path: string, max: number, noFollow = false): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOCTTY | (noFollow ? constants.O_NOFOLLOW : 0));
  try {
    const chunks: Buffer[] = [];
    let n = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(64 * 1024, max + 1 - n));
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) break;
      chunks.push(buf.subarray(0, got));
      n += got;
      if (n > max) throw Object.assign(new Error(`EFBIG: ${path} is larger than ${max} bytes`), { code: 'EFBIG', path });
    }
    return Buffer.concat(chunks, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

const quoteArg = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
export const commandLine = (cmd: string, args: readonly string[]) => [cmd, ...args].map(quoteArg).join(' ');

abstract class BaseExecutor implements Executor {
  abstract readonly dryRun: boolean;
  readonly actions: Action[] = [];
  private secrets: string[] = [];
  protected readonly running = new Set<{ kill(signal?: NodeJS.Signals): boolean; pid?: number }>();

  terminate(): void {
    for (const sub of this.running) sub.kill('SIGTERM');
  }

  async stopAll(graceMs: number): Promise<number> {
    // Everything our commands started, found before anything dies: a killed parent's children
    // are handed to init and could no longer be traced to it.
    const pids = new Set<number>();
    const collect = () => {
      const tree = processTree();
      const add = (pid: number) => {
        if (pids.has(pid) && !isAlive(pid)) return;
        pids.add(pid);
        for (const c of tree.get(pid) ?? []) add(c);
      };
      for (const sub of this.running) if (sub.pid) add(sub.pid);
      for (const pid of [...pids]) if (isAlive(pid)) add(pid);
    };
    collect();
    for (const pid of pids) signal(pid, 'SIGTERM');
    const end = Date.now() + graceMs;
    while (Date.now() < end) {
      collect();
      if (![...pids].some(isAlive)) return 0;
      await new Promise((r) => setTimeout(r, 50));
    }
    collect();
    const left = [...pids].filter(isAlive);
    for (const pid of left) signal(pid, 'SIGKILL');
    // SIGKILL cannot be refused; wait (briefly) until the kernel has them gone.
    for (let i = 0; i < 40 && left.some(isAlive); i++) await new Promise((r) => setTimeout(r, 25));
    return left.length;
  }

  constructor(protected sink: LogSink = () => {}) {}

  setLogSink(sink: LogSink): void {
    this.sink = sink;
  }

  addSecrets(values: readonly string[]): void {
    for (const v of values) if (v.length >= 6 && !this.secrets.includes(v)) this.secrets.push(v);
    // Longest first, so a secret containing another is masked whole.
    this.secrets.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('••••••');
    return out;
  }

  note(text: string): void {
    this.sink(`${this.dryRun ? '[dry-run] ' : ''}note: ${this.redact(text)}`);
  }

  async resolveName(name: string): Promise<NameAnswer> {
    const r = new Resolver({ timeout: 3000, tries: 2 });
    const [v4, v6] = await Promise.allSettled([r.resolve4(name), r.resolve6(name)]);
    const addresses = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
    const err = v4.status === 'rejected' ? (v4.reason as NodeJS.ErrnoException).code ?? String(v4.reason) : null;
    return { addresses, error: addresses.length ? null : err ?? 'ENODATA' };
  }

  protected record(a: Action): void {
    const clean = { ...a, summary: this.redact(a.summary), detail: a.detail && this.redact(a.detail), outcome: a.outcome && this.redact(a.outcome) };
    this.actions.push(clean);
    this.sink(`${this.dryRun ? '[dry-run] ' : ''}${clean.kind}: ${clean.summary}${clean.outcome ? ` → ${clean.outcome}` : ''}`);
  }

  async query(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
    return this.spawn(cmd, args, { check: false, ...opts });
  }

  protected async spawn(cmd: string, args: readonly string[], opts: RunOptions): Promise<CommandResult> {
    const sub = execa(cmd, args, {
      cwd: opts.cwd,
      env: opts.env,
      input: opts.input,
      timeout: opts.timeoutMs,
      reject: false,
      all: false,
      stripFinalNewline: false,
      // A child must not outlive us: it gets the signal when we are interrupted.
      cleanup: true,
      forceKillAfterDelay: 3000,
    });
    if (opts.onLine) {
      const onLine = opts.onLine;
      const wire = (stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr') => {
        let buf = '';
        stream?.on('data', (d: Buffer) => {
          buf += d.toString();
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            onLine(this.redact(buf.slice(0, i).replace(/\r$/, '')), name);
            buf = buf.slice(i + 1);
          }
        });
        stream?.on('end', () => buf && onLine(this.redact(buf), name));
      };
      wire(sub.stdout, 'stdout');
      wire(sub.stderr, 'stderr');
    }
    this.running.add(sub);
    const r = await sub.finally(() => this.running.delete(sub));
    const failedToStart = r.exitCode === undefined && !r.timedOut;
    const result: CommandResult = {
      exitCode: r.exitCode ?? (failedToStart ? 127 : 1),
      stdout: typeof r.stdout === 'string' ? r.stdout : '',
      stderr: typeof r.stderr === 'string' ? r.stderr : failedToStart ? String(r.message) : '',
      timedOut: Boolean(r.timedOut),
    };
    if (failedToStart && !result.stderr) result.stderr = String(r.message);
    if (opts.check && result.exitCode !== 0) throw new CommandError(commandLine(cmd, args), { ...result, stderr: this.redact(result.stderr) });
    return result;
  }

  async readFile(path: string, o: { maxBytes?: number; noFollow?: boolean } = {}): Promise<string | null> {
    try {
      if (o.maxBytes === undefined && !o.noFollow) return await readFile(path, 'utf8');
      return readBounded(path, o.maxBytes ?? READ_LIMIT, o.noFollow === true);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async exists(path: string): Promise<boolean> {
    try {
      await stat(path);
      return true;
    } catch {
      return false;
    }
  }

  async hashFile(path: string): Promise<{ bytes: number; sha256: string }> {
    const h = createHash('sha256');
    let bytes = 0;
    for await (const chunk of createReadStream(path)) {
      bytes += (chunk as Buffer).length;
      h.update(chunk as Buffer);
    }
    return { bytes, sha256: h.digest('hex') };
  }

  async fileMode(path: string): Promise<number | null> {
    try {
      return (await stat(path)).mode & 0o777;
    } catch {
      return null;
    }
  }

  async fileOwnership(path: string): Promise<FileOwnership | null> {
    let st;
    try {
      st = lstatSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    checkFolderChain(dirname(resolve(path)));
    const kind = st.isSymbolicLink() ? 'link' : st.isFile() ? 'file' : 'other';
    return { kind, uid: st.uid, mode: st.mode & 0o7777, euid: process.geteuid?.() ?? 0, owner: userName(st.uid) };
  }

  async listDir(path: string): Promise<string[]> {
    try {
      return (await readdir(path)).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw e;
    }
  }

  async unwritableReason(dir: string): Promise<string | null> {
    let p = dir;
    for (;;) {
      try {
        const s = await stat(p);
        if (!s.isDirectory()) return p === dir ? 'ENOTDIR' : `ENOTDIR (${p})`;
        await access(p, constants.W_OK);
        return null;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
        if (code !== 'ENOENT') return code;
        const parent = dirname(p);
        if (parent === p) return 'ENOENT';
        p = parent;
      }
    }
  }

  protected async outcomes(files: readonly WriteSpec[]): Promise<Map<string, WriteOutcome>> {
    const out = new Map<string, WriteOutcome>();
    for (const f of files) {
      // A link (or anything but a regular file) at the target is replaced, never read through.
      let st: ReturnType<typeof lstatSync> | null;
      try {
        st = lstatSync(f.path);
      } catch {
        st = null;
      }
      if (st && !st.isFile()) {
        out.set(f.path, 'changed');
        continue;
      }
      const old = st ? await readFile(f.path).catch(() => null) : null;
      const next = typeof f.content === 'string' ? Buffer.from(f.content) : Buffer.from(f.content);
      const mode = st ? st.mode & 0o777 : null;
      out.set(f.path, old === null ? 'created' : old.equals(next) && mode === f.mode ? 'unchanged' : 'changed');
    }
    return out;
  }

  pipeSummary(stages: readonly PipeStage[], opts: PipeOptions): string {
    const tee = opts.tee ? ` (tee: ${commandLine(opts.tee.cmd, opts.tee.args)})` : '';
    return `${opts.inputFile ? `< ${opts.inputFile} ` : ''}${stages.map((x) => commandLine(x.cmd, x.args)).join(' | ')}${opts.outputFile ? ` > ${opts.outputFile}` : ''}${tee}`;
  }

  protected async pipeSpawn(stagesIn: readonly PipeStage[], opts: PipeOptions): Promise<PipeResult> {
    if (stagesIn.length === 0) throw new Error('pipe: no stages');
    if (opts.tee && stagesIn.length < 2) throw new Error('pipe: a tee needs a second stage');
    // The output's folder is checked and the file opened (without following a link at its name) before anything runs.
    let outFd: number | null = null;
    if (opts.outputFile) {
      checkFolderChain(dirname(resolve(opts.outputFile)));
      outFd = openTruncNoFollow(opts.outputFile, opts.outputMode ?? 0o600);
    }
    // The tee is spawned as one more program; it is fed from the first link, not in the chain.
    const stages = opts.tee ? [...stagesIn, opts.tee] : stagesIn;
    const chain = stagesIn.length;
    const children: ChildProcess[] = [];
    const stderr: string[] = stages.map(() => '');
    const handles = stages.map((st) => {
      const child = spawn(st.cmd, [...st.args], {
        env: st.env ? { ...process.env, ...st.env } : process.env,
        stdio: st.fd3 !== undefined ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
      });
      children.push(child);
      const handle = { kill: (sig?: NodeJS.Signals) => child.kill(sig), pid: child.pid };
      this.running.add(handle);
      return { child, handle };
    });
    let failed = false;
    const killAll = () => {
      failed = true;
      for (const c of children) {
        if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
        // A stream paused for back-pressure never ends otherwise: drain it (its data goes nowhere now).
        c.stdout?.resume();
      }
    };
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) timer = setTimeout(killAll, opts.timeoutMs);
    let bytesIn = 0;
    let bytesOut = 0;
    const hashIn = opts.inputFile ? createHash('sha256') : null;
    const hashOut = createHash('sha256');
    const collected: Buffer[] = [];
    const report = () => opts.onProgress?.(bytesIn, bytesOut);
    let lastReport = 0;
    const maybeReport = () => {
      const now = Date.now();
      if (now - lastReport >= 250) {
        lastReport = now;
        report();
      }
    };
    stages.forEach((st, i) => {
      const c = children[i]!;
      c.stderr!.on('data', (d: Buffer) => {
        // Keep the tail only: a chatty program must not fill memory.
        stderr[i] = (stderr[i]! + d.toString()).slice(-8192);
      });
      c.stdin!.on('error', () => {}); // EPIPE when the program ends early: its exit code tells.
      if (st.fd3 !== undefined) {
        const fd3 = c.stdio[3] as NodeJS.WritableStream;
        fd3.on('error', () => {});
        fd3.end(`${st.fd3}\n`);
      }
    });
    // Input: a file, or nothing.
    const first = children[0]!;
    if (opts.inputFile) {
      const rs = createReadStream(opts.inputFile);
      rs.on('data', (d) => {
        if (failed) {
          rs.destroy();
          return;
        }
        const b = d as Buffer;
        bytesIn += b.length;
        hashIn!.update(b);
        maybeReport();
        if (!first.stdin!.write(b)) {
          rs.pause();
          first.stdin!.once('drain', () => rs.resume());
        }
      });
      rs.on('end', () => first.stdin!.end());
      rs.on('error', (e) => {
        stderr[0] += `\nreading ${opts.inputFile}: ${e.message}`;
        killAll();
      });
    } else {
      first.stdin!.end();
    }
    const teeChild = opts.tee ? children[chain]! : null;
    // What the tee writes goes nowhere.
    teeChild?.stdout!.resume();
    // Links between programs: through us, so the first link can be counted, tapped and teed.
    for (let i = 0; i < chain - 1; i++) {
      const from = children[i]!;
      const to = children[i + 1]!;
      from.stdout!.on('data', (b: Buffer) => {
        if (failed) return;
        if (i === 0 && !opts.inputFile) {
          bytesIn += b.length;
          opts.tap?.(b);
          maybeReport();
        } else if (i === 0) opts.tap?.(b);
        const readers = i === 0 && teeChild ? [to, teeChild] : [to];
        let waiting = 0;
        for (const r of readers) {
          if (!r.stdin!.write(b)) {
            waiting++;
            r.stdin!.once('drain', () => {
              if (--waiting === 0) from.stdout!.resume();
            });
          }
        }
        if (waiting > 0) from.stdout!.pause();
      });
      from.stdout!.on('end', () => {
        to.stdin!.end();
        if (i === 0) teeChild?.stdin!.end();
      });
    }
    // Output: a file (hashed as written) or collected.
    const last = children[chain - 1]!;
    let ws: ReturnType<typeof createWriteStream> | null = null;
    const written = new Promise<void>((resolve, reject) => {
      if (opts.outputFile) {
        ws = createWriteStream(opts.outputFile, { fd: outFd! });
        ws.on('error', (e) => {
          killAll();
          reject(e);
        });
        ws.on('finish', () => resolve());
      }
      last.stdout!.on('data', (b: Buffer) => {
        if (failed) return;
        if (chain === 1 && !opts.inputFile) {
          bytesIn += b.length;
          opts.tap?.(b);
        }
        bytesOut += b.length;
        hashOut.update(b);
        maybeReport();
        if (ws) {
          if (!ws.write(b)) {
            last.stdout!.pause();
            ws.once('drain', () => last.stdout!.resume());
          }
        } else collected.push(b);
      });
      last.stdout!.on('end', () => {
        if (ws) ws.end();
        else resolve();
      });
    });
    const exits = children.map(
      (c) =>
        new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
          c.on('error', (e) => resolve({ code: 127, signal: null, error: e }));
          // 'exit', not 'close': a killed program's unread output must not keep us waiting.
          c.on('exit', (code, signal) => resolve({ code, signal }));
        }),
    );
    // A program that fails ends the others (they would wait for input or output forever).
    exits.forEach((p) => p.then((r) => r.code !== 0 && killAll()));
    const results = await Promise.all(exits);
    await written.catch((e: Error) => {
      stderr[chain - 1] += `\nwriting ${opts.outputFile}: ${e.message}`;
      results[chain - 1] = { code: 1, signal: null };
    });
    if (timer) clearTimeout(timer);
    for (const h of handles) this.running.delete(h.handle);
    report();
    const redacted = stderr.map((x) => this.redact(x));
    // The culprit: the first program that failed on its own (not one ended by SIGPIPE or by us).
    const culprit = results.findIndex((r) => r.code !== 0 && r.signal !== 'SIGPIPE' && r.signal !== 'SIGTERM');
    const anyFailed = results.findIndex((r) => r.code !== 0);
    const bad = culprit >= 0 ? culprit : anyFailed;
    if (bad >= 0) {
      const r = results[bad]!;
      const st = stages[bad]!;
      const msg = r.error ? r.error.message : redacted[bad]!;
      throw new CommandError(commandLine(st.cmd, st.args), { exitCode: r.code ?? 128, stdout: '', stderr: msg || (r.signal ? `killed by ${r.signal}` : ''), timedOut: false });
    }
    return {
      bytesIn,
      bytesOut,
      sha256In: hashIn ? hashIn.digest('hex') : null,
      sha256Out: hashOut.digest('hex'),
      stdout: Buffer.concat(collected).toString('utf8'),
      stderr: redacted,
    };
  }

  abstract pipe(stages: readonly PipeStage[], opts?: PipeOptions): Promise<PipeResult>;
  abstract run(cmd: string, args: readonly string[], opts?: RunOptions): Promise<CommandResult>;
  abstract writeFiles(files: readonly WriteSpec[]): Promise<Map<string, WriteOutcome>>;
  abstract mkdir(path: string, mode?: number): Promise<void>;
  abstract lock(path: string, holder: string): Promise<LockResult>;
  abstract remove(path: string): Promise<void>;
  abstract effect<T>(kind: ActionKind, summary: string, fn: () => Promise<T>, dryValue: T): Promise<T>;
}

/** Holds SIGINT/SIGTERM/SIGHUP while `fn` runs (synchronously), then delivers any that came. */
export function withSignalsHeld<T>(fn: () => T): T {
  const pending: NodeJS.Signals[] = [];
  const hold = (s: NodeJS.Signals) => pending.push(s);
  const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of sigs) process.on(s, hold);
  try {
    return fn();
  } finally {
    for (const s of sigs) process.off(s, hold);
    const first = pending[0];
    if (first) process.kill(process.pid, first);
  }
}

/**
 * Creates `path` and its missing parents (`mode` for `path`, 0755 for parents, whatever the umask)
 * after checking every existing folder on the way (./safe-fs.ts). Not mkdirSync({ recursive }):
 * where mkdir answers ENOENT under a folder that exists (/proc, /sys) Node's recursive mkdir
 * retries forever. Appends what it created to `created`, outermost first.
 */
export function makeDirs(path: string, mode: number, created: string[]): void {
  safeMakeDirs(path, mode, created);
}

/** Removes folders a failed write created, innermost first; one that is not empty (someone else's files) stays. */
function removeEmptyDirs(created: readonly string[]): void {
  for (const d of [...created].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      // Not empty or already gone: leave it.
    }
  }
}

function syncDirs(dirs: readonly string[]): void {
  for (const d of new Set(dirs)) {
    try {
      const fd = openSync(d, constants.O_RDONLY | constants.O_DIRECTORY);
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch {
      // Some filesystems refuse fsync on a folder (EINVAL); the files are in place already.
    }
  }
}

export class RealExecutor extends BaseExecutor {
  readonly dryRun = false;

  async pipe(stages: readonly PipeStage[], opts: PipeOptions = {}): Promise<PipeResult> {
    const line = this.pipeSummary(stages, opts);
    try {
      const r = await this.pipeSpawn(stages, opts);
      this.record({ kind: 'run', summary: line, outcome: `ok, ${r.bytesIn} bytes in, ${r.bytesOut} out` });
      return r;
    } catch (e) {
      this.record({ kind: 'run', summary: line, outcome: `failed: ${e instanceof Error ? e.message : String(e)}` });
      throw e;
    }
  }

  async run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
    const line = commandLine(cmd, args);
    const r = await this.spawn(cmd, args, { check: true, ...opts }).catch((e: unknown) => {
      if (e instanceof CommandError) {
        const tail = e.result.stderr.trim().split('\n').slice(-3).join(' | ');
        this.record({ kind: 'run', summary: line, outcome: `exit ${e.result.exitCode}${e.result.timedOut ? ' (timed out)' : ''}${tail ? `: ${tail}` : ''}` });
      }
      throw e;
    });
    this.record({ kind: 'run', summary: line, outcome: `exit ${r.exitCode}` });
    return r;
  }

  async writeFiles(files: readonly WriteSpec[]): Promise<Map<string, WriteOutcome>> {
    const outcomes = await this.outcomes(files);
    const todo = files.filter((f) => outcomes.get(f.path) !== 'unchanged');
    const staged: { tmp: string; path: string }[] = [];
    const createdDirs: string[] = [];
    // Every folder on the way, for every file, before anything is created: an unsafe one refuses the whole set.
    for (const d of new Set(todo.map((f) => dirname(resolve(f.path))))) checkFolderChain(d);
    try {
      for (const f of todo) {
        makeDirs(dirname(f.path), 0o755, createdDirs);
        // A new file under a name nobody can guess, never through a link (O_EXCL|O_NOFOLLOW), in a
        // folder just checked to be root's. Created no more open than its final mode (the umask
        // can only narrow it), so a secret is never readable by others, even for a moment; then
        // set exactly, whatever the umask.
        const tmp = tempNameFor(f.path);
        const fd = createExclusive(tmp, f.mode);
        staged.push({ tmp, path: f.path });
        try {
          fchmodSync(fd, f.mode);
          writeSync(fd, typeof f.content === 'string' ? Buffer.from(f.content) : f.content);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      }
    } catch (e) {
      for (const s of staged) rmSync(s.tmp, { force: true });
      removeEmptyDirs(createdDirs);
      throw e;
    }
    withSignalsHeld(() => {
      for (const s of staged) renameSync(s.tmp, s.path);
    });
    // A rename is durable only once its folder is: without this a power cut can bring back the old names.
    syncDirs([...staged.map((s) => dirname(s.path)), ...createdDirs.map((d) => dirname(d))]);
    for (const f of files) {
      const o = outcomes.get(f.path)!;
      if (o !== 'unchanged') this.record({ kind: 'write', summary: f.path, outcome: o });
    }
    return outcomes;
  }

  async lock(path: string, holder: string): Promise<LockResult> {
    makeDirs(dirname(resolve(path)), 0o755, []);
    // The lock lives on the file's inode: it is never replaced or removed, only emptied on release.
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    let held = false;
    let previous: string;
    try {
      fchmodSync(fd, 0o600);
      // flock(1) on our descriptor (the shell's `flock -n 9` idiom): the lock belongs to the open
      // file, which stays ours after flock exits. util-linux, essential on Debian and Ubuntu.
      const code = await new Promise<number>((done, fail) => {
        const c = spawn('flock', ['--nonblock', '--conflict-exit-code', '75', '3'], { stdio: ['ignore', 'ignore', 'pipe', fd] });
        let err = '';
        c.stderr!.on('data', (d: Buffer) => void (err += d.toString()));
        c.on('error', fail);
        c.on('exit', (n) => (n === 0 || n === 75 ? done(n) : fail(new Error(`flock exited ${n}: ${err.trim()}`))));
      });
      if (code === 75) {
        // The holder names itself right after it took the lock: give it that moment.
        let text = readFileSyncFs(path, 'utf8');
        for (let i = 0; i < 10 && !text; i++) {
          await new Promise((r) => setTimeout(r, 20));
          text = readFileSyncFs(path, 'utf8');
        }
        return { heldBy: text };
      }
      held = true;
      previous = readFileSyncFs(path, 'utf8');
      ftruncateSync(fd, 0);
      writeSync(fd, holder, 0);
      fsyncSync(fd);
    } finally {
      if (!held) closeSync(fd);
    }
    this.record({ kind: 'write', summary: `${path} (lock)`, outcome: 'taken' });
    let released = false;
    return {
      previous,
      // `leave`: the text the file keeps (default: emptied).
      release: async (leave = '') => {
        if (released) return;
        released = true;
        ftruncateSync(fd, 0);
        if (leave) writeSync(fd, leave, 0);
        // Closing the last descriptor of the open file drops the lock.
        closeSync(fd);
        this.record({ kind: 'write', summary: `${path} (lock)`, outcome: 'released' });
      },
    };
  }

  async mkdir(path: string, mode = 0o755): Promise<void> {
    // Logged only when it created something (the first folder it made), like the dry run.
    const created: string[] = [];
    makeDirs(path, mode, created);
    if (created.length) this.record({ kind: 'mkdir', summary: path, ...(created[0] !== resolve(path) ? { outcome: `created from ${created[0]}` } : {}) });
  }

  async remove(path: string): Promise<void> {
    // The name itself is removed (a link, not what it points to). The folders above it must be
    // safe; the one holding it may be another user's (a volume's folder, owned by its service):
    // unlink never follows the name, and a folder goes with GNU rm, which walks by descriptors and
    // never follows a link, so nothing swapped in meanwhile leads it outside.
    checkFolderChain(dirname(resolve(path)), { lastMayBeForeign: true });
    try {
      unlinkSync(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EISDIR' || code === 'EPERM') {
        const r = await execa('rm', ['-rf', '--one-file-system', '--', path], { reject: false });
        if (r.exitCode !== 0) throw new CommandError(commandLine('rm', ['-rf', '--one-file-system', '--', path]), { exitCode: r.exitCode ?? 1, stdout: '', stderr: String(r.stderr), timedOut: false });
      } else if (code !== 'ENOENT') throw e;
    }
    this.record({ kind: 'remove', summary: path });
  }

  async effect<T>(kind: ActionKind, summary: string, fn: () => Promise<T>): Promise<T> {
    let v: T;
    try {
      v = await fn();
    } catch (e) {
      this.record({ kind, summary, outcome: `failed: ${e instanceof Error ? e.message : String(e)}` });
      throw e;
    }
    this.record({ kind, summary });
    return v;
  }
}

export class DryRunExecutor extends BaseExecutor {
  readonly dryRun = true;

  async pipe(stages: readonly PipeStage[], opts: PipeOptions = {}): Promise<PipeResult> {
    this.record({ kind: 'run', summary: this.pipeSummary(stages, opts) });
    return { bytesIn: 0, bytesOut: 0, sha256In: null, sha256Out: createHash('sha256').digest('hex'), stdout: '', stderr: stages.map(() => '') };
  }

  async run(cmd: string, args: readonly string[]): Promise<CommandResult> {
    this.record({ kind: 'run', summary: commandLine(cmd, args) });
    return { exitCode: 0, stdout: '', stderr: '', timedOut: false };
  }

  async writeFiles(files: readonly WriteSpec[]): Promise<Map<string, WriteOutcome>> {
    const outcomes = await this.outcomes(files);
    // The preview refuses an unsafe folder as the real run would (the check only reads).
    for (const d of new Set(files.map((f) => dirname(resolve(f.path))))) checkFolderChain(d);
    for (const f of files) {
      const o = outcomes.get(f.path)!;
      if (o !== 'unchanged') this.record({ kind: 'write', summary: f.path, outcome: o });
    }
    return outcomes;
  }

  async mkdir(path: string): Promise<void> {
    if (!(await this.exists(path))) this.record({ kind: 'mkdir', summary: path });
  }

  async lock(): Promise<LockResult> {
    return { release: async () => {}, previous: '' };
  }

  async remove(path: string): Promise<void> {
    if (await this.exists(path)) this.record({ kind: 'remove', summary: path });
  }

  async effect<T>(kind: ActionKind, summary: string, _fn: () => Promise<T>, dryValue: T): Promise<T> {
    this.record({ kind, summary });
    return dryValue;
  }
}
