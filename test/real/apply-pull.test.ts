// Image pulls against a real registry on a real engine: the registry lab (Debian's docker-registry
// with a crafted image, nginx answering 500 as a broken mirror) and a proxy in its own process that
// damages layer blobs: per-layer progress, a dead mirror and an erroring mirror skipped in turn, and
// a pull whose HTTP call succeeds but whose stream reports a broken layer counted as the failure it is.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../src/context.js';
import { PullError } from '../../src/exec/docker.js';
import { imagesStep } from '../../src/steps/images.js';
import { runSteps, type StepEvent } from '../../src/steps/engine.js';
import type { Prepared } from '../../src/steps/prepare.js';
import { prepare } from '../../src/steps/prepare.js';
import { AnswersSchema } from '../../src/domain/answers.js';
import { makeFacts } from '../fixtures/facts.js';
import { freePort, rmImages } from './helpers/engine.js';
import { startMirrorServers, type MirrorServers } from './helpers/servers.js';
import { startRegistryLab, type RegistryLab } from './support/registry-lab.js';

let lab: RegistryLab;
let proxies: MirrorServers;
/** The image pulled, by name and tag (crafted by the lab: real layers). */
const REPO = 'stack-wizard-test/pull:1';
let registryPort: number;
let corruptPort: number;
let failingPort: number;
let deadPort: number;

function ctxFor(): { ctx: Context; log: string[] } {
  const log: string[] = [];
  const ctx = createContext({ lang: 'en', dryRun: false, io: { out: () => {}, err: () => {} }, interactive: false, env: { ...process.env, LANG: 'C' } });
  ctx.setLogSink((l) => log.push(l));
  return { ctx, log };
}

async function preparedWith(ctx: Context, image: string, mirrors: Record<string, string>): Promise<Prepared> {
  const answers = AnswersSchema.parse({
    project: 'pulltest', preset: '4g', app: { image }, images: { mysql: image, redis: image, nginx: image }, mirrors,
    installDir: mkdtempSync(join(tmpdir(), 'sw-pull-')),
  });
  return prepare(ctx, { answers, facts: makeFacts({ ramMiB: 3790, cores: 2 }) });
}

beforeAll(async () => {
  // The app's image on Docker Hub's namespace: the lab serves it (crafted, both platforms) next to the stack's.
  lab = await startRegistryLab({ project: 'pulltest', app: { image: REPO } }, { personalities: ['e500'] });
  registryPort = lab.hub.port;
  failingPort = Number(new URL(lab.url('e500')).port);
  proxies = await startMirrorServers([{ name: 'corrupt', mode: 'corrupt-proxy', upstream: lab.hub.url }]);
  corruptPort = proxies.ports.corrupt!;
  deadPort = await freePort();
});

afterAll(async () => {
  rmImages(
    `127.0.0.1:${registryPort}/${REPO}`,
    `127.0.0.1:${deadPort}/${REPO}`,
    `127.0.0.1:${corruptPort}/${REPO}`,
    `127.0.0.1:${failingPort}/${REPO}`,
  );
  await Promise.all([proxies?.stop(), lab?.stop()]);
});

describe('image pulls on a real engine from a real registry', () => {
  it('a pull stream that reports a broken layer is a failure, although the HTTP call succeeded', async () => {
    const { ctx } = ctxFor();
    const ref = `127.0.0.1:${corruptPort}/${REPO}`;
    const messages: string[] = [];
    const err = await ctx.docker.pull(ref, (m) => messages.push(JSON.stringify(m))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PullError);
    expect(String((err as Error).message)).toMatch(/filesystem layer verification failed for digest sha256:/);
    // The stream got as far as layer progress before the error: the HTTP call itself was a 200.
    expect(messages.some((m) => /Pulling fs layer|Downloading/.test(m))).toBe(true);
    expect(messages.some((m) => /"error"/.test(m))).toBe(true);
    expect(await ctx.docker.image(ref)).toBeNull();
  });

  it('skips a dead mirror and a mirror answering 500, pulls from the live one with per-layer progress, and tags it as the compose file names it', async () => {
    const { ctx, log } = ctxFor();
    const ref = `127.0.0.1:${deadPort}/${REPO}`;
    rmImages(ref);
    // The reference points at the dead mirror (as an image-prefix rewrite would); the other mirrors follow in order.
    const p = await preparedWith(ctx, ref, {
      'image-prefix': `http://127.0.0.1:${deadPort}`,
      registry: `http://127.0.0.1:${failingPort}`,
    });
    // The daemon's own registry mirrors come after; here the live registry is offered as a further prefix.
    const mirrors = ctx.docker.registryMirrors;
    (ctx.docker as { registryMirrors: () => Promise<string[]> }).registryMirrors = async () => [...(await mirrors()), lab.hub.url];
    const events: StepEvent[] = [];
    const reports = await runSteps(ctx, [imagesStep], p, (e) => events.push(e));
    expect(reports[0]!.status).toBe('applied');

    const outputs = events.filter((e) => e.kind === 'output').map((e) => e.text ?? '');
    expect(outputs.some((t) => t.includes(`127.0.0.1:${deadPort}/${REPO}`) && /failed/.test(t))).toBe(true);
    expect(outputs.some((t) => t.includes(`127.0.0.1:${failingPort}/${REPO}`) && /500|failed/.test(t))).toBe(true);
    expect(outputs.some((t) => t.includes(`from 127.0.0.1:${registryPort}/${REPO}`))).toBe(true);

    const progress = events.filter((e) => e.kind === 'progress');
    const image = progress.filter((e) => e.item === ref);
    const layers = progress.filter((e) => e.item?.startsWith(`${ref} `));
    expect(image.at(-1)!.fraction).toBe(1);
    expect(layers.length).toBeGreaterThan(0);
    expect(layers.every((e) => e.fraction! >= 0 && e.fraction! <= 1)).toBe(true);
    // Fractions of the image never go backwards.
    const fr = image.map((e) => e.fraction!);
    expect(fr).toEqual([...fr].sort((a, b) => a - b));

    const img = await ctx.docker.image(ref);
    expect(img).not.toBeNull();
    expect(img!.repoTags).toContain(ref);
    // Every pull and the tag went through the Executor's log.
    expect(log.some((l) => l.includes(`docker: pull 127.0.0.1:${deadPort}/${REPO} → failed`))).toBe(true);
    expect(log.some((l) => l.includes(`docker: tag 127.0.0.1:${registryPort}/${REPO} ${ref}`))).toBe(true);

    // Present now: a second run pulls nothing.
    const again = await runSteps(ctx, [imagesStep], p, () => {});
    expect(again[0]!.status).toBe('skipped');
  });

  it('fails with every source and its reason when no mirror has the image', async () => {
    const { ctx } = ctxFor();
    const ref = `127.0.0.1:${registryPort}/${REPO.replace(/:[^:]+$/, '')}:missing`;
    const p = await preparedWith(ctx, ref, { 'image-prefix': `http://127.0.0.1:${deadPort}` });
    const err = await runSteps(ctx, [imagesStep], p).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 1, key: 'err.pullFailed' });
    const details = (err as { details: string[] }).details.join('\n');
    expect(details).toContain(ref);
    expect(details).toMatch(/manifest unknown|not found/i);
  });
});
