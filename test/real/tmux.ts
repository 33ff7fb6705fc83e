// Drives a program in a real terminal: a tmux pane of a private tmux server (its own socket, no
// config), keys sent with send-keys, the screen read with capture-pane.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;

function newestMtime(dir: string): number {
  let m = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    m = Math.max(m, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return m;
}

/** The built bundle, rebuilt when a source is newer; copied where any user can run it. */
export function builtPackage(): { dir: string; bin: string } {
  const bundle = join(ROOT, 'dist/stack-wizard.js');
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < Math.max(newestMtime(join(ROOT, 'src')), newestMtime(join(ROOT, 'presets')))) {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  }
  const dir = mkdtempSync(join(tmpdir(), 'sw-pkg-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist'));
  cpSync(join(ROOT, 'bin/stack-wizard.js'), join(dir, 'bin/stack-wizard.js'));
  cpSync(bundle, join(dir, 'dist/stack-wizard.js'));
  for (const p of [dir, join(dir, 'bin'), join(dir, 'dist')]) chmodSync(p, 0o755);
  return { dir, bin: join(dir, 'bin/stack-wizard.js') };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Pane {
  private readonly socket = `sw-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly target = 'w:0.0';

  /** `exitFile`: where the pane's command writes the program's exit status (the pane stays open). */
  constructor(private readonly exitFile?: string, private readonly width = 120, private readonly height = 45) {}

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** Runs `command` (a shell line) in a new pane; the pane stays after it ends so its exit can be read. */
  start(command: string) {
    this.tmux('new-session', '-d', '-s', 'w', '-x', String(this.width), '-y', String(this.height), command);
    this.tmux('set-option', '-t', 'w', 'remain-on-exit', 'on');
  }

  /** Key names as tmux knows them (Enter, Escape, Down, C-c, BSpace …). */
  async keys(...keys: string[]) {
    for (const k of keys) {
      this.tmux('send-keys', '-t', this.target, k);
      await sleep(120);
    }
  }

  async type(text: string) {
    this.tmux('send-keys', '-t', this.target, '-l', text);
    await sleep(150);
  }

  /** Raw bytes (hex) in one send-keys: one write to the terminal, as a burst over a slow link arrives. */
  async bytes(...hex: string[]) {
    this.tmux('send-keys', '-t', this.target, '-H', ...hex);
    await sleep(150);
  }

  /** Resizes the window (the program gets SIGWINCH, as when the operator drags the terminal). */
  resize(width: number, height = this.height) {
    this.tmux('resize-window', '-t', 'w', '-x', String(width), '-y', String(height));
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.target);
  }

  /** The screen with wrapped lines joined and runs of spaces kept. */
  joined(): string {
    return this.tmux('capture-pane', '-p', '-J', '-t', this.target);
  }

  display(format: string): string {
    return this.tmux('display-message', '-p', '-t', this.target, format).trim();
  }

  async waitFor(pred: string | ((s: string) => boolean), ms = 15000): Promise<string> {
    const test = typeof pred === 'string' ? (s: string) => s.replace(/\s+/g, ' ').includes(pred.replace(/\s+/g, ' ')) : pred;
    const end = Date.now() + ms;
    for (;;) {
      const s = this.joined();
      if (test(s)) {
        // The screen is drawn; give its key handlers a moment to attach, as a person would.
        await sleep(150);
        return s;
      }
      if (Date.now() > end) throw new Error(`timed out waiting for ${typeof pred === 'string' ? JSON.stringify(pred) : 'the screen'}; screen:\n${s}`);
      await sleep(50);
    }
  }

  /** The program's exit status once it has ended, else null. */
  exitStatus(): number | null {
    if (this.exitFile) {
      try {
        const t = readFileSync(`${this.exitFile}.exit`, 'utf8').trim();
        return t === '' ? null : Number(t);
      } catch {
        return null;
      }
    }
    return this.display('#{pane_dead}') === '1' ? Number(this.display('#{pane_dead_status}')) : null;
  }

  async waitExit(ms = 10000): Promise<number> {
    const end = Date.now() + ms;
    for (;;) {
      const s = this.exitStatus();
      if (s !== null) return s;
      if (Date.now() > end) throw new Error(`the program did not exit; screen:\n${this.screen()}`);
      await sleep(50);
    }
  }

  kill() {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
  }
}
