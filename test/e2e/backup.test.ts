// Backup, verify and restore on the lab server, as an operator runs them: the wizard installed from
// its tarball, the lab stack (MariaDB 10.11, Redis 7.0, the lab app with an uploads volume), data
// written through the app. Proves: a restore brings back every row, key and upload (checked by the
// app's own checksums); a restore killed with SIGKILL while its dump is half loaded (a table of
// half a million rows, the kill landing once it is partly in) is finished, or rolled back, by the
// next run with nothing lost; restore verifies before replacing anything, so a dump that breaks
// half way or holds other row counts than its manifest is refused with the data untouched; one
// flipped byte is refused by verify and by restore; the disk check refuses with the numbers;
// encryption and the schedule work with the real gpg and systemd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGES, Lab, waitFor, type Client, type Container, type Server } from '../lab/lab.js';
import { scheduleFiles } from '../../src/steps/backup-schedule.js';
import {
  ANSWERS, INSTALL_DIR, PROJECT, STACK_IMAGES, backupAnswers, listBackups, post, runInit, sql, summaries, uploads, wizard, type Summary,
} from './support/backup-lab.js';

let lab: Lab;
let server: Server;
let client: Client;
/** A Debian 12 without systemd, where the schedule is a cron.d entry run by Debian's own cron. */
let cronHost: Container;
let cronAt = '';
/** The state captured in the first backup. */
let saved: { items: Summary; kv: Summary; uploads: string; id: string };
/** The backup with the big table, and the state it holds. */
let big: { id: string; state: { items: Summary; kv: Summary; big: { rows: number; crc: string }; uploads: string } };

const journal = `${INSTALL_DIR}/.stack-wizard/restore.json`;

async function phase(): Promise<string | null> {
  const r = await server.exec(['cat', journal], { allowFail: true });
  return r.exitCode === 0 ? (JSON.parse(r.stdout) as { phase: string }).phase : null;
}

/** Rows of the big table the SIGKILL cases load: 2^19 (about 40 MiB of SQL), so the load takes seconds. */
const BIG_ROWS = 2 ** 19;

/** Rows and a checksum of the big table (null when it does not exist). */
async function bigSummary(): Promise<{ rows: number; crc: string } | null> {
  const r = await sql(server, "SELECT COUNT(*), COALESCE(SUM(CRC32(CONCAT(id, ':', pad))), 0) FROM big;").catch(() => null);
  if (r === null) return null;
  const [rows, crc] = r.trim().split('\t');
  return { rows: Number(rows), crc: crc! };
}

/**
 * Starts `stack-wizard restore ID --yes` in the background and SIGKILLs it the moment the dump is
 * partly loaded: the journal says restoring, big.ibd was seen gone or small (the database was
 * dropped and the table created anew) and has since grown past 4 MiB. A watcher on the server
 * polls every 50 ms and kills, so the kill lands within one poll of that moment.
 */
async function killRestoreMidLoad(id: string): Promise<{ journal: { phase: string; done: string[] }; killedAtBytes: number }> {
  const mnt = (await server.sh(`docker volume inspect -f '{{.Mountpoint}}' ${PROJECT}_mysql-data`)).trim();
  const out = await server.sh(
    [
      `stack-wizard restore ${id} --yes --skip-verify >/tmp/killed-restore.log 2>&1 &`,
      'pid=$!',
      `f=${mnt}/labshop/big.ibd`,
      'dropped=0',
      'for i in $(seq 1 12000); do',
      `  if grep -qs '"phase": "restoring"' ${journal}; then`,
      '    size=$(stat -c %s "$f" 2>/dev/null || echo 0)',
      '    [ "$size" -lt 1048576 ] && dropped=1',
      '    if [ "$dropped" = 1 ] && [ "$size" -gt 4194304 ]; then kill -9 $pid; echo "killed $size"; break; fi',
      '  fi',
      '  kill -0 $pid 2>/dev/null || { echo "finished before the kill"; break; }',
      '  sleep 0.05',
      'done',
      'while kill -0 $pid 2>/dev/null; do sleep 0.1; done',
    ].join('\n'),
    { timeoutMs: 900_000 },
  );
  const m = /^killed (\d+)$/m.exec(out);
  if (!m) throw new Error(`the restore was not killed mid-load: ${out}\n${await server.readFile('/tmp/killed-restore.log')}`);
  const j = JSON.parse(await server.readFile(journal)) as { phase: string; done: string[] };
  return { journal: j, killedAtBytes: Number(m[1]) };
}

