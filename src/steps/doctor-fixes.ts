// Doctor's automatic fixes: what each shows before it runs (the confirmation, --json's fix.steps,
// --dry-run), computed from the action alone, and what it does, through the Executor (so --dry-run
// records it and changes nothing). Each waits until what it fixed is back (healthy containers, an
// answering engine), so the check re-run right after it sees the result.
import { createHash, X509Certificate } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Context } from '../context.js';
import { guarded } from './stack-guard.js';
import { msg, type FixAction, type Msg } from '../domain/doctor/types.js';
import { composeArgv } from '../domain/compose-argv.js';
import { bestByKind, probeTarget } from '../domain/mirrors.js';
import { probeMirrors } from '../host/mirror-probe.js';
import type { DoctorStack } from '../host/doctor/gather.js';
import { servedChain } from '../host/doctor/gather-tls.js';
import { HOST } from '../render/paths.js';
import { letsencryptFiles, selfSignedCertArgv, selfSignedFiles } from '../render/tls-certs.js';
import { certbotRenewArgv } from '../render/certbot.js';
import { builtinCatalogue } from '../domain/mirrors.js';
import { healthTimeoutMs, serviceOfFile, PREVIOUS } from './up.js';
import { SYS, backupPath, hostPath } from '../domain/host-paths.js';
import { runSteps } from './engine.js';
import { securitySteps } from './security.js';
import type { Prepared } from './prepare.js';
import { CommandError, commandLine } from '../exec/executor.js';
import { parseDaemonJson } from '../domain/daemon-json.js';

export type FixLine = (line: string) => void;

export interface StackPaths {
  project: string;
  installDir: string;
  composeFile: string;
  /** The openssl command that makes the self-signed pair (from the plan), shown before it runs. */
  selfSignedArgv?: string[];
  /** certbot renew for this stack. */
  renewArgv?: string[];
}

export const composeCmd = (s: StackPaths, ...args: string[]) => commandLine('docker', composeArgv(s.installDir, ...args));

export const stackPaths = (s: DoctorStack): StackPaths => ({
  project: s.project,
  installDir: s.installDir,
  composeFile: join(s.installDir, HOST.compose),
  ...(s.plan.nginx.tls === 'self-signed' ? { selfSignedArgv: selfSignedCertArgv(s.plan, selfSignedFiles(s.plan)) } : {}),
  ...(s.plan.nginx.tls === 'letsencrypt' && s.plan.nginx.domain && s.plan.nginx.email ? { renewArgv: certbotRenewArgv(s.plan) } : {}),
});

