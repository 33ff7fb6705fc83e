// apt source files pointed at a mirror: deb822 `.sources` and one-line `sources.list`. Only the URIs
// of the distribution's own archive entries change (recognised by path, suites and components, never
// by host name); options, comments, other repositories and everything else stay byte for byte.
// Which URIs are whose is each apt kind's own (src/domain/mirror-kinds/): this is the file format.
import { assertLive, joinUrl, trimSlash, type AptDistro, type MirrorChoice } from '../domain/mirrors.js';
import { aptKindFor, kindModule, type ArchiveMirror, type UriMapper } from '../domain/mirror-kinds/index.js';
import { basename } from 'node:path';
import { backupPath } from '../domain/host-paths.js';
import { hostFile, type HostFile } from './host-file.js';

export type { ArchiveMirror, UriMapper };

export type SourcesFormat = 'deb822' | 'one-line';

export const sourcesFormat = (path: string): SourcesFormat | null =>
  path.endsWith('.sources') ? 'deb822' : path.endsWith('.list') ? 'one-line' : null;

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

/** Maps the official archive's entries of `m.distro` (its apt kind's mapper). */
export function archiveMapper(m: ArchiveMirror): UriMapper {
  const w = kindModule(aptKindFor(m.distro)).writer;
  if (w.target !== 'apt-sources') throw new Error(`${aptKindFor(m.distro)} does not write apt sources`);
  return w.mapper(m);
}

/** The apt mirror a live choice stands for. Refuses a choice without a live probe result. */
export function archiveMirrorFor(choice: MirrorChoice, distro: AptDistro): ArchiveMirror {
  assertLive(choice);
  if (choice.kind !== aptKindFor(distro)) throw new Error(`a ${choice.kind} mirror cannot serve ${distro}`);
  return { distro, main: trimSlash(choice.url), security: choice.security && trimSlash(choice.security), ports: choice.ports && trimSlash(choice.ports) };
}

/** A sources file with the distribution's archive entries pointed at the chosen (live) mirror. */
export function renderAptSources(text: string, format: SourcesFormat, choice: MirrorChoice, distro: AptDistro, backupName: string): Rewritten {
  const r = rewriteSources(text, format, archiveMapper(archiveMirrorFor(choice, distro)));
  return { text: r.replaced.length ? withHeader(r.text, backupName) : text, replaced: r.replaced };
}

/** Docker's own apt repository entries: their URIs go to the docker-ce mirror (the kind's mapper). */
export function dockerRepoMapper(mirror: string): UriMapper {
  const w = kindModule('docker-ce').writer;
  if (w.target !== 'docker-repo') throw new Error('docker-ce does not write Docker\'s repository');
  return w.mapper(mirror);
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

// ---- the host's sources files, edited ----

/** A sources file as it is now (src/host/host-files.ts reads them). */
export type SourcesNow = { path: string; text: string; backupExists: boolean };

/** One sources file rewritten: the host file (its original kept once) and what changed, for the preview line. */
export interface SourcesEdit { file: HostFile; replaced: number; targets: string[] }

function editOf(f: SourcesNow, r: Rewritten): SourcesEdit {
  return {
    file: hostFile(f.path, r.text, f.text, 0o644, { backup: f.backupExists ? undefined : backupPath(f.path) }),
    replaced: r.replaced.length,
    targets: [...new Set(r.replaced.map((x) => trimSlash(x.to)))],
  };
}

const formatOf = (path: string) => sourcesFormat(path) ?? 'one-line';

/** The host's sources files whose distribution archive entries move to the chosen (live) apt mirror. */
export function aptSourcesEdits(files: readonly SourcesNow[], choice: MirrorChoice, distro: AptDistro): SourcesEdit[] {
  const out: SourcesEdit[] = [];
  for (const f of files) {
    const r = renderAptSources(f.text, formatOf(f.path), choice, distro, basename(backupPath(f.path)));
    if (r.text !== f.text) out.push(editOf(f, r));
  }
  return out;
}

/**
 * The host's sources files whose Docker entries move to the chosen (live) docker-ce mirror, and
 * whether any file has Docker's repository at all (else a docker.sources is to be created).
 */
export function dockerRepoEdits(files: readonly SourcesNow[], choice: MirrorChoice, distro: AptDistro): { edits: SourcesEdit[]; found: boolean } {
  const edits: SourcesEdit[] = [];
  let found = false;
  for (const f of files) {
    const r = renderDockerRepoRewrite(f.text, formatOf(f.path), choice, basename(backupPath(f.path)));
    // An entry already on this mirror counts as found too (nothing to create).
    if (r.replaced.length || f.text.includes(joinUrl(choice.url, `linux/${distro}`))) found = true;
    if (r.text !== f.text) edits.push(editOf(f, r));
  }
  return { edits, found };
}
