// Docker on the server: the engine and Compose v2 (installed when missing: docker-ce from the chosen
// mirror, else the distribution's packages), the service enabled and running. daemon.json is merged
// before this by the mirror step (src/steps/mirrors.ts), so a new engine starts with it.
import { join } from 'node:path';
import type { Context } from '../context.js';
import { offEngine } from './live-engine.js';
import type { Step } from './engine.js';
import type { Prepared } from './prepare.js';
import {
  DOCKER_CE_PACKAGES, DOCKER_SOURCES, LOCAL_PLUGIN_DIR, TEST_DOCKER_KEY_ENV, acceptedDockerKeys, debianArchiveUri, distroPackages, dockerCeRepo, hasDockerCeSource,
} from '../domain/docker-install.js';
import { primaryKeyFingerprints } from '../domain/openpgp.js';
import { dpkgArch } from '../domain/mirrors.js';
import { fetchText } from '../host/mirror-probe.js';
import { renderDockerSources } from '../render/apt-sources.js';
import { choiceFor, catalogueFor } from './mirrors.js';
import { hostPath } from '../domain/host-paths.js';
import { MIN_COMPOSE, MIN_DOCKER } from '../domain/preflight.js';
import { parseVersion, versionAtLeast } from '../domain/versions.js';
import { hostError, opError } from '../errors.js';
const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive', NEEDRESTART_MODE: 'a' };
const APT_TIMEOUT = 15 * 60_000;

export interface DockerState {
  cli: boolean;
  serverVersion: string | null;
  composeVersion: string | null;
  systemd: boolean;
  enabled: boolean | null;
}

export async function dockerState(ctx: Context): Promise<DockerState> {
  const [cli, server, compose, systemd] = await Promise.all([
    ctx.exec.query('docker', ['--version'], { timeoutMs: 5000 }),
    ctx.exec.query('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 10_000 }),
    ctx.exec.query('docker', ['compose', 'version', '--short'], { timeoutMs: 10_000 }),
    ctx.exec.exists('/run/systemd/system'),
  ]);
  let enabled: boolean | null = null;
  if (systemd) enabled = (await ctx.exec.query('systemctl', ['is-enabled', 'docker.service'], { timeoutMs: 5000 })).stdout.trim() === 'enabled';
  const sv = server.exitCode === 0 && /^\d/.test(server.stdout.trim()) ? server.stdout.trim() : null;
  const cv = compose.exitCode === 0 ? compose.stdout.trim().replace(/^v/, '') : '';
  return { cli: cli.exitCode === 0, serverVersion: sv, composeVersion: /^\d/.test(cv) ? cv : null, systemd, enabled };
}

const composeOk = (v: string | null) => {
  const p = v ? parseVersion(v) : null;
  return p !== null && versionAtLeast(p, MIN_COMPOSE.major, MIN_COMPOSE.minor, MIN_COMPOSE.patch);
};
/** dockerd installed: the CLI reports a server, or the daemon binary is there (stopped). */
const engineInstalled = async (ctx: Context, st: DockerState) => st.serverVersion !== null || (await ctx.exec.exists('/usr/bin/dockerd'));

async function aptSourceFiles(ctx: Context): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  for (const name of await ctx.exec.listDir('/etc/apt/sources.list.d')) {
    if (!/\.(sources|list)$/.test(name)) continue;
    const text = await ctx.exec.readFile(join('/etc/apt/sources.list.d', name));
    if (text) out.push({ path: name, text });
  }
  const main = await ctx.exec.readFile('/etc/apt/sources.list');
  if (main) out.push({ path: 'sources.list', text: main });
  return out;
}

type Emit = Parameters<Step['apply']>[2];

/**
 * apt-get with its machine-readable progress (APT::Status-Fd=1 puts `dlstatus:N:PERCENT:TEXT`
 * and `pmstatus:PACKAGE:PERCENT:TEXT` lines on stdout): a bar for the downloads and one for dpkg.
 */
export async function aptGet(ctx: Context, args: string[], emit: Emit, opts: { cwd?: string } = {}) {
  const update = args.includes('update');
  const bars = { dl: update ? 'apt-lists' : 'apt-download', pm: 'dpkg' };
  // Each run starts its bars again (a second `apt-get update` after a failed mirror, say).
  emit({ kind: 'progress', item: bars.dl, fraction: 0, text: `apt-get ${args.filter((a) => !a.startsWith('-') && !a.includes('=')).join(' ')}` });
  return ctx.exec.run('apt-get', [...args, '-o', 'APT::Status-Fd=1'], {
    cwd: opts.cwd,
    env: APT_ENV,
    timeoutMs: APT_TIMEOUT,
    onLine: (line) => {
      const st = parseAptStatus(line);
      if (st) emit({ kind: 'progress', item: st.kind === 'dl' ? bars.dl : bars.pm, fraction: st.fraction, text: st.text });
      else if (/^(Get|Setting up|Unpacking|E:|W:|pmerror:)/.test(line)) emit({ kind: 'output', text: line });
    },
  });
}

