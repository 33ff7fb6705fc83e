// Use case: setting up a stack, previewed then applied. `init` (headless) and the wizard (its
// review and apply screens) call the same functions: one preview, formatted by each front end.
// Without root (or with an output folder) the files go to a local folder and nothing else changes.
import { join } from 'node:path';
import type { Context } from '../context.js';
import type { Answers } from '../domain/answers.js';
import { AnswersSchema } from '../domain/answers.js';
import { isGiven, leafPaths, type Draft } from '../domain/draft.js';
import type { HostFacts } from '../domain/facts.js';
import { describeIssues, parseYamlText } from '../domain/load.js';
import { endedSeriesRefusal } from '../domain/engines/index.js';
import { defaultInstallDir } from '../domain/plan.js';
import { HOST } from '../render/paths.js';
import { usageError } from '../errors.js';
import type { MsgKey, Params } from '../i18n/index.js';
import { checkPorts as listeners, type PortCheck } from '../host/ports.js';
import { operatorAddresses as sessionAddresses } from '../host/security.js';
import { previewSteps, type Step, type StepEvent, type StepReport } from '../steps/engine.js';
import { installSteps, runInstall } from '../steps/install.js';
import { withHostFiles } from '../steps/host-files.js';
import { installedStacks as registry, type RegistryEntry } from '../steps/installed.js';
import { describeResolution, resolveMirrors, verifyMirrors } from '../steps/mirrors.js';
import { diffAgainstDisk, hostFileChanges, loadAnswers, loadFacts, prepare, readInput, writeRendered, type FileChange, type Prepared } from '../steps/prepare.js';
import { applySetup as applySetupSteps, setupSteps, setupTarget, type SetupTarget } from '../steps/setup.js';
import { planSummary } from './plan-summary.js';

export type { FileChange, PortCheck, Prepared, RegistryEntry, SetupTarget };
export { setupTarget };

/** One of init's steps, checked against the server and not run. */
export interface PreviewStep {
  id: string;
  title: MsgKey;
  params?: Params;
  /** A preflight step changes nothing: `needed` means it refuses, and `changes` are its findings. */
  preflight: boolean;
  needed: boolean;
  changes: string[];
  step: Step;
}

/**
 * Everything a setup would do, changing nothing: the prepared stack (answers, facts, plan, secrets,
 * files and whatever else `prepare` renders), every file against the target folder, on the server
 * the host's own files the steps write against the live ones, and init's steps checked against the
 * server itself (the install dir), also when only rendering locally.
 */
export interface SetupPreview {
  prepared: Prepared;
  /** The same stack seen from the server: its target is the install dir. */
  serverView: Prepared;
  files: FileChange[];
  /** The host's own files (firewall, fail2ban, kernel settings, apt sources, daemon.json, units) by absolute path; none for a local render. */
  hostFiles: FileChange[];
  steps: PreviewStep[];
}

/**
 * The saved answers' database of the stack already there (the local folder rendered into, else the
 * install dir on the server), or null: none, or unreadable, which is a new stack.
 */
async function savedDatabase(ctx: Context, answers: Answers, targetDir: string | undefined): Promise<{ engine?: unknown; version?: unknown } | null> {
  const dir = targetDir ?? answers.installDir ?? defaultInstallDir(answers.project);
  const text = await ctx.exec.readFile(join(dir, HOST.answers)).catch(() => null);
  if (!text) return null;
  try {
    const data = parseYamlText(text, HOST.answers).data as { database?: { engine?: unknown; version?: unknown } } | null;
    return data?.database ?? null;
  } catch {
    // Not an answers file we can read: no stack to keep.
    return null;
  }
}

