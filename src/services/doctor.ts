// Use cases of the doctor: what is wrong, why, and the fix, worst first (`doctor`, the menu's
// Troubleshoot row without a terminal session); the automatic fixes, causes first, each verified
// by re-running its check (`doctor --fix`); a redacted support archive (`doctor --bundle`); and
// what the guided session (src/ui/doctor-controller.ts) calls. Exit codes: 0 nothing worse than
// info, 4 a warning, 5 an error (1, 2, 3 as everywhere). --json's format is documented in README.
import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import { lineText, severityRank, type Finding, type Symptom } from '../domain/doctor/types.js';
import { rootCauses } from '../domain/doctor/link.js';
import { exitCodeFor, isProblem, loadDoctorStack, recheck, resolved, runDoctor, selectChecks, type DoctorReport, type DoctorStack } from '../steps/doctor.js';
import { applyFix, describeAction, guardedFix, stackPaths } from '../steps/doctor-fixes.js';
import { guarded } from '../steps/stack-guard.js';
import { fmtBytes } from '../domain/doctor/types.js';
import { VERSION } from '../version.js';
import type { StackSelector } from './stack.js';

export type { DoctorReport, DoctorStack };
// What the guided session needs of the steps, as they are.
export { describeAction, guardedFix, isProblem, recheck, resolved, runDoctor, stackPaths };

const MARK: Record<Finding['severity'], string> = { ok: '✓', info: '·', warn: '!', error: '✗' };

/** A finding's fix as --json lists it: automatic ones name their commands. */
export function fixJson(ctx: Context, s: DoctorStack, f: Finding): { auto: boolean; steps: string[] } {
  if (!f.fix) return { auto: false, steps: [] };
  if (!f.fix.auto) return { auto: false, steps: f.fix.steps.map((l) => lineText(ctx.t, l)) };
  const d = describeAction(f.fix.action, stackPaths(s));
  return { auto: true, steps: [ctx.t(d.title.key, d.title.params), ...d.commands.map((c) => `$ ${c}`), ...f.fix.notes.map((l) => lineText(ctx.t, l))] };
}

export function reportJson(ctx: Context, s: DoctorStack, r: DoctorReport): string {
  const findings = r.findings.map((f) => {
    const roots = rootCauses(f, r.findings).filter((x) => x.id !== f.id);
    return {
      id: f.id,
      severity: f.severity,
      title: ctx.t(f.title.key, f.title.params),
      evidence: f.evidence.map((l) => lineText(ctx.t, l)),
      fix: fixJson(ctx, s, f),
      check: f.check,
      explanation: f.explain ? ctx.t(f.explain.key, f.explain.params) : null,
      causedBy: f.causedBy,
      rootCause: roots[0]?.id ?? null,
    };
  });
  return `${JSON.stringify({ project: r.project, installDir: r.installDir, symptom: r.symptom, checkedAt: r.checkedAt, checks: r.checks, exitCode: exitCodeFor(r.findings), findings }, null, 2)}\n`;
}

function findingText(ctx: Context, s: DoctorStack, f: Finding, all: readonly Finding[]): string[] {
  const { t } = ctx;
  const out = [`${MARK[f.severity]} ${t(f.title.key, f.title.params)}  [${f.id}]`];
  // Info and ok: one line each (--json has their evidence).
  if (severityRank(f.severity) <= severityRank('info')) return out;
  if (f.causedBy.length) {
    const names = f.causedBy.map((id) => all.find((x) => x.id === id)).filter((x): x is Finding => !!x).map((x) => `${x.id} (${t(x.title.key, x.title.params)})`);
    out.push(`    ${t('doc.out.causedBy', { causes: names.join('; ') })}`);
  }
  if (f.evidence.length) {
    out.push(`    ${t('doc.out.evidence')}`);
    for (const l of f.evidence) out.push(`      ${lineText(t, l)}`);
  }
  if (f.explain) out.push(`    ${t('doc.out.why')} ${t(f.explain.key, f.explain.params)}`);
  if (f.fix) {
    const j = fixJson(ctx, s, f);
    out.push(`    ${t(f.fix.auto ? 'doc.out.fixAuto' : 'doc.out.fixManual')}`);
    for (const st of j.steps) out.push(`      ${st}`);
  } else if (f.causedBy.length) {
    const root = rootCauses(f, all)[0];
    if (root) out.push(`    ${t('doc.out.rootFirst', { cause: root.id })}`);
  }
  return out;
}

export function reportText(ctx: Context, s: DoctorStack, r: DoctorReport): string {
  const { t } = ctx;
  const problems = r.findings.filter(isProblem);
  const out = [t('doc.out.header', { project: r.project, dir: r.installDir, checks: r.checks.length, problems: problems.length })];
  if (r.symptom !== 'all') out.push(t('doc.out.symptom', { symptom: t(`doc.ui.sym.${r.symptom}`) }));
  out.push('');
  for (const f of r.findings.filter((x) => x.severity !== 'ok')) out.push(...findingText(ctx, s, f, r.findings));
  const ok = r.findings.filter((f) => f.severity === 'ok');
  if (ok.length) {
    if (problems.length || r.findings.some((f) => f.severity === 'info')) out.push('');
    out.push(`✓ ${t('doc.out.passed', { count: ok.length })} ${ok.map((f) => f.id).join(', ')}`);
  }
  out.push('');
  if (problems.length === 0) out.push(t('doc.out.allGood'));
  else if (problems.some((f) => f.fix?.auto)) out.push(t('doc.out.hintFix'));
  return `${out.join('\n')}\n`;
}