/** One APT::Status-Fd line: which phase, how far (0..1), apt's own words; null for other lines. */
export function parseAptStatus(line: string): { kind: 'dl' | 'pm'; fraction: number; text: string } | null {
  const m = /^(dlstatus|pmstatus):([^:]*):(\d+(?:\.\d+)?):(.*)$/.exec(line);
  if (!m) return null;
  return { kind: m[1] === 'dlstatus' ? 'dl' : 'pm', fraction: Math.max(0, Math.min(1, Number(m[3]) / 100)), text: m[4]!.trim() };
}

/**
 * docker-ce from its repository (or a mirror of it). The mirror step has already written the apt
 * source when a docker-ce mirror was chosen; otherwise it is created here for Docker's own
 * repository, with the signing key fetched and accepted only when its fingerprint is Docker's.
 * Throws with the reason when any part fails, leaving apt's sources as they were.
 */
async function installFromDockerCe(ctx: Context, s: Prepared, packages: string[], emit: Emit): Promise<void> {
  const repo = dockerCeRepo(s.facts, s.answers.mirrors['docker-ce']);
  if (!repo) throw new Error(`no docker-ce repository for ${s.facts.os.prettyName}`);
  const created = hostPath(ctx.hostRoot, DOCKER_SOURCES);
  let wrote = false;
  if (!hasDockerCeSource((await aptSourceFiles(ctx)).map((f) => f.text))) {
    const choice = await choiceFor('docker-ce', repo.url, s.facts, await catalogueFor(ctx));
    if (!choice.result.alive) throw new Error(`${repo.base}: ${choice.result.error ?? 'not reachable'}`);
    const key = await fetchText(repo.gpgUrl, { timeoutMs: 15_000, maxBytes: 256 * 1024 });
    if (key.text === null) throw new Error(`${repo.gpgUrl}: ${key.error ?? 'no key'}`);
    const accepted = acceptedDockerKeys(ctx.env);
    if (accepted.test) emit({ kind: 'output', text: ctx.t('docker.testKey', { env: TEST_DOCKER_KEY_ENV, fingerprint: accepted.fingerprints[0]! }) });
    const fprs = primaryKeyFingerprints(key.text);
    if (!fprs.some((f) => accepted.fingerprints.includes(f))) throw new Error(`${repo.gpgUrl}: key ${fprs.join(', ') || '-'} is not ${accepted.test ? `the one ${TEST_DOCKER_KEY_ENV} names` : "Docker's"}`);
    const text = renderDockerSources(choice, { distro: repo.os, suite: repo.suite, arch: dpkgArch(s.facts.arch), keyArmored: key.text });
    await ctx.exec.writeFiles([{ path: created, content: text, mode: 0o644 }]);
    wrote = true;
  }
  try {
    await aptGet(ctx, ['update', '-q'], emit);
    await aptGet(ctx, ['install', '-y', '-q', ...packages], emit);
  } catch (e) {
    // Leave apt as we found it: a source that does not work would fail every later `apt-get update`.
    if (wrote) await ctx.exec.remove(created);
    throw e;
  }
}

