// npm, PyPI and Node.js mirrors for building the app image. The stack runs a finished image, so the
// build happens elsewhere (CI, or `docker build` on this server); these files carry the chosen
// mirrors there: drop .npmrc / pip.conf into the build context, or pass build-args.env as
// `--build-arg`s (each needs an `ARG NAME` line in the Dockerfile to reach the build's RUN steps).
import type { Plan } from '../domain/plan.js';
import { trimSlash } from '../domain/mirrors.js';
import { file, type RenderedFile } from './types.js';

export const MIRROR_FILES = {
  npmrc: 'mirrors/.npmrc',
  pipConf: 'mirrors/pip.conf',
  buildArgs: 'mirrors/build-args.env',
} as const;

const hostOf = (u: string) => new URL(u).host;

export function renderBuildMirrors(plan: Plan): RenderedFile[] {
  const npm = plan.mirrors.npm;
  const pypi = plan.mirrors.pypi;
  const node = plan.mirrors.node;
  if (!npm && !pypi && !node) return [];
  const out: RenderedFile[] = [];
  const args: string[] = [];
  if (npm) {
    // npm documents registry URLs with a trailing slash.
    const reg = `${trimSlash(npm)}/`;
    out.push(file(MIRROR_FILES.npmrc, `# npm registry mirror chosen for this stack by stack-wizard; copy into the app's build context.\nregistry=${reg}\n`));
    args.push(`NPM_CONFIG_REGISTRY=${reg}`);
  }
  if (pypi) {
    const idx = trimSlash(pypi);
    const plain = idx.startsWith('http://');
    // pip refuses plain-http indexes unless the host is trusted explicitly.
    out.push(file(MIRROR_FILES.pipConf, `# PyPI mirror chosen for this stack by stack-wizard; copy to /etc/pip.conf in the build.\n[global]\nindex-url = ${idx}\n${plain ? `trusted-host = ${hostOf(idx)}\n` : ''}`));
    args.push(`PIP_INDEX_URL=${idx}`);
    if (plain) args.push(`PIP_TRUSTED_HOST=${hostOf(idx)}`);
    // uv (pip-compatible installer) reads its own variable.
    args.push(`UV_DEFAULT_INDEX=${idx}`);
  }
  if (node) {
    const dist = `${trimSlash(node)}/`;
    // node-gyp fetches headers from NODEJS_ORG_MIRROR; nvm installs Node from NVM_NODEJS_ORG_MIRROR.
    args.push(`NODEJS_ORG_MIRROR=${dist}`, `NVM_NODEJS_ORG_MIRROR=${dist}`);
  }
  out.push(
    file(
      MIRROR_FILES.buildArgs,
      [
        '# Mirrors for building the app image, chosen by stack-wizard. Use as build arguments:',
        "#   docker build $(grep -v '^#' build-args.env | sed 's/^/--build-arg /') .",
        '# with a matching `ARG NAME` line in the Dockerfile for each one it uses.',
        ...args,
        '',
      ].join('\n'),
    ),
  );
  return out;
}