/** What a fix shows before it runs: its title and commands, from the action alone (pure). */
export function describeAction(a: FixAction, s: StackPaths): { title: Msg; commands: string[] } {
  switch (a.kind) {
    case 'compose-up':
      return { title: msg('doc.act.composeUp', { services: a.services.join(', ') }), commands: [composeCmd(s, 'up', '-d', ...a.services)] };
    case 'rollback-image':
      return {
        title: msg('doc.act.rollback', { id: a.imageId.replace(/^sha256:/, '').slice(0, 12), image: a.image, service: a.service }),
        commands: [commandLine('docker', ['tag', a.imageId, a.image]), composeCmd(s, 'up', '-d', a.service), composeCmd(s, 'exec', '-T', 'nginx', 'nginx', '-s', 'reload')],
      };
    case 'reload-nginx':
      return { title: msg('doc.act.reloadNginx'), commands: [composeCmd(s, 'exec', '-T', 'nginx', 'nginx', '-s', 'reload')] };
    case 'restart-service':
      return { title: msg('doc.act.restartService', { service: a.service }), commands: [composeCmd(s, 'restart', a.service)] };
    case 'docker-restart':
      return { title: msg('doc.act.dockerRestart'), commands: ['systemctl restart docker'] };
    case 'docker-prune':
      return { title: msg('doc.act.prune'), commands: ['docker image prune -f', 'docker builder prune -f'] };
    case 'truncate-logs':
      return { title: msg('doc.act.truncate'), commands: a.files.map((f) => commandLine('truncate', ['-s', '0', f])) };
    case 'stop-port-holder':
      return {
        title: msg('doc.act.stopHolder', { port: a.port }),
        commands: [a.unit ? commandLine('systemctl', ['stop', a.unit]) : commandLine('kill', [String(a.pid)]), composeCmd(s, 'up', '-d', 'nginx')],
      };
    case 'restore-files':
      // The title names the files; no pseudo-command line (`write …` was English in every language, #22.9).
      return { title: msg('doc.act.restore', { files: a.paths.join(', ') }), commands: [] };
    case 'redis-config':
      return { title: msg('doc.act.redisConfig'), commands: Object.entries(a.set).map(([k, v]) => composeCmd(s, 'exec', '-T', 'redis', 'redis-cli', 'CONFIG', 'SET', k, v)) };
    case 'redis-save':
      return { title: msg('doc.act.redisSave', { command: a.command }), commands: [composeCmd(s, 'exec', '-T', 'redis', 'redis-cli', a.command)] };
    case 'renew-cert':
      return a.mode === 'self-signed'
        ? { title: msg('doc.act.renewSelf'), commands: [s.selfSignedArgv ? commandLine(s.selfSignedArgv[0]!, s.selfSignedArgv.slice(1)) : 'openssl req -x509 …', composeCmd(s, 'exec', '-T', 'nginx', 'nginx', '-s', 'reload')] }
        : { title: msg('doc.act.renewLe'), commands: [s.renewArgv ? commandLine(s.renewArgv[0]!, s.renewArgv.slice(1)) : 'certbot renew …', composeCmd(s, 'exec', '-T', 'nginx', 'nginx', '-s', 'reload')] };
    case 'drop-mirrors':
      return { title: msg('doc.act.dropMirrors', { urls: a.urls.join(', ') }), commands: ['edit /etc/docker/daemon.json (registry-mirrors)', 'systemctl reload docker'] };
    case 'commands':
      return { title: msg('doc.act.commands'), commands: a.argv.map((x) => commandLine(x[0]!, x.slice(1))) };
    case 'security-steps':
      return { title: msg('doc.act.security', { steps: a.steps.join(', ') }), commands: ['stack-wizard security apply (those steps)'] };
  }
}

const sameUrl = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

/**
 * daemon.json without the dead registry mirrors (and with `add` first, when given). Everything else
 * stays as the operator wrote it; null when nothing changes.
 */
export function withoutDeadMirrors(text: string | null, dead: readonly string[], add: string | null = null): string | null {
  const cfg = parseDaemonJson(text);
  const old = Array.isArray(cfg['registry-mirrors']) ? (cfg['registry-mirrors'] as unknown[]).filter((x): x is string => typeof x === 'string') : [];
  let next = old.filter((u) => !dead.some((d) => sameUrl(d, u)));
  if (add && !next.some((u) => sameUrl(u, add))) next = [add.replace(/\/+$/, ''), ...next];
  if (JSON.stringify(next) === JSON.stringify(old)) return null;
  // An empty list, not a missing key: dockerd's reload (SIGHUP) keeps its mirrors when the key is absent.
  const out: Record<string, unknown> = { ...cfg, 'registry-mirrors': next };
  return `${JSON.stringify(out, null, 2)}\n`;
}

const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function compose(ctx: Context, s: DoctorStack, args: string[], onLine: FixLine, timeoutMs = 300_000) {
  return ctx.exec.run('docker', composeArgv(s.installDir, ...args), {
    cwd: s.installDir,
    timeoutMs,
    onLine: (l) => l.trim() && onLine(l.trim()),
  });
}

const up = (c: { state: string; health: string | null }) => c.state === 'running' && (c.health === null || c.health === 'healthy');

/**
 * Waits until `services` are up (healthy when they have a check), giving up early when one exits
 * or loops; then gives the rest of the stack a little time to follow (the app turns healthy on its
 * next check once MySQL is back). Returns the services still not up.
 */
