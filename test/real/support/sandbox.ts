// Helpers for tests that run real servers: Debian chroots for versions this machine lacks, and
// private network namespaces so servers listen on their real ports (80, 443, 6379) on a loopback
// nobody else shares. Every process started here is tracked and killed by its own pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { run, runSync, type ExecResult } from '../../support/proc.js';

export { Stop, waitFor } from '../../support/proc.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** One package set per suite, so every test shares one cached chroot per suite. */
export const CHROOT_PACKAGES = {
  // Debian 12's redis 7.0 here too, so redis.conf runs unchanged with its `dir /data` inside the chroot.
  bookworm: ['nginx', 'redis-server'],
  trixie: ['nginx', 'mariadb-server', 'redis-server', 'valkey-server'],
  // nginx 1.30 (the stable line with `resolve` on upstream servers), MySQL 9.7 (no Debian suite
  // packages 8.4) and Valkey 9.1: only sid has them.
  sid: ['nginx', 'passwd', 'mysql-server', 'valkey-server'],
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
  run(argv: string[], opts: { input?: string; timeoutMs?: number } = {}): ExecResult {
    return runSync(this.nsArgv(argv), opts);
  }

  /** Runs a command inside the namespace without blocking the event loop (for clients of servers we also run). */
  runAsync(argv: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    const [cmd, ...args] = this.nsArgv(argv);
    return run(cmd!, args, { ...opts, allowFail: true });
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
