// The region screen: mirror candidates with their measured latency, the best live one offered.
import type { MirrorKind } from '../../domain/answers.js';
import { getPath, setPath, type Draft } from '../../domain/draft.js';
import type { HostFacts } from '../../domain/facts.js';
import { rankResults, type ProbeResult } from '../../domain/mirrors.js';
import type { MsgKey, T } from '../../i18n/index.js';
import type { MirrorClass } from '../../domain/registry-class.js';
import { opt, type FieldDef, type FormDef, type FormValues, type Option } from './forms.js';
import type { Problems } from './validate.js';

/** Time zones of mainland China: a host there most likely needs the mirrors. */
const CN_TIMEZONES = ['Asia/Shanghai', 'Asia/Chongqing', 'Asia/Harbin', 'Asia/Urumqi', 'PRC'];
/**
 * Mainland China by default (#22.10) when the host's time zone is there, or the operator reads
 * Chinese (`--lang zh-CN` or a Chinese locale, both give the language zh-CN): the one who would
 * otherwise wait on Docker Hub. Anyone else can pick it on the region screen.
 */
export const suggestRegion = (facts: HostFacts | null, lang?: string): 'cn' | 'global' =>
  lang === 'zh-CN' || (facts && CN_TIMEZONES.includes(facts.timezone)) ? 'cn' : 'global';

export interface MirrorView { kind: MirrorKind; id: string; name: string; url: string }
export interface MirrorResult {
  kind: MirrorKind;
  id: string;
  alive: boolean;
  latencyMs: number | null;
  bytesPerSecond?: number | null;
  /** Registry kinds judged on the plan's images: the class (allow-list, stale, …) and the blob speed. */
  class?: MirrorClass;
  blobBytesPerSecond?: number | null;
}
export const mirrorKey = (kind: string, id: string) => `${kind}/${id}`;

export function latencyText(m: MirrorResult | undefined, measuring: boolean, t: T): string {
  if (!m) return measuring ? t('ui.mirror.measuring') : t('ui.mirror.notMeasured');
  // A registry mirror that answers but fails an image says how (allow-list, stale…), not "no answer".
  if (!m.alive) return m.class && m.class !== 'dead' ? t(`mirrors.class.${m.class}` as MsgKey) : t('ui.mirror.down');
  return m.latencyMs === null ? t('ui.mirror.alive') : `${Math.round(m.latencyMs)} ms`;
}

/**
 * The best live candidate, ranked by the same rankResults as init and `mirrors` (latency plus the
 * time to fetch 1 MiB at the measured speed), so all three pick the same one. Only a measured
 * candidate is ever picked: with none measured yet (or all dead) the answer is none, and the field
 * follows the measurements as they arrive.
 */
export function bestMirror(cands: readonly MirrorView[], results: ReadonlyMap<string, MirrorResult>): string {
  const measured: ProbeResult[] = [];
  for (const c of cands) {
    const r = results.get(mirrorKey(c.kind, c.id));
    if (r) {
      measured.push({
        kind: c.kind, id: c.id, url: c.url, alive: r.alive, latencyMs: r.latencyMs, bytesPerSecond: r.bytesPerSecond ?? null, error: null,
        ...(r.class ? { class: r.class, blobBytesPerSecond: r.blobBytesPerSecond ?? null } : {}),
      });
    }
  }
  const best = rankResults(measured)[0];
  return best?.alive ? best.url : '';
}

export const mirrorKinds = (cands: readonly MirrorView[]): MirrorKind[] => [...new Set(cands.map((c) => c.kind))];

export function regionForm(cands: readonly MirrorView[], results: ReadonlyMap<string, MirrorResult>, measuring: boolean, draft: Draft, t: T): FormDef {
  return {
    title: 'ui.s.region',
    intro: 'ui.i.region',
    fields: [
      { path: 'region', label: 'ui.f.region', codec: 'choice', options: () => [opt('global', 'ui.o.region.global'), opt('cn', 'ui.o.region.cn')] },
      ...mirrorKinds(cands).map((kind): FieldDef => ({
        path: `mirrors.${kind}`,
        label: 'ui.f.mirror',
        codec: 'choice',
        visible: (v) => v.region === 'cn',
        options: () => {
          const mine = cands.filter((c) => c.kind === kind);
          const out: Option[] = mine.map((c) => ({ value: c.url, text: `${c.name}  ${c.url}  ${latencyText(results.get(mirrorKey(kind, c.id)), measuring, t)}` }));
          const had = getPath(draft, `mirrors.${kind}`);
          if (typeof had === 'string' && !mine.some((c) => c.url === had)) out.push({ value: had, text: `${had}  ${t('ui.mirror.notMeasured')}` });
          out.push(opt('', 'ui.o.mirror.none'));
          return out;
        },
      })),
      // One's own accelerator (#16.5): probed with the registry candidates at the review, on the plan's images.
      ...(mirrorKinds(cands).includes('registry')
        ? [{ path: 'mirrors.accelerator', label: 'ui.f.accelerator', hint: 'ui.h.accelerator', codec: 'text', visible: (v) => v.region === 'cn' } satisfies FieldDef]
        : []),
    ],
  };
}

