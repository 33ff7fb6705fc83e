// The Docker side of the mirror choice, judged by the real programs: apt verifies the docker-ce
// mirror's signed repository with the key written inline into docker.sources, and a real dockerd
// starts with the merged daemon.json and reports the registry mirror and live-restore. The registry
// mirror is the registry lab's (Debian's docker-registry serving the plan's images behind nginx).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../src/context.js';
import { AnswersSchema } from '../../src/domain/answers.js';
import { TEST_DOCKER_KEY_ENV } from '../../src/domain/docker-install.js';
import { primaryKeyFingerprints } from '../../src/domain/openpgp.js';
import { dockerCeRepoStep, dockerDaemonStep, forgetProbes, resolveMirrors } from '../../src/steps/mirrors.js';
import { prepare, type Prepared } from '../../src/steps/prepare.js';
import { runSteps, type StepEvent } from '../../src/steps/engine.js';
import { imagesStep } from '../../src/steps/images.js';
import { WizardError } from '../../src/errors.js';
import { apt, buildArchive, makeGpgKey, signArchive, TEST_PACKAGE } from './helpers/apt-repo.js';
import { distroFacts as makeFacts } from '../fixtures/facts.js';
import { startMirrorServers, type MirrorServers } from './helpers/servers.js';
import { freePort } from '../support/proc.js';
import { startRegistryLab, type RegistryLab } from './support/registry-lab.js';
import { gatherFor } from '../../src/host/doctor/sources.js';
import { mirrorsCheck } from '../../src/domain/doctor/checks-files.js';
import { lineText } from '../../src/domain/doctor/types.js';

const BOUND = { deadlineMs: 2500, headersTimeoutMs: 1500, idleTimeoutMs: 800 };
let s: MirrorServers;
let lab: RegistryLab;
let repoRoot: string;
let key: ReturnType<typeof makeGpgKey>;
let other: ReturnType<typeof makeGpgKey>;
let gone: number;
const facts = makeFacts({ id: 'debian', versionId: '12', codename: 'bookworm' });
const BASE = { project: 'shop', region: 'cn', app: { image: 'registry.example.com/team/api:1.0' } };

beforeAll(async () => {
  key = makeGpgKey('docker-test');
  other = makeGpgKey('someone-else');
  repoRoot = mkdtempSync(join(tmpdir(), 'sw-dockerrepo-'));
  // Docker's layout: <mirror>/linux/debian/{gpg,dists/bookworm/{InRelease,stable/…}}.
  buildArchive(join(repoRoot, 'docker-ce', 'linux'), 'debian', ['bookworm'], ['stable'], { codename: () => 'bookworm' });
  signArchive(join(repoRoot, 'docker-ce', 'linux'), 'debian', ['bookworm'], key.home);
  writeFileSync(join(repoRoot, 'docker-ce', 'linux', 'debian', 'gpg'), key.armored);
  // A second mirror that serves someone else's key.
  buildArchive(join(repoRoot, 'evil', 'linux'), 'debian', ['bookworm'], ['stable'], { codename: () => 'bookworm' });
  signArchive(join(repoRoot, 'evil', 'linux'), 'debian', ['bookworm'], other.home);
  writeFileSync(join(repoRoot, 'evil', 'linux', 'debian', 'gpg'), other.armored);
  s = await startMirrorServers([{ name: 'repo', mode: 'static', root: repoRoot }]);
  lab = await startRegistryLab(BASE, { personalities: ['ok', 'slow', 'v2only', 'allow-list', 'liar', 'e500'] });
  gone = await freePort();
});
afterAll(() => Promise.all([s?.stop(), lab?.stop()]));
beforeEach(() => forgetProbes());

function setup(catalog: object[], files: Record<string, string> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'sw-root-'));
  mkdirSync(join(root, 'etc', 'apt', 'sources.list.d'), { recursive: true });
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), t);
  }
  const catalogFile = join(root, 'catalog.json');
  writeFileSync(catalogFile, JSON.stringify(catalog));
  const ctx: Context = createContext({
    lang: 'en', dryRun: false, cwd: root,
    env: { ...process.env, STACK_WIZARD_ROOT: root, STACK_WIZARD_MIRROR_CATALOG: catalogFile },
    io: { out: () => {}, err: () => {} },
  });
  return { root, ctx };
}

