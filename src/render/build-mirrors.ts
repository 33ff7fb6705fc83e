// npm, PyPI and Node.js mirrors for building the app image. The stack runs a finished image, so the
// build happens elsewhere (CI, or `docker build` on this server); these files carry the chosen
// mirrors there: drop .npmrc / pip.conf into the build context, or pass build-args.env as
// `--build-arg`s (each needs an `ARG NAME` line in the Dockerfile to reach the build's RUN steps).
// What each kind contributes is its module's (src/domain/mirror-kinds/); this assembles them.
import type { Plan } from '../domain/plan.js';
import { MIRROR_KINDS, kindModule } from '../domain/mirror-kinds/index.js';
import { file, type RenderedFile } from './types.js';

const DIR = 'mirrors';

export const MIRROR_FILES = {
  npmrc: `${DIR}/.npmrc`,
  pipConf: `${DIR}/pip.conf`,
  buildArgs: `${DIR}/build-args.env`,
} as const;

export function renderBuildMirrors(plan: Plan): RenderedFile[] {
  const out: RenderedFile[] = [];
  const args: string[] = [];
  for (const kind of MIRROR_KINDS) {
    const w = kindModule(kind).writer;
    const url = plan.mirrors[kind];
    if (w.target !== 'build' || !url) continue;
    const c = w.build(url);
    if (c.file) out.push(file(`${DIR}/${c.file.name}`, c.file.content));
    args.push(...c.args);
  }
  if (args.length === 0 && out.length === 0) return [];
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
