// The request path's evidence: who holds ports 80/443, nginx -t, and one request traced hop by hop
// (front door, nginx → app, app → MySQL/Redis, nginx's error log). Checked by
// src/domain/doctor/checks-web.ts.
import { join } from 'node:path';
import { CONTAINER, HOST } from '../../render/paths.js';
import { NGINX_ERROR_LOG } from '../../render/nginx-log.js';
import { composeArgs, httpGet, lines, type Gatherers } from './gather.js';

/**
 * nginx error log lines about the upstream, within the last `minutes` and after `notBefore` (the
 * later start of nginx and the app: errors from before a restart are history, not the state now).
 */
export function upstreamErrors(text: string, now: Date, minutes: number, notBefore: number | null = null): { refused: number; timedOut: number; other: number; sample: string[]; lastUpstream: string | null } {
  const out = { refused: 0, timedOut: 0, other: 0, sample: [] as string[], lastUpstream: null as string | null };
  const since = Math.max(now.getTime() - minutes * 60_000, notBefore ?? 0);
  for (const l of text.split('\n')) {
    if (!/upstream/.test(l)) continue;
    const ts = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)/.exec(l);
    if (ts && Date.UTC(+ts[1]!, +ts[2]! - 1, +ts[3]!, +ts[4]!, +ts[5]!, +ts[6]!) < since) continue;
    if (/\(111: Connection refused\)|\(113: |no live upstreams|\(104: Connection reset/.test(l)) out.refused++;
    else if (/timed out/.test(l)) out.timedOut++;
    else if (/\[error\]|\[crit\]/.test(l)) out.other++;
    else continue;
    out.sample.push(l.length > 300 ? `${l.slice(0, 297)}...` : l);
    const u = /upstream: "https?:\/\/([\d.]+):\d+/.exec(l);
    if (u) out.lastUpstream = u[1]!;
  }
  out.sample = out.sample.slice(-5);
  return out;
}

async function tcpCheckScript(): Promise<string> {
  // Whatever the app image has: its runtime's interpreter first, then nc or bash's /dev/tcp.
  return [
    'h=$1; p=$2',
    'if command -v python3 >/dev/null 2>&1; then exec python3 -c "import socket,sys',
    'try:',
    '  socket.create_connection((sys.argv[1], int(sys.argv[2])), 4).close()',
    'except Exception as e:',
    '  print(e, file=sys.stderr); sys.exit(1)" "$h" "$p"',
    "elif command -v node >/dev/null 2>&1; then exec node -e \"const s=require('net').connect({host:process.argv[1],port:+process.argv[2]},()=>{s.end();process.exit(0)});s.setTimeout(4000,()=>{console.error('timed out');process.exit(1)});s.on('error',e=>{console.error(e.message);process.exit(1)})\" \"$h\" \"$p\"",
    'elif command -v nc >/dev/null 2>&1; then exec nc -z -w 4 "$h" "$p"',
    'elif command -v bash >/dev/null 2>&1; then exec bash -c \'exec 3<>"/dev/tcp/$0/$1"\' "$h" "$p"',
    'else echo "no tool in this image to test a TCP connection" >&2; exit 125; fi',
  ].join('\n');
}

export const webGatherers: Pick<Gatherers, 'ports' | 'nginxConfig' | 'http'> = {
  async ports(g) {
    const p = g.stack.plan;
    const want: { port: number; purpose: 'http' | 'https' }[] = [{ port: p.ports.http, purpose: 'http' }];
    if (p.nginx.tls !== 'none') want.push({ port: p.ports.https, purpose: 'https' });
    const ls = await g.listeners();
    const pub = (await g.dockerUp()) ? await g.ctx.docker.publishingContainers().catch(() => []) : [];
    const ports = await Promise.all(
      want.map(async (w) => {
        const listeners = await Promise.all(
          ls.filter((l) => l.port === w.port).map(async (l) => {
            let cmdline: string | null = null;
            let unit: string | null = null;
            if (l.pid !== null) {
              cmdline = ((await g.readText(`/proc/${l.pid}/cmdline`)) ?? '').split('\0').filter(Boolean).join(' ') || null;
              const cg = (await g.readText(`/proc/${l.pid}/cgroup`)) ?? '';
              // The systemd service that started it (not docker's own unit, whose docker-proxy serves containers).
              const u = /\/([^/\n]+\.service)(?:\/[^\n]*)?$/m.exec(cg.split('\n').find((x) => /(^0::|name=systemd:)/.test(x)) ?? '');
              unit = u && u[1] !== 'docker.service' && u[1] !== 'containerd.service' ? u[1]! : null;
            }
            return { address: l.address, process: l.process, pid: l.pid, cmdline: cmdline ? g.ctx.exec.redact(cmdline) : null, unit };
          }),
        );
        const publishedBy = pub.filter((c) => c.ports.some((x) => x.hostPort === w.port)).map((c) => ({ container: c.name, project: c.project, service: c.service }));
        return { port: w.port, purpose: w.purpose, listeners, publishedBy };
      }),
    );
    return { project: g.stack.project, ports };
  },

  async nginxConfig(g) {
    const mounts: Record<string, string> = {
      [CONTAINER.nginxConf]: HOST.nginxConf,
      [CONTAINER.nginxConfD]: HOST.nginxConfD,
      [CONTAINER.nginxCerts]: HOST.nginxCerts,
      [CONTAINER.letsencrypt]: HOST.letsencrypt,
    };
    if (!(await g.dockerUp())) return { ran: null, exitCode: null, output: [], mounts };
    const r = await g.execIn('nginx', ['nginx', '-t'], 20_000);
    // A container caught between two crashes refuses the exec itself ("is restarting"): only an
    // answer from nginx counts; otherwise test the files in a one-off container below.
    const out = r ? lines(`${r.stdout}\n${r.stderr}`) : [];
    if (r && out.some((l) => /^nginx: /.test(l))) return { ran: 'exec', exitCode: r.exitCode, output: out, mounts };
    if (!(await g.ctx.exec.exists(join(g.stack.installDir, HOST.compose)))) return { ran: null, exitCode: null, output: [], mounts };
    // nginx is not running (maybe because of its config): test the same files in a one-off container.
    const one = await g.q('docker', [...composeArgs(g.stack), 'run', '--rm', '--no-deps', '-T', '--entrypoint', 'nginx', 'nginx', '-t'], 90_000);
    return { ran: 'oneoff', exitCode: one.exitCode, output: lines(g.ctx.exec.redact(`${one.stdout}\n${one.stderr}`)).filter((l) => !/^\s*(Container|Network|Volume) /.test(l)), mounts };
  },

  async http(g) {
    const p = g.stack.plan;
    const healthUnderApi = p.nginx.apiPrefix === '/' || p.app.health.startsWith(p.nginx.apiPrefix);
    const path = healthUnderApi ? p.app.health : '/';
    const tlsOn = p.nginx.tls !== 'none';
    const url = tlsOn ? `https://127.0.0.1:${p.ports.https}${path}` : `http://127.0.0.1:${p.ports.http}${path}`;
    const front = await httpGet(url, { host: p.nginx.domain ?? undefined, servername: p.nginx.domain ?? undefined, timeoutMs: 10_000 });
    let nginxToApp: { ok: boolean; status: number | null; error: string | null } | null = null;
    const n = await g.execIn('nginx', ['curl', '-sS', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '8', `http://app:${p.app.port}${p.app.health}`], 20_000);
    if (n) {
      const code = Number(n.stdout.trim());
      nginxToApp = code > 0 ? { ok: code < 500, status: code, error: null } : { ok: false, status: null, error: (n.stderr.trim().split('\n').pop() ?? '').replace(/^curl: \(\d+\)\s*/, '') || `exit ${n.exitCode}` };
    }
    let appTo: { service: string; host: string; port: number; ok: boolean; error: string | null }[] | null = null;
    const app = await g.running('app');
    if (app) {
      const script = await tcpCheckScript();
      const backends = [{ service: 'mysql', port: 3306 }, ...(p.redis ? [{ service: 'redis', port: 6379 }] : [])];
      appTo = await Promise.all(
        backends.map(async (b) => {
          const r = await g.q('docker', ['exec', app.Id, 'sh', '-c', script, 'sh', b.service, String(b.port)], 15_000);
          const err = r.stderr.trim().split('\n').pop() ?? '';
          return { service: b.service, host: b.service, port: b.port, ok: r.exitCode === 0, error: r.exitCode === 0 ? null : g.ctx.exec.redact(err) || `exit ${r.exitCode}` };
        }),
      );
    }
    const minutes = 15;
    const tail = await g.q('tail', ['-n', '400', join(g.stack.installDir, HOST.nginxLogs, NGINX_ERROR_LOG)], 5000);
    const nginx = await g.running('nginx');
    const started = [app, nginx].map((c) => (c?.State.StartedAt ? Date.parse(c.State.StartedAt) : NaN)).filter((n) => Number.isFinite(n));
    const errs = upstreamErrors(tail.exitCode === 0 ? tail.stdout : '', g.ctx.clock(), minutes, started.length ? Math.max(...started) : null);
    const appIps = app ? Object.values(app.NetworkSettings.Networks ?? {}).map((x) => x.IPAddress).filter(Boolean) : [];
    const staleUpstream = errs.lastUpstream && appIps.length && !appIps.includes(errs.lastUpstream) ? { logged: errs.lastUpstream, current: appIps.join(', ') } : null;
    return {
      front: { url, status: front.status, error: front.error, ms: front.ms },
      nginxToApp,
      appTo,
      errorLog: { minutes, refused: errs.refused, timedOut: errs.timedOut, other: errs.other, sample: errs.sample.map((l) => g.ctx.exec.redact(l)) },
      staleUpstream,
    };
  },
};
