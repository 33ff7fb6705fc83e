// The bench's backup section (scripts/bench-backup.mjs bundles and runs this): a fresh lab server
// with the lab stack, a generated database of at least `targetBytes` (InnoDB data + indexes), then
// in one run: `stack-wizard backup` and `stack-wizard restore` (as it runs by default, verifying the
// backup by a test load first, and with --skip-verify) against the classic
// `mariadb-dump --single-transaction | gzip` and `gunzip | mariadb`, each timed by wall clock on the
// same server, each restore checked by row count and checksum.
import { Lab, type Server } from '../../lab/lab.js';
import { ANSWERS, INSTALL_DIR, STACK_IMAGES, runInit } from './apply-lab.js';
import { backupAnswers } from './backup-lab.js';

const GiB = 1024 ** 3;
const MB = 1e6;

const mysql = (server: Server, sql: string, timeoutMs = 1_800_000) =>
  server.sh(`cd ${INSTALL_DIR} && docker compose exec -T mysql sh -c 'mariadb -uroot -p"$MARIADB_ROOT_PASSWORD" -N -B labshop' <<'SQL'\n${sql}\nSQL`, { timeoutMs });

async function timed<T>(fn: () => Promise<T>): Promise<{ s: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { s: (performance.now() - t0) / 1000, value };
}

/** Rows of random-looking text (md5 chains), about 330 bytes of row data each, doubled until the table is big enough. */
async function generate(server: Server, targetBytes: number, log: (s: string) => void): Promise<{ bytes: number; rows: number; seconds: number }> {
  const t0 = performance.now();
  await mysql(server, [
    'DROP TABLE IF EXISTS bench;',
    'CREATE TABLE bench (id BIGINT AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL, a CHAR(32) NOT NULL, b VARCHAR(64) NOT NULL, c VARCHAR(200) NOT NULL, d DATETIME NOT NULL, e DECIMAL(12,2) NOT NULL, KEY (k)) ENGINE=InnoDB;',
    "INSERT INTO bench (k, a, b, c, d, e) SELECT seq, MD5(seq), CONCAT(MD5(seq * 3), '-', seq), CONCAT(MD5(seq * 5), MD5(seq * 7), MD5(seq * 11), MD5(seq * 13), 'x'), NOW() - INTERVAL seq MINUTE, seq / 7 FROM seq_1_to_8192;",
  ].join('\n'));
  for (;;) {
    const [bytes, rows] = (await mysql(server, "SELECT data_length + index_length, table_rows FROM information_schema.tables WHERE table_schema = 'labshop' AND table_name = 'bench';")).trim().split('\t').map(Number);
    log(`  generated ${rows} rows, ${(bytes! / GiB).toFixed(2)} GiB`);
    if (bytes! >= targetBytes) break;
    await mysql(server, "INSERT INTO bench (k, a, b, c, d, e) SELECT k + 1, MD5(CONCAT(a, 'n')), CONCAT(MD5(b), '-', k), CONCAT(MD5(c), SUBSTRING(c, 33)), d - INTERVAL 1 DAY, e + 1 FROM bench;");
  }
  await mysql(server, 'ANALYZE TABLE bench;');
  const [bytes, rows] = (await mysql(server, "SELECT data_length + index_length, (SELECT COUNT(*) FROM bench) FROM information_schema.tables WHERE table_schema = 'labshop' AND table_name = 'bench';")).trim().split('\t').map(Number);
  return { bytes: bytes!, rows: rows!, seconds: (performance.now() - t0) / 1000 };
}

const fingerprint = (server: Server) => mysql(server, 'SELECT COUNT(*), SUM(CRC32(CONCAT_WS(",", id, k, a, b, c, d, e))) FROM bench;').then((s) => s.trim());

export interface BackupBench {
  databaseBytes: number;
  rows: number;
  generateS: number;
  compression: string;
  ours: { backupS: number; dumpBytes: number; fileBytes: number; restoreS: number; safetyBackupS: number; loadS: number; restoreSkipVerifyS: number };
  classic: { backupS: number; fileBytes: number; restoreS: number };
  cores: number;
}

