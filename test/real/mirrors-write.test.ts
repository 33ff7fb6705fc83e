// What init writes from the mirror choice, judged by the real programs: apt-get reads the rewritten
// Debian and Ubuntu sources (deb822 and one-line) and fetches the indexes from a loopback mirror
// serving a real repository; Docker Hub mirrors are the registry lab's (Debian's docker-registry
// serving the plan's images behind nginx), judged image by image; nothing dead is ever written;
// init refuses a dead answers-file mirror, and a registry mirror that answers /v2/ but not the images.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../src/context.js';
import { AnswersSchema, type Answers } from '../../src/domain/answers.js';
import type { HostFacts } from '../../src/domain/facts.js';
import { describeResolution, forgetProbes, mirrorSteps, mirrorsLiveStep, resolveMirrors, verifyMirrors } from '../../src/steps/mirrors.js';
import { installSteps, writeFilesStep } from '../../src/steps/install.js';
import { createController } from '../../src/ui/controller.js';
import { prepare } from '../../src/steps/prepare.js';
import { runSteps } from '../../src/steps/engine.js';
import { WizardError } from '../../src/errors.js';
import { MIRROR_FILES } from '../../src/render/build-mirrors.js';
import { apt, buildArchive, TEST_PACKAGE } from './helpers/apt-repo.js';
import { distroFacts as makeFacts } from '../fixtures/facts.js';
import { startMirrorServers, type MirrorServers } from './helpers/servers.js';
import { freePort } from '../support/proc.js';
import { startRegistryLab, type RegistryLab } from './support/registry-lab.js';

const BOUND = { deadlineMs: 2500, headersTimeoutMs: 1500, idleTimeoutMs: 800 };
let s: MirrorServers;
let lab: RegistryLab;
let gone: number;
let repoRoot: string;
let catalogFile: string;
let debianHost: string;

const DEBIAN = ['main', 'contrib', 'non-free', 'non-free-firmware'];
const UBUNTU = ['main', 'restricted', 'universe', 'multiverse'];

beforeAll(async () => {
  repoRoot = mkdtempSync(join(tmpdir(), 'sw-repo-'));
  buildArchive(repoRoot, 'debian', ['bookworm', 'bookworm-updates', 'bookworm-backports'], DEBIAN);
  buildArchive(repoRoot, 'debian-security', ['bookworm-security'], DEBIAN);
  buildArchive(repoRoot, 'ubuntu', ['noble', 'noble-updates', 'noble-backports', 'noble-security', 'jammy', 'jammy-updates', 'jammy-backports', 'jammy-security'], UBUNTU);
  s = await startMirrorServers([
    { name: 'repo', mode: 'static', root: repoRoot },
    { name: 'fast', mode: 'ok' },
    { name: 'e500', mode: 'status', status: 500 },
  ]);
  // The plan's Docker Hub images, pinned to the lab's builds (an image prefix maps back to the same ones).
  lab = await startRegistryLab(BASE, { personalities: ['ok', 'v2only', 'prefix'] });
  gone = await freePort();
  const dead = `http://127.0.0.1:${gone}`;
  const catalog = [
    { kind: 'apt-debian', id: 'loop', name: 'Loopback', url: s.url('repo', '/debian'), security: s.url('repo', '/debian-security') },
    { kind: 'apt-debian', id: 'gone', name: 'Gone', url: `${dead}/debian`, security: `${dead}/debian-security` },
    { kind: 'apt-debian', id: 'broken', name: 'Broken', url: s.url('e500', '/debian'), security: s.url('e500', '/debian-security') },
    { kind: 'apt-ubuntu', id: 'loop', name: 'Loopback', url: s.url('repo', '/ubuntu') },
    { kind: 'apt-ubuntu', id: 'gone', name: 'Gone', url: `${dead}/ubuntu` },
    { kind: 'docker-ce', id: 'gone', name: 'Gone', url: `${dead}/docker-ce` },
    { kind: 'registry', id: 'fast', name: 'Fast', url: lab.url('ok') },
    { kind: 'registry', id: 'v2only', name: 'Only /v2/', url: lab.url('v2only') },
    { kind: 'registry', id: 'gone', name: 'Gone', url: dead },
    { kind: 'npm', id: 'fast', name: 'Fast', url: s.url('fast', '/npm') },
    { kind: 'npm', id: 'broken', name: 'Broken', url: s.url('e500', '/npm') },
    { kind: 'pypi', id: 'fast', name: 'Fast', url: s.url('fast', '/simple') },
    { kind: 'pypi', id: 'gone', name: 'Gone', url: `${dead}/simple` },
    { kind: 'node', id: 'gone', name: 'Gone', url: `${dead}/node` },
    { kind: 'node', id: 'fast', name: 'Fast', url: s.url('fast', '/node') },
    { kind: 'image-prefix', id: 'fast', name: 'Fast', url: lab.prefixUrl() },
    { kind: 'image-prefix', id: 'gone', name: 'Gone', url: dead },
  ];
  catalogFile = join(repoRoot, 'catalog.json');
  writeFileSync(catalogFile, JSON.stringify(catalog));
  // This machine's own Debian archive host, read from its apt configuration (never written into the project).
  debianHost = new URL(execFileSync('bash', ['test/provision/debian-uri.sh'], { encoding: 'utf8' }).trim()).host;
});
afterAll(() => Promise.all([s?.stop(), lab?.stop()]));
beforeEach(() => forgetProbes());

