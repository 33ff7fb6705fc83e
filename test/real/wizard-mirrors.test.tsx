// The wizard's region screen with the real mirror source: the catalogue (STACK_WIZARD_MIRROR_CATALOG)
// filtered to the kinds this Debian 12 host needs, probed by the real probe against loopback HTTP
// servers in their own process (apt, npm) and the registry lab (Debian's docker-registry serving the
// plan's images behind nginx: a fast mirror, a slow one, an allow-list; a port with nothing
// listening). Registry candidates are judged on the plan's images (#16.2). The screen shows each
// candidate's measured latency or class, picks the best usable one, offers the image prefix without
// choosing it, and refuses the dead one; what it measured is what init then uses.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { mirrorSource } from '../../src/services/mirrors.js';
import { createContext } from '../../src/context.js';
import { DryRunExecutor } from '../../src/exec/executor.js';
import { App } from '../../src/ui/app.js';
import { createController } from '../../src/ui/controller.js';
import type { MirrorMeasurement, WizardController } from '../../src/ui/types.js';
import { forgetProbes, verifyMirrors } from '../../src/steps/mirrors.js';
import { AnswersSchema } from '../../src/domain/answers.js';
import type { Draft } from '../../src/domain/draft.js';
import { KEY, facts, flat, plain, press, pressToRegion, tempDir, waitFlat, waitFor, waitText } from '../unit/ui/helpers.js';
import { startMirrorServers, type MirrorServers } from './helpers/servers.js';
import { freePort } from '../support/proc.js';
import { startRegistryLab, type RegistryLab } from './support/registry-lab.js';

let s: MirrorServers;
let lab: RegistryLab;
let dead: number;
/** The answers pressToRegion gives (project `mirrors`, app `a/b:1`, on Docker Hub as well). */
const BASE = { project: 'mirrors', app: { image: 'a/b:1' } };
beforeAll(async () => {
  s = await startMirrorServers([{ name: 'fast', mode: 'ok', size: 64 * 1024 }]);
  lab = await startRegistryLab(BASE, { personalities: ['ok', 'slow', 'allow-list', 'prefix'] });
  dead = await freePort();
});
afterAll(() => Promise.all([s?.stop(), lab?.stop()]));
afterEach(() => {
  cleanup();
  forgetProbes();
});

const HOST = facts({ timezone: 'Asia/Shanghai' });
const ABROAD = facts({ timezone: 'Europe/Berlin' });

function catalogue(dir: string, hubDead = false): string {
  const fast = s.url('fast');
  const none = `http://127.0.0.1:${dead}`;
  const file = join(dir, 'mirrors.yaml');
  // hubDead: no Docker Hub candidate serves the plan's images (an allow-list, nothing listening).
  if (hubDead) {
    writeFileSync(
      file,
      [
        `- { kind: apt-debian, id: fastdeb, name: "Fast Debian", url: "${fast}/debian", security: "${fast}/debian-security" }`,
        `- { kind: registry, id: allowhub, name: "Allow Hub", url: "${lab.url('allow-list')}" }`,
        `- { kind: registry, id: deadhub, name: "Dead Hub", url: "${none}" }`,
        `- { kind: image-prefix, id: deadprefix, name: "Dead Prefix", url: "${none}/docker.io" }`,
        '',
      ].join('\n'),
    );
    return file;
  }
  writeFileSync(
    file,
    [
      `- { kind: apt-debian, id: fastdeb, name: "Fast Debian", url: "${fast}/debian", security: "${fast}/debian-security" }`,
      `- { kind: apt-ubuntu, id: ubu, name: "Ubuntu only", url: "${fast}/ubuntu" }`,
      `- { kind: registry, id: slowhub, name: "Slow Hub", url: "${lab.url('slow')}" }`,
      `- { kind: registry, id: deadhub, name: "Dead Hub", url: "${none}" }`,
      `- { kind: registry, id: fasthub, name: "Fast Hub", url: "${lab.url('ok')}" }`,
      `- { kind: registry, id: allowhub, name: "Allow Hub", url: "${lab.url('allow-list')}" }`,
      `- { kind: image-prefix, id: prefix, name: "Prefix", url: "${lab.prefixUrl()}" }`,
      `- { kind: npm, id: npmfast, name: "NPM Fast", url: "${fast}" }`,
      '',
    ].join('\n'),
  );
  return file;
}

