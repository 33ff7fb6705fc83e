// Node.js release binaries (and headers for node-gyp) for building the app image: build arguments only.
import { bodyRequest, joinUrl, trimSlash, type MirrorKindModule } from './common.js';

export const node = {
  kind: 'node',
  label: 'mirrors.kind.node',
  fields: [],
  relevant: () => true,
  auto: true,
  probe: (e) => [bodyRequest(joinUrl(e.url, 'index.json'), (head) => /^\s*\[/.test(head) && head.includes('"version"'))],
  writer: {
    target: 'build',
    build(url) {
      const dist = `${trimSlash(url)}/`;
      // node-gyp fetches headers from NODEJS_ORG_MIRROR; nvm installs Node from NVM_NODEJS_ORG_MIRROR.
      return { args: [`NODEJS_ORG_MIRROR=${dist}`, `NVM_NODEJS_ORG_MIRROR=${dist}`] };
    },
  },
} as const satisfies MirrorKindModule<'node'>;
