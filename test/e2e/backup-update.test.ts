// `update` on the lab server: the operator changes app.image in the stack's answers and runs
// `stack-wizard update --yes`. Proves: an image that cannot be pulled and is not on the host stops
// the update before anything changes; an image whose health check fails (app:broken) is rolled
// back to the recorded image and files and the stack serves as before; when the failed version
// changed the schema meanwhile (a migration), the pre-update backup's data comes back too; an
// update killed with SIGKILL half way is found by the next update and init, and is rolled back
// (update --rollback --yes) or finished (update --yes); a good image (app:v2) is rolled out service
// by service and the stack ends healthy and idempotent; a file edited by hand is not overwritten
// without --yes; a new stack-wizard whose template version is higher shows every file's diff and
// rewrites them with the stack healthy. Every update's images before and after stay recorded: in
// the pre-update backup's manifest and in .stack-wizard/update-history.jsonl. Last, the database's
// series upgrade (update --to-series, MariaDB 10.11 → 11.8): refusals first (exit 2, nothing
// changed, both languages), a new server that never becomes healthy (the data copy, the files and
// 10.11 come back), then the real upgrade (mariadb-upgrade, rows kept, database.version 11.8) and a
// downgrade refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGES, Lab, waitFor, type Client, type Server } from '../lab/lab.js';
import { buildWithTemplateVersion, currentTemplateVersion } from './support/template-bump.js';
import { Traffic, type TrafficResult } from './support/traffic.js';
import { INSTALL_DIR, PROJECT, STACK_IMAGES, backupAnswers, listBackups, post, runInit, setMigrate, sql, summaries, uploads, wizard } from './support/backup-lab.js';

let lab: Lab;
let server: Server;
let client: Client;
const STACK_ANSWERS = `${INSTALL_DIR}/stack-wizard.yaml`;

const setMigrateTo = (argv: string[] | null) => setMigrate(server, STACK_ANSWERS, argv);

/** Runs `fn` (an update) while the client loop sends GET and POST through Nginx; the loop's counts. */
async function underTraffic<T>(fn: () => Promise<T>): Promise<{ result: T; traffic: TrafficResult }> {
  const t = await Traffic.start(client, server);
  // A few requests before the update starts, so the loop is known to reach the old version, and a few after it.
  await t.further(6);
  try {
    const result = await fn();
    await t.further(6);
    return { result, traffic: await t.stop() };
  } catch (e) {
    await t.stop().catch(() => undefined);
    throw e;
  }
}

/** Points the installed stack's answers at another app image, as an operator would edit it. */
const setAppImage = (image: string) => server.sh(`sed -i -E 's#stack-wizard-lab/app:[a-z0-9]+#${image}#' ${STACK_ANSWERS} && grep -c '${image}' ${STACK_ANSWERS}`);