const deadUrls = () => [`127.0.0.1:${gone}`, `127.0.0.1:${s.ports.e500}`, lab.url('v2only')];

/** Every file under a folder (contents), to prove no dead URL was written anywhere; backups hold the operator's originals verbatim. */
function allText(dir: string): string {
  let out = '';
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (n.endsWith('.stack-wizard.bak')) continue;
    out += statSync(p).isDirectory() ? allText(p) : readFileSync(p, 'utf8');
  }
  return out;
}

function ctxFor(root: string): Context {
  const out: string[] = [];
  return createContext({
    lang: 'en', dryRun: false, cwd: root,
    env: { ...process.env, STACK_WIZARD_ROOT: root, STACK_WIZARD_MIRROR_CATALOG: catalogFile, STACK_WIZARD_STATE_DIR: join(root, 'state') },
    io: { out: (t) => void out.push(t), err: (t) => void out.push(t) },
  });
}

const BASE = { project: 'shop', region: 'cn', app: { image: 'registry.example.com/team/api:1.0' } };
const answers = (extra: Record<string, unknown> = {}): Answers => AnswersSchema.parse({ ...BASE, images: lab.overrides, ...extra });

function newRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'sw-root-'));
  mkdirSync(join(root, 'etc', 'apt', 'sources.list.d'), { recursive: true });
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

async function choose(root: string, facts: HostFacts, a: Answers = answers()) {
  const ctx = ctxFor(root);
  const res = await resolveMirrors(ctx, a, facts, { probe: BOUND });
  const p = await prepare(ctx, { answers: res.answers, facts, targetDir: join(root, 'opt', 'shop') });
  return { ctx, res, p };
}

const sample = (name: string) =>
  readFileSync(`test/fixtures/apt/${name}`, 'utf8').replaceAll('@DEBIAN_HOST@', debianHost).replaceAll('@DEBIAN_SECURITY_HOST@', debianHost);

function expectAptUses(root: string, archivePath: string, suites: string[]) {
  const up = apt(root, 'apt-get', ['update']);
  expect(up.code, up.out).toBe(0);
  const policy = apt(root, 'apt-cache', ['policy', TEST_PACKAGE]).out;
  expect(policy).toContain('Candidate: 1.0');
  for (const suite of suites) expect(policy).toContain(`${s.url('repo', archivePath)} ${suite}/main`);
}

