// Doctor's flow: find the installed stack, gather the evidence the chosen checks need (in
// parallel, read-only), evaluate, link symptoms to causes, order worst first. Re-running one
// check verifies a fix.
import { join } from 'node:path';
import type { Context } from '../context.js';
import { CHECKS, checksFor, type CheckEntry, type EvidenceSources } from '../domain/doctor/checks.js';
import { link, sortFindings } from '../domain/doctor/link.js';
import { msg, severityRank, worst, type Finding, type Severity, type Symptom } from '../domain/doctor/types.js';
import type { MsgKey } from '../i18n/index.js';
import type { Gather } from '../host/doctor/gather.js';
import { gatherFor, type DoctorStack } from '../host/doctor/sources.js';
import { HOST } from '../render/paths.js';
import { findStack } from './stack-status.js';
import { loadAnswers, prepare } from './prepare.js';
import { catalogueFor } from './mirrors.js';
import { usageError } from '../errors.js';

export type { DoctorStack } from '../host/doctor/sources.js';

/** The stack doctor looks after: --answers, else the one init recorded (or --project's). */
export async function loadDoctorStack(ctx: Context, o: { answersFile?: string; project?: string }): Promise<DoctorStack> {
  const ref = await findStack(ctx, o);
  const answers = await loadAnswers(ctx, o.answersFile ?? join(ref.installDir, HOST.answers));
  // The plan and the files a render gives now; .env's secrets are read (and added to redaction), never written.
  const p = await prepare(ctx, { answers });
  const catalogue = await catalogueFor(ctx).catch(() => undefined);
  return { project: p.plan.project, installDir: p.plan.installDir, answers, plan: p.plan, facts: p.facts, files: p.files, secrets: p.secrets, ...(catalogue ? { catalogue } : {}) };
}

export interface DoctorProgress { check: string; label: MsgKey; state: 'start' | 'done'; severity?: Severity }

export interface DoctorReport {
  project: string;
  installDir: string;
  symptom: Symptom;
  checkedAt: string;
  /** Check ids that ran, in report order. */
  checks: string[];
  findings: Finding[];
  /** The evidence the checks read, by source (the support bundle keeps it; tests replay it). */
  evidence: Partial<EvidenceSources>;
}

/** The checks a run covers: a symptom's, or the named ones. */
export function selectChecks(o: { symptom?: Symptom; checks?: string[] }): CheckEntry[] {
  if (o.checks?.length) {
    const known = CHECKS.map((c) => c.def.id);
    const bad = o.checks.find((c) => !known.includes(c));
    if (bad) throw usageError('doc.err.badCheck', { value: bad, list: known.join(', ') });
    return CHECKS.filter((c) => o.checks!.includes(c.def.id));
  }
  return checksFor(o.symptom ?? 'all');
}

async function evaluateOne(g: Gather, e: CheckEntry, now: Date): Promise<Finding[]> {
  try {
    const ev = await g.source(e.source);
    return e.def.evaluate(ev as never, now);
  } catch (err) {
    // One check failing to gather must not hide the others' findings.
    return [{
      id: `${e.def.id}.failed`, check: e.def.id, severity: 'warn', title: msg('doc.checkFailed', { check: e.def.id, error: err instanceof Error ? err.message : String(err) }),
      evidence: [], fix: null, causedBy: [],
    }];
  }
}

/** At most `n` at once: docker exec and stats calls compete for the same two cores. */
async function mapLimit<T, R>(xs: readonly T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(xs.length);
  let next = 0;
  const worker = async () => {
    while (next < xs.length) {
      const i = next++;
      out[i] = await fn(xs[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, xs.length) }, worker));
  return out;
}

export async function runDoctor(
  ctx: Context,
  stack: DoctorStack,
  o: { symptom?: Symptom; checks?: string[]; onProgress?: (p: DoctorProgress) => void } = {},
): Promise<DoctorReport> {
  const entries = selectChecks(o);
  const g = gatherFor(ctx, stack);
  const now = ctx.clock();
  const results = await mapLimit(entries, 6, async (e) => {
    o.onProgress?.({ check: e.def.id, label: e.def.label, state: 'start' });
    const fs = await evaluateOne(g, e, now);
    o.onProgress?.({ check: e.def.id, label: e.def.label, state: 'done', severity: worst(fs.map((f) => f.severity)) });
    return fs;
  });
  const evidence: Partial<EvidenceSources> = {};
  for (const src of new Set(entries.map((e) => e.source))) {
    const v = await g.source(src).catch(() => undefined);
    if (v !== undefined) (evidence as Record<string, unknown>)[src] = v;
  }
  return {
    project: stack.project,
    installDir: stack.installDir,
    symptom: o.checks?.length ? 'all' : (o.symptom ?? 'all'),
    checkedAt: now.toISOString(),
    checks: entries.map((e) => e.def.id),
    findings: sortFindings(link(results.flat())),
    evidence,
  };
}

/** Re-runs the checks that made these findings (fresh evidence) and returns their findings now. */
export async function recheck(ctx: Context, stack: DoctorStack, checks: readonly string[]): Promise<Finding[]> {
  const g = gatherFor(ctx, stack);
  const now = ctx.clock();
  const entries = CHECKS.filter((c) => checks.includes(c.def.id));
  return link((await Promise.all(entries.map((e) => evaluateOne(g, e, now)))).flat());
}

/** Whether a finding is gone (or no longer a problem) among a check's findings now. */
export function resolved(before: Finding, now: readonly Finding[]): boolean {
  const same = now.find((f) => f.id === before.id);
  return !same || severityRank(same.severity) <= severityRank('info');
}

export const isProblem = (f: Finding) => severityRank(f.severity) >= severityRank('warn');

/** The exit code for a report (docs/CONTRACT.md#commands): 0 nothing worse than info, 4 a warning, 5 an error. */
export function exitCodeFor(findings: readonly Finding[]): number {
  const w = worst(findings.map((f) => f.severity));
  return w === 'error' ? 5 : w === 'warn' ? 4 : 0;
}