export async function waitStack(ctx: Context, s: DoctorStack, services: readonly string[], onLine: FixLine): Promise<string[]> {
  if (ctx.exec.dryRun) return [];
  const all = s.plan.services.map((x) => x.name);
  const deadline = Date.now() + Math.min(healthTimeoutMs(ctx.env), 300_000);
  let last = '';
  let targetsUpAt: number | null = null;
  const state = async () => {
    const cs = await ctx.docker.projectContainers(s.project);
    return (n: string) => cs.find((c) => c.service === n && c.state === 'running') ?? cs.find((c) => c.service === n);
  };
  for (;;) {
    const by = await state();
    const line = all.map((n) => `${n}:${by(n)?.health ?? by(n)?.state ?? 'missing'}`).join(' ');
    if (line !== last) onLine(line);
    last = line;
    const targetsUp = services.every((n) => by(n) && up(by(n)!));
    if (targetsUp && all.every((n) => by(n) && up(by(n)!))) return [];
    const broken = services.filter((n) => {
      const c = by(n);
      return c && (c.state === 'exited' || c.state === 'dead' || (c.state === 'restarting' && c.restartCount >= 2));
    });
    if (broken.length) return broken;
    if (targetsUp) targetsUpAt ??= Date.now();
    // Once the fixed services are up, the others get at most a minute more to recover.
    if (Date.now() >= deadline || (targetsUpAt !== null && Date.now() - targetsUpAt >= 60_000)) {
      return all.filter((n) => !(by(n) && up(by(n)!)));
    }
    await sleep(2000);
  }
}

async function reloadNginx(ctx: Context, s: DoctorStack, onLine: FixLine) {
  await compose(ctx, s, ['exec', '-T', 'nginx', 'nginx', '-s', 'reload'], onLine, 30_000).catch(() => compose(ctx, s, ['kill', '-s', 'HUP', 'nginx'], onLine, 30_000).catch(() => undefined));
}

/** nginx up and well: a reload is enough. One in a restart loop needs a restart instead. */
async function nginxRunning(ctx: Context, s: DoctorStack): Promise<boolean> {
  return (await ctx.docker.projectContainers(s.project).catch(() => [])).some((c) => c.service === 'nginx' && c.state === 'running' && c.restartCount === 0 && c.health !== 'unhealthy');
}

/** The content a rendered file had at the last render: a fresh render or the last healthy copy, whichever matches the manifest. */
async function renderedContent(ctx: Context, s: DoctorStack, path: string): Promise<{ content: string; mode: number } | null> {
  const manifestText = await ctx.exec.readFile(join(s.installDir, HOST.manifest)).catch(() => null);
  let want: string | null = null;
  try {
    want = manifestText ? ((JSON.parse(manifestText) as { files?: Record<string, string> }).files?.[path] ?? null) : null;
  } catch {
    want = null;
  }
  const fresh = s.files.find((f) => f.path === path);
  if (fresh && (want === null || sha(fresh.content) === want)) return { content: fresh.content, mode: fresh.mode };
  const prevPath = join(s.installDir, PREVIOUS, 'files', path);
  const prev = await ctx.exec.readFile(prevPath).catch(() => null);
  if (prev !== null && (want === null || sha(prev) === want)) return { content: prev, mode: (await ctx.exec.fileMode(prevPath)) ?? 0o644 };
  return null;
}

