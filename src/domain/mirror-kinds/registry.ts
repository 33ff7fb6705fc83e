// A Docker Hub pull-through mirror, listed in daemon.json's registry-mirrors (render/docker-daemon.ts)
// when it serves every Docker Hub image of the plan, fastest first, and tried per image by the pulls
// (domain/pull.ts). Judged by the registry protocol on the plan's images (host/registry-probe.ts).
import { originOf, type MirrorKindModule, type ProbeRequest } from './common.js';

/** The registry API root alone: 200, or 401 asking for a token, with Docker-Distribution-API-Version. */
export const registryApiProbe = (url: string): ProbeRequest[] => [
  {
    url: `${originOf(url)}/v2/`,
    body: false,
    judge(r) {
      const api = String(r.headers['docker-distribution-api-version'] ?? '');
      if ((r.status === 200 || r.status === 401) && api.startsWith('registry/2')) return null;
      return r.status === 200 || r.status === 401 ? 'not-a-registry' : `http-${r.status}`;
    },
  },
];

export const registry = {
  kind: 'registry',
  label: 'mirrors.kind.registry',
  fields: [],
  relevant: () => true,
  auto: true,
  probe: (e) => registryApiProbe(e.url),
  // The Engine asks a mirror for Docker Hub's own paths (library/mysql) at its root.
  images: (e, img) => ({ base: originOf(e.url), repository: img.repository, reference: img.reference }),
  writer: { target: 'daemon-json' },
} as const satisfies MirrorKindModule<'registry'>;
