// Where an image can come from (pure): the reference itself, then the same Docker Hub path through
// each registry or image-prefix mirror, in order. A pull that fails moves on to the next one.
import { hubPath } from './versions.js';
import { pinnedDigest } from './registry.js';

export const mirrorHost = (url: string) => url.replace(/^https?:\/\//, '').replace(/\/+$/, '');

/**
 * A reference pinned by digest is pulled under its own name only: the Engine finds an image by
 * digest only under the name it was pulled as (a tag cannot carry a digest), so a copy pulled from
 * another host could not serve the compose file. Its fallback is the Engine's own: daemon.json's
 * registry-mirrors in order (usable ones only, fastest first, #16.3), then Docker Hub, each answer
 * checked against the digest (#16.4).
 */
export function pullCandidates(ref: string, mirrorUrls: readonly string[]): string[] {
  if (pinnedDigest(ref)) return [ref];
  const hosts = [...new Set(mirrorUrls.map(mirrorHost).filter(Boolean))];
  const first = ref.split('/')[0]!;
  const viaMirror = ref.includes('/') && hosts.includes(first);
  // A reference already rewritten to a mirror carries the Docker Hub path after the mirror's host.
  const path = viaMirror ? ref.slice(first.length + 1) : hubPath(ref);
  if (path === null) return [ref];
  const out = [ref];
  for (const h of hosts) {
    const c = `${h}/${path}`;
    if (!out.includes(c)) out.push(c);
  }
  // Last, Docker Hub itself (the daemon's own registry-mirrors apply to it).
  if (viaMirror) out.push(`docker.io/${path}`);
  return out;
}