async function restoreFiles(ctx: Context, s: DoctorStack, paths: readonly string[], onLine: FixLine) {
  const stamp = ctx.clock().toISOString().replace(/[:.]/g, '-');
  const writes = [];
  for (const p of paths) {
    const r = await renderedContent(ctx, s, p);
    if (!r) throw new Error(`no rendered copy of ${p} matches the last render`);
    const cur = await ctx.exec.readFile(join(s.installDir, p)).catch(() => null);
    // The operator's version is kept, outside every folder a service reads.
    if (cur !== null && cur !== r.content) writes.push({ path: join(s.installDir, '.stack-wizard', 'edited', `${p}.${stamp}`), content: cur, mode: 0o600 });
    writes.push({ path: join(s.installDir, p), content: r.content, mode: r.mode });
  }
  await ctx.exec.writeFiles(writes);
  for (const w of writes) onLine(ctx.t('chg.write', { path: w.path }));
  const services = new Map<string, 'reload' | 'restart'>();
  for (const p of paths) {
    const svc = serviceOfFile(p);
    if (svc) services.set(svc.service, svc.how);
    if (p === HOST.compose || p === HOST.env) services.set('*', 'restart');
  }
  if (services.has('*')) {
    await compose(ctx, s, ['up', '-d'], onLine);
    await waitStack(ctx, s, s.plan.services.map((x) => x.name), onLine);
    return;
  }
  for (const [svc, how] of services) {
    if (svc === 'nginx') {
      if (await nginxRunning(ctx, s)) await reloadNginx(ctx, s, onLine);
      else await compose(ctx, s, ['up', '-d', '--force-recreate', 'nginx'], onLine);
    } else if (how === 'restart') await compose(ctx, s, ['restart', svc], onLine);
  }
  await waitStack(ctx, s, [...services.keys()], onLine);
}

async function dropMirrors(ctx: Context, s: DoctorStack, dead: readonly string[], onLine: FixLine) {
  const path = hostPath(ctx.hostRoot, SYS.daemonJson);
  const old = await ctx.exec.readFile(path);
  let add: string | null = null;
  if (s.plan.region === 'cn') {
    // Region cn: Docker Hub needs a mirror; the fastest live candidate takes the dead one's place.
    const cands = (s.catalogue ?? builtinCatalogue()).filter((e) => e.kind === 'registry' && !dead.some((d) => d.replace(/\/+$/, '') === e.url.replace(/\/+$/, '')));
    if (cands.length) {
      const res = await probeMirrors(cands, probeTarget(s.facts.os, s.facts.arch));
      const best = bestByKind(res).registry;
      add = best ? (cands.find((c) => c.id === best)?.url ?? null) : null;
    }
  }
  const next = withoutDeadMirrors(old, dead, add);
  if (next === null) return;
  const files = [{ path, content: next, mode: 0o644 }];
  if (old !== null && !(await ctx.exec.exists(backupPath(path)))) files.unshift({ path: backupPath(path), content: old, mode: 0o644 });
  await ctx.exec.writeFiles(files);
  onLine(ctx.t('chg.write', { path }));
  // registry-mirrors is reloadable: SIGHUP, running containers stay.
  if (s.facts.systemd) await ctx.exec.run('systemctl', ['reload', 'docker']);
  else {
    const pid = (await ctx.exec.readFile(hostPath(ctx.hostRoot, SYS.dockerPid)))?.trim();
    if (pid && /^\d+$/.test(pid)) await ctx.exec.run('kill', ['-HUP', pid]);
  }
  // The engine reads the file asynchronously after the signal.
  for (let i = 0; i < 20 && !ctx.exec.dryRun; i++) {
    const now = await ctx.docker.registryMirrors().catch(() => []);
    if (!now.some((u) => dead.some((d) => d.replace(/\/+$/, '') === u.replace(/\/+$/, '')))) break;
    await sleep(500);
  }
}

async function stopPortHolder(ctx: Context, s: DoctorStack, a: Extract<FixAction, { kind: 'stop-port-holder' }>, onLine: FixLine) {
  if (a.unit) {
    await ctx.exec.run('systemctl', ['stop', a.unit]);
    const en = await ctx.exec.query('systemctl', ['is-enabled', a.unit], { timeoutMs: 5000 });
    // Disabled too, so a reboot does not bring the conflict back (transient units cannot be).
    if (en.stdout.trim() === 'enabled') await ctx.exec.run('systemctl', ['disable', a.unit]);
  } else {
    await ctx.exec.run('kill', [String(a.pid)]);
  }
  for (let i = 0; i < 20 && !ctx.exec.dryRun; i++) {
    const r = await ctx.exec.query('ss', ['-Hltn', `sport = :${a.port}`], { timeoutMs: 5000 });
    if (!r.stdout.trim()) break;
    await sleep(500);
  }
  await compose(ctx, s, ['up', '-d', 'nginx'], onLine);
  await waitStack(ctx, s, ['nginx'], onLine);
}

