// /etc/docker/daemon.json, merged, never overwritten: the operator's keys stay as they are; we add a
// live Docker Hub registry mirror first in `registry-mirrors`, log rotation defaults and live-restore
// only where the file says nothing about them. Invalid existing JSON is an error, never a clobber.
import { assertLive, trimSlash, type MirrorChoice } from '../domain/mirrors.js';

export class DaemonJsonError extends Error {
  constructor(readonly reason: 'syntax' | 'not-object' | 'field', readonly detail: string, readonly line: number | null = null, readonly col: number | null = null) {
    super(`daemon.json: ${detail}`);
    this.name = 'DaemonJsonError';
  }
}

/**
 * Where JSON text first goes wrong (V8's messages do not always carry a position). A small
 * recursive-descent scan over the JSON grammar; returns the offset of the first bad character.
 */
export function jsonErrorOffset(text: string): number | null {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const str = () => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    if (text[i] !== '"') fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (c === '"') return str();
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
    if (!m) fail();
    i += m![0].length;
  };
  try {
    value();
    ws();
    return i < text.length ? i : null;
  } catch (at) {
    return typeof at === 'number' ? at : null;
  }
}

function lineCol(text: string, pos: number): { line: number; col: number } {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  return { line, col: pos - before.lastIndexOf('\n') };
}

/** The existing file as an object ({} when absent or empty). */
export function parseDaemonJson(text: string | null): Record<string, unknown> {
  if (text === null || text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    const off = jsonErrorOffset(text);
    const at = off === null ? { line: null, col: null } : lineCol(text, off);
    const near = off === null ? '' : off >= text.length ? 'unexpected end of file' : `unexpected ${JSON.stringify(text[off])}`;
    throw new DaemonJsonError('syntax', near || (e as Error).message.split('\n')[0]!, at.line, at.col);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new DaemonJsonError('not-object', 'the top level must be a JSON object { … }');
  return v as Record<string, unknown>;
}

export interface DaemonWants {
  /** The chosen Docker Hub mirror (must be live); absent: registry-mirrors is left alone. */
  registry?: MirrorChoice;
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

/** Flag names (`--name`) given to a dockerd command line, e.g. from /proc/<pid>/cmdline or the unit's ExecStart. */
export function dockerdFlagNames(argv: readonly string[]): string[] {
  return [...new Set(argv.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]!))];
}

export interface DaemonMerge {
  /** The new content; the existing one (null: no file) when nothing changes. */
  text: string | null;
  /** Human-readable list of what changed (for the preview). */
  changes: string[];
}

const sameUrl = (a: string, b: string) => trimSlash(a).toLowerCase() === trimSlash(b).toLowerCase();

/** The existing registry-mirrors entries (an error when the field is not a list of strings). */
export function existingRegistryMirrors(cfg: Record<string, unknown>): string[] {
  const v = cfg['registry-mirrors'];
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new DaemonJsonError('field', '"registry-mirrors" must be a list of URLs');
  return v as string[];
}

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
    assertLive(want.registry);
    const old = existingRegistryMirrors(cfg);
    const dead = want.deadExisting ?? [];
    const kept = old.filter((u) => !sameUrl(u, want.registry!.url) && !dead.some((d) => sameUrl(d, u)));
    const next = [trimSlash(want.registry.url), ...kept];
    for (const u of old.filter((u) => dead.some((d) => sameUrl(d, u)))) changes.push(`- registry-mirrors: ${u}`);
    if (JSON.stringify(next) !== JSON.stringify(old)) {
      if (!old.some((u) => sameUrl(u, want.registry!.url))) changes.push(`+ registry-mirrors: ${trimSlash(want.registry.url)}`);
      else if (!sameUrl(old[0]!, want.registry.url)) changes.push(`~ registry-mirrors: ${trimSlash(want.registry.url)} first`);
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
