// The bench's update section (scripts/bench-update.mjs bundles and runs this): a lab server with the
// lab stack, a client loop sending GET and POST through Nginx (support/traffic.ts), and four updates
// of the app: to a good image (with a migration), to one whose health check fails, to one that exits
// at start, and with a failing migration. Beside them, what an operator would otherwise run: edit the
// image and `docker compose up -d`, measured with the same loop in the same run.
import { IMAGES, Lab, waitFor, type Client, type Server } from '../../lab/lab.js';
import { Traffic, type TrafficResult } from './traffic.js';
import { INSTALL_DIR, STACK_IMAGES, runInit } from './apply-lab.js';
import { backupAnswers, setMigrate, wizard } from './backup-lab.js';

const ANSWERS = `${INSTALL_DIR}/stack-wizard.yaml`;

export interface UpdateCase { name: string; seconds: number; exitCode: number; traffic: TrafficResult; toServingS?: number; verdictS?: number }

async function version(client: Client, server: Server): Promise<string | null> {
  const r = await client.http(`http://${server.ip}/`).catch(() => null);
  return r && r.status === 200 ? (JSON.parse(r.body) as { version: string }).version : null;
}

export async function benchUpdate(): Promise<{ cases: UpdateCase[] }> {
  const lab = await Lab.create();
  try {
    const [server, client] = await Promise.all([lab.startServer(), lab.startClient()]);
    await lab.loadImages(server, [...STACK_IMAGES, IMAGES.appV2, IMAGES.appBroken, IMAGES.appCrash]);
    await lab.installWizard(server);
    await server.writeFile('/root/answers.yaml', backupAnswers());
    const init = await runInit(server, '/root/answers.yaml');
    if (init.exitCode !== 0) throw new Error(`init failed:\n${init.stderr}`);
    const set = async (image: string, migrate: string[] | null) => {
      await server.sh(`sed -i -E 's#stack-wizard-lab/app:[a-z0-9]+#${image}#' ${ANSWERS}`);
      await setMigrate(server, ANSWERS, migrate);
    };
    const cases: UpdateCase[] = [];
    const run = async (name: string, image: string, migrate: string[] | null, o: { want?: string; bad?: boolean } = {}) => {
      await set(image, migrate);
      const t = await Traffic.start(client, server);
      await t.further(6);
      const t0 = Date.now();
      let servingAt: number | null = null;
      const watch = o.want
        ? waitFor('the new version to serve', async () => ((await version(client, server)) === o.want ? (servingAt = Date.now()) : undefined), { timeoutMs: 900_000, intervalMs: 200 })
        : null;
      const r = await wizard(server, ['update', '--yes', '--no-pull']);
      const seconds = (Date.now() - t0) / 1000;
      await watch?.catch(() => undefined);
      await t.further(6);
      const traffic = await t.stop();
      const c: UpdateCase = { name, seconds, exitCode: r.exitCode, traffic };
      if (servingAt) c.toServingS = (servingAt - t0) / 1000;
      // The verdict on a bad image: its phase "start" (create, start, the verdict), as the update's history records it.
      if (o.bad) {
        const last = (await server.sh(`tail -n 1 ${INSTALL_DIR}/.stack-wizard/update-history.jsonl`)).trim();
        const start = (JSON.parse(last) as { phases?: Record<string, number> }).phases?.start;
        if (start !== undefined) c.verdictS = start;
      }
      cases.push(c);
    };
    await run('good image (app:ok → app:v2, with a migration)', IMAGES.appV2, ['printenv', 'APP_VERSION'], { want: '2' });
    await run('health check fails (app:broken)', IMAGES.appBroken, null, { bad: true });
    await run('exits at start (app:crash)', IMAGES.appCrash, null, { bad: true });
    await run('failing migration', IMAGES.app, ['false']);
    // What an operator would otherwise do: edit the image and `docker compose up -d` (stop, then start).
    await set(IMAGES.app, null);
    await server.sh(`sed -i -E 's#image: "stack-wizard-lab/app:v2"#image: "stack-wizard-lab/app:ok"#' ${INSTALL_DIR}/docker-compose.yml`);
    const t = await Traffic.start(client, server);
    await t.further(6);
    const t0 = Date.now();
    await server.compose(INSTALL_DIR, ['up', '-d', 'app']);
    await waitFor('app:ok to serve after compose up', async () => ((await version(client, server)) === '1' ? true : undefined), { timeoutMs: 600_000, intervalMs: 200 });
    const toServingS = (Date.now() - t0) / 1000;
    await t.further(6);
    cases.push({ name: 'docker compose up -d (app:v2 → app:ok), for comparison', seconds: toServingS, exitCode: 0, toServingS, traffic: await t.stop() });
    return { cases };
  } finally {
    await lab.cleanup();
  }
}

export function updateFigures(r: { cases: UpdateCase[] }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of r.cases) {
    const parts = [`${c.traffic.failed} of ${c.traffic.total} requests failed (${c.traffic.rate}/s GET+POST)`];
    if (c.toServingS !== undefined) parts.push(`new version serving after ${c.toServingS.toFixed(1)} s`);
    if (c.verdictS !== undefined) parts.push(`verdict after ${c.verdictS} s`);
    parts.push(`command ${c.seconds.toFixed(1)} s, exit ${c.exitCode}`);
    out[`update: ${c.name}`] = parts.join('; ');
  }
  // The comparison the bench is for: the side-by-side update against the plain `docker compose up -d`, same run.
  const good = r.cases.find((c) => c.name.startsWith('good image'));
  const plain = r.cases.find((c) => c.name.startsWith('docker compose up -d'));
  if (good?.toServingS !== undefined && plain?.toServingS !== undefined) {
    out['update: side by side vs docker compose up -d'] =
      `new version serving after ${good.toServingS.toFixed(1)} s vs ${plain.toServingS.toFixed(1)} s (×${(good.toServingS / plain.toServingS).toFixed(2)}, the side-by-side time includes the pre-update backup and the migration); ` +
      `failed requests ${good.traffic.failed} of ${good.traffic.total} vs ${plain.traffic.failed} of ${plain.traffic.total}`;
  }
  return out;
}
