// Docker install when it is missing, on the lab's systemd Debian 12 server with its Docker removed
// (apt-get purge), as init's Docker step runs it:
// - every source dead (the docker-ce mirror refuses connections, apt reaches nothing): exit 1 with
//   the message naming both attempts and what to do; a docker-ce repository signed by a key that is
//   not Docker's is refused the same way;
// - the chosen docker-ce mirror does not answer: the step falls back to Debian's docker.io and, since
//   Debian 12 packages no Compose v2, to the plugin from Debian 13's docker-compose package through
//   the server's own Debian mirror; systemd enables and starts the engine, the operator's
//   daemon.json kept; a second run changes nothing;
// - the docker-ce mirror answers: a loopback stand-in of Docker's repository on the server
//   (support/docker-ce-repo.ts: the same layout and packages, signed by a test key that
//   STACK_WIZARD_TEST_DOCKER_KEY_FINGERPRINT names) is added with its key inline, and apt installs
//   docker-ce, docker-ce-cli, containerd.io, docker-compose-plugin and docker-buildx-plugin from it.
// The only other network traffic is to the Debian mirror the server is set up with.
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, PROJECT_ROOT, waitFor, type Server } from '../lab/lab.js';
import { buildDockerCeRepo, type StandInRepo } from './support/docker-ce-repo.js';

let lab: Lab;
let server: Server;
let repo: StandInRepo;
/** The stand-in docker-ce mirror, served on the server's loopback. */
const REPO_URL = 'http://127.0.0.1:8081';
const DEAD_URL = 'http://127.0.0.1:9/docker-ce';
/** Docker removed as apt would (only what is installed: apt refuses a purge naming an unknown package), plugins and docker.sources too. */
const PURGE = [
  'systemctl stop docker.socket docker.service containerd.service',
  'pkgs=$(for p in docker.io containerd runc docker-ce docker-ce-cli containerd.io docker-compose-plugin docker-buildx-plugin; do dpkg -s "$p" >/dev/null 2>&1 && echo "$p"; done)',
  'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $pkgs >/dev/null',
  'rm -f /usr/libexec/docker/cli-plugins/docker-compose /usr/local/lib/docker/cli-plugins/docker-compose /etc/apt/sources.list.d/docker.sources',
  '! command -v docker',
].join('\n');

interface Line { event?: { kind: string; text?: string }; reports?: { id: string; status: string; changes: string[] }[]; error?: { key: string; message: string; details: string[] }; actions?: { kind: string; summary: string; outcome?: string }[] }
const parse = (out: string) => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);

async function step(mirror: string, env: Record<string, string> = {}) {
  const r = await server.exec(['node', '/opt/sw/docker-step.mjs', mirror], { allowFail: true, timeoutMs: 900_000, env });
  return { ...r, lines: parse(r.stdout) };
}
const outputsOf = (r: { lines: Line[] }) => r.lines.filter((l) => l.event?.kind === 'output').map((l) => l.event!.text ?? '');

/** apt with no network at all (a proxy that refuses) and no package lists: the distribution's packages are out of reach. */
async function aptOffline(on: boolean): Promise<void> {
  if (on) await server.sh(`printf 'Acquire::http::Proxy "http://127.0.0.1:9/";\nAcquire::https::Proxy "http://127.0.0.1:9/";\n' > /etc/apt/apt.conf.d/99-lab-offline && rm -rf /var/lib/apt/lists/* && apt-get clean`);
  else await server.sh('rm -f /etc/apt/apt.conf.d/99-lab-offline && apt-get update -qq', { timeoutMs: 300_000 });
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-docker-step-'));
  const bundle = join(dir, 'docker-step.mjs');
  await build({
    entryPoints: [join(PROJECT_ROOT, 'test/e2e/support/docker-step-entry.ts')],
    outfile: bundle, bundle: true, platform: 'node', format: 'esm', target: 'node20.19', loader: { '.yaml': 'text', '.tmpl': 'text' }, logLevel: 'warning',
    external: ['cpu-features', '*.node'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);" },
  });
  lab = await Lab.create();
  server = await lab.startServer();
  repo = await buildDockerCeRepo({ arch: (await server.sh('dpkg --print-architecture')).trim(), suite: 'bookworm' });
  // A server without Docker: the engine, its CLI and the Compose plugin removed as apt would.
  await server.sh(PURGE, { timeoutMs: 300_000 });
  await server.exec(['mkdir', '-p', '/opt/sw']);
  await server.copyIn(bundle, '/opt/sw/docker-step.mjs');
  await server.copyIn(repo.root, '/srv/docker-ce');
  await server.sh(`systemd-run --unit=docker-ce-mirror python3 -m http.server 8081 --bind 127.0.0.1 --directory /srv/docker-ce`);
  await waitFor('the stand-in docker-ce mirror', async () => (await server.exec(['curl', '-fsS', '-o', '/dev/null', `${REPO_URL}/linux/debian/dists/bookworm/InRelease`], { allowFail: true })).exitCode === 0);
}, 900_000);

