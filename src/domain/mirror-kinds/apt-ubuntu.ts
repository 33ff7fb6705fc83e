// Ubuntu's archive (and ubuntu-ports on non-x86 hosts), written into the host's apt sources. Its
// -security pocket lives in the same archive on every mirror.
import { aptReleaseLooksRight, bodyRequest, joinUrl, lastSegment, type MirrorKindModule } from './common.js';

const COMPONENTS = new Set(['main', 'restricted', 'universe', 'multiverse']);
const SUITE = /^[a-z]+(?:-(?:updates|backports|security|proposed))?$/;

export const aptUbuntu = {
  kind: 'apt-ubuntu',
  label: 'mirrors.kind.apt-ubuntu',
  fields: ['ports'],
  relevant: (d) => d === 'ubuntu',
  auto: true,
  probe(e, t) {
    const out = [bodyRequest(joinUrl(e.url, `dists/${t.ubuntuSuite}/Release`), aptReleaseLooksRight)];
    if (e.ports && t.ubuntuPorts) out.push(bodyRequest(joinUrl(e.ports, `dists/${t.ubuntuSuite}/Release`), aptReleaseLooksRight));
    return out;
  },
  writer: {
    target: 'apt-sources',
    distro: 'ubuntu',
    mapper: (m) => (uri, suites, comps) => {
      if (!suites.length || !suites.every((s) => SUITE.test(s))) return null;
      if (!comps.length || !comps.every((c) => COMPONENTS.has(c))) return null;
      // Ubuntu's -security pocket is part of the same archive, so security.ubuntu.com entries go to the mirror too.
      const seg = lastSegment(uri);
      if (seg === 'ubuntu') return m.main;
      if (seg === 'ubuntu-ports') return m.ports ?? null;
      return null;
    },
  },
} as const satisfies MirrorKindModule<'apt-ubuntu'>;