export async function benchBackup(o: { targetBytes?: number; log?: (s: string) => void } = {}): Promise<BackupBench> {
  const log = o.log ?? ((s: string) => console.error(s));
  const lab = await Lab.create();
  try {
    const server = await lab.startServer();
    await lab.loadImages(server, STACK_IMAGES);
    await lab.installWizard(server);
    // zstd as on most servers (Debian's package); gzip stays the classic's.
    await server.sh('apt-get install -y -qq zstd >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq zstd >/dev/null)', { timeoutMs: 300_000 });
    await server.writeFile(ANSWERS, backupAnswers({ keep: 10 }));
    const init = await runInit(server, ANSWERS);
    if (init.exitCode !== 0) throw new Error(`init failed:\n${init.stderr}`);
    log('generating the database…');
    const gen = await generate(server, o.targetBytes ?? GiB, log);
    const before = await fingerprint(server);
    const cores = Number((await server.sh('nproc')).trim());

    log('stack-wizard backup…');
    const ours = await timed(() => server.exec(['stack-wizard', 'backup'], { timeoutMs: 3_600_000 }));
    const list = JSON.parse((await server.exec(['stack-wizard', 'backup', 'list', '--json'])).stdout) as { backups: { id: string; files: { kind: string; bytes: number; rawBytes: number }[] }[] };
    const b = list.backups[0]!;
    const db = b.files.find((f) => f.kind === 'database')!;
    const compression = (await server.sh(`ls ${INSTALL_DIR}/backups/${b.id}`)).includes('.zst') ? 'zstd -T0' : 'gzip';

    log('mariadb-dump | gzip…');
    const classic = await timed(() =>
      server.sh(`set -o pipefail; cd ${INSTALL_DIR} && docker compose exec -T mysql sh -c 'mariadb-dump -uroot -p"$MARIADB_ROOT_PASSWORD" --single-transaction --quick --databases labshop' | gzip > /root/classic.sql.gz`, { timeoutMs: 3_600_000 }),
    );
    const classicBytes = Number((await server.sh('stat -c %s /root/classic.sql.gz')).trim());

    // Something to undo, so each restore really replaces data.
    await mysql(server, 'DELETE FROM bench WHERE id % 2 = 0;');
    log('stack-wizard restore…');
    const restore = await timed(() => server.exec(['stack-wizard', 'restore', b.id, '--yes'], { timeoutMs: 3_600_000 }));
    if ((await fingerprint(server)) !== before) throw new Error('stack-wizard restore did not bring the table back');
    const safety = JSON.parse((await server.exec(['stack-wizard', 'backup', 'list', '--json'])).stdout) as { backups: { kind: string; id: string }[] };
    const safetyId = safety.backups.find((x) => x.kind === 'pre-restore')!.id;
    const safetyManifest = JSON.parse(await server.readFile(`${INSTALL_DIR}/backups/${safetyId}/manifest.json`)) as { durationMs: number };
    // The load itself, as the restore logged it: the rest is checks, the safety backup, Redis and health gates.
    const loadS = Number(/restore part database: loaded \d+ bytes of SQL in ([\d.]+) s/.exec(await server.readFile(`${INSTALL_DIR}/logs/stack-wizard.log`))?.[1] ?? NaN);

    // The same restore without the test load (--skip-verify): what verifying first costs.
    await mysql(server, 'DELETE FROM bench WHERE id % 2 = 0;');
    log('stack-wizard restore --skip-verify…');
    const skip = await timed(() => server.exec(['stack-wizard', 'restore', b.id, '--yes', '--skip-verify'], { timeoutMs: 3_600_000 }));
    if ((await fingerprint(server)) !== before) throw new Error('stack-wizard restore --skip-verify did not bring the table back');

    await mysql(server, 'DELETE FROM bench WHERE id % 2 = 0;');
    log('gunzip | mariadb…');
    const classicRestore = await timed(() =>
      server.sh(`set -o pipefail; cd ${INSTALL_DIR} && gunzip -c /root/classic.sql.gz | docker compose exec -T mysql sh -c 'mariadb -uroot -p"$MARIADB_ROOT_PASSWORD"'`, { timeoutMs: 3_600_000 }),
    );
    if ((await fingerprint(server)) !== before) throw new Error('gunzip | mariadb did not bring the table back');

    return {
      databaseBytes: gen.bytes,
      rows: gen.rows,
      generateS: gen.seconds,
      compression,
      cores,
      ours: { backupS: ours.s, dumpBytes: db.rawBytes, fileBytes: db.bytes, restoreS: restore.s, safetyBackupS: safetyManifest.durationMs / 1000, loadS, restoreSkipVerifyS: skip.s },
      classic: { backupS: classic.s, fileBytes: classicBytes, restoreS: classicRestore.s },
    };
  } finally {
    await lab.cleanup();
  }
}

/** The figures as bench.mjs prints them: label → value. MB/s are of the database's size (data + indexes) per wall-clock second. */
export function backupFigures(r: BackupBench): Record<string, string> {
  const rate = (s: number) => `${(r.databaseBytes / MB / s).toFixed(1)} MB/s`;
  const size = (n: number) => `${(n / MB).toFixed(0)} MB`;
  return {
    [`database: ${size(r.databaseBytes)} InnoDB (data + indexes), ${r.rows} rows, SQL dump ${size(r.ours.dumpBytes)}; lab server, ${r.cores} cores`]: `generated in ${r.generateS.toFixed(0)} s`,
    [`stack-wizard backup (dump + ${r.compression}, sums, row counts, Redis, volumes, config)`]: `${r.ours.backupS.toFixed(1)} s, ${rate(r.ours.backupS)}, dump file ${size(r.ours.fileBytes)}`,
    'mariadb-dump --single-transaction | gzip (same run)': `${r.classic.backupS.toFixed(1)} s, ${rate(r.classic.backupS)}, file ${size(r.classic.fileBytes)}`,
    'stack-wizard restore (checks, test load into a throwaway server, safety backup, load, Redis, volumes, health gates)': `${r.ours.restoreS.toFixed(1)} s, ${rate(r.ours.restoreS)} (of which the safety backup ${r.ours.safetyBackupS.toFixed(1)} s, the database load ${r.ours.loadS.toFixed(1)} s = ${rate(r.ours.loadS)})`,
    'stack-wizard restore --skip-verify (the same without the test load)': `${r.ours.restoreSkipVerifyS.toFixed(1)} s, ${rate(r.ours.restoreSkipVerifyS)}`,
    'gunzip | mariadb (same run)': `${r.classic.restoreS.toFixed(1)} s, ${rate(r.classic.restoreS)}`,
  };
}
