// The Executor: the only way code changes the host. The real one acts; the dry-run twin records
// what it would do and changes nothing. Reads (`query`, `readFile`) run in both, since previews
// and preflight need the truth. Every action is logged with secrets redacted.
import { closeSync, constants, fsyncSync, mkdirSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { access, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

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

export type ActionKind = 'run' | 'write' | 'mkdir' | 'remove' | 'rename' | 'docker';
export interface Action { kind: ActionKind; summary: string; detail?: string; outcome?: string }

export interface WriteSpec { path: string; content: string | Uint8Array; mode: number }
export type WriteOutcome = 'created' | 'changed' | 'unchanged';

export interface Executor {
  readonly dryRun: boolean;
  /** A command that changes the host. In dry-run it is recorded and reported as succeeded. */
  run(cmd: string, args: readonly string[], opts?: RunOptions): Promise<CommandResult>;
  /** A read-only command (probes, status); runs in dry-run too. */
  query(cmd: string, args: readonly string[], opts?: RunOptions): Promise<CommandResult>;
  readFile(path: string): Promise<string | null>;
  exists(path: string): Promise<boolean>;
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
  /** Records an effect done through another client (dockerode); `fn` is skipped in dry-run. */
  effect<T>(kind: ActionKind, summary: string, fn: () => Promise<T>, dryValue: T): Promise<T>;
  readonly actions: readonly Action[];
  /**
   * Sends SIGTERM to every command still running: an interrupted run (Ctrl-C) ends them before it
   * exits. execa's own exit hook is not enough: Ink's older signal-exit unhooks it on unmount.
   */
  terminate(): void;
  /** Adds values that must never appear in logs or action summaries. */
  addSecrets(values: readonly string[]): void;
  redact(text: string): string;
}

export class CommandError extends Error {
  constructor(readonly cmd: string, readonly result: CommandResult) {
    super(`${cmd} exited ${result.exitCode}${result.timedOut ? ' (timed out)' : ''}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    this.name = 'CommandError';
  }
}

export type LogSink = (line: string) => void;

const quoteArg = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
export const commandLine = (cmd: string, args: readonly string[]) => [cmd, ...args].map(quoteArg).join(' ');

abstract class BaseExecutor implements Executor {
  abstract readonly dryRun: boolean;
  readonly actions: Action[] = [];
  private secrets: string[] = [];
  private readonly running = new Set<{ kill(signal?: NodeJS.Signals): boolean }>();

  terminate(): void {
    for (const sub of this.running) sub.kill('SIGTERM');
  }
  constructor(protected readonly sink: LogSink = () => {}) {}

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

  protected record(a: Action): void {
    const clean = { ...a, summary: this.redact(a.summary), detail: a.detail && this.redact(a.detail) };
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
            onLine(this.redact(buf.slice(0, i)), name);
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

  async readFile(path: string): Promise<string | null> {
    try {
      return await readFile(path, 'utf8');
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
      const old = await readFile(f.path).catch(() => null);
      const next = typeof f.content === 'string' ? Buffer.from(f.content) : Buffer.from(f.content);
      let mode: number | null = null;
      if (old) mode = (await stat(f.path)).mode & 0o777;
      out.set(f.path, old === null ? 'created' : old.equals(next) && mode === f.mode ? 'unchanged' : 'changed');
    }
    return out;
  }

  abstract run(cmd: string, args: readonly string[], opts?: RunOptions): Promise<CommandResult>;
  abstract writeFiles(files: readonly WriteSpec[]): Promise<Map<string, WriteOutcome>>;
  abstract mkdir(path: string, mode?: number): Promise<void>;
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

export class RealExecutor extends BaseExecutor {
  readonly dryRun = false;

  async run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
    const line = commandLine(cmd, args);
    const r = await this.spawn(cmd, args, { check: true, ...opts }).catch((e: unknown) => {
      if (e instanceof CommandError) this.record({ kind: 'run', summary: line, outcome: `exit ${e.result.exitCode}` });
      throw e;
    });
    this.record({ kind: 'run', summary: line, outcome: `exit ${r.exitCode}` });
    return r;
  }

  async writeFiles(files: readonly WriteSpec[]): Promise<Map<string, WriteOutcome>> {
    const outcomes = await this.outcomes(files);
    const todo = files.filter((f) => outcomes.get(f.path) !== 'unchanged');
    const staged: { tmp: string; path: string }[] = [];
    try {
      for (const f of todo) {
        mkdirSync(dirname(f.path), { recursive: true });
        const tmp = join(dirname(f.path), `.${f.path.split('/').pop()}.sw-${process.pid}.tmp`);
        // Created with its final mode, so a secret is never readable by others, even for a moment.
        const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, f.mode);
        try {
          writeSync(fd, typeof f.content === 'string' ? Buffer.from(f.content) : f.content);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        staged.push({ tmp, path: f.path });
      }
    } catch (e) {
      for (const s of staged) rmSync(s.tmp, { force: true });
      throw e;
    }
    withSignalsHeld(() => {
      for (const s of staged) renameSync(s.tmp, s.path);
    });
    for (const f of files) {
      const o = outcomes.get(f.path)!;
      if (o !== 'unchanged') this.record({ kind: 'write', summary: f.path, outcome: o });
    }
    return outcomes;
  }

  async mkdir(path: string, mode = 0o755): Promise<void> {
    mkdirSync(path, { recursive: true, mode });
  }

  async remove(path: string): Promise<void> {
    try {
      unlinkSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EISDIR' || (e as NodeJS.ErrnoException).code === 'EPERM') rmSync(path, { recursive: true, force: true });
      else if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    this.record({ kind: 'remove', summary: path });
  }

  async effect<T>(kind: ActionKind, summary: string, fn: () => Promise<T>): Promise<T> {
    const v = await fn();
    this.record({ kind, summary });
    return v;
  }
}

export class DryRunExecutor extends BaseExecutor {
  readonly dryRun = true;

  async run(cmd: string, args: readonly string[]): Promise<CommandResult> {
    this.record({ kind: 'run', summary: commandLine(cmd, args) });
    return { exitCode: 0, stdout: '', stderr: '', timedOut: false };
  }

  async writeFiles(files: readonly WriteSpec[]): Promise<Map<string, WriteOutcome>> {
    const outcomes = await this.outcomes(files);
    for (const f of files) {
      const o = outcomes.get(f.path)!;
      if (o !== 'unchanged') this.record({ kind: 'write', summary: f.path, outcome: o });
    }
    return outcomes;
  }

  async mkdir(path: string): Promise<void> {
    if (!(await this.exists(path))) this.record({ kind: 'mkdir', summary: path });
  }

  async remove(path: string): Promise<void> {
    if (await this.exists(path)) this.record({ kind: 'remove', summary: path });
  }

  async effect<T>(kind: ActionKind, summary: string, _fn: () => Promise<T>, dryValue: T): Promise<T> {
    this.record({ kind, summary });
    return dryValue;
  }
}
