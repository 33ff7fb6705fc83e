// Running programs from tests, for every suite: the async runner (servers, containers, anything
// long), its blocking twin for quick commands, polling with a bound, and a free loopback port.
// One result shape everywhere: { exitCode, stdout, stderr }.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunOptions {
  input?: string | Buffer;
  timeoutMs?: number;
  /** Resolve with the result instead of throwing when the exit code is not 0. */
  allowFail?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export class CommandError extends Error {
  constructor(
    readonly command: string[],
    readonly result: ExecResult,
  ) {
    const tail = (s: string) => s.trim().split('\n').slice(-20).join('\n');
    super(`command failed (exit ${result.exitCode}): ${command.join(' ')}\n${tail(result.stderr) || tail(result.stdout)}`);
  }
}

/** Runs a program (no shell), collecting its output, without blocking the event loop. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: opts.cwd, env: opts.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const result: ExecResult = {
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (timedOut ? `\n[killed after ${opts.timeoutMs} ms]` : ''),
        exitCode: code ?? (signal ? 128 : 1),
      };
      if (result.exitCode !== 0 && !opts.allowFail) reject(new CommandError([cmd, ...args], result));
      else resolve(result);
    });
    child.stdin.on('error', () => {}); // the program may exit without reading its input
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * The same, blocking, for quick commands in test bodies: `argv` is the program and its arguments.
 * Never throws for an exit code (check `exitCode`); only when the program cannot be started at all.
 */
export function runSync(argv: readonly string[], opts: Omit<RunOptions, 'allowFail'> = {}): ExecResult {
  const [cmd, ...args] = argv;
  const r = spawnSync(cmd!, args, { encoding: 'utf8', input: opts.input, timeout: opts.timeoutMs ?? 60_000, cwd: opts.cwd, env: opts.env, maxBuffer: 256 << 20 });
  if (r.error && (r.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw r.error;
  return { exitCode: r.status ?? 128, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? `\n[killed after ${opts.timeoutMs ?? 60_000} ms]` : '') };
}

/** A quick command's stdout; throws (with its stderr) when it fails. */
export function output(argv: readonly string[], opts: Omit<RunOptions, 'allowFail'> = {}): string {
  const r = runSync(argv, opts);
  if (r.exitCode !== 0) throw new CommandError([...argv], r);
  return r.stdout;
}

/** Thrown by a probe to stop waiting at once (the server died): no use polling on. */
export class Stop extends Error {}

/** Polls `probe` until it returns a value other than undefined/false; throws after timeoutMs (or at once on Stop). */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 60_000, intervalMs = 250 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      if (e instanceof Stop) throw e;
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A loopback port that was free a moment ago (bound, then released): nothing listens there. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
