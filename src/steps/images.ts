// Image pulls: every image the stack runs, pulled when missing, with per-layer progress, trying
// each mirror in turn. An image already present is not pulled again (`update` refreshes tags).
import type { Context } from '../context.js';
import { offEngine } from './live-engine.js';
import { foldParts, type BarPart, type Step, type StepEvent } from './engine.js';
import type { Prepared } from './prepare.js';
import { PullError, PullProgress, pullStreamError, type PullMessage } from '../exec/docker.js';
import { pullCandidates } from '../domain/pull.js';
import { pinnedDigest } from '../domain/registry.js';
import { opError } from '../errors.js';

type Emit = (e: Omit<StepEvent, 'step'>) => void;

export const stackImages = (s: Prepared) => [...new Set(s.plan.services.map((x) => x.image))].sort();

async function missingImages(ctx: Context, s: Prepared): Promise<string[]> {
  // Before Docker is installed nothing can be present: everything will be pulled.
  if (await ctx.docker.unreachable()) return stackImages(s);
  const out: string[] = [];
  for (const ref of stackImages(s)) if (!(await ctx.docker.image(ref))) out.push(ref);
  return out;
}

/** Mirrors to try after the reference itself: the chosen prefix and registry mirrors, then the daemon's. */
async function mirrorUrls(ctx: Context, s: Prepared): Promise<string[]> {
  const m = s.answers.mirrors;
  const daemon = await ctx.docker.registryMirrors().catch(() => []);
  return [...(m['image-prefix'] ? [m['image-prefix']] : []), ...(m.registry ? [m.registry] : []), ...daemon];
}

/**
 * Pulls one candidate, reporting each layer (its fraction and bytes) and the image as a whole (the
 * layers folded by size, never moving back); at most one event per bar per whole percent.
 */
async function pullOne(ctx: Context, ref: string, candidate: string, emit: Emit): Promise<void> {
  const prog = new PullProgress(candidate);
  const parts = new Map<string, BarPart>();
  const last = new Map<string, number>();
  let image = 0;
  const send = (item: string, fraction: number, text: string, bytes?: { done: number; total: number }) => {
    const pct = Math.floor(fraction * 100);
    if (last.get(item) === pct) return;
    last.set(item, pct);
    emit({ kind: 'progress', item, fraction, text, ...(bytes ? { bytes } : {}) });
  };
  // A new attempt: the image's bar starts again (engine.ts).
  send(ref, 0, ref);
  await ctx.docker.pull(candidate, (m: PullMessage) => {
    if (pullStreamError(m)) return;
    const moved = prog.update(m);
    if (!moved) return;
    const had = parts.get(moved.layer) ?? { fraction: 0, done: 0, total: 0 };
    const cur = m.progressDetail?.current ?? 0;
    const total = m.progressDetail?.total ?? 0;
    const status = m.status ?? '';
    // The download's bytes; extraction counts the same bytes again, so it only moves the fraction.
    const part: BarPart = { fraction: moved.fraction, done: had.done, total: had.total };
    if (/^Downloading/.test(status) && total > 0) Object.assign(part, { done: cur, total });
    else if (/^(Verifying Checksum|Download complete|Extracting|Pull complete)/.test(status)) part.done = part.total;
    parts.set(moved.layer, part);
    send(`${ref} ${moved.layer}`, part.fraction, `${ref} ${moved.layer} ${status}`.trim(), { done: part.done, total: part.total });
    const all = foldParts(parts.values());
    image = Math.max(image, all.fraction);
    send(ref, image, `${ref} (${prog.layerCount} layers)`, { done: all.done, total: all.total });
  });
  send(ref, 1, ref);
}

export const imagesStep: Step = {
  id: 'images',
  title: 'step.images',
  async check(ctx, s) {
    const other = offEngine(ctx);
    if (other) return other;
    const missing = await missingImages(ctx, s);
    return { needed: missing.length > 0, changes: missing.map((r) => `docker pull ${r}`) };
  },
  async apply(ctx, s, emit) {
    const missing = await missingImages(ctx, s);
    for (const ref of missing) {
      const r = await pullImage(ctx, s, ref, emit);
      if (r.pulled === null) throw opError('err.pullFailed', { image: ref, count: r.tried.length }, r.tried);
    }
  },
};

/**
 * Pulls one image, trying the reference and then each mirror; tags a mirror's copy with the
 * reference's name. `pulled` is null (with every attempt's error) when none worked. Shared with
 * `update`, which pulls every image again (tags move) before it stops anything.
 */
export async function pullImage(ctx: Context, s: Prepared, ref: string, emit: Emit): Promise<{ pulled: string | null; tried: string[] }> {
  const mirrors = await mirrorUrls(ctx, s);
  const tried: string[] = [];
  for (const candidate of pullCandidates(ref, mirrors)) {
    try {
      await pullOne(ctx, ref, candidate, emit);
      // Pinned: the image must be the pinned bytes whoever served it (the Engine checks a digest pull; this is
      // what the compose file will find), else it is refused, naming where it came from (#16.4).
      const pin = pinnedDigest(ref);
      if (pin) {
        const got = await ctx.docker.image(ref);
        const digests = got?.repoDigests.map((d) => d.slice(d.indexOf('@') + 1)) ?? [];
        if (!digests.includes(pin)) throw new PullError(candidate, ctx.t('images.digestMismatch', { pinned: pin, got: digests.join(', ') || '-' }));
      }
      // Pulled under a mirror's name: give it the name the compose file uses.
      if (candidate !== ref) await ctx.docker.tag(candidate, ref);
      emit({ kind: 'output', text: ctx.t('images.pulled', { image: ref, from: candidate }) });
      return { pulled: candidate, tried };
    } catch (e) {
      const why = e instanceof PullError ? e.message : e instanceof Error ? e.message : String(e);
      tried.push(`${candidate}: ${why}`);
      emit({ kind: 'output', text: ctx.t('images.pullFailed', { image: candidate, reason: why }) });
    }
  }
  return { pulled: null, tried };
}