afterAll(async () => {
  await lab?.cleanup();
});

describe('Docker install on a Debian 12 server without Docker', () => {
  it('every source dead: exit 1 with the message naming each attempt and what to do; a repository signed by another key is refused too', async () => {
    await aptOffline(true);
    try {
      const r = await step(DEAD_URL);
      expect(r.exitCode).toBe(1);
      const err = r.lines.find((l) => l.error)!.error!;
      expect(err.key).toBe('err.dockerInstall');
      expect(err.message).toBe("could not install Docker on Debian GNU/Linux 12 (bookworm): neither the docker-ce repository nor the distribution's packages worked. Choose a reachable docker-ce mirror (mirrors.docker-ce; stack-wizard mirrors --kind docker-ce), check apt (apt-get update), and run init again. What was tried:");
      expect(err.details).toHaveLength(2);
      expect(err.details[0]).toMatch(/^docker-ce: http:\/\/127\.0\.0\.1:9\/docker-ce\/linux\/debian: \S/);
      expect(err.details[1]).toMatch(/^Debian GNU\/Linux 12 \(bookworm\): apt-get install -y -q docker\.io -o APT::Status-Fd=1 exited 100: .*(Unable to locate package docker\.io|has no installation candidate)/);

      // The stand-in repository answers, but its key is not Docker's: refused, never installed from.
      const k = await step(REPO_URL);
      expect(k.exitCode).toBe(1);
      const kerr = k.lines.find((l) => l.error)!.error!;
      expect(kerr.key).toBe('err.dockerInstall');
      expect(kerr.details[0]).toBe(`docker-ce: ${REPO_URL}/linux/debian/gpg: key ${repo.fingerprint} is not Docker's`);
      for (const x of [r, k]) expect(x.lines.find((l) => l.actions)!.actions!.filter((a) => a.kind === 'write')).toEqual([]);
      expect(await server.sh('ls /etc/apt/sources.list.d/')).not.toMatch(/docker/);
      expect((await server.exec(['sh', '-c', 'command -v docker'], { allowFail: true })).exitCode).not.toBe(0);
    } finally {
      await aptOffline(false);
    }
  });

  it('falls back from a dead docker-ce mirror to Debian docker.io plus the Compose v2 plugin from Debian 13, and systemd runs the engine', async () => {
    const daemonJson = JSON.parse(await server.readFile('/etc/docker/daemon.json')) as Record<string, unknown>;
    const r = await step('http://127.0.0.1:9/docker-ce');
    const err = r.lines.find((l) => l.error)?.error;
    expect(err, JSON.stringify({ err, outputs: r.lines.filter((l) => l.event?.kind === "output").map((l) => l.event!.text).filter((t) => !/^(Get|Setting up|Unpacking)/.test(t ?? "")) })).toBeUndefined();
    expect(r.exitCode).toBe(0);
    const outputs = r.lines.filter((l) => l.event?.kind === 'output').map((l) => l.event!.text ?? '');
    expect(outputs.some((t) => /docker-ce repository failed: .*127\.0\.0\.1:9/.test(t))).toBe(true);
    expect(outputs.some((t) => /Debian GNU\/Linux 12.*own Docker packages/.test(t))).toBe(true);
    expect(outputs).toContain('docker-compose plugin → /usr/local/lib/docker/cli-plugins/docker-compose');
    expect(outputs.at(-1)).toMatch(/^Docker 20\.10\.\S+, Compose 2\.\d+/);
    const actions = r.lines.find((l) => l.actions)!.actions!;
    expect(actions.some((a) => a.summary.startsWith('apt-get install -y -q docker.io'))).toBe(true);
    // Debian's postinst enables and starts docker.service itself; the step checks and does it only when not.
    expect(actions.filter((a) => a.summary.startsWith('systemctl ')).every((a) => a.summary === 'systemctl enable --now docker.service')).toBe(true);
    // Nothing of the failed attempt is left in apt's sources; no Debian 13 package is installed.
    expect(await server.sh('ls /etc/apt/sources.list.d/')).not.toMatch(/docker/);
    expect(await server.sh("dpkg-query -W -f '${Package} ${Version}\\n' | grep -c '+deb13\\|~deb13' || true")).toBe('0\n');
    // systemd runs the engine with the operator's daemon.json, and Compose v2 is a working plugin.
    expect((await server.sh('systemctl is-enabled docker.service; systemctl is-active docker.service')).split('\n')).toEqual(['enabled', 'active', '']);
    expect((await server.sh("docker info --format '{{.Driver}}'")).trim()).toBe('overlay2');
    expect((await server.sh('docker compose version --short')).trim()).toMatch(/^v?2\./);
    expect(JSON.parse(await server.readFile('/etc/docker/daemon.json'))).toEqual(daemonJson);
  });

  it('a second run changes nothing', async () => {
    const r = await step('http://127.0.0.1:9/docker-ce');
    expect(r.exitCode).toBe(0);
    expect(r.lines.find((l) => l.reports)!.reports).toEqual([{ id: 'docker', title: 'Docker Engine and Compose v2', status: 'skipped', changes: [] }]);
    expect(r.lines.find((l) => l.actions)!.actions).toEqual([]);
  });

  it('the docker-ce mirror answers: its repository is added with the key inline and apt installs the five docker-ce packages from it', async () => {
    await server.sh(PURGE, { timeoutMs: 300_000 });
    const daemonJson = await server.readFile('/etc/docker/daemon.json');
    const r = await step(REPO_URL, { STACK_WIZARD_TEST_DOCKER_KEY_FINGERPRINT: repo.fingerprint });
    const err = r.lines.find((l) => l.error)?.error;
    expect(err, JSON.stringify({ err, outputs: outputsOf(r).filter((t) => !/^(Get|Setting up|Unpacking)/.test(t)) })).toBeUndefined();
    expect(r.exitCode).toBe(0);
    const outputs = outputsOf(r);
    expect(outputs).toContain(`installing from the docker-ce repository ${REPO_URL}/linux/debian`);
    // The override says so wherever it is used.
    expect(outputs).toContain(`TEST ONLY: STACK_WIZARD_TEST_DOCKER_KEY_FINGERPRINT is set, so the docker-ce repository is accepted with the key ${repo.fingerprint} instead of Docker's`);
    expect(outputs.filter((t) => /docker-ce repository failed|own Docker packages/.test(t))).toEqual([]);
    expect(outputs.at(-1)).toMatch(/^Docker 20\.10\.\S+, Compose 2\.\d+/);
    const actions = r.lines.find((l) => l.actions)!.actions!;
    expect(actions.map((a) => a.summary)).toContain('apt-get install -y -q docker-ce docker-ce-cli containerd.io docker-compose-plugin docker-buildx-plugin -o APT::Status-Fd=1');
    expect(actions.some((a) => a.summary.includes('docker.io'))).toBe(false);
    // The repository as apt sees it: deb822 with the signing key inline, and the packages from it.
    const sources = await server.readFile('/etc/apt/sources.list.d/docker.sources');
    expect(sources).toContain(`URIs: ${REPO_URL}/linux/debian\nSuites: bookworm\nComponents: stable\n`);
    expect(sources).toMatch(/^Signed-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----$/m);
    const installed = await server.sh("dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev}\\n' docker-ce docker-ce-cli containerd.io docker-compose-plugin docker-buildx-plugin");
    for (const p of repo.packages) expect(installed).toMatch(new RegExp(`^${p.replace('.', '\\.')} 5:99\\.0\\.0-1~lab~bookworm ii $`, 'm'));
    // Debian's docker.io conflicts with docker-ce: it is not there; the engine and CLI are the docker-ce packages'.
    expect((await server.exec(['dpkg', '-s', 'docker.io'], { allowFail: true })).stdout).not.toMatch(/^Status: install ok installed$/m);
    expect((await server.sh('dpkg -S /usr/sbin/dockerd /usr/bin/docker')).trim().split('\n')).toEqual(['docker-ce: /usr/sbin/dockerd', 'docker-ce-cli: /usr/bin/docker']);
    expect(await server.sh('apt-cache policy docker-ce')).toContain(`${REPO_URL}/linux/debian bookworm/stable`);
    // Compose v2 is the plugin the docker-compose-plugin package put in place; systemd runs the engine with daemon.json kept.
    expect((await server.sh('dpkg -S /usr/libexec/docker/cli-plugins/docker-compose')).trim()).toBe('docker-compose-plugin: /usr/libexec/docker/cli-plugins/docker-compose');
    expect((await server.sh('docker compose version --short')).trim()).toMatch(/^v?2\./);
    expect((await server.sh('systemctl is-enabled docker.service; systemctl is-active docker.service')).split('\n')).toEqual(['enabled', 'active', '']);
    expect(await server.readFile('/etc/docker/daemon.json')).toBe(daemonJson);
  });
});
