// `init`: plan → preview (every file's diff, every command) → confirm → apply.
// Without root it renders into a local folder and only says what it would do on a server.
import { resolve } from 'node:path';
import type { Context } from '../context.js';
import type { Command, ParsedArgs } from './types.js';
import { flag, optString, planSummary } from './common.js';
import { diffAgainstDisk, loadAnswers, loadFacts, prepare, writeRendered, type Prepared } from '../steps/prepare.js';
import { defaultInstallDir } from '../domain/plan.js';
import { describeResolution, resolveMirrors } from '../steps/mirrors.js';
import { previewSteps } from '../steps/engine.js';
import { installSteps, runInstall } from '../steps/install.js';
import { usageError } from '../errors.js';
import type { Step, StepEvent } from '../steps/engine.js';


/** Headless output of step events: titles, output lines, and progress in quarters (a log, not a progress bar). */
export function headlessEvents(ctx: Context): (e: StepEvent) => void {
  const shown = new Map<string, number>();
  return (e) => {
    if (e.kind === 'start') ctx.io.out(`→ ${e.text}\n`);
    else if (e.kind === 'output' && e.text) ctx.io.out(`    ${e.text}\n`);
    else if (e.kind === 'progress' && e.item && e.fraction !== undefined) {
      if (e.item === 'health') {
        ctx.io.out(`    ${e.text}\n`);
        return;
      }
      if (e.item.includes(' ')) return; // a layer: the image's own line says enough here
      const q = Math.floor(e.fraction * 4);
      if ((shown.get(e.item) ?? -1) >= q) return;
      shown.set(e.item, q);
      ctx.io.out(`    ${e.item}: ${q * 25}%\n`);
    }
  };
}
import type { Answers } from '../domain/answers.js';
import { ANSWER_FLAG_OPTIONS } from './answer-flags.js';

export interface InitOptions { answersFile: string; factsFile?: string; out?: string; yes: boolean; dryRun: boolean }

export function initOptions(args: ParsedArgs): InitOptions | null {
  const answersFile = optString(args, 'answers');
  if (!answersFile) return null;
  return { answersFile, factsFile: optString(args, 'host-facts'), out: optString(args, 'out'), yes: flag(args, 'yes'), dryRun: flag(args, 'dry-run') };
}

/** Prints the preview; returns the preflight steps that refuse (a real run would stop at the first). */
async function printPreview(ctx: Context, p: Prepared, serverView: Prepared): Promise<Step[]> {
  const { t, io } = ctx;
  const refused: Step[] = [];
  io.out(planSummary(ctx, p.plan));
  io.out(`\n${t('init.filesHeader', { dir: p.targetDir })}\n`);
  for (const c of await diffAgainstDisk(ctx, p.targetDir, p.files)) {
    io.out(`${c.status === 'created' ? '+' : c.status === 'changed' ? '~' : '='} ${c.path}${c.status === 'unchanged' ? ` (${t('init.unchanged')})` : ''}\n`);
    if (c.diff) io.out(`${c.diff.replace(/^/gm, '    ')}\n`);
  }
  io.out(`\n${t('init.stepsHeader')}\n`);
  for (const { step, check } of await previewSteps(ctx, installSteps(serverView.plan), serverView)) {
    if (step.preflight && check.needed) refused.push(step);
    if (step.preflight) io.out(`${check.needed ? '✗' : '✓'} ${t(step.title, step.params)}\n`);
    else io.out(`${check.needed ? '•' : '✓'} ${t(step.title, step.params)}${check.needed ? '' : ` (${t('init.nothingToDo')})`}\n`);
    for (const ch of check.changes) io.out(`    ${ch}\n`);
  }
  return refused;
}

/** The error a refusing preflight step stops a real run with (its apply only checks, and throws). */
async function refusalOf(ctx: Context, step: Step, s: Prepared): Promise<unknown> {
  try {
    await step.apply(ctx, s, () => {});
  } catch (e) {
    return e;
  }
  return null;
}

export async function runInit(ctx: Context, o: InitOptions): Promise<number> {
  return runInitAnswers(ctx, await loadAnswers(ctx, o.answersFile), o);
}

/** init for answers already in hand (the answers file, or flags with --yes). */
export async function runInitAnswers(ctx: Context, given: Answers, o: Omit<InitOptions, 'answersFile'>): Promise<number> {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const local = !isRoot || o.out !== undefined;
  const target = local ? resolve(ctx.cwd, o.out ?? `stack-wizard-${given.project}`) : undefined;
  const facts = await loadFacts(ctx, o.factsFile, given.installDir ?? defaultInstallDir(given.project), [given.ports.http, given.ports.https]);
  // Mirrors are chosen (and the answers' own re-probed) before anything is rendered: a dead one stops here.
  const mirrors = await resolveMirrors(ctx, given, facts);
  const answers = mirrors.answers;
  for (const line of describeResolution(ctx, mirrors)) ctx.io.out(`${line}\n`);
  // factsFile tells the steps that act on the host (security) that these facts are not its own.
  const p = await prepare(ctx, { answers, facts, factsFile: o.factsFile, targetDir: target });
  // What the steps would do on the server itself (the install dir), also when we only render locally.
  const serverView: Prepared = { ...p, targetDir: p.plan.installDir };
  const refused = await printPreview(ctx, local ? { ...p } : p, serverView);

  if (o.dryRun) {
    ctx.io.out(`\n${ctx.t('init.dryRunDone')}\n`);
    // On a server the exit code says what the real run would do: stop in preflight (exit 3). A local
    // render (not root, or --out) would go ahead, so its preview of the server's checks only informs.
    const stop = !local && refused[0] ? await refusalOf(ctx, refused[0], serverView) : null;
    if (stop) throw stop;
    return 0;
  }
  if (local) {
    await writeRendered(ctx, p.targetDir, p.files);
    ctx.io.out(`\n${ctx.t(isRoot ? 'init.localDone' : 'init.localDoneNotRoot', { dir: p.targetDir })}\n`);
    return 0;
  }
  if (!o.yes) throw usageError('err.needYes', { command: 'init' });
  const reports = await runInstall(ctx, p, headlessEvents(ctx));
  const applied = reports.filter((r) => r.status === 'applied').length;
  ctx.io.out(`\n${applied === 0 ? ctx.t('init.nothingChanged') : ctx.t('init.applied', { count: applied, dir: p.plan.installDir })}\n`);
  return 0;
}

const command: Command = {
  options: {
    answers: { type: 'string' },
    'host-facts': { type: 'string' },
    out: { type: 'string' },
    yes: { type: 'boolean', short: 'y' },
    'dry-run': { type: 'boolean' },
    ...ANSWER_FLAG_OPTIONS,
  },
  maxPositionals: 0,
  // Without a complete answers file the setup asks (wizard.ts), or fails fast naming the flags.
  run: async (ctx, args) => (await import('./wizard.js')).startSetup(ctx, args, 'init'),
};
export default command;
