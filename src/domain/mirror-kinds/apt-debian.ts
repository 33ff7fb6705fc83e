// Debian's archive (and its debian-security archive where the provider has one), written into the
// host's apt sources.
import { aptReleaseLooksRight, bodyRequest, joinUrl, lastSegment, type MirrorKindModule } from './common.js';

const COMPONENTS = new Set(['main', 'contrib', 'non-free', 'non-free-firmware']);
// Codename or alias, optionally with a pocket; "buster/updates" is the pre-bullseye security suite.
const SUITE = /^[a-z]+(?:-(?:updates|backports|backports-sloppy|proposed-updates|security))?$|^[a-z]+\/updates$/;

export const aptDebian = {
  kind: 'apt-debian',
  label: 'mirrors.kind.apt-debian',
  fields: ['security'],
  relevant: (d) => d === 'debian',
  auto: true,
  probe(e, t) {
    const out = [bodyRequest(joinUrl(e.url, `dists/${t.debianSuite}/Release`), aptReleaseLooksRight)];
    if (e.security) out.push(bodyRequest(joinUrl(e.security, `dists/${t.debianSuite}-security/Release`), aptReleaseLooksRight));
    return out;
  },
  writer: {
    target: 'apt-sources',
    distro: 'debian',
    // The path names the archive; suites and components confirm it is the distribution's own.
    mapper: (m) => (uri, suites, comps) => {
      if (!suites.length || !suites.every((s) => SUITE.test(s))) return null;
      if (!comps.length || !comps.every((c) => COMPONENTS.has(c))) return null;
      const seg = lastSegment(uri);
      if (seg === 'debian') return m.main;
      if (seg === 'debian-security') return m.security ?? null;
      return null;
    },
  },
} as const satisfies MirrorKindModule<'apt-debian'>;