async function prepared(ctx: Context, root: string, mirrors: Record<string, string> = {}): Promise<Prepared> {
  const a = AnswersSchema.parse({ ...BASE, images: lab.overrides, mirrors });
  const res = await resolveMirrors(ctx, a, facts, { probe: BOUND });
  return prepare(ctx, { answers: res.answers, facts, targetDir: join(root, 'opt') });
}

describe('docker-ce mirror', () => {
  it('our key reader agrees with gpg on the fingerprints', () => {
    expect(primaryKeyFingerprints(key.armored)).toEqual([key.fingerprint]);
    expect(primaryKeyFingerprints(other.armored)).toEqual([other.fingerprint]);
  });

  it('creates docker.sources with the mirror’s key inline; apt verifies the signed repository with it', async () => {
    const { root, ctx } = setup([
      { kind: 'docker-ce', id: 'loop', name: 'Loopback', url: s.url('repo', '/docker-ce') },
      { kind: 'docker-ce', id: 'gone', name: 'Gone', url: `http://127.0.0.1:${gone}/docker-ce` },
    ]);
    const p = await prepared(ctx, root);
    expect(p.plan.mirrors['docker-ce']).toBe(s.url('repo', '/docker-ce'));
    const [r] = await runSteps(ctx, [dockerCeRepoStep([key.fingerprint])], p);
    expect(r!.status).toBe('applied');
    const text = readFileSync(join(root, 'etc/apt/sources.list.d/docker.sources'), 'utf8');
    expect(text).toContain(`URIs: ${s.url('repo', '/docker-ce')}/linux/debian\nSuites: bookworm\nComponents: stable\nArchitectures: amd64\nSigned-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----`);
    expect(text).not.toContain(`127.0.0.1:${gone}`);
    // Signatures checked for real: no insecure repositories allowed.
    const up = apt(root, 'apt-get', ['update'], { secure: true });
    expect(up.code, up.out).toBe(0);
    expect(apt(root, 'apt-cache', ['policy', TEST_PACKAGE]).out).toContain(`${s.url('repo', '/docker-ce')}/linux/debian bookworm/stable`);
    // Idempotent.
    const [again] = await runSteps(ctx, [dockerCeRepoStep([key.fingerprint])], p);
    expect(again!.status).toBe('skipped');
  });

  it('apt really checks that key: the same file with another key inline fails (the check can fail)', async () => {
    const { root, ctx } = setup([{ kind: 'docker-ce', id: 'loop', name: 'Loopback', url: s.url('repo', '/docker-ce') }]);
    await runSteps(ctx, [dockerCeRepoStep([key.fingerprint])], await prepared(ctx, root));
    const f = join(root, 'etc/apt/sources.list.d/docker.sources');
    const swapped = readFileSync(f, 'utf8').replace(/Signed-By:\n[\s\S]*$/, `Signed-By:\n${other.armored.trim().split('\n').map((l) => (l.trim() ? ` ${l}` : ' .')).join('\n')}\n`);
    writeFileSync(f, swapped);
    expect(apt(root, 'apt-get', ['update'], { secure: true }).code).not.toBe(0);
  });

  it('refuses a mirror that serves a key other than Docker’s; nothing is written', async () => {
    const { root, ctx } = setup([{ kind: 'docker-ce', id: 'evil', name: 'Evil', url: s.url('repo', '/evil') }]);
    const err = await runSteps(ctx, [dockerCeRepoStep([key.fingerprint])], await prepared(ctx, root)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WizardError);
    expect((err as WizardError).key).toBe('err.dockerKeyMismatch');
    expect(existsSync(join(root, 'etc/apt/sources.list.d/docker.sources'))).toBe(false);
  });

  it('by default accepts only Docker\'s key; the test-only override names the key init\'s Docker install accepts too', async () => {
    const { root, ctx } = setup([{ kind: 'docker-ce', id: 'loop', name: 'Loopback', url: s.url('repo', '/docker-ce') }]);
    const err = await runSteps(ctx, [dockerCeRepoStep()], await prepared(ctx, root)).catch((e: unknown) => e);
    expect((err as WizardError).key).toBe('err.dockerKeyMismatch');
    expect(existsSync(join(root, 'etc/apt/sources.list.d/docker.sources'))).toBe(false);
    ctx.env[TEST_DOCKER_KEY_ENV] = key.fingerprint;
    const [r] = await runSteps(ctx, [dockerCeRepoStep()], await prepared(ctx, root));
    expect(r!.status).toBe('applied');
    expect(readFileSync(join(root, 'etc/apt/sources.list.d/docker.sources'), 'utf8')).toContain(`URIs: ${s.url('repo', '/docker-ce')}/linux/debian`);
  });

  it('an existing Docker repository entry is pointed at the mirror instead of adding a second one', async () => {
    const list = `deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian bookworm stable\n`;
    const { root, ctx } = setup([{ kind: 'docker-ce', id: 'loop', name: 'Loopback', url: s.url('repo', '/docker-ce') }], { 'etc/apt/sources.list.d/docker.list': list });
    await runSteps(ctx, [dockerCeRepoStep([key.fingerprint])], await prepared(ctx, root));
    expect(readFileSync(join(root, 'etc/apt/sources.list.d/docker.list'), 'utf8')).toContain(`signed-by=/etc/apt/keyrings/docker.asc] ${s.url('repo', '/docker-ce')}/linux/debian bookworm stable`);
    expect(existsSync(join(root, 'etc/apt/sources.list.d/docker.sources'))).toBe(false);
  });
});

