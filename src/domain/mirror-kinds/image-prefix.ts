// A registry that serves Docker Hub's images under a path prefix (m.example/docker.io/library/mysql):
// the image names themselves are rewritten (domain/versions.ts withPrefixMirror). Only on request:
// it changes the names of the images the stack runs. Probed on the rewritten references.
import { originOf, trimSlash, type MirrorKindModule } from './common.js';
import { registryApiProbe } from './registry.js';

export const imagePrefix = {
  kind: 'image-prefix',
  label: 'mirrors.kind.image-prefix',
  fields: [],
  relevant: () => true,
  auto: false,
  probe: (e) => registryApiProbe(e.url),
  // <prefix>/library/mysql:8.4: the prefix's path (docker.io for full-reference mirrors) leads the repository.
  images: (e, img) => {
    const path = trimSlash(new URL(e.url).pathname).replace(/^\/+/, '');
    return { base: originOf(e.url), repository: path ? `${path}/${img.repository}` : img.repository, reference: img.reference };
  },
  writer: { target: 'image-names' },
} as const satisfies MirrorKindModule<'image-prefix'>;
