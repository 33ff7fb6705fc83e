// Mounts the wizard on a terminal and turns its end into an exit code. Loaded lazily (dynamic
// import), so --help and headless commands never load React or Ink.
import { render } from 'ink';
import type { Context } from '../context.js';
import type { Draft } from '../domain/draft.js';
import { App } from './app.js';
import { redrawingStdout } from './redraw.js';
import { exitAfterChildren, type Terminal } from './terminal.js';
import type { WizardController } from './types.js';

export interface RunWizardOptions {
  term: Terminal;
  draft: Draft;
  given: ReadonlySet<string>;
  /** `auto`: the maintenance menu when a stack is installed, else setup. `setup`: always setup (init). */
  mode: 'auto' | 'setup';
  /** Built by the caller, which starts the host probe while React and Ink load. */
  controller: WizardController;
  /** Ends the process after an interrupt (tests pass their own). */
  hardExit?: (code: number) => void;
}

const SIGNAL_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

export async function runWizard(ctx: Context, o: RunWizardOptions): Promise<number> {
  const { controller } = o;
  const stacks = o.mode === 'auto' ? await controller.stacks() : [];
  const hardExit = o.hardExit ?? ((code: number) => process.exit(code));

  return new Promise<number>((resolve) => {
    let ended = false;
    const signals = Object.keys(SIGNAL_CODES) as NodeJS.Signals[];
    const detach = () => {
      for (const s of signals) process.off(s, onSignal);
    };
    const end = (code: number, message?: string) => {
      if (ended) return false;
      ended = true;
      detach();
      // Unmounting restores the terminal: raw mode off, cursor shown, the last frame left in place.
      instance.unmount();
      if (message) {
        try {
          o.term.stdout.write(`\n${message}\n`);
        } catch {
          // the terminal may be gone (SIGHUP)
        }
      }
      o.term.close();
      return true;
    };
    // Interrupted: nothing is half-written (writes are staged and renamed with signals held);
    // commands still running (an apt-get and its dpkg) are ended, by SIGKILL if they ignore
    // SIGTERM, before the process exits.
    const abort = (code: number) => {
      if (!end(code, ctx.t('ui.interrupted'))) return;
      exitAfterChildren(ctx.exec, code, hardExit);
    };
    function onSignal(s: NodeJS.Signals) {
      abort(SIGNAL_CODES[s] ?? 130);
    }
    for (const s of signals) process.on(s, onSignal);

    const instance = render(
      <App
        controller={controller}
        stacks={stacks}
        draft={o.draft}
        given={o.given}
        onAbort={() => abort(130)}
        onExit={(code) => {
          if (!end(code)) return;
          // Only read-only probes can still be running here (quitting early): do not wait for them.
          ctx.exec.terminate();
          resolve(code);
        }}
      />,
      { stdin: o.term.stdin, stdout: redrawingStdout(o.term.stdout), exitOnCtrlC: false },
    );
  });
}
