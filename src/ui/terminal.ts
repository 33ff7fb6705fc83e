// Finding a terminal for the wizard, without loading React or Ink. `curl … | bash` leaves stdin
// a pipe while a terminal is still there: /dev/tty reaches it. With no controlling terminal
// (CI, cron, setsid) opening /dev/tty fails at once, and the caller fails fast naming the flags.
import { closeSync, openSync } from 'node:fs';
import tty from 'node:tty';
import type { Executor } from '../exec/executor.js';

export interface Terminal {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  /** Whether /dev/tty was opened (stdin or stdout was not a terminal). */
  viaDevTty: boolean;
  close(): void;
}

export function openTerminal(stdin: NodeJS.ReadStream = process.stdin, stdout: NodeJS.WriteStream = process.stdout, device = '/dev/tty'): Terminal | null {
  if (stdin.isTTY && stdout.isTTY) return { stdin, stdout, viaDevTty: false, close() {} };
  const fds: number[] = [];
  try {
    const open = (flags: 'r' | 'w') => {
      const fd = openSync(device, flags);
      fds.push(fd);
      if (!tty.isatty(fd)) throw new Error(`${device} is not a terminal`);
      return fd;
    };
    const input = stdin.isTTY ? stdin : (new tty.ReadStream(open('r')) as NodeJS.ReadStream);
    const output = stdout.isTTY ? stdout : (new tty.WriteStream(open('w')) as NodeJS.WriteStream);
    return {
      stdin: input,
      stdout: output,
      viaDevTty: true,
      close() {
        if (input !== stdin) input.destroy();
        if (output !== stdout) output.destroy();
      },
    };
  } catch {
    for (const fd of fds) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
    return null;
  }
}

/**
 * Ink renders only the last frame when it believes it runs in CI (is-in-ci reads CI when Ink is
 * first imported). With a real terminal the operator must see every frame, so CI is hidden while
 * the UI code loads and put back at once (children still see it).
 */
export async function withoutCiEnv<T>(load: () => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const keys = ['CI', 'CONTINUOUS_INTEGRATION'] as const;
  const saved = keys.map((k) => [k, env[k]] as const);
  for (const k of keys) delete env[k];
  try {
    return await load();
  } finally {
    for (const [k, v] of saved) if (v !== undefined) env[k] = v;
  }
}

/**
 * How long commands get to end after SIGTERM before SIGKILL: apt-get, dpkg and compose finish
 * their current write and exit within a second or two; 3 s is also execa's own force-kill delay.
 */
export const CHILD_GRACE_MS = 3000;

/**
 * After an interrupt: every command still running (and what it started) gets SIGTERM, then
 * SIGKILL after the grace, and only then the process exits. Another Ctrl-C while waiting kills
 * them at once instead of leaving them behind.
 */
export function exitAfterChildren(exec: Pick<Executor, 'stopAll'>, code: number, hardExit: (code: number) => void, graceMs = CHILD_GRACE_MS): void {
  const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const hurry = () => void exec.stopAll(0);
  for (const s of sigs) process.on(s, hurry);
  void exec
    .stopAll(graceMs)
    .catch(() => 0)
    .finally(() => {
      for (const s of sigs) process.off(s, hurry);
      hardExit(code);
    });
}
