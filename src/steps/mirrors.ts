// Mirrors in init: choose them (answers file, else the best live candidate for region cn), then the
// host-side writers: apt sources, the docker-ce repository, /etc/docker/daemon.json. A mirror is
// written only with a live probe result for that URL; the answers' chosen URLs are re-probed, and a
// dead one stops init before anything is written (docs/CONTRACT.md#mirrors). The files are HostFiles
// from render/ (apt-sources.ts, docker-daemon.ts), which init's preview diffs (mirrorHostFiles).
import type { Context } from '../context.js';
import type { Answers } from '../domain/answers.js';
import type { HostFacts } from '../domain/facts.js';
import {
  aptDistro, autoKinds, bestByKind, builtinCatalogue, dpkgArch, joinUrl, parseCatalogue, probeTarget, rankResults, relevantKinds, trimSlash, type AptDistro,
  type MirrorChoice, type MirrorEntry, type MirrorKind, type ProbeResult, type ProbeTarget,
} from '../domain/mirrors.js';
import { aptKindFor } from '../domain/mirror-kinds/index.js';
import { planHubImages } from '../domain/plan.js';
import type { HubImage } from '../domain/registry.js';
import { primaryKeyFingerprints } from '../domain/openpgp.js';
import { acceptedDockerKeys } from '../domain/docker-install.js';
import { fetchText, probeMirrors, type ProbeOptions } from '../host/mirror-probe.js';
import { aptSourcesNow } from '../host/host-files.js';
import { aptSourcesEdits, dockerRepoEdits, renderDockerSources, sourcesFormat, type SourcesEdit } from '../render/apt-sources.js';
import { changes, hostFile, type HostFile } from '../render/host-file.js';
import { mergeDaemonJson } from '../render/docker-daemon.js';
import { DaemonJsonError, dockerdFlagNames, existingRegistryMirrors, parseDaemonJson } from '../domain/daemon-json.js';
import { hostError, opError, usageError, WizardError } from '../errors.js';
import { SYS, backupPath, hostPath } from '../domain/host-paths.js';
import type { Step } from './engine.js';
import type { Prepared } from './prepare.js';

/** The host root (Context.hostRoot) in front of an absolute host path. */
const onHost = (ctx: Context, p: string) => hostPath(ctx.hostRoot, p);

// Probe results of this process, so the preview, the checks and the writes agree without re-probing.
const MEMO_TTL_MS = 10 * 60_000;
const memo = new Map<string, { at: number; result: ProbeResult }>();
// The target is part of the key: an apt mirror is judged on the host's own suite.
const memoKey = (kind: MirrorKind, url: string, t: ProbeTarget) => `${kind} ${trimSlash(url)} ${JSON.stringify(t)}`;

export function rememberProbes(results: readonly ProbeResult[], t: ProbeTarget): void {
  for (const r of results) memo.set(memoKey(r.kind, r.url, t), { at: Date.now(), result: r });
}
export function forgetProbes(): void {
  memo.clear();
}
function remembered(kind: MirrorKind, url: string, t: ProbeTarget): ProbeResult | null {
  const m = memo.get(memoKey(kind, url, t));
  return m && Date.now() - m.at < MEMO_TTL_MS ? m.result : null;
}

/**
 * The candidate list: STACK_WIZARD_MIRROR_CATALOG names a catalogue file that replaces the built-in
 * one (tests point it at loopback servers, so no test ever reaches out to a real mirror).
 */
export async function catalogueFor(ctx: Context): Promise<readonly MirrorEntry[]> {
  const file = ctx.env.STACK_WIZARD_MIRROR_CATALOG;
  if (!file) return builtinCatalogue();
  const text = await ctx.exec.readFile(file);
  if (text === null) throw usageError('err.catalogMissing', { file });
  return parseCatalogue(text, file, ctx.t);
}

