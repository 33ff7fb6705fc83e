// deploy: swarm on two lab servers (#20), lean: each server its own Docker engine, on a private
// network of their own (the swarm runs there; the client on the "Internet" is not on it). The
// cluster formed with `stack-wizard cluster`, the stack deployed by `stack-wizard init` on the
// manager (docker stack deploy, firewall on with the nodes' addresses), the site served on every
// node's host-mode port, the Swarm ports closed to the Internet and open between the nodes, then a
// node stopped: its app task moves to the other node, which keeps serving, and status/cluster
// status say so. No sleeps: every wait is on a condition. No IPVS here: the stack needs none
// (dnsrr, host-mode ports).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGES, Lab, docker, waitFor, type Client, type Server } from '../lab/lab.js';
import { RUN_LABEL } from '../lab/base.js';

const PROJECT = 'demo';
const ANSWERS = '/root/answers.yaml';

let lab: Lab;
let client: Client;
let n1: Server; // manager: edge, data, app
let n2: Server; // edge, app
let lan = '';
const lanIp: Record<string, string> = {};
const nodeId: Record<string, string> = {};
const t0 = Date.now();
const figures: Record<string, string> = {};
const mark = (k: string, since: number) => {
  figures[k] = `${((Date.now() - since) / 1000).toFixed(1)} s`;
  process.stderr.write(`swarm e2e: ${k} ${figures[k]}\n`);
};

const answers = () =>
  [
    `project: ${PROJECT}`,
    'preset: 4g',
    'deploy: swarm',
    `swarm: { appReplicas: 2, nodes: [${lanIp[n1.name]}, ${lanIp[n2.name]}] }`,
    `app: { image: "${IMAGES.app}", port: 8000, health: /health, runtime: python-wsgi }`,
    'database: { engine: mariadb, version: "10.11" }',
    `images: { mysql: "${IMAGES.mariadb}", redis: "${IMAGES.redis}", nginx: "${IMAGES.nginx130}" }`,
    'security: { firewall: true, fail2ban: false }',
    'backup: { schedule: "off" }',
    '',
  ].join('\n');

interface SwarmJson {
  swarm: {
    healthy: boolean;
    services: { name: string; running: number; desired: number; tasks: Record<string, string[]> }[];
    nodesDown: { hostname: string; state: string }[];
  };
}
const status = async (): Promise<SwarmJson['swarm']> =>
  (JSON.parse((await n1.exec(['stack-wizard', 'status', '--json'])).stdout) as SwarmJson).swarm;
/** The node's name in the swarm: its engine's host name (a prepared server's own is set after its engine started). */
const hostnameOf = async (n: Server) => (await n.docker(['info', '--format', '{{.Name}}'])).stdout.trim();

beforeAll(async () => {
  const s = Date.now();
  lab = await Lab.create({ images: ['nginx-1.30'] });
  const images = [IMAGES.mariadb, IMAGES.redis, IMAGES.nginx130, IMAGES.app];
  [n1, n2, client] = await Promise.all([
    lab.startServer({ name: 'sw1', images, wizard: true }),
    lab.startServer({ name: 'sw2', images, wizard: true }),
    lab.startClient(),
  ]);
  // The servers' private network; Docker picks a free private range.
  lan = `swlab-${lab.runId}-${lab.labId}-lan`;
  await docker(['network', 'create', '--label', `${RUN_LABEL}=${lab.runId}`, lan]);
  for (const n of [n1, n2]) {
    await docker(['network', 'connect', lan, n.name]);
    lanIp[n.name] = (
      await docker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${lan}").IPAddress}}`, n.name])
    ).stdout.trim();
  }
  mark('servers with images and the wizard', s);
}, 600_000);

afterAll(async () => {
  if (lan) {
    for (const n of [n1, n2]) if (n) await docker(['network', 'disconnect', '-f', lan, n.name], { allowFail: true });
    await docker(['network', 'rm', lan], { allowFail: true });
  }
  await lab?.cleanup();
  figures.total = `${((Date.now() - t0) / 1000).toFixed(0)} s`;
  console.log('swarm e2e figures', JSON.stringify(figures));
});

