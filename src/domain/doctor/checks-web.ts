// The web path: ports 80/443, `nginx -t` inside the container, and a request traced hop by hop
// (host → nginx → app → MySQL / Redis), each hop tested from inside the container that makes it.
import { msg, okFinding, type CheckDef, type Finding, type Fix, type Line } from './types.js';

// ---------------------------------------------------------------- ports

export interface Listener { address: string; process: string | null; pid: number | null; cmdline: string | null; unit: string | null }
export interface PortEvidence {
  port: number;
  purpose: 'http' | 'https';
  listeners: Listener[];
  /** Running containers publishing this port: ours (project/service) or others. */
  publishedBy: { container: string; project: string | null; service: string | null }[];
}
export interface PortsEvidence { project: string; ports: PortEvidence[] }

const isDockerProxy = (l: Listener) => l.process === 'docker-proxy';

export const portsCheck: CheckDef<PortsEvidence> = {
  id: 'ports',
  label: 'doc.check.ports',
  symptoms: ['down', 'bad-gateway', 'tls'],
  evaluate(e) {
    const out: Finding[] = [];
    for (const p of e.ports) {
      const ours = p.publishedBy.some((x) => x.project === e.project && x.service === 'nginx');
      const others = p.publishedBy.filter((x) => !(x.project === e.project && x.service === 'nginx'));
      const foreign = p.listeners.filter((l) => !isDockerProxy(l));
      const id = `ports.${p.port}`;
      const ev: Line[] = [
        ...p.listeners.map((l) => msg('doc.ports.ev.listener', { address: l.address, process: l.process ?? '?', pid: l.pid ?? '?', cmd: l.cmdline ?? '-', unit: l.unit ?? '-' })),
        ...p.publishedBy.map((x) => msg('doc.ports.ev.container', { container: x.container, project: x.project ?? '-', service: x.service ?? '-' })),
      ];
      if (foreign.length) {
        const l = foreign[0]!;
        const fix: Fix =
          l.pid !== null
            ? { auto: true, action: { kind: 'stop-port-holder', port: p.port, pid: l.pid, unit: l.unit }, notes: [msg(l.unit ? 'doc.ports.fix.unitNote' : 'doc.ports.fix.pidNote', { unit: l.unit ?? '', pid: l.pid, process: l.process ?? '?' })] }
            : { auto: false, steps: [msg('doc.ports.fix.find', { port: p.port }), msg('doc.ports.fix.stop')] };
        out.push({
          id, check: 'ports', severity: 'error',
          title: msg('doc.ports.taken', { port: p.port, process: l.process ?? '?', pid: l.pid ?? '?' }),
          explain: msg('doc.ports.explain', { port: p.port }), evidence: ev, fix, causedBy: [], hints: { ports: [p.port] },
        });
      } else if (others.length) {
        out.push({
          id, check: 'ports', severity: 'error',
          title: msg('doc.ports.otherContainer', { port: p.port, container: others[0]!.container }),
          explain: msg('doc.ports.explain', { port: p.port }), evidence: ev,
          fix: { auto: false, steps: [msg('doc.ports.fix.container', { container: others[0]!.container })] }, causedBy: [], hints: { ports: [p.port] },
        });
      } else if (ours) {
        out.push(okFinding('ports', id, 'doc.ports.ok', ev, { port: p.port }));
      } else {
        // Free: nothing to fix here; nginx not running is the services check's finding.
        out.push({ ...okFinding('ports', id, 'doc.ports.free', ev, { port: p.port }), severity: 'info' });
      }
    }
    return out;
  },
};

// ---------------------------------------------------------------- nginx -t

export interface NginxConfigEvidence {
  /** How it was run: inside the running container, in a one-off container of the service, or not at all. */
  ran: 'exec' | 'oneoff' | null;
  exitCode: number | null;
  output: string[];
  /** Rendered files as the container sees them → host path relative to the install dir. */
  mounts: Record<string, string>;
}

export interface NginxError { text: string; file: string | null; line: number | null; upstream: string | null }

/** `nginx: [emerg] unknown directive "x" in /etc/nginx/conf.d/default.conf:42` → its parts. */
export function parseNginxTest(output: readonly string[]): NginxError | null {
  const l = output.find((x) => /\[(emerg|alert|crit)\]/.test(x));
  if (!l) return null;
  const at = / in (\/\S+?):(\d+)\s*$/.exec(l);
  const up = /host not found in upstream "([^"]+)"/.exec(l);
  return { text: l.replace(/^nginx:\s*/, ''), file: at ? at[1]! : null, line: at ? Number(at[2]) : null, upstream: up ? up[1]! : null };
}