function mount(host = HOST, gate?: Promise<void>, resultsGate?: Promise<void>, hubDead = false) {
  const dir = tempDir('sw-wizard-mirrors-');
  const factsFile = join(dir, 'facts.json');
  writeFileSync(factsFile, JSON.stringify(host));
  const ctx = createContext({
    lang: 'en',
    dryRun: true,
    exec: new DryRunExecutor(),
    cwd: dir,
    interactive: false,
    env: { STACK_WIZARD_STATE_DIR: join(dir, 'state'), STACK_WIZARD_MIRROR_CATALOG: catalogue(dir, hubDead) },
  });
  // As startSetup wires it: the source asks the controller for the host facts.
  const measured: MirrorMeasurement[] = [];
  const source = mirrorSource(ctx, () => controller.facts());
  // `gate` holds the candidate list back (a slow disk or probe): it may arrive after the operator acted.
  // `resultsGate` holds the real probe's results back from the screen (a probe still running).
  const measure = async (c: Parameters<NonNullable<typeof source.measure>>[0], on: (m: MirrorMeasurement) => void, draft?: Draft) => {
    const held: MirrorMeasurement[] = [];
    await source.measure!(c, (m) => (measured.push(m), resultsGate ? held.push(m) : on(m)), draft);
    await resultsGate;
    for (const m of held) on(m);
  };
  const watched = { ...source, candidates: async (r: 'cn' | 'global') => (await gate, source.candidates(r)), measure };
  const controller: WizardController = createController(ctx, { factsFile, dryRun: false, mirrors: watched, isRoot: false });
  // The stack's images pinned to the lab's builds, as an answers file's images: would.
  const r = render(<App controller={controller} stacks={[]} draft={{ images: { ...lab.overrides } }} given={new Set()} onExit={vi.fn()} onAbort={vi.fn()} />);
  return { ...r, frame: plain(r.lastFrame), ctx, measured };
}

async function toRegion(host = HOST) {
  const m = mount(host);
  await pressToRegion(m.frame, m.stdin);
  return m;
}

const latency = (f: string, url: string) => {
  const m = new RegExp(`${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}  (\\d+) ms`).exec(f);
  return m ? Number(m[1]) : null;
};

