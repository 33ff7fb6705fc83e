// `stack-wizard` without a command, and `init` without a complete answers file: the interactive
// setup (or the maintenance menu). Answers come from flags and the answers file first; each one
// given skips its prompt, and --yes takes the defaults for the rest without asking anything.
// Without a terminal it never waits for input: it fails at once naming the flags to pass.
import type { Context } from '../context.js';
import { AnswersSchema, type Answers } from '../domain/answers.js';
import { isGiven, mergeDraft, setPath, type Draft } from '../domain/draft.js';
import { usageError } from '../errors.js';
import { createController } from '../ui/controller.js';
import { issueText } from '../ui/model/validate.js';
import { openTerminal, withoutCiEnv } from '../ui/terminal.js';
import type { WizardController } from '../ui/types.js';
import { mirrorSource } from '../services/mirrors.js';
import { loadAnswersDraft, missingRequired, setup, setupFromFile } from '../services/setup.js';
import { ANSWER_FLAG_OPTIONS, ANSWER_FLAGS, MIRROR_FLAG, draftFromFlags, flagFor } from '../domain/answer-flags.js';
import { flag, optString } from './common.js';
import { typeWord } from '../domain/load.js';
import type { Command, OptionSpec, ParsedArgs } from './types.js';

export const WIZARD_OPTIONS: OptionSpec = {
  answers: { type: 'string' },
  'host-facts': { type: 'string' },
  out: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  'dry-run': { type: 'boolean' },
  ...ANSWER_FLAG_OPTIONS,
};

const line = (path: string, text: string) => `${path}${flagFor(path) ? ` (${flagFor(path)})` : ''}: ${text}`;

/** Flags checked before any screen shows: a bad value is a usage error naming the flag. */
function checkFlagValues(ctx: Context, draft: Draft, flagPaths: ReadonlySet<string>) {
  let d = draft;
  if (typeof d.project !== 'string') d = setPath(d, 'project', 'placeholder');
  if (typeof (d.app as Draft | undefined)?.image !== 'string') d = setPath(d, 'app.image', 'placeholder');
  const r = AnswersSchema.safeParse(d);
  if (r.success) return;
  const bad = r.error.issues.filter((i) => isGiven(flagPaths, i.path.map(String).join('.')) && !missingRequired(i, d));
  if (bad.length) {
    throw usageError('err.flagsInvalid', { count: bad.length }, bad.map((i) => line(i.path.map(String).join('.'), issueText(i, ctx.t))));
  }
}

/** The answers for a run that asks nothing (--yes): anything still missing names its flag. */
export function finalAnswers(ctx: Context, draft: Draft): Answers {
  const r = AnswersSchema.safeParse(draft);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const path = i.path.map(String).join('.') || '(top level)';
    // A missing app is a missing image: the one answer in it without a default.
    return path === 'app' && missingRequired(i, draft) ? line('app.image', ctx.t('v.required', { expected: typeWord(ctx.t, 'string') })) : line(path, issueText(i, ctx.t));
  });
  throw usageError('err.wizardIncomplete', { count: r.error.issues.length }, lines);
}

export async function startSetup(ctx: Context, args: ParsedArgs, entry: 'default' | 'init'): Promise<number> {
  const answersFile = optString(args, 'answers');
  const yes = flag(args, 'yes');
  const dryRun = flag(args, 'dry-run');
  const out = optString(args, 'out');
  const factsFile = optString(args, 'host-facts');
  const anyAnswerFlag = ANSWER_FLAGS.some((f) => typeof args.values[f.flag] === 'string') || Array.isArray(args.values[MIRROR_FLAG]);

  // Scripts keep init's plain behaviour: an answers file and no terminal (or --yes) asks nothing.
  if (entry === 'init' && answersFile && !anyAnswerFlag && (yes || !ctx.interactive)) return setupFromFile(ctx, answersFile, { factsFile, out, yes, dryRun });

  let draft: Draft = {};
  const given = new Set<string>();
  if (answersFile) {
    const f = await loadAnswersDraft(ctx, answersFile);
    draft = f.draft;
    for (const p of f.given) given.add(p);
  }
  const fl = draftFromFlags(args.values);
  if (fl.problems.length) {
    throw usageError('err.flagsInvalid', { count: fl.problems.length }, fl.problems.map((p) => `${p.flag}: ${ctx.t(p.key, p.params)}`));
  }
  draft = mergeDraft(draft, fl.draft);
  for (const p of fl.given) {
    given.add(p);
    // `--domain none` removes a domain the answers file had.
    if (p === 'domain' && fl.draft.domain === undefined) draft = setPath(draft, 'domain', undefined);
  }
  checkFlagValues(ctx, draft, fl.given);

  if (yes || (answersFile && !ctx.interactive)) {
    const answers = finalAnswers(ctx, draft);
    return setup(ctx, answers, { factsFile, out, yes, dryRun });
  }

  const term = openTerminal();
  if (!term) throw usageError('err.noTerminal', { command: entry === 'init' ? 'stack-wizard init' : 'stack-wizard' });
  // The host probe starts once the first frame is drawn: started earlier, its processes compete
  // with loading React and Ink and the first frame comes later (measured by npm run bench).
  // The mirror probe needs the host facts (the apt suite), which the controller probes once for all.
  const controller: WizardController = createController(ctx, { factsFile, out, dryRun, mirrors: mirrorSource(ctx, () => controller.facts()) });
  const ui = await withoutCiEnv(() => import('../ui/run.js'));
  return ui.runWizard(ctx, { term, draft, given, controller, mode: entry === 'default' && !answersFile && given.size === 0 ? 'auto' : 'setup' });
}

const command: Command = {
  options: WIZARD_OPTIONS,
  maxPositionals: 0,
  run: (ctx, args) => startSetup(ctx, args, 'default'),
};
export default command;
