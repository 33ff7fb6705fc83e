// The files ufw reads that the stack edits: the DOCKER-USER block merged into after.rules /
// after6.rules, and IPV6=yes in /etc/default/ufw. Pure generators; the rules themselves (what is
// wanted, the lock-out guard) are src/domain/firewall.ts.
import type { Plan } from '../domain/plan.js';
import { publishedPorts } from '../domain/firewall.js';
import { SYS } from '../domain/host-paths.js';
import { hostFile, type HostFile } from './host-file.js';

/** /etc/default/ufw with IPV6=yes: without it ufw drops all IPv6 traffic once enabled (and an IPv6 SSH session with it). */
export function withUfwIpv6(text: string): string {
  if (/^\s*IPV6\s*=/m.test(text)) return text.replace(/^\s*IPV6\s*=.*$/m, 'IPV6=yes');
  return `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}IPV6=yes\n`;
}

// ---- DOCKER-USER: Docker-published ports obey the same policy ----

export const AFTER_RULES_BEGIN = '# BEGIN stack-wizard DOCKER-USER';
export const AFTER_RULES_END = '# END stack-wizard DOCKER-USER';

/**
 * The block for /etc/ufw/after.rules (family 4) or after6.rules (6). Docker reaches published ports
 * through FORWARD after DNAT, where ufw's INPUT rules never look; DOCKER-USER is the chain Docker
 * leaves to its users and runs first. Declaring the chain here makes ufw flush and refill it on every
 * start or reload, so the rules never pile up.
 */
export function dockerUserBlock(plan: Plan, family: 4 | 6): string {
  const uf = family === 4 ? 'ufw-user-forward' : 'ufw6-user-forward';
  const lines = [
    AFTER_RULES_BEGIN,
    '# Managed by `stack-wizard security apply`: edits inside this block are overwritten.',
    '# New connections from outside into a container are dropped unless they were addressed to a',
    '# port the firewall allows; ufw route rules (where fail2ban puts its bans) are checked first,',
    '# so a banned address cannot reach the published ports either.',
    '*filter',
    ':DOCKER-USER - [0:0]',
    `:${uf} - [0:0]`,
    '# Traffic that containers start (and between containers) is Docker\'s own business.',
    '-A DOCKER-USER -i docker0 -j RETURN',
    '-A DOCKER-USER -i br-+ -j RETURN',
    // Swarm: a task's host-mode port and its way out go through docker_gwbridge, as bridge ones through br-+.
    ...(plan.swarm ? ['-A DOCKER-USER -i docker_gwbridge -j RETURN'] : []),
    `-A DOCKER-USER -j ${uf}`,
    '-A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
    // --ctorigdstport is the port the client asked for on the host, before Docker rewrote it.
    ...publishedPorts(plan).map((p) => `-A DOCKER-USER -p tcp -m conntrack --ctstate DNAT --ctorigdstport ${p} -j RETURN`),
    '-A DOCKER-USER -o docker0 -j DROP',
    '-A DOCKER-USER -o br-+ -j DROP',
    ...(plan.swarm ? ['-A DOCKER-USER -o docker_gwbridge -j DROP'] : []),
    '-A DOCKER-USER -j RETURN',
    'COMMIT',
    AFTER_RULES_END,
  ];
  return `${lines.join('\n')}\n`;
}

/** The rules of the block as `iptables -S DOCKER-USER` prints them, to tell whether they are live. */
export function dockerUserRuleSpecs(block: string): string[] {
  return block.split('\n').filter((l) => l.startsWith('-A DOCKER-USER '));
}

export class ManagedBlockError extends Error {}

/** `existing` with our block replaced (or appended once); everything outside the markers is kept byte for byte. */
export function mergeManagedBlock(existing: string, block: string, begin = AFTER_RULES_BEGIN, end = AFTER_RULES_END): string {
  const lines = existing.split('\n');
  const b = lines.findIndex((l) => l.trim() === begin);
  const e = lines.findIndex((l, i) => i > b && l.trim() === end);
  if (b >= 0 && e < 0) throw new ManagedBlockError(`found "${begin}" without "${end}"`);
  if (b < 0 && lines.some((l) => l.trim() === end)) throw new ManagedBlockError(`found "${end}" without "${begin}"`);
  const body = block.endsWith('\n') ? block.slice(0, -1) : block;
  if (b >= 0) return [...lines.slice(0, b), body, ...lines.slice(e + 1)].join('\n');
  const base = existing === '' || existing.endsWith('\n') ? existing : `${existing}\n`;
  return `${base}${base === '' ? '' : '\n'}${block.endsWith('\n') ? block : `${block}\n`}`;
}

// ---- the files, from what they hold now ----

/** What the ufw files hold now (null: absent), and whether ufw is installed (it ships after.rules). */
export interface UfwFilesNow {
  installed: boolean;
  defaultsText: string | null;
  ipv6: boolean;
  afterRules: string | null;
  after6Rules: string | null;
}

/** Why the files cannot be written: ufw without its after.rules, or our block's markers damaged. */
export interface UfwFilesProblem { reason: 'missing' | 'damaged'; path: string; detail?: string }

/**
 * The ufw files the firewall step writes: /etc/default/ufw with IPV6=yes when it says otherwise, and
 * the DOCKER-USER block merged into after.rules and after6.rules (the block alone where ufw is not
 * installed yet: its package keeps an existing file). Stops at the first file it cannot merge.
 */
export function renderUfwFiles(plan: Plan, now: UfwFilesNow): { files: HostFile[]; problem: UfwFilesProblem | null } {
  const files: HostFile[] = [];
  if (now.defaultsText !== null && !now.ipv6) files.push(hostFile(SYS.ufwDefaults, withUfwIpv6(now.defaultsText), now.defaultsText, 0o644, { why: 'IPV6=yes' }));
  for (const [path, text, fam] of [[SYS.afterRules, now.afterRules, 4], [SYS.after6Rules, now.after6Rules, 6]] as const) {
    const block = dockerUserBlock(plan, fam);
    if (text === null) {
      if (now.installed) return { files, problem: { reason: 'missing', path } };
      files.push(hostFile(path, block, null, 0o640, { why: 'DOCKER-USER' }));
      continue;
    }
    try {
      files.push(hostFile(path, mergeManagedBlock(text, block), text, 0o640, { why: 'DOCKER-USER' }));
    } catch (e) {
      if (e instanceof ManagedBlockError) return { files, problem: { reason: 'damaged', path, detail: e.message } };
      throw e;
    }
  }
  return { files, problem: null };
}
