// What is really running for a stack: each compose service's container, health, uptime, image,
// published ports and resource use against its limits. Read-only; `status` and the UI show it.
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Context } from '../context.js';
import { installedStacks, type RegistryEntry } from './installed.js';
import { loadAnswers } from './prepare.js';
import { defaultInstallDir } from '../domain/plan.js';
import { HOST } from '../render/paths.js';
import { usageError, hostError } from '../errors.js';
import { parseMeminfo } from '../host/probe.js';

export interface ServiceStatus {
  service: string;
  container: string | null;
  containerId: string | null;
  /** running | restarting | exited | … ; `missing` when the compose file has the service and no container exists. */
  state: string;
  /** healthy | unhealthy | starting | none (no healthcheck) */
  health: string;
  startedAt: string | null;
  uptimeSeconds: number | null;
  restarts: number;
  image: string | null;
  imageId: string | null;
  /** `repo@sha256:…` as pulled from a registry; null for an image built or loaded locally. */
  digest: string | null;
  ports: { hostIp: string; hostPort: number; containerPort: number; protocol: string }[];
  memory: { usedBytes: number | null; limitBytes: number | null; percent: number | null };
  cpu: { percent: number | null; limitCpus: number | null };
}

export interface StackStatus {
  project: string;
  installDir: string;
  checkedAt: string;
  /** True when every service of the compose file runs and none is unhealthy or starting. */
  healthy: boolean;
  services: ServiceStatus[];
  /** The host's RAM (MemTotal), what the memory bars are drawn inside; null when it could not be read. */
  hostRamBytes?: number | null;
}

export interface StackRef { project: string; installDir: string }

/** The stack a command acts on: from --answers, else the one init recorded (or the one named). */
export async function findStack(ctx: Context, o: { answersFile?: string; project?: string }): Promise<StackRef> {
  if (o.answersFile) {
    const a = await loadAnswers(ctx, o.answersFile);
    return { project: a.project, installDir: a.installDir ?? defaultInstallDir(a.project) };
  }
  const all: RegistryEntry[] = await installedStacks(ctx);
  const pick = o.project ? all.filter((e) => e.project === o.project) : all;
  if (pick.length === 1) return { project: pick[0]!.project, installDir: pick[0]!.installDir };
  if (pick.length === 0) throw usageError(o.project ? 'err.stackUnknown' : 'err.noStack', { project: o.project ?? '', known: all.map((e) => e.project).join(', ') || '-', flag: o.project ? '--project' : '--answers' });
  throw usageError('err.severalStacks', { names: pick.map((e) => e.project).join(', ') });
}

/** Service names of the compose file as written, in file order. */
async function composeServices(ctx: Context, dir: string): Promise<string[]> {
  const text = await ctx.exec.readFile(join(dir, HOST.compose));
  if (text === null) throw hostError('err.noComposeFile', { file: join(dir, HOST.compose) });
  const doc = parse(text) as { services?: Record<string, unknown> } | null;
  return Object.keys(doc?.services ?? {});
}

export async function stackStatus(ctx: Context, ref: StackRef): Promise<StackStatus> {
  const names = await composeServices(ctx, ref.installDir);
  const why = await ctx.docker.unreachable();
  if (why) throw hostError('err.dockerUnreachable', { reason: why });
  const cs = await ctx.docker.projectContainers(ref.project);
  const now = ctx.clock();
  const all = [...names, ...cs.map((c) => c.service ?? c.name).filter((n) => !names.includes(n))];
  const services = await Promise.all(
    [...new Set(all)].map(async (name): Promise<ServiceStatus> => {
      const c = cs.find((x) => (x.service ?? x.name) === name && x.state === 'running') ?? cs.find((x) => (x.service ?? x.name) === name);
      if (!c) {
        return {
          service: name, container: null, containerId: null, state: 'missing', health: 'none', startedAt: null, uptimeSeconds: null, restarts: 0,
          image: null, imageId: null, digest: null, ports: [], memory: { usedBytes: null, limitBytes: null, percent: null }, cpu: { percent: null, limitCpus: null },
        };
      }
      const [img, use] = await Promise.all([ctx.docker.image(c.imageId).catch(() => null), c.state === 'running' ? ctx.docker.usage(c.id) : null]);
      const limit = c.memoryLimitBytes ?? use?.memoryLimitBytes ?? null;
      const used = use?.memoryBytes ?? null;
      const repo = c.image.split('@')[0]!.replace(/:[^:/]+$/, '');
      const digest = img?.repoDigests.find((d) => d.startsWith(`${repo}@`)) ?? img?.repoDigests[0] ?? null;
      return {
        service: name,
        container: c.name,
        containerId: c.id,
        state: c.state,
        health: c.health ?? 'none',
        startedAt: c.state === 'running' ? c.startedAt : null,
        uptimeSeconds: c.state === 'running' && c.startedAt ? Math.max(0, Math.round((now.getTime() - Date.parse(c.startedAt)) / 1000)) : null,
        restarts: c.restartCount,
        image: c.image,
        imageId: c.imageId,
        digest,
        ports: c.ports,
        memory: { usedBytes: used, limitBytes: limit, percent: used !== null && limit ? Math.round((used / limit) * 1000) / 10 : null },
        cpu: { percent: use?.cpuPercent ?? null, limitCpus: c.nanoCpus ? c.nanoCpus / 1e9 : null },
      };
    }),
  );
  const healthy = services.filter((x) => names.includes(x.service)).every((x) => x.state === 'running' && (x.health === 'healthy' || x.health === 'none'));
  const mem = parseMeminfo((await ctx.exec.readFile('/proc/meminfo').catch(() => null)) ?? '');
  return { project: ref.project, installDir: ref.installDir, checkedAt: now.toISOString(), healthy, services, hostRamBytes: mem.MemTotal ?? null };
}