/** Kinds init picks a mirror for by itself (the image prefix renames images: never picked for the operator). */
const pickedByInit = (k: MirrorKind) => k !== 'image-prefix';

/**
 * The region screen's "none" as the answers keep it (#22.10): `mirrors.none` lists the kinds left at
 * the tools' defaults on purpose, so init does not choose one behind the operator's back.
 */
export function withNoneChoices(d: Draft, v: FormValues, kinds: readonly MirrorKind[]): Draft {
  const none = v.region === 'cn' ? kinds.filter((k) => pickedByInit(k) && (v[`mirrors.${k}`] ?? '') === '') : [];
  return setPath(d, 'mirrors.none', none.length ? none : undefined);
}

/**
 * Whether the measurements say Docker Hub pulls will probably fail here: region cn, every registry and
 * image-prefix candidate measured and none of them usable, and no accelerator typed (#22.10).
 */
export function hubUnreachable(v: FormValues, cands: readonly MirrorView[], results: ReadonlyMap<string, MirrorResult>, measuring: boolean): boolean {
  if (v.region !== 'cn' || measuring || String(v['mirrors.accelerator'] ?? '').trim() !== '') return false;
  const hub = cands.filter((c) => c.kind === 'registry' || c.kind === 'image-prefix');
  return hub.length > 0 && hub.every((c) => results.get(mirrorKey(c.kind, c.id))?.alive === false);
}

export function regionInitial(draft: Draft, facts: HostFacts | null, cands: readonly MirrorView[], results: ReadonlyMap<string, MirrorResult>, lang?: string): FormValues {
  const v: FormValues = { region: String(getPath(draft, 'region') ?? suggestRegion(facts, lang)) };
  for (const kind of mirrorKinds(cands)) {
    const had = getPath(draft, `mirrors.${kind}`);
    // An image prefix renames every image: offered, never chosen for the operator (as init does).
    const none = (getPath(draft, 'mirrors.none') as readonly string[] | undefined)?.includes(kind);
    v[`mirrors.${kind}`] = typeof had === 'string' ? had : none || kind === 'image-prefix' ? '' : bestMirror(cands.filter((c) => c.kind === kind), results);
  }
  if (mirrorKinds(cands).includes('registry')) v['mirrors.accelerator'] = String(getPath(draft, 'mirrors.accelerator') ?? '');
  return v;
}

/**
 * A mirror that did not answer is never written (docs/CONTRACT.md#mirrors); and while the probe runs, a kind
 * whose candidates are all still unmeasured cannot be left at "none" by an early Enter (the probe
 * ends within seconds). A chosen candidate not measured yet is probed again at the review.
 */
export function validateRegion(v: FormValues, cands: readonly MirrorView[], results: ReadonlyMap<string, MirrorResult>, t: T, measuring = false): Problems {
  const out: Problems = {};
  if (v.region !== 'cn') return out;
  for (const kind of mirrorKinds(cands)) {
    const value = v[`mirrors.${kind}`];
    const c = cands.find((x) => x.kind === kind && x.url === value);
    const r = c && results.get(mirrorKey(kind, c.id));
    if (r && !r.alive) out[`mirrors.${kind}`] = { text: t('ui.v.mirrorDown', { url: c.url }), severity: 'error' };
    const waiting = measuring && kind !== 'image-prefix' && value === '' && !cands.some((x) => x.kind === kind && results.has(mirrorKey(kind, x.id)));
    if (waiting) out[`mirrors.${kind}`] = { text: t('ui.v.mirrorMeasuring'), severity: 'error' };
  }
  return out;
}