export async function previewSetup(ctx: Context, o: { answers: Answers; facts: HostFacts; factsFile?: string; targetDir?: string }): Promise<SetupPreview> {
  // A series past its end of life: refused for a new stack before anything is rendered or written.
  const ended = endedSeriesRefusal(o.answers.database, await savedDatabase(ctx, o.answers, o.targetDir));
  if (ended) throw usageError('err.seriesEnded', ended);
  // factsFile tells the steps that act on the host (security) that these facts are not its own. On
  // the server (no local target folder) the host's own files are previewed too: a local render writes none.
  const onServer = o.targetDir === undefined;
  const stack = await prepare(ctx, { answers: o.answers, facts: o.facts, factsFile: o.factsFile, targetDir: o.targetDir });
  const prepared = onServer ? await withHostFiles(ctx, stack) : stack;
  const files = await diffAgainstDisk(ctx, prepared.targetDir, prepared.files);
  const hostFiles = hostFileChanges(ctx, prepared.hostFiles ?? []);
  const serverView: Prepared = { ...prepared, targetDir: prepared.plan.installDir };
  const steps = (await previewSteps(ctx, installSteps(serverView.plan), serverView)).map(({ step, check }) => ({
    id: step.id,
    title: step.title,
    ...(step.params ? { params: step.params } : {}),
    preflight: step.preflight === true,
    needed: check.needed,
    changes: check.changes,
    step,
  }));
  return { prepared, serverView, files, hostFiles, steps };
}

/** The preview as init prints it: the plan, each file with its diff, each step with its changes. */
export function formatPreview(ctx: Context, pv: SetupPreview): string {
  const { t } = ctx;
  const out: string[] = [planSummary(ctx, pv.prepared.plan), `\n${t('init.filesHeader', { dir: pv.prepared.targetDir })}\n`];
  const show = (c: FileChange) => {
    const note = c.status === 'unchanged' ? t('init.unchanged') : c.removed ? t('init.removed') : c.backup ? t('init.backupKept', { file: c.backup }) : '';
    out.push(`${c.removed ? '-' : c.status === 'created' ? '+' : c.status === 'changed' ? '~' : '='} ${c.path}${note ? ` (${note})` : ''}\n`);
    if (c.diff) out.push(`${c.diff.replace(/^/gm, '    ')}\n`);
  };
  pv.files.forEach(show);
  if (pv.hostFiles.length) {
    out.push(`\n${t('init.hostFilesHeader')}\n`);
    pv.hostFiles.forEach(show);
  }
  out.push(`\n${t('init.stepsHeader')}\n`);
  for (const s of pv.steps) {
    if (s.preflight) out.push(`${s.needed ? '✗' : '✓'} ${t(s.title, s.params)}\n`);
    else out.push(`${s.needed ? '•' : '✓'} ${t(s.title, s.params)}${s.needed ? '' : ` (${t('init.nothingToDo')})`}\n`);
    for (const ch of s.changes) out.push(`    ${ch}\n`);
  }
  return out.join('');
}

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

/** The error a refusing preflight step stops a real run with (its apply only checks, and throws). */
async function refusalOf(ctx: Context, step: Step, s: Prepared): Promise<unknown> {
  try {
    await step.apply(ctx, s, () => {});
  } catch (e) {
    return e;
  }
  return null;
}

export interface SetupOptions { factsFile?: string; out?: string; yes: boolean; dryRun: boolean }

/** init from an answers file, asking nothing. */
export async function setupFromFile(ctx: Context, answersFile: string, o: SetupOptions): Promise<number> {
  return setup(ctx, await loadAnswers(ctx, answersFile), o);
}