/** A private dockerd (own data-root, exec-root, socket; no networking changes) with `config`, running until stop(). */
async function startDockerd(config: string): Promise<{ sock: string; info: string; log: () => string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sw-dockerd-'));
  const sock = join(dir, 'd.sock');
  const child = spawn('dockerd', [
    '--config-file', config, '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'd.pid'),
    '-H', `unix://${sock}`, '--bridge=none', '--iptables=false', '--ip-masq=false',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let info = '';
  for (let i = 0; i < 80 && child.exitCode === null; i++) {
    const r = spawnSync('docker', ['-H', `unix://${sock}`, 'info', '--format', '{{json .RegistryConfig.Mirrors}} {{.LiveRestoreEnabled}} {{.LoggingDriver}}'], { encoding: 'utf8' });
    if (r.status === 0) {
      info = r.stdout.trim();
      break;
    }
    await new Promise((res) => setTimeout(res, 250));
  }
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  return { sock, info, log: () => log, stop };
}

/** Starts a private dockerd with `config`; reports what docker info says, then stops it. */
async function dockerdWith(config: string): Promise<{ started: boolean; info: string; log: string }> {
  const d = await startDockerd(config);
  await d.stop();
  return { started: d.info !== '', info: d.info, log: d.log() };
}

describe('daemon.json merged for a registry mirror', () => {
  it('a real dockerd starts with the merged file and uses every usable mirror, fastest first; the dead ones and one that serves /v2/ but not the images are gone (#16.3)', async () => {
    // The operator's list: a dead one, a /v2/-only front (alive by a /v2/ check, useless for a pull) and a slow one that serves every image.
    const existing = { 'registry-mirrors': [`http://127.0.0.1:${gone}`, lab.url('v2only'), lab.url('slow')], 'max-concurrent-downloads': 5, 'log-opts': { 'max-file': '2' } };
    const { root, ctx } = setup(
      [{ kind: 'registry', id: 'fast', name: 'Fast', url: lab.url('ok') }, { kind: 'registry', id: 'gone', name: 'Gone', url: `http://127.0.0.1:${gone}` }],
      { 'etc/docker/daemon.json': JSON.stringify(existing) },
    );
    const [report] = await runSteps(ctx, [dockerDaemonStep], await prepared(ctx, root));
    expect(report!.status).toBe('applied');
    const file = join(root, 'etc/docker/daemon.json');
    const merged = JSON.parse(readFileSync(file, 'utf8'));
    // Docker tries them in order: the chosen (fast) one, then the slow one; nothing that fails an image of the plan.
    expect(merged).toMatchObject({ 'registry-mirrors': [lab.url('ok'), lab.url('slow')], 'max-concurrent-downloads': 5, 'live-restore': true, 'log-opts': { 'max-file': '2', 'max-size': expect.stringMatching(/^\d+m$/) } });
    const d = await dockerdWith(file);
    expect(d.started, d.log.slice(-2000)).toBe(true);
    expect(d.info).toBe(`["${lab.url('ok')}/","${lab.url('slow')}/"] true json-file`);
  });

  it('dockerd really judges the file: a wrong type makes it refuse to start (the check can fail)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-daemonjson-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ 'registry-mirrors': lab.url('ok'), 'live-restore': true }));
    const d = await dockerdWith(join(dir, 'bad.json'));
    expect(d.started).toBe(false);
  });

  it('invalid existing JSON stops the step with file:line and leaves the file as it was', async () => {
    const broken = '{\n  "registry-mirrors": ["https://a.example.com"],\n  "debug": tru\n}\n';
    const { root, ctx } = setup([{ kind: 'registry', id: 'fast', name: 'Fast', url: lab.url('ok') }], { 'etc/docker/daemon.json': broken });
    const err = await runSteps(ctx, [dockerDaemonStep], await prepared(ctx, root)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WizardError);
    expect((err as WizardError).exitCode).toBe(3);
    expect(ctx.t((err as WizardError).key, (err as WizardError).params)).toContain(`${join(root, 'etc/docker/daemon.json')}:3:12: not valid JSON`);
    expect(readFileSync(join(root, 'etc/docker/daemon.json'), 'utf8')).toBe(broken);
    expect(execFileSync('ls', [join(root, 'etc/docker')], { encoding: 'utf8' }).trim()).toBe('daemon.json');
  });
});

describe('doctor re-probes the configured mirrors on the stack\'s images (#16.6)', () => {
  /** The evidence and findings doctor's mirrors check gathers for an installed stack whose answers name this registry mirror. */
  async function doctorOn(registry: string) {
    const { root, ctx } = setup([]);
    const answers = AnswersSchema.parse({ ...BASE, images: lab.overrides, mirrors: { registry } });
    const p = await prepare(ctx, { answers, facts, targetDir: join(root, 'opt') });
    const g = gatherFor(ctx, { project: 'shop', installDir: join(root, 'opt'), answers: p.answers, plan: p.plan, facts, files: p.files, secrets: p.secrets, catalogue: [] });
    const ev = await g.source('mirrors');
    const mine = mirrorsCheck.evaluate(ev, new Date()).filter((f) => f.evidence.some((l) => lineText(ctx.t, l).startsWith(registry)));
    return { ctx, ev, mine };
  }

  it('an allow-list that answers /v2/ and refuses one of the stack\'s images is reported, saying how and which image, with the fix', async () => {
    const { ctx, ev, mine } = await doctorOn(lab.url('allow-list'));
    expect(ev.results.find((r) => r.url === lab.url('allow-list'))).toMatchObject({ alive: false, class: 'allow-list' });
    expect(mine).toHaveLength(1);
    const f = mine[0]!;
    expect(f).toMatchObject({ id: 'mirror.registry', severity: 'warn' });
    expect(ctx.t(f.title.key, f.title.params)).toBe(`the registry mirror answers but does not serve every image of this stack: ${lab.url('allow-list')}`);
    expect(lineText(ctx.t, f.evidence[0]!)).toMatch(new RegExp(`^${lab.url('allow-list')}: allow-list: redis:[\\w.]+: manifest http-403`));
    expect(f.fix && !f.fix.auto && f.fix.steps.map((x) => lineText(ctx.t, x)).join('\n')).toContain('mirrors.registry');
  });

  it('a /v2/-only front (alive to a /v2/ check) is dead to doctor; the healthy one is fine', async () => {
    const dead = await doctorOn(lab.url('v2only'));
    expect(dead.mine).toMatchObject([{ id: 'mirror.registry', severity: 'warn' }]);
    expect(dead.ctx.t(dead.mine[0]!.title.key, dead.mine[0]!.title.params)).toBe(`the registry mirror does not answer: ${lab.url('v2only')}`);
    const ok = await doctorOn(lab.url('ok'));
    expect(ok.mine).toMatchObject([{ id: 'mirror.registry', severity: 'ok' }]);
  });
});

describe('pulls of pinned images through daemon.json\'s mirrors (#16.4)', () => {
  it('image by image, by digest: a mirror lying about the pinned digest and one answering 500 are passed over by the Engine, the next live one serves, and the pulled digest is the pinned one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-pulld-'));
    // The order Docker tries them in; as an operator's file could hold after mirrors went bad (init writes only usable ones).
    writeFileSync(join(dir, 'daemon.json'), JSON.stringify({ 'registry-mirrors': [lab.url('liar'), lab.url('e500'), lab.url('ok')] }));
    const d = await startDockerd(join(dir, 'daemon.json'));
    try {
      expect(d.info, d.log().slice(-2000)).not.toBe('');
      const ctx = createContext({ lang: 'en', dryRun: false, io: { out: () => {}, err: () => {} }, interactive: false, env: { ...process.env, LANG: 'C', DOCKER_HOST: `unix://${d.sock}` } });
      const log: string[] = [];
      ctx.setLogSink((l) => log.push(l));
      // The app is one of the lab's images too: every image of the plan is on the lab's Docker Hub.
      const answers = AnswersSchema.parse({ ...BASE, app: { image: lab.overrides.nginx }, images: lab.overrides });
      const p = await prepare(ctx, { answers, facts, targetDir: join(dir, 'opt') });
      const events: StepEvent[] = [];
      const [r] = await runSteps(ctx, [imagesStep], p, (e) => events.push(e));
      expect(r!.status).toBe('applied');
      for (const ref of Object.values(lab.overrides)) {
        const img = await ctx.docker.image(ref);
        // The digest the plan pins, whichever mirror served it.
        expect(img?.repoDigests.map((x) => x.slice(x.indexOf('@') + 1)), ref).toContain(ref.slice(ref.indexOf('@') + 1));
      }
      // One pull per image under its own name (no rewritten copies): the Engine's mirror order is the fallback.
      const pulls = log.filter((l) => l.includes('docker: pull '));
      expect(pulls.map((l) => /docker: pull (\S+)/.exec(l)![1]).sort()).toEqual([...new Set(Object.values(lab.overrides))].sort());
      expect(pulls.every((l) => !/failed/.test(l))).toBe(true);
      // The liar really lied: asked for the pinned digest of its repository it answers other bytes.
      const liarRepo = 'library/nginx';
      const pin = lab.overrides.nginx!.slice(lab.overrides.nginx!.indexOf('@') + 1);
      const res = await fetch(`${lab.url('liar')}/v2/${liarRepo}/manifests/${pin}`, { headers: { accept: 'application/vnd.oci.image.index.v1+json' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('docker-content-digest')).not.toBe(pin);
    } finally {
      await d.stop();
    }
  });

  it('the check can fail: with only the lying mirror (and no way to Docker Hub) the pinned pull is refused and init names every attempt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-pulld-'));
    writeFileSync(join(dir, 'daemon.json'), JSON.stringify({ 'registry-mirrors': [lab.url('liar')] }));
    const d = await startDockerd(join(dir, 'daemon.json'));
    try {
      const ctx = createContext({ lang: 'en', dryRun: false, io: { out: () => {}, err: () => {} }, interactive: false, env: { ...process.env, LANG: 'C', DOCKER_HOST: `unix://${d.sock}` } });
      const answers = AnswersSchema.parse({ ...BASE, app: { image: lab.overrides.mysql }, images: lab.overrides });
      const p = await prepare(ctx, { answers, facts, targetDir: join(dir, 'opt') });
      const err = await runSteps(ctx, [imagesStep], p).catch((e: unknown) => e);
      expect(err).toMatchObject({ key: 'err.pullFailed', params: { image: lab.overrides.nginx } });
      expect((err as WizardError).details.join('\n')).toContain(lab.overrides.nginx);
      expect(await ctx.docker.image(lab.overrides.nginx!)).toBeNull();
    } finally {
      await d.stop();
    }
  });
});