/** The catalogue entry with this URL (for its security/ports archives), or a bare entry for a URL the operator typed. */
export function entryFor(kind: MirrorKind, url: string, catalogue: readonly MirrorEntry[] = builtinCatalogue()): MirrorEntry {
  return catalogue.find((e) => e.kind === kind && trimSlash(e.url) === trimSlash(url)) ?? { kind, id: 'answers', name: url, url: trimSlash(url) };
}

const choiceOf = (e: MirrorEntry, result: ProbeResult): MirrorChoice => ({
  kind: e.kind,
  url: e.url,
  ...(e.security ? { security: e.security } : {}),
  ...(e.ports ? { ports: e.ports } : {}),
  result,
});

/**
 * Probes (or recalls) several URLs of one run in parallel. `images`: the plan's Docker Hub images,
 * which registry candidates are judged on one by one (alive: served every one; #16).
 */
async function probeAll(entries: readonly MirrorEntry[], facts: HostFacts, opts: ProbeOptions = {}, images: readonly HubImage[] = []): Promise<ProbeResult[]> {
  const t = probeTarget(facts.os, facts.arch, images);
  const todo = entries.filter((e) => !remembered(e.kind, e.url, t));
  if (todo.length) rememberProbes(await probeMirrors(todo, t, opts), t);
  return entries.map((e) => remembered(e.kind, e.url, t)!);
}

/** A mirror with its probe result (probed now unless this process already did). */
export async function choiceFor(kind: MirrorKind, url: string, facts: HostFacts, catalogue: readonly MirrorEntry[], opts: ProbeOptions = {}): Promise<MirrorChoice> {
  const e = entryFor(kind, url, catalogue);
  const [r] = await probeAll([e], facts, opts);
  return choiceOf(e, r!);
}

export { relevantKinds };

export interface ChosenMirror {
  kind: MirrorKind;
  id: string;
  name: string;
  url: string;
  source: 'answers' | 'probe';
  result: ProbeResult;
}

export interface MirrorResolution {
  /** The answers with every chosen mirror filled in under `mirrors:` (what the files are rendered from). */
  answers: Answers;
  chosen: ChosenMirror[];
  /** Kinds probed for region cn where no candidate answered: left to the tools' defaults. */
  noneAlive: MirrorKind[];
  results: ProbeResult[];
}

/**
 * Decides the mirrors for this run, in one bounded parallel probe. A URL set in the answers file is
 * the operator's explicit choice: when it probes dead, init refuses (exit 3) and names the key and
 * the live alternatives, rather than silently switching. Region cn fills the other kinds with the
 * best live candidate; region global leaves them unset.
 */
export async function resolveMirrors(
  ctx: Context,
  answers: Answers,
  facts: HostFacts,
  o: { catalogue?: readonly MirrorEntry[]; probe?: ProbeOptions } = {},
): Promise<MirrorResolution> {
  const catalogue = o.catalogue ?? (await catalogueFor(ctx));
  const kinds = relevantKinds(facts);
  const explicit = kinds.filter((k) => answers.mirrors[k]);
  // Kinds the operator chose "none" for (saved by the region screen, #22.10) are not picked behind their back.
  const auto = answers.region === 'cn' ? autoKinds(facts).filter((k) => !answers.mirrors[k] && !answers.mirrors.none?.includes(k)) : [];
  const explicitEntries = explicit.map((k) => entryFor(k, answers.mirrors[k]!, catalogue));
  // The operator's own accelerator is an explicit choice like a URL under mirrors:, judged as a registry mirror.
  const acc = answers.mirrors.accelerator && kinds.includes('registry') ? acceleratorEntry(answers.mirrors.accelerator, catalogue) : null;
  if (acc) explicitEntries.push(acc);
  const candidates = catalogue.filter((e) => auto.includes(e.kind) || explicit.includes(e.kind));
  const all = [...explicitEntries, ...candidates.filter((c) => !explicitEntries.some((x) => x.kind === c.kind && trimSlash(x.url) === trimSlash(c.url)))];
  if (all.length === 0) return { answers, chosen: [], noneAlive: [], results: [] };
  const results = await probeAll(all, facts, o.probe, planHubImages(answers));
  const byEntry = new Map(all.map((e, i) => [e, results[i]!]));

  const chosen: ChosenMirror[] = [];
  const deadOnes = explicitEntries.filter((e) => !byEntry.get(e)!.alive);
  if (deadOnes.length) throw deadMirrorError(ctx, deadOnes.map((e) => ({ kind: e.kind, url: e.url, error: whyNot(byEntry.get(e)!), key: e === acc ? 'mirrors.accelerator' : undefined })), results);
  for (const e of explicitEntries.filter((x) => x !== acc)) chosen.push({ kind: e.kind, id: e.id, name: e.name, url: e.url, source: 'answers', result: byEntry.get(e)! });
  const best = bestByKind(results.filter((r) => auto.includes(r.kind)));
  const noneAlive: MirrorKind[] = [];
  const mirrors = { ...answers.mirrors };
  for (const k of auto) {
    const id = best[k];
    const e = id ? catalogue.find((x) => x.kind === k && x.id === id) : undefined;
    if (!e) {
      noneAlive.push(k);
      continue;
    }
    mirrors[k] = e.url;
    chosen.push({ kind: k, id: e.id, name: e.name, url: e.url, source: 'probe', result: byEntry.get(e)! });
  }
  return { answers: { ...answers, mirrors }, chosen, noneAlive, results };
}

