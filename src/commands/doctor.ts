// `doctor [--json] [--symptom S] [--check ID…]`: what is wrong, why, and the fix, worst first.
// `doctor --fix [--yes] [--dry-run]` applies the automatic fixes, causes first, each verified by
// re-running its check. `doctor --bundle [--out F]` writes a redacted support archive. On a
// terminal, bare `doctor` opens the guided session. Exit codes: 0 nothing worse than info, 4 a
// warning, 5 an error (1, 2, 3 as everywhere). --json's format is documented in README.
import { createInterface } from 'node:readline/promises';
import type { Command, ParsedArgs } from './types.js';
import { flag, optString, stackOf } from './common.js';
import { WizardError, usageError } from '../errors.js';
import { SYMPTOMS, type Symptom } from '../domain/doctor/types.js';
import { doctorBundle, doctorFix, doctorReport, loadDoctor } from '../services/doctor.js';
import { openTerminal, withoutCiEnv } from '../ui/terminal.js';

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

function parseSymptom(args: ParsedArgs): Symptom | undefined {
  const v = optString(args, 'symptom');
  if (v === undefined) return undefined;
  if (!(SYMPTOMS as readonly string[]).includes(v)) throw usageError('doc.err.badSymptom', { value: v, list: SYMPTOMS.join(', ') });
  return v as Symptom;
}

const command: Command = {
  options: {
    json: { type: 'boolean' },
    fix: { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    'dry-run': { type: 'boolean' },
    bundle: { type: 'boolean' },
    out: { type: 'string' },
    symptom: { type: 'string' },
    check: { type: 'string', multiple: true },
    answers: { type: 'string' },
    project: { type: 'string' },
  },
  maxPositionals: 0,
  async run(ctx, args) {
    const json = flag(args, 'json');
    const fix = flag(args, 'fix');
    const bundle = flag(args, 'bundle');
    if (json && (fix || bundle)) throw usageError('doc.err.fixJson');
    const symptom = parseSymptom(args);
    const checks = Array.isArray(args.values.check) ? (args.values.check as string[]) : undefined;
    const sel = stackOf(args);
    let s;
    try {
      s = await loadDoctor(ctx, sel, { symptom, checks });
    } catch (e) {
      // No stack on this host and none named: is the host ready for one? (#22.13)
      if (!(e instanceof WizardError && e.key === 'err.noStack') || sel.answersFile || sel.project || fix || bundle || symptom || checks) throw e;
      return (await import('../services/readiness.js')).hostReadiness(ctx, { json });
    }
    if (fix) return doctorFix(ctx, s, { symptom, checks, yes: flag(args, 'yes'), ask });
    // A person at a terminal without flags gets the guided session.
    if (!json && !bundle && !symptom && !checks && ctx.interactive) {
      const term = openTerminal();
      if (term) {
        const ui = await withoutCiEnv(() => import('../ui/doctor-run.js'));
        return ui.runDoctorSession(ctx, { term, stack: s });
      }
    }
    if (bundle) return doctorBundle(ctx, s, { symptom, checks, out: optString(args, 'out') });
    return doctorReport(ctx, s, { symptom, checks, json });
  },
};
export default command;
