// The mirror kinds: defined here once, one module each. The answers schema, the catalogue schema,
// the --mirror flag, the probe, the writers and the `mirrors` table all take them from here.
import { aptDebian } from './apt-debian.js';
import { aptUbuntu } from './apt-ubuntu.js';
import type { AptDistro, MirrorKindModule } from './common.js';
import { dockerCe } from './docker-ce.js';
import { imagePrefix } from './image-prefix.js';
import { node } from './node.js';
import { npm } from './npm.js';
import { pypi } from './pypi.js';
import { registry } from './registry.js';

/** In the order tables, probes and files list them. */
const MODULES = {
  'apt-debian': aptDebian,
  'apt-ubuntu': aptUbuntu,
  'docker-ce': dockerCe,
  registry,
  'image-prefix': imagePrefix,
  npm,
  pypi,
  node,
} as const;

export type MirrorKind = keyof typeof MODULES;
// Each module is filed under its own kind.
export const MIRROR_KIND_MODULES: { readonly [K in MirrorKind]: MirrorKindModule<K> } = MODULES;
export const MIRROR_KINDS = Object.keys(MODULES) as [MirrorKind, ...MirrorKind[]];

export const kindModule = (k: MirrorKind): MirrorKindModule<MirrorKind> => MIRROR_KIND_MODULES[k];

/** The kinds that matter on a host of this apt family, in list order. */
export const relevantKindsFor = (distro: AptDistro | null): MirrorKind[] => MIRROR_KINDS.filter((k) => kindModule(k).relevant(distro));

/** The apt kind that serves this distribution's own archive. */
export function aptKindFor(distro: AptDistro): MirrorKind {
  const k = MIRROR_KINDS.find((x) => {
    const w = kindModule(x).writer;
    return w.target === 'apt-sources' && w.distro === distro;
  });
  if (!k) throw new Error(`no apt mirror kind for ${distro}`);
  return k;
}

export * from './common.js';
