// Preflight: checks the host against the plan and changes nothing. Any error stops init before the
// first change (exit 3), with the numbers it compared and the fix; warnings are shown and logged.
import type { Context } from '../context.js';
import type { Step } from './engine.js';
import type { Prepared } from './prepare.js';
import { preflight, type DnsResult, type Finding, type PortHolder } from '../domain/preflight.js';
import { hostError } from '../errors.js';
import { isMsgKey, type T } from '../i18n/index.js';

const MARK: Record<Finding['level'], string> = { ok: '✓', info: '·', warn: '!', error: '✗' };

async function portHolders(ctx: Context, s: Prepared): Promise<PortHolder[]> {
  const busy = s.facts.ports.filter((p) => p.inUse).map((p) => p.port);
  if (busy.length === 0 || (await ctx.docker.unreachable())) return [];
  const out: PortHolder[] = [];
  for (const c of await ctx.docker.publishingContainers()) {
    for (const p of c.ports) {
      if (busy.includes(p.hostPort)) out.push({ port: p.hostPort, project: c.project, service: c.service, container: c.name });
    }
  }
  return out;
}

export async function runPreflight(ctx: Context, s: Prepared): Promise<Finding[]> {
  let dns: DnsResult | null = null;
  if (s.plan.nginx.tls === 'letsencrypt' && s.plan.nginx.domain) {
    const a = await ctx.exec.resolveName(s.plan.nginx.domain);
    dns = { name: s.plan.nginx.domain, ...a };
  }
  return preflight({ facts: s.facts, plan: s.plan, portHolders: await portHolders(ctx, s), dns });
}

/**
 * A finding's line in the operator's language; its `what` parameter is a message key too, and a
 * disk finding's parts ("images+data") become words with their sizes, "images 3.0 + database 2.0 GiB" (#22.7).
 */
export const findingText = (t: T, f: Finding) => {
  const what = f.params.what;
  let params = typeof what === 'string' && isMsgKey(what) ? { ...f.params, what: t(what) } : f.params;
  const parts = f.params.parts;
  if (typeof parts === 'string') {
    params = { ...params, parts: `${parts.split('+').map((p) => t(`pf.disk.${p}` as never, { n: f.params[p] ?? '?' })).join(' + ')} GiB` };
  }
  return t(f.key as never, params);
};

export const formatFinding = (ctx: Context, f: Finding) => `${MARK[f.level]} ${findingText(ctx.t, f)}`;

export const preflightStep: Step = {
  id: 'preflight',
  title: 'step.preflight',
  preflight: true,
  async check(ctx, s) {
    const findings = await runPreflight(ctx, s);
    return { needed: findings.some((f) => f.level === 'error'), changes: findings.map((f) => formatFinding(ctx, f)) };
  },
  async apply(ctx, s) {
    const findings = await runPreflight(ctx, s);
    const errors = findings.filter((f) => f.level === 'error');
    if (errors.length) throw hostError('err.preflight', { count: errors.length }, errors.map((f) => formatFinding(ctx, f)));
  },
};
