// /etc/docker/daemon.json, merged, never overwritten: the operator's keys stay as they are; we add a
// Docker Hub registry mirrors that served the plan's images first in `registry-mirrors` (fastest first:
// Docker tries them in order), log rotation defaults and live-restore
// only where the file says nothing about them. Invalid existing JSON is an error, never a clobber.
// Reading the existing file (and its errors) is src/domain/daemon-json.ts; this is the merge.
import { assertLive, trimSlash, type MirrorChoice } from '../domain/mirrors.js';
import { DaemonJsonError, existingRegistryMirrors, parseDaemonJson } from '../domain/daemon-json.js';

export interface DaemonWants {
  /** The chosen Docker Hub mirror (must be live); absent: registry-mirrors is left alone. */
  registry?: MirrorChoice;
  /** Further live mirrors, after `registry` in this order (the probe's, by blob speed). */
  also?: readonly MirrorChoice[];
  /** Existing registry-mirrors entries that probed dead: dropped so Docker stops trying them. */
  deadExisting?: readonly string[];
  logs: { maxSizeMiB: number; maxFiles: number };
  /** False on a swarm manager/worker, where dockerd refuses live-restore. */
  liveRestore: boolean;
  /**
   * Options dockerd already gets as command-line flags (`--registry-mirror`, `--log-opt`, …): the
   * same setting in daemon.json too makes dockerd refuse to start, so those keys are left alone.
   */
  flags?: readonly string[];
}

/** daemon.json key → the dockerd flag(s) that set the same thing. */
const FLAG_FOR: Record<string, readonly string[]> = {
  'registry-mirrors': ['--registry-mirror'],
  'log-opts': ['--log-opt', '--log-driver'],
  'live-restore': ['--live-restore'],
};

export interface DaemonMerge {
  /** The new content; the existing one (null: no file) when nothing changes. */
  text: string | null;
  /** Human-readable list of what changed (for the preview). */
  changes: string[];
}

const sameUrl = (a: string, b: string) => trimSlash(a).toLowerCase() === trimSlash(b).toLowerCase();
/** The URLs of `a` also in `b`, in `a`'s order: two lists hold their common entries in the same order when these agree. */
const inBoth = (a: readonly string[], b: readonly string[]) => a.filter((u) => b.some((v) => sameUrl(u, v))).map((u) => trimSlash(u).toLowerCase()).join(' ');

// Drivers whose log-opts take max-size / max-file.
const ROTATING_DRIVERS = new Set(['json-file', 'local']);

export function mergeDaemonJson(existingText: string | null, want: DaemonWants): DaemonMerge {
  const cfg = parseDaemonJson(existingText);
  const out: Record<string, unknown> = { ...cfg };
  const changes: string[] = [];
  const byFlag = (key: string) => {
    const f = FLAG_FOR[key]!.find((x) => want.flags?.includes(x));
    if (f) changes.push(`! ${key}: dockerd already gets ${f} on its command line; left alone`);
    return f !== undefined;
  };

  if (want.registry && !byFlag('registry-mirrors')) {
    const ours = [want.registry, ...(want.also ?? [])];
    for (const c of ours) assertLive(c);
    const old = existingRegistryMirrors(cfg);
    const dead = want.deadExisting ?? [];
    const kept = old.filter((u) => !ours.some((c) => sameUrl(u, c.url)) && !dead.some((d) => sameUrl(d, u)));
    const next = [...ours.map((c) => trimSlash(c.url)), ...kept];
    for (const u of old.filter((u) => dead.some((d) => sameUrl(d, u)))) changes.push(`- registry-mirrors: ${u}`);
    if (JSON.stringify(next) !== JSON.stringify(old)) {
      const added = ours.filter((c) => !old.some((u) => sameUrl(u, c.url)));
      for (const c of added) changes.push(`+ registry-mirrors: ${trimSlash(c.url)}`);
      if (!added.length && !sameUrl(old[0]!, want.registry.url)) changes.push(`~ registry-mirrors: ${trimSlash(want.registry.url)} first`);
      else if (!added.length && inBoth(next, old) !== inBoth(old, next)) changes.push(`~ registry-mirrors: ${next.join(', ')}`);
      out['registry-mirrors'] = next;
    }
  }

  const driver = out['log-driver'];
  if (driver !== undefined && typeof driver !== 'string') throw new DaemonJsonError('field', '"log-driver" must be a string');
  // No log-driver means Docker's default, json-file.
  if ((driver === undefined || ROTATING_DRIVERS.has(driver)) && !byFlag('log-opts')) {
    const opts = out['log-opts'];
    if (opts !== undefined && (opts === null || typeof opts !== 'object' || Array.isArray(opts))) throw new DaemonJsonError('field', '"log-opts" must be an object of strings');
    const o = { ...((opts as Record<string, unknown>) ?? {}) };
    // Rotation so container logs cannot fill the disk: the preset's per-file size and file count.
    const add: Record<string, string> = { 'max-size': `${want.logs.maxSizeMiB}m`, 'max-file': String(want.logs.maxFiles) };
    let touched = false;
    for (const [k, v] of Object.entries(add)) {
      if (!(k in o)) {
        o[k] = v;
        touched = true;
        changes.push(`+ log-opts.${k}: ${v}`);
      }
    }
    if (touched) out['log-opts'] = o;
  }

  if (!('live-restore' in out) && want.liveRestore && !byFlag('live-restore')) {
    // Containers keep running while dockerd restarts (upgrades, daemon.json reloads).
    out['live-restore'] = true;
    changes.push('+ live-restore: true');
  }

  const text = `${JSON.stringify(out, null, 2)}\n`;
  // Nothing to change (notes aside): the file stays as it is, the operator's formatting included; absent stays absent.
  if (!changes.some((c) => !c.startsWith('!'))) return { text: existingText, changes };
  return { text, changes };
}
