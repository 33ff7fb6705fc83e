// Doctor's vocabulary. A check is a pure `evaluate(evidence) → findings`; its evidence is gathered
// elsewhere (src/host/doctor/, read-only, through the Executor), so every verdict can be
// tested on recorded evidence. Findings carry message keys, not text: the CLI, --json and the TUI
// translate them in the operator's language.
import type { MsgKey, Params, T } from '../../i18n/index.js';

export type Severity = 'ok' | 'info' | 'warn' | 'error';
export const SEVERITIES: readonly Severity[] = ['ok', 'info', 'warn', 'error'];
export const severityRank = (s: Severity) => SEVERITIES.indexOf(s);
export const worst = (xs: readonly Severity[]): Severity => xs.reduce<Severity>((w, s) => (severityRank(s) > severityRank(w) ? s : w), 'ok');

export interface Msg { key: MsgKey; params?: Params }
/** A line of evidence or a fix step: a message, or text shown as it is (a log line, a command). */
export type Line = Msg | string;
export const msg = (key: MsgKey, params?: Params): Msg => (params ? { key, params } : { key });
/** A line in the operator's language. */
export const lineText = (t: T, l: Line): string => (typeof l === 'string' ? l : t(l.key, l.params));

/** What an automatic fix does; src/steps/doctor-fixes.ts runs it through the Executor. */
export type FixAction =
  | { kind: 'compose-up'; services: string[] }
  | { kind: 'rollback-image'; service: string; image: string; imageId: string }
  | { kind: 'reload-nginx' }
  | { kind: 'restart-service'; service: string }
  | { kind: 'docker-restart' }
  | { kind: 'docker-prune' }
  | { kind: 'truncate-logs'; files: string[] }
  | { kind: 'stop-port-holder'; port: number; pid: number; unit: string | null }
  | { kind: 'restore-files'; paths: string[] }
  | { kind: 'redis-config'; set: Record<string, string> }
  | { kind: 'redis-save'; command: 'BGSAVE' | 'BGREWRITEAOF' }
  | { kind: 'renew-cert'; mode: 'self-signed' | 'letsencrypt' }
  | { kind: 'drop-mirrors'; urls: string[] }
  /** Plain commands on the host, in order (systemctl, timedatectl, chmod, fail2ban-client). */
  | { kind: 'commands'; argv: string[][] }
  /** Steps of `security apply` (by id), with its lock-out guard first. */
  | { kind: 'security-steps'; steps: string[] };

export type Fix =
  | { auto: true; action: FixAction; /** Notes shown with the commands (the commands come from the action). */ notes: Line[] }
  | { auto: false; steps: Line[] };

/** What the linker reads to tie a symptom to its cause. */
export interface Hints {
  /** The compose service this finding is about. */
  service?: string;
  /** The finding says this service does not work (stopped, crashing, unhealthy). */
  serviceDown?: boolean;
  /** Compose services whose failure would explain this finding. */
  needs?: string[];
  /** Services whose any problem (not only being down: full, refusing writes) would explain it. */
  affectedBy?: string[];
  /** What logs and outputs said: `enospc` (disk full), `oom`, `addr-in-use`, `dns`, `emerg`. */
  signals?: string[];
  /** Paths on a filesystem that is full (`install`, `docker`). */
  fullDisk?: ('install' | 'docker')[];
  /** Host ports this finding is about. */
  ports?: number[];
  /** Rendered files (relative to the install dir) this finding names. */
  files?: string[];
  /** The finding is DNS not resolving. */
  dnsBroken?: boolean;
  /** Kernel OOM kills named these processes. */
  oomKilled?: string[];
}

export interface Finding {
  /** Stable: `service.mysql`, `disk.docker`, `tls.expiry`. Scripts read it. */
  id: string;
  /** The check that made it: re-running that check verifies a fix. */
  check: string;
  severity: Severity;
  title: Msg;
  /** Why this matters and what usually causes it, in plain words. */
  explain?: Msg;
  evidence: Line[];
  fix: Fix | null;
  /** Findings (ids) this one follows from; filled by link(). */
  causedBy: string[];
  hints?: Hints;
}

/** The operator's complaint; each picks the checks worth running. */
export const SYMPTOMS = ['down', 'bad-gateway', 'slow', 'pull', 'disk', 'ssh', 'tls', 'all'] as const;
export type Symptom = (typeof SYMPTOMS)[number];

export interface CheckDef<E> {
  id: string;
  /** What the progress list shows while it runs. */
  label: MsgKey;
  symptoms: readonly Symptom[];
  evaluate(e: E, now: Date): Finding[];
}

/** The finding a check reports when everything it looked at is fine. */
export function okFinding(check: string, id: string, title: MsgKey, evidence: Line[] = [], params?: Params): Finding {
  return { id, check, severity: 'ok', title: msg(title, params), evidence, fix: null, causedBy: [] };
}

const KiB = 1024;
/** Bytes for people: 1.2 GiB, 340 MiB, 12 KiB. */
export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Math.abs(n);
  let i = 0;
  while (v >= KiB && i < units.length - 1) {
    v /= KiB;
    i++;
  }
  const s = i === 0 ? String(Math.round(v)) : v >= 100 ? v.toFixed(0) : v.toFixed(1);
  return `${n < 0 ? '-' : ''}${s} ${units[i]}`;
}

export const pct = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0);

/** "3 min", "2 h", "5 d": how long ago, for evidence lines. */
export function fmtAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}
