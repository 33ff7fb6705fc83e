// `update` on the lab server: the operator changes app.image in the stack's answers and runs
// `stack-wizard update --yes`. Proves: an image whose health check fails (app:broken) is rolled
// back to the recorded image and files and the stack serves as before; when the failed version
// changed the schema meanwhile (a migration), the pre-update backup's data comes back too; a good
// image (app:v2) is rolled out service by service and the stack ends healthy and idempotent; a file
// edited by hand is not overwritten without --yes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGES, Lab, waitFor, type Client, type Server } from '../lab/lab.js';
import { INSTALL_DIR, PROJECT, STACK_IMAGES, backupAnswers, post, runInit, sql, summaries, uploads, wizard } from './support/backup-lab.js';

let lab: Lab;
let server: Server;
let client: Client;
const STACK_ANSWERS = `${INSTALL_DIR}/stack-wizard.yaml`;

/** Points the installed stack's answers at another app image, as an operator would edit it. */
const setAppImage = (image: string) => server.sh(`sed -i -E 's#stack-wizard-lab/app:[a-z0-9]+#${image}#' ${STACK_ANSWERS} && grep -c '${image}' ${STACK_ANSWERS}`);

const appImageRunning = async () => (await server.docker(['inspect', '-f', '{{.Config.Image}}', `${PROJECT}-app-1`])).stdout.trim();

beforeAll(async () => {
  lab = await Lab.create();
  [server, client] = await Promise.all([lab.startServer(), lab.startClient()]);
  await lab.loadImages(server, [...STACK_IMAGES, IMAGES.appV2]);
  await lab.installWizard(server);
  await server.writeFile('/root/lab/answers.yaml', backupAnswers());
  const init = await runInit(server, '/root/lab/answers.yaml');
  if (init.exitCode !== 0) throw new Error(`init failed:\n${init.stdout}\n${init.stderr}`);
  await post(client, server, '/items', { count: 300, prefix: 'u' });
  await post(client, server, '/kv', { count: 40, prefix: 'u' });
  await server.sh(`cd ${INSTALL_DIR} && docker compose exec -T app sh -c 'echo kept > /data/file.txt'`);
});

afterAll(async () => {
  await lab?.cleanup();
});

