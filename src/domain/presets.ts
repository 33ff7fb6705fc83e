// Size presets are data (presets/*.yaml, with a reason beside every number), validated at load.
import { z } from 'zod';
import { parse } from 'yaml';
import p4 from '../../presets/4g.yaml';
import p8 from '../../presets/8g.yaml';
import p16 from '../../presets/16g.yaml';

const mib = z.number().int().positive();
const kib = z.number().int().positive();
const share = z.number().gt(0).lt(1);

export const PresetSchema = z.strictObject({
  id: z.enum(['4g', '8g', '16g']),
  title: z.strictObject({ en: z.string(), 'zh-CN': z.string() }),
  /** The most RAM this preset plans for; a host with more still gets this size. */
  planMiB: mib,
  /** The least RAM of a VM sold at this size; between this and planMiB the plan uses the measured RAM. */
  minHostMiB: mib,
  fixedMiB: z.strictObject({
    nginx: mib, rabbitmq: mib, minio: mib, 'node-exporter': mib, prometheus: mib, grafana: mib,
  }),
  shares: z.strictObject({ mysql: mib, app: mib, redis: mib, worker: mib }),
  mysql: z.strictObject({
    bufferPoolShare: share,
    maxConnections: z.number().int().min(10),
    sortBufferKiB: kib, joinBufferKiB: kib, readBufferKiB: kib, readRndBufferKiB: kib,
    tmpTableMiB: mib,
    logBufferMiB: mib,
    performanceSchema: z.boolean(),
    slowQueryMs: z.number().int().min(1),
    binlogExpireDays: z.number().int().min(1),
  }),
  redis: z.strictObject({ maxmemoryShare: share }),
  app: z.strictObject({
    workerMiB: z.strictObject({ 'python-asgi': mib, 'python-wsgi': mib, node: mib, generic: mib }),
    maxWorkers: z.number().int().min(1),
    jvmHeapShare: share,
  }),
  nginx: z.strictObject({ workerConnections: z.number().int().min(512) }),
  logs: z.strictObject({ maxSizeMiB: mib, maxFiles: z.number().int().min(1) }),
});
export type Preset = z.output<typeof PresetSchema>;
export type PresetId = Preset['id'];

function load(name: string, text: string): Preset {
  const r = PresetSchema.safeParse(parse(text));
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`presets/${name}.yaml: ${i.path.join('.')}: ${i.message}`);
  }
  if (r.data.minHostMiB > r.data.planMiB) throw new Error(`presets/${name}.yaml: minHostMiB is above planMiB`);
  return r.data;
}

export const PRESET_IDS: readonly PresetId[] = ['4g', '8g', '16g'];
const TEXTS: Readonly<Record<PresetId, string>> = { '4g': p4, '8g': p8, '16g': p16 };
const loaded: Partial<Record<PresetId, Preset>> = {};
// Parsed on first use, not at load: YAML and zod on a cold start cost ~30 ms of the wizard's
// first frame, which never needs a preset.
export const PRESETS: Readonly<Record<PresetId, Preset>> = Object.defineProperties(
  {} as Record<PresetId, Preset>,
  Object.fromEntries(PRESET_IDS.map((id) => [id, { enumerable: true, get: () => (loaded[id] ??= load(id, TEXTS[id])) }])),
);
