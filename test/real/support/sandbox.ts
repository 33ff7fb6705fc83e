// Helpers for tests that run real servers: Debian chroots for versions this machine lacks, and
// private network namespaces so servers listen on their real ports (80, 443, 6379) on a loopback
// nobody else shares. Every process started here is tracked and killed by its own pid.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** One package set per suite, so every test shares one cached chroot per suite. */
export const CHROOT_PACKAGES = {
  bookworm: ['nginx'],
  trixie: ['nginx', 'mariadb-server', 'redis-server'],
} as const;

const chroots = new Map<string, Promise<string>>();

/** The cached Debian chroot of a suite (test/provision/debian-chroot.sh builds it on first use, ~30 s). */
export function debianChroot(suite: keyof typeof CHROOT_PACKAGES): Promise<string> {
  let p = chroots.get(suite);
  if (!p) {
    p = new Promise<string>((resolve, reject) => {
      const c = spawn('bash', [join(ROOT, 'test/provision/debian-chroot.sh'), suite, ...CHROOT_PACKAGES[suite]], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      c.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      c.stderr!.on('data', (b: Buffer) => (err += b.toString()));
      c.on('error', reject);
      c.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`debian-chroot.sh ${suite} failed (${code}): ${err.slice(-2000)}`))));
    });
    chroots.set(suite, p);
  }
  return p;
}

export interface Run { status: number | null; stdout: string; stderr: string }
const asRun = (r: SpawnSyncReturns<string>): Run => ({ status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' });

export function run(argv: string[], opts: { input?: string; timeout?: number; env?: NodeJS.ProcessEnv } = {}): Run {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', input: opts.input, timeout: opts.timeout ?? 60_000, env: opts.env ?? process.env });
  if (r.error) throw r.error;
  return asRun(r);
}

/** A network namespace with only `lo` (up), held open by one sleeping process. */
export class NetNs {
  private holder: ChildProcess | null = null;
  private children: ChildProcess[] = [];

  async start(): Promise<this> {
    this.holder = spawn('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && echo up && exec sleep 86400'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const h = this.holder;
    await new Promise<void>((resolve, reject) => {
      let err = '';
      h.stderr!.on('data', (b: Buffer) => (err += b.toString()));
      h.stdout!.once('data', () => resolve());
      h.once('exit', (code) => reject(new Error(`network namespace did not start (exit ${code}): ${err}`)));
    });
    return this;
  }

  get pid(): number {
    if (!this.holder?.pid) throw new Error('namespace not started');
    return this.holder.pid;
  }

  private nsArgv(argv: string[]): string[] {
    return ['nsenter', '-t', String(this.pid), '-n', '--', ...argv];
  }

  /** Runs a command inside the namespace and waits for it. */
  run(argv: string[], opts: { input?: string; timeout?: number } = {}): Run {
    return run(this.nsArgv(argv), opts);
  }

  /** Runs a command inside the namespace without blocking the event loop (for clients of servers we also run). */
  runAsync(argv: string[], opts: { input?: string; timeout?: number } = {}): Promise<Run> {
    const [cmd, ...args] = this.nsArgv(argv);
    return new Promise((resolve, reject) => {
      const p = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeout ?? 60_000);
      p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      p.on('error', reject);
      p.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
      p.stdin.end(opts.input ?? '');
    });
  }

  /** Starts a long-running process inside the namespace; it is killed by stop(). */
  spawn(argv: string[]): ChildProcess & { output: () => string } {
    const [cmd, ...args] = this.nsArgv(argv);
    const p = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    this.children.push(p);
    return Object.assign(p, { output: () => out });
  }

  /** Kills what it started, newest first, then the namespace's holder. */
  async stop(): Promise<void> {
    for (const p of [...this.children].reverse()) await killAndWait(p);
    this.children = [];
    if (this.holder) await killAndWait(this.holder);
    this.holder = null;
  }
}

export async function killAndWait(p: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      p.kill('SIGKILL');
    }, 10_000);
    p.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    p.kill(signal);
  });
}

/** Thrown by a check to stop waiting at once (the server died). */
export class Stop extends Error {}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      if (e instanceof Stop) throw e;
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
