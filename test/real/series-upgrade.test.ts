// A real MariaDB series upgrade, 10.11 (Debian 12's server) → 11.8 (Debian 13's), in the lab
// images on this machine's Docker engine: data written by 10.11, the 11.8 server started on the same
// volume without the entrypoint's own upgrade (MARIADB_AUTO_UPGRADE unset), then the engine
// module's upgrade step (what `update --to-series` runs in the new container) really runs
// mariadb-upgrade: the upgrade marker moves to 11.8, the rows and their checksum are the same, and a
// second run says it is done and exits 0 (the case where the image's entrypoint upgraded first).
// MySQL's pre-upgrade checks (8.4 → 9.7) asked of a real MySQL 9.7 (Debian sid's, the lab image)
// holding names that 9.x reserved: the SQL runs there and names exactly those objects.
// The whole `update --to-series` on a lab server: test/e2e/backup-update.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswersSchema } from '../../src/domain/answers.js';
import { DB_ENGINES } from '../../src/domain/engines/index.js';
import { buildPlan } from '../../src/domain/plan.js';
import { hardeningKeys, hardeningOf } from '../../src/render/hardening.js';
import { VM } from '../fixtures/facts.js';
import { IMAGES, OWNER, OWNER_LABEL, docker, ensureImages, refOf } from '../lab/base.js';
import { Stop, waitFor } from '../support/proc.js';

const engine = DB_ENGINES.mariadb;
const id = `sw-upg-${process.pid}-${Date.now().toString(36)}`;
const volume = `${id}-data`;
const names: string[] = [];
const PASSWORD = 'upgrade-test-root';
let refs: Map<string, string>;

// The database service's hardening as docker-compose.yml writes it (#15.8), as docker run flags:
// the step must work with the capabilities the stack really has.
const HARDENING = (() => {
  const plan = buildPlan(
    AnswersSchema.parse({ project: 'shop', app: { image: 'ghcr.io/acme/shop:1.0' }, database: { engine: 'mariadb' } }),
    VM['8g'],
  );
  const k = hardeningKeys(hardeningOf(plan, 'mysql')) as {
    cap_drop: string[];
    cap_add?: string[];
    security_opt: string[];
    read_only?: boolean;
    tmpfs?: string[];
  };
  return [
    ...k.cap_drop.flatMap((c) => ['--cap-drop', c]),
    ...(k.cap_add ?? []).flatMap((c) => ['--cap-add', c]),
    ...k.security_opt.flatMap((o) => ['--security-opt', o]),
    ...(k.read_only ? ['--read-only'] : []),
    ...(k.tmpfs ?? []).flatMap((t) => ['--tmpfs', t]),
  ];
})();

/** `docker run -d` of a lab database image as `name`, on no network, removed by afterAll. */
async function run(name: string, image: string, flags: string[]): Promise<void> {
  names.push(name);
  await docker([
    'run',
    '-d',
    '--name',
    name,
    '--label',
    `${OWNER_LABEL}=${OWNER}`,
    '--network',
    'none',
    ...flags,
    refOf(refs, image),
  ]);
}

async function start(image: string, env: string[]): Promise<string> {
  const name = `${id}-${names.length}`;
  await run(name, image, [
    ...HARDENING,
    '-e',
    `MARIADB_ROOT_PASSWORD=${PASSWORD}`,
    ...env.flatMap((e) => ['-e', e]),
    '-v',
    `${volume}:/var/lib/mysql`,
  ]);
  await waitFor(
    `${image} to answer`,
    async () => {
      const state = (await docker(['inspect', '-f', '{{.State.Status}}', name])).stdout.trim();
      if (state !== 'running')
        throw new Stop(
          `${name} ${state}: ${(await docker(['logs', '--tail', '30', name], { allowFail: true })).stderr}`,
        );
      // The image's healthcheck (over TCP, which the first start's temporary server refuses), as compose's.
      return (
        (await docker(['exec', name, 'healthcheck.sh', '--connect', '--innodb_initialized'], { allowFail: true }))
          .exitCode === 0
      );
    },
    { timeoutMs: 180_000, intervalMs: 500 },
  );
  return name;
}

/** The engine's own client argv (as the steps run it), as root, rows tab-separated. */
async function sql(container: string, text: string): Promise<string> {
  return (
    await docker(['exec', '-i', container, ...engine.client, '-N', '-B'], { input: text, timeoutMs: 60_000 })
  ).stdout.trim();
}

const marker = (container: string) =>
  docker([
    'exec',
    container,
    'sh',
    '-c',
    'cat /var/lib/mysql/mariadb_upgrade_info 2>/dev/null || cat /var/lib/mysql/mysql_upgrade_info',
  ]).then((r) => r.stdout.trim());

beforeAll(async () => {
  refs = new Map(await ensureImages(['mariadb', 'mariadb-11.8', 'mysql-9.7']));
  await docker(['volume', 'create', '--label', `${OWNER_LABEL}=${OWNER}`, volume]);
}, 1_800_000);

afterAll(async () => {
  if (names.length) await docker(['rm', '-f', ...names], { allowFail: true });
  await docker(['volume', 'rm', '-f', volume], { allowFail: true });
});

