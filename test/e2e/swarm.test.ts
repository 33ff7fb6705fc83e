// deploy: swarm on three lab servers (#20): the cluster formed with `stack-wizard cluster`, the
// rendered stack deployed, served through both edge nodes to a client on the "Internet", a rolling
// update under a client loop, a broken image rolled back, an app node stopped. Each server has its
// own Docker engine (no state of this machine's engine changes but the lab's containers and one
// private network). No IPVS here: the stack needs none (dnsrr, host-mode ports).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGES, Lab, docker, waitFor, type Client, type Server } from '../lab/lab.js';
import { RUN_LABEL } from '../lab/base.js';

const PROJECT = 'demo';
const DIR = `/opt/stack-wizard/${PROJECT}`;

let lab: Lab;
let client: Client;
let n1: Server; // manager: edge + data
let n2: Server; // edge + app
let n3: Server; // app
let lan = '';
const lanIp: Record<string, string> = {};
/** Swarm node IDs by container name (a prepared server's host name is set late; IDs are certain). */
const nodeId: Record<string, string> = {};
const t0 = Date.now();
const figures: Record<string, string | number> = {};
const mark = (k: string, since: number) => {
  figures[k] = `${((Date.now() - since) / 1000).toFixed(1)} s`;
  process.stderr.write(`swarm e2e: ${k} ${figures[k]}\n`);
};

function answers(appImage: string): string {
  return [
    `project: ${PROJECT}`,
    'preset: 4g',
    'deploy: swarm',
    'swarm: { appReplicas: 2 }',
    'app: { image: "' + appImage + '", port: 8000, health: /health, runtime: python-wsgi }',
    'database: { engine: mariadb, version: "10.11" }',
    `images: { mysql: "${IMAGES.mariadb}", redis: "${IMAGES.redis}", nginx: "${IMAGES.nginx130}" }`,
    'security: { firewall: false, fail2ban: false }',
    'backup: { schedule: "off" }',
    '',
  ].join('\n');
}

/** Renders on the manager with stack-wizard and deploys as the stack file's header says. */
async function deploy(appImage: string): Promise<void> {
  await n1.writeFile('/root/answers.yaml', answers(appImage), '0600');
  await n1.exec(['stack-wizard', 'render', '--answers', '/root/answers.yaml', '--out', DIR]);
  // No registry in the lab: each node has the images loaded, so the tags are not resolved to digests.
  await n1.sh(
    `cd ${DIR} && set -a && . ./.env && set +a && docker stack deploy --prune --resolve-image never -c docker-stack.yml ${PROJECT}`,
  );
}

interface SvcState {
  replicas: string;
  image: string;
  update: string;
}
async function services(): Promise<Record<string, SvcState>> {
  const ls = await n1.docker(['service', 'ls', '--format', '{{.Name}} {{.Replicas}} {{.Image}}']);
  const out: Record<string, SvcState> = {};
  for (const line of ls.stdout.trim().split('\n')) {
    const [name, replicas, image] = line.split(' ');
    const up = await n1.docker([
      'service',
      'inspect',
      '-f',
      '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}',
      name!,
    ]);
    out[name!.replace(`${PROJECT}_`, '')] = { replicas: replicas!, image: image!, update: up.stdout.trim() };
  }
  return out;
}

async function healthyTasks(service: string): Promise<{ node: string; image: string }[]> {
  // Running tasks whose container reports healthy, per node (each node's engine knows its own containers).
  const out: { node: string; image: string }[] = [];
  for (const n of [n1, n2, n3]) {
    const r = await n.docker(
      [
        'ps',
        '--filter',
        `label=com.docker.swarm.service.name=${PROJECT}_${service}`,
        '--filter',
        'health=healthy',
        '--format',
        '{{.Image}}',
      ],
      { allowFail: true },
    );
    for (const image of r.stdout.trim().split('\n').filter(Boolean))
      out.push({ node: n.name, image: image.replace(/@sha256:.*$/, '') });
  }
  return out;
}

const edges = () => [n1.ip, n2.ip];

/** A client loop against both edges until `stop` exists: each request's status, counted. */
async function startLoop(tag: string): Promise<() => Promise<{ ok: number; failed: number; codes: string }>> {
  const script = `rm -f /tmp/stop-${tag}; ok=0; bad=0; codes=""
while [ ! -e /tmp/stop-${tag} ]; do for ip in ${edges().join(' ')}; do
  c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://$ip/" || true)
  if [ "$c" = 200 ]; then ok=$((ok+1)); else bad=$((bad+1)); codes="$codes $ip:$c"; fi
done; sleep 0.1; done; echo "$ok $bad$codes"`;
  const running = client.exec(['bash', '-c', script], { timeoutMs: 400_000 });
  return async () => {
    await client.exec(['touch', `/tmp/stop-${tag}`]);
    const [ok, failed, ...codes] = (await running).stdout.trim().split(' ');
    return { ok: Number(ok), failed: Number(failed), codes: codes.join(' ') };
  };
}