async function renewCert(ctx: Context, s: DoctorStack, mode: 'self-signed' | 'letsencrypt', onLine: FixLine) {
  if (mode === 'letsencrypt') {
    await ctx.exec.run(certbotRenewArgv(s.plan)[0]!, certbotRenewArgv(s.plan).slice(1), { timeoutMs: 300_000, onLine: (l) => onLine(l) });
    await reloadNginx(ctx, s, onLine);
    await servesFile(ctx, s, letsencryptFiles(s.plan).cert);
    return;
  }
  const final = selfSignedFiles(s.plan);
  // Made beside the old pair, then swapped in all at once: nginx never sees a half-written key.
  const tmp = { cert: join(dirname(final.cert), `.new-${process.pid}-fullchain.pem`), key: join(dirname(final.key), `.new-${process.pid}-privkey.pem`) };
  await ctx.exec.mkdir(dirname(final.cert), 0o755);
  const argv = selfSignedCertArgv(s.plan, tmp);
  try {
    await ctx.exec.run(argv[0]!, argv.slice(1), { timeoutMs: 60_000 });
    const [cert, key] = await Promise.all([ctx.exec.readFile(tmp.cert), ctx.exec.readFile(tmp.key)]);
    if (cert !== null && key !== null) {
      await ctx.exec.writeFiles([{ path: final.key, content: key, mode: 0o600 }, { path: final.cert, content: cert, mode: 0o644 }]);
    }
  } finally {
    if (!ctx.exec.dryRun) {
      await ctx.exec.remove(tmp.cert).catch(() => undefined);
      await ctx.exec.remove(tmp.key).catch(() => undefined);
    }
  }
  if (await nginxRunning(ctx, s)) await reloadNginx(ctx, s, onLine);
  else {
    await compose(ctx, s, ['up', '-d', 'nginx'], onLine);
    await waitStack(ctx, s, ['nginx'], onLine);
  }
  await servesFile(ctx, s, final.cert);
}

/**
 * After a reload, nginx's old workers finish their connections while new ones start: wait
 * (bounded) until the HTTPS port serves the certificate now in the file.
 */
async function servesFile(ctx: Context, s: DoctorStack, certPath: string) {
  if (ctx.exec.dryRun) return;
  const pem = await ctx.exec.readFile(certPath).catch(() => null);
  if (!pem) return;
  const want = new X509Certificate(pem).fingerprint256;
  // Old workers still accept for a moment after the new ones start: several answers in a row must agree.
  let inARow = 0;
  for (let i = 0; i < 40 && inARow < 5; i++) {
    const got = await servedChain(s.plan.ports.https, s.plan.nginx.domain, 3000);
    inARow = got.chain[0]?.fingerprint256 === want ? inARow + 1 : 0;
    await sleep(300);
  }
}

