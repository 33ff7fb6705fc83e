// One contender in test/real/lock-race.test.ts: waits for the common start time, then takes the
// maintenance lock exactly as every guarded command does (acquireLock). Prints `won` and holds it
// until its stdin ends (the test ends it once every contender has answered), or `lost <holder pid>`.
import { createContext } from '../../../src/context.js';
import { WizardError } from '../../../src/errors.js';
import { RealExecutor } from '../../../src/exec/executor.js';
import { acquireLock } from '../../../src/steps/stack-tools.js';

const [installDir, startAt] = process.argv.slice(2);
const ctx = createContext({ lang: 'en', dryRun: false, exec: new RealExecutor(), io: { out: () => {}, err: () => {} }, interactive: false });
await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())));
try {
  const release = await acquireLock(ctx, installDir!, `race-${process.pid}`);
  process.stdout.write('won\n');
  process.stdin.resume();
  await new Promise((r) => process.stdin.once('end', r));
  await release();
} catch (e) {
  process.stdout.write(e instanceof WizardError && e.key === 'err.bk.locked' ? `lost ${String(e.params.pid)}\n` : `error ${String(e)}\n`);
}
