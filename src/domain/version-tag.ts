// Version numbers and the tags they are read from: the leaf every version rule builds on (the
// engine and cache modules, the pins in versions.ts), so it imports nothing.

export interface Version { major: number; minor: number; patch: number }

export function parseVersion(s: string): Version | null {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(s);
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) } : null;
}

export function versionAtLeast(v: Version, major: number, minor: number, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

export function formatVersion(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** The tag of an image reference, or null ("repo@sha256:…" and bare names have none). */
export function imageTag(ref: string): string | null {
  const noDigest = ref.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(colon + 1) : null;
}

/** The version an image targets: its tag when that parses (an override may pin a patch release), else `fallback`'s tag. */
export function tagVersion(image: string, fallback: string): Version | null {
  const tag = imageTag(image);
  return (tag && parseVersion(tag)) || parseVersion(imageTag(fallback) ?? '');
}