describe('Debian host, region cn', () => {
  const facts = makeFacts({ id: 'debian', versionId: '12', codename: 'bookworm' });

  it('deb822: this machine’s own debian.sources is pointed at the live mirror; apt-get fetches from it', async () => {
    const original = readFileSync('/etc/apt/sources.list.d/debian.sources', 'utf8');
    const root = newRoot({
      'etc/apt/sources.list.d/debian.sources': original,
      'etc/docker/daemon.json': JSON.stringify({ 'data-root': '/srv/docker', 'registry-mirrors': [`http://127.0.0.1:${gone}`, s.url('e500')] }, null, 2),
    });
    const { ctx, res, p } = await choose(root, facts);
    expect(Object.fromEntries(res.chosen.map((c) => [c.kind, c.id]))).toEqual({ 'apt-debian': 'loop', registry: 'fast', npm: 'fast', pypi: 'fast', node: 'fast' });
    expect(res.noneAlive.sort()).toEqual(['docker-ce']);

    const reports = await runSteps(ctx, mirrorSteps(), p);
    expect(reports.map((r) => [r.id, r.status])).toEqual([['mirror-apt', 'applied'], ['mirror-docker-ce', 'skipped'], ['docker-daemon-json', 'applied']]);
    const written = readFileSync(join(root, 'etc/apt/sources.list.d/debian.sources'), 'utf8');
    expect(written).toContain(`URIs: ${s.url('repo', '/debian')}\n`);
    expect(written).toContain(`URIs: ${s.url('repo', '/debian-security')}\n`);
    expect(readFileSync(join(root, 'etc/apt/sources.list.d/debian.sources.stack-wizard.bak'), 'utf8')).toBe(original);
    // apt-get (talking only to the loopback mirror) fetches every suite from it.
    expectAptUses(root, '/debian', ['bookworm', 'bookworm-updates']);
    expectAptUses(root, '/debian-security', ['bookworm-security']);
    expect(written).not.toMatch(/^URIs: (?!http:\/\/127\.0\.0\.1)/m);

    // daemon.json: merged, the live mirror first, the dead ones that were there dropped, other keys kept.
    const daemon = JSON.parse(readFileSync(join(root, 'etc/docker/daemon.json'), 'utf8'));
    expect(daemon['registry-mirrors']).toEqual([lab.url('ok')]);
    expect(daemon['data-root']).toBe('/srv/docker');
    expect(daemon['live-restore']).toBe(true);
    // The original, dead mirrors and all, is kept as the backup.
    expect(readFileSync(join(root, 'etc/docker/daemon.json.stack-wizard.bak'), 'utf8')).toContain(`127.0.0.1:${gone}`);
    expect(daemon['log-opts']).toEqual({ 'max-size': `${p.plan.logs.maxSizeMiB}m`, 'max-file': String(p.plan.logs.maxFiles) });

    // Build mirrors for the app image are rendered into the install dir's file set.
    const npmrc = p.files.find((f) => f.path === MIRROR_FILES.npmrc)!;
    expect(npmrc.content).toContain(`registry=${s.url('fast', '/npm')}/`);

    // Nothing dead anywhere: not in the host files, not in the rendered files.
    for (const d of deadUrls()) {
      expect(allText(join(root, 'etc'))).not.toContain(d);
      expect(p.files.map((f) => f.content).join('\n')).not.toContain(d);
    }

    // A second run finds nothing to do.
    const again = await runSteps(ctx, mirrorSteps(), p);
    expect(again.every((r) => r.status === 'skipped')).toBe(true);
  });

  it('one-line: the installer’s sources.list (deb, deb-src, security) is rewritten and apt-get accepts it', async () => {
    const original = sample('debian-12.list');
    const root = newRoot({ 'etc/apt/sources.list': original });
    const { ctx, p } = await choose(root, facts);
    await runSteps(ctx, mirrorSteps(), p);
    const written = readFileSync(join(root, 'etc/apt/sources.list'), 'utf8');
    expect(written.match(/^deb(-src)? http:\/\/127\.0\.0\.1:\d+\/debian(-security)? /gm)).toHaveLength(6);
    expect(written).not.toContain(debianHost);
    expect(readFileSync(join(root, 'etc/apt/sources.list.stack-wizard.bak'), 'utf8')).toBe(original);
    expectAptUses(root, '/debian', ['bookworm', 'bookworm-updates']);
    expectAptUses(root, '/debian-security', ['bookworm-security']);
  });

  it('apt-get really judges the files: a wrong archive path fails it (the check can fail)', () => {
    const root = newRoot({ 'etc/apt/sources.list': `deb ${s.url('repo', '/debian-typo')} bookworm main\n` });
    const r = apt(root, 'apt-get', ['update']);
    expect(r.code).not.toBe(0);
  });

  it('no Docker Hub candidate serves the plan\'s images: init says so before anything changes, with the choices (#16.5)', async () => {
    const root = newRoot({});
    const ctx = ctxFor(root);
    const only = [
      { kind: 'registry' as const, id: 'v2only', name: 'Only /v2/', url: lab.url('v2only') },
      { kind: 'registry' as const, id: 'gone', name: 'Gone', url: `http://127.0.0.1:${gone}` },
    ];
    const res = await resolveMirrors(ctx, answers(), facts, { probe: BOUND, catalogue: only });
    // Only registry candidates in this catalogue: every other kind has none either.
    expect(res.noneAlive).toContain('registry');
    const said = describeResolution(ctx, res).join('\n');
    expect(said).toContain('registry: no candidate answered');
    expect(said).toContain('pulls from Docker Hub will probably fail here');
    for (const what of ['--accelerator URL', 'mirrors.image-prefix', 'images:', 'docker load']) expect(said).toContain(what);
    // With one's own accelerator serving the images the warning is not given.
    const acc = await resolveMirrors(ctx, answers({ mirrors: { accelerator: lab.url('ok') } }), facts, { probe: BOUND, catalogue: only });
    expect(describeResolution(ctx, acc).join('\n')).not.toContain('will probably fail');
  });

  it('a mirror the answers file names that is dead stops init (exit 3, the key named, live alternatives listed); nothing is written', async () => {
    const root = newRoot({ 'etc/apt/sources.list': sample('debian-12.list') });
    const a = answers({ mirrors: { 'apt-debian': `http://127.0.0.1:${gone}/debian` } });
    const err = await resolveMirrors(ctxFor(root), a, facts, { probe: BOUND }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WizardError);
    const w = err as WizardError;
    expect(w.exitCode).toBe(3);
    expect(w.params).toMatchObject({ key: 'mirrors.apt-debian', error: 'refused' });
    expect(w.details.join('\n')).toContain(s.url('repo', '/debian'));
    expect(readFileSync(join(root, 'etc/apt/sources.list'), 'utf8')).toBe(sample('debian-12.list'));
  });

  it('the init command: a dead answers-file mirror exits 3 before anything is written; a live one is applied', () => {
    const root = newRoot({ 'etc/apt/sources.list': sample('debian-12.list') });
    const factsFile = join(root, 'facts.json');
    writeFileSync(factsFile, JSON.stringify(facts));
    const installDir = join(root, 'opt', 'shop');
    const env = { ...process.env, STACK_WIZARD_ROOT: root, STACK_WIZARD_MIRROR_CATALOG: catalogFile, STACK_WIZARD_STATE_DIR: join(root, 'state') };
    const init = (mirrors: Record<string, string>) => {
      const f = join(root, 'answers.yaml');
      writeFileSync(f, JSON.stringify({ ...BASE, installDir, images: lab.overrides, mirrors }));
      return spawnSync(process.execPath, ['bin/stack-wizard.js', 'init', '--answers', f, '--host-facts', factsFile, '--yes'], { env, encoding: 'utf8', timeout: 60_000 });
    };
    const bad = init({ registry: s.url('e500') });
    expect(bad.status, bad.stdout + bad.stderr).toBe(3);
    expect(bad.stderr).toContain('mirrors.registry');
    expect(bad.stderr).toContain(lab.url('ok'));
    // A front that answers /v2/ (401 and the API header, as a registry) but serves none of the images is refused too,
    // naming the first image it failed (#16.1).
    const v2only = init({ registry: lab.url('v2only') });
    expect(v2only.status, v2only.stdout + v2only.stderr).toBe(3);
    expect(v2only.stderr).toContain('mirrors.registry');
    expect(v2only.stderr).toMatch(/\(mysql:[\w.]+: manifest http-404/);
    expect(v2only.stderr).toContain(`live alternative: ${lab.url('ok')}`);
    expect(existsSync(installDir)).toBe(false);
    expect(existsSync(installDir)).toBe(false);
    expect(readFileSync(join(root, 'etc/apt/sources.list'), 'utf8')).toBe(sample('debian-12.list'));

    const good = init({ registry: lab.url('ok') });
    expect(good.status, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toContain(`mirror registry: Fast ${lab.url('ok')}`);
    expect(readFileSync(join(root, 'etc/apt/sources.list'), 'utf8')).toContain(s.url('repo', '/debian'));
    expect(JSON.parse(readFileSync(join(root, 'etc/docker/daemon.json'), 'utf8'))['registry-mirrors']).toEqual([lab.url('ok')]);
    // The chosen mirrors are recorded in the answers the stack was rendered from, so later runs re-probe the same.
    const saved = readFileSync(join(installDir, 'stack-wizard.yaml'), 'utf8');
    expect(saved).toContain(s.url('repo', '/debian'));
    for (const d of deadUrls()) expect(allText(installDir) + allText(join(root, 'etc'))).not.toContain(d);
  });
});

describe('Ubuntu host, region cn', () => {
  it('deb822 (24.04): archive and security entries go to the mirror; apt-get fetches every pocket from it', async () => {
    const facts = makeFacts({ id: 'ubuntu', versionId: '24.04', codename: 'noble' });
    const root = newRoot({ 'etc/apt/sources.list.d/ubuntu.sources': sample('ubuntu-24.04.sources') });
    const { ctx, p } = await choose(root, facts);
    await runSteps(ctx, mirrorSteps(), p);
    expect(readFileSync(join(root, 'etc/apt/sources.list.d/ubuntu.sources'), 'utf8').match(/^URIs: http:\/\/127\.0\.0\.1:\d+\/ubuntu$/gm)).toHaveLength(2);
    expectAptUses(root, '/ubuntu', ['noble', 'noble-updates', 'noble-backports', 'noble-security']);
  });

  it('one-line (22.04): every archive line, commented deb-src untouched; apt-get accepts it', async () => {
    const facts = makeFacts({ id: 'ubuntu', versionId: '22.04', codename: 'jammy' });
    const root = newRoot({ 'etc/apt/sources.list': sample('ubuntu-22.04.list') });
    const { ctx, p } = await choose(root, facts);
    await runSteps(ctx, mirrorSteps(), p);
    const written = readFileSync(join(root, 'etc/apt/sources.list'), 'utf8');
    expect(written).toContain('# deb-src http://archive.ubuntu.com/ubuntu/ jammy main restricted');
    expect(written).not.toMatch(/^deb http:\/\/(archive|security)\.ubuntu\.com/m);
    expectAptUses(root, '/ubuntu', ['jammy', 'jammy-updates', 'jammy-backports', 'jammy-security']);
  });
});

describe('every path that writes verifies every mirror it writes (npm, PyPI, Node, image prefix too)', () => {
  const facts = makeFacts({ id: 'debian', versionId: '12', codename: 'bookworm' });
  const live = () => ({ npm: s.url('fast', '/npm'), pypi: s.url('fast', '/simple'), node: s.url('fast', '/node'), 'image-prefix': lab.prefixUrl() });
  const deadFor: Record<string, () => string> = {
    npm: () => s.url('e500', '/npm'),
    pypi: () => `http://127.0.0.1:${gone}/simple`,
    node: () => `http://127.0.0.1:${gone}/node`,
    'image-prefix': () => `http://127.0.0.1:${gone}`,
  };

  it('each of them dead is refused: exit 3, its key named, the live alternative listed', async () => {
    for (const kind of Object.keys(deadFor)) {
      forgetProbes();
      const mirrors = { ...live(), [kind]: deadFor[kind]!() };
      // With the answers, as init, the review and update call it: the image prefix is judged on the plan's images.
      const err = await verifyMirrors(ctxFor(newRoot({})), mirrors, facts, { probe: BOUND, answers: answers({ mirrors }) }).catch((e: unknown) => e);
      expect(err, kind).toBeInstanceOf(WizardError);
      const w = err as WizardError;
      expect(w.exitCode).toBe(3);
      expect(w.params.key).toBe(`mirrors.${kind}`);
      // The alternative is the catalogue's live candidate of that kind, probed for the occasion.
      expect(w.details.join('\n')).toContain(`live alternative: ${live()[kind as keyof ReturnType<typeof live>]}`);
    }
    forgetProbes();
    await expect(verifyMirrors(ctxFor(newRoot({})), live(), facts, { probe: BOUND, answers: answers({ mirrors: live() }) })).resolves.toHaveLength(4);
  });

  it('the wizard’s review refuses a dead mirror chosen on the region screen before any file is rendered', async () => {
    const root = newRoot({});
    const ctx = ctxFor(root);
    const c = createController(ctx, { dryRun: false, isRoot: false, out: join(root, 'out') });
    const err = await c.review(answers({ mirrors: { ...live(), pypi: deadFor.pypi!() } }), facts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WizardError);
    expect((err as WizardError).params).toMatchObject({ key: 'mirrors.pypi', error: 'refused' });
    expect(existsSync(join(root, 'out'))).toBe(false);
    const ok = await c.review(answers({ mirrors: live() }), facts);
    expect(ok.files.map((f) => f.path)).toContain(MIRROR_FILES.pipConf);
  });

  it('apply (init’s and the wizard’s steps) checks them all before the first file: a dead npm mirror stops it, nothing is written', async () => {
    const ids = installSteps().map((x) => x.id);
    expect(ids.indexOf('mirrors-live')).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf('mirrors-live')).toBeLessThan(ids.indexOf('files'));
    expect(installSteps().find((x) => x.id === 'mirrors-live')!.preflight).toBe(true);
    const root = newRoot({});
    const ctx = ctxFor(root);
    // The answers as the wizard hands them over: mirrors chosen on screen, not re-picked by init.
    const p = await prepare(ctx, { answers: answers({ mirrors: { ...live(), npm: deadFor.npm!() } }), facts, targetDir: join(root, 'opt', 'shop') });
    const err = await runSteps(ctx, [mirrorsLiveStep, writeFilesStep], p).catch((e: unknown) => e);
    expect((err as WizardError).params).toMatchObject({ key: 'mirrors.npm', error: 'http-500' });
    expect(existsSync(join(root, 'opt', 'shop'))).toBe(false);
    // The same step with live mirrors passes and changes nothing itself.
    const good = await prepare(ctx, { answers: answers({ mirrors: live() }), facts, targetDir: join(root, 'opt', 'shop') });
    const reports = await runSteps(ctx, [mirrorsLiveStep], good);
    expect(reports).toMatchObject([{ id: 'mirrors-live', status: 'checked' }]);
  });

  it('update re-renders the saved answers only with live mirrors: a dead one exits 3 before anything is pulled or written', () => {
    const root = newRoot({});
    const installDir = join(root, 'opt', 'shop');
    mkdirSync(installDir, { recursive: true });
    const f = join(root, 'answers.yaml');
    const env = { ...process.env, STACK_WIZARD_MIRROR_CATALOG: catalogFile, STACK_WIZARD_STATE_DIR: join(root, 'state') };
    writeFileSync(f, JSON.stringify({ ...BASE, installDir, images: lab.overrides, mirrors: { ...live(), node: deadFor.node!() } }));
    const r = spawnSync(process.execPath, ['bin/stack-wizard.js', 'update', '--answers', f, '--yes'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toContain('mirrors.node');
    expect(r.stderr).toContain(`live alternative: ${s.url('fast', '/node')}`);
    // Nothing rendered into the install dir (only the log of the refusal and the released maintenance lock:
    // an flock lives on its file, which stays, emptied, #15.4).
    expect(readdirSync(installDir).sort()).toEqual(['.stack-wizard', 'logs']);
    expect(readdirSync(join(installDir, '.stack-wizard'))).toEqual(['maintenance.lock']);
    expect(readFileSync(join(installDir, '.stack-wizard', 'maintenance.lock'), 'utf8')).toBe('');
  });
});

describe('build mirrors, read by the real npm and pip', () => {
  const facts = makeFacts({ id: 'debian', versionId: '12', codename: 'bookworm' });
  /** This machine's own npm and pip settings (NPM_CONFIG_*, PIP_*) must not decide what the tools read. */
  const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_config_|NPM_CONFIG_|PIP_)/.test(k)));

  it('npm takes the registry from .npmrc; pip the index (and trusted host, over plain http) from pip.conf; build-args.env expands to --build-arg flags', async () => {
    const root = newRoot({});
    const ctx = ctxFor(root);
    const mirrors = { npm: s.url('fast', '/npm'), pypi: s.url('fast', '/simple'), node: s.url('fast', '/node') };
    await verifyMirrors(ctx, mirrors, facts, { probe: BOUND });
    const out = join(root, 'opt', 'shop');
    const p = await prepare(ctx, { answers: answers({ mirrors }), facts, targetDir: out });
    for (const f of p.files.filter((x) => x.path.startsWith('mirrors/'))) {
      mkdirSync(join(out, f.path, '..'), { recursive: true });
      writeFileSync(join(out, f.path), f.content);
    }
    // npm, from an empty folder (no project .npmrc) with this .npmrc as the user config.
    const empty = mkdtempSync(join(tmpdir(), 'sw-npm-'));
    const npm = spawnSync('npm', ['config', 'get', 'registry', '--userconfig', join(out, MIRROR_FILES.npmrc)], { cwd: empty, env: cleanEnv(), encoding: 'utf8' });
    expect(npm.status, npm.stderr).toBe(0);
    expect(npm.stdout.trim()).toBe(`${s.url('fast', '/npm')}/`);
    // pip: PIP_CONFIG_FILE is read last, over this machine's own /etc/pip.conf and user config.
    const pip = spawnSync('python3', ['-m', 'pip', 'config', 'list'], { env: { ...cleanEnv(), PIP_CONFIG_FILE: join(out, MIRROR_FILES.pipConf) }, encoding: 'utf8' });
    expect(pip.status, pip.stderr).toBe(0);
    const conf = Object.fromEntries(pip.stdout.trim().split('\n').map((l) => l.split('=')).map(([k, ...v]) => [k!, v.join('=').replace(/^'|'$/g, '')]));
    expect(conf['global.index-url']).toBe(s.url('fast', '/simple'));
    // host:port, as pip matches it against the index URL.
    expect(conf['global.trusted-host']).toBe(`127.0.0.1:${s.ports.fast}`);
    // The command the file itself documents, run by bash: one --build-arg per mirror setting.
    const args = spawnSync('bash', ['-c', `printf '%s\\n' $(grep -v '^#' ${join(out, MIRROR_FILES.buildArgs)} | sed 's/^/--build-arg /')`], { encoding: 'utf8' });
    expect(args.stdout.trim().split('\n')).toEqual([
      '--build-arg', `NPM_CONFIG_REGISTRY=${s.url('fast', '/npm')}/`,
      '--build-arg', `PIP_INDEX_URL=${s.url('fast', '/simple')}`,
      '--build-arg', `PIP_TRUSTED_HOST=127.0.0.1:${s.ports.fast}`,
      '--build-arg', `UV_DEFAULT_INDEX=${s.url('fast', '/simple')}`,
      '--build-arg', `NODEJS_ORG_MIRROR=${s.url('fast', '/node')}/`,
      '--build-arg', `NVM_NODEJS_ORG_MIRROR=${s.url('fast', '/node')}/`,
    ]);
  });

  it('the tools really read those files: a .npmrc without the setting leaves npm at its default', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'sw-npm-')), '.npmrc');
    writeFileSync(f, '# nothing\n');
    const npm = spawnSync('npm', ['config', 'get', 'registry', '--userconfig', f, '--globalconfig', f], { cwd: tmpdir(), env: cleanEnv(), encoding: 'utf8' });
    expect(npm.stdout.trim()).not.toContain('127.0.0.1');
  });
});