describe('region screen with the real mirror probe', () => {
  test('candidates for this host with their measured latency or class; the best usable one chosen; the dead one and the allow-list refused', async () => {
    const { frame, stdin, measured } = await toRegion();
    // Asia/Shanghai: mainland China is suggested, and every kind this host needs is listed.
    // Each row changes as its result arrives; the note goes once the last one is in.
    await waitText(frame, 'Measuring mirrors');
    const f = await waitFor(frame, (x) => measured.length === 7 && !x.includes('Measuring mirrors'), 'every candidate measured', 20_000);
    expect(f).toMatch(/Region.*mainland China/);
    expect(f).not.toContain('Ubuntu only');
    // One probe per candidate of the host's kinds, each reported as it arrived.
    expect(measured.map((m) => `${m.kind}/${m.id}`).sort()).toEqual([
      'apt-debian/fastdeb', 'image-prefix/prefix', 'npm/npmfast', 'registry/allowhub', 'registry/deadhub', 'registry/fasthub', 'registry/slowhub',
    ]);
    const byId = Object.fromEntries(measured.map((m) => [m.id, m]));
    // Judged on the plan's images (the stack's and the app's): classes and blob speeds.
    expect(byId.fasthub).toMatchObject({ alive: true, error: null, class: 'ok' });
    expect(byId.slowhub).toMatchObject({ alive: true, class: 'slow' });
    expect(byId.slowhub!.blobBytesPerSecond!).toBeLessThan(byId.fasthub!.blobBytesPerSecond!);
    expect(byId.allowhub).toMatchObject({ alive: false, class: 'allow-list', error: expect.stringMatching(/http-403/) });
    expect(byId.deadhub).toMatchObject({ alive: false, latencyMs: null, error: 'refused', class: 'dead' });
    expect(byId.prefix).toMatchObject({ alive: true, class: 'ok' });
    // The screen shows the probe's own figures.
    expect(latency(f, lab.url('ok'))).toBe(Math.round(byId.fasthub!.latencyMs!));
    // The image prefix is offered, never chosen for the operator; the others are.
    expect(f).toMatch(/Mirror: image-prefix {2}\( \) Prefix {2}http:\/\/127\.0\.0\.1:\d+\/docker\.io {2}\d+ ms {2}\(\*\) none/);
    expect(f).toMatch(/Mirror: npm +\(\*\) NPM Fast/);
    expect(f).toMatch(/Mirror: apt-debian +\(\*\) Fast Debian/);

    // The registry field: the fast hub is chosen; the slow one shows its latency; the allow-list its class; the dead one "no answer".
    expect(f).toMatch(/Mirror: registry +< Fast Hub {2}http:\/\/127\.0\.0\.1:\d+ {2}\d+ ms > {2}3\/5/);
    await press(stdin, KEY.down, KEY.down);
    await press(stdin, KEY.right);
    let g = await waitText(frame, 'Allow Hub');
    expect(g).toMatch(/Allow Hub {2}http:\/\/127\.0\.0\.1:\d+ {2}allow-list/);
    await press(stdin, KEY.left, KEY.left);
    g = await waitText(frame, 'Dead Hub');
    expect(g).toMatch(/Dead Hub {2}http:\/\/127\.0\.0\.1:\d+ {2}no answer/);
    await press(stdin, KEY.left);
    g = await waitText(frame, 'Slow Hub');
    expect(latency(g, lab.url('slow'))).toBe(Math.round(byId.slowhub!.latencyMs!));
    await press(stdin, KEY.right);
    await waitText(frame, 'Dead Hub');
    await press(stdin, KEY.enter, KEY.enter, KEY.enter, KEY.enter, KEY.enter);
    await waitFlat(frame, `http://127.0.0.1:${dead} did not answer`);
  });

  test('what the screen measured is what init writes with: the chosen mirror is not probed again on the same images', async () => {
    const { frame, ctx, measured } = await toRegion();
    await waitFor(frame, (x) => /Fast Hub .* \d+ ms/.test(x) && measured.length === 7, 'measured latencies', 20_000);
    const fast = measured.find((m) => m.id === 'fasthub')!;
    // The review and init's steps verify the chosen registry mirror on the answers' images before writing; it answers
    // from this run's probe (the very same figures: a new probe would measure another latency and speed).
    const answers = AnswersSchema.parse({ ...BASE, images: lab.overrides, region: 'cn', mirrors: { registry: lab.url('ok') } });
    const [r] = await verifyMirrors(ctx, answers.mirrors, HOST, { answers });
    expect(r).toMatchObject({ alive: true, class: 'ok', latencyMs: fast.latencyMs, blobBytesPerSecond: fast.blobBytesPerSecond });
    expect(ctx.exec.actions).toEqual([]);
  });

  test('a host abroad probes nothing until the region screen, then measures there for mainland China (even when the list arrives after the choice)', async () => {
    let release = () => {};
    const m = mount(ABROAD, new Promise<void>((r) => (release = r)));
    await waitText(m.frame, 'This host (vm-test)');
    await press(m.stdin, KEY.enter, 'mirrors', KEY.enter, 'a/b:1', KEY.enter, KEY.enter, KEY.enter, KEY.enter);
    await waitText(m.frame, 'Size preset');
    // Through the welcome, project and preset screens: no mirror was contacted.
    expect(m.measured).toEqual([]);
    await press(m.stdin, KEY.enter);
    await waitText(m.frame, '> Region');
    expect(m.frame()).toMatch(/\(\*\) global/);
    await press(m.stdin, KEY.right);
    await waitText(m.frame, '(*) mainland China');
    // The candidates come only now: the mirror fields appear under a region already chosen, with their defaults.
    release();
    const f = await waitFor(m.frame, (x) => m.measured.length === 7 && !x.includes('Measuring mirrors') && /Mirror: registry +< Fast Hub/.test(x), 'the mirrors measured on the region screen', 20_000);
    expect(f).toMatch(/Mirror: apt-debian +\(\*\) Fast Debian {2}http:\/\/127\.0\.0\.1:\d+\/debian {2}\d+ ms/);
    expect(f).toMatch(/Mirror: npm +\(\*\) NPM Fast/);
    expect(f).toMatch(/Mirror: image-prefix .*\(\*\) none/);
  });

  test('Enter while the probe still runs does not leave a kind unmeasured (no first-in-list default); once measured, the best live one is taken', async () => {
    let release = () => {};
    const m = mount(HOST, undefined, new Promise<void>((r) => (release = r)));
    await pressToRegion(m.frame, m.stdin);
    // The probe is over, but its results have not reached the screen: nothing is chosen yet.
    await waitFor(m.frame, () => m.measured.length === 7, 'the real probe finished', 20_000);
    let f = await waitText(m.frame, 'Measuring mirrors');
    expect(f).toMatch(/Mirror: npm +\( \) NPM Fast {2}http:\/\/127\.0\.0\.1:\d+ {2}measuring… {2}\(\*\) none/);
    expect(f).toMatch(/Mirror: registry +< none > {2}5\/5/);
    await press(m.stdin, KEY.enter, KEY.enter, KEY.enter, KEY.enter, KEY.enter);
    f = await waitFlat(m.frame, 'still measuring these mirrors');
    // Still on the region screen, the waiting field picked out.
    expect(f).toMatch(/> Mirror: apt-debian/);
    expect(f).not.toContain('[x] Redis');
    release();
    // The measurements arrive: untouched fields take the best live candidate of each kind.
    f = await waitFor(m.frame, (x) => !x.includes('Measuring mirrors') && /Mirror: npm +\(\*\) NPM Fast/.test(x), 'the measurements on screen', 20_000);
    expect(f).toMatch(/Mirror: registry +< Fast Hub /);
    await press(m.stdin, KEY.enter, KEY.enter, KEY.enter, KEY.enter, KEY.enter);
    await waitText(m.frame, '[x] Redis');
  });
  test('no Docker Hub candidate serves the images: the screen warns that pulls will probably fail and what to do; one\'s own accelerator typed there ends the warning (#22.10, #16.5)', async () => {
    const m = mount(HOST, undefined, undefined, true);
    await pressToRegion(m.frame, m.stdin);
    let f = await waitFor(m.frame, (x) => m.measured.length === 4 && !x.includes('Measuring mirrors'), 'every candidate measured', 20_000);
    const byId = Object.fromEntries(m.measured.map((x) => [x.id, x]));
    expect(byId.allowhub).toMatchObject({ alive: false, class: 'allow-list' });
    expect(byId.deadhub).toMatchObject({ alive: false, class: 'dead' });
    expect(byId.deadprefix).toMatchObject({ alive: false });
    const said = flat(f);
    expect(said).toContain('pulls from Docker Hub will probably fail here');
    for (const what of ['Type your own accelerator', 'image-prefix mirror', 'private registry', 'docker load']) expect(said).toContain(what);
    expect(f).toMatch(/Mirror: registry +< none >/);
    expect(f).toContain('Your own accelerator');
    // Down to the accelerator field (region, apt-debian, registry, image-prefix, accelerator) and type one.
    await press(m.stdin, KEY.down, KEY.down, KEY.down, KEY.down);
    await press(m.stdin, 'https://abc123.mirror.aliyuncs.com');
    f = await waitFor(m.frame, (x) => x.includes('abc123.mirror.aliyuncs.com') && !flat(x).includes('will probably fail'), 'the warning gone once an accelerator is typed');
    expect(f).toContain('Your own accelerator');
  });
});