/**
 * The refusal for mirrors the operator (or saved answers) named that do not answer: exit 3, the
 * first one's key in the message; the details give the live alternatives of its kind, best first
 * (ranked as `mirrors` and init rank them), and every other dead key.
 */
function deadMirrorError(ctx: Context, dead: readonly { kind: MirrorKind; url: string; error: string | null; key?: string }[], results: readonly ProbeResult[]) {
  const [first, ...rest] = dead;
  const alternatives = rankResults(results.filter((x) => x.kind === first!.kind && x.alive && trimSlash(x.url) !== trimSlash(first!.url)))
    .slice(0, 3)
    .map((x) => ctx.t('mirrors.alternative', { url: x.url, ms: x.latencyMs ?? '?' }));
  if (alternatives.length === 0) alternatives.push(ctx.t('mirrors.noAlternative', { kind: first!.kind }));
  const others = rest.map((d) => ctx.t('mirrors.alsoDead', { key: d.key ?? `mirrors.${d.kind}`, url: d.url, error: d.error ?? 'dead' }));
  return hostError('err.mirrorDead', { key: first!.key ?? `mirrors.${first!.kind}`, url: first!.url, error: first!.error ?? 'dead' }, [...alternatives, ...others]);
}

/** The operator's accelerator as a registry candidate (its catalogue entry when it is one). */
const acceleratorEntry = (url: string, catalogue: readonly MirrorEntry[]): MirrorEntry => {
  const e = entryFor('registry', url, catalogue);
  return e.id === 'answers' ? { ...e, id: 'accelerator' } : e;
};

/** Why a candidate may not be written: a registry mirror's class with its first failed image, else the probe's error. */
const whyNot = (r: ProbeResult): string => (r.class && r.class !== 'dead' && r.error ? `${r.class}: ${r.error}` : (r.error ?? r.class ?? 'dead'));

/**
 * Every mirror these answers put into a file on this host (apt for its own distribution, docker-ce,
 * registry, image-prefix, npm, PyPI, Node), probed now or recalled from this process's probe. A dead
 * one refuses the run (exit 3) before anything is written, naming its key and the catalogue's live
 * alternatives (probed for the occasion). Called by every path that writes to a host: init (after
 * resolveMirrors, as a preflight step), the wizard's review and apply, and update. `render`
 * never calls it: it writes what the answers say and touches no network.
 */
