// A minimal but real apt repository on disk (dpkg-deb + apt-ftparchive), and apt-get run against
// a private root, so rewritten source files are judged by apt itself.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, renameSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TEST_PACKAGE = 'sw-mirror-probe';

let deb: string | null = null;
/** One tiny architecture-independent package, built once per process. */
function testDeb(): string {
  if (deb) return deb;
  const dir = mkdtempSync(join(tmpdir(), 'sw-deb-'));
  mkdirSync(join(dir, 'pkg', 'DEBIAN'), { recursive: true });
  writeFileSync(join(dir, 'pkg', 'DEBIAN', 'control'), `Package: ${TEST_PACKAGE}\nVersion: 1.0\nArchitecture: all\nMaintainer: stack-wizard tests <tests@example.org>\nDescription: package served by a loopback mirror\n`);
  deb = join(dir, `${TEST_PACKAGE}_1.0_all.deb`);
  execFileSync('dpkg-deb', ['--build', '--root-owner-group', join(dir, 'pkg'), deb], { stdio: 'ignore' });
  return deb;
}

/** Writes <root>/<archive>/dists/<suite>/… (Packages, Sources, Release) for each suite; main holds the test package. */
export function buildArchive(root: string, archive: string, suites: readonly string[], components: readonly string[], o: { arch?: string; codename?: (suite: string) => string } = {}): void {
  const arch = o.arch ?? 'amd64';
  const top = join(root, archive);
  mkdirSync(join(top, 'pool', 'main'), { recursive: true });
  execFileSync('cp', [testDeb(), join(top, 'pool', 'main')]);
  const packages = execFileSync('apt-ftparchive', ['packages', 'pool/main'], { cwd: top, encoding: 'utf8' });
  for (const suite of suites) {
    const d = join(top, 'dists', suite);
    for (const c of components) {
      mkdirSync(join(d, c, `binary-${arch}`), { recursive: true });
      mkdirSync(join(d, c, 'source'), { recursive: true });
      writeFileSync(join(d, c, `binary-${arch}`, 'Packages'), c === components[0] ? packages : '');
      writeFileSync(join(d, c, 'source', 'Sources'), '');
      execFileSync('gzip', ['-kf', join(d, c, `binary-${arch}`, 'Packages'), join(d, c, 'source', 'Sources')]);
    }
    const release = execFileSync(
      'apt-ftparchive',
      [
        '-o', `APT::FTPArchive::Release::Suite=${suite}`,
        '-o', `APT::FTPArchive::Release::Codename=${o.codename ? o.codename(suite) : suite.split(/[-/]/)[0]}`,
        '-o', `APT::FTPArchive::Release::Components=${components.join(' ')}`,
        '-o', `APT::FTPArchive::Release::Architectures=${arch} all`,
        'release', '.',
      ],
      { cwd: d, encoding: 'utf8' },
    );
    writeFileSync(join(d, 'Release.tmp'), release);
    renameSync(join(d, 'Release.tmp'), join(d, 'Release'));
  }
}

/** Clear-signs every Release into InRelease with the key in `gnupgHome`. */
export function signArchive(root: string, archive: string, suites: readonly string[], gnupgHome: string): void {
  for (const suite of suites) {
    const d = join(root, archive, 'dists', suite);
    rmSync(join(d, 'InRelease'), { force: true });
    execFileSync('gpg', ['--homedir', gnupgHome, '--batch', '--yes', '--clearsign', '-o', join(d, 'InRelease'), join(d, 'Release')], { stdio: 'ignore' });
  }
}

/** A throwaway gpg key; returns its home, armored public key and fingerprint (as gpg reports it). */
export function makeGpgKey(name: string): { home: string; armored: string; fingerprint: string } {
  const home = mkdtempSync(join(tmpdir(), 'sw-gpg-'));
  execFileSync('gpg', ['--homedir', home, '--batch', '--passphrase', '', '--quick-gen-key', `${name} <${name}@example.org>`, 'ed25519', 'sign', 'never'], { stdio: 'ignore' });
  const armored = execFileSync('gpg', ['--homedir', home, '--armor', '--export'], { encoding: 'utf8' });
  const fpr = execFileSync('gpg', ['--homedir', home, '--with-colons', '--list-keys'], { encoding: 'utf8' }).split('\n').find((l) => l.startsWith('fpr:'))!.split(':')[9]!;
  return { home, armored, fingerprint: fpr };
}

export interface AptRun { code: number; out: string }

/** apt-get/apt-cache with the sources of `root` only and private state; unsigned repositories allowed unless `secure`. */
export function apt(root: string, cmd: 'apt-get' | 'apt-cache', args: string[], o: { secure?: boolean } = {}): AptRun {
  const state = join(root, 'var', 'lib', 'apt');
  mkdirSync(join(state, 'lists', 'partial'), { recursive: true });
  mkdirSync(join(root, 'var', 'cache', 'apt', 'archives', 'partial'), { recursive: true });
  const opts = [
    '-o', `Dir::Etc::SourceList=${join(root, 'etc', 'apt', 'sources.list')}`,
    '-o', `Dir::Etc::SourceParts=${join(root, 'etc', 'apt', 'sources.list.d')}`,
    '-o', `Dir::State::Lists=${join(state, 'lists')}`,
    '-o', `Dir::Cache=${join(root, 'var', 'cache', 'apt')}`,
    '-o', 'APT::Sandbox::User=root',
    '-o', 'Debug::NoLocking=1',
    '-o', 'Acquire::Retries=0',
    ...(o.secure ? [] : ['-o', 'Acquire::AllowInsecureRepositories=true']),
  ];
  const r = spawnSync(cmd, [...opts, ...(cmd === 'apt-get' ? ['-q', '--error-on=any'] : []), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}
