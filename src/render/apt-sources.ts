// apt source files pointed at a mirror: deb822 `.sources` and one-line `sources.list`. Only the URIs
// of the distribution's own archive entries change (recognised by path, suites and components, never
// by host name); options, comments, other repositories and everything else stay byte for byte.
import { assertLive, joinUrl, trimSlash, type AptDistro, type MirrorChoice } from '../domain/mirrors.js';

export type SourcesFormat = 'deb822' | 'one-line';

export const sourcesFormat = (path: string): SourcesFormat | null =>
  path.endsWith('.sources') ? 'deb822' : path.endsWith('.list') ? 'one-line' : null;

/** Decides a URI's replacement from the entry it is in; null keeps it. */
export type UriMapper = (uri: string, suites: readonly string[], components: readonly string[]) => string | null;

export interface Rewritten {
  text: string;
  /** Each URI replaced (from → to); empty when nothing was ours to change. */
  replaced: { from: string; to: string }[];
}

export const REWRITE_MARK = '# stack-wizard:';
const header = (backupName: string) =>
  `${REWRITE_MARK} the archive URIs below point at a mirror chosen by probing; the original file is ${backupName}\n`;

function withHeader(text: string, backupName: string | null): string {
  if (!backupName || text.startsWith(REWRITE_MARK)) return text;
  return header(backupName) + text;
}

/** Rewrites a deb822 file (paragraphs of `Field: value`, continuation lines indented, # comments). */
export function rewriteDeb822(text: string, map: UriMapper): Rewritten {
  const lines = text.split('\n');
  const replaced: Rewritten['replaced'] = [];
  // Paragraph boundaries: blank lines.
  let i = 0;
  while (i < lines.length) {
    while (i < lines.length && lines[i]!.trim() === '') i++;
    const start = i;
    while (i < lines.length && lines[i]!.trim() !== '') i++;
    const end = i;
    if (start === end) continue;
    // Fields of this paragraph: name → { line index, value (continuations joined), continuation count }.
    const fields = new Map<string, { at: number; key: string; value: string; cont: number }>();
    let last: string | null = null;
    for (let j = start; j < end; j++) {
      const l = lines[j]!;
      if (l.startsWith('#')) continue;
      if (/^[ \t]/.test(l) && last) {
        const f = fields.get(last)!;
        f.value += ` ${l.trim()}`;
        f.cont++;
        continue;
      }
      const m = /^([A-Za-z0-9-]+):(.*)$/.exec(l);
      if (!m) continue;
      last = m[1]!.toLowerCase();
      fields.set(last, { at: j, key: m[1]!, value: m[2]!.trim(), cont: 0 });
    }
    const uris = fields.get('uris');
    if (!uris) continue;
    if (/^(no|false)$/i.test(fields.get('enabled')?.value ?? '')) continue;
    const words = (k: string) => (fields.get(k)?.value ?? '').split(/\s+/).filter(Boolean);
    const suites = words('suites');
    const comps = words('components');
    const next: string[] = [];
    let touched = false;
    for (const u of uris.value.split(/\s+/).filter(Boolean)) {
      const to = map(u, suites, comps);
      if (to !== null && trimSlash(to) !== trimSlash(u)) {
        replaced.push({ from: u, to });
        touched = true;
      }
      const v = to ?? u;
      if (!next.some((x) => trimSlash(x) === trimSlash(v))) next.push(v);
    }
    if (!touched) continue;
    lines[uris.at] = `${uris.key}: ${next.join(' ')}`;
    // A multi-line URIs field becomes one line; drop its continuation lines.
    if (uris.cont > 0) {
      let removed = 0;
      for (let j = uris.at + 1; j < end && removed < uris.cont; ) {
        if (/^[ \t]/.test(lines[j]!)) {
          lines.splice(j, 1);
          removed++;
        } else j++;
      }
      i -= removed;
    }
  }
  return { text: lines.join('\n'), replaced };
}

const ONE_LINE_RE = /^(\s*deb(?:-src)?\s+)(\[[^\]]*\]\s+)?(\S+)(\s+)(\S+)(.*)$/;

