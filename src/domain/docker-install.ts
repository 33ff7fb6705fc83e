// How Docker gets onto a server (pure): which packages from which repository. The docker step
// (src/steps/docker.ts) runs these plans through the Executor; daemon.json is the mirror step's.
import type { HostFacts } from './facts.js';
import { DOCKER_KEY_FINGERPRINTS } from './openpgp.js';

/** Docker's own package repository; a mirror of it has the same layout under another base URL. */
export const DOCKER_CE_DEFAULT = 'https://download.docker.com';
export const DOCKER_CE_PACKAGES = ['docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-compose-plugin', 'docker-buildx-plugin'];
/** Where the CLI looks for plugins (first of its search path): not owned by any package. */
export const LOCAL_PLUGIN_DIR = '/usr/local/lib/docker/cli-plugins';
export const DOCKER_SOURCES = '/etc/apt/sources.list.d/docker.sources';

/** `debian` or `ubuntu`: the docker-ce repository has one tree per base distribution. */
export function baseDistro(f: HostFacts): 'debian' | 'ubuntu' | null {
  if (f.os.id === 'debian' || f.os.id === 'ubuntu') return f.os.id;
  if (f.os.idLike.includes('ubuntu')) return 'ubuntu';
  if (f.os.idLike.includes('debian')) return 'debian';
  return null;
}

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'armhf', s390x: 's390x', ppc64: 'ppc64el' };
export const debArch = (nodeArch: string) => ARCH[nodeArch] ?? nodeArch;

export interface DockerCeRepo { url: string; base: string; os: 'debian' | 'ubuntu'; suite: string; gpgUrl: string; arch: string }

/** The docker-ce apt repository for this host: `<url>/linux/<os>`, its key at `<url>/linux/<os>/gpg`. */
export function dockerCeRepo(f: HostFacts, mirrorUrl: string | undefined): DockerCeRepo | null {
  const os = baseDistro(f);
  const suite = f.os.codename;
  if (!os || !suite) return null;
  const url = (mirrorUrl ?? DOCKER_CE_DEFAULT).replace(/\/+$/, '');
  const base = `${url}/linux/${os}`;
  return { url, base, os, suite, gpgUrl: `${base}/gpg`, arch: debArch(f.arch) };
}

/**
 * For tests only: the fingerprint of the key a stand-in docker-ce repository is signed with (the
 * e2e lab's loopback repository). When set it replaces Docker's fingerprint, so Docker's real
 * repository is refused meanwhile: it never adds a second accepted key, and unset nothing changes.
 */
export const TEST_DOCKER_KEY_ENV = 'STACK_WIZARD_TEST_DOCKER_KEY_FINGERPRINT';

/** The signing-key fingerprints a docker-ce repository is accepted with, and whether the test override set them. */
export function acceptedDockerKeys(env: NodeJS.ProcessEnv): { fingerprints: readonly string[]; test: boolean } {
  const v = env[TEST_DOCKER_KEY_ENV]?.trim();
  if (!v) return { fingerprints: DOCKER_KEY_FINGERPRINTS, test: false };
  if (!/^([0-9A-F]{40}|[0-9A-F]{64})$/i.test(v)) throw new Error(`${TEST_DOCKER_KEY_ENV} is not an OpenPGP fingerprint (40 or 64 hex digits): ${v}`);
  return { fingerprints: [v.toUpperCase()], test: true };
}

/** Whether an apt source already points at a docker-ce repository (ours, the mirror step's, or the operator's). */
export const hasDockerCeSource = (texts: readonly string[]) => texts.some((t) => /^[^#\n]*\/linux\/(?:debian|ubuntu)\/?(?:\s|$)/m.test(t));

/**
 * The distribution's own packages when the docker-ce repository cannot be reached. Compose v2 is
 * `docker-compose-v2` on Ubuntu and `docker-compose` on Debian 13; Debian 11 and 12 do not package
 * Compose v2 at all (their `docker-compose` is v1), so the plugin comes from Debian 13's package,
 * fetched through this host's own Debian mirror and unpacked into the CLI's plugin folder, where
 * dpkg does not manage it: no Debian 13 package is installed and the system's packages stay as they are.
 */
export type ComposeSource = { kind: 'package'; name: string } | { kind: 'debian-trixie-plugin' };

export function distroPackages(f: HostFacts): { engine: string[]; compose: ComposeSource } | null {
  const os = baseDistro(f);
  if (os === 'ubuntu') return { engine: ['docker.io'], compose: { kind: 'package', name: 'docker-compose-v2' } };
  if (os === 'debian') {
    const major = Number(f.os.versionId.split('.')[0]);
    // Debian 13 (trixie) and later package Compose v2 as docker-compose; a derivative without a
    // version number is treated like the newest.
    if (!Number.isFinite(major) || major >= 13 || f.os.id !== 'debian') {
      return { engine: ['docker.io'], compose: { kind: 'package', name: 'docker-compose' } };
    }
    return { engine: ['docker.io'], compose: { kind: 'debian-trixie-plugin' } };
  }
  return null;
}

/** The first Debian archive URI of this host's apt configuration (deb822 .sources or one-line lists). */
export function debianArchiveUri(files: { path: string; text: string }[]): string | null {
  for (const { path, text } of files) {
    if (path.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        if (/^Enabled:\s*no/im.test(stanza)) continue;
        const suites = /^Suites:\s*(.+)$/im.exec(stanza)?.[1] ?? '';
        const uri = /^URIs:\s*(\S+)/im.exec(stanza)?.[1];
        if (uri && !/-security|\/debian-security/.test(`${suites} ${uri}`) && /^https?:/.test(uri)) return uri.replace(/\/+$/, '');
      }
    } else {
      for (const line of text.split('\n')) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (m && /^https?:/.test(m[1]!) && !/-security|debian-security/.test(`${m[1]} ${m[2]}`)) return m[1]!.replace(/\/+$/, '');
      }
    }
  }
  return null;
}