describe('a two-node swarm, deployed by init', () => {
  it('cluster init on the private address, join, label', async () => {
    const s = Date.now();
    const r = await n1.exec(['stack-wizard', 'cluster', 'init', '--roles', 'edge,data,app']);
    expect(r.stdout).toContain(`Swarm started on ${lanIp[n1.name]}`);
    const m = /stack-wizard cluster join (\S+) (SWMTKN-1-\S+)/.exec(r.stdout);
    expect(m![1]).toBe(`${lanIp[n1.name]}:2377`);
    await n2.exec(['stack-wizard', 'cluster', 'join', m![1]!, m![2]!]);
    for (const n of [n1, n2])
      nodeId[n.name] = (await n.docker(['info', '--format', '{{.Swarm.NodeID}}'])).stdout.trim();
    await n1.exec(['stack-wizard', 'cluster', 'label', nodeId[n2.name]!, 'edge,app']);
    mark('cluster formed', s);
  });

  it('init --dry-run shows docker stack deploy and the per-node sizes, and deploys nothing', async () => {
    await n1.writeFile(ANSWERS, answers(), '0600');
    const r = await n1.exec(['stack-wizard', 'init', '--dry-run', '--answers', ANSWERS]);
    expect(r.stdout).toContain(
      `docker stack deploy --prune --with-registry-auth -c /opt/stack-wizard/${PROJECT}/docker-stack.yml ${PROJECT}`,
    );
    expect(r.stdout).toMatch(/app: \d+ MiB, [\d.]+ CPU per task, sized for node /);
    expect((await n1.docker(['service', 'ls', '-q'])).stdout.trim()).toBe('');
  });

  it('init deploys the stack; every node serves the site on its host-mode port; status shows the tasks per node', async () => {
    const s = Date.now();
    const r = await n1.exec(['stack-wizard', 'init', '--yes', '--answers', ANSWERS], {
      allowFail: true,
      timeoutMs: 480_000,
    });
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    mark('init (deploy, converged)', s);
    const st = await status();
    expect(st.healthy).toBe(true);
    const svc = (n: string) => st.services.find((x) => x.name === n)!;
    expect([svc('app').running, svc('app').desired]).toEqual([2, 2]);
    expect(Object.keys(svc('nginx').tasks).sort()).toEqual([await hostnameOf(n1), await hostnameOf(n2)].sort());
    expect(Object.keys(svc('mysql').tasks)).toEqual([await hostnameOf(n1)]);
    for (const n of [n1, n2]) {
      const h = await client.http(`http://${n.ip}/`);
      expect(h.status, n.name).toBe(200);
      expect(h.body).toMatch(/"version"/);
    }
    // A second init has nothing to deploy.
    const again = await n1.exec(['stack-wizard', 'init', '--dry-run', '--answers', ANSWERS]);
    expect(again.stdout).not.toContain('docker stack deploy');
  });

  it('the Swarm ports: closed to the Internet by ufw, open between the nodes', async () => {
    const rules = await n1.sh('ufw show added');
    expect(rules).toContain(`ufw allow from ${lanIp[n2.name]} to any port 2377 proto tcp comment 'stack-wizard swarm'`);
    const fromInternet = await client.exec(['nc', '-z', '-w', '3', n1.ip, '2377'], { allowFail: true });
    expect(fromInternet.exitCode).not.toBe(0);
    const between = await n2.exec(['timeout', '3', 'bash', '-c', `</dev/tcp/${lanIp[n1.name]}/2377`], {
      allowFail: true,
    });
    expect(between.exitCode).toBe(0);
  });

  it('update on the swarm: nothing to do when nothing changed; a new app image is a changed stack file and a deploy (dry run)', async () => {
    const same = await n1.exec(['stack-wizard', 'update', '--dry-run']);
    expect(same.stdout).toContain('Everything is up to date');
    await n1.writeFile('/root/answers-v2.yaml', answers().replace(IMAGES.app, IMAGES.appV2), '0600');
    const v2 = await n1.exec(['stack-wizard', 'update', '--dry-run', '--answers', '/root/answers-v2.yaml']);
    expect(v2.stdout).toContain('~ docker-stack.yml');
    expect(v2.stdout).toContain(
      `docker stack deploy --prune --with-registry-auth -c /opt/stack-wizard/${PROJECT}/docker-stack.yml ${PROJECT}`,
    );
    // Nothing deployed by the dry run: the app still runs the first image.
    expect(
      (await n1.docker(['service', 'inspect', '-f', '{{.Spec.TaskTemplate.ContainerSpec.Image}}', `${PROJECT}_app`]))
        .stdout,
    ).toContain(IMAGES.app);
  });

  it('a node stopped: its app task moves to the other node, which keeps serving; status and cluster status say so', async () => {
    const s = Date.now();
    const h2 = await hostnameOf(n2);
    await docker(['stop', '--time', '5', n2.name]);
    await waitFor(
      'the node down and two app tasks running on the manager',
      async () => {
        const st = await status();
        const app = st.services.find((x) => x.name === 'app')!;
        return st.nodesDown.length === 1 && app.running === 2 && Object.keys(app.tasks).length === 1 ? st : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 2000 },
    );
    mark('node lost, app rescheduled', s);
    const h = await client.http(`http://${n1.ip}/`);
    expect(h.status).toBe(200);
    const cs = await n1.exec(['stack-wizard', 'cluster', 'status'], { allowFail: true });
    expect(cs.exitCode).toBe(4);
    expect(cs.stdout).toMatch(new RegExp(`node ${h2} is down/`));
    const text = (await n1.exec(['stack-wizard', 'status'])).stdout;
    expect(text).toMatch(new RegExp(`! node ${h2} is down/`));
  });
});