/** init for answers already in hand (the answers file, or flags with --yes): preview, then apply with `yes`. */
export async function setup(ctx: Context, given: Answers, o: SetupOptions): Promise<number> {
  const tg = setupTarget(ctx, given.project, o.out);
  const facts = await loadFacts(ctx, o.factsFile, given.installDir ?? defaultInstallDir(given.project), [given.ports.http, given.ports.https]);
  // Mirrors are chosen (and the answers' own re-probed) before anything is rendered: a dead one stops here.
  const mirrors = await resolveMirrors(ctx, given, facts);
  for (const line of describeResolution(ctx, mirrors)) ctx.io.out(`${line}\n`);
  const pv = await previewSetup(ctx, { answers: mirrors.answers, facts, factsFile: o.factsFile, targetDir: tg.targetDir });
  ctx.io.out(formatPreview(ctx, pv));
  const p = pv.prepared;

  if (o.dryRun) {
    ctx.io.out(`\n${ctx.t('init.dryRunDone')}\n`);
    // On a server the exit code says what the real run would do: stop in preflight (exit 3). A local
    // render (not root, or --out) would go ahead, so its preview of the server's checks only informs.
    const refused = pv.steps.find((s) => s.preflight && s.needed);
    const stop = !tg.local && refused ? await refusalOf(ctx, refused.step, pv.serverView) : null;
    if (stop) throw stop;
    return 0;
  }
  if (tg.local) {
    await writeRendered(ctx, p.targetDir, p.files);
    ctx.io.out(`\n${ctx.t(tg.isRoot ? 'init.localDone' : 'init.localDoneNotRoot', { dir: p.targetDir })}\n`);
    return 0;
  }
  if (!o.yes) throw usageError('err.needYes', { command: 'init' });
  const reports = await runInstall(ctx, p, headlessEvents(ctx));
  const applied = reports.filter((r) => r.status === 'applied').length;
  ctx.io.out(`\n${applied === 0 ? ctx.t('init.nothingChanged') : ctx.t('init.applied', { count: applied, dir: p.plan.installDir })}\n`);
  return 0;
}

// ------------------------------------------------------------------ what the wizard calls

/** A zod issue for an answer that is simply not there (asked later, not an error yet). */
export const missingRequired = (i: { code: string; path: PropertyKey[] }, data: unknown) => {
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
  // Read no further than the size limit (#15.7): `--answers /dev/zero` stops at once.
  const p = parseYamlText(await readInput(ctx, file, 'answers'), file);
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


/** Where the probe measures free disk before a project (and so its install dir) is known. */
const INSTALL_ROOT = '/opt/stack-wizard';

/** Host facts for the wizard: the facts file, or a probe of this host (ports 80 and 443 looked at). */
export const setupFacts = (ctx: Context, factsFile: string | undefined): Promise<HostFacts> => loadFacts(ctx, factsFile, INSTALL_ROOT, [80, 443]);

/** The wizard's review: every chosen mirror answers now (or it is refused naming the key), then the preview. */
export async function reviewSetup(ctx: Context, o: { answers: Answers; facts: HostFacts; targetDir?: string }): Promise<SetupPreview> {
  // Apply writes npm, PyPI, Node and prefix mirrors too: a dead one is refused here, with the live alternatives.
  await verifyMirrors(ctx, o.answers.mirrors, o.facts, { answers: o.answers });
  return previewSetup(ctx, o);
}

/** The steps apply runs (a local render is one step), for the progress list before the first event. */
export const setupStepList = (local: boolean, p: Prepared): { id: string; title: MsgKey; params?: Params }[] =>
  setupSteps(local, p.plan).map((s) => ({ id: s.id, title: s.title, ...(s.params ? { params: s.params } : {}) }));

/** Applies a previewed setup: the local folder, or init's steps on the server (logged to the install dir). */
export const applySetup = (ctx: Context, p: Prepared, local: boolean, onEvent: (e: StepEvent) => void): Promise<StepReport[]> =>
  applySetupSteps(ctx, p, local, onEvent);

/** The stacks init recorded on this host. */
export const installedStacks = (ctx: Context): Promise<RegistryEntry[]> => registry(ctx);

/** The saved answers of an installed stack, as a draft to prefill reconfigure. */
export async function stackDraft(ctx: Context, stack: RegistryEntry): Promise<Draft> {
  const text = await ctx.exec.readFile(stack.answers);
  if (text === null) throw usageError('err.answersMissing', { file: stack.answers });
  const data = parseYamlText(text, stack.answers).data;
  return data && typeof data === 'object' && !Array.isArray(data) ? (data as Draft) : {};
}

/** Where the operator's SSH session comes from (for fail2ban's ignoreip); empty when not over SSH. */
export const operatorAddresses = async (ctx: Context, facts: HostFacts): Promise<string[]> => (await sessionAddresses(ctx.exec, facts)).addresses;

/** Listeners on these ports now (read-only). */
export const checkPorts = (ctx: Context, ports: number[]): Promise<PortCheck[]> => listeners(ctx.exec, ports);
