// Use cases: probe the mirror candidates in parallel and rank them (`mirrors`); the wizard's
// region screen gets its candidates and their measurements here too. JSON: { results: [{ kind,
// id, url, alive, latencyMs, bytesPerSecond, error, class, images, blobBytesPerSecond }], best:
// { <kind>: <id> } } (docs/CONTRACT.md#mirrors); `best` names live candidates only. Registry
// candidates are judged on the Docker Hub images of a plan: `--answers F`'s, else the default one's.
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Context } from '../context.js';
import {
  MIRROR_KINDS, bestByKind, classOf, parseCatalogue, probeTarget, rankResults, trimSlash, type MirrorEntry, type MirrorKind, type ProbeResult,
} from '../domain/mirrors.js';
import { AnswersSchema, type Answers } from '../domain/answers.js';
import type { Draft } from '../domain/draft.js';
import type { MirrorClass } from '../domain/registry-class.js';
import { planHubImages } from '../domain/plan.js';
import { platformText, type HubImage } from '../domain/registry.js';
import { PROBE_DEFAULTS, probeMirrors } from '../host/mirror-probe.js';
import { catalogueFor, entryFor, relevantKinds, rememberProbes } from '../steps/mirrors.js';
import { loadAnswers } from '../steps/prepare.js';
import type { HostFacts } from '../domain/facts.js';
import { hostPlatform } from '../host/platform.js';
import { displayWidth, padEndDisplay } from '../host/report.js';
import { usageError } from '../errors.js';
import type { MsgKey, T } from '../i18n/index.js';

async function loadCatalogue(ctx: Context, file: string | undefined): Promise<readonly MirrorEntry[]> {
  if (!file) return catalogueFor(ctx);
  let text: string | null;
  try {
    text = await ctx.exec.readFile(resolve(ctx.cwd, file));
  } catch (e) {
    throw usageError('err.fileUnreadable', { file, reason: (e as NodeJS.ErrnoException).code ?? String(e) });
  }
  if (text === null) throw usageError('err.catalogMissing', { file });
  return parseCatalogue(text, file, ctx.t);
}

export function parseKinds(v: string | undefined): MirrorKind[] | null {
  if (!v) return null;
  const kinds = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const k of kinds) if (!(MIRROR_KINDS as readonly string[]).includes(k)) throw usageError('err.badKind', { kind: k, kinds: MIRROR_KINDS.join(', ') });
  return kinds as MirrorKind[];
}

export function parseTimeout(v: string | undefined): number {
  if (v === undefined) return PROBE_DEFAULTS.deadlineMs;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 500 || n > 60_000) throw usageError('err.badTimeout', { value: v });
  return n;
}

/** Output of `--json`: exactly these fields, ranked within each kind. */
export function mirrorsJson(results: readonly ProbeResult[]) {
  return {
    results: rankResults(results).map((r) => ({
      kind: r.kind, id: r.id, url: r.url, alive: r.alive, latencyMs: r.latencyMs, bytesPerSecond: r.bytesPerSecond, error: r.error,
      class: classOf(r), images: r.images ?? {}, blobBytesPerSecond: r.blobBytesPerSecond ?? null,
    })),
    best: bestByKind(results),
  };
}

/**
 * The answers `mirrors` judges registry candidates for when no --answers file is given: the default
 * plan (the pinned stack images). Its app lives on no registry anyone can reach, so it is left out.
 */
export function defaultAnswers(): Answers {
  return AnswersSchema.parse({ project: 'mirrors', app: { image: 'registry.invalid/app:1' } });
}

/** The mirrors an answers file names (its registry, image prefix, accelerator) that the catalogue lacks: candidates too. */
function answersCandidates(a: Answers, catalogue: readonly MirrorEntry[], accelerator: string | undefined): MirrorEntry[] {
  const out: MirrorEntry[] = [];
  const add = (kind: MirrorKind, url: string | undefined, id: string, name: string) => {
    if (!url || [...catalogue, ...out].some((e) => e.kind === kind && trimSlash(e.url) === trimSlash(url))) return;
    out.push({ kind, id, name, url: trimSlash(url) });
  };
  for (const k of MIRROR_KINDS) add(k, a.mirrors[k], 'answers', a.mirrors[k] ?? '');
  add('registry', a.mirrors.accelerator, 'accelerator', a.mirrors.accelerator ?? '');
  add('registry', accelerator, 'accelerator', accelerator ?? '');
  return out;
}