/** The host file (relative to the install dir) behind a path inside the nginx container. */
export function hostFileOf(containerPath: string, mounts: Record<string, string>): string | null {
  for (const [inside, host] of Object.entries(mounts).sort((a, b) => b[0].length - a[0].length)) {
    if (containerPath === inside) return host;
    if (containerPath.startsWith(`${inside}/`)) return `${host}${containerPath.slice(inside.length)}`;
  }
  return null;
}

export const nginxConfigCheck: CheckDef<NginxConfigEvidence> = {
  id: 'nginx-config',
  label: 'doc.check.nginxConfig',
  symptoms: ['down', 'bad-gateway', 'tls'],
  evaluate(e) {
    if (e.ran === null) return [{ ...okFinding('nginx-config', 'nginx.config', 'doc.nginx.notRun', e.output.slice(-3)), severity: 'info', hints: { needs: ['nginx'] } }];
    if (e.exitCode === 0) return [okFinding('nginx-config', 'nginx.config', 'doc.nginx.ok', e.output.filter((l) => /test is successful|syntax is ok/.test(l)))];
    const err = parseNginxTest(e.output);
    const evidence: Line[] = e.output.filter((l) => l.trim()).slice(-5);
    const base = { id: 'nginx.config', check: 'nginx-config', severity: 'error' as const, evidence, causedBy: [] };
    if (err?.upstream) {
      const svc = err.upstream.split(':')[0]!;
      return [{ ...base, title: msg('doc.nginx.upstream', { upstream: err.upstream }), explain: msg('doc.nginx.upstreamExplain', { service: svc }), fix: { auto: false, steps: [msg('doc.nginx.fix.upstream', { service: svc })] }, hints: { needs: [svc] } }];
    }
    const file = err?.file ? hostFileOf(err.file, e.mounts) : null;
    const fix: Fix = file
      ? { auto: true, action: { kind: 'restore-files', paths: [file] }, notes: [msg('doc.nginx.fix.restoreNote', { file })] }
      : { auto: false, steps: [msg('doc.nginx.fix.edit', { file: err?.file ?? '?', line: err?.line ?? '?' }), msg('doc.nginx.fix.test')] };
    return [{
      ...base,
      title: msg('doc.nginx.invalid', { error: err?.text ?? `exit ${e.exitCode}` }),
      explain: msg('doc.nginx.explain'),
      fix,
      hints: file ? { files: [file] } : {},
    }];
  },
};

// ---------------------------------------------------------------- the request path

export interface HopResult { ok: boolean; status: number | null; error: string | null }
export interface HttpEvidence {
  /** host → nginx (the published port), the app's health path. */
  front: { url: string; status: number | null; error: string | null; ms: number | null };
  /** nginx → app, from inside the nginx container; null when nginx is not running. */
  nginxToApp: HopResult | null;
  /** app → its backends (mysql, redis), from inside the app container; null when the app is not running. */
  appTo: { service: string; host: string; port: number; ok: boolean; error: string | null }[] | null;
  /** Upstream errors in nginx's error log over the last minutes. */
  errorLog: { minutes: number; refused: number; timedOut: number; other: number; sample: string[] };
  /** The app address nginx's errors name vs the app container's address now (nginx resolved it at start). */
  staleUpstream: { logged: string; current: string } | null;
}

const badStatus = (s: number | null) => s === null || s >= 500;

