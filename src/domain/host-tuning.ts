// Host tuning as policy: the kernel settings MySQL, Redis and Nginx need and cannot set from inside a
// container, and whether this host gets a swap file, of which size. Pure: the files are
// src/render/security-host.ts, the host's current values src/host/security.ts.
import type { Plan } from './plan.js';
import { SYS } from './host-paths.js';

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

/** The swap file, as the booted system names it. */
export const SWAPFILE = SYS.swapfile;
