// The docker-registry lab as one shared piece for every real test that judges Docker Hub mirrors
// (init, the wizard, doctor, pulls): Debian's docker-registry (Distribution 2.8) on loopback filled
// with crafted images under the Docker Hub names a plan pulls (planHubImages), and nginx in front of
// it playing the mirrors of the field. Callers name the personalities they need; each gets its own
// port. test/real/registry-probe.test.ts builds the full set (token auth, stalls, TLS) from the same
// parts in test/real/helpers/registry-lab.ts.
import { AnswersSchema } from '../../../src/domain/answers.js';
import { planHubImages, serviceImages } from '../../../src/domain/plan.js';
import { parseImageRef, withoutDigest, type HubImage } from '../../../src/domain/registry.js';
import {
  craftImage,
  pushImage,
  startDockerRegistry,
  startNginx,
  type CraftedImage,
  type Proc,
} from '../helpers/registry-lab.js';
import { freePort } from '../../support/proc.js';

/**
 * ok: passes everything to the registry. slow: the same at nginx's limit_rate (below the probe's
 * slow threshold). allow-list: 403 for `denied` (DaoCloud's list). v2only: /v2/ asks for a token,
 * everything else 404 (a front whose registry is gone). stale: another build under the pinned tag
 * of `staleRepo`. liar: the older build's manifest even when asked for the pinned digest. e500: 500 for everything. prefix: Docker Hub's images under /docker.io/ (an
 * image-prefix mirror; its URL is `prefixUrl()`). dead: nothing listens.
 */
export type Personality = 'ok' | 'slow' | 'allow-list' | 'v2only' | 'stale' | 'liar' | 'e500' | 'prefix' | 'dead';

export interface RegistryLab {
  /** The registry itself (what `ok` passes to). */
  hub: Proc;
  /**
   * The `images:` answers that pin the stack's Docker Hub images to the lab's builds
   * (`mysql:8.4.11@sha256:…`): the versions data pins Docker Hub's own digests, which no lab can serve.
   */
  overrides: Readonly<Record<string, string>>;
  /** What a plan with those overrides pulls from Docker Hub (planHubImages), pins included. */
  images: readonly HubImage[];
  /** A personality's base URL (http://127.0.0.1:port). */
  url(p: Personality): string;
  /** The image-prefix mirror's URL, as a catalogue names one (…/docker.io). */
  prefixUrl(): string;
  /** Ends nginx and the registries. */
  stop(): Promise<void>;
}

export interface LabOptions {
  personalities: readonly Personality[];
  /** allow-list: the repository it refuses (default: the second image's). */
  denied?: string;
  /** stale: the repository served from an older build (default: the last image's). */
  staleRepo?: string;
}

const API = 'add_header Docker-Distribution-API-Version registry/2.0 always;';
const json404 = `${API} default_type application/json; return 404 '{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}';`;

/**
 * The lab for the stack of these answers (as a test writes them, before `images:`): each stack image
 * on Docker Hub is crafted (both platforms, real layers), pushed under its name and tag, and pinned
 * in `overrides`; an app on Docker Hub is served too (unpinned, as the plan has it).
 */
