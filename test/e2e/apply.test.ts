// init on a realistic server, exactly as an operator runs it: the wizard installed from its npm
// tarball on the lab's systemd server with its own Docker engine, the lab answers file, the real
// generated configs. Proves: healthy stack serving through the published Nginx port to the app and
// its MySQL and Redis; a second init changes nothing; status --json matches docker inspect; a broken
// app image ends in exit 1 with its logs while the previous healthy stack keeps serving; every
// container runs hardened (#15.8) and MariaDB and Redis come back from a restart under it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGES, Lab, type Client, type Server } from '../lab/lab.js';
import { waitFor } from '../support/proc.js';
import { ANSWERS, BROKEN_ANSWERS, INSTALL_DIR, PROJECT, STACK_IMAGES, labAnswers, runInit, sampleMemory, type InitRun } from './support/apply-lab.js';

let lab: Lab;
let server: Server;
let client: Client;
let first: InitRun;
let peak: Awaited<ReturnType<ReturnType<typeof sampleMemory>['stop']>>;

interface Inspect {
  Id: string;
  Image: string;
  Config: { Image: string; Labels: Record<string, string> };
  State: { Status: string; StartedAt: string; Health?: { Status: string } };
  HostConfig: { Memory: number; NanoCpus: number; CapDrop: string[] | null; CapAdd: string[] | null; ReadonlyRootfs: boolean; SecurityOpt: string[] | null; PidsLimit: number | null; Tmpfs: Record<string, string> | null };
  NetworkSettings: { Ports: Record<string, { HostIp: string; HostPort: string }[] | null> };
}