/** Rewrites a one-line sources.list (`deb [opts] uri suite [components…]`); commented lines stay. */
export function rewriteOneLine(text: string, map: UriMapper): Rewritten {
  const replaced: Rewritten['replaced'] = [];
  const out = text.split('\n').map((line) => {
    const m = ONE_LINE_RE.exec(line);
    if (!m) return line;
    const [, lead, opts = '', uri, sp, suite, rest] = m as unknown as [string, string, string | undefined, string, string, string, string];
    const comps = rest.replace(/#.*$/, '').trim().split(/\s+/).filter(Boolean);
    const to = map(uri, [suite], comps);
    if (to === null || trimSlash(to) === trimSlash(uri)) return line;
    replaced.push({ from: uri, to });
    return `${lead}${opts}${to}${sp}${suite}${rest}`;
  });
  return { text: out.join('\n'), replaced };
}

export function rewriteSources(text: string, format: SourcesFormat, map: UriMapper): Rewritten {
  return format === 'deb822' ? rewriteDeb822(text, map) : rewriteOneLine(text, map);
}

const lastSegment = (uri: string): string => {
  try {
    return trimSlash(new URL(uri).pathname).split('/').pop() ?? '';
  } catch {
    return '';
  }
};

const DEBIAN_COMPONENTS = new Set(['main', 'contrib', 'non-free', 'non-free-firmware']);
const UBUNTU_COMPONENTS = new Set(['main', 'restricted', 'universe', 'multiverse']);
// Codename or alias, optionally with a pocket; "buster/updates" is the pre-bullseye security suite.
const DEBIAN_SUITE = /^[a-z]+(?:-(?:updates|backports|backports-sloppy|proposed-updates|security))?$|^[a-z]+\/updates$/;
const UBUNTU_SUITE = /^[a-z]+(?:-(?:updates|backports|security|proposed))?$/;

/** Where each of the distribution's archives goes. `security` / `ports` absent: those entries stay. */
export interface ArchiveMirror {
  distro: AptDistro;
  main: string;
  security?: string;
  ports?: string;
}

/** Maps the official archive's entries: the path names the archive; suites and components confirm it is the distribution's own. */
export function archiveMapper(m: ArchiveMirror): UriMapper {
  return (uri, suites, comps) => {
    const seg = lastSegment(uri);
    if (m.distro === 'debian') {
      if (!suites.length || !suites.every((s) => DEBIAN_SUITE.test(s))) return null;
      if (!comps.length || !comps.every((c) => DEBIAN_COMPONENTS.has(c))) return null;
      if (seg === 'debian') return m.main;
      if (seg === 'debian-security') return m.security ?? null;
      return null;
    }
    if (!suites.length || !suites.every((s) => UBUNTU_SUITE.test(s))) return null;
    if (!comps.length || !comps.every((c) => UBUNTU_COMPONENTS.has(c))) return null;
    // Ubuntu's -security pocket is part of the same archive, so security.ubuntu.com entries go to the mirror too.
    if (seg === 'ubuntu') return m.main;
    if (seg === 'ubuntu-ports') return m.ports ?? null;
    return null;
  };
}

/** The apt mirror a live choice stands for. Refuses a choice without a live probe result. */
export function archiveMirrorFor(choice: MirrorChoice, distro: AptDistro): ArchiveMirror {
  assertLive(choice);
  if (choice.kind !== (distro === 'debian' ? 'apt-debian' : 'apt-ubuntu')) throw new Error(`a ${choice.kind} mirror cannot serve ${distro}`);
  return { distro, main: trimSlash(choice.url), security: choice.security && trimSlash(choice.security), ports: choice.ports && trimSlash(choice.ports) };
}

/** A sources file with the distribution's archive entries pointed at the chosen (live) mirror. */
export function renderAptSources(text: string, format: SourcesFormat, choice: MirrorChoice, distro: AptDistro, backupName: string): Rewritten {
  const r = rewriteSources(text, format, archiveMapper(archiveMirrorFor(choice, distro)));
  return { text: r.replaced.length ? withHeader(r.text, backupName) : text, replaced: r.replaced };
}

const DOCKER_COMPONENTS = new Set(['stable', 'test', 'nightly']);

/** Docker's own apt repository entries (…/linux/<debian|ubuntu>, component stable): their URIs go to the docker-ce mirror. */
export function dockerRepoMapper(mirror: string): UriMapper {
  return (uri, _suites, comps) => {
    let path: string;
    try {
      path = trimSlash(new URL(uri).pathname);
    } catch {
      return null;
    }
    const m = /\/linux\/(debian|ubuntu)$/.exec(path);
    if (!m || !comps.length || !comps.every((c) => DOCKER_COMPONENTS.has(c))) return null;
    return joinUrl(mirror, `linux/${m[1]}`);
  };
}

/** An existing Docker repository file with its URIs pointed at the chosen (live) docker-ce mirror. */
export function renderDockerRepoRewrite(text: string, format: SourcesFormat, choice: MirrorChoice, backupName: string): Rewritten {
  assertLive(choice);
  if (choice.kind !== 'docker-ce') throw new Error(`a ${choice.kind} mirror is not a docker-ce repository`);
  const r = rewriteSources(text, format, dockerRepoMapper(choice.url));
  return { text: r.replaced.length ? withHeader(r.text, backupName) : text, replaced: r.replaced };
}

/** deb822 multi-line value: each line indented by one space, empty lines as " .". */
const deb822Block = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => (l.trim() === '' ? ' .' : ` ${l.trimEnd()}`))
    .join('\n');

/**
 * A new docker.sources for the chosen (live) docker-ce mirror. The signing key is inline in
 * Signed-By (apt ≥ 2.3.10: Debian 12, Ubuntu 22.04 and later), so source and key are one file,
 * written atomically, and the key is trusted for this repository only.
 */
export function renderDockerSources(choice: MirrorChoice, o: { distro: AptDistro; suite: string; arch: string | null; keyArmored: string }): string {
  assertLive(choice);
  if (choice.kind !== 'docker-ce') throw new Error(`a ${choice.kind} mirror is not a docker-ce repository`);
  return [
    `${REWRITE_MARK} Docker CE packages from a mirror chosen by probing (${trimSlash(choice.url)})`,
    'Types: deb',
    `URIs: ${joinUrl(choice.url, `linux/${o.distro}`)}`,
    `Suites: ${o.suite}`,
    'Components: stable',
    ...(o.arch ? [`Architectures: ${o.arch}`] : []),
    `Signed-By:\n${deb822Block(o.keyArmored)}`,
    '',
  ].join('\n');
}
