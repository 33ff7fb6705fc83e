// What every mirror kind module provides (docs/ARCHITECTURE.md#adding-a-mirror-kind), and the
// small URL helpers they share. Pure, and free of zod: `--help` lists the kinds without loading it.
import type { MsgKey } from '../../i18n/index.js';
import type { HubImage, Platform } from '../registry.js';

export const trimSlash = (u: string) => u.replace(/\/+$/, '');
export const joinUrl = (base: string, path: string) => `${trimSlash(base)}/${path.replace(/^\/+/, '')}`;
/** URL origin (scheme://host[:port]) of a mirror URL. */
export const originOf = (u: string) => new URL(u).origin;
/** The last path segment of a URI ('' when it is not a URL): names the archive an apt entry uses. */
export const lastSegment = (uri: string): string => {
  try {
    return trimSlash(new URL(uri).pathname).split('/').pop() ?? '';
  } catch {
    return '';
  }
};

export type AptDistro = 'debian' | 'ubuntu';

/** What the probe needs to know about the host to ask for objects it would really use. */
export interface ProbeTarget {
  debianSuite: string;
  ubuntuSuite: string;
  dockerDistro: 'debian' | 'ubuntu';
  dockerSuite: string;
  /** Ubuntu on arm64 and other non-x86 machines uses ubuntu-ports. */
  ubuntuPorts: boolean;
  /** The Docker Hub images the plan pulls: registry kinds are judged on each (empty: on /v2/ alone). */
  images?: readonly HubImage[];
  /** The host's platform, picked from each image's index. */
  platform?: Platform;
}

/** Where a registry kind's candidate serves a Docker Hub image: the registry's origin and the path there. */
export interface ImageEndpoint {
  base: string;
  repository: string;
  reference: string;
}

/** Catalogue fields beyond kind, id, name, url and note; each kind says which it takes. */
export type EntryField = 'security' | 'ports';
/** The URLs of a catalogue entry (or of a URL the operator typed) that a probe and a writer use. */
export type EntryUrls = { url: string } & Partial<Record<EntryField, string>>;

/** A response as far as a kind judges it: status, headers, and the first bytes of the body ('' when not read). */
export interface ProbeReply {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  head: string;
}

/**
 * One request of a probe. `body`: the body is read (the status must be 200; speed is measured on
 * the first request) and judged on its first bytes; else the answer is judged on its headers alone.
 * `judge` returns null when the reply is the object asked for, the error the probe reports, or the
 * request to make next (a protocol in steps: a token the answer points to, then a manifest with it),
 * judged in turn; the candidate's latency and speed stay the first answer's.
 */
export interface ProbeRequest {
  url: string;
  body: boolean;
  /** Request headers beyond the probe's own (an Authorization an earlier answer led to). */
  headers?: Readonly<Record<string, string>>;
  judge(r: ProbeReply): string | null | ProbeRequest;
}

/** How an apt mirror's URIs replace the distribution's own in a sources file; null keeps a URI. */
export type UriMapper = (uri: string, suites: readonly string[], components: readonly string[]) => string | null;

/** Where each of a distribution's archives goes. `security` / `ports` absent: those entries stay. */
export interface ArchiveMirror {
  distro: AptDistro;
  main: string;
  security?: string;
  ports?: string;
}

/** A file for the app image's build context and the build arguments a kind contributes (render/build-mirrors.ts). */
export interface BuildContribution {
  file?: { name: string; content: string };
  args: string[];
}

/**
 * Where a chosen mirror is written. The generator of each target is shared by the kinds that use
 * it: apt sources (render/apt-sources.ts), Docker's apt repository (the same), daemon.json
 * (render/docker-daemon.ts), image names (domain/versions.ts, domain/pull.ts), build files
 * (render/build-mirrors.ts). A kind supplies what is its own: the URI mapping, the build lines.
 */
export type MirrorWriter =
  | { target: 'apt-sources'; distro: AptDistro; mapper(m: ArchiveMirror): UriMapper }
  | { target: 'docker-repo'; mapper(mirror: string): UriMapper }
  | { target: 'daemon-json' }
  | { target: 'image-names' }
  | { target: 'build'; build(url: string): BuildContribution };

export interface MirrorKindModule<K extends string = string> {
  readonly kind: K;
  /** Its name in tables and on the region screen. */
  readonly label: MsgKey;
  /** Catalogue fields its entries may carry. */
  readonly fields: readonly EntryField[];
  /** Whether it matters on a host of this apt family (null: neither Debian nor Ubuntu). */
  relevant(distro: AptDistro | null): boolean;
  /** Chosen automatically (the best live candidate) in region cn; false: only when asked for. */
  readonly auto: boolean;
  /** The small real objects a candidate is judged on; every one must pass, the first is measured. */
  probe(e: EntryUrls, t: ProbeTarget): ProbeRequest[];
  /**
   * Registry kinds: where this candidate serves a Docker Hub image. With the plan's images in the
   * target, the probe speaks the registry protocol for each of them here (host/registry-probe.ts)
   * instead of `probe`'s requests, and classifies the candidate (domain/registry-class.ts).
   */
  images?(e: EntryUrls, image: HubImage): ImageEndpoint;
  readonly writer: MirrorWriter;
}

/** A body-judging request: the reply is right when `looksRight(head)`. */
export const bodyRequest = (url: string, looksRight: (head: string) => boolean): ProbeRequest => ({
  url,
  body: true,
  judge: (r) => (looksRight(r.head) ? null : 'unexpected-content'),
});

/** An apt Release file (also behind a PGP signature), not a portal's or a CDN's error page. */
export const aptReleaseLooksRight = (head: string) => /^(Suite|Codename):\s*\S/m.test(head);
