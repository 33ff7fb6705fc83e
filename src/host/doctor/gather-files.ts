// The install's evidence: rendered files against the manifest, the .env secrets, configured mirrors
// and image pulls. Checked by src/domain/doctor/checks-files.ts.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { HOST } from '../../render/paths.js';
import { parseDotenv, secretNames } from '../../domain/secrets.js';
import type { MirrorKind } from '../../domain/mirrors.js';
import type { Gatherers } from './gather.js';

const sha = (t: string) => createHash('sha256').update(t).digest('hex');

/** The registry an image reference pulls from: docker.io unless its first part names a host. */
export function registryOf(ref: string): string {
  const first = ref.split('/')[0]!;
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

export const filesGatherers: Pick<Gatherers, 'mirrors' | 'pull' | 'files' | 'env'> = {
  async mirrors(g) {
    const daemon = await g.daemonMirrors();
    const answers = { ...g.stack.plan.mirrors };
    const byKind = new Map<MirrorKind, string[]>();
    const push = (k: MirrorKind, u: string) => byKind.set(k, [...new Set([...(byKind.get(k) ?? []), u])]);
    for (const u of daemon) push('registry', u);
    for (const [k, u] of Object.entries(answers)) push(k as MirrorKind, u);
    // Registry mirrors on the stack's own images: one that answers /v2/ but refuses or changed an image is no use to a pull (#16.6).
    const results = (await Promise.all([...byKind].map(([k, urls]) => g.mirrorProbe(k, urls, true)))).flat();
    return {
      region: g.stack.plan.region, daemon, answers,
      results: results.map((r) => ({ kind: r.kind, url: r.url, alive: r.alive, latencyMs: r.latencyMs, error: r.error, ...(r.class ? { class: r.class } : {}) })),
    };
  },

  async pull(g) {
    if (!(await g.dockerUp())) return { reachable: false, images: [], endpoints: [] };
    const images = await Promise.all(
      g.stack.plan.services.map(async (s) => {
        const img = await g.ctx.docker.image(s.image).catch(() => null);
        return { service: s.name, ref: s.image, registry: registryOf(s.image), fromRegistry: !!img && img.repoDigests.length > 0, present: !!img };
      }),
    );
    const registries = [...new Set(images.filter((i) => i.fromRegistry || !i.present).map((i) => i.registry))];
    const endpoints: { registry: string; url: string; alive: boolean; error: string | null }[] = [];
    for (const reg of registries) {
      const urls = reg === 'docker.io' ? [...(await g.daemonMirrors()), 'https://registry-1.docker.io'] : [`https://${reg}`];
      const res = await g.mirrorProbe('registry', urls);
      for (const r of res) endpoints.push({ registry: reg, url: r.url, alive: r.alive, error: r.error });
    }
    return { reachable: true, images, endpoints };
  },

  async files(g) {
    const dir = g.stack.installDir;
    const text = await g.readText(join(dir, HOST.manifest));
    let manifest: Record<string, string> | null = null;
    let manifestError: string | null = null;
    if (text === null) manifestError = `${join(dir, HOST.manifest)}: ENOENT`;
    else {
      try {
        manifest = (JSON.parse(text) as { files?: Record<string, string> }).files ?? null;
      } catch (e) {
        manifestError = `${join(dir, HOST.manifest)}: ${(e as Error).message}`;
      }
    }
    const actual: Record<string, string | null> = {};
    const restorable: Record<string, boolean> = {};
    for (const p of Object.keys(manifest ?? {})) {
      const t = await g.readText(join(dir, p));
      actual[p] = t === null ? null : sha(t);
      const rendered = g.stack.files.find((f) => f.path === p);
      const prev = await g.readText(join(dir, '.stack-wizard', 'previous', 'files', p));
      restorable[p] = (!!rendered && sha(rendered.content) === manifest![p]) || (prev !== null && sha(prev) === manifest![p]);
    }
    return { manifest, manifestError, actual, restorable };
  },

  async env(g) {
    const path = join(g.stack.installDir, HOST.env);
    const text = await g.readText(path);
    if (text === null) return { path, exists: false, mode: null, missing: [] };
    const vals = parseDotenv(text);
    return { path, exists: true, mode: await g.ctx.exec.fileMode(path), missing: secretNames(g.stack.plan).filter((k) => !vals[k]) };
  },
};