/** The next automatic fix to try: a root cause before the symptoms it explains. */
export function nextFix(findings: readonly Finding[], tried: ReadonlySet<string>): Finding | null {
  const cands = findings.filter((f) => isProblem(f) && f.fix?.auto && !tried.has(f.id));
  if (cands.length === 0) return null;
  return cands.find((f) => f.causedBy.every((c) => !cands.some((x) => x.id === c))) ?? cands[0]!;
}

/** Which checks: by symptom, or by id (`checks`); neither: all. */
export interface DoctorSelection { symptom?: Symptom; checks?: string[] }

/** The stack for the doctor; bad symptom or check names are refused before anything is probed. */
export async function loadDoctor(ctx: Context, stack: StackSelector, sel: DoctorSelection): Promise<DoctorStack> {
  selectChecks({ symptom: sel.symptom, checks: sel.checks });
  return loadDoctorStack(ctx, { answersFile: stack.answersFile, project: stack.project });
}

/** Prints the report (text or JSON) and returns its exit code. */
export async function doctorReport(ctx: Context, s: DoctorStack, o: DoctorSelection & { json: boolean }): Promise<number> {
  const report = await runDoctor(ctx, s, { symptom: o.symptom, checks: o.checks });
  ctx.io.out(o.json ? reportJson(ctx, s, report) : reportText(ctx, s, report));
  return exitCodeFor(report.findings);
}

/** Writes the redacted support archive (`out`: its path, else one in the working directory). */
export async function doctorBundle(ctx: Context, s: DoctorStack, o: DoctorSelection & { out?: string }): Promise<number> {
  const report = await runDoctor(ctx, s, { symptom: o.symptom, checks: o.checks });
  const b = await (await import('../steps/doctor-bundle.js')).writeBundle(ctx, s, report, { out: o.out, version: VERSION, reportJson: reportJson(ctx, s, report), reportText: reportText(ctx, s, report) });
  ctx.io.out(`${ctx.t('doc.bundle.written', { file: b.path, size: fmtBytes(b.bytes) })}\n`);
  return 0;
}

/** `ask`: the question before each fix (the command asks on its terminal); `yes` or a dry run asks nothing. */
export interface DoctorFixOptions extends DoctorSelection { yes: boolean; ask: (question: string) => Promise<boolean> }

export async function doctorFix(ctx: Context, s: DoctorStack, o: DoctorFixOptions): Promise<number> {
  const { yes, symptom, checks } = o;
  const dry = ctx.exec.dryRun;
  // Nothing is changed unasked: without a terminal --yes (or --dry-run) says so up front.
  if (!yes && !dry && !ctx.interactive) throw usageError('err.needYes', { command: 'doctor --fix' });
  // Fixes change the stack: logged, under the maintenance lock, never on a half-restored one.
  return guarded(ctx, s, 'doctor --fix', () => fixLoop(ctx, s, yes, o.ask, symptom, checks));
}

async function fixLoop(ctx: Context, s: DoctorStack, yes: boolean, ask: (q: string) => Promise<boolean>, symptom: Symptom | undefined, checks: string[] | undefined): Promise<number> {
  const { t, io } = ctx;
  const dry = ctx.exec.dryRun;
  let report = await runDoctor(ctx, s, { symptom, checks });
  io.out(reportText(ctx, s, report));
  io.out(`\n${t('doc.fix.header')}\n`);
  const tried = new Set<string>();
  let any = false;
  for (let round = 0; round < 20; round++) {
    const f = nextFix(report.findings, tried);
    if (!f || !f.fix?.auto) break;
    any = true;
    tried.add(f.id);
    const d = describeAction(f.fix.action, stackPaths(s));
    io.out(`${t('doc.fix.applying', { title: `${t(f.title.key, f.title.params)} [${f.id}]` })}\n    ${t(d.title.key, d.title.params)}\n`);
    for (const c of d.commands) io.out(`      $ ${c}\n`);
    if (!yes && !dry && !(await ask(`    ${t('doc.fix.ask')}`))) {
      io.out(`${t('doc.fix.skipped')}\n`);
      continue;
    }
    try {
      await applyFix(ctx, s, f.fix.action, (line) => io.out(`      ${line}\n`));
    } catch (e) {
      io.out(`${t('doc.fix.failed', { error: e instanceof Error ? e.message : String(e) })}\n`);
      continue;
    }
    if (dry) {
      io.out(`${t('doc.fix.dryRun')}\n`);
      continue;
    }
    const now = await recheck(ctx, s, [f.check]);
    const still = now.find((x) => x.id === f.id);
    io.out(resolved(f, now) ? `${t('doc.fix.verified')}\n` : `${t('doc.fix.stillFailing', { title: still ? t(still.title.key, still.title.params) : f.id })}\n`);
    // Fresh evidence for everything: a fixed cause takes its symptoms with it.
    report = await runDoctor(ctx, s, { symptom, checks });
  }
  if (!any) io.out(`${t('doc.fix.none')}\n`);
  if (dry) return exitCodeFor(report.findings);
  io.out(`\n${t('doc.fix.after')}\n${reportText(ctx, s, report)}`);
  return exitCodeFor(report.findings);
}