beforeAll(async () => {
  lab = await Lab.create({ images: ['nginx-1.30'] });
  const s = Date.now();
  const app = [IMAGES.app, IMAGES.appV2, IMAGES.appBroken];
  [n1, n2, n3, client] = await Promise.all([
    lab.startServer({ name: 'sw1', images: [IMAGES.mariadb, IMAGES.redis, IMAGES.nginx130], wizard: true }),
    lab.startServer({ name: 'sw2', images: [IMAGES.nginx130, ...app], wizard: true }),
    lab.startServer({ name: 'sw3', images: app, wizard: true }),
    lab.startClient(),
  ]);
  // The servers' private network (the swarm runs on it; the client is not on it). Docker picks a free private range.
  lan = `swlab-${lab.runId}-${lab.labId}-lan`;
  await docker(['network', 'create', '--label', `${RUN_LABEL}=${lab.runId}`, lan]);
  for (const n of [n1, n2, n3]) {
    await docker(['network', 'connect', lan, n.name]);
    lanIp[n.name] = (
      await docker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${lan}").IPAddress}}`, n.name])
    ).stdout.trim();
  }
  mark('servers with images and the wizard', s);
}, 900_000);

afterAll(async () => {
  if (lan) {
    for (const n of [n1, n2, n3])
      if (n) await docker(['network', 'disconnect', '-f', lan, n.name], { allowFail: true });
    await docker(['network', 'rm', lan], { allowFail: true });
  }
  await lab?.cleanup();
  figures.total = `${((Date.now() - t0) / 1000).toFixed(0)} s`;
  console.log('swarm e2e figures', JSON.stringify(figures));
});

describe('a three-node swarm formed with stack-wizard cluster', () => {
  let join = '';

  it('cluster init advertises the private address only and prints the join command', async () => {
    const s = Date.now();
    const r = await n1.exec(['stack-wizard', 'cluster', 'init', '--roles', 'edge,data']);
    expect(r.stdout).toContain(`Swarm started on ${lanIp[n1.name]}`);
    const m = /stack-wizard cluster join (\S+) (SWMTKN-1-\S+)/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(m![1]).toBe(`${lanIp[n1.name]}:2377`);
    join = `stack-wizard cluster join ${m![1]} ${m![2]}`;
    // A second init is refused, naming the way out.
    const again = await n1.exec(['stack-wizard', 'cluster', 'init'], { allowFail: true });
    expect(again.exitCode).toBe(3);
    expect(again.stderr).toContain('cluster leave');
    await Promise.all([n2.sh(join), n3.sh(join)]);
    mark('cluster formed', s);
    for (const n of [n1, n2, n3])
      nodeId[n.name] = (await n.docker(['info', '--format', '{{.Swarm.NodeID}}'])).stdout.trim();
  });

  it('cluster label gives roles; cluster status --json shows nodes, roles, resources and health', async () => {
    await n1.exec(['stack-wizard', 'cluster', 'label', nodeId[n2.name]!, 'edge,app']);
    await n1.exec(['stack-wizard', 'cluster', 'label', nodeId[n3.name]!, 'app']);
    const bad = await n1.exec(['stack-wizard', 'cluster', 'label', nodeId[n3.name]!, 'web'], { allowFail: true });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('unknown role "web"');
    const st = JSON.parse((await n1.exec(['stack-wizard', 'cluster', 'status', '--json'])).stdout) as {
      nodes: {
        id: string;
        role: string;
        leader: boolean;
        roles: string[];
        address: string;
        cpus: number;
        memoryMiB: number;
        healthy: boolean;
      }[];
    };
    const byId = (n: Server) => st.nodes.find((x) => x.id === nodeId[n.name]);
    const row = (n: Server) => [
      byId(n)?.role,
      byId(n)?.leader,
      byId(n)?.roles.join(','),
      byId(n)?.healthy,
      byId(n)?.address,
    ];
    expect([n1, n2, n3].map(row)).toEqual([
      ['manager', true, 'edge,data', true, lanIp[n1.name]],
      ['worker', false, 'edge,app', true, lanIp[n2.name]],
      ['worker', false, 'app', true, lanIp[n3.name]],
    ]);
    for (const n of st.nodes) {
      expect(n.cpus).toBeGreaterThan(0);
      expect(n.memoryMiB).toBeGreaterThan(512);
    }
    const text = (await n1.exec(['stack-wizard', 'cluster', 'status'])).stdout;
    expect(text).toMatch(/every role \(edge, app, data\) has a ready node/);
  });
});

