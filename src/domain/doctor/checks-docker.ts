// Docker checks: the engine, its disk use, container log sizes, the compose file; then every
// service's container: running, healthy, restart loops, OOM kills, their last log lines. Pure.
import { EOL_WARN_DAYS, versionRows, type VersionRow } from '../version-check.js';
import { fmtAge, fmtBytes, msg, okFinding, pct, type CheckDef, type Finding, type Fix, type Line } from './types.js';
import { ONE_SHOT_SERVICES } from '../services.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

// ---------------------------------------------------------------- engine

export interface DockerEvidence {
  installed: boolean;
  /** null when the engine answers, else why not (ECONNREFUSED, ENOENT …). */
  unreachable: string | null;
  version: string | null;
  /** systemctl is-active docker; null without systemd. */
  unit: string | null;
  /** The engine's last journal lines when it is down. */
  journal: string[];
}

export const dockerCheck: CheckDef<DockerEvidence> = {
  id: 'docker',
  label: 'doc.check.docker',
  symptoms: ['down', 'bad-gateway', 'pull', 'disk', 'slow'],
  evaluate(e) {
    if (!e.installed) {
      return [{ id: 'docker.daemon', check: 'docker', severity: 'error', title: msg('doc.docker.missing'), explain: msg('doc.docker.explain'), evidence: [], fix: { auto: false, steps: [msg('doc.docker.fix.install')] }, causedBy: [] }];
    }
    if (!e.unreachable) return [okFinding('docker', 'docker.daemon', 'doc.docker.ok', [msg('doc.docker.ev.version', { version: e.version ?? '?' })])];
    const ev: Line[] = [msg('doc.docker.ev.unreachable', { reason: e.unreachable, unit: e.unit ?? '-' }), ...e.journal.slice(-8)];
    const fix: Fix = e.unit !== null ? { auto: true, action: { kind: 'docker-restart' }, notes: [msg('doc.docker.fix.note')] } : { auto: false, steps: [msg('doc.docker.fix.manual')] };
    return [{ id: 'docker.daemon', check: 'docker', severity: 'error', title: msg('doc.docker.down'), explain: msg('doc.docker.explain'), evidence: ev, fix, causedBy: [] }];
  },
};

// ---------------------------------------------------------------- Docker's disk use

export interface DockerSpaceEvidence {
  reachable: boolean;
  /** `docker system df`: bytes per type. */
  images: { count: number; sizeBytes: number; reclaimableBytes: number } | null;
  buildCacheBytes: number;
  volumesBytes: number;
  /** Untagged images (`docker images -f dangling=true`): what `docker image prune` removes. */
  dangling: { count: number; bytes: number };
  /** The filesystem Docker's data root is on. */
  fsTotalBytes: number | null;
}

export const dockerSpaceCheck: CheckDef<DockerSpaceEvidence> = {
  id: 'docker-space',
  label: 'doc.check.dockerSpace',
  symptoms: ['disk', 'pull'],
  evaluate(e) {
    if (!e.reachable) return [{ ...okFinding('docker-space', 'docker.space', 'doc.skipped.docker'), severity: 'info', hints: { signals: ['docker-down'] } }];
    const junk = e.dangling.bytes + e.buildCacheBytes;
    const ev: Line[] = [
      msg('doc.dockerSpace.ev.images', { count: e.images?.count ?? 0, size: fmtBytes(e.images?.sizeBytes ?? 0), reclaim: fmtBytes(e.images?.reclaimableBytes ?? 0) }),
      msg('doc.dockerSpace.ev.dangling', { count: e.dangling.count, size: fmtBytes(e.dangling.bytes) }),
      msg('doc.dockerSpace.ev.cache', { size: fmtBytes(e.buildCacheBytes) }),
      msg('doc.dockerSpace.ev.volumes', { size: fmtBytes(e.volumesBytes) }),
    ];
    // Leftovers of updates and builds: worth removing once they pass 1 GiB or a tenth of the disk.
    const big = junk >= 1 * GiB || (e.fsTotalBytes !== null && junk >= e.fsTotalBytes * 0.1 && junk >= 64 * MiB);
    if (!big) return [okFinding('docker-space', 'docker.space', 'doc.dockerSpace.ok', ev)];
    return [{
      id: 'docker.space',
      check: 'docker-space',
      severity: 'warn',
      title: msg('doc.dockerSpace.title', { size: fmtBytes(junk) }),
      explain: msg('doc.dockerSpace.explain'),
      evidence: ev,
      fix: { auto: true, action: { kind: 'docker-prune' }, notes: [msg('doc.dockerSpace.fix.note')] },
      causedBy: [],
    }];
  },
};

