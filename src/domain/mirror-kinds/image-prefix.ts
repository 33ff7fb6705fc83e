// A registry that serves Docker Hub's images under a path prefix (m.example/docker.io/library/mysql):
// the image names themselves are rewritten (domain/versions.ts withPrefixMirror). Only on request:
// it changes the names of the images the stack runs.
import type { MirrorKindModule } from './common.js';
import { registryApiProbe } from './registry.js';

export const imagePrefix = {
  kind: 'image-prefix',
  label: 'mirrors.kind.image-prefix',
  fields: [],
  relevant: () => true,
  auto: false,
  probe: (e) => registryApiProbe(e.url),
  writer: { target: 'image-names' },
} as const satisfies MirrorKindModule<'image-prefix'>;