async function containers(): Promise<Inspect[]> {
  const ids = (await server.docker(['ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${PROJECT}`])).stdout.split('\n').filter(Boolean);
  return ids.length ? (JSON.parse((await server.docker(['inspect', ...ids])).stdout) as Inspect[]) : [];
}
const byService = (cs: Inspect[]) => Object.fromEntries(cs.map((c) => [c.Config.Labels['com.docker.compose.service']!, c]));

/**
 * Every file of the install dir with its hash and modification time; not the logs, which grow, nor
 * the tool's run state: the maintenance lock (every operation writes its name into it and empties
 * it) and notify.json (what was sent per event, kept by every operation).
 */
const snapshotFiles = () =>
  server.sh(
    `cd ${INSTALL_DIR} && find . \\( -path ./logs -o -path ./.stack-wizard/maintenance.lock -o -path ./.stack-wizard/notify.json \\) -prune -o -type f -printf '%p %T@ ' -exec sha256sum {} \\; | sort`,
  );

beforeAll(async () => {
  lab = await Lab.create();
  [server, client] = await Promise.all([lab.startServer({ images: STACK_IMAGES, wizard: true }), lab.startClient()]);
  await server.writeFile(ANSWERS, labAnswers());
  await server.writeFile(BROKEN_ANSWERS, labAnswers(IMAGES.appBroken));
  const mem = sampleMemory(server, PROJECT);
  first = await runInit(server, ANSWERS);
  peak = await mem.stop();
  console.log(`init to healthy: ${(first.wallMs / 1000).toFixed(1)} s; peak memory of the stack while starting: ${(peak.peakBytes / 1024 ** 2).toFixed(0)} MiB over ${peak.samples} samples`);
});

afterAll(async () => {
  await lab?.cleanup();
});

describe('init on the lab server', () => {
  it('brings the whole stack to healthy, and a request through the published Nginx port reaches the app, MySQL and Redis', async () => {
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toMatch(/Done: \d+ step\(s\) applied/);
    const cs = await containers();
    expect(Object.keys(byService(cs)).sort()).toEqual(['app', 'mysql', 'nginx', 'redis']);
    for (const c of cs) expect(c.State.Health?.Status, c.Config.Labels['com.docker.compose.service']).toBe('healthy');

    const health = await client.http(`http://${server.ip}/health`);
    expect(health.status).toBe(200);
    // The app reached both through DATABASE_URL and REDIS_URL, and every DB_*/REDIS_* part agreed with them.
    expect(JSON.parse(health.body)).toMatchObject({ mysql: 'ok', redis: 'ok', status: 'ok', parts: ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD', 'REDIS_HOST', 'REDIS_PORT', 'REDIS_PASSWORD'] });
    // Real writes through Nginx → app → MariaDB and Redis.
    const items = await client.http(`http://${server.ip}/items`, { args: ['-X', 'POST', '-H', 'content-type: application/json', '-d', '{"count": 25, "prefix": "e2e"}'] });
    expect(items.status).toBe(201);
    expect(JSON.parse((await client.http(`http://${server.ip}/items/summary`)).body)).toMatchObject({ count: 25 });
    const kv = await client.http(`http://${server.ip}/kv`, { args: ['-X', 'POST', '-H', 'content-type: application/json', '-d', '{"count": 10, "prefix": "e2e"}'] });
    expect(kv.status).toBe(201);
    expect(JSON.parse((await client.http(`http://${server.ip}/kv/summary`)).body)).toMatchObject({ count: 10 });
    // The peak memory while starting is a figure for the bench (apply-lab.ts), not a pass mark: the
    // kernel holds each container under its limit, so "below the sum of the limits" could not fail.
    // What must hold is that it was measured, for every service.
    expect(peak.samples).toBeGreaterThan(0);
    expect(Object.keys(peak.perService).sort()).toEqual(['app', 'mysql', 'nginx', 'redis']);
    for (const [svc, bytes] of Object.entries(peak.perService)) expect(bytes, svc).toBeGreaterThan(0);
    const limits = cs.reduce((n, c) => n + c.HostConfig.Memory, 0);
    console.log(`peak ${(peak.peakBytes / 1024 ** 2).toFixed(0)} MiB of ${(limits / 1024 ** 2).toFixed(0)} MiB of limits; per service: ${Object.entries(peak.perService).map(([k, v]) => `${k} ${(v / 1024 ** 2).toFixed(0)} MiB`).join(', ')}`);
  });

  it('logs every action to the install dir, without a secret', async () => {
    const log = await server.readFile(`${INSTALL_DIR}/logs/stack-wizard.log`);
    expect(log).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z run: docker compose .* up -d --remove-orphans → exit 0$/m);
    expect(log).toMatch(/write: \/opt\/stack-wizard\/labshop\/docker-compose\.yml → created/);
    const env = await server.readFile(`${INSTALL_DIR}/.env`);
    for (const [, v] of env.matchAll(/^[A-Z_]+_PASSWORD=(\S+)$/gm)) expect(log).not.toContain(v);
    expect((await server.sh(`stat -c %a ${INSTALL_DIR}/logs/stack-wizard.log`)).trim()).toBe('600');
  });

  it('a second init changes nothing: no file rewritten, no container recreated or restarted', async () => {
    const files = await snapshotFiles();
    const before = (await containers()).map((c) => `${c.Id} ${c.State.StartedAt}`).sort();
    const again = await runInit(server, ANSWERS);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/Nothing to change: the server already matches these answers\./);
    expect(await snapshotFiles()).toBe(files);
    expect((await containers()).map((c) => `${c.Id} ${c.State.StartedAt}`).sort()).toEqual(before);
  });

  it('status --json reports what is really running', async () => {
    const clock = async () => Number((await server.sh('date +%s.%N')).trim()) * 1000;
    const t0 = await clock();
    const r = await server.exec(['stack-wizard', 'status', '--json']);
    const t1 = await clock();
    const st = JSON.parse(r.stdout) as {
      project: string; healthy: boolean; checkedAt: string;
      services: { service: string; containerId: string; state: string; health: string; image: string; imageId: string; digest: string | null; startedAt: string; uptimeSeconds: number; restarts: number;
        ports: { hostIp: string; hostPort: number; containerPort: number; protocol: string }[]; memory: { usedBytes: number; limitBytes: number }; cpu: { limitCpus: number } }[];
    };
    // checkedAt is the server's clock during the run, and every uptime is counted to it.
    const checked = Date.parse(st.checkedAt);
    expect(checked).toBeGreaterThanOrEqual(Math.floor(t0) - 1);
    expect(checked).toBeLessThanOrEqual(Math.ceil(t1) + 1);
    const digests = Object.fromEntries(
      await Promise.all(Object.values(byService(await containers())).map(async (c) => [c.Image, JSON.parse((await server.docker(['image', 'inspect', '-f', '{{json .RepoDigests}}', c.Image])).stdout) as string[]] as const)),
    );
    expect(st).toMatchObject({ project: PROJECT, healthy: true });
    const real = byService(await containers());
    expect(st.services.map((s) => s.service).sort()).toEqual(Object.keys(real).sort());
    for (const s of st.services) {
      const c = real[s.service]!;
      expect(s.containerId).toBe(c.Id);
      expect(s.state).toBe(c.State.Status);
      expect(s.health).toBe(c.State.Health!.Status);
      expect(s.image).toBe(c.Config.Image);
      expect(s.imageId).toBe(c.Image);
      expect(s.startedAt).toBe(c.State.StartedAt);
      // Seconds from the container's start to checkedAt (the Engine gives nanoseconds: whole seconds here).
      expect(Math.abs(s.uptimeSeconds - (checked - Date.parse(c.State.StartedAt)) / 1000)).toBeLessThanOrEqual(1);
      expect(s.uptimeSeconds).toBeGreaterThan(0);
      expect(s.restarts).toBe(0);
      // Images loaded with docker load have no registry digest: null, as the Engine says (RepoDigests []).
      expect(digests[c.Image]).toEqual([]);
      expect(s.digest).toBeNull();
      expect(s.memory.limitBytes).toBe(c.HostConfig.Memory);
      expect(s.memory.usedBytes).toBeGreaterThan(0);
      expect(s.memory.usedBytes).toBeLessThan(s.memory.limitBytes);
      expect(s.cpu.limitCpus).toBe(c.HostConfig.NanoCpus / 1e9);
      const published = Object.entries(c.NetworkSettings.Ports ?? {}).flatMap(([k, v]) => (v ?? []).map((b) => `${b.HostIp}:${b.HostPort}->${k}`)).sort();
      expect(s.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`).sort()).toEqual(published);
    }
    expect(st.services.find((s) => s.service === 'nginx')!.ports.map((p) => p.hostPort)).toContain(80);
    for (const s of ['mysql', 'redis', 'app']) expect(st.services.find((x) => x.service === s)!.ports).toEqual([]);
  });

  it('runs every container hardened (#15.8): all capabilities dropped but those its entrypoint needs, read-only root, no new privileges, a process limit; MariaDB and Redis restart healthy under it', async () => {
    const svc = byService(await containers());
    const want: Record<string, { caps: string[]; tmpfs: string[] }> = {
      app: { caps: [], tmpfs: ['/tmp'] },
      mysql: { caps: ['CAP_CHOWN', 'CAP_DAC_READ_SEARCH', 'CAP_SETGID', 'CAP_SETUID'], tmpfs: ['/run/mysqld', '/tmp'] },
      redis: { caps: ['CAP_CHOWN', 'CAP_DAC_READ_SEARCH', 'CAP_SETGID', 'CAP_SETUID'], tmpfs: ['/tmp'] },
      nginx: { caps: ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE', 'CAP_SETGID', 'CAP_SETUID'], tmpfs: ['/run', '/tmp', '/var/cache/nginx'] },
    };
    expect(Object.keys(svc).sort()).toEqual(Object.keys(want).sort());
    // Engines differ in spelling (CHOWN or CAP_CHOWN): compare without the prefix.
    const bare = (l: string[] | null) => (l ?? []).map((c) => c.replace(/^CAP_/, '')).sort();
    for (const [name, w] of Object.entries(want)) {
      const h = svc[name]!.HostConfig;
      expect(bare(h.CapDrop), name).toEqual(['ALL']);
      expect(bare(h.CapAdd), name).toEqual(bare(w.caps));
      expect(h.ReadonlyRootfs, name).toBe(true);
      expect(h.SecurityOpt, name).toContain('no-new-privileges:true');
      expect(h.PidsLimit, name).toBeGreaterThanOrEqual(64);
      expect(Object.keys(h.Tmpfs ?? {}).sort(), name).toEqual(w.tmpfs);
      // The kernel's view: the root file system refuses a write, and the main process's bounding set is what was asked.
      const touch = await server.docker(['exec', svc[name]!.Id, 'sh', '-c', 'touch /stack-wizard-probe'], { allowFail: true });
      expect(touch.exitCode, name).not.toBe(0);
      expect(touch.stderr, name).toMatch(/Read-only file system/);
      const status = await server.docker(['exec', svc[name]!.Id, 'cat', '/proc/1/status']);
      const bnd = BigInt(`0x${/^CapBnd:\s*([0-9a-f]+)$/m.exec(status.stdout)![1]}`);
      const bits = { CHOWN: 0, DAC_OVERRIDE: 1, DAC_READ_SEARCH: 2, SETGID: 6, SETUID: 7, NET_BIND_SERVICE: 10 } as Record<string, number>;
      expect(bnd, name).toBe(bare(w.caps).reduce((n, c) => n | (1n << BigInt(bits[c]!)), 0n));
      expect(/^NoNewPrivs:\s*1$/m.test(status.stdout), name).toBe(true);
    }
    // The servers dropped to their own users (gosu/setpriv step): no effective capability left.
    for (const name of ['mysql', 'redis']) {
      const eff = /^CapEff:\s*([0-9a-f]+)$/m.exec((await server.docker(['exec', svc[name]!.Id, 'cat', '/proc/1/status'])).stdout)![1];
      expect(BigInt(`0x${eff}`), name).toBe(0n);
    }
    // A restart is where the entrypoints' find walks the servers' own 0700 folders as root (DAC_READ_SEARCH).
    await server.docker(['restart', svc.mysql!.Id, svc.redis!.Id], { timeoutMs: 180_000 });
    await waitFor(
      'MariaDB and Redis healthy again after a restart',
      async () => {
        const after = byService(await containers());
        return ['mysql', 'redis'].every((n) => after[n]!.State.Health?.Status === 'healthy' && after[n]!.State.StartedAt !== svc[n]!.State.StartedAt);
      },
      { timeoutMs: 180_000, intervalMs: 1000 },
    );
    const health = await client.http(`http://${server.ip}/health`);
    expect(health.status).toBe(200);
    expect(JSON.parse((await client.http(`http://${server.ip}/items/summary`)).body)).toMatchObject({ count: 25 });
    expect(JSON.parse((await client.http(`http://${server.ip}/kv/summary`)).body)).toMatchObject({ count: 10 });
  });

  it('a broken app image ends with exit 1 naming app with its logs, and the previous healthy stack still runs and serves', async () => {
    const before = byService(await containers());
    const r = await runInit(server, BROKEN_ANSWERS);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/the stack did not become healthy \(app\); the previous healthy state was restored/);
    expect(r.stderr).toMatch(/^ {2}app: running, health unhealthy/m);
    // The app's own log lines, as the operator needs them.
    expect(r.stderr).toMatch(/GET \/health HTTP\/1\.1" 500/);
    // Back on the healthy image, files and containers, and serving the data written before.
    const after = byService(await containers());
    expect(after.app!.Config.Image).toBe(IMAGES.app);
    for (const c of Object.values(after)) expect(c.State.Health?.Status).toBe('healthy');
    expect(after.mysql!.Id).toBe(before.mysql!.Id);
    expect(await server.sh(`grep -c 'image: "${IMAGES.appBroken}"' ${INSTALL_DIR}/docker-compose.yml || true`)).toBe('0\n');
    const health = await client.http(`http://${server.ip}/health`);
    expect(health.status).toBe(200);
    expect(JSON.parse((await client.http(`http://${server.ip}/items/summary`)).body)).toMatchObject({ count: 25 });
    // The failure is in the log too.
    expect(await server.readFile(`${INSTALL_DIR}/logs/stack-wizard.log`)).toMatch(/init failed: the stack did not become healthy \(app\)/);
  });
});
