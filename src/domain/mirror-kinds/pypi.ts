// The PyPI index for building the app image: pip.conf, PIP_INDEX_URL and uv's UV_DEFAULT_INDEX.
import { bodyRequest, joinUrl, trimSlash, type MirrorKindModule } from './common.js';

const hostOf = (u: string) => new URL(u).host;

export const pypi = {
  kind: 'pypi',
  label: 'mirrors.kind.pypi',
  fields: [],
  relevant: () => true,
  auto: true,
  probe: (e) => [bodyRequest(joinUrl(e.url, 'pip/'), (head) => /pip-\d/.test(head))],
  writer: {
    target: 'build',
    build(url) {
      const idx = trimSlash(url);
      const plain = idx.startsWith('http://');
      const args = [`PIP_INDEX_URL=${idx}`];
      // pip refuses plain-http indexes unless the host is trusted explicitly.
      if (plain) args.push(`PIP_TRUSTED_HOST=${hostOf(idx)}`);
      // uv (pip-compatible installer) reads its own variable.
      args.push(`UV_DEFAULT_INDEX=${idx}`);
      return {
        file: {
          name: 'pip.conf',
          content: `# PyPI mirror chosen for this stack by stack-wizard; copy to /etc/pip.conf in the build.\n[global]\nindex-url = ${idx}\n${plain ? `trusted-host = ${hostOf(idx)}\n` : ''}`,
        },
        args,
      };
    },
  },
} as const satisfies MirrorKindModule<'pypi'>;