export async function verifyMirrors(
  ctx: Context,
  mirrors: Readonly<Partial<Record<MirrorKind, string>>>,
  facts: HostFacts,
  o: { catalogue?: readonly MirrorEntry[]; probe?: ProbeOptions; answers?: Answers } = {},
): Promise<ProbeResult[]> {
  // With the answers: registry mirrors are judged on the plan's Docker Hub images, and the accelerator is checked too.
  const images = o.answers ? planHubImages(o.answers) : [];
  const kinds = relevantKinds(facts).filter((k) => mirrors[k]);
  const accUrl = kinds.length || relevantKinds(facts).includes('registry') ? o.answers?.mirrors.accelerator : undefined;
  if (kinds.length === 0 && !accUrl) return [];
  const catalogue = o.catalogue ?? (await catalogueFor(ctx));
  const entries = kinds.map((k) => entryFor(k, mirrors[k]!, catalogue));
  const acc = accUrl ? acceleratorEntry(accUrl, catalogue) : null;
  if (acc) entries.push(acc);
  const results = await probeAll(entries, facts, o.probe, images);
  const dead = entries
    .map((e, i) => ({ kind: e.kind, url: e.url, error: whyNot(results[i]!), alive: results[i]!.alive, key: e === acc ? 'mirrors.accelerator' : undefined }))
    .filter((d) => !d.alive);
  if (dead.length === 0) return results;
  // The alternatives: the catalogue's other candidates of the first dead kind.
  const others = catalogue.filter((c) => c.kind === dead[0]!.kind && trimSlash(c.url) !== trimSlash(dead[0]!.url));
  const alt = others.length ? await probeAll(others, facts, o.probe, images) : [];
  throw deadMirrorError(ctx, dead, [...results, ...alt]);
}

/**
 * One of init's first checks (the wizard's apply too): every mirror the plan writes answers. Changes nothing;
 * a dead one stops the run before the first file is written.
 */
export const mirrorsLiveStep: Step = {
  id: 'mirrors-live',
  title: 'step.mirrorsLive',
  preflight: true,
  async check(ctx, s) {
    try {
      await verifyMirrors(ctx, s.plan.mirrors, s.facts, { answers: s.answers });
      return { needed: false, changes: [] };
    } catch (e) {
      if (e instanceof WizardError) return { needed: true, changes: [ctx.t(e.key, e.params), ...e.details] };
      throw e;
    }
  },
  async apply(ctx, s) {
    await verifyMirrors(ctx, s.plan.mirrors, s.facts, { answers: s.answers });
  },
};

/** Lines for the preview: what was chosen, from where, how fast; and what stays at the tools' defaults. */
export function describeResolution(ctx: Context, r: MirrorResolution): string[] {
  const lines = r.chosen.map((c) =>
    ctx.t(c.source === 'answers' ? 'mirrors.chosenAnswers' : 'mirrors.chosenProbe', { kind: c.kind, name: c.name, url: c.url, ms: c.result.latencyMs ?? '?' }),
  );
  for (const k of r.noneAlive) lines.push(ctx.t('mirrors.noneAliveKind', { kind: k }));
  // No Docker Hub mirror serves the plan's images and none was given: said before anything changes, with the choices (#16.5).
  const hub = r.answers.mirrors;
  if (r.noneAlive.includes('registry') && !hub.registry && !hub['image-prefix'] && !hub.accelerator) lines.push(ctx.t('mirrors.hubDeadInit'));
  return lines;
}

// ---------------------------------------------------------------------------------------------
// apt sources

const sourcesNow = (ctx: Context) => aptSourcesNow(ctx.exec, ctx.hostRoot, (n) => sourcesFormat(n) !== null);

const hostAptKind = aptKindFor;

async function liveChoice(ctx: Context, kind: MirrorKind, url: string, facts: HostFacts): Promise<MirrorChoice> {
  const c = await choiceFor(kind, url, facts, await catalogueFor(ctx));
  if (!c.result.alive) throw opError('err.mirrorDeadAtWrite', { kind, url, error: c.result.error ?? 'dead' });
  return c;
}