export function formatSpeed(bps: number | null): string {
  if (bps === null) return '-';
  if (bps >= 1024 * 1024) return `${(bps / 1024 / 1024).toFixed(1)} MB/s`;
  return `${Math.max(1, Math.round(bps / 1024))} KB/s`;
}

const ERROR_KEYS: Record<string, MsgKey> = {
  refused: 'mirrors.err.refused',
  timeout: 'mirrors.err.timeout',
  stalled: 'mirrors.err.stalled',
  'too-slow': 'mirrors.err.tooSlow',
  'closed-mid-body': 'mirrors.err.closed',
  reset: 'mirrors.err.reset',
  'not-a-registry': 'mirrors.err.notRegistry',
  'unexpected-content': 'mirrors.err.content',
  'too-many-redirects': 'mirrors.err.redirects',
  'bad-redirect': 'mirrors.err.redirects',
  'auth-not-anonymous': 'mirrors.err.authNotAnonymous',
};

/** A probe error code in the operator's language ("http-404" → "HTTP 404", "dns: ENOTFOUND" → …). */
export function describeProbeError(t: T, error: string): string {
  const m = /^([a-z-]+)(?:-(\d{3}))?(?::\s*([^()]*?))?\s*(\([^)]*\))?$/.exec(error);
  if (!m) return error;
  const [, code, status, detail, where] = m;
  let text: string;
  if (code === 'http' && status) text = t('mirrors.err.http', { status });
  else if (code === 'dns') text = t('mirrors.err.dns', { detail: detail ?? '' });
  else if (code === 'tls') text = t('mirrors.err.tls', { detail: detail ?? '' });
  else if (code === 'unreachable' || code === 'network') text = t('mirrors.err.network', { detail: detail ?? code });
  else text = ERROR_KEYS[code!] ? t(ERROR_KEYS[code!]!) : error;
  return where ? `${text} ${where}` : text;
}

/** What a registry candidate's class means, in the operator's language, with its first reason. */
export function describeClass(t: T, r: ProbeResult): string {
  const c = classOf(r);
  const text = t(`mirrors.class.${c}` as MsgKey);
  if (c === 'ok' || c === 'slow') return text;
  return `${text}: ${describeProbeError(t, r.error ?? c)}`;
}

/** The table; `images`: what registry candidates were judged on (shown under their kind). */
export function formatMirrorTable(
  t: T,
  results: readonly ProbeResult[],
  catalogue: readonly MirrorEntry[],
  elapsedMs: number,
  deadlineMs: number,
  judged: { images: readonly HubImage[]; platform: string } | null = null,
): string {
  const ranked = rankResults(results);
  const best = bestByKind(results);
  const names = new Map(catalogue.map((e) => [`${e.kind}/${e.id}`, e.name]));
  const lines = [t('mirrors.header', { count: results.length, alive: results.filter((r) => r.alive).length, secs: (elapsedMs / 1000).toFixed(1), limit: (deadlineMs / 1000).toFixed(1) })];
  const idW = Math.max(2, ...ranked.map((r) => r.id.length));
  const nameW = Math.max(4, ...ranked.map((r) => displayWidth(names.get(`${r.kind}/${r.id}`) ?? '')));
  const urlW = Math.max(3, ...ranked.map((r) => r.url.length));
  const classW = Math.max(...ranked.map((r) => displayWidth(t(`mirrors.class.${classOf(r)}` as MsgKey))));
  for (const kind of MIRROR_KINDS) {
    const rows = ranked.filter((r) => r.kind === kind);
    if (!rows.length) continue;
    lines.push('', `${kind}  ${t(`mirrors.kind.${kind}` as MsgKey)}`);
    const byProtocol = rows.some((r) => r.images && Object.keys(r.images).length > 0);
    if (byProtocol && judged) lines.push(`  ${t('mirrors.judgedOn', { images: judged.images.map((i) => i.ref).join(', '), platform: judged.platform })}`);
    for (const r of rows) {
      const mark = best[kind] === r.id && r.alive ? '★' : ' ';
      const name = padEndDisplay(names.get(`${r.kind}/${r.id}`) ?? '', nameW);
      let status: string;
      if (byProtocol) {
        // Registry candidates: the class first; the speed is the blob's, which is what a pull waits for.
        const cls = padEndDisplay(t(`mirrors.class.${classOf(r)}` as MsgKey), classW);
        status = r.alive
          ? `${cls}  ${String(r.latencyMs ?? '?').padStart(5)} ms  ${formatSpeed(r.blobBytesPerSecond ?? null).padStart(10)}`
          : `${cls}  ${describeProbeError(t, r.error ?? 'dead')}`;
      } else {
        status = r.alive
          ? `${String(r.latencyMs ?? '?').padStart(5)} ms  ${formatSpeed(r.bytesPerSecond).padStart(10)}`
          : t('mirrors.dead', { reason: describeProbeError(t, r.error ?? 'dead') });
      }
      lines.push(`  ${mark} ${r.id.padEnd(idW)}  ${name}  ${r.url.padEnd(urlW)}  ${status}`);
      if (byProtocol && !r.alive) {
        // Which images it failed, each with its reason (the class line gives the first).
        for (const [ref, i] of Object.entries(r.images ?? {})) if (!i.ok) lines.push(`      ✗ ${ref}: ${describeProbeError(t, i.error ?? '?')}`);
      }
    }
    if (!best[kind]) lines.push(`    ${t('mirrors.noneAliveKind', { kind })}`);
  }
  lines.push('', t('mirrors.legend'));
  if (ranked.some((r) => r.images && Object.keys(r.images).length > 0)) lines.push(t('mirrors.legendRegistry'));
  return `${lines.join('\n')}\n`;
}

