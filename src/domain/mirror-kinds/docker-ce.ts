// Docker's own apt repository (download.docker.com/linux/<distro>): existing entries are pointed at
// the mirror, or a docker.sources is created (render/apt-sources.ts).
import { aptReleaseLooksRight, bodyRequest, joinUrl, trimSlash, type MirrorKindModule } from './common.js';

const COMPONENTS = new Set(['stable', 'test', 'nightly']);

export const dockerCe = {
  kind: 'docker-ce',
  label: 'mirrors.kind.docker-ce',
  fields: [],
  relevant: (d) => d !== null,
  auto: true,
  probe: (e, t) => [bodyRequest(joinUrl(e.url, `linux/${t.dockerDistro}/dists/${t.dockerSuite}/Release`), aptReleaseLooksRight)],
  writer: {
    target: 'docker-repo',
    // Docker's entries: …/linux/<debian|ubuntu> with component stable (or test, nightly).
    mapper: (mirror) => (uri, _suites, comps) => {
      let path: string;
      try {
        path = trimSlash(new URL(uri).pathname);
      } catch {
        return null;
      }
      const m = /\/linux\/(debian|ubuntu)$/.exec(path);
      if (!m || !comps.length || !comps.every((c) => COMPONENTS.has(c))) return null;
      return joinUrl(mirror, `linux/${m[1]}`);
    },
  },
} as const satisfies MirrorKindModule<'docker-ce'>;
