// `doctor [--json] [--symptom S] [--check ID…]`: what is wrong, why, and the fix, worst first.
// `doctor --fix [--yes] [--dry-run]` applies the automatic fixes, causes first, each verified by
// re-running its check. `doctor --bundle [--out F]` writes a redacted support archive. On a
// terminal, bare `doctor` opens the guided session. Exit codes: 0 nothing worse than info, 4 a
// warning, 5 an error (1, 2, 3 as everywhere). --json's format is documented in README.
import { createInterface } from 'node:readline/promises';
import type { Context } from '../context.js';
import type { Command, ParsedArgs } from './types.js';
import { flag, optString } from './common.js';
import { usageError } from '../errors.js';
import { SYMPTOMS, lineText, severityRank, type Finding, type Symptom } from '../domain/doctor/types.js';
import { rootCauses } from '../domain/doctor/link.js';
import { exitCodeFor, isProblem, loadDoctorStack, recheck, resolved, runDoctor, selectChecks, type DoctorReport, type DoctorStack } from '../steps/doctor.js';
import { applyFix, describeAction, stackPaths } from '../steps/doctor-fixes.js';
import { guarded } from '../steps/stack-guard.js';
import { openTerminal, withoutCiEnv } from '../ui/terminal.js';
import { fmtBytes } from '../domain/doctor/types.js';
import { VERSION } from '../cli.js';

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

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

async function fixAll(ctx: Context, s: DoctorStack, args: ParsedArgs, symptom: Symptom | undefined, checks: string[] | undefined): Promise<number> {
  const yes = flag(args, 'yes');
  const dry = ctx.exec.dryRun;
  // Nothing is changed unasked: without a terminal --yes (or --dry-run) says so up front.
  if (!yes && !dry && !ctx.interactive) throw usageError('err.needYes', { command: 'doctor --fix' });
  // Fixes change the stack: logged, under the maintenance lock, never on a half-restored one.
  return guarded(ctx, s, 'doctor --fix', () => fixLoop(ctx, s, yes, symptom, checks));
}

async function fixLoop(ctx: Context, s: DoctorStack, yes: boolean, symptom: Symptom | undefined, checks: string[] | undefined): Promise<number> {
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
    // Bad names are refused before anything is probed.
    selectChecks({ symptom, checks });
    const s = await loadDoctorStack(ctx, { answersFile: optString(args, 'answers'), project: optString(args, 'project') });
    if (fix) return fixAll(ctx, s, args, symptom, checks);
    // A person at a terminal without flags gets the guided session.
    if (!json && !bundle && !symptom && !checks && ctx.interactive) {
      const term = openTerminal();
      if (term) {
        const ui = await withoutCiEnv(() => import('../ui/doctor-run.js'));
        return ui.runDoctorSession(ctx, { term, stack: s });
      }
    }
    const report = await runDoctor(ctx, s, { symptom, checks });
    if (bundle) {
      const b = await (await import('../steps/doctor-bundle.js')).writeBundle(ctx, s, report, { out: optString(args, 'out'), version: VERSION, reportJson: reportJson(ctx, s, report), reportText: reportText(ctx, s, report) });
      ctx.io.out(`${ctx.t('doc.bundle.written', { file: b.path, size: fmtBytes(b.bytes) })}\n`);
      return 0;
    }
    ctx.io.out(json ? reportJson(ctx, s, report) : reportText(ctx, s, report));
    return exitCodeFor(report.findings);
  },
};
export default command;
