// The Docker engine's evidence: the daemon, its disk use and container logs, the compose file, and
// every service's container. Checked by src/domain/doctor/checks-docker.ts.
import { join } from 'node:path';
import { HOST } from '../../render/paths.js';
import type { ContainerEvidence, ServiceEvidence } from '../../domain/doctor/checks-docker.js';
import { composeArgs, lines, type Gatherers, type Inspected } from './gather.js';

/** Docker's human sizes ("869.2MB", "1.2GB", "0B"): decimal units. */
export function dockerSize(s: string | undefined): number {
  const m = /^([\d.]+)\s*([kKMGT]?B)?/.exec((s ?? '').trim());
  if (!m) return 0;
  const mult: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };
  return Math.round(Number(m[1]) * (mult[m[2] ?? 'B'] ?? 1));
}

export const dockerGatherers: Pick<Gatherers, 'docker' | 'dockerSpace' | 'dockerLogs' | 'compose' | 'services'> = {
  async docker(g) {
    const installed = g.stack.facts.docker.installed || (await g.ctx.exec.exists('/usr/bin/docker'));
    const unreachable = (await g.dockerUp()) ? null : await g.ctx.docker.unreachable().catch((e: Error) => e.message);
    const unit = await g.unitActive('docker');
    const journal = unreachable && unit !== null ? await g.journal(['-u', 'docker'], 15) : [];
    let version = g.stack.facts.docker.version;
    if (!unreachable) {
      const r = await g.q('docker', ['version', '--format', '{{.Server.Version}}'], 5000);
      if (r.exitCode === 0) version = r.stdout.trim();
    }
    return { installed, unreachable: unreachable ?? null, version, unit, journal };
  },

  async dockerSpace(g) {
    const empty = { reachable: false, images: null, buildCacheBytes: 0, volumesBytes: 0, dangling: { count: 0, bytes: 0 }, fsTotalBytes: null };
    if (!(await g.dockerUp())) return empty;
    const df = await g.q('docker', ['system', 'df', '--format', '{{json .}}'], 30_000);
    const rows = lines(df.stdout).map((l) => {
      try {
        return JSON.parse(l) as { Type: string; TotalCount: string; Size: string; Reclaimable: string };
      } catch {
        return null;
      }
    }).filter((x): x is { Type: string; TotalCount: string; Size: string; Reclaimable: string } => x !== null);
    const row = (t: string) => rows.find((r) => r.Type === t);
    const ids = lines((await g.q('docker', ['image', 'ls', '-q', '--no-trunc', '-f', 'dangling=true'])).stdout);
    let bytes = 0;
    if (ids.length) {
      const r = await g.q('docker', ['image', 'inspect', '--format', '{{.Size}}', ...ids]);
      bytes = lines(r.stdout).reduce((n, l) => n + (Number(l) || 0), 0);
    }
    const root = await g.dockerRoot();
    const fs = root ? await g.fsUse(root) : null;
    const img = row('Images');
    return {
      reachable: true,
      images: img ? { count: Number(img.TotalCount) || 0, sizeBytes: dockerSize(img.Size), reclaimableBytes: dockerSize(img.Reclaimable) } : null,
      buildCacheBytes: dockerSize(row('Build Cache')?.Size),
      volumesBytes: dockerSize(row('Local Volumes')?.Size),
      dangling: { count: ids.length, bytes },
      fsTotalBytes: fs?.totalBytes || null,
    };
  },

  async dockerLogs(g) {
    if (!(await g.dockerUp())) return { reachable: false, containers: [] };
    const ids = lines((await g.q('docker', ['ps', '-aq', '--no-trunc'])).stdout);
    if (ids.length === 0) return { reachable: true, containers: [] };
    let all: Inspected[] = [];
    try {
      all = JSON.parse((await g.q('docker', ['inspect', ...ids], 20_000)).stdout) as Inspected[];
    } catch {
      all = [];
    }
    const paths = all.map((c) => c.LogPath).filter(Boolean);
    const sizes = new Map<string, number>();
    if (paths.length) {
      const r = await g.q('stat', ['-c', '%s %n', ...paths]);
      for (const l of lines(r.stdout)) {
        const i = l.indexOf(' ');
        sizes.set(l.slice(i + 1), Number(l.slice(0, i)));
      }
    }
    return {
      reachable: true,
      containers: all.map((c) => ({
        service: c.Config.Labels?.['com.docker.compose.service'] ?? null,
        name: c.Name.replace(/^\//, ''),
        logPath: c.LogPath || null,
        sizeBytes: c.LogPath ? (sizes.get(c.LogPath) ?? null) : null,
        driver: c.HostConfig.LogConfig?.Type ?? '?',
        maxSize: c.HostConfig.LogConfig?.Config?.['max-size'] ?? null,
      })),
    };
  },

  async compose(g) {
    const file = join(g.stack.installDir, HOST.compose);
    if (!(await g.ctx.exec.exists(file))) return { composeFile: file, exists: false, exitCode: null, output: [] };
    const r = await g.q('docker', [...composeArgs(g.stack), 'config', '--quiet'], 30_000);
    if (r.exitCode === 127 || /is not a docker command|unknown command/i.test(r.stderr)) return { composeFile: file, exists: true, exitCode: null, output: [] };
    return { composeFile: file, exists: true, exitCode: r.exitCode, output: lines(g.ctx.exec.redact(`${r.stdout}\n${r.stderr}`)) };
  },

  async services(g) {
    if (!(await g.dockerUp())) return { reachable: false, services: [] };
    const applied = await g.readText(join(g.stack.installDir, '.stack-wizard', 'applied.json'));
    let healthy: Record<string, { imageId?: string }> = {};
    try {
      healthy = applied ? ((JSON.parse(applied) as { services?: Record<string, { imageId?: string }> }).services ?? {}) : {};
    } catch {
      healthy = {};
    }
    const defs = await g.composeServices();
    const services: ServiceEvidence[] = await Promise.all(
      defs.map(async (d): Promise<ServiceEvidence> => {
        const c = await g.container(d.name);
        if (!c) return { name: d.name, container: null, logs: [], dependsOn: d.dependsOn, healthyImageId: healthy[d.name]?.imageId ?? null, memory: null };
        const h = c.State.Health;
        const last = h?.Log?.[h.Log.length - 1];
        const ce: ContainerEvidence = {
          id: c.Id,
          name: c.Name.replace(/^\//, ''),
          state: c.State.Status,
          health: (h?.Status as ContainerEvidence['health']) ?? null,
          healthLog: last ? g.ctx.exec.redact(String(last.Output ?? '').trim()) : null,
          exitCode: c.State.ExitCode,
          error: c.State.Error || null,
          oomKilled: c.State.OOMKilled,
          restartCount: c.RestartCount,
          startedAt: c.State.StartedAt || null,
          finishedAt: c.State.FinishedAt || null,
          image: c.Config.Image,
          imageId: c.Image,
        };
        const [logs, use] = await Promise.all([g.logs(c.Id, 60, c.State.StartedAt), c.State.Status === 'running' ? g.usage(c.Id) : null]);
        return {
          name: d.name,
          container: ce,
          logs,
          dependsOn: d.dependsOn,
          healthyImageId: healthy[d.name]?.imageId ?? null,
          memory: use ? { usedBytes: use.memoryBytes, limitBytes: c.HostConfig.Memory || use.memoryLimitBytes } : null,
        };
      }),
    );
    return { reachable: true, services };
  },
};
