// `doctor` without an installed stack (#22.13): whether this host is ready for one, from the same
// checks init's preflight runs (src/domain/readiness.ts decides; here the host is read).
import type { Context } from '../context.js';
import { AnswersSchema } from '../domain/answers.js';
import { buildPlan } from '../domain/plan.js';
import { probeTarget } from '../domain/mirrors.js';
import { PULL_NAME, readiness, readinessExit } from '../domain/readiness.js';
import type { Finding } from '../domain/preflight.js';
import { WizardError } from '../errors.js';
import { probeHost } from '../host/probe.js';
import { probeMirrors } from '../host/mirror-probe.js';
import { catalogueFor, relevantKinds } from '../steps/mirrors.js';
import { findingText, formatFinding } from '../steps/preflight.js';

/** The stack a readiness check plans for: the defaults, preset auto (its app image is never pulled). */
const defaultAnswers = () => AnswersSchema.parse({ project: 'readiness', app: { image: 'registry.invalid/app:1' } });

export async function hostReadiness(ctx: Context, o: { json: boolean }): Promise<number> {
  const answers = defaultAnswers();
  const facts = await probeHost(ctx.exec, { installDir: '/opt/stack-wizard', env: ctx.env });
  let plan: Parameters<typeof readiness>[0]['plan'];
  try {
    plan = buildPlan(answers, facts);
  } catch (e) {
    if (!(e instanceof WizardError)) throw e;
    plan = { key: e.key, params: e.params };
  }
  const [dns, mirrors] = await Promise.all([
    ctx.exec.resolveName(PULL_NAME),
    catalogueFor(ctx).then((cat) => {
      const kinds = relevantKinds(facts);
      return probeMirrors(
        cat.filter((e) => kinds.includes(e.kind)),
        probeTarget(facts.os, facts.arch),
      );
    }),
  ]);
  const findings = readiness({ facts, plan, dns: { name: PULL_NAME, ...dns }, mirrors });
  const code = readinessExit(findings);
  ctx.io.out(o.json ? readinessJson(ctx, findings, code) : readinessText(ctx, findings));
  return code;
}

export function readinessJson(ctx: Context, findings: readonly Finding[], exitCode: number): string {
  // doctor --json's shape (docs/CONTRACT.md#commands), with what says there is no stack yet.
  const list = findings.map((f) => ({
    id: f.id,
    severity: f.level,
    title: findingText(ctx.t, f),
    evidence: [],
    fix: { auto: false, steps: [] },
  }));
  return `${JSON.stringify({ installed: false, ready: !findings.some((f) => f.level === 'error'), exitCode, findings: list }, null, 2)}\n`;
}

export function readinessText(ctx: Context, findings: readonly Finding[]): string {
  const errors = findings.filter((f) => f.level === 'error').length;
  const warns = findings.filter((f) => f.level === 'warn').length;
  return [
    ctx.t('rd.header'),
    '',
    ...findings.map((f) => `  ${formatFinding(ctx, f)}`),
    '',
    errors ? ctx.t('rd.notReady', { errors, warns }) : warns ? ctx.t('rd.readyWarn', { warns }) : ctx.t('rd.ready'),
    '',
  ].join('\n');
}