// ---------------------------------------------------------------- container logs

export interface DockerLogsEvidence {
  reachable: boolean;
  containers: { service: string | null; name: string; logPath: string | null; sizeBytes: number | null; driver: string; maxSize: string | null }[];
}

/** A json-file log larger than this is worth truncating (the rendered stack caps them at 10–50 MiB × files). */
export const BIG_LOG_BYTES = 256 * MiB;

export const dockerLogsCheck: CheckDef<DockerLogsEvidence> = {
  id: 'docker-logs',
  label: 'doc.check.dockerLogs',
  symptoms: ['disk', 'slow'],
  evaluate(e) {
    if (!e.reachable) return [{ ...okFinding('docker-logs', 'docker.logs', 'doc.skipped.docker'), severity: 'info', hints: { signals: ['docker-down'] } }];
    const sized = e.containers.filter((c) => c.sizeBytes !== null).sort((a, b) => (b.sizeBytes ?? 0) - (a.sizeBytes ?? 0));
    const ev: Line[] = sized.slice(0, 6).map((c) => `${c.name}: ${fmtBytes(c.sizeBytes)} (${c.driver}${c.maxSize ? `, max-size ${c.maxSize}` : ''})`);
    const big = sized.filter((c) => (c.sizeBytes ?? 0) >= BIG_LOG_BYTES && c.logPath);
    const unbounded = e.containers.filter((c) => c.driver === 'json-file' && !c.maxSize);
    if (big.length === 0 && unbounded.length === 0) return [okFinding('docker-logs', 'docker.logs', 'doc.dockerLogs.ok', ev)];
    if (unbounded.length) ev.push(msg('doc.dockerLogs.ev.unbounded', { names: unbounded.map((c) => c.name).join(', ') }));
    const fix: Fix = big.length
      ? { auto: true, action: { kind: 'truncate-logs', files: big.map((c) => c.logPath!) }, notes: [msg('doc.dockerLogs.fix.rotate')] }
      : { auto: false, steps: [msg('doc.dockerLogs.fix.rotate'), msg('doc.dockerLogs.fix.recreate')] };
    return [{
      id: 'docker.logs',
      check: 'docker-logs',
      severity: big.some((c) => (c.sizeBytes ?? 0) >= 2 * GiB) ? 'error' : 'warn',
      title: big.length ? msg('doc.dockerLogs.title', { names: big.map((c) => c.name).join(', '), size: fmtBytes(big.reduce((n, c) => n + (c.sizeBytes ?? 0), 0)) }) : msg('doc.dockerLogs.unboundedTitle', { count: unbounded.length }),
      explain: msg('doc.dockerLogs.explain'),
      evidence: ev,
      fix,
      causedBy: [],
    }];
  },
};

// ---------------------------------------------------------------- compose file

export interface ComposeEvidence {
  composeFile: string;
  exists: boolean;
  /** `docker compose config --quiet`: null when it could not run (no compose). */
  exitCode: number | null;
  output: string[];
}

export const composeCheck: CheckDef<ComposeEvidence> = {
  id: 'compose',
  label: 'doc.check.compose',
  symptoms: ['down', 'bad-gateway'],
  evaluate(e) {
    if (!e.exists) {
      return [{ id: 'compose.config', check: 'compose', severity: 'error', title: msg('doc.compose.missing', { file: e.composeFile }), explain: msg('doc.compose.explain'), evidence: [], fix: { auto: true, action: { kind: 'restore-files', paths: ['docker-compose.yml'] }, notes: [] }, causedBy: [], hints: { files: ['docker-compose.yml'] } }];
    }
    if (e.exitCode === null) return [{ ...okFinding('compose', 'compose.config', 'doc.compose.noCompose'), severity: 'info' }];
    if (e.exitCode === 0) return [okFinding('compose', 'compose.config', 'doc.compose.ok', [e.composeFile])];
    return [{
      id: 'compose.config',
      check: 'compose',
      severity: 'error',
      title: msg('doc.compose.invalid', { file: e.composeFile }),
      explain: msg('doc.compose.explain'),
      evidence: e.output.slice(-6),
      fix: { auto: false, steps: [msg('doc.compose.fix.read'), msg('doc.compose.fix.rerender')] },
      causedBy: [],
      hints: { files: ['docker-compose.yml', '.env'] },
    }];
  },
};