/**
 * `kinds` null: every kind; `catalogFile`: a catalogue of one's own instead of the built-in one;
 * `answersFile`: registry candidates are judged on that plan's Docker Hub images (its `images:`
 * overrides included), and the mirrors it names are candidates too; `accelerator`: one's own
 * Docker Hub accelerator, probed with the registry candidates.
 */
export interface MirrorsOptions { kinds: MirrorKind[] | null; deadlineMs: number; catalogFile?: string; json: boolean; answersFile?: string; accelerator?: string }

/** An --accelerator URL: http(s) and nothing else, or a usage error naming the flag. */
export function parseAccelerator(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  try {
    const u = new URL(v);
    if ((u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password && !u.search && !u.hash) return trimSlash(u.toString());
  } catch {
    // below
  }
  throw usageError('err.badAccelerator', { value: v });
}

export async function rankMirrors(ctx: Context, o: MirrorsOptions): Promise<number> {
  const { kinds, deadlineMs } = o;
  const answers = o.answersFile ? await loadAnswers(ctx, resolve(ctx.cwd, o.answersFile)) : defaultAnswers();
  const catalogue = [...(await loadCatalogue(ctx, o.catalogFile))];
  catalogue.push(...answersCandidates(answers, catalogue, o.accelerator));
  const entries = kinds ? catalogue.filter((e) => kinds.includes(e.kind)) : catalogue;
  const platform = await hostPlatform(ctx.exec, ctx.hostRoot);
  const images = planHubImages(answers);
  const target = probeTarget(platform.os, platform.arch, images);
  const t0 = performance.now();
  // A longer --timeout stretches every phase in the defaults' proportions (headers 5/8, stall 3/8 of it).
  const scale = deadlineMs / PROBE_DEFAULTS.deadlineMs;
  const results = await probeMirrors(entries, target, {
    deadlineMs,
    headersTimeoutMs: Math.round(PROBE_DEFAULTS.headersTimeoutMs * scale),
    idleTimeoutMs: Math.round(PROBE_DEFAULTS.idleTimeoutMs * scale),
    registryDeadlineMs: Math.round(PROBE_DEFAULTS.registryDeadlineMs * scale),
    blobWindowMs: Math.round(PROBE_DEFAULTS.blobWindowMs * scale),
  });
  const elapsed = performance.now() - t0;
  const limit = images.length && entries.some((e) => e.kind === 'registry' || e.kind === 'image-prefix') ? Math.max(deadlineMs, Math.round(PROBE_DEFAULTS.registryDeadlineMs * scale)) : deadlineMs;
  ctx.io.out(
    o.json
      ? `${JSON.stringify(mirrorsJson(results), null, 2)}\n`
      : formatMirrorTable(ctx.t, results, catalogue, elapsed, limit, { images, platform: platformText(target.platform!) }),
  );
  // No live candidate at all (#22.14): the host cannot reach any of them, which is the host's problem (exit 3).
  if (results.length > 0 && !results.some((r) => r.alive)) {
    if (!o.json) ctx.io.err(`${ctx.t('mirrors.noneAlive')}\n`);
    return 3;
  }
  return 0;
}

/**
 * The Docker Hub images of the answers given so far (the wizard's draft): what it leaves out takes
 * the defaults (the default stack; an app not named yet is on no registry), so the stack's own
 * images are judged from the first screen on.
 */
export function draftHubImages(draft: Draft): HubImage[] {
  const d = draft as { project?: unknown; app?: Record<string, unknown> };
  const filled = { ...draft, project: typeof d.project === 'string' ? d.project : 'draft', app: { image: 'registry.invalid/app:1', ...(d.app ?? {}) } };
  const r = AnswersSchema.safeParse(filled);
  // A draft that does not parse yet (a field being typed): the default plan's images.
  return planHubImages(r.success ? r.data : defaultAnswers());
}

/** A mirror the region screen can offer (the mirror catalogue's entry). */
export interface MirrorCandidate { kind: MirrorKind; id: string; name: string; url: string }
/** One probe result, as `mirrors --json` prints it (docs/CONTRACT.md#mirrors). */
export interface MirrorMeasurement {
  kind: MirrorKind;
  id: string;
  url: string;
  alive: boolean;
  latencyMs: number | null;
  bytesPerSecond?: number | null;
  error?: string | null;
  /** The class (#16.2: registry kinds judged on the plan's Docker Hub images) and, for those, the blob speed. */
  class?: MirrorClass;
  blobBytesPerSecond?: number | null;
}

/**
 * Where mirror candidates and their measurements come from. The mirrors module plugs in here;
 * without one the region screen shows "not measured" and keeps what flags or the answers file gave.
 */
export interface MirrorSource {
  candidates(region: 'cn' | 'global'): Promise<MirrorCandidate[]>;
  /**
   * Probes the candidates, reporting each result as it arrives; registry candidates are judged on
   * the Docker Hub images of `draft` (the answers so far; the default stack for what it leaves out).
   */
  measure?(candidates: readonly MirrorCandidate[], onResult: (m: MirrorMeasurement) => void, draft?: Draft): Promise<void>;
}

/**
 * Where the region screen gets mirror candidates and their latency: the mirror catalogue (or
 * STACK_WIZARD_MIRROR_CATALOG) for the kinds that matter on this host, probed in parallel as init
 * probes them. The results are remembered for this process, so applying the setup does not probe
 * the chosen mirrors again (and writes only one that answered).
 */
export function mirrorSource(ctx: Context, facts: () => Promise<HostFacts>): MirrorSource {
  return {
    async candidates(region) {
      // Region global leaves every tool at its defaults: nothing to offer.
      if (region !== 'cn') return [];
      const [cat, f] = await Promise.all([catalogueFor(ctx), facts()]);
      const kinds = relevantKinds(f);
      return cat.filter((e) => kinds.includes(e.kind)).map((e) => ({ kind: e.kind, id: e.id, name: e.name, url: e.url }));
    },
    async measure(cands, onResult, draft = {}) {
      const [cat, f] = await Promise.all([catalogueFor(ctx), facts()]);
      // The same target as init's and the review's probe of these answers: what was measured here is not probed again.
      const target = probeTarget(f.os, f.arch, draftHubImages(draft));
      // The catalogue's entries (with their security/ports archives), probed as init probes them.
      const entries = cands.map((c) => cat.find((e) => e.kind === c.kind && e.id === c.id) ?? entryFor(c.kind, c.url, cat));
      await probeMirrors(entries, target, {
        onResult: (r) => {
          // Remembered before the screen shows it: what the operator sees is what init writes with.
          rememberProbes([r], target);
          onResult({
            kind: r.kind, id: r.id, url: r.url, alive: r.alive, latencyMs: r.latencyMs, bytesPerSecond: r.bytesPerSecond, error: r.error,
            class: classOf(r), blobBytesPerSecond: r.blobBytesPerSecond ?? null,
          });
        },
      });
    },
  };
}

