import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  archiveMapper, renderAptSources, renderDockerRepoRewrite, renderDockerSources, rewriteDeb822, rewriteOneLine, REWRITE_MARK,
} from '../../src/render/apt-sources.js';
import { DeadMirrorError, type MirrorChoice, type MirrorKind } from '../../src/domain/mirrors.js';

const sample = (name: string) =>
  readFileSync(new URL(`../fixtures/apt/${name}`, import.meta.url), 'utf8')
    .replaceAll('@DEBIAN_HOST@', 'archive.example.org')
    .replaceAll('@DEBIAN_SECURITY_HOST@', 'security.example.org');

const live = (kind: MirrorKind, url: string, extra: Partial<MirrorChoice> = {}): MirrorChoice => ({
  kind, url, ...extra, result: { kind, id: 'm', url, alive: true, latencyMs: 12, bytesPerSecond: 1_000_000, error: null },
});
const dead = (kind: MirrorKind, url: string): MirrorChoice => ({
  kind, url, result: { kind, id: 'm', url, alive: false, latencyMs: null, bytesPerSecond: null, error: 'timeout' },
});

const M = 'https://mirror.example.cn/debian';
const S = 'https://mirror.example.cn/debian-security';

describe('Debian deb822 (debian.sources)', () => {
  const text = sample('debian-12.sources');

  it('points the archive and, with a security archive, the security suite at the mirror; keeps every other line', () => {
    const r = renderAptSources(text, 'deb822', live('apt-debian', M, { security: S }), 'debian', 'debian.sources.stack-wizard.bak');
    expect(r.replaced).toEqual([
      { from: 'http://archive.example.org/debian', to: M },
      { from: 'http://security.example.org/debian-security', to: S },
    ]);
    expect(r.text.startsWith(REWRITE_MARK)).toBe(true);
    expect(r.text).toContain('debian.sources.stack-wizard.bak');
    const body = r.text.split('\n').slice(1).join('\n');
    expect(body).toBe(text.replace('http://archive.example.org/debian', M).replace('http://security.example.org/debian-security', S));
    expect(r.text).not.toContain('example.org');
  });

  it('leaves the security archive alone when the mirror has none', () => {
    const r = renderAptSources(text, 'deb822', live('apt-debian', M), 'debian', 'x.bak');
    expect(r.replaced.map((x) => x.to)).toEqual([M]);
    expect(r.text).toContain('URIs: http://security.example.org/debian-security');
  });

  it('is idempotent: a second run changes nothing', () => {
    const c = live('apt-debian', M, { security: S });
    const once = renderAptSources(text, 'deb822', c, 'debian', 'x.bak').text;
    const twice = renderAptSources(once, 'deb822', c, 'debian', 'x.bak');
    expect(twice.replaced).toEqual([]);
    expect(twice.text).toBe(once);
  });

  it('skips disabled stanzas and third-party repositories whose path also ends in /debian', () => {
    const t = [
      'Types: deb', 'URIs: http://archive.example.org/debian', 'Suites: bookworm', 'Components: main', 'Enabled: no', '',
      'Types: deb', 'URIs: https://download.example.com/linux/debian', 'Suites: bookworm', 'Components: stable', '',
      'Types: deb', 'URIs: http://apt.example.net/debian', 'Suites: bookworm-pgdg', 'Components: main 16', '',
    ].join('\n');
    expect(rewriteDeb822(t, archiveMapper({ distro: 'debian', main: M })).replaced).toEqual([]);
  });

  it('rewrites a URIs field continued over several lines into one line', () => {
    const t = 'Types: deb\nURIs: http://a.example.org/debian\n http://b.example.org/debian\nSuites: bookworm\nComponents: main\n';
    const r = rewriteDeb822(t, archiveMapper({ distro: 'debian', main: M }));
    expect(r.text).toBe(`Types: deb\nURIs: ${M}\nSuites: bookworm\nComponents: main\n`);
  });
});

describe('Debian one-line (sources.list)', () => {
  const text = sample('debian-12.list');

  it('rewrites deb and deb-src lines, keeps comments and the cdrom line', () => {
    const r = renderAptSources(text, 'one-line', live('apt-debian', M, { security: S }), 'debian', 'sources.list.stack-wizard.bak');
    expect(r.replaced).toHaveLength(6);
    const lines = r.text.split('\n');
    expect(lines.filter((l) => /^deb(-src)? /.test(l)).every((l) => l.includes(M) || l.includes(S))).toBe(true);
    expect(lines).toContain(`deb ${S} bookworm-security main non-free-firmware`);
    expect(lines).toContain(`deb-src ${M} bookworm-updates main non-free-firmware`);
    expect(r.text).toContain('#deb cdrom:[Debian GNU/Linux 12.5.0 _Bookworm_');
    expect(r.text).toContain('# bookworm-updates, to get updates before a point release is made;');
  });

  it('keeps [options] and handles the pre-bullseye security suite (buster/updates)', () => {
    const t = 'deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://security.example.org/debian-security buster/updates main contrib\n';
    const r = rewriteOneLine(t, archiveMapper({ distro: 'debian', main: M, security: S }));
    expect(r.text).toBe(`deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${S} buster/updates main contrib\n`);
  });

  it('never rewrites Docker, PPA-like or commented entries', () => {
    const t = '# deb http://archive.example.org/debian bookworm main\ndeb [signed-by=/etc/apt/keyrings/docker.asc] https://download.example.com/linux/debian bookworm stable\n';
    expect(rewriteOneLine(t, archiveMapper({ distro: 'debian', main: M })).replaced).toEqual([]);
  });
});

