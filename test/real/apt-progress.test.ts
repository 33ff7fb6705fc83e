// apt-get's progress as the Docker step reads it (APT::Status-Fd): the real apt-get fetches a
// package from a loopback archive served slowly enough to report along the way, and the real dpkg
// installs it into a private root (the host's package database is never touched). The events go
// through the wizard's reducer: one bar for the lists, one for the download, one for dpkg, each
// only moving forward.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createContext } from '../../src/context.js';
import type { StepEvent } from '../../src/steps/engine.js';
import { aptGet } from '../../src/steps/docker.js';
import { applyReducer, initialApply } from '../../src/ui/model/apply.js';

let dir = '';
let server: Server;
let url = '';
/** Bytes per second the archive is served at: the 2 MB package takes a few seconds, as a real download does. */
const RATE = 500 * 1024;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sw-apt-progress-'));
  const pkg = join(dir, 'build');
  mkdirSync(join(pkg, 'DEBIAN'), { recursive: true });
  mkdirSync(join(pkg, 'usr/share/sw-progress'), { recursive: true });
  writeFileSync(join(pkg, 'DEBIAN/control'), 'Package: sw-progress\nVersion: 1.0\nArchitecture: all\nMaintainer: stack-wizard tests <tests@example.org>\nDescription: a package big enough to watch download\n');
  // Random bytes do not compress: the .deb stays about 2 MB.
  execFileSync('sh', ['-c', `head -c 2000000 /dev/urandom > ${join(pkg, 'usr/share/sw-progress/blob')}`]);
  const repo = join(dir, 'repo');
  mkdirSync(repo);
  execFileSync('dpkg-deb', ['--build', '--root-owner-group', pkg, join(repo, 'sw-progress_1.0_all.deb')], { stdio: 'ignore' });
  writeFileSync(join(repo, 'Packages'), execFileSync('apt-ftparchive', ['packages', '.'], { cwd: repo, encoding: 'utf8' }));
  writeFileSync(join(repo, 'Release'), execFileSync('apt-ftparchive', ['release', '.'], { cwd: repo, encoding: 'utf8' }));
  server = createServer((req, res) => {
    const file = join(repo, normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)).replace(/^(\.\.[/\\])+/, ''));
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': statSync(file).size });
    if (req.method === 'HEAD') return void res.end();
    // Throttled: a chunk, then a pause, so apt sees the bytes arrive over seconds.
    const stream = createReadStream(file, { highWaterMark: RATE / 10 });
    stream.on('data', (chunk) => {
      stream.pause();
      res.write(chunk, () => setTimeout(() => stream.resume(), 100));
    });
    stream.on('end', () => res.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});

afterAll(() => {
  server?.close();
});

test('apt-get reports its lists, its download and dpkg as three bars that only move forward', async () => {
  const root = join(dir, 'root');
  for (const d of ['etc/apt/sources.list.d', 'var/lib/apt/lists/partial', 'var/cache/apt/archives/partial', 'var/lib/dpkg/updates', 'var/lib/dpkg/info']) {
    mkdirSync(join(root, d), { recursive: true });
  }
  writeFileSync(join(root, 'var/lib/dpkg/status'), '');
  writeFileSync(join(root, 'etc/apt/sources.list'), `deb [trusted=yes] ${url} ./\n`);
  // Everything apt and dpkg keep is in the private root; the host's lock and database are left alone.
  const opts = [
    '-o', `Dir::Etc::SourceList=${join(root, 'etc/apt/sources.list')}`, '-o', `Dir::Etc::SourceParts=${join(root, 'etc/apt/sources.list.d')}`,
    '-o', `Dir::State::Lists=${join(root, 'var/lib/apt/lists')}`, '-o', `Dir::State::status=${join(root, 'var/lib/dpkg/status')}`,
    '-o', `Dir::Cache=${join(root, 'var/cache/apt')}`, '-o', 'APT::Sandbox::User=root', '-o', 'Debug::NoLocking=1',
    '-o', `DPkg::Options::=--root=${root}`, '-o', `DPkg::Options::=--admindir=${join(root, 'var/lib/dpkg')}`,
    '-o', 'DPkg::Options::=--force-script-chrootless', '-o', 'DPkg::Options::=--force-not-root',
  ];
  const ctx = createContext({ lang: 'en', dryRun: false, io: { out: () => {}, err: () => {} }, interactive: false });
  const events: StepEvent[] = [];
  const emit = (e: Omit<StepEvent, 'step'>) => events.push({ ...e, step: 'docker' });
  await aptGet(ctx, [...opts, '-q', 'update'], emit);
  await aptGet(ctx, [...opts, '-q', '-y', 'install', 'sw-progress'], emit);

  // dpkg really installed it, into the private root only.
  expect(statSync(join(root, 'usr/share/sw-progress/blob')).size).toBe(2_000_000);
  expect(existsSync('/usr/share/sw-progress')).toBe(false);

  const of = (item: string) => events.filter((e) => e.kind === 'progress' && e.item === item).map((e) => e.fraction!);
  const download = of('apt-download');
  const dpkg = of('dpkg');
  expect(of('apt-lists').at(-1)).toBe(1);
  expect(download.at(-1)).toBe(1);
  // Along the way, not only at the start and the end.
  expect(download.some((f) => f > 0 && f < 1)).toBe(true);
  expect(dpkg.length).toBeGreaterThan(2);
  expect(Math.max(...dpkg)).toBeGreaterThanOrEqual(0.8);
  expect(events.some((e) => e.kind === 'progress' && e.item === 'dpkg' && /sw-progress/.test(e.text ?? ''))).toBe(true);

  // Through the wizard's reducer: three bars, each only moving forward, all complete at the end.
  let s = initialApply([{ id: 'docker', title: 'Docker' }]);
  s = applyReducer(s, { step: 'docker', kind: 'start' });
  const history = new Map<string, number[]>();
  for (const e of events) {
    s = applyReducer(s, e);
    for (const b of s.steps[0]!.bars) history.set(b.item, [...(history.get(b.item) ?? []), b.fraction]);
  }
  expect([...history.keys()]).toEqual(['apt-lists', 'apt-download', 'dpkg']);
  for (const [item, fr] of history) expect(fr, item).toEqual([...fr].sort((a, b) => a - b));
  expect(s.steps[0]!.bars.find((b) => b.item === 'apt-download')!.fraction).toBe(1);
}, 120_000);
