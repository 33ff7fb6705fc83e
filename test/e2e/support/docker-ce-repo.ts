// A stand-in for Docker's docker-ce apt repository (`<url>/linux/debian`), for the Docker install
// test: the layout, suite and component of download.docker.com, the five packages init installs,
// Release clear-signed as InRelease with a throwaway key published at `linux/debian/gpg`. The
// packages are built with dpkg-deb: docker-ce, docker-ce-cli and containerd.io depend on Debian's
// own docker.io and containerd (the real engine, from the server's Debian mirror), and
// docker-compose-plugin carries the Compose v2 plugin binary of this machine (test/provision/compose-v2.sh).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeGpgKey, signArchive } from '../../real/helpers/apt-repo.js';
import { PROJECT_ROOT } from '../../lab/lab.js';

export interface StandInRepo {
  /** The folder to serve: it holds `linux/debian/…`. */
  root: string;
  /** The signing key's fingerprint (for STACK_WIZARD_TEST_DOCKER_KEY_FINGERPRINT). */
  fingerprint: string;
  packages: string[];
}

const VERSION = '5:99.0.0-1~lab~bookworm';

interface Pkg { name: string; depends?: string; files?: { path: string; from: string; mode: number }[] }

function buildDeb(work: string, pool: string, arch: string, p: Pkg): void {
  const dir = join(work, p.name);
  mkdirSync(join(dir, 'DEBIAN'), { recursive: true });
  for (const f of p.files ?? []) {
    const to = join(dir, f.path);
    mkdirSync(join(to, '..'), { recursive: true });
    copyFileSync(f.from, to);
    chmodSync(to, f.mode);
  }
  writeFileSync(
    join(dir, 'DEBIAN', 'control'),
    [
      `Package: ${p.name}`,
      `Version: ${VERSION}`,
      `Architecture: ${arch}`,
      'Maintainer: stack-wizard tests <tests@example.org>',
      ...(p.depends ? [`Depends: ${p.depends}`] : []),
      `Description: stand-in for Docker's ${p.name} in the stack-wizard e2e lab`,
      '',
    ].join('\n'),
  );
  execFileSync('dpkg-deb', ['--build', '--root-owner-group', dir, join(pool, `${p.name}_${VERSION.replace(/^\d+:/, '')}_${arch}.deb`)], { stdio: 'ignore' });
}

export function buildDockerCeRepo(o: { arch: string; suite: string }): StandInRepo {
  const composePlugin = execFileSync('bash', [join(PROJECT_ROOT, 'test/provision/compose-v2.sh')], { encoding: 'utf8', timeout: 600_000 }).trim().split('\n').pop()!;
  const root = mkdtempSync(join(tmpdir(), 'sw-docker-ce-repo-'));
  const work = mkdtempSync(join(tmpdir(), 'sw-docker-ce-debs-'));
  const top = join(root, 'linux', 'debian');
  const pool = join(top, 'pool', 'stable');
  mkdirSync(pool, { recursive: true });
  const pkgs: Pkg[] = [
    { name: 'docker-ce', depends: 'docker-ce-cli, containerd.io, docker.io' },
    { name: 'docker-ce-cli', depends: 'docker.io' },
    { name: 'containerd.io', depends: 'containerd' },
    { name: 'docker-buildx-plugin' },
    { name: 'docker-compose-plugin', files: [{ path: 'usr/libexec/docker/cli-plugins/docker-compose', from: composePlugin, mode: 0o755 }] },
  ];
  for (const p of pkgs) buildDeb(work, pool, o.arch, p);
  const d = join(top, 'dists', o.suite);
  const bin = join(d, 'stable', `binary-${o.arch}`);
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'Packages'), execFileSync('apt-ftparchive', ['packages', 'pool/stable'], { cwd: top, encoding: 'utf8' }));
  execFileSync('gzip', ['-kf', join(bin, 'Packages')]);
  const release = execFileSync(
    'apt-ftparchive',
    [
      '-o', 'APT::FTPArchive::Release::Origin=Docker', '-o', 'APT::FTPArchive::Release::Label=Docker CE (stack-wizard lab stand-in)',
      '-o', `APT::FTPArchive::Release::Suite=${o.suite}`, '-o', `APT::FTPArchive::Release::Codename=${o.suite}`,
      '-o', 'APT::FTPArchive::Release::Components=stable', '-o', `APT::FTPArchive::Release::Architectures=${o.arch}`,
      'release', '.',
    ],
    { cwd: d, encoding: 'utf8' },
  );
  writeFileSync(join(d, 'Release'), release);
  const key = makeGpgKey('stack-wizard-lab-docker-ce');
  signArchive(root, 'linux/debian', [o.suite], key.home);
  writeFileSync(join(top, 'gpg'), key.armored);
  return { root, fingerprint: key.fingerprint, packages: pkgs.map((p) => p.name) };
}
