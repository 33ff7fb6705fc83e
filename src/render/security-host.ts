// Host tuning that MySQL, Redis and Nginx need and cannot set from inside a container: kernel
// settings, a swap file on small hosts, and rotation of the Nginx logs on the host. Pure.
import type { Plan } from '../domain/plan.js';
import { HOST } from './paths.js';
import { NGINX_ACCESS_LOG, NGINX_ERROR_LOG } from './nginx-log.js';

export const SYSCTL_KEYS = ['vm.overcommit_memory', 'net.core.somaxconn', 'vm.swappiness'] as const;
export type SysctlKey = (typeof SYSCTL_KEYS)[number];
export interface SysctlSetting { key: SysctlKey; value: number; reason: string }

/** Listen backlog Nginx and Redis can really get; Redis's tcp-backlog is 511 and the kernel caps it silently. */
export const SOMAXCONN_MIN = 4096;
/** Swap only under real pressure: page cache goes first, MySQL's buffer pool and Redis's data last. */
export const SWAPPINESS_MAX = 10;

/**
 * The kernel settings for this stack. A value the operator already raised (somaxconn) or lowered
 * (swappiness) further is kept, never undone.
 */
export function sysctlSettings(plan: Plan, current: Partial<Record<SysctlKey, number>>): SysctlSetting[] {
  const out: SysctlSetting[] = [];
  if (plan.redis) {
    out.push({
      key: 'vm.overcommit_memory',
      value: 1,
      reason: 'Redis forks to save and rewrite its data; under the default heuristic that fork can fail when memory is tight, and saving stops.',
    });
  }
  out.push({
    key: 'net.core.somaxconn',
    value: Math.max(SOMAXCONN_MIN, current['net.core.somaxconn'] ?? 0),
    reason: 'Nginx and Redis (tcp-backlog 511) ask for long accept queues; the kernel caps every backlog at this value.',
  });
  const sw = current['vm.swappiness'];
  out.push({
    key: 'vm.swappiness',
    value: sw === undefined ? SWAPPINESS_MAX : Math.min(SWAPPINESS_MAX, sw),
    reason: 'Drop page cache before swapping out MySQL\'s buffer pool or Redis\'s data; swap is for real pressure only.',
  });
  return out;
}

export function renderSysctl(plan: Plan, settings: readonly SysctlSetting[]): string {
  const lines = [
    `# Kernel settings for the "${plan.project}" stack (MySQL, Redis, Nginx run in containers and cannot set them).`,
    '# Written by `stack-wizard security apply`; applied with sysctl -p on this file and at every boot.',
  ];
  for (const s of settings) lines.push('', `# ${s.reason}`, `${s.key} = ${s.value}`);
  return `${lines.join('\n')}\n`;
}

/** `key = value` lines of a sysctl file. */
export function parseSysctlFile(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([\w.]+)\s*=\s*(-?\d+)\s*$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

// ---- swap ----

/** "4 GB or less": a "4 GB" VM reports 3.6–3.9 GiB; the slack lets one that reports a full 4 GiB count too. */
export const SWAP_MAX_RAM_MIB = 4352;
/** Room left on the disk after the swap file: images, logs and backups need it more. */
export const SWAP_DISK_HEADROOM_MIB = 5 * 1024;

/**
 * Half the RAM, rounded up to 512 MiB, between 1 and 2 GiB: enough to absorb a spike (a MySQL
 * sort, a Redis rewrite) instead of the OOM killer taking a database, small enough that steady
 * swapping shows up as slowness to investigate rather than hiding a host that is too small.
 */
export function swapSizeMiB(ramMiB: number): number {
  const half = Math.ceil(ramMiB / 2 / 512) * 512;
  return Math.min(2048, Math.max(1024, half));
}

export type SwapDecision =
  | { create: true; sizeMiB: number }
  | { create: false; reason: 'hasSwap' | 'enoughRam' | 'container' | 'lowDisk'; sizeMiB?: number };

export function swapDecision(o: { ramMiB: number; swapMiB: number; freeDiskMiB: number; container: boolean }): SwapDecision {
  if (o.swapMiB > 0) return { create: false, reason: 'hasSwap' };
  if (o.ramMiB > SWAP_MAX_RAM_MIB) return { create: false, reason: 'enoughRam' };
  // A container shares the host's kernel: swap is the host's business (and swapon is not allowed).
  if (o.container) return { create: false, reason: 'container' };
  const sizeMiB = swapSizeMiB(o.ramMiB);
  if (o.freeDiskMiB < sizeMiB + SWAP_DISK_HEADROOM_MIB) return { create: false, reason: 'lowDisk', sizeMiB };
  return { create: true, sizeMiB };
}

export const SWAPFILE = '/swapfile';
const FSTAB_LINE = `${SWAPFILE} none swap sw 0 0`;

/** /etc/fstab with the swap file's entry, or null when it already has one. */
export function fstabWithSwap(existing: string, path = SWAPFILE): string | null {
  const has = existing.split('\n').some((l) => !l.trim().startsWith('#') && l.trim().split(/\s+/)[0] === path);
  if (has) return null;
  const line = path === SWAPFILE ? FSTAB_LINE : `${path} none swap sw 0 0`;
  return `${existing}${existing === '' || existing.endsWith('\n') ? '' : '\n'}${line}\n`;
}

/** Swap areas in use, from /proc/swaps (header line first). */
export function parseProcSwaps(text: string): { path: string; type: string; sizeKiB: number; usedKiB: number }[] {
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((c) => c.length >= 4 && c[0])
    .map((c) => ({ path: c[0]!.replace(/\\040/g, ' '), type: c[1]!, sizeKiB: Number(c[2]), usedKiB: Number(c[3]) }));
}

// ---- logrotate for the Nginx logs on the host ----

/**
 * Rotation of the logs Nginx writes into the install dir (fail2ban reads them). The files are renamed
 * and Nginx is told to reopen (USR1), so no line is lost and fail2ban follows the new file.
 */
export function renderLogrotate(plan: Plan): string {
  const dir = `${plan.installDir}/${HOST.nginxLogs}`;
  return `# Nginx logs of the "${plan.project}" stack, on the host where fail2ban reads them.
# Written by \`stack-wizard security apply\`.
${dir}/${NGINX_ACCESS_LOG} ${dir}/${NGINX_ERROR_LOG} {
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
        docker compose -f ${plan.installDir}/${HOST.compose} kill -s USR1 nginx >/dev/null 2>&1 || true
    endscript
}
`;
}