describe('Ubuntu', () => {
  const U = 'https://mirror.example.cn/ubuntu';
  const P = 'https://mirror.example.cn/ubuntu-ports';

  it('deb822 (24.04): archive and the -security pocket go to the mirror (same archive)', () => {
    const text = sample('ubuntu-24.04.sources');
    const r = renderAptSources(text, 'deb822', live('apt-ubuntu', U, { ports: P }), 'ubuntu', 'ubuntu.sources.stack-wizard.bak');
    expect(r.replaced.map((x) => x.from)).toEqual(['http://archive.ubuntu.com/ubuntu/', 'http://security.ubuntu.com/ubuntu/']);
    expect(r.text.match(new RegExp(`^URIs: ${U}$`, 'gm'))).toHaveLength(2);
    expect(r.text).toContain('## Ubuntu security updates. Aside from URIs and Suites,');
  });

  it('one-line (22.04): all ten archive lines, commented deb-src untouched', () => {
    const text = sample('ubuntu-22.04.list');
    const r = renderAptSources(text, 'one-line', live('apt-ubuntu', U), 'ubuntu', 'sources.list.stack-wizard.bak');
    expect(r.replaced).toHaveLength(10);
    expect(r.text).toContain('# deb-src http://archive.ubuntu.com/ubuntu/ jammy main restricted');
    expect(r.text).toContain(`deb ${U} jammy-security multiverse`);
  });

  it('ubuntu-ports entries go to the ports archive, and stay when the mirror has none', () => {
    const text = sample('ubuntu-24.04-arm64.sources');
    expect(renderAptSources(text, 'deb822', live('apt-ubuntu', U, { ports: P }), 'ubuntu', 'x.bak').text.match(new RegExp(`^URIs: ${P}$`, 'gm'))).toHaveLength(2);
    expect(renderAptSources(text, 'deb822', live('apt-ubuntu', U), 'ubuntu', 'x.bak').text).toBe(text);
  });

  it('a Debian mirror does not touch Ubuntu files, nor the reverse', () => {
    expect(rewriteDeb822(sample('ubuntu-24.04.sources'), archiveMapper({ distro: 'debian', main: M })).replaced).toEqual([]);
    expect(rewriteDeb822(sample('debian-12.sources'), archiveMapper({ distro: 'ubuntu', main: U })).replaced).toEqual([]);
  });
});

describe('writers refuse what is not proven alive', () => {
  it('a dead candidate, or a result for another URL, is never written', () => {
    expect(() => renderAptSources(sample('debian-12.sources'), 'deb822', dead('apt-debian', M), 'debian', 'x.bak')).toThrow(DeadMirrorError);
    const other = { ...live('apt-debian', M), url: 'https://other.example.cn/debian' };
    expect(() => renderAptSources(sample('debian-12.sources'), 'deb822', other, 'debian', 'x.bak')).toThrow(/no probe result/);
    expect(() => renderDockerSources(dead('docker-ce', 'https://m.example.cn/docker-ce'), { distro: 'debian', suite: 'bookworm', arch: 'amd64', keyArmored: 'k' })).toThrow(DeadMirrorError);
    expect(() => renderAptSources(sample('debian-12.sources'), 'deb822', live('apt-ubuntu', M), 'debian', 'x.bak')).toThrow(/cannot serve debian/);
  });
});

describe('docker-ce repository', () => {
  const D = 'https://mirror.example.cn/docker-ce';

  it('rewrites an existing Docker entry, keeping its options and suite', () => {
    const r = renderDockerRepoRewrite(sample('docker.list'), 'one-line', live('docker-ce', D), 'docker.list.stack-wizard.bak');
    expect(r.text.split('\n').slice(1).join('\n')).toBe(`deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] ${D}/linux/ubuntu noble stable\n`);
    // The distribution's own archive is not Docker's.
    expect(renderDockerRepoRewrite(sample('debian-12.sources'), 'deb822', live('docker-ce', D), 'x').replaced).toEqual([]);
  });

  it('a new docker.sources carries the key inline as a deb822 multi-line field', () => {
    const key = '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBFit2ioBEADhWpZ8\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n';
    const t = renderDockerSources(live('docker-ce', `${D}/`), { distro: 'debian', suite: 'bookworm', arch: 'amd64', keyArmored: key });
    expect(t).toContain(`URIs: ${D}/linux/debian\nSuites: bookworm\nComponents: stable\nArchitectures: amd64\nSigned-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n mQINBFit2ioBEADhWpZ8\n =abcd\n -----END PGP PUBLIC KEY BLOCK-----\n`);
  });
});