// ---------------------------------------------------------------- services

export interface ContainerEvidence {
  id: string;
  name: string;
  /** running | restarting | exited | created | dead | paused */
  state: string;
  health: 'healthy' | 'unhealthy' | 'starting' | null;
  /** The last healthcheck's output. */
  healthLog: string | null;
  exitCode: number;
  /** The Engine's own error (it could not start the container). */
  error: string | null;
  oomKilled: boolean;
  restartCount: number;
  startedAt: string | null;
  finishedAt: string | null;
  image: string;
  imageId: string;
}

export interface ServiceEvidence {
  name: string;
  container: ContainerEvidence | null;
  /** The container's last log lines (redacted). */
  logs: string[];
  /** depends_on of the compose file. */
  dependsOn: string[];
  /** The image ID this service last ran healthy with (from the last successful apply). */
  healthyImageId: string | null;
  /** Memory use and limit now, when running. */
  memory: { usedBytes: number | null; limitBytes: number | null } | null;
}

export interface ServicesEvidence {
  reachable: boolean;
  services: ServiceEvidence[];
}

const ERROR_LINE = /\b(error|fatal|emerg|crit|panic|exception|traceback|denied|refused|failed|killed|no space|cannot|can't|unable)\b/i;

/** What the logs say about the cause, for the linker. */
export function logSignals(lines: readonly string[], extra: string[] = []): string[] {
  const s = new Set<string>();
  const text = [...lines, ...extra].join('\n');
  if (/No space left on device|ENOSPC|Errcode: 28|errno: 28|error 28|\bdisk full\b|MISCONF/i.test(text)) s.add('enospc');
  if (/Out of memory|Cannot allocate memory|OOM command not allowed|MemoryError|JavaScript heap out of memory/i.test(text)) s.add('oom');
  if (/\[emerg\]/.test(text)) s.add('emerg');
  if (/address already in use|bind\(\) to .* failed \(98/i.test(text)) s.add('addr-in-use');
  if (/Temporary failure in name resolution|Name or service not known|getaddrinfo|ENOTFOUND|EAI_AGAIN/i.test(text)) s.add('dns');
  return [...s];
}

/** A log line without its own leading timestamp, to see repeats of one message. */
const withoutTime = (l: string) => l.replace(/^\[?\d{4}[-/]\d\d[-/]\d\d[ T]+\d{1,2}:\d\d:\d\d(?:[.,]\d+)?Z?\]?\s*/, '');

/** The lines worth showing: errors first (the last few), else the tail; a repeated message once, with its count. */
export function importantLines(lines: readonly string[], n = 6): string[] {
  const clean = lines.map((l) => l.replace(/\s+$/, '')).filter((l) => l.trim() !== '');
  const errs = clean.filter((l) => ERROR_LINE.test(l));
  const src = errs.length ? errs : clean;
  const out: { line: string; key: string; count: number }[] = [];
  for (const l of src) {
    const key = withoutTime(l).replace(/\b\d+#\d+: (\*\d+ )?/, '');
    const prev = out.find((x) => x.key === key);
    if (prev) {
      prev.count++;
      prev.line = l;
      out.push(...out.splice(out.indexOf(prev), 1));
    } else out.push({ line: l, key, count: 1 });
  }
  return out.slice(-n).map((x) => {
    const l = x.line.length > 300 ? `${x.line.slice(0, 297)}...` : x.line;
    return x.count > 1 ? `${l} (×${x.count})` : l;
  });
}

const ago = (iso: string | null, now: Date) => (iso && !iso.startsWith('0001-') ? fmtAge((now.getTime() - Date.parse(iso)) / 1000) : '?');

function stateLine(c: ContainerEvidence, now: Date): Line {
  if (c.state === 'running') {
    return msg('doc.svc.ev.running', { since: ago(c.startedAt, now), health: c.health ?? '-', restarts: c.restartCount });
  }
  return msg('doc.svc.ev.stopped', { state: c.state, code: c.exitCode, since: ago(c.finishedAt, now), restarts: c.restartCount });
}

function serviceFinding(s: ServiceEvidence, now: Date): Finding {
  const id = `service.${s.name}`;
  const c = s.container;
  const base = { id, check: 'services', causedBy: [] as string[] };
  if (!c) {
    return {
      ...base, severity: 'error', title: msg('doc.svc.missing', { service: s.name }), explain: msg('doc.svc.missingExplain'), evidence: [],
      fix: { auto: true, action: { kind: 'compose-up', services: [s.name] }, notes: [] }, hints: { service: s.name, serviceDown: true, needs: s.dependsOn },
    };
  }
  // Caught in the moment between two crashes of a restart loop: up for seconds after several restarts.
  const upSeconds = c.startedAt && !c.startedAt.startsWith('0001-') ? (now.getTime() - Date.parse(c.startedAt)) / 1000 : null;
  const betweenCrashes = c.state === 'running' && c.health !== 'healthy' && c.restartCount >= 2 && upSeconds !== null && upSeconds < 60;
  const evidence: Line[] = [stateLine(c, now)];
  if (c.error) evidence.push(msg('doc.svc.ev.engineError', { error: c.error }));
  if (c.healthLog && c.health !== 'healthy') evidence.push(msg('doc.svc.ev.health', { output: c.healthLog.split('\n').slice(-3).join(' | ') }));
  const lines = importantLines(s.logs);
  if (lines.length && (c.state !== 'running' || c.health === 'unhealthy' || betweenCrashes)) evidence.push(msg('doc.svc.ev.logs'), ...lines.map((l) => `  ${l}`));
  const signals = logSignals(s.logs, [c.error ?? '', c.healthLog ?? '']);
  if (c.oomKilled) signals.push('oom');
  const hints = { service: s.name, serviceDown: true, needs: s.dependsOn, signals };

  if (ONE_SHOT_SERVICES.includes(s.name) && c.state === 'exited' && c.exitCode === 0 && !c.oomKilled) {
    return { ...okFinding('services', id, 'doc.svc.oneShotDone', [stateLine(c, now)], { service: s.name }), hints: { service: s.name } };
  }
  if (c.state === 'running' && (c.health === 'healthy' || c.health === null) && !betweenCrashes) {
    return { ...okFinding('services', id, 'doc.svc.ok', [stateLine(c, now)], { service: s.name }), hints: { service: s.name } };
  }
  if (c.state === 'running' && c.health === 'starting' && !betweenCrashes) {
    return { ...base, severity: 'info', title: msg('doc.svc.starting', { service: s.name }), evidence, fix: null, hints: { service: s.name } };
  }
  // A new image under the same tag that does not work: the last healthy one is still here.
  const rollback: Fix | null =
    s.healthyImageId && s.healthyImageId !== c.imageId
      ? { auto: true, action: { kind: 'rollback-image', service: s.name, image: c.image, imageId: s.healthyImageId }, notes: [msg('doc.svc.fix.rollbackNote', { image: c.image, id: s.healthyImageId.replace(/^sha256:/, '').slice(0, 12) })] }
      : null;
  if (c.state === 'running' && c.health === 'unhealthy') {
    return {
      ...base, severity: 'error', title: msg('doc.svc.unhealthy', { service: s.name }), explain: msg('doc.svc.unhealthyExplain'), evidence,
      fix: rollback ?? { auto: true, action: { kind: 'restart-service', service: s.name }, notes: [msg('doc.svc.fix.restartNote')] },
      hints,
    };
  }
  const looping = c.state === 'restarting' || betweenCrashes || (c.restartCount >= 3 && c.state !== 'exited');
  if (looping) {
    return {
      ...base, severity: 'error', // Between two crashes Docker reports the running attempt's exit code (0), not the last crash's.
      title: msg(c.oomKilled ? 'doc.svc.loopOom' : betweenCrashes ? 'doc.svc.loopUp' : 'doc.svc.loop', { service: s.name, code: c.exitCode, restarts: c.restartCount }),
      explain: msg(c.oomKilled ? 'doc.svc.oomExplain' : 'doc.svc.loopExplain'), evidence,
      fix: rollback ?? { auto: false, steps: [msg('doc.svc.fix.logs', { service: s.name }), msg(s.name === 'app' ? 'doc.svc.fix.appImage' : 'doc.svc.fix.config', { service: s.name })] },
      hints,
    };
  }
  // Exit 0 or 143 (SIGTERM) without a restart: someone stopped it (docker stop, compose stop).
  const stopped = (c.exitCode === 0 || c.exitCode === 143) && !c.oomKilled && c.state === 'exited';
  return {
    ...base,
    severity: 'error',
    title: msg(stopped ? 'doc.svc.stopped' : c.oomKilled ? 'doc.svc.oomKilled' : c.state === 'created' ? 'doc.svc.notStarted' : 'doc.svc.crashed', { service: s.name, code: c.exitCode }),
    explain: msg(stopped ? 'doc.svc.stoppedExplain' : c.oomKilled ? 'doc.svc.oomExplain' : c.state === 'created' ? 'doc.svc.notStartedExplain' : 'doc.svc.crashedExplain'),
    evidence,
    fix: rollback && !stopped ? rollback : { auto: true, action: { kind: 'compose-up', services: [s.name] }, notes: [] },
    hints,
  };
}

export const servicesCheck: CheckDef<ServicesEvidence> = {
  id: 'services',
  label: 'doc.check.services',
  symptoms: ['down', 'bad-gateway', 'slow', 'disk', 'tls'],
  evaluate(e, now) {
    if (!e.reachable) {
      return [{ id: 'services', check: 'services', severity: 'error', title: msg('doc.svc.blind'), evidence: [], fix: null, causedBy: [], hints: { signals: ['docker-down'] } }];
    }
    return e.services.map((s) => serviceFinding(s, now));
  },
};

export const restartsCheck: CheckDef<ServicesEvidence> = {
  id: 'restarts',
  label: 'doc.check.restarts',
  symptoms: ['down', 'bad-gateway', 'slow'],
  evaluate(e, now) {
    if (!e.reachable) return [{ ...okFinding('restarts', 'restarts', 'doc.skipped.docker'), severity: 'info', hints: { signals: ['docker-down'] } }];
    // Up now, but it crashed and was restarted by Docker: the crash may come back.
    const flapping = e.services.filter((s) => s.container && s.container.state === 'running' && s.container.restartCount > 0);
    if (flapping.length === 0) return [okFinding('restarts', 'restarts', 'doc.restarts.ok')];
    return flapping.map((s) => {
      const c = s.container!;
      return {
        id: `restarts.${s.name}`,
        check: 'restarts',
        severity: c.restartCount >= 3 ? 'warn' : 'info',
        title: msg('doc.restarts.title', { service: s.name, count: c.restartCount }),
        explain: msg('doc.restarts.explain'),
        evidence: [stateLine(c, now), ...importantLines(s.logs, 4).map((l) => `  ${l}`)],
        fix: { auto: false, steps: [msg('doc.svc.fix.logs', { service: s.name }), msg('doc.restarts.fix.oom')] },
        causedBy: [],
        hints: { service: s.name, signals: logSignals(s.logs, c.oomKilled ? ['Out of memory'] : []) },
      } satisfies Finding;
    });
  },
};

export const oomContainersCheck: CheckDef<ServicesEvidence> = {
  id: 'oom-containers',
  label: 'doc.check.oomContainers',
  symptoms: ['down', 'slow'],
  evaluate(e) {
    if (!e.reachable) return [{ ...okFinding('oom-containers', 'oom.containers', 'doc.skipped.docker'), severity: 'info', hints: { signals: ['docker-down'] } }];
    const out: Finding[] = [];
    for (const s of e.services) {
      const c = s.container;
      if (!c) continue;
      const m = s.memory;
      const usePct = m?.usedBytes && m.limitBytes ? pct(m.usedBytes, m.limitBytes) : null;
      const ev: Line[] = m?.usedBytes ? [msg('doc.oomc.ev.use', { used: fmtBytes(m.usedBytes), limit: m.limitBytes ? fmtBytes(m.limitBytes) : '∞', pct: usePct ?? '-' })] : [];
      if (c.oomKilled) {
        out.push({
          id: `oom.${s.name}`, check: 'oom-containers', severity: 'error', title: msg('doc.oomc.killed', { service: s.name }), explain: msg('doc.oomc.explain'), evidence: ev,
          fix: { auto: false, steps: [msg(s.name === 'mysql' ? 'doc.oomc.fix.mysql' : s.name === 'redis' ? 'doc.oomc.fix.redis' : 'doc.oomc.fix.app'), msg('doc.memory.fix.preset')] },
          causedBy: [], hints: { service: s.name },
        });
      } else if (usePct !== null && usePct >= 90) {
        // At 90 % of its limit the next spike (a big query, an upload) gets it killed.
        out.push({
          id: `oom.${s.name}`, check: 'oom-containers', severity: 'warn', title: msg('doc.oomc.near', { service: s.name, pct: usePct }), explain: msg('doc.oomc.explain'), evidence: ev,
          fix: { auto: false, steps: [msg(s.name === 'mysql' ? 'doc.oomc.fix.mysql' : s.name === 'redis' ? 'doc.oomc.fix.redis' : 'doc.oomc.fix.app'), msg('doc.memory.fix.preset')] },
          causedBy: [], hints: { service: s.name },
        });
      }
    }
    return out.length ? out : [okFinding('oom-containers', 'oom.containers', 'doc.oomc.ok')];
  },
};

// ---------------------------------------------------------------- versions (end of life)
// The series in use against the versions data (src/domain/releases.ts): past its end of life an
// error, within EOL_WARN_DAYS a warning. Today is doctor's clock (every check's `now`).

function eolFinding(r: VersionRow): Finding {
  const ended = r.eol.state === 'ended';
  const params = { service: r.service, product: r.product ?? '?', series: r.series ?? '?', eol: r.eol.eol ?? '?', days: Math.abs(r.eol.daysLeft ?? 0), window: EOL_WARN_DAYS };
  return {
    id: `versions.eol.${r.service}`,
    check: 'versions',
    severity: ended ? 'error' : 'warn',
    title: msg(ended ? 'doc.ver.ended' : 'doc.ver.ending', params),
    explain: msg('doc.ver.explain'),
    evidence: [msg('doc.ver.ev', { ...params, image: r.image, running: r.running ?? '?' })],
    fix: { auto: false, steps: [msg('doc.ver.fix.check'), msg('doc.ver.fix.upgrade')] },
    causedBy: [],
    hints: { service: r.service },
  };
}

export const versionsCheck: CheckDef<ServicesEvidence> = {
  id: 'versions',
  label: 'doc.check.versions',
  symptoms: [],
  evaluate(e, now) {
    if (!e.reachable) return [];
    // The database only: its series is the answers' choice and `update --to-series` moves it. Nginx's
    // lines end when the next stable ships and Debian patches its own 1.22/1.26 for years, so an
    // ended Nginx series is listed by `update --check` (exit 5) but does not fail a stack here.
    const running = e.services.flatMap((s) => (s.container && s.name === 'mysql' ? [{ service: s.name, image: s.container.image }] : []));
    const rows = versionRows(running, now);
    const due = rows.filter((r) => r.eol.state === 'ended' || r.eol.state === 'soon');
    if (due.length) return due.map(eolFinding);
    const dated = rows.filter((r) => r.eol.state === 'ok');
    return [okFinding('versions', 'versions.eol', 'doc.ver.ok', dated.map((r) => msg('doc.ver.ev', { service: r.service, product: r.product ?? '?', series: r.series ?? '?', eol: r.eol.eol ?? '?', days: r.eol.daysLeft ?? 0, image: r.image, running: r.running ?? '?', window: EOL_WARN_DAYS })), { window: EOL_WARN_DAYS })];
  },
};
