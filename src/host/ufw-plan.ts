// The host's ufw rules read against what the plan wants open. Shared by `security status` and
// doctor's firewall check, so both say the same about the same rules.
import type { Plan } from '../domain/plan.js';
import { narrowsSsh, satisfies, wantedAllows, type AllowPurpose } from '../render/security-ufw.js';
import type { UfwState } from './security.js';

export interface PortStatus { port: number; purpose: AllowPurpose; v4: boolean; v6: boolean }

/**
 * ufw's rules against what the plan wants open: each wanted port open or not (v4, v6), and the
 * rules that let in anything else. The operator's own narrower SSH rules (some addresses, `ufw
 * limit`) count as SSH open and are not "unexpected".
 */
export function ufwAgainstPlan(ufw: UfwState, plan: Plan): { ports: PortStatus[]; unexpected: string[] } {
  const wanted = wantedAllows(plan);
  const ports: PortStatus[] = wanted.map((w) => {
    // SSH also counts as open through the operator's own narrower rule (some addresses, or `ufw limit`).
    const actionOk = (a: string) => a === 'ALLOW' || (w.purpose === 'ssh' && a === 'LIMIT');
    const fromOk = (from: string) => /^Anywhere/.test(from) || w.purpose === 'ssh';
    const hit = (v6: boolean) =>
      ufw.active &&
      ufw.entries.some((e) => actionOk(e.action) && (e.direction === 'IN' || e.direction === null) && e.v6 === v6 && e.to.replace(/ \(v6\)$/, '') === `${w.port}/tcp` && fromOk(e.from));
    return { port: w.port, purpose: w.purpose, v4: hit(false), v6: ufw.defaults.ipv6 ? hit(true) : false };
  });
  const sshPorts = wanted.filter((w) => w.purpose === 'ssh').map((w) => w.port);
  const unexpected = ufw.rules
    .filter((r) => (r.action === 'allow' || r.action === 'limit') && r.direction === 'in' && !wanted.some((w) => satisfies(r, w)))
    .filter((r) => !sshPorts.some((p) => narrowsSsh(r, p)))
    .map((r) => r.text);
  return { ports, unexpected };
}