export async function applyFix(ctx: Context, s: DoctorStack, a: FixAction, show: FixLine = () => {}): Promise<void> {
  ctx.exec.note(`doctor fix: ${JSON.stringify(a)}`);
  const onLine: FixLine = (l) => l.trim() !== '' && show(l.trimEnd());
  switch (a.kind) {
    case 'compose-up': {
      await compose(ctx, s, ['up', '-d', ...a.services], onLine);
      const bad = await waitStack(ctx, s, a.services, onLine);
      // nginx resolved the app's address when it started: a recreated app needs a reload.
      if (!a.services.includes('nginx') && (await nginxRunning(ctx, s))) await reloadNginx(ctx, s, onLine);
      if (bad.length) onLine(`not healthy yet: ${bad.join(', ')}`);
      return;
    }
    case 'rollback-image': {
      await ctx.docker.tag(a.imageId, a.image);
      await compose(ctx, s, ['up', '-d', a.service], onLine);
      await waitStack(ctx, s, [a.service], onLine);
      if (a.service !== 'nginx' && (await nginxRunning(ctx, s))) await reloadNginx(ctx, s, onLine);
      return;
    }
    case 'reload-nginx':
      return reloadNginx(ctx, s, onLine);
    case 'restart-service':
      await compose(ctx, s, ['restart', a.service], onLine);
      await waitStack(ctx, s, [a.service], onLine);
      if (a.service !== 'nginx' && (await nginxRunning(ctx, s))) await reloadNginx(ctx, s, onLine);
      return;
    case 'docker-restart': {
      await ctx.exec.run('systemctl', ['restart', 'docker'], { timeoutMs: 180_000 });
      for (let i = 0; i < 60 && !ctx.exec.dryRun && (await ctx.docker.unreachable()); i++) await sleep(1000);
      await waitStack(ctx, s, [], onLine);
      return;
    }
    case 'docker-prune':
      await ctx.exec.run('docker', ['image', 'prune', '-f'], { timeoutMs: 600_000, onLine });
      await ctx.exec.run('docker', ['builder', 'prune', '-f'], { timeoutMs: 600_000, onLine }).catch((e: unknown) => {
        // Older engines without the builder command: nothing to prune there.
        if (!(e instanceof CommandError)) throw e;
      });
      return;
    case 'truncate-logs':
      for (const f of a.files) await ctx.exec.run('truncate', ['-s', '0', f]);
      return;
    case 'stop-port-holder':
      return stopPortHolder(ctx, s, a, onLine);
    case 'restore-files':
      return restoreFiles(ctx, s, a.paths, onLine);
    case 'redis-config':
      for (const [k, v] of Object.entries(a.set)) await compose(ctx, s, ['exec', '-T', 'redis', 'redis-cli', 'CONFIG', 'SET', k, v], onLine, 30_000);
      return;
    case 'redis-save': {
      await compose(ctx, s, ['exec', '-T', 'redis', 'redis-cli', a.command], onLine, 30_000);
      // The save runs in a child process: wait (bounded) for it to end so the re-check sees its status.
      for (let i = 0; i < 60 && !ctx.exec.dryRun; i++) {
        await sleep(500);
        const r = await ctx.exec.query('docker', composeArgv(s.installDir, 'exec', '-T', 'redis', 'redis-cli', 'INFO', 'persistence'), { timeoutMs: 15_000 });
        if (!/rdb_bgsave_in_progress:1|aof_rewrite_in_progress:1/.test(r.stdout)) break;
      }
      return;
    }
    case 'renew-cert':
      return renewCert(ctx, s, a.mode, onLine);
    case 'drop-mirrors':
      return dropMirrors(ctx, s, a.urls, onLine);
    case 'commands':
      for (const argv of a.argv) await ctx.exec.run(argv[0]!, argv.slice(1), { timeoutMs: 120_000, onLine });
      return;
    case 'security-steps': {
      const p: Prepared = { answers: s.answers, facts: s.facts, plan: s.plan, secrets: s.secrets, files: s.files, targetDir: s.installDir };
      const steps = securitySteps().filter((x) => x.id === 'security-guard' || a.steps.includes(x.id));
      await runSteps(ctx, steps, p, (e) => {
        if ((e.kind === 'start' || e.kind === 'output') && e.text) onLine(e.text);
      });
      return;
    }
  }
}

/**
 * One fix inside the guard every change to a stack goes through (stack-guard.ts): logged to the
 * install dir, under the maintenance lock, refused while a killed restore or update is pending. The
 * guided session applies its fixes this way; `doctor --fix` holds the guard around all of its own.
 */
export const guardedFix = (ctx: Context, s: DoctorStack, a: FixAction, show: FixLine = () => {}) =>
  guarded(ctx, s, `doctor fix (${a.kind})`, () => applyFix(ctx, s, a, show));