/** The images of the app containers that run (one outside an update; two while old and new run side by side). */
const appImages = async () =>
  (await server.docker(['ps', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--filter', 'label=com.docker.compose.service=app', '--filter', 'label=com.docker.compose.oneoff=False', '--format', '{{.Image}}'])).stdout.trim().split('\n').filter(Boolean).sort();
const appImageRunning = async () => (await appImages()).join(' ');
/** The IDs of the app containers that run. */
const appIds = async () => (await server.docker(['ps', '-q', '--no-trunc', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--filter', 'label=com.docker.compose.service=app', '--filter', 'label=com.docker.compose.oneoff=False'])).stdout.trim();
/** The shell test for "a container of the new image runs beside the old one" (side-by-side start). */
const newAppRunsSh = (image: string) => `docker ps --filter label=com.docker.compose.project=${PROJECT} --filter label=com.docker.compose.service=app --format '{{.Image}}' | grep -qx '${image}'`;
const imageId = async (ref: string) => (await server.docker(['image', 'inspect', '-f', '{{.Id}}', ref])).stdout.trim();
const JOURNAL = `${INSTALL_DIR}/.stack-wizard/update.json`;
const COMPOSE = `${INSTALL_DIR}/docker-compose.yml`;

interface Recorded { image: string; imageId: string; digests: string[] }
interface HistoryEntry { phases?: Record<string, number>; outcome: string; backupId: string; templateFrom: number | null; templateTo: number | null; changed: string[]; files: string[]; before: Record<string, Recorded>; after: Record<string, Recorded> }
async function history(): Promise<HistoryEntry[]> {
  const r = await server.exec(['cat', `${INSTALL_DIR}/.stack-wizard/update-history.jsonl`], { allowFail: true });
  return r.exitCode === 0 ? r.stdout.trim().split('\n').map((l) => JSON.parse(l) as HistoryEntry) : [];
}
const journalExists = async () => (await server.exec(['test', '-e', JOURNAL], { allowFail: true })).exitCode === 0;
const allHealthy = async () => {
  for (const line of (await server.compose(INSTALL_DIR, ['ps', '--format', '{{.Service}} {{.Health}}'])).stdout.trim().split('\n')) expect(line).toMatch(/ healthy$/);
};

/**
 * Starts `stack-wizard update --yes --no-pull` and SIGKILLs it half way: the journal says applying
 * and the app already runs the new image (Nginx not yet done). A watcher on the server polls and kills.
 */
async function killUpdateMidway(newImage: string): Promise<{ journal: { phase: string; backupId: string; services: Record<string, Recorded>; files: { path: string; content: string | null }[] } }> {
  const out = await server.sh(
    [
      'stack-wizard update --yes --no-pull >/tmp/killed-update.log 2>&1 &',
      'pid=$!',
      'for i in $(seq 1 6000); do',
      `  if grep -qs '"phase": "applying"' ${JOURNAL} && ${newAppRunsSh(newImage)}; then kill -9 $pid; echo killed; break; fi`,
      '  kill -0 $pid 2>/dev/null || { echo "finished before the kill"; break; }',
      '  sleep 0.1',
      'done',
      'while kill -0 $pid 2>/dev/null; do sleep 0.1; done',
    ].join('\n'),
    { timeoutMs: 900_000 },
  );
  if (!/^killed$/m.test(out)) throw new Error(`the update was not killed half way: ${out}\n${await server.readFile('/tmp/killed-update.log')}`);
  return { journal: JSON.parse(await server.readFile(JOURNAL)) };
}

beforeAll(async () => {
  // MariaDB 11.8 is loaded into the server only by the series upgrade's step (last).
  lab = await Lab.create({ images: ['mariadb-11.8'] });
  [server, client] = await Promise.all([lab.startServer({ images: [...STACK_IMAGES, IMAGES.appV2, IMAGES.appCrash, IMAGES.appBroken], wizard: true }), lab.startClient()]);
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

  it('an image that cannot be pulled and is not on this host stops the update before anything changes', async () => {
    const compose = await server.readFile(COMPOSE);
    const app = (await server.docker(['inspect', '-f', '{{.Id}}', `${PROJECT}-app-1`])).stdout.trim();
    const backups = (await listBackups(server)).length;
    await setAppImage('stack-wizard-lab/app:nowhere');
    const r = await wizard(server, ['update', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/update stopped before changing anything: 1 image\(s\) could not be pulled and are not on this host/);
    expect(r.stderr).toMatch(/stack-wizard-lab\/app:nowhere/);
    expect(await server.readFile(COMPOSE)).toBe(compose);
    expect((await server.docker(['inspect', '-f', '{{.Id}}', `${PROJECT}-app-1`])).stdout.trim()).toBe(app);
    expect((await listBackups(server)).length).toBe(backups);
    expect(await journalExists()).toBe(false);
    expect(await history()).toEqual([]);
    await setAppImage(IMAGES.app);
    expect((await wizard(server, ['update', '--no-pull'])).stdout).toMatch(/Everything is up to date/);
  });

  it('app:ok → app:crash under traffic (GET and POST through Nginx): caught on its first exit, removed, 0 failed requests, the old app never stopped', async () => {
    const oldId = (await server.docker(['ps', '-q', '--no-trunc', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--filter', 'label=com.docker.compose.service=app'])).stdout.trim();
    await setAppImage(IMAGES.appCrash);
    const t0 = Date.now();
    const { result: r, traffic } = await underTraffic(() => wizard(server, ['update', '--yes', '--no-pull']));
    const seconds = (Date.now() - t0) / 1000;
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    // Restarted by its restart policy before the verdict looked, or seen exited (exit 3).
    expect(r.stderr).toMatch(/\(app, new version\) exited or restarted \(exit (?:3|-), restarts \d+\): removed; the old containers kept serving/);
    expect(r.stderr).toMatch(/APP_MODE=crash, exiting on purpose/);
    expect(traffic.failures).toEqual([]);
    expect(traffic.total).toBeGreaterThan(20);
    expect(traffic.versions).toEqual(['1']);
    // The same container served throughout.
    expect((await server.docker(['ps', '-q', '--no-trunc', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--filter', 'label=com.docker.compose.service=app'])).stdout.trim()).toBe(oldId);
    expect(await appImageRunning()).toBe(IMAGES.app);
    console.log(`[update] crash: ${traffic.total} requests (${traffic.rate}/s), ${traffic.failed} failed; update ${seconds.toFixed(1)} s`);
    await setAppImage(IMAGES.app);
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
    const t0 = Date.now();
    const { result: r, traffic } = await underTraffic(() => wizard(server, ['update', '--yes']));
    const seconds = (Date.now() - t0) / 1000;
    expect(r.exitCode).toBe(1);
    // Visitors saw nothing of it (#21.1): the broken container never joined Nginx's `app`.
    expect(traffic.failures).toEqual([]);
    expect(traffic.versions).toEqual(['1']);
    console.log(`[update] broken: ${traffic.total} requests (${traffic.rate}/s), ${traffic.failed} failed; update to verdict and back ${seconds.toFixed(1)} s`);
    expect(r.stdout).toMatch(/could not pull, the local image is used: stack-wizard-lab\/app:broken/);
    expect(r.stderr).toMatch(/the update failed its health check \(app\); the previous images and files were put back and the stack is healthy/);
    // The verdict is fast (#21.3): three failed checks after the start period, not Docker's five retries.
    expect(r.stderr).toMatch(/\(app, new version\) failed 3 health checks in a row after its start period: removed; the old containers kept serving/);
    expect(await appImageRunning()).toBe(IMAGES.app);
    expect(await server.readFile(`${INSTALL_DIR}/docker-compose.yml`)).toBe(compose);
    expect((await client.http(`http://${server.ip}/health`)).status).toBe(200);
    // The items are as before; the key-value store took the loop's POSTs, all of them answered.
    expect((await summaries(client, server)).items).toEqual(before.items);
    await allHealthy();
    // The record outlives the update: in the history, and in the pre-update backup's manifest.
    const okId = await imageId(IMAGES.app);
    const h = (await history()).at(-1);
    // Nothing was replaced: the new container never took traffic.
    expect(h).toMatchObject({ outcome: 'rolled-back', changed: [] });
    expect(h!.files).toContain('docker-compose.yml');
    expect(h!.before.app).toEqual({ image: IMAGES.app, imageId: okId, digests: [] });
    expect(h!.after.app).toEqual({ image: IMAGES.app, imageId: okId, digests: [] });
    expect(Object.keys(h!.before).sort()).toEqual(['app', 'mysql', 'nginx', 'redis']);
    const manifest = JSON.parse(await server.readFile(`${INSTALL_DIR}/backups/${h!.backupId}/manifest.json`)) as { kind: string; images: Record<string, Recorded> };
    expect(manifest.kind).toBe('pre-update');
    expect(manifest.images).toEqual(h!.before);
    expect(await journalExists()).toBe(false);
  });

  it('a failed update that changed the schema (a migration ran) also puts the pre-update data back', async () => {
    const before = await summaries(client, server);
    const files = await uploads(server);
    await setAppImage(IMAGES.appBroken);
    const run = wizard(server, ['update', '--yes', '--no-pull']);
    // While the new version starts, it "migrates": a history table, a new column, rows rewritten.
    await waitFor('the broken app to be started', async () => (await appImages()).includes(IMAGES.appBroken), { timeoutMs: 600_000, intervalMs: 500 });
    await sql(server, "CREATE TABLE django_migrations (id INT PRIMARY KEY, name VARCHAR(64)); INSERT INTO django_migrations VALUES (1, '0002_items_status'); ALTER TABLE items ADD COLUMN status VARCHAR(8) DEFAULT 'new'; UPDATE items SET value = CONCAT(value, '-v2');");
    const r = await run;
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/the database schema changed during the failed update \(a migration ran\): restoring the pre-update backup \d{8}-\d{6}-pre-update/);
    expect(r.stderr).toMatch(/after changing the database; the previous images, files and the data of backup \d{8}-\d{6}-pre-update were put back/);
    expect(await appImageRunning()).toBe(IMAGES.app);
    expect(await sql(server, 'SHOW TABLES;')).toBe('items\n');
    expect(await summaries(client, server)).toEqual(before);
    expect(await uploads(server)).toBe(files);
    expect((await history()).at(-1)!.outcome).toBe('rolled-back-data');
  });

  it('an update killed with SIGKILL half way is found by update, init and backup; update --rollback --yes puts back the recorded images and files', async () => {
    const before = await summaries(client, server);
    const compose = await server.readFile(COMPOSE);
    const okId = await imageId(IMAGES.app);
    const serving = await appIds();
    await setAppImage(IMAGES.appV2);
    const { journal } = await killUpdateMidway(IMAGES.appV2);
    // Half updated: the new compose file and app, and the journal with what ran before.
    expect(journal.phase).toBe('applying');
    expect(journal.services.app).toEqual({ image: IMAGES.app, imageId: okId, digests: [] });
    expect(journal.files.find((f) => f.path === 'docker-compose.yml')!.content).toBe(compose);
    expect(await server.readFile(COMPOSE)).toMatch(/image: "stack-wizard-lab\/app:v2"/);

    const ask = await wizard(server, ['update']);
    expect(ask.exitCode).toBe(2);
    expect(ask.stdout).toMatch(/An update started \S+ was interrupted \(phase applying\); the images and files from before it are recorded, with backup \d{8}-\d{6}-pre-update/);
    expect(ask.stderr).toMatch(/run stack-wizard update --yes to finish it, or stack-wizard update --rollback --yes to put back the images and files from before it/);
    for (const args of [['init', '--yes', '--answers', STACK_ANSWERS], ['backup'], ['doctor', '--fix', '--yes']]) {
      const r = await wizard(server, args);
      expect(r.exitCode, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(/an update started \S+ was interrupted \(phase applying\).*stack-wizard update --rollback --yes to put them back, or stack-wizard update --yes to finish the update/);
    }
    // Half updated: the new app runs beside the old one, which still serves.
    expect(await appImages()).toEqual([IMAGES.app, IMAGES.appV2]);
    expect(JSON.parse((await client.http(`http://${server.ip}/`)).body)).toMatchObject({ version: '1' });

    const r = await wizard(server, ['update', '--rollback', '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Rolled back the interrupted update: the images and files from before it are back and the stack is healthy\./);
    // The new container that never took over went; the old one, which served throughout, stays.
    expect(await appIds()).toBe(serving);
    expect(await appImageRunning()).toBe(IMAGES.app);
    expect(await server.readFile(COMPOSE)).toBe(compose);
    expect((await client.http(`http://${server.ip}/health`)).status).toBe(200);
    expect(await summaries(client, server)).toEqual(before);
    await allHealthy();
    expect(await journalExists()).toBe(false);
    const h = (await history()).at(-1)!;
    expect(h.outcome).toBe('recovered');
    expect(h.before.app!.imageId).toBe(okId);
    expect(h.after.app!.imageId).toBe(okId);
  });

  it('an update stopped by SIGTERM (Ctrl-C, systemctl stop) half way rolls itself back', async () => {
    const before = await summaries(client, server);
    const compose = await server.readFile(COMPOSE);
    const serving = await appIds();
    await setAppImage(IMAGES.appV2);
    const out = await server.sh(
      [
        'stack-wizard update --yes --no-pull >/tmp/term-update.log 2>&1 &',
        'pid=$!',
        'for i in $(seq 1 6000); do',
        `  if grep -qs '"phase": "applying"' ${JOURNAL} && ${newAppRunsSh(IMAGES.appV2)}; then kill -TERM $pid; echo sent; break; fi`,
        '  sleep 0.1',
        'done',
        'wait $pid; echo "exit $?"',
      ].join('\n'),
      { timeoutMs: 900_000 },
    );
    expect(out).toMatch(/^sent\nexit 1$/m);
    const log = await server.readFile('/tmp/term-update.log');
    expect(log).toMatch(/the update was interrupted; the previous images and files were put back \(backup \d{8}-\d{6}-pre-update was taken before it\)/);
    expect(await appIds()).toBe(serving);
    expect(await appImageRunning()).toBe(IMAGES.app);
    expect(await server.readFile(COMPOSE)).toBe(compose);
    expect((await client.http(`http://${server.ip}/health`)).status).toBe(200);
    expect(await summaries(client, server)).toEqual(before);
    expect(await journalExists()).toBe(false);
    expect((await history()).at(-1)).toMatchObject({ outcome: 'interrupted' });
  });

  it('app:ok → app:v2, killed half way and finished by update --yes, rolls out behind the health gates; a second update changes nothing', async () => {
    const before = await summaries(client, server);
    const okId = await imageId(IMAGES.app);
    await setAppImage(IMAGES.appV2);
    const { journal } = await killUpdateMidway(IMAGES.appV2);
    const r = await wizard(server, ['update', '--yes', '--no-pull']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/finishing the interrupted update/);
    expect(r.stdout).toMatch(/\[1\/7\] pre-update backup[\s\S]*\[5\/7\] new app and worker beside the old ones[\s\S]*\[6\/7\] switch[\s\S]*\[7\/7\] Nginx, and the whole stack checked/);
    expect(r.stdout).toMatch(new RegExp(`Finished the interrupted update; healthy: .*\\. The backup taken before it is ${journal.backupId}\\.`));
    expect(await journalExists()).toBe(false);
    const h = (await history()).at(-1)!;
    expect(h).toMatchObject({ outcome: 'finished', backupId: journal.backupId });
    expect(h.before.app).toEqual({ image: IMAGES.app, imageId: okId, digests: [] });
    expect(h.after.app).toEqual({ image: IMAGES.appV2, imageId: await imageId(IMAGES.appV2), digests: [] });
    expect(await appImageRunning()).toBe(IMAGES.appV2);
    expect(JSON.parse((await client.http(`http://${server.ip}/`)).body)).toMatchObject({ version: '2' });
    expect(await summaries(client, server)).toEqual(before);
    const again = await wizard(server, ['update', '--no-pull']);
    expect(again.stdout).toMatch(/Everything is up to date/);
    // init agrees: what update applied is recorded as the healthy state.
    expect((await runInit(server, STACK_ANSWERS)).stdout).toMatch(/Nothing to change: the server already matches these answers\./);
  });

  it('app:v2 → app:ok with app.migrate under traffic: the migration runs in the new image before the switch, the new app serves, 0 failed requests', async () => {
    await setMigrateTo(['printenv', 'APP_VERSION']);
    await setAppImage(IMAGES.app);
    const preview = await wizard(server, ['update', '--dry-run', '--no-pull']);
    expect(preview.exitCode, preview.stderr).toBe(0);
    expect(preview.stdout).toMatch(/What restarts and what does not:\n {2}mysql: unchanged, keeps running\n {2}redis: unchanged, keeps running\n {2}app: new containers beside the running ones, traffic moves once they are healthy \(no downtime\)\n {2}nginx: unchanged, keeps running\n {2}migration, after the backup and before the switch: printenv APP_VERSION/);
    const t0 = Date.now();
    const { result: r, traffic } = await underTraffic(() => wizard(server, ['update', '--yes', '--no-pull']));
    const seconds = (Date.now() - t0) / 1000;
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/migration in a one-off container of the new image: printenv APP_VERSION\n\s+1$/m);
    expect(r.stdout).toMatch(/\[4\/7\] migration[\s\S]*\[5\/7\] new app and worker beside the old ones[\s\S]*\[6\/7\] switch/);
    expect(traffic.failures).toEqual([]);
    // Old then new; within the switch (the resolver's valid, 2 s, plus 1 s) Nginx's workers may
    // still answer from either, so the two can alternate there (seen here: 2, 1, 2, 1), never after.
    expect(traffic.versions[0]).toBe('2');
    expect(traffic.versions.at(-1)).toBe('1');
    expect(new Set(traffic.versions)).toEqual(new Set(['2', '1']));
    expect(await appImageRunning()).toBe(IMAGES.app);
    expect((await history()).at(-1)).toMatchObject({ outcome: 'updated', changed: ['app'] });
    const phases = (await history()).at(-1)!.phases as Record<string, number>;
    console.log(`[update] good: ${traffic.total} requests (${traffic.rate}/s), ${traffic.failed} failed; update ${seconds.toFixed(1)} s; phases ${JSON.stringify(phases)}`);
  });

  it('a failing migration under traffic stops the update before anything switches: the old app serves on, 0 failed requests', async () => {
    await setMigrateTo(['false']);
    await setAppImage(IMAGES.appV2);
    const compose = await server.readFile(COMPOSE);
    expect(compose).toMatch(/image: "stack-wizard-lab\/app:ok"/);
    const { result: r, traffic } = await underTraffic(() => wizard(server, ['update', '--yes', '--no-pull']));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/the migration failed, so nothing was switched: the old app kept serving and the previous files are back/);
    expect(r.stderr).toMatch(/the migration failed \(exit 1\)/);
    expect(traffic.failures).toEqual([]);
    expect(traffic.versions).toEqual(['1']);
    expect(await appImageRunning()).toBe(IMAGES.app);
    expect(await server.readFile(COMPOSE)).toBe(compose);
    expect((await history()).at(-1)).toMatchObject({ outcome: 'rolled-back', changed: [] });
    console.log(`[update] failing migration: ${traffic.total} requests (${traffic.rate}/s), ${traffic.failed} failed`);
    await setMigrateTo(null);
    await setAppImage(IMAGES.app);
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
    expect((await history()).at(-1)).toMatchObject({ outcome: 'updated', changed: ['redis'] });
  });

  it('a new stack-wizard with a higher template version: update shows every file\'s diff, rewrites them, and the stack stays healthy', async () => {
    const from = currentTemplateVersion();
    const bundle = buildWithTemplateVersion(from + 1);
    const installed = `${(await server.sh('npm root -g')).trim()}/stack-wizard/dist/stack-wizard.js`;
    await server.copyIn(bundle, installed);
    const before = await summaries(client, server);
    const mysqlStarted = (await server.docker(['inspect', '-f', '{{.State.StartedAt}}', `${PROJECT}-mysql-1`])).stdout.trim();
    const preview = await wizard(server, ['update', '--no-pull']);
    expect(preview.exitCode).toBe(2);
    expect(preview.stdout).toContain(`stack-wizard templates: version ${from} → ${from + 1}`);
    for (const f of ['docker-compose.yml', 'nginx/nginx.conf', 'mysql/conf.d/stack-wizard.cnf', 'redis/redis.conf']) expect(preview.stdout).toMatch(new RegExp(`^~ ${f.replace(/[./]/g, '\\$&')}$`, 'm'));
    expect(preview.stdout).toMatch(new RegExp(`^ {4}-# Generated by stack-wizard \\(template ${from}\\) for "${PROJECT}"\\.$`, 'm'));
    expect(preview.stdout).toMatch(new RegExp(`^ {4}\\+# Generated by stack-wizard \\(template ${from + 1}\\) for "${PROJECT}"\\.$`, 'm'));
    expect(await server.readFile(COMPOSE)).toContain(`(template ${from})`);

    const r = await wizard(server, ['update', '--yes', '--no-pull']);
    expect(r.exitCode, r.stderr).toBe(0);
    for (const f of ['docker-compose.yml', 'nginx/nginx.conf', 'mysql/conf.d/stack-wizard.cnf', 'redis/redis.conf']) expect(await server.readFile(`${INSTALL_DIR}/${f}`), f).toContain(`(template ${from + 1})`);
    expect(JSON.parse(await server.readFile(`${INSTALL_DIR}/.stack-wizard/manifest.json`))).toMatchObject({ templateVersion: from + 1 });
    // my.cnf is read at start: MySQL was restarted to see the new file, and everything is healthy again.
    expect((await server.docker(['inspect', '-f', '{{.State.StartedAt}}', `${PROJECT}-mysql-1`])).stdout.trim()).not.toBe(mysqlStarted);
    await allHealthy();
    expect((await client.http(`http://${server.ip}/health`)).status).toBe(200);
    expect(await summaries(client, server)).toEqual(before);
    expect((await history()).at(-1)).toMatchObject({ outcome: 'updated', templateFrom: from, templateTo: from + 1 });
    expect((await wizard(server, ['update', '--no-pull'])).stdout).toMatch(/Everything is up to date/);
  });

  it('update --to-series 11.8: refused without the image or backwards (exit 2, nothing changed); a server that never gets healthy is rolled back with its data copy; then MariaDB 10.11 → 11.8 for real', async () => {
    await lab.loadImages(server, [IMAGES.mariadb118]);
    const before = await summaries(client, server);
    const answers = await server.readFile(STACK_ANSWERS);
    const compose = await server.readFile(COMPOSE);
    const backups = (await listBackups(server)).length;
    const dbVersion = async () => (await sql(server, 'SELECT VERSION();')).trim();
    const marker = () => server.sh(`cd ${INSTALL_DIR} && docker compose exec -T mysql sh -c 'cat /var/lib/mysql/mariadb_upgrade_info 2>/dev/null || cat /var/lib/mysql/mysql_upgrade_info'`);
    const copies = async () => (await server.docker(['volume', 'ls', '-q', '--filter', `name=${PROJECT}_mysql-data-pre-`])).stdout.trim();
    expect(await dbVersion()).toMatch(/^10\.11\./);

    // update --check reads the running versions against the versions data: Debian's 10.11 build is
    // behind the newest 10.11 patch there; the lab's Debian nginx 1.26 is a line upstream ended (exit 5).
    const check = await wizard(server, ['update', '--check']);
    expect(check.exitCode, check.stderr).toBe(5);
    expect(check.stdout).toMatch(/^mysql +10\.11\.\d+-MariaDB\S* +mariadb 10\.11 +10\.11\.19 +2028-02-16 \(\d+ d left\) +newer patch 10\.11\.19: stack-wizard update$/m);
    expect(check.stdout).toMatch(/^nginx +1\.26 +nginx 1\.26 +- +2025-04 \(ended \d+ d ago\) +past its end of life: move to a supported series$/m);
    expect(check.stdout).toMatch(/^redis +7\.0 +- +- +not in the versions data +-$/m);
    expect(check.stdout).toContain('A series in use is past its end of life (exit 5).');

    const unknown = await wizard(server, ['update', '--to-series', '10.6', '--yes', '--no-pull']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('--to-series 10.6: MariaDB has no series 10.6 (database.version may be 10.11, 11.4, 11.8)');
    const noImage = await wizard(server, ['update', '--to-series', '11.8', '--yes', '--no-pull']);
    expect(noImage.exitCode).toBe(2);
    expect(noImage.stderr).toContain(`--db-image: the answers name the database image themselves (images.mysql: ${IMAGES.mariadb}); name the 11.8 image with --db-image REF`);
    const zh = await wizard(server, ['update', '--to-series', '11.8', '--db-image', 'stack-wizard-lab/mariadb:11.4', '--yes', '--no-pull'], { LANG: 'zh_CN.UTF-8' });
    expect(zh.exitCode).toBe(2);
    expect(zh.stderr).toContain('--db-image stack-wizard-lab/mariadb:11.4：它的标签不属于 11.8 系列');
    expect(await server.readFile(STACK_ANSWERS)).toBe(answers);
    expect(await server.readFile(COMPOSE)).toBe(compose);
    expect((await listBackups(server)).length).toBe(backups);

    // A "11.8" image that exits at start: the health gate fails, the copy of the 10.11 data goes back under 10.11.
    await server.docker(['tag', IMAGES.appCrash, 'stack-wizard-lab/mariadb-bad:11.8']);
    const bad = await wizard(server, ['update', '--to-series', '11.8', '--db-image', 'stack-wizard-lab/mariadb-bad:11.8', '--yes', '--no-pull'], { STACK_WIZARD_HEALTH_TIMEOUT: '90' });
    expect(bad.exitCode, bad.stdout).toBe(1);
    expect(bad.stdout).toContain(`copying the data directory aside (${PROJECT}_mysql-data-pre-10.11)`);
    expect(bad.stdout).toMatch(/putting back the data directory as it was before the upgrade/);
    expect(await dbVersion()).toMatch(/^10\.11\./);
    expect(await server.readFile(STACK_ANSWERS)).toBe(answers);
    expect(await server.readFile(COMPOSE)).toBe(compose);
    expect(await summaries(client, server)).toEqual(before);
    expect(await copies()).toBe('');
    expect((await history()).at(-1)).toMatchObject({ outcome: 'rolled-back' });
    await allHealthy();

    const dry = await wizard(server, ['update', '--to-series', '11.8', '--db-image', IMAGES.mariadb118, '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`Database upgrade: MariaDB 10.11 → 11.8 (${IMAGES.mariadb} → ${IMAGES.mariadb118})`);
    expect(dry.stdout).toMatch(/then mariadb-upgrade in its container/);
    expect(dry.stdout).toMatch(/^~ stack-wizard\.yaml$/m);
    expect(await server.readFile(STACK_ANSWERS)).toBe(answers);

    const r = await wizard(server, ['update', '--to-series', '11.8', '--db-image', IMAGES.mariadb118, '--yes', '--no-pull']);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/running mariadb-upgrade in the new MariaDB 11\.8 container/);
    expect(r.stdout).toContain('the database now runs MariaDB 11.8; database.version is 11.8 in the answers');
    expect(await dbVersion()).toMatch(/^11\.8\./);
    expect((await marker()).trim()).toMatch(/^11\.8\./);
    expect(await summaries(client, server)).toEqual(before);
    const upgraded = await server.readFile(STACK_ANSWERS);
    expect(upgraded).toMatch(/version: ['"]?11\.8['"]?$/m);
    expect(upgraded).toContain(`mysql: "${IMAGES.mariadb118}"`);
    expect(await copies()).toBe('');
    expect((await listBackups(server)).filter((b) => b.kind === 'pre-update').length).toBeGreaterThan(0);
    expect((await history()).at(-1)).toMatchObject({ outcome: 'updated', changed: expect.arrayContaining(['mysql']) });
    await allHealthy();
    expect((await wizard(server, ['update', '--no-pull'])).stdout).toMatch(/Everything is up to date/);

    const back = await wizard(server, ['update', '--to-series', '10.11', '--db-image', IMAGES.mariadb, '--yes', '--no-pull']);
    expect(back.exitCode).toBe(2);
    expect(back.stderr).toMatch(/--to-series 10\.11: MariaDB cannot go back from 11\.8 to 10\.11 .*stack-wizard restore/);
  });
});