/**
 * A backup as another server or a broken tool would have made it: a copy of `from` under a new ID,
 * its manifest changed by `edit`, and optionally its dump replaced by `sql` (sums recomputed, so
 * only what the test means to break is broken).
 */
async function forge(from: string, id: string, edit: string, sql?: string): Promise<void> {
  const dir = `${INSTALL_DIR}/backups/${id}`;
  await server.sh(`cp -a ${INSTALL_DIR}/backups/${from} ${dir}`);
  if (sql !== undefined) await server.writeFile(`/tmp/forged.sql`, sql);
  await server.exec(['python3', '-c', `
import gzip, hashlib, json, os, sys
d, new_id, sql = sys.argv[1], sys.argv[2], sys.argv[3]
m = json.load(open(d + "/manifest.json"))
m["id"] = new_id
if sql == "yes":
    with open("/tmp/forged.sql", "rb") as f, gzip.open(d + "/database.sql.gz", "wb") as g: g.write(f.read())
    raw = open("/tmp/forged.sql", "rb").read()
    data = open(d + "/database.sql.gz", "rb").read()
    for e in m["files"]:
        if e["kind"] == "database": e.update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), rawBytes=len(raw))
${edit}
json.dump(m, open(d + "/manifest.json", "w"), indent=2)
`, dir, id, sql === undefined ? 'no' : 'yes']);
}

/**
 * The cron.d entry scheduleFiles writes without systemd, run by Debian's cron two minutes from now
 * (the last test checks it ran). stack-wizard there is a stub that records how it was called: the
 * systemd timer test runs the real program; this one proves cron takes the file (name, fields, user,
 * redirection into the stack's log folder) and runs that exact command line.
 */
async function startCron(): Promise<void> {
  await cronHost.sh('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cron >/dev/null', { timeoutMs: 600_000 });
  await cronHost.writeFile('/usr/local/bin/stack-wizard', '#!/bin/sh\necho "$(date -u +%H:%M) $*" >> /root/cron-ran.txt\n', '0755');
  cronAt = (await cronHost.sh("date -u -d '+2 min' +%H:%M")).trim();
  const f = scheduleFiles({ project: PROJECT, installDir: INSTALL_DIR, schedule: cronAt, bin: ['/usr/local/bin/stack-wizard'], systemd: false });
  expect(f.kind).toBe('cron');
  for (const x of f.files) await cronHost.writeFile(x.path, x.content, '0644');
  // pam_loginuid cannot write the login uid inside a container (no CAP_AUDIT_CONTROL): as on any containerised cron.
  await cronHost.sh(`sed -i 's/^session\\s\\+required\\s\\+pam_loginuid\\.so/#&/' /etc/pam.d/cron; mkdir -p ${INSTALL_DIR}/logs && cron`);
}

beforeAll(async () => {
  lab = await Lab.create();
  [server, client, cronHost] = await Promise.all([lab.startServer({ images: STACK_IMAGES, wizard: true }), lab.startClient(), lab.startDebian({ name: 'cron' })]);
  await startCron();
  await server.writeFile(ANSWERS, backupAnswers());
  const init = await runInit(server, ANSWERS);
  if (init.exitCode !== 0) throw new Error(`init failed:\n${init.stdout}\n${init.stderr}`);
  await post(client, server, '/items', { count: 2000, prefix: 'order' });
  await post(client, server, '/kv', { count: 500, prefix: 'session' });
  await post(client, server, '/kv', { key: 'unicode', value: '订单 ✓ \'quoted\' (paren), "x"' });
  await server.sh(`cd ${INSTALL_DIR} && docker compose exec -T app sh -c 'mkdir -p /data/uploads/2026 && head -c 300000 /dev/urandom > /data/uploads/2026/photo.jpg && echo invoice > /data/uploads/invoice.txt'`);
});

afterAll(async () => {
  await lab?.cleanup();
});