export async function startRegistryLab(answers: Record<string, unknown>, o: LabOptions): Promise<RegistryLab> {
  const base = AnswersSchema.parse(answers);
  const stack = serviceImages(base).filter((x) => x.name !== 'app' && x.name !== 'worker');
  const onHub = (ref: string) => parseImageRef(ref).registry === null;
  const todo = [
    ...stack.filter((x) => onHub(x.image)),
    ...(onHub(base.app.image) ? [{ name: 'app', image: base.app.image }] : []),
  ];
  if (todo.length === 0) throw new Error('registry lab: no Docker Hub image to serve');
  const wantStale = o.personalities.includes('stale') || o.personalities.includes('liar');
  const [hub, staleReg] = await Promise.all([
    startDockerRegistry(),
    wantStale ? startDockerRegistry() : Promise.resolve(null),
  ]);
  const repoOf = (ref: string) => {
    const r = parseImageRef(withoutDigest(ref));
    return { repository: r.repository, tag: r.tag ?? 'latest' };
  };
  const denied = o.denied ?? repoOf(todo[Math.min(1, todo.length - 1)]!.image).repository;
  const staleRepo = o.staleRepo ?? repoOf(todo.at(-1)!.image).repository;
  const staleTag = repoOf(todo.find((x) => repoOf(x.image).repository === staleRepo)?.image ?? todo.at(-1)!.image).tag;
  const overrides: Record<string, string> = {};
  const crafted = new Map<string, CraftedImage>();
  for (const x of todo) {
    const { repository, tag } = repoOf(x.image);
    // One build per repository: two tags of one repository share it.
    let c = crafted.get(repository);
    if (!c) crafted.set(repository, (c = craftImage(repository, { largeBytes: 1280 * 1024 })));
    const digest = await pushImage(hub.url, repository, tag, c);
    if (staleReg)
      await pushImage(
        staleReg.url,
        repository,
        tag,
        repository === staleRepo ? craftImage(repository, { seed: 'an older build', largeBytes: 1280 * 1024 }) : c,
      );
    if (x.name !== 'app') overrides[x.name] = `${withoutDigest(x.image)}@${digest}`;
  }
  const images = planHubImages(
    AnswersSchema.parse({ ...answers, images: { ...(answers.images as object | undefined), ...overrides } }),
  );
  const port: Partial<Record<Personality, number>> = {};
  for (const p of o.personalities) port[p] = await freePort();
  const proxy = (upstream: string, extra = '') =>
    `location / { proxy_pass ${upstream}; proxy_set_header Host $http_host; ${extra} }`;
  const body: Record<Exclude<Personality, 'dead'>, () => string> = {
    ok: () => proxy(hub.url),
    // About 200 KB/s after nginx's first-second burst: alive, below the slow threshold.
    slow: () => proxy(hub.url, 'proxy_buffering on; limit_rate 192k;'),
    'allow-list': () =>
      `location ^~ /v2/${denied}/ { ${API} default_type application/json; return 403 '{"errors":[{"code":"DENIED","message":"not on the allow list"}]}'; } ${proxy(hub.url)}`,
    v2only: () =>
      `location = /v2/ { ${API} add_header WWW-Authenticate 'Bearer realm="http://127.0.0.1:${port.v2only}/token",service="registry"' always; default_type application/json; return 401 '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'; } location / { ${json404} }`,
    stale: () => proxy(staleReg!.url),
    // Asked for the pinned digest, it answers the older build's manifest (other bytes): a client must refuse it.
    liar: () =>
      `location ~ ^/v2/${staleRepo}/manifests/sha256: { rewrite ^ /v2/${staleRepo}/manifests/${staleTag} break; proxy_pass ${staleReg!.url}; proxy_set_header Host $http_host; } ${proxy(staleReg!.url)}`,
    e500: () => `location / { default_type text/plain; return 500 'mirror broken\n'; }`,
    prefix: () =>
      `location /v2/docker.io/ { rewrite ^/v2/docker.io/(.*)$ /v2/$1 break; proxy_pass ${hub.url}; } ${proxy(hub.url)}`,
  };
  const served = o.personalities.filter((p): p is Exclude<Personality, 'dead'> => p !== 'dead');
  const nginx = served.length
    ? await startNginx(
        served.map((p) => `  server { listen 127.0.0.1:${port[p]}; ${body[p]()} }`).join('\n'),
        port[served[0]!]!,
      )
    : null;
  const url = (p: Personality) => {
    if (port[p] === undefined) throw new Error(`registry lab: personality ${p} was not started`);
    return `http://127.0.0.1:${port[p]}`;
  };
  return {
    hub,
    overrides,
    images,
    url,
    prefixUrl: () => `${url('prefix')}/docker.io`,
    stop: async () => {
      await Promise.all([nginx?.stop(), hub.stop(), staleReg?.stop()]);
    },
  };
}
