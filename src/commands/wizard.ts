// `stack-wizard` without a command, and `init` without a complete answers file: the interactive
// setup (or the maintenance menu). Answers come from flags and the answers file first; each one
// given skips its prompt, and --yes takes the defaults for the rest without asking anything.
// Without a terminal it never waits for input: it fails at once naming the flags to pass.
import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { AnswersSchema, type Answers } from '../domain/answers.js';
import { isGiven, leafPaths, mergeDraft, setPath, type Draft } from '../domain/draft.js';
import { describeIssues, parseYamlText } from '../domain/load.js';
import { usageError } from '../errors.js';
import { createController } from '../ui/controller.js';
import { issueText } from '../ui/model.js';
import { openTerminal, withoutCiEnv } from '../ui/terminal.js';
import type { MirrorSource, WizardController } from '../ui/types.js';
import type { HostFacts } from '../domain/facts.js';
import { probeTarget } from '../domain/mirrors.js';
import { probeMirrors } from '../host/mirror-probe.js';
import { catalogueFor, entryFor, relevantKinds, rememberProbes } from '../steps/mirrors.js';
import { ANSWER_FLAG_OPTIONS, ANSWER_FLAGS, MIRROR_FLAG, draftFromFlags, flagFor } from './answer-flags.js';
import { flag, optString } from './common.js';
import { initOptions, runInit, runInitAnswers } from './init.js';
import type { Command, OptionSpec, ParsedArgs } from './types.js';

export const WIZARD_OPTIONS: OptionSpec = {
  answers: { type: 'string' },
  'host-facts': { type: 'string' },
  out: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  'dry-run': { type: 'boolean' },
  ...ANSWER_FLAG_OPTIONS,
};

/**
 * Where the region screen gets mirror candidates and their latency: the mirror catalogue (or
 * STACK_WIZARD_MIRROR_CATALOG) for the kinds that matter on this host, probed in parallel as init
 * probes them. The results are remembered for this process, so applying the setup does not probe
 * the chosen mirrors again (and writes only one that answered).
 */
export function mirrorSource(ctx: Context, facts: () => Promise<HostFacts>): MirrorSource {
  return {
    async candidates(region) {
      // Region global leaves every tool at its defaults: nothing to offer.
      if (region !== 'cn') return [];
      const [cat, f] = await Promise.all([catalogueFor(ctx), facts()]);
      const kinds = relevantKinds(f);
      return cat.filter((e) => kinds.includes(e.kind)).map((e) => ({ kind: e.kind, id: e.id, name: e.name, url: e.url }));
    },
    async measure(cands, onResult) {
      const [cat, f] = await Promise.all([catalogueFor(ctx), facts()]);
      const target = probeTarget(f.os, f.arch);
      // The catalogue's entries (with their security/ports archives), probed as init probes them.
      const entries = cands.map((c) => cat.find((e) => e.kind === c.kind && e.id === c.id) ?? entryFor(c.kind, c.url, cat));
      await probeMirrors(entries, target, {
        onResult: (r) => {
          // Remembered before the screen shows it: what the operator sees is what init writes with.
          rememberProbes([r], target);
          onResult({ kind: r.kind, id: r.id, url: r.url, alive: r.alive, latencyMs: r.latencyMs, bytesPerSecond: r.bytesPerSecond, error: r.error });
        },
      });
    },
  };
}

const missingRequired = (i: { code: string; path: PropertyKey[] }, data: unknown) => {
  if (i.code !== 'invalid_type') return false;
  let v: unknown = data;
  for (const k of i.path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v === undefined;
};

/**
 * A possibly partial answers file: what it says is checked now (file:line errors), what it leaves
 * out is asked. Returns its content and the answers paths it fixes.
 */
export async function loadAnswersDraft(ctx: Context, file: string): Promise<{ draft: Draft; given: Set<string> }> {
  const text = await ctx.exec.readFile(resolve(ctx.cwd, file)).catch((e: NodeJS.ErrnoException) => {
    throw usageError('err.fileUnreadable', { file, reason: e.code ?? 'EIO' });
  });
  if (text === null) throw usageError('err.answersMissing', { file });
  const p = parseYamlText(text, file);
  if (p.data === null || typeof p.data !== 'object' || Array.isArray(p.data)) throw usageError('err.answersNotMapping', { file });
  const draft = p.data as Draft;
  const given = new Set(leafPaths(draft));
  const r = AnswersSchema.safeParse(draft);
  if (!r.success) {
    // Only what the file itself says wrongly; missing answers and checks of unanswered keys wait for the prompts.
    const issues = r.error.issues.filter((i) => !missingRequired(i, draft) && isGiven(given, i.path.map(String).join('.')));
    if (issues.length) throw usageError('err.answersInvalid', { file, count: issues.length }, describeIssues(issues, p, file, AnswersSchema, ctx.t));
  }
  return { draft, given };
}

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
    return path === 'app' && missingRequired(i, draft) ? line('app.image', issueText(i, ctx.t).replace('(object)', '(string)')) : line(path, issueText(i, ctx.t));
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
  if (entry === 'init' && answersFile && !anyAnswerFlag && (yes || !ctx.interactive)) return runInit(ctx, initOptions(args)!);

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
    return runInitAnswers(ctx, answers, { factsFile, out, yes, dryRun });
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