describe('backup and restore on the lab server', () => {
  it('init installs the daily timer of backup.schedule', async () => {
    const timers = await server.sh('systemctl list-timers --all --no-pager');
    expect(timers).toMatch(/stack-wizard-labshop-backup\.timer/);
    const unit = await server.readFile('/etc/systemd/system/stack-wizard-labshop-backup.service');
    expect(unit).toMatch(/^ExecStart=\/usr\/local\/bin\/stack-wizard backup --scheduled --answers \/opt\/stack-wizard\/labshop\/stack-wizard\.yaml$/m);
    expect(await server.readFile('/etc/systemd/system/stack-wizard-labshop-backup.timer')).toMatch(/^OnCalendar=\*-\*-\* 03:00:00$/m);
  });

  it('takes a backup whose manifest matches its files, the database, Redis and the uploads', async () => {
    const before = await summaries(client, server);
    expect(before.items.count).toBe(2000);
    expect(before.kv.count).toBe(501);
    // A dump (MariaDB's default is a physical copy, proven in pitr.test.ts): this file proves the logical path.
    const r = await wizard(server, ['backup', '--logical']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Backup \d{8}-\d{6} done: /);
    const [b] = await listBackups(server);
    expect(b!.kind).toBe('manual');
    expect(b!.database!.tables).toEqual({ 'labshop.items': 2000 });
    expect(b!.redis!.keys).toBe(501);
    expect(b!.volumes).toEqual(['app-data']);
    // The sums in the manifest are those of the files on disk, as sha256sum computes them.
    const dir = `${INSTALL_DIR}/backups/${b!.id}`;
    const sums = await server.sh(`cd ${dir} && sha256sum ${b!.files.map((f) => f.name).join(' ')}`);
    for (const f of b!.files) expect(sums).toContain(`${f.sha256}  ${f.name}`);
    expect(b!.files.map((f) => f.name).sort()).toEqual(['config.tar.gz', 'database.sql.gz', 'redis.tar.gz', 'volume-app-data.tar.gz']);
    // Private: the folder and files (the config archive holds .env).
    expect((await server.sh(`stat -c %a ${dir} ${dir}/config.tar.gz`)).split('\n').filter(Boolean)).toEqual(['700', '600']);
    // The dump really holds the rows, and the config archive the stack's files.
    expect(Number((await server.sh(`zcat ${dir}/database.sql.gz | grep -c "^(.*'order-" || true`)).trim())).toBe(2000);
    expect(await server.sh(`tar -tzf ${dir}/config.tar.gz`)).toMatch(/\.\/\.env\n[\s\S]*\.\/docker-compose\.yml/);
    saved = { ...before, uploads: await uploads(server), id: b!.id };
  });

  it('verify checks the sums and loads the backup into throwaway containers, which are gone afterwards', async () => {
    const r = await wizard(server, ['backup', 'verify', saved.id]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/checksums: 4 file\(s\) match the manifest/);
    expect(r.stdout).toMatch(/database: the dump loads; 1 table\(s\), 2000 row\(s\), every count as in the manifest/);
    expect(r.stdout).toMatch(/Redis: the snapshot loads with 501 key\(s\)/);
    expect((await server.docker(['ps', '-aq', '--filter', 'label=org.stack-wizard.throwaway'])).stdout.trim()).toBe('');
  });

  it('after rows deleted, a table added, Redis flushed and uploads deleted, restore brings back every row, key and upload', async () => {
    await sql(server, 'DELETE FROM items WHERE id % 3 = 0; UPDATE items SET value = CONCAT(value, "-changed") WHERE id < 50; CREATE TABLE junk (a INT);');
    await server.sh(`cd ${INSTALL_DIR} && docker compose exec -T redis redis-cli FLUSHDB && docker compose exec -T app rm -rf /data/uploads`);
    const damaged = await summaries(client, server);
    expect(damaged.items.count).toBeLessThan(2000);
    expect(damaged.kv.count).toBe(0);

    // Without an ID: the list, newest first; without --yes: the plan and exit 2, nothing changed.
    const listed = await wizard(server, ['restore']);
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout).toContain(saved.id);
    const noYes = await wizard(server, ['restore', saved.id]);
    expect(noYes.exitCode).toBe(2);
    expect((await summaries(client, server)).items).toEqual(damaged.items);

    const r = await wizard(server, ['restore', saved.id, '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Restored backup ${saved.id}; the stack is healthy\\. The state before is kept as backup \\d{8}-\\d{6}-pre-restore\\.`));
    // The safety backup is MariaDB's default, a physical copy (#18.1): the rollbacks below put such copies back.
    expect(r.stdout).toMatch(/safety backup \d{8}-\d{6}-pre-restore: a physical copy by mariadb-backup/);
    expect(r.stdout).toMatch(/To undo this restore: stack-wizard restore \d{8}-\d{6}-pre-restore --yes \(a physical copy by mariadb-backup\)\./);
    const after = await summaries(client, server);
    expect(after.items).toEqual(saved.items);
    expect(after.kv).toEqual(saved.kv);
    expect(await uploads(server)).toBe(saved.uploads);
    expect(await sql(server, 'SHOW TABLES;')).toBe('items\n');
    expect(await phase()).toBeNull();
    // The safety backup holds the damaged state.
    const safety = (await listBackups(server)).find((b) => b.kind === 'pre-restore')!;
    expect(safety.database!.tables['labshop.items']).toBe(damaged.items.count);
    expect(safety.redis!.keys).toBe(0);
  });

  it('a restore killed with SIGKILL while the dump is half loaded is seen by the next command and finished by restore --yes, with nothing lost', async () => {
    // Half a million rows the app does not know, so a kill lands in the middle of loading them.
    await sql(server, `CREATE TABLE big (id INT AUTO_INCREMENT PRIMARY KEY, pad CHAR(64) NOT NULL); INSERT INTO big (pad) VALUES (MD5(RAND()));${' INSERT INTO big (pad) SELECT CONCAT(MD5(RAND()), MD5(RAND())) FROM big;'.repeat(19)}`);
    const bigSaved = (await bigSummary())!;
    expect(bigSaved.rows).toBe(BIG_ROWS);
    const b = await wizard(server, ['backup', '--logical']);
    expect(b.exitCode, b.stderr).toBe(0);
    const [withBig] = await listBackups(server);
    expect(withBig!.database!.tables).toEqual({ 'labshop.big': BIG_ROWS, 'labshop.items': 2000 });
    big = { id: withBig!.id, state: { ...(await summaries(client, server)), big: bigSaved, uploads: await uploads(server) } };
    // The state it is restored over: fewer rows in both tables.
    await sql(server, 'DELETE FROM big WHERE id % 2 = 0; DELETE FROM items WHERE id > 1000;');

    const killed = await killRestoreMidLoad(big.id);
    console.log(`restore SIGKILLed with big.ibd at ${(killed.killedAtBytes / 2 ** 20).toFixed(1)} MiB`);
    // Killed while the database was being replaced: not finished, and part of the dump is in.
    expect(killed.journal).toMatchObject({ phase: 'restoring', done: [] });
    const partial = await waitFor('the killed load to let go of the table', async () => (await bigSummary()) ?? undefined, { timeoutMs: 60_000 });
    expect(partial.rows).toBeGreaterThan(0);
    expect(partial.rows).toBeLessThan(BIG_ROWS);
    expect(await sql(server, 'SHOW TABLES;')).toBe('big\n');
    // Other commands refuse to act on half-replaced data and say what to run.
    const refused = await wizard(server, ['backup']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/a restore of \d{8}-\d{6} was interrupted \(phase restoring\).*stack-wizard restore --yes.*stack-wizard restore --rollback --yes/);
    const ask = await wizard(server, ['restore']);
    expect(ask.exitCode).toBe(2);
    expect(ask.stdout).toMatch(/was interrupted \(phase restoring/);
    const r = await wizard(server, ['restore', '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Finished the interrupted restore of/);
    const after = await summaries(client, server);
    expect(after).toEqual({ items: big.state.items, kv: big.state.kv });
    expect(await bigSummary()).toEqual(bigSaved);
    expect(await uploads(server)).toBe(big.state.uploads);
    expect(await phase()).toBeNull();
  });

  it('a restore killed with SIGKILL while the dump is half loaded, then rolled back, leaves the state from before it', async () => {
    await sql(server, 'DELETE FROM big WHERE id % 3 = 0;');
    await post(client, server, '/items', { count: 7, prefix: 'after-backup' });
    await post(client, server, '/kv', { key: 'late', value: 'written after the backup' });
    const before = { ...(await summaries(client, server)), big: (await bigSummary())! };
    expect(before.big.rows).toBeLessThan(BIG_ROWS);
    const killed = await killRestoreMidLoad(big.id);
    expect(killed.journal).toMatchObject({ phase: 'restoring', done: [] });
    const partial = await waitFor('the killed load to let go of the table', async () => (await bigSummary()) ?? undefined, { timeoutMs: 60_000 });
    expect(partial.rows).toBeGreaterThan(0);
    expect(partial.rows).toBeLessThan(BIG_ROWS);
    const r = await wizard(server, ['restore', '--rollback', '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Rolled back: the state before the restore of .* is back/);
    expect({ ...(await summaries(client, server)), big: await bigSummary() }).toEqual(before);
    expect(await phase()).toBeNull();
    // Back to the saved state (no big table) for the tests that follow.
    expect((await wizard(server, ['restore', saved.id, '--yes'])).exitCode).toBe(0);
    expect(await bigSummary()).toBeNull();
    await server.sh(`rm -rf ${INSTALL_DIR}/backups/${big.id} ${INSTALL_DIR}/backups/*-pre-restore*`);
  });

  it('refuses a backup of another engine (exit 2) or of a newer database series (exit 3), before changing anything', async () => {
    await forge(saved.id, '20200101-000000', 'm["database"]["engine"] = "mysql"; m["database"]["serverVersion"] = "8.4.6"');
    await forge(saved.id, '20200101-000001', 'm["database"]["serverVersion"] = "11.4.8-MariaDB"');
    const before = await summaries(client, server);
    const safeties = (await listBackups(server)).filter((b) => b.kind === 'pre-restore').length;
    const engine = await wizard(server, ['restore', '20200101-000000', '--yes']);
    expect(engine.exitCode).toBe(2);
    expect(engine.stderr).toMatch(/backup 20200101-000000 is of mysql and this stack runs mariadb: a dump does not load across engines/);
    const newer = await wizard(server, ['restore', '20200101-000001', '--yes']);
    expect(newer.exitCode).toBe(3);
    expect(newer.stderr).toMatch(/comes from database 11\.4\.8-MariaDB, newer than the running 10\.11\.\d+/);
    expect(await summaries(client, server)).toEqual(before);
    expect((await listBackups(server)).filter((b) => b.kind === 'pre-restore')).toHaveLength(safeties);
    await server.sh(`rm -rf ${INSTALL_DIR}/backups/20200101-00000*`);
  });

  it('a dump that fails half way through loading is refused by the test load before anything changes; with --skip-verify it is rolled back', async () => {
    const before = await summaries(client, server);
    const safeties = (await listBackups(server)).filter((b) => b.kind === 'pre-restore').length;
    // Valid SQL that empties the table, loads some rows, then breaks: the damage a bad dump does.
    await forge(saved.id, '20200101-000002', 'pass', 'CREATE DATABASE `labshop`;\nUSE `labshop`;\nCREATE TABLE items (id BIGINT AUTO_INCREMENT PRIMARY KEY, value VARCHAR(255) NOT NULL);\nINSERT INTO items (value) VALUES (\'half\');\nTHIS IS NOT SQL;\n');
    const refused = await wizard(server, ['restore', '20200101-000002', '--yes']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toMatch(/verifying backup 20200101-000002 in throwaway containers before anything is replaced/);
    expect(refused.stderr).toMatch(/ERROR 1064/);
    expect(await summaries(client, server)).toEqual(before);
    expect((await listBackups(server)).filter((b) => b.kind === 'pre-restore')).toHaveLength(safeties);
    expect(await phase()).toBeNull();

    const r = await wizard(server, ['restore', '20200101-000002', '--yes', '--skip-verify']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/test load skipped \(--skip-verify\)/);
    expect(r.stderr).toMatch(/the restore of 20200101-000002 failed; the state before it was put back from backup \d{8}-\d{6}-pre-restore(-\d+)? and is healthy/);
    expect(r.stderr).toMatch(/ERROR 1064/);
    expect(await summaries(client, server)).toEqual(before);
    expect(await uploads(server)).toBe(saved.uploads);
    expect(await phase()).toBeNull();
    await server.sh(`rm -rf ${INSTALL_DIR}/backups/20200101-000002`);
  });

  it('a manifest whose row counts the dump does not match is refused by verify and by restore, which changes nothing', async () => {
    await forge(saved.id, '20200101-000003', 'm["database"]["tables"]["labshop.items"] = 1999');
    const v = await wizard(server, ['backup', 'verify', '20200101-000003']);
    expect(v.exitCode).toBe(1);
    expect(v.stderr).toMatch(/backup 20200101-000003 does not load as recorded: 1 table\(s\) have other row counts than the manifest/);
    expect(v.stderr).toMatch(/labshop\.items: 1999 row\(s\) in the manifest, 2000 after loading/);
    const before = await summaries(client, server);
    const backups = (await listBackups(server)).length;
    const r = await wizard(server, ['restore', '20200101-000003', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/labshop\.items: 1999 row\(s\) in the manifest, 2000 after loading/);
    expect(await summaries(client, server)).toEqual(before);
    expect((await listBackups(server)).length).toBe(backups);
    expect(await phase()).toBeNull();
    expect((await server.docker(['ps', '-aq', '--filter', 'label=org.stack-wizard.throwaway'])).stdout.trim()).toBe('');
    await server.sh(`rm -rf ${INSTALL_DIR}/backups/20200101-000003`);
  });

  it('a restore interrupted by SIGTERM (Ctrl-C, systemctl stop) puts the safety backup back itself', async () => {
    await sql(server, 'DELETE FROM items WHERE id > 1500;');
    const before = await summaries(client, server);
    const pid = (await server.sh(`stack-wizard restore ${saved.id} --yes >/tmp/term-restore.log 2>&1 & echo $!`)).trim();
    await waitFor('the restore to reach restoring', async () => (await phase()) === 'restoring', { timeoutMs: 300_000, intervalMs: 100 });
    await server.sh(`kill -TERM ${pid}`);
    await waitFor('the interrupted restore to finish its rollback', async () => (await server.exec(['kill', '-0', pid], { allowFail: true })).exitCode !== 0, { timeoutMs: 600_000 });
    const log = await server.readFile('/tmp/term-restore.log');
    expect(log).toMatch(/the restore of .* was interrupted; the state before it was put back from backup/);
    expect(await summaries(client, server)).toEqual(before);
    expect(await phase()).toBeNull();
    expect((await wizard(server, ['restore', saved.id, '--yes'])).exitCode).toBe(0);
  });

  it('one flipped byte is refused by verify and by restore, which changes nothing', async () => {
    const r0 = await wizard(server, ['backup', '--logical']);
    expect(r0.exitCode, r0.stderr).toBe(0);
    const [b] = await listBackups(server);
    const file = `${INSTALL_DIR}/backups/${b!.id}/database.sql.gz`;
    // Flip every bit of one byte in the middle of the compressed dump.
    await server.exec(['python3', '-c', 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 2] ^= 0xFF; open(p, "wb").write(b)', file]);
    const v = await wizard(server, ['backup', 'verify', b!.id]);
    expect(v.exitCode).toBe(1);
    expect(v.stderr).toMatch(new RegExp(`backup ${b!.id} is damaged: 1 file\\(s\\) do not match their checksums`));
    expect(v.stderr).toMatch(/database\.sql\.gz: sha256 differs/);
    const backupsBefore = (await listBackups(server)).length;
    const before = await summaries(client, server);
    const r = await wizard(server, ['restore', b!.id, '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/is damaged: 1 file\(s\) do not match their checksums; it will not be restored/);
    expect(await summaries(client, server)).toEqual(before);
    expect((await listBackups(server)).length).toBe(backupsBefore);
    expect(await phase()).toBeNull();
    await server.sh(`rm -rf ${INSTALL_DIR}/backups/${b!.id}`);
  });

  it('refuses with exit 3 and the numbers when the backup disk is too small, writing nothing', async () => {
    await server.sh(`mkdir -p /mnt/tiny && mount -t tmpfs -o size=64m tmpfs /mnt/tiny && mv ${INSTALL_DIR}/backups /mnt/keep-backups && ln -s /mnt/tiny ${INSTALL_DIR}/backups`);
    try {
      const r = await wizard(server, ['backup']);
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toMatch(/not enough disk for the backup at .*backups: about [\d.]+ MiB needed \(with 512 MiB kept free\), [\d.]+ MiB free/);
      expect(await server.sh('ls -A /mnt/tiny')).toBe('');
    } finally {
      await server.sh(`rm ${INSTALL_DIR}/backups && mv /mnt/keep-backups ${INSTALL_DIR}/backups && umount /mnt/tiny`);
    }
  });

  it('encrypts with gpg and zstd when configured; the passphrase is nowhere in logs or files; a wrong one cannot verify', async () => {
    await server.sh('apt-get install -y -qq gnupg zstd >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq gnupg zstd >/dev/null)');
    const pass = (await server.sh('umask 077; openssl rand -base64 24 | tee /root/backup.pass')).trim();
    await server.writeFile(ANSWERS, backupAnswers({ extra: ['  passphraseFile: /root/backup.pass', '  encrypt: true'] }));
    expect((await runInit(server, ANSWERS)).exitCode).toBe(0);
    const r = await wizard(server, ['backup', '--logical']);
    expect(r.exitCode, r.stderr).toBe(0);
    const [b] = await listBackups(server);
    expect(b!.files.map((f) => f.name).sort()).toEqual(['config.tar.zst.gpg', 'database.sql.zst.gpg', 'redis.tar.zst.gpg', 'volume-app-data.tar.zst.gpg']);
    const dir = `${INSTALL_DIR}/backups/${b!.id}`;
    // Really OpenPGP (symmetric AES-256), and not readable without the passphrase.
    // cipher 9 = AES-256, s2k 3 = iterated and salted, hash 10 = SHA-512; mdc_method 2 = integrity protected.
    const packets = await server.sh(`gpg --list-packets --batch --pinentry-mode loopback --passphrase-file /root/backup.pass ${dir}/database.sql.zst.gpg 2>/dev/null | grep -a -E '^:(symkey|encrypted)|mdc_method'`);
    expect(packets).toMatch(/^:symkey enc packet: version 4, cipher 9, aead 0, ?s2k 3, hash 10/m);
    expect(packets).toMatch(/^:encrypted data packet:\n\s+mdc_method: 2/m);
    const ok = await wizard(server, ['backup', 'verify', b!.id]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(await server.sh(`grep -rlF -- '${pass}' ${INSTALL_DIR}/logs ${INSTALL_DIR}/backups /var/log /tmp 2>/dev/null || true`)).toBe('');
    const bad = await wizard(server, ['backup', 'verify', b!.id], { STACK_WIZARD_BACKUP_PASSPHRASE: 'not-the-passphrase' });
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/gpg/);
    // Back to plain backups for what follows.
    await server.writeFile(ANSWERS, backupAnswers({ keep: 3 }));
    expect((await runInit(server, ANSWERS)).exitCode).toBe(0);
  });

  it('without systemd, Debian\'s cron runs the cron.d entry at backup.schedule: the program, backup --scheduled and the stack\'s answers', async () => {
    const ran = await waitFor('cron to run the scheduled backup', async () => {
      const r = await cronHost.exec(['cat', '/root/cron-ran.txt'], { allowFail: true });
      return r.exitCode === 0 && r.stdout.trim() ? r.stdout : undefined;
    }, { timeoutMs: 300_000, intervalMs: 5000 });
    expect(ran).toBe(`${cronAt} backup --scheduled --answers ${INSTALL_DIR}/stack-wizard.yaml\n`);
    expect(await cronHost.sh(`ls /etc/cron.d/ && stat -c %a /etc/cron.d/stack-wizard-${PROJECT}-backup && ls ${INSTALL_DIR}/logs`)).toMatch(new RegExp(`stack-wizard-${PROJECT}-backup\\n[\\s\\S]*644\\nbackup-cron\\.log\\n$`));
  });

  it('the timer runs a scheduled backup, and retention keeps backup.keep backups', async () => {
    await server.sh('systemctl start stack-wizard-labshop-backup.service');
    const list = await listBackups(server);
    expect(list[0]!.kind).toBe('scheduled');
    expect(list.length).toBe(3);
    // Newest first.
    expect(list.map((b) => b.createdAt)).toEqual([...list.map((b) => b.createdAt)].sort().reverse());
    expect(await server.sh('journalctl -u stack-wizard-labshop-backup.service --no-pager -o cat')).toMatch(/retention \(backup\.keep = 3\) removed \d+ older backup/);
  });
});

void IMAGES;
