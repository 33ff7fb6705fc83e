// The guided troubleshooting session's effects (through src/services/doctor.ts): load the stack,
// run the checks, apply a fix, re-run its check. Screens get plain, translated data from here and call back.
import type { Context } from '../context.js';
import { rootCauses } from '../domain/doctor/link.js';
import { SYMPTOMS, lineText, type Finding, type Severity, type Symptom } from '../domain/doctor/types.js';
import type { T } from '../i18n/index.js';
import { WizardError, errorText } from '../errors.js';
import { describeAction, guardedFix, isProblem, loadDoctor, recheck, resolved, runDoctor, stackPaths, type DoctorStack } from '../services/doctor.js';
import { CHECKS } from '../domain/doctor/checks.js';

export interface FindingView {
  id: string;
  check: string;
  severity: Severity;
  title: string;
  explain: string | null;
  evidence: string[];
  /** null: nothing to do here (fine, or it follows from another finding). */
  fix: { auto: boolean; title: string | null; steps: string[] } | null;
  causedBy: { id: string; title: string }[];
  /** The finding at the end of its cause chain, when that is another one. */
  root: { id: string; title: string } | null;
}

export interface DoctorView { checks: { id: string; label: string }[]; findings: FindingView[] }
export interface CheckProgress { check: string; state: 'start' | 'done'; severity?: Severity }

export interface DoctorController {
  readonly t: T;
  readonly symptoms: readonly Symptom[];
  /** The checks a symptom runs, for the progress list before the first result. */
  checksFor(symptom: Symptom): { id: string; label: string }[];
  run(symptom: Symptom, onProgress: (p: CheckProgress) => void): Promise<DoctorView>;
  /** Applies the finding's automatic fix; the commands' output goes to onLine. */
  fix(id: string, onLine: (line: string) => void): Promise<void>;
  /** Re-runs the finding's check: whether it is gone, and how it looks now. */
  verify(id: string): Promise<{ fixed: boolean; now: FindingView | null }>;
}

export function findingView(t: T, s: DoctorStack, f: Finding, all: readonly Finding[]): FindingView {
  const title = (x: Finding) => t(x.title.key, x.title.params);
  let fix: FindingView['fix'] = null;
  if (f.fix?.auto) {
    const d = describeAction(f.fix.action, stackPaths(s));
    fix = { auto: true, title: t(d.title.key, d.title.params), steps: [...d.commands.map((c) => `$ ${c}`), ...f.fix.notes.map((l) => lineText(t, l))] };
  } else if (f.fix) fix = { auto: false, title: null, steps: f.fix.steps.map((l) => lineText(t, l)) };
  const root = rootCauses(f, all).find((x) => x.id !== f.id) ?? null;
  return {
    id: f.id,
    check: f.check,
    severity: f.severity,
    title: title(f),
    explain: f.explain ? t(f.explain.key, f.explain.params) : null,
    evidence: f.evidence.map((l) => lineText(t, l)),
    fix,
    causedBy: f.causedBy.map((id) => all.find((x) => x.id === id)).filter((x): x is Finding => !!x).map((x) => ({ id: x.id, title: title(x) })),
    root: root ? { id: root.id, title: title(root) } : null,
  };
}

/** `stack` is loaded on first use (the probe and the plan take a moment). */
export function createDoctorController(ctx: Context, source: { answersFile?: string; project?: string } | DoctorStack): DoctorController {
  const { t } = ctx;
  let stackP: Promise<DoctorStack> | null = 'plan' in source ? Promise.resolve(source) : null;
  const stack = () => (stackP ??= loadDoctor(ctx, source as { answersFile?: string }, {}));
  let last: Finding[] = [];
  const byId = (id: string) => last.find((f) => f.id === id);

  return {
    t,
    symptoms: SYMPTOMS,
    checksFor(symptom) {
      return CHECKS.filter((c) => symptom === 'all' || c.def.symptoms.includes(symptom)).map((c) => ({ id: c.def.id, label: t(c.def.label) }));
    },
    async run(symptom, onProgress) {
      const s = await stack();
      const r = await runDoctor(ctx, s, { symptom, onProgress: (p) => onProgress({ check: p.check, state: p.state, severity: p.severity }) });
      last = r.findings;
      return {
        checks: r.checks.map((id) => ({ id, label: t(CHECKS.find((c) => c.def.id === id)!.def.label) })),
        findings: r.findings.map((f) => findingView(t, s, f, r.findings)),
      };
    },
    async fix(id, onLine) {
      const f = byId(id);
      if (!f?.fix?.auto) return;
      // Logged, locked and refused on a half-restored stack like every change; the screen shows the reason.
      await guardedFix(ctx, await stack(), f.fix.action, onLine).catch((e: unknown) => {
        throw e instanceof WizardError ? new Error(errorText(t, e)) : e;
      });
    },
    async verify(id) {
      const s = await stack();
      const f = byId(id);
      if (!f) return { fixed: true, now: null };
      const now = await recheck(ctx, s, [f.check]);
      const same = now.find((x) => x.id === id) ?? null;
      // Keep the latest picture, so a later fix acts on the current state.
      last = [...last.filter((x) => x.check !== f.check), ...now];
      return { fixed: resolved(f, now), now: same && isProblem(same) ? findingView(t, s, same, last) : null };
    },
  };
}
