// The npm registry for building the app image: .npmrc and NPM_CONFIG_REGISTRY.
import { bodyRequest, joinUrl, trimSlash, type MirrorKindModule } from './common.js';

export const npm = {
  kind: 'npm',
  label: 'mirrors.kind.npm',
  fields: [],
  relevant: () => true,
  auto: true,
  // A small, long-lived package document.
  probe: (e) => [bodyRequest(joinUrl(e.url, 'ms'), (head) => /^\s*\{/.test(head) && head.includes('"name"'))],
  writer: {
    target: 'build',
    build(url) {
      // npm documents registry URLs with a trailing slash.
      const reg = `${trimSlash(url)}/`;
      return {
        file: { name: '.npmrc', content: `# npm registry mirror chosen for this stack by stack-wizard; copy into the app's build context.\nregistry=${reg}\n` },
        args: [`NPM_CONFIG_REGISTRY=${reg}`],
      };
    },
  },
} as const satisfies MirrorKindModule<'npm'>;