async function aptEdits(ctx: Context, s: Prepared): Promise<SourcesEdit[]> {
  const d = aptDistro(s.facts.os);
  if (!d) return [];
  const url = s.plan.mirrors[hostAptKind(d)];
  if (!url) return [];
  const choice = await liveChoice(ctx, hostAptKind(d), url, s.facts);
  return aptSourcesEdits(await sourcesNow(ctx), choice, d);
}

const editLines = (ctx: Context, edits: readonly SourcesEdit[]) =>
  edits.map((e) => `~ ${onHost(ctx, e.file.path)}: ${e.replaced} URI(s) → ${e.targets.join(', ')}${e.file.backup ? ` (+ ${onHost(ctx, e.file.backup)})` : ''}`);

/** Host files with their originals kept (where a file says so), in one all-or-nothing write. */
async function writeWithBackups(ctx: Context, files: readonly HostFile[]): Promise<void> {
  await ctx.exec.writeFiles([
    ...files.filter((f) => f.backup && f.old !== null).map((f) => ({ path: onHost(ctx, f.backup!), content: f.old!, mode: 0o644 })),
    ...files.map((f) => ({ path: onHost(ctx, f.path), content: f.content ?? '', mode: f.mode })),
  ]);
}

/** Points the distribution's own apt archive (and its security archive where the mirror has one) at the chosen mirror. */
export const aptSourcesStep: Step = {
  id: 'mirror-apt',
  title: 'step.mirrorApt',
  async check(ctx, s) {
    const d = aptDistro(s.facts.os);
    const url = d ? s.plan.mirrors[hostAptKind(d)] : undefined;
    if (!d || !url) return { needed: false, changes: [] };
    const edits = await aptEdits(ctx, s);
    return { needed: edits.length > 0, changes: editLines(ctx, edits) };
  },
  async apply(ctx, s) {
    await writeWithBackups(ctx, (await aptEdits(ctx, s)).map((e) => e.file));
  },
};

// ---------------------------------------------------------------------------------------------
// docker-ce repository

interface DockerRepoPlan { edits: SourcesEdit[]; create: { distro: AptDistro; suite: string; arch: string | null; keyUrl: string } | null; choice: MirrorChoice }

async function dockerRepoPlan(ctx: Context, s: Prepared): Promise<DockerRepoPlan | null> {
  const d = aptDistro(s.facts.os);
  const url = s.plan.mirrors['docker-ce'];
  if (!d || !url || !s.facts.os.codename) return null;
  const choice = await liveChoice(ctx, 'docker-ce', url, s.facts);
  const { edits, found } = dockerRepoEdits(await sourcesNow(ctx), choice, d);
  const create = found ? null : { distro: d, suite: s.facts.os.codename, arch: dpkgArch(s.facts.arch), keyUrl: joinUrl(url, `linux/${d}/gpg`) };
  return { edits, create, choice };
}

/**
 * Docker's apt repository from the chosen docker-ce mirror: existing Docker entries get the mirror's
 * URI; without any, a docker.sources is created with the signing key inline, fetched from the mirror
 * and accepted only when its fingerprint is Docker's (`fingerprints`; by default Docker's, or the one
 * the test-only override names, as the Docker install step accepts: the two never disagree). The new
 * file needs the key, fetched at apply: the preview lists it by its step, without a diff.
 */