describe('the stack on the swarm', () => {
  it("deploys and serves through both edge nodes to the Internet, with the client's real address", async () => {
    const s = Date.now();
    await deploy(IMAGES.app);
    await waitFor(
      'the stack to converge',
      async () => {
        const [app, ngx, db, rd] = await Promise.all([
          healthyTasks('app'),
          healthyTasks('nginx'),
          healthyTasks('mysql'),
          healthyTasks('redis'),
        ]);
        return app.length === 2 && ngx.length === 2 && db.length === 1 && rd.length === 1 ? true : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 2000 },
    );
    mark('stack converged', s);
    // Placement by role: data on sw1, nginx on the edges, the app on the app nodes.
    expect((await healthyTasks('mysql')).map((x) => x.node)).toEqual([n1.name]);
    expect((await healthyTasks('nginx')).map((x) => x.node).sort()).toEqual([n1.name, n2.name].sort());
    for (const x of await healthyTasks('app')) expect([n2.name, n3.name]).toContain(x.node);
    for (const ip of edges()) {
      await waitFor(
        `${ip} to serve`,
        async () => ((await client.http(`http://${ip}/health`)).status === 200 ? true : undefined),
        { timeoutMs: 60_000 },
      );
      const r = await client.http(`http://${ip}/`);
      expect(r.status).toBe(200);
      expect(r.body).toMatch(/"version"/);
    }
    // Host-mode publishing: Nginx on sw2 logged the client's own address, not a mesh or gateway address.
    const id = (
      await n2.docker(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${PROJECT}_nginx`])
    ).stdout.trim();
    const log = (await n2.docker(['exec', id, 'sh', '-c', 'cat /var/log/nginx/*access*'])).stdout;
    expect(log).toContain(client.ip);
  });

  it('rolls the app to a new image with no failed request under a client loop', async () => {
    const s = Date.now();
    const stop = await startLoop('update');
    await deploy(IMAGES.appV2);
    await waitFor(
      'the update to complete',
      async () => {
        const app = (await services()).app!;
        const tasks = await healthyTasks('app');
        return app.update === 'completed' && tasks.length === 2 && tasks.every((x) => x.image === IMAGES.appV2)
          ? true
          : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 2000 },
    );
    const loop = await stop();
    mark('rolling update', s);
    figures['rolling update requests'] = `${loop.ok} ok, ${loop.failed} failed${loop.codes ? ` (${loop.codes})` : ''}`;
    expect(loop.ok).toBeGreaterThan(50);
    expect(loop.failed, loop.codes).toBe(0);
    expect((await client.http(`http://${n2.ip}/`)).body).toMatch(/"version": ?"?2/);
  });

  it('rolls a broken image back by itself, and the site keeps serving', async () => {
    const s = Date.now();
    const stop = await startLoop('broken');
    await deploy(IMAGES.appBroken);
    const state = await waitFor(
      'the rollback',
      async () => {
        const u = (await services()).app!.update;
        return u === 'rollback_completed' || u === 'rollback_paused' || u === 'paused' ? u : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 2000 },
    );
    const loop = await stop();
    mark('broken image rolled back', s);
    figures['rollback requests'] = `${loop.ok} ok, ${loop.failed} failed${loop.codes ? ` (${loop.codes})` : ''}`;
    expect(state).toBe('rollback_completed');
    await waitFor(
      'two healthy v2 tasks',
      async () => {
        const tasks = await healthyTasks('app');
        return tasks.length === 2 && tasks.every((x) => x.image === IMAGES.appV2) ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 2000 },
    );
    expect(loop.failed, loop.codes).toBe(0);
  });

  it('keeps serving when an app node stops: its tasks move to the other app node', async () => {
    const s = Date.now();
    const stop = await startLoop('nodedown');
    await docker(['stop', n3.name]);
    await waitFor(
      'sw3 down and the app back to two healthy replicas on sw2',
      async () => {
        const st = JSON.parse(
          (await n1.exec(['stack-wizard', 'cluster', 'status', '--json'], { allowFail: true })).stdout,
        ) as { nodes: { id: string; state: string }[] };
        const down = st.nodes.find((n) => n.id === nodeId[n3.name])?.state === 'down';
        const tasks = (await healthyTasks('app')).filter((x) => x.node === n2.name);
        return down && tasks.length === 2 ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 2000 },
    );
    const loop = await stop();
    mark('app node lost, rescheduled', s);
    figures['node loss requests'] = `${loop.ok} ok, ${loop.failed} failed${loop.codes ? ` (${loop.codes})` : ''}`;
    for (const ip of edges()) expect((await client.http(`http://${ip}/health`)).status).toBe(200);
    // status says the cluster is not whole: exit 4.
    expect((await n1.exec(['stack-wizard', 'cluster', 'status'], { allowFail: true })).exitCode).toBe(4);
    // Requests in flight on sw3 when it stopped may fail; the rest are served by sw2.
    expect(loop.ok).toBeGreaterThan(20);
    expect(loop.failed / (loop.ok + loop.failed)).toBeLessThan(0.05);
  });

  it('Swarm ports: unreachable from the Internet, reachable between nodes', async () => {
    for (const port of [2377, 7946]) {
      const from = await client.exec(['nc', '-z', '-w', '3', n1.ip, String(port)], { allowFail: true });
      expect(from.exitCode, `client → ${n1.ip}:${port}`).not.toBe(0);
      const between = await n2.exec(['timeout', '3', 'bash', '-c', `</dev/tcp/${lanIp[n1.name]}/${port}`], {
        allowFail: true,
      });
      expect(between.exitCode, `sw2 → ${lanIp[n1.name]}:${port}`).toBe(0);
    }
  });
});
