// Docker install when it is missing, on the lab's systemd Debian 12 server with its Docker removed
// (apt-get purge): the chosen docker-ce mirror does not answer, so the step falls back to Debian's
// docker.io and, since Debian 12 packages no Compose v2, to the plugin from Debian 13's
// docker-compose package through the server's own Debian mirror; then systemd enables and starts
// the engine, with the operator's daemon.json kept. A second run changes nothing. The only network
// traffic is to the Debian mirror the server is set up with.
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, PROJECT_ROOT, type Server } from '../lab/lab.js';

let lab: Lab;
let server: Server;

interface Line { event?: { kind: string; text?: string }; reports?: { id: string; status: string; changes: string[] }[]; error?: { key: string; message: string; details: string[] }; actions?: { kind: string; summary: string; outcome?: string }[] }
const parse = (out: string) => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);

async function step(mirror: string) {
  const r = await server.exec(['node', '/opt/sw/docker-step.mjs', mirror], { allowFail: true, timeoutMs: 900_000 });
  return { ...r, lines: parse(r.stdout) };
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-docker-step-'));
  const bundle = join(dir, 'docker-step.mjs');
  await build({
    entryPoints: [join(PROJECT_ROOT, 'test/e2e/support/docker-step-entry.ts')],
    outfile: bundle, bundle: true, platform: 'node', format: 'esm', target: 'node20.19', loader: { '.yaml': 'text' }, logLevel: 'warning',
    external: ['cpu-features', '*.node'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);" },
  });
  lab = await Lab.create();
  server = await lab.startServer();
  // A server without Docker: the engine, its CLI and the Compose plugin removed as apt would.
  await server.sh('systemctl stop docker.socket docker.service containerd.service; DEBIAN_FRONTEND=noninteractive apt-get purge -y -q docker.io containerd runc >/dev/null; rm -f /usr/libexec/docker/cli-plugins/docker-compose; ! command -v docker', { timeoutMs: 300_000 });
  await server.exec(['mkdir', '-p', '/opt/sw']);
  await server.copyIn(bundle, '/opt/sw/docker-step.mjs');
}, 900_000);

afterAll(async () => {
  await lab?.cleanup();
});

describe('Docker install on a Debian 12 server without Docker', () => {
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
    expect((await server.sh("docker info --format '{{.Driver}}'")).trim()).toBe('vfs');
    expect((await server.sh('docker compose version --short')).trim()).toMatch(/^v?2\./);
    expect(JSON.parse(await server.readFile('/etc/docker/daemon.json'))).toEqual(daemonJson);
  });

  it('a second run changes nothing', async () => {
    const r = await step('http://127.0.0.1:9/docker-ce');
    expect(r.exitCode).toBe(0);
    expect(r.lines.find((l) => l.reports)!.reports).toEqual([{ id: 'docker', title: 'Docker Engine and Compose v2', status: 'skipped', changes: [] }]);
    expect(r.lines.find((l) => l.actions)!.actions).toEqual([]);
  });
});
