// `stack-wizard doctor` at a terminal: the guided session on its own (the menu's Troubleshoot
// entry shows the same flow inside the wizard). Loaded lazily, like the wizard.
import { render } from 'ink';
import type { Context } from '../context.js';
import type { DoctorStack } from '../services/doctor.js';
import { KeyScope, useKeys, useTermSize } from './components.js';
import { redrawingStdout } from './redraw.js';
import { createDoctorController, type DoctorController } from './doctor-controller.js';
import { DoctorFlow } from './screens/Doctor.js';
import { exitAfterChildren, type Terminal } from './terminal.js';

function Session({ controller, onExit, onAbort }: { controller: DoctorController; onExit: (code: number) => void; onAbort: () => void }) {
  const { rows } = useTermSize();
  useKeys((input, key) => {
    if (key.ctrl && input === 'c') onAbort();
  });
  return <DoctorFlow controller={controller} rows={rows} onExit={onExit} />;
}

export function runDoctorSession(ctx: Context, o: { term: Terminal; stack: DoctorStack; hardExit?: (code: number) => void }): Promise<number> {
  const controller = createDoctorController(ctx, o.stack);
  const hardExit = o.hardExit ?? ((code: number) => process.exit(code));
  return new Promise<number>((resolve) => {
    let ended = false;
    const finish = (code: number, abort: boolean) => {
      if (ended) return;
      ended = true;
      process.off('SIGINT', onSig);
      process.off('SIGTERM', onSig);
      instance.unmount();
      o.term.close();
      if (abort) {
        o.term.stdout.write(`\n${ctx.t('ui.interrupted')}\n`);
        // A fix still running is ended before we exit; its writes are atomic, so nothing is half-done.
        exitAfterChildren(ctx.exec, code, (c) => {
          hardExit(c);
          resolve(c);
        });
        return;
      }
      resolve(code);
    };
    const onSig = () => finish(130, true);
    process.on('SIGINT', onSig);
    process.on('SIGTERM', onSig);
    const instance = render(
      <KeyScope>
        <Session controller={controller} onExit={(code) => finish(code, false)} onAbort={() => finish(130, true)} />
      </KeyScope>,
      { stdin: o.term.stdin, stdout: redrawingStdout(o.term.stdout), exitOnCtrlC: false },
    );
  });
}