export const httpCheck: CheckDef<HttpEvidence> = {
  id: 'http',
  label: 'doc.check.http',
  symptoms: ['down', 'bad-gateway', 'slow', 'tls'],
  evaluate(e) {
    const ev: Line[] = [
      msg('doc.http.ev.front', { url: e.front.url, result: e.front.status !== null ? `HTTP ${e.front.status}${e.front.ms !== null ? ` (${e.front.ms} ms)` : ''}` : e.front.error ?? '?' }),
    ];
    if (e.nginxToApp) ev.push(msg('doc.http.ev.nginxApp', { result: e.nginxToApp.status !== null ? `HTTP ${e.nginxToApp.status}` : e.nginxToApp.error ?? '?' }));
    else ev.push(msg('doc.http.ev.nginxDown'));
    if (e.appTo) for (const b of e.appTo) ev.push(msg('doc.http.ev.appTo', { service: b.service, target: `${b.host}:${b.port}`, result: b.ok ? 'ok' : b.error ?? 'failed' }));
    else if (e.nginxToApp) ev.push(msg('doc.http.ev.appDown'));
    const log = e.errorLog;
    if (log.refused + log.timedOut + log.other > 0) {
      ev.push(msg('doc.http.ev.log', { minutes: log.minutes, refused: log.refused, timedOut: log.timedOut, other: log.other }));
      ev.push(...log.sample.slice(-3).map((l) => `  ${l}`));
    }
    const base = { id: 'http.chain', check: 'http', evidence: ev, causedBy: [] };
    const frontBad = badStatus(e.front.status);

    // Hop 1: nothing answers on the published port at all (a timeout with nginx up is a slow hop behind it).
    const timedOut = e.front.status === null && /TIMEDOUT|timed out|ESOCKETTIMEDOUT/i.test(e.front.error ?? '');
    if (e.front.status === null && !(timedOut && e.nginxToApp)) {
      return [{ ...base, severity: 'error', title: msg('doc.http.noAnswer', { url: e.front.url, error: e.front.error ?? '?' }), explain: msg('doc.http.noAnswerExplain'), fix: null, hints: { needs: ['nginx'] } }];
    }
    const status = e.front.status !== null ? `HTTP ${e.front.status}` : (e.front.error ?? 'timeout');
    if (frontBad || (e.nginxToApp && !e.nginxToApp.ok)) {
      // Hop 2: nginx cannot reach the app.
      if (!e.nginxToApp) return [{ ...base, severity: 'error', title: msg('doc.http.status', { status }), explain: msg('doc.http.502Explain'), fix: null, hints: { needs: ['nginx'] } }];
      if (e.nginxToApp.status === null) {
        return [{ ...base, severity: 'error', title: msg('doc.http.nginxApp', { status, error: e.nginxToApp.error ?? '?' }), explain: msg('doc.http.502Explain'), fix: null, hints: { needs: ['app'] } }];
      }
      // Hop 3: the app answers with an error; which of its backends does it fail to reach?
      const broken = (e.appTo ?? []).filter((b) => !b.ok);
      if (broken.length) {
        return [{
          ...base, severity: 'error',
          title: msg('doc.http.backend', { status, services: broken.map((b) => b.service).join(', '), error: broken[0]!.error ?? '?' }),
          explain: msg('doc.http.backendExplain'), fix: null, hints: { needs: broken.map((b) => b.service) },
        }];
      }
      if (e.nginxToApp.status >= 500) {
        // The backends answer a connection; a backend refusing work (full, read-only) still fails the app.
        return [{ ...base, severity: 'error', title: msg('doc.http.appError', { status: e.nginxToApp.status }), explain: msg('doc.http.appErrorExplain'), fix: null, hints: { needs: ['app'], affectedBy: (e.appTo ?? []).map((b) => b.service) } }];
      }
      // The app answers nginx's own test, yet clients get 502: nginx holds an old address for it.
      if (e.staleUpstream) {
        return [{
          ...base, severity: 'error', title: msg('doc.http.stale', { status, logged: e.staleUpstream.logged, current: e.staleUpstream.current }),
          explain: msg('doc.http.staleExplain'), fix: { auto: true, action: { kind: 'reload-nginx' }, notes: [] },
        }];
      }
      return [{ ...base, severity: 'error', title: msg('doc.http.status', { status }), explain: msg('doc.http.502Explain'), fix: { auto: true, action: { kind: 'reload-nginx' }, notes: [] }, hints: { needs: ['app'] } }];
    }
    if (e.staleUpstream) {
      return [{ ...base, severity: 'warn', title: msg('doc.http.staleRecent', { logged: e.staleUpstream.logged, current: e.staleUpstream.current }), explain: msg('doc.http.staleExplain'), fix: { auto: true, action: { kind: 'reload-nginx' }, notes: [] } }];
    }
    const recent = log.refused + log.timedOut + log.other;
    // The path works now; bursts of upstream errors in the last minutes still deserve a look.
    if (recent >= 5) {
      return [{ ...base, severity: 'warn', title: msg('doc.http.recent', { count: recent, minutes: log.minutes }), explain: msg(log.timedOut > log.refused ? 'doc.http.504Explain' : 'doc.http.502Explain'), fix: { auto: false, steps: [msg('doc.http.fix.log'), msg('doc.svc.fix.logs', { service: 'app' })] }, hints: { needs: ['app'] } }];
    }
    return [okFinding('http', 'http.chain', 'doc.http.ok', ev, { status })];
  },
};