export function dockerCeRepoStep(fingerprints?: readonly string[]): Step {
  return {
    id: 'mirror-docker-ce',
    title: 'step.mirrorDockerCe',
    async check(ctx, s) {
      const p = await dockerRepoPlan(ctx, s);
      if (!p) return { needed: false, changes: [] };
      const lines = editLines(ctx, p.edits);
      if (p.create) lines.push(`+ ${onHost(ctx, SYS.dockerSources)} (${joinUrl(p.choice.url, `linux/${p.create.distro}`)} ${p.create.suite} stable; key ${p.create.keyUrl})`);
      return { needed: lines.length > 0, changes: lines };
    },
    async apply(ctx, s) {
      const p = await dockerRepoPlan(ctx, s);
      if (!p) return;
      const files = p.edits.map((e) => e.file);
      if (p.create) {
        const got = await fetchText(p.create.keyUrl, { timeoutMs: 15_000, maxBytes: 256 * 1024 });
        if (got.text === null) throw opError('err.dockerKeyFetch', { url: p.create.keyUrl, error: got.error ?? '?' });
        const fprs = primaryKeyFingerprints(got.text);
        const want = fingerprints ?? acceptedDockerKeys(ctx.env).fingerprints;
        if (!fprs.some((f) => want.includes(f))) {
          throw opError('err.dockerKeyMismatch', { url: p.create.keyUrl, got: fprs.join(', ') || '-', want: want.join(', ') });
        }
        const text = renderDockerSources(p.choice, { distro: p.create.distro, suite: p.create.suite, arch: p.create.arch, keyArmored: got.text });
        const old = await ctx.exec.readFile(onHost(ctx, SYS.dockerSources));
        const keep = old !== null && !(await ctx.exec.exists(onHost(ctx, backupPath(SYS.dockerSources))));
        files.push(hostFile(SYS.dockerSources, text, old, 0o644, { backup: keep ? backupPath(SYS.dockerSources) : undefined }));
      }
      await writeWithBackups(ctx, files);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// /etc/docker/daemon.json

async function swarmActive(ctx: Context, facts: HostFacts): Promise<boolean> {
  if (!facts.docker.running) return false;
  const r = await ctx.exec.query('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}'], { timeoutMs: 10_000 });
  return r.exitCode === 0 && /^(active|pending)\b/.test(r.stdout.trim());
}

/**
 * The flags dockerd runs (or will run) with: the running daemon's command line, else the systemd
 * unit's ExecStart. A setting given as a flag must not be repeated in daemon.json.
 */
async function dockerdFlags(ctx: Context, facts: HostFacts): Promise<string[]> {
  const argv: string[] = [];
  if (facts.docker.running) {
    const pid = (await ctx.exec.query('pgrep', ['-o', '-x', 'dockerd'], { timeoutMs: 5000 })).stdout.trim();
    if (/^\d+$/.test(pid)) argv.push(...((await ctx.exec.readFile(`/proc/${pid}/cmdline`).catch(() => null)) ?? '').split('\0'));
  }
  if (argv.length === 0 && facts.systemd) {
    const r = await ctx.exec.query('systemctl', ['show', '--property=ExecStart', '--value', 'docker.service'], { timeoutMs: 5000 });
    // "{ path=/usr/bin/dockerd ; argv[]=/usr/bin/dockerd -H fd:// … ; … }"
    const m = /argv\[\]=([^;]*)/.exec(r.stdout);
    if (r.exitCode === 0 && m) argv.push(...m[1]!.trim().split(/\s+/));
  }
  return dockerdFlagNames(argv);
}

interface DaemonPlan { file: HostFile; changes: string[]; reloadable: boolean }

async function daemonPlan(ctx: Context, s: Prepared): Promise<DaemonPlan> {
  const path = onHost(ctx, SYS.daemonJson);
  const old = await ctx.exec.readFile(path);
  try {
    // Ours: the chosen mirror and the operator's accelerator (#16.5), each of which must serve every Docker Hub image of the plan.
    const ours = [s.plan.mirrors.registry, s.answers.mirrors.accelerator].filter((u, i, a): u is string => !!u && a.findIndex((x) => x && trimSlash(x) === trimSlash(u)) === i);
    let registry: MirrorChoice | undefined;
    let also: MirrorChoice[] = [];
    let dead: string[] = [];
    if (ours.length) {
      // Mirrors already listed are probed with ours on the same images; those that fail one are dropped (Docker would keep trying them).
      const existing = existingRegistryMirrors(parseDaemonJson(old)).filter((u) => /^https?:\/\//.test(u));
      const cat = await catalogueFor(ctx);
      const entries = [...ours, ...existing.filter((u) => !ours.some((x) => trimSlash(x) === trimSlash(u)))].map((u) => entryFor('registry', u, cat));
      const results = await probeAll(entries, s.facts, {}, planHubImages(s.answers));
      ours.forEach((url, i) => {
        if (!results[i]!.alive) throw opError('err.mirrorDeadAtWrite', { kind: 'registry', url, error: whyNot(results[i]!) });
      });
      // Every usable one, fastest blobs first: Docker tries registry-mirrors in this order (#16.3).
      const usable = rankResults(results.filter((r) => r.alive)).map((r) => choiceOf(entries[results.indexOf(r)]!, r));
      [registry, ...also] = usable;
      dead = existing.filter((u) => results.some((r, i) => i >= ours.length && !r.alive && trimSlash(r.url) === trimSlash(u)));
    }
    const m = mergeDaemonJson(old, { registry, also, deadExisting: dead, logs: s.plan.logs, liveRestore: !(await swarmActive(ctx, s.facts)), flags: await dockerdFlags(ctx, s.facts) });
    const keep = old !== null && m.text !== old && !(await ctx.exec.exists(onHost(ctx, backupPath(SYS.daemonJson))));
    return {
      file: hostFile(SYS.daemonJson, m.text, old, 0o644, { backup: keep ? backupPath(SYS.daemonJson) : undefined }),
      changes: m.changes,
      reloadable: m.changes.some((c) => /registry-mirrors|live-restore/.test(c)),
    };
  } catch (e) {
    if (e instanceof DaemonJsonError) {
      throw hostError(e.line !== null ? 'err.daemonJsonInvalidAt' : 'err.daemonJsonInvalid', { file: path, line: e.line ?? 0, col: e.col ?? 0, detail: e.detail });
    }
    throw e;
  }
}

/** Merges daemon.json (registry mirror, log rotation, live-restore) and has a running dockerd reload it. */
export const dockerDaemonStep: Step = {
  id: 'docker-daemon-json',
  title: 'step.dockerDaemonJson',
  async check(ctx, s) {
    const p = await daemonPlan(ctx, s);
    const f = p.file;
    const head = changes(f) ? [`${f.old === null ? '+' : '~'} ${onHost(ctx, f.path)}${f.backup ? ` (+ ${onHost(ctx, f.backup)})` : ''}`] : [];
    return { needed: changes(f), changes: [...head, ...p.changes.map((c) => `    ${c}`)] };
  },
  async apply(ctx, s) {
    const p = await daemonPlan(ctx, s);
    if (!changes(p.file) || p.file.content === null) return;
    await writeWithBackups(ctx, [p.file]);
    // registry-mirrors and live-restore are reloadable (SIGHUP); log defaults apply to containers created after a restart.
    if (!p.reloadable || !s.facts.docker.running) return;
    if (s.facts.systemd) await ctx.exec.run('systemctl', ['reload', 'docker']);
    else {
      const pid = (await ctx.exec.readFile(onHost(ctx, SYS.dockerPid)))?.trim();
      if (pid && /^\d+$/.test(pid)) await ctx.exec.run('kill', ['-HUP', pid]);
    }
  },
};

/**
 * The host files each mirror step would write now, as its own plan makes them: what init's preview
 * diffs. A new docker.sources is not among them: its signing key is fetched when it is written.
 */
export const mirrorHostFiles = {
  apt: async (ctx: Context, s: Prepared): Promise<HostFile[]> => (await aptEdits(ctx, s)).map((e) => e.file),
  dockerRepo: async (ctx: Context, s: Prepared): Promise<HostFile[]> => (await dockerRepoPlan(ctx, s))?.edits.map((e) => e.file) ?? [],
  daemonJson: async (ctx: Context, s: Prepared): Promise<HostFile[]> => {
    const f = (await daemonPlan(ctx, s)).file;
    return f.content === null && f.old === null ? [] : [f];
  },
};

/** The mirror steps in init's order: after the files are written, before Docker is installed or started. */
export function mirrorSteps(): Step[] {
  return [aptSourcesStep, dockerCeRepoStep(), dockerDaemonStep];
}