describe("MariaDB 10.11 → 11.8 on the real servers (lab images), by the engine module's upgrade step", () => {
  let rowsBefore = '';

  it('10.11 writes the data and records its version in the upgrade marker', async () => {
    const old = await start(IMAGES.mariadb, ['MARIADB_DATABASE=shop']);
    await sql(
      old,
      'USE shop; CREATE TABLE shop.items (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40)) ENGINE=InnoDB; INSERT INTO shop.items (v) SELECT CONCAT("row-", seq) FROM seq_1_to_500;',
    );
    rowsBefore = await sql(old, 'SELECT COUNT(*), SUM(CRC32(v)) FROM shop.items;');
    expect(rowsBefore).toBe(`500\t${rowsBefore.split('\t')[1]}`);
    expect(await sql(old, 'SELECT VERSION();')).toMatch(/^10\.11\./);
    expect(await marker(old)).toMatch(/^10\.11\./);
    await docker(['stop', '-t', '60', old], { timeoutMs: 120_000 });
  }, 300_000);

  it('11.8 starts on that data; its upgrade step runs mariadb-upgrade for real, moves the marker to 11.8 and keeps every row', async () => {
    const step = engine.upgradeStep({ major: 10, minor: 11, patch: 0 }, { major: 11, minor: 8, patch: 0 });
    expect(step?.program).toBe('mariadb-upgrade');
    // The old server stopped (the volume has one user at a time).
    for (const n of names) await docker(['stop', '-t', '60', n], { timeoutMs: 120_000, allowFail: true });
    const next = await start(IMAGES.mariadb118, []);
    expect(await sql(next, 'SELECT VERSION();')).toMatch(/^11\.8\./);
    // The entrypoint did not upgrade (MARIADB_AUTO_UPGRADE unset): the marker still names 10.11.
    expect(await marker(next)).toMatch(/^10\.11\./);
    expect(HARDENING).toEqual(expect.arrayContaining(['--cap-drop', 'ALL', '--read-only']));
    const asUser = step!.user ? ['--user', step!.user] : [];
    const r = await docker(['exec', ...asUser, next, ...step!.argv], { timeoutMs: 600_000 });
    expect(r.exitCode).toBe(0);
    expect(`${r.stdout}\n${r.stderr}`).toMatch(
      /Phase \d+\/\d+: Running 'mysql_fix_privilege_tables'|Phase \d+\/\d+: Fixing/,
    );
    expect(await marker(next)).toMatch(/^11\.8\./);
    expect(await sql(next, 'SELECT COUNT(*), SUM(CRC32(v)) FROM shop.items;')).toBe(rowsBefore);
    // Run again (as after an entrypoint that upgraded first): nothing to do, exit 0.
    const again = await docker(['exec', ...asUser, next, ...step!.argv], { timeoutMs: 120_000 });
    expect(again.exitCode).toBe(0);
    expect(`${again.stdout}\n${again.stderr}`).toMatch(/already upgraded to 11\.8/);
  }, 600_000);

  it('MySQL has no step: its server upgrades the data dictionary itself at start (8.0.16+)', () => {
    expect(
      DB_ENGINES.mysql.upgradeStep({ major: 8, minor: 4, patch: 11 }, { major: 9, minor: 7, patch: 2 }),
    ).toBeNull();
  });
});

describe("MySQL 8.4 → 9.7: the engine module's pre-upgrade checks on a real MySQL 9.7", () => {
  it("run as the steps run them (the engine's client, as root): reserved words found, no native-password account", async () => {
    const name = `${id}-mysql`;
    await run(name, IMAGES.mysql97, ['-e', `MYSQL_ROOT_PASSWORD=${PASSWORD}`, '-e', 'MYSQL_DATABASE=shop']);
    // The compose healthcheck's own test (TCP, which the first start's temporary server refuses).
    const health = ['sh', '-c', 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysqladmin ping -h 127.0.0.1 -u root --silent'];
    await waitFor(
      'mysql 9.7 to be healthy',
      async () => {
        const state = (await docker(['inspect', '-f', '{{.State.Status}}', name])).stdout.trim();
        if (state !== 'running')
          throw new Stop(
            `${name} ${state}: ${(await docker(['logs', '--tail', '30', name], { allowFail: true })).stderr}`,
          );
        return (await docker(['exec', name, ...health], { allowFail: true })).exitCode === 0;
      },
      { timeoutMs: 240_000, intervalMs: 500 },
    );
    const mysql = DB_ENGINES.mysql;
    const q = async (text: string) =>
      (
        await docker(['exec', '-i', name, ...mysql.client, '-N', '-B'], { input: text, timeoutMs: 60_000 })
      ).stdout.trim();
    expect(await q('SELECT VERSION();')).toMatch(/^9\.7\./);
    await q(
      'CREATE TABLE shop.`library` (id INT PRIMARY KEY); CREATE TABLE shop.orders (id INT PRIMARY KEY, `validate` INT, total INT);',
    );
    const checks = mysql.upgradeChecks({ major: 8, minor: 4, patch: 11 }, { major: 9, minor: 7, patch: 2 });
    expect(checks.map((c) => [c.id, c.severity])).toEqual([
      ['nativePassword', 'error'],
      ['reservedWords', 'warn'],
    ]);
    const found = Object.fromEntries(
      await Promise.all(checks.map(async (c) => [c.id, (await q(c.sql)).split('\n').filter(Boolean)] as const)),
    );
    expect(found).toEqual({ nativePassword: [], reservedWords: ['shop.library', 'shop.orders.validate'] });
  }, 600_000);
});
