// Host files for tuning the stack needs: the kernel settings file, the swap file's fstab line, and
// rotation of the Nginx logs on the host. Pure generators; what to set is src/domain/host-tuning.ts.
import type { Plan } from '../domain/plan.js';
import { SWAPFILE, type SysctlSetting } from '../domain/host-tuning.js';
import { SYS } from '../domain/host-paths.js';
import { hostFile, type HostFile } from './host-file.js';
import { HOST } from './paths.js';
import { NGINX_ACCESS_LOG, NGINX_ERROR_LOG } from './nginx-log.js';
import { commentText, logrotatePath, logrotateScriptLine, shLine } from './format/quote.js';

export function renderSysctl(plan: Plan, settings: readonly SysctlSetting[]): string {
  const lines = [
    `# Kernel settings for the "${plan.project}" stack (MySQL, Redis, Nginx run in containers and cannot set them).`,
    '# Written by `stack-wizard security apply`; applied with sysctl -p on this file and at every boot.',
  ];
  for (const s of settings) lines.push('', `# ${s.reason}`, `${s.key} = ${s.value}`);
  return `${lines.join('\n')}\n`;
}

/** The kernel settings file, against what it holds now. */
export const sysctlHostFile = (plan: Plan, settings: readonly SysctlSetting[], old: string | null): HostFile => hostFile(SYS.sysctl, renderSysctl(plan, settings), old);

const FSTAB_LINE = `${SWAPFILE} none swap sw 0 0`;

/** /etc/fstab with the swap file's entry, or null when it already has one. */
export function fstabWithSwap(existing: string, path = SWAPFILE): string | null {
  const has = existing.split('\n').some((l) => !l.trim().startsWith('#') && l.trim().split(/\s+/)[0] === path);
  if (has) return null;
  const line = path === SWAPFILE ? FSTAB_LINE : `${path} none swap sw 0 0`;
  return `${existing}${existing === '' || existing.endsWith('\n') ? '' : '\n'}${line}\n`;
}

/** /etc/fstab with the swap file's line, or null when it has one (an absent fstab gets a new one). */
export function fstabHostFile(old: string | null): HostFile | null {
  const next = fstabWithSwap(old ?? '');
  return next === null ? null : hostFile(SYS.fstab, next, old, 0o644, { why: SWAPFILE });
}

// ---- logrotate for the Nginx logs on the host ----

/**
 * Rotation of the logs Nginx writes into the install dir (fail2ban reads them). The files are renamed
 * and Nginx is told to reopen (USR1), so no line is lost and fail2ban follows the new file.
 */
export function renderLogrotate(plan: Plan): string {
  const dir = `${plan.installDir}/${HOST.nginxLogs}`;
  // The file list quoted for logrotate, the postrotate line for /bin/sh (format/quote.ts).
  const files = [`${dir}/${NGINX_ACCESS_LOG}`, `${dir}/${NGINX_ERROR_LOG}`].map(logrotatePath).join(' ');
  const reopen = logrotateScriptLine(`${shLine(['docker', 'compose', '-f', `${plan.installDir}/${HOST.compose}`, 'kill', '-s', 'USR1', 'nginx'])} >/dev/null 2>&1 || true`);
  return `# Nginx logs of the "${commentText(plan.project)}" stack, on the host where fail2ban reads them.
# Written by \`stack-wizard security apply\`.
${files} {
    daily
    # Two weeks of history; a flood rotates early instead of filling the disk.
    rotate 14
    maxsize 200M
    missingok
    notifempty
    compress
    # Nginx writes to the renamed file until it reopens: keep that one uncompressed for a day.
    delaycompress
    create 0644 root root
    sharedscripts
    postrotate
        ${reopen}
    endscript
}
`;
}

/** The logrotate entry, against what it holds now. */
export const logrotateHostFile = (plan: Plan, old: string | null): HostFile => hostFile(SYS.logrotate(plan.project), renderLogrotate(plan), old);