describe('update on the lab server', () => {
  it('nothing to do when images and files are current', async () => {
    const r = await wizard(server, ['update', '--no-pull']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Everything is up to date: nothing to change\./);
  });

  it('app:ok → app:broken: shows the diff, fails the health gate, rolls back image and files, and serves as before', async () => {
    const before = await summaries(client, server);
    const compose = await server.readFile(`${INSTALL_DIR}/docker-compose.yml`);
    await setAppImage(IMAGES.appBroken);
    const preview = await wizard(server, ['update', '--no-pull']);
    expect(preview.exitCode).toBe(2);
    expect(preview.stdout).toMatch(/app: stack-wizard-lab\/app:ok \([0-9a-f]{12}\) → stack-wizard-lab\/app:broken \([0-9a-f]{12}\)/);
    expect(preview.stdout).toMatch(/^ {4}-    image: "stack-wizard-lab\/app:ok"$/m);
    expect(preview.stdout).toMatch(/^ {4}\+    image: "stack-wizard-lab\/app:broken"$/m);
    expect(await appImageRunning()).toBe(IMAGES.app);

    // Pulls are tried first (no registry here): a failed pull with a local copy is a warning.
    const r = await wizard(server, ['update', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/could not pull, the local image is used: stack-wizard-lab\/app:broken/);
    expect(r.stderr).toMatch(/the update failed its health check \(app\); the previous images and files were put back and the stack is healthy/);
    expect(r.stderr).toMatch(/app: running, health unhealthy/);
    expect(await appImageRunning()).toBe(IMAGES.app);
    expect(await server.readFile(`${INSTALL_DIR}/docker-compose.yml`)).toBe(compose);
    expect((await client.http(`http://${server.ip}/health`)).status).toBe(200);
    expect(await summaries(client, server)).toEqual(before);
    for (const line of (await server.compose(INSTALL_DIR, ['ps', '--format', '{{.Service}} {{.Health}}'])).stdout.trim().split('\n')) expect(line).toMatch(/ healthy$/);
  });

  it('a failed update that changed the schema (a migration ran) also puts the pre-update data back', async () => {
    const before = await summaries(client, server);
    const files = await uploads(server);
    await setAppImage(IMAGES.appBroken);
    const run = wizard(server, ['update', '--yes', '--no-pull']);
    // While the new version starts, it "migrates": a history table, a new column, rows rewritten.
    await waitFor('the broken app to be started', async () => (await appImageRunning()) === IMAGES.appBroken, { timeoutMs: 600_000, intervalMs: 500 });
    await sql(server, "CREATE TABLE django_migrations (id INT PRIMARY KEY, name VARCHAR(64)); INSERT INTO django_migrations VALUES (1, '0002_items_status'); ALTER TABLE items ADD COLUMN status VARCHAR(8) DEFAULT 'new'; UPDATE items SET value = CONCAT(value, '-v2');");
    const r = await run;
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/the database schema changed during the failed update \(a migration ran\): restoring the pre-update backup \d{8}-\d{6}-pre-update/);
    expect(r.stderr).toMatch(/after changing the database; the previous images, files and the data of backup \d{8}-\d{6}-pre-update were put back/);
    expect(await appImageRunning()).toBe(IMAGES.app);
    expect(await sql(server, 'SHOW TABLES;')).toBe('items\n');
    expect(await summaries(client, server)).toEqual(before);
    expect(await uploads(server)).toBe(files);
  });

  it('app:ok → app:v2 rolls out behind the health gates and a second update changes nothing', async () => {
    const before = await summaries(client, server);
    await setAppImage(IMAGES.appV2);
    const r = await wizard(server, ['update', '--yes', '--no-pull']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/updating mysql[\s\S]*updating redis[\s\S]*updating app[\s\S]*updating nginx/);
    expect(r.stdout).toMatch(/Updated and healthy: app/);
    expect(await appImageRunning()).toBe(IMAGES.appV2);
    expect(JSON.parse((await client.http(`http://${server.ip}/`)).body)).toMatchObject({ version: '2' });
    expect(await summaries(client, server)).toEqual(before);
    const again = await wizard(server, ['update', '--no-pull']);
    expect(again.stdout).toMatch(/Everything is up to date/);
    // init agrees: what update applied is recorded as the healthy state.
    expect((await runInit(server, STACK_ANSWERS)).stdout).toMatch(/Nothing to change: the server already matches these answers\./);
  });

  it('a file edited by hand is named and not overwritten without --yes; with --yes it is replaced and kept aside', async () => {
    const conf = `${INSTALL_DIR}/redis/redis.conf`;
    await server.sh(`echo '# my tuning' >> ${conf}`);
    // A change of the answers that rewrites redis.conf.
    await server.sh(`sed -i -E 's/^  mode: "?cache"?$/  mode: queue/' ${STACK_ANSWERS} && grep -c 'mode: queue' ${STACK_ANSWERS}`);
    const r = await wizard(server, ['update', '--no-pull']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/~ redis\/redis\.conf {2}\(edited by hand\)/);
    expect(r.stderr).toMatch(/update would overwrite files edited by hand \(redis\/redis\.conf\); nothing was changed/);
    expect(await server.readFile(conf)).toMatch(/# my tuning/);
    const y = await wizard(server, ['update', '--no-pull', '--yes']);
    expect(y.exitCode, y.stderr).toBe(0);
    expect(await server.readFile(conf)).toMatch(/^maxmemory-policy noeviction$/m);
    expect(await server.sh(`cat ${INSTALL_DIR}/.stack-wizard/hand-edited/*/redis/redis.conf`)).toMatch(/# my tuning/);
  });
});
