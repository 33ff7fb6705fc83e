// What `security status` reports (and the maintenance menu shows): the firewall against the plan,
// the DOCKER-USER rules, fail2ban's jails and bans, kernel settings and swap. Read-only.
import type { Context } from '../context.js';
import type { Prepared } from './prepare.js';
import { UFW_TAG, satisfies, ufwAgainstPlan, wantedAllows, type PortStatus } from '../domain/firewall.js';
import { dockerUserBlock, dockerUserRuleSpecs, mergeManagedBlock } from '../render/security-ufw.js';
import { sysctlSettings } from '../domain/host-tuning.js';
import { readDockerUser, readFail2ban, readSysctl, readUfw, inContainer } from '../host/security.js';
import { expectedJails, swapView } from './security.js';

export type { PortStatus };

export interface SecurityStatus {
  project: string;
  firewall: {
    installed: boolean;
    active: boolean;
    defaults: { incoming: string; outgoing: string; routed: string };
    ipv6: boolean;
    /** Rules as ufw stores them; `managed` = added by stack-wizard (or identical to one it wants). */
    rules: { rule: string; managed: boolean }[];
    ports: PortStatus[];
    sshOpen: boolean;
    webOpen: boolean;
    /** Incoming allow rules beyond the plan (ufw route allows included). */
    unexpected: string[];
    onlyExpectedOpen: boolean;
    dockerUser: { afterRules: boolean; after6Rules: boolean; live: boolean; dockerRunning: boolean };
  };
  fail2ban: {
    installed: boolean;
    running: boolean;
    jails: { name: string; currentlyFailed: number; currentlyBanned: number; totalBanned: number; bannedIps: string[] }[];
    missingJails: string[];
  };
  sysctl: { key: string; value: number | null; expected: number; ok: boolean }[];
  sysctlSettable: boolean;
  swap: { ramMiB: number; activeMiB: number; swapfile: boolean; recommendation: string; sizeMiB: number | null };
}

const MiB = 1024 * 1024;

export async function securityStatus(ctx: Context, s: Prepared): Promise<SecurityStatus> {
  const { plan, facts } = s;
  const [ufw, docker, f2b, sys, swap] = await Promise.all([
    readUfw(ctx.exec, ctx.hostRoot),
    readDockerUser(ctx.exec),
    readFail2ban(ctx.exec),
    readSysctl(ctx.exec, ctx.hostRoot),
    swapView(ctx, facts),
  ]);
  const wanted = wantedAllows(plan);
  const { ports, unexpected } = ufwAgainstPlan(ufw, plan);
  const blockIn = (text: string | null, fam: 4 | 6) => text !== null && text.includes(dockerUserBlock(plan, fam)) && mergeManagedBlock(text, dockerUserBlock(plan, fam)) === text;
  const liveWant = dockerUserRuleSpecs(dockerUserBlock(plan, 4));
  const settings = sysctlSettings(plan, sys.values);
  return {
    project: plan.project,
    firewall: {
      installed: ufw.installed,
      active: ufw.active,
      defaults: { incoming: ufw.defaults.incoming, outgoing: ufw.defaults.outgoing, routed: ufw.defaults.routed },
      ipv6: ufw.defaults.ipv6,
      rules: ufw.rules.map((r) => ({ rule: r.text, managed: (r.comment ?? '').startsWith(UFW_TAG) || wanted.some((w) => satisfies(r, w)) })),
      ports,
      sshOpen: ports.filter((p) => p.purpose === 'ssh').every((p) => p.v4),
      webOpen: ports.filter((p) => p.purpose === 'http' || p.purpose === 'https').every((p) => p.v4),
      unexpected,
      onlyExpectedOpen: ufw.active && ufw.defaults.incoming !== 'allow' && unexpected.length === 0,
      dockerUser: {
        afterRules: blockIn(ufw.afterRules, 4),
        after6Rules: blockIn(ufw.after6Rules, 6),
        live: docker.v4 !== null && docker.v4.join('\n') === liveWant.join('\n'),
        dockerRunning: docker.forwardJump,
      },
    },
    fail2ban: {
      installed: f2b.installed,
      running: f2b.running,
      jails: f2b.jails,
      missingJails: f2b.running ? expectedJails().filter((j) => !f2b.jails.some((x) => x.name === j)) : expectedJails(),
    },
    sysctl: settings.map((x) => ({ key: x.key, value: sys.values[x.key] ?? null, expected: x.value, ok: sys.values[x.key] === x.value })),
    sysctlSettable: sys.writable && !inContainer(facts),
    swap: {
      ramMiB: Math.floor(facts.memory.totalBytes / MiB),
      activeMiB: swap.activeMiB,
      swapfile: swap.swapfileActive,
      recommendation: swap.decision.create ? 'create' : swap.decision.reason,
      sizeMiB: swap.decision.sizeMiB ?? null,
    },
  };
}