/** Compose v2 on Debian 11/12: the plugin binary out of Debian 13's docker-compose package. */
async function installTrixiePlugin(ctx: Context, emit: Emit): Promise<void> {
  const uri = debianArchiveUri(await aptSourceFiles(ctx));
  if (!uri) throw new Error('no Debian archive in /etc/apt to fetch docker-compose from');
  const work = (await ctx.exec.run('mktemp', ['-d', '/tmp/stack-wizard-compose.XXXXXX'])).stdout.trim() || '/tmp/stack-wizard-compose';
  try {
    await ctx.exec.writeFiles([
      {
        path: join(work, 'parts', 'trixie.sources'),
        content: `Types: deb\nURIs: ${uri}\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
        mode: 0o644,
      },
    ]);
    for (const d of ['lists/partial', 'archives/partial']) await ctx.exec.mkdir(join(work, d));
    const opts = [
      '-o', 'Dir::Etc::SourceList=/dev/null', '-o', `Dir::Etc::SourceParts=${join(work, 'parts')}`, '-o', `Dir::State::Lists=${join(work, 'lists')}`,
      '-o', `Dir::Cache::Archives=${join(work, 'archives')}`, '-o', 'APT::Sandbox::User=root',
    ];
    await aptGet(ctx, [...opts, '-q', 'update'], emit);
    await aptGet(ctx, [...opts, '-q', 'download', 'docker-compose'], emit, { cwd: work });
    const deb = (await ctx.exec.listDir(work)).find((n) => /^docker-compose_.*\.deb$/.test(n));
    if (!deb && !ctx.exec.dryRun) throw new Error('apt-get download docker-compose gave no package');
    await ctx.exec.run('dpkg-deb', ['-x', join(work, deb ?? 'docker-compose.deb'), join(work, 'x')]);
    await ctx.exec.mkdir(LOCAL_PLUGIN_DIR, 0o755);
    await ctx.exec.run('install', ['-m', '0755', join(work, 'x/usr/libexec/docker/cli-plugins/docker-compose'), join(LOCAL_PLUGIN_DIR, 'docker-compose')]);
    emit({ kind: 'output', text: `docker-compose plugin → ${join(LOCAL_PLUGIN_DIR, 'docker-compose')}` });
  } finally {
    await ctx.exec.remove(work);
  }
}

async function installFromDistro(ctx: Context, s: Prepared, needEngine: boolean, emit: Emit): Promise<void> {
  const pk = distroPackages(s.facts);
  if (!pk) throw new Error(`${s.facts.os.prettyName} has no known Docker packages`);
  // A docker-ce source that cannot be reached makes `apt-get update` fail; the distribution's lists still load.
  await aptGet(ctx, ['update', '-q'], emit).catch((e: unknown) => emit({ kind: 'output', text: `apt-get update: ${(e as Error).message}` }));
  const packages = [...(needEngine ? pk.engine : []), ...(pk.compose.kind === 'package' ? [pk.compose.name] : [])];
  if (packages.length) await aptGet(ctx, ['install', '-y', '-q', ...packages], emit);
  if (pk.compose.kind === 'debian-trixie-plugin') await installTrixiePlugin(ctx, emit);
}

async function plannedChanges(ctx: Context, s: Prepared) {
  const st = await dockerState(ctx);
  const engine = await engineInstalled(ctx, st);
  const serverOld = st.serverVersion !== null && !versionAtLeast(parseVersion(st.serverVersion) ?? { major: 0, minor: 0, patch: 0 }, MIN_DOCKER.major, MIN_DOCKER.minor);
  const needCompose = !composeOk(st.composeVersion);
  const repo = dockerCeRepo(s.facts, s.answers.mirrors['docker-ce']);
  const changes: string[] = [];
  if (!engine || !st.cli) changes.push(ctx.t('chg.dockerInstall', { packages: DOCKER_CE_PACKAGES.join(' '), repo: repo?.base ?? '-' }));
  else if (needCompose) changes.push(ctx.t('chg.composeInstall', { repo: repo?.base ?? '-' }));
  if (st.systemd && st.enabled !== true) changes.push('systemctl enable --now docker');
  else if (st.serverVersion === null && (engine || !st.cli)) changes.push(st.systemd ? 'systemctl start docker' : 'service docker start');
  return { st, engine, serverOld, needCompose, changes };
}

export const dockerStep: Step = {
  id: 'docker',
  title: 'step.docker',
  async check(ctx, s) {
    const other = offEngine(ctx);
    if (other) return other;
    const p = await plannedChanges(ctx, s);
    return { needed: p.changes.length > 0, changes: p.changes };
  },
  async apply(ctx, s, emit) {
    const p = await plannedChanges(ctx, s);
    if (p.serverOld) throw hostError('pf.dockerOld', { have: p.st.serverVersion!, min: `${MIN_DOCKER.major}.${MIN_DOCKER.minor}` });
    const needEngine = !p.engine || !p.st.cli;
    const tried: string[] = [];
    if (needEngine || p.needCompose) {
      const packages = needEngine ? DOCKER_CE_PACKAGES : ['docker-compose-plugin'];
      let done = false;
      try {
        emit({ kind: 'output', text: ctx.t('docker.tryingCe', { url: dockerCeRepo(s.facts, s.answers.mirrors['docker-ce'])?.base ?? '-' }) });
        await installFromDockerCe(ctx, s, packages, emit);
        done = true;
      } catch (e) {
        tried.push(`docker-ce: ${ctx.exec.redact(e instanceof Error ? e.message : String(e))}`);
        emit({ kind: 'output', text: ctx.t('docker.ceFailed', { reason: tried[tried.length - 1]! }) });
      }
      if (!done) {
        try {
          emit({ kind: 'output', text: ctx.t('docker.tryingDistro', { os: s.facts.os.prettyName }) });
          await installFromDistro(ctx, s, needEngine, emit);
        } catch (e) {
          tried.push(`${s.facts.os.prettyName}: ${ctx.exec.redact(e instanceof Error ? e.message : String(e))}`);
          throw opError('err.dockerInstall', { os: s.facts.os.prettyName }, tried);
        }
      }
    }
    const st = await dockerState(ctx);
    if (st.systemd) {
      if (st.enabled !== true || st.serverVersion === null) await ctx.exec.run('systemctl', ['enable', '--now', 'docker.service'], { timeoutMs: 120_000 });
    } else if (st.serverVersion === null) {
      await ctx.exec.run('service', ['docker', 'start'], { timeoutMs: 120_000 });
    }
    if (ctx.exec.dryRun) return;
    // The engine answers and Compose v2 is there, or we say exactly what is missing.
    let after = await dockerState(ctx);
    for (let i = 0; i < 30 && after.serverVersion === null; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      after = await dockerState(ctx);
    }
    if (after.serverVersion === null) throw opError('err.dockerNotRunning', {}, tried);
    if (!composeOk(after.composeVersion)) throw opError('err.composeMissing', { have: after.composeVersion ?? '-' }, tried);
    emit({ kind: 'output', text: `Docker ${after.serverVersion}, Compose ${after.composeVersion}` });
  },
};
