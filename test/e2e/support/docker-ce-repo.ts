// A stand-in for Docker's docker-ce apt repository (`<url>/linux/debian`), for the Docker install
// test: the layout, suite and component of download.docker.com, the five packages init installs,
// Release clear-signed as InRelease with a throwaway key published at `linux/debian/gpg`. Debian's
// docker.io declares Conflicts: docker-ce, docker-ce-cli, so the stand-ins cannot simply depend on
// it: the real engine is Debian's docker.io (fetched with `apt-get download` through this machine's
// own apt sources) repackaged with dpkg-deb under Docker's names, as Docker splits it — docker-ce
// the daemon, its units and maintainer scripts (Conflicts: docker.io, as Docker's has), docker-ce-cli
// the `docker` CLI; containerd.io depends on Debian's containerd; docker-compose-plugin carries the
// Compose v2 plugin binary of this machine (test/provision/compose-v2.sh); docker-buildx-plugin is empty.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeGpgKey, signArchive } from '../../real/helpers/apt-repo.js';
import { PROJECT_ROOT } from '../../lab/lab.js';

// Asynchronous, so the test runner stays responsive while packages build (a synchronous call
// starves its worker's RPC).
const run = async (cmd: string, args: string[], o: { cwd?: string; timeout?: number } = {}) =>
  (await promisify(execFile)(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: o.timeout ?? 600_000, cwd: o.cwd })).stdout;
/** gzip at level 1: xz (dpkg-deb's default) takes minutes on the 150 MB engine; apt reads either. */
const DEB_BUILD = ['--build', '--root-owner-group', '-Zgzip', '-z1'];

export interface StandInRepo {
  /** The folder to serve: it holds `linux/debian/…`. */
  root: string;
  /** The signing key's fingerprint (for STACK_WIZARD_TEST_DOCKER_KEY_FINGERPRINT). */
  fingerprint: string;
  packages: string[];
}

const VERSION = '5:99.0.0-1~lab~bookworm';

interface Pkg { name: string; depends?: string; files?: { path: string; from: string; mode: number }[] }

const debName = (name: string, arch: string) => `${name}_${VERSION.replace(/^\d+:/, '')}_${arch}.deb`;

/**
 * Debian's docker.io unpacked (files and maintainer scripts), split into docker-ce (everything but
 * the CLI) and docker-ce-cli (/usr/bin/docker), each with a control file of Docker's name.
 */
async function repackageDockerIo(work: string, pool: string): Promise<string> {
  const dl = join(work, 'download');
  mkdirSync(dl);
  await run('apt-get', ['-q', '-o', 'APT::Sandbox::User=root', 'download', 'docker.io'], { cwd: dl });
  const deb = readdirSync(dl).find((f) => /^docker\.io_.*\.deb$/.test(f));
  if (!deb) throw new Error('apt-get download docker.io gave no package');
  const ce = join(work, 'docker-ce');
  await run('dpkg-deb', ['-R', join(dl, deb), ce]);
  const control = readFileSync(join(ce, 'DEBIAN/control'), 'utf8');
  const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(control)?.[1];
  const arch = field('Architecture')!;
  // The CLI moves to docker-ce-cli; the sums no longer fit, and dpkg does not need them.
  const cli = join(work, 'docker-ce-cli');
  mkdirSync(join(cli, 'DEBIAN'), { recursive: true });
  mkdirSync(join(cli, 'usr/bin'), { recursive: true });
  renameSync(join(ce, 'usr/bin/docker'), join(cli, 'usr/bin/docker'));
  rmSync(join(ce, 'DEBIAN/md5sums'), { force: true });
  const head = (name: string) => [`Package: ${name}`, `Version: ${VERSION}`, `Architecture: ${arch}`, 'Maintainer: stack-wizard tests <tests@example.org>'];
  writeFileSync(
    join(ce, 'DEBIAN/control'),
    [
      ...head('docker-ce'),
      `Pre-Depends: ${field('Pre-Depends')}`,
      `Depends: ${field('Depends')}, docker-ce-cli, containerd.io`,
      'Conflicts: docker.io',
      "Description: stand-in for Docker's docker-ce in the stack-wizard e2e lab (Debian's docker.io daemon under Docker's name)",
      '',
    ].join('\n'),
  );
  writeFileSync(join(cli, 'DEBIAN/control'), [...head('docker-ce-cli'), 'Depends: libc6', 'Conflicts: docker.io', "Description: stand-in for Docker's docker-ce-cli in the stack-wizard e2e lab (Debian's docker CLI)", ''].join('\n'));
  for (const [name, dir] of [['docker-ce', ce], ['docker-ce-cli', cli]] as const) {
    await run('dpkg-deb', [...DEB_BUILD, dir, join(pool, debName(name, arch))]);
  }
  return arch;
}

async function buildDeb(work: string, pool: string, arch: string, p: Pkg): Promise<void> {
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
  await run('dpkg-deb', [...DEB_BUILD, dir, join(pool, debName(p.name, arch))]);
}

export async function buildDockerCeRepo(o: { arch: string; suite: string }): Promise<StandInRepo> {
  const composePlugin = (await run('bash', [join(PROJECT_ROOT, 'test/provision/compose-v2.sh')])).trim().split('\n').pop()!;
  const root = mkdtempSync(join(tmpdir(), 'sw-docker-ce-repo-'));
  const work = mkdtempSync(join(tmpdir(), 'sw-docker-ce-debs-'));
  const top = join(root, 'linux', 'debian');
  const pool = join(top, 'pool', 'stable');
  mkdirSync(pool, { recursive: true });
  const engineArch = await repackageDockerIo(work, pool);
  if (engineArch !== o.arch) throw new Error(`docker.io from this machine's apt is ${engineArch}, the server is ${o.arch}`);
  const pkgs: Pkg[] = [
    { name: 'containerd.io', depends: 'containerd' },
    { name: 'docker-buildx-plugin' },
    { name: 'docker-compose-plugin', files: [{ path: 'usr/libexec/docker/cli-plugins/docker-compose', from: composePlugin, mode: 0o755 }] },
  ];
  for (const p of pkgs) await buildDeb(work, pool, o.arch, p);
  const d = join(top, 'dists', o.suite);
  const bin = join(d, 'stable', `binary-${o.arch}`);
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'Packages'), await run('apt-ftparchive', ['packages', 'pool/stable'], { cwd: top }));
  await run('gzip', ['-kf', join(bin, 'Packages')]);
  const release = await run(
    'apt-ftparchive',
    [
      '-o', 'APT::FTPArchive::Release::Origin=Docker', '-o', 'APT::FTPArchive::Release::Label=Docker CE (stack-wizard lab stand-in)',
      '-o', `APT::FTPArchive::Release::Suite=${o.suite}`, '-o', `APT::FTPArchive::Release::Codename=${o.suite}`,
      '-o', 'APT::FTPArchive::Release::Components=stable', '-o', `APT::FTPArchive::Release::Architectures=${o.arch}`,
      'release', '.',
    ],
    { cwd: d },
  );
  writeFileSync(join(d, 'Release'), release);
  const key = makeGpgKey('stack-wizard-lab-docker-ce');
  signArchive(root, 'linux/debian', [o.suite], key.home);
  writeFileSync(join(top, 'gpg'), key.armored);
  return { root, fingerprint: key.fingerprint, packages: ['docker-ce', 'docker-ce-cli', ...pkgs.map((p) => p.name)] };
}
