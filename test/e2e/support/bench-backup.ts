// The bench's backup section (scripts/bench-backup.mjs bundles and runs this): a fresh lab server
// with the lab stack (MariaDB 10.11), a generated database of at least `targetBytes` (InnoDB data +
// indexes), then in one run on the same server: `stack-wizard backup` (physical, MariaDB's default:
// mariadb-backup), `stack-wizard backup --logical` (mariadb-dump) and the classic
// `mariadb-dump --single-transaction | gzip`; `stack-wizard restore` of the physical backup, of the
// logical one (each as it runs by default: verified first, behind a safety backup) and the classic
// `gunzip | mariadb`. Each is timed by wall clock, with the server's peak memory meanwhile (the sum
// of every process's RSS, sampled every 250 ms, above the idle stack's just before) and the largest
// tool process at its peak; each restore is checked by row count and CRC of every row.
import { Lab, type Server } from '../../lab/lab.js';
import { ANSWERS, INSTALL_DIR, STACK_IMAGES, runInit } from './apply-lab.js';
import { backupAnswers } from './backup-lab.js';

const GiB = 1024 ** 3;
const MB = 1e6;

const mysql = (server: Server, sql: string, timeoutMs = 1_800_000) =>
  server.sh(
    `cd ${INSTALL_DIR} && docker compose exec -T mysql sh -c 'mariadb -uroot -p"$MARIADB_ROOT_PASSWORD" -N -B labshop' <<'SQL'\n${sql}\nSQL`,
    { timeoutMs },
  );

/** Rows of random-looking text (md5 chains), about 330 bytes of row data each, doubled until the table is big enough. */
async function generate(
  server: Server,
  targetBytes: number,
  log: (s: string) => void,
): Promise<{ bytes: number; rows: number; seconds: number }> {
  const t0 = performance.now();
  await mysql(
    server,
    [
      'DROP TABLE IF EXISTS bench;',
      'CREATE TABLE bench (id BIGINT AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL, a CHAR(32) NOT NULL, b VARCHAR(64) NOT NULL, c VARCHAR(200) NOT NULL, d DATETIME NOT NULL, e DECIMAL(12,2) NOT NULL, KEY (k)) ENGINE=InnoDB;',
      "INSERT INTO bench (k, a, b, c, d, e) SELECT seq, MD5(seq), CONCAT(MD5(seq * 3), '-', seq), CONCAT(MD5(seq * 5), MD5(seq * 7), MD5(seq * 11), MD5(seq * 13), 'x'), NOW() - INTERVAL seq MINUTE, seq / 7 FROM seq_1_to_8192;",
    ].join('\n'),
  );
  for (;;) {
    const [bytes, rows] = (
      await mysql(
        server,
        "SELECT data_length + index_length, table_rows FROM information_schema.tables WHERE table_schema = 'labshop' AND table_name = 'bench';",
      )
    )
      .trim()
      .split('\t')
      .map(Number);
    log(`  generated ${rows} rows, ${(bytes! / GiB).toFixed(2)} GiB`);
    if (bytes! >= targetBytes) break;
    await mysql(
      server,
      "INSERT INTO bench (k, a, b, c, d, e) SELECT k + 1, MD5(CONCAT(a, 'n')), CONCAT(MD5(b), '-', k), CONCAT(MD5(c), SUBSTRING(c, 33)), d - INTERVAL 1 DAY, e + 1 FROM bench;",
    );
  }
  await mysql(server, 'ANALYZE TABLE bench;');
  const [bytes, rows] = (
    await mysql(
      server,
      "SELECT data_length + index_length, (SELECT COUNT(*) FROM bench) FROM information_schema.tables WHERE table_schema = 'labshop' AND table_name = 'bench';",
    )
  )
    .trim()
    .split('\t')
    .map(Number);
  return { bytes: bytes!, rows: rows!, seconds: (performance.now() - t0) / 1000 };
}

const fingerprint = (server: Server) =>
  mysql(server, 'SELECT COUNT(*), SUM(CRC32(CONCAT_WS(",", id, k, a, b, c, d, e))) FROM bench;').then((s) => s.trim());

/** A tool process's name as `ps -o comm` shows it (15 characters at most), and the largest RSS it reached. */
interface ToolPeak {
  comm: string;
  mb: number;
}
interface Measured {
  s: number;
  peakMb: number;
  tool: ToolPeak | null;
}

/** The processes an operation adds (the server, Docker and the stack's services are the baseline). */
const TOOLS = [
  'node',
  'mariadb-backup',
  'mariadb-dump',
  'mbstream',
  'mariadb',
  'zstd',
  'gzip',
  'gunzip',
  'gpg',
  'tar',
  'docker',
];

/**
 * Runs `fn` while a sampler on the server records, every 250 ms, the sum of every process's RSS
 * and each tool process's RSS; returns the wall time, the peak sum above the baseline taken just
 * before, and the largest tool process.
 */
async function measured<T>(server: Server, label: string, fn: () => Promise<T>): Promise<Measured & { value: T }> {
  const log = `/root/bench-mem-${label}.log`;
  const sample = `ps -eo rss=,comm= | awk '{ s += $1; print "p", $2, $1 } END { print "t", s }'`;
  const base = Number(/^t (\d+)$/m.exec(await server.sh(sample))?.[1] ?? 0);
  const pid = (
    await server.sh(
      `nohup setsid sh -c 'while :; do ${sample.replace(/'/g, `'"'"'`)}; sleep 0.25; done' >${log} 2>/dev/null & echo $!`,
    )
  ).trim();
  const t0 = performance.now();
  let value: T;
  try {
    value = await fn();
  } finally {
    await server.sh(`kill -- -${pid} 2>/dev/null || kill ${pid} 2>/dev/null || true`);
  }
  const s = (performance.now() - t0) / 1000;
  const lines = (await server.readFile(log)).split('\n');
  let peak = base;
  const tools = new Map<string, number>();
  for (const l of lines) {
    const t = /^t (\d+)$/.exec(l);
    if (t) peak = Math.max(peak, Number(t[1]));
    const p = /^p (\S+) (\d+)$/.exec(l);
    if (p && TOOLS.includes(p[1]!)) tools.set(p[1]!, Math.max(tools.get(p[1]!) ?? 0, Number(p[2])));
  }
  const top = [...tools.entries()].sort((a, b) => b[1] - a[1])[0];
  return { s, value, peakMb: (peak - base) / 1024, tool: top ? { comm: top[0], mb: top[1] / 1024 } : null };
}

export interface BackupBench {
  databaseBytes: number;
  rows: number;
  generateS: number;
  compression: string;
  cores: number;
  physical: { backup: Measured; fileBytes: number; restore: Measured; downS: number; safetyBackupS: number };
  logical: {
    backup: Measured;
    dumpBytes: number;
    fileBytes: number;
    restore: Measured;
    loadS: number;
    safetyBackupS: number;
  };
  classic: { backup: Measured; fileBytes: number; restore: Measured };
}

const strip = ({ s, peakMb, tool }: Measured): Measured => ({ s, peakMb, tool });

export async function benchBackup(o: { targetBytes?: number; log?: (s: string) => void } = {}): Promise<BackupBench> {
  const log = o.log ?? ((s: string) => console.error(s));
  const lab = await Lab.create();
  try {
    const server = await lab.startServer();
    await lab.loadImages(server, STACK_IMAGES);
    await lab.installWizard(server);
    // zstd as on most servers (Debian's package); gzip stays the classic's.
    await server.sh(
      'apt-get install -y -qq zstd >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq zstd >/dev/null)',
      { timeoutMs: 300_000 },
    );
    await server.writeFile(ANSWERS, backupAnswers({ keep: 10 }));
    const init = await runInit(server, ANSWERS);
    if (init.exitCode !== 0) throw new Error(`init failed:\n${init.stderr}`);
    log('generating the database…');
    const gen = await generate(server, o.targetBytes ?? GiB, log);
    const before = await fingerprint(server);
    const cores = Number((await server.sh('nproc')).trim());
    const list = async () =>
      (
        JSON.parse((await server.exec(['stack-wizard', 'backup', 'list', '--json'])).stdout) as {
          backups: { id: string; kind: string; files: { kind: string; bytes: number; rawBytes: number }[] }[];
        }
      ).backups;
    const must = (what: string, r: { exitCode: number; stdout: string; stderr: string }) => {
      if (r.exitCode !== 0)
        throw new Error(`${what} failed (exit ${r.exitCode}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
      return r;
    };

    log('stack-wizard backup (physical)…');
    const phB = await measured(server, 'physical-backup', async () =>
      must('backup', await server.exec(['stack-wizard', 'backup'], { timeoutMs: 3_600_000, allowFail: true })),
    );
    const ph = (await list())[0]!;
    const phFile = ph.files.find((f) => f.kind === 'database')!;
    log('stack-wizard backup --logical…');
    const lgB = await measured(server, 'logical-backup', async () =>
      must(
        'backup --logical',
        await server.exec(['stack-wizard', 'backup', '--logical'], { timeoutMs: 3_600_000, allowFail: true }),
      ),
    );
    const lg = (await list())[0]!;
    const lgFile = lg.files.find((f) => f.kind === 'database')!;
    const compression = (await server.sh(`ls ${INSTALL_DIR}/backups/${lg.id}`)).includes('.zst') ? 'zstd -T0' : 'gzip';

    log('mariadb-dump | gzip…');
    const clB = await measured(server, 'classic-backup', () =>
      server.sh(
        `set -o pipefail; cd ${INSTALL_DIR} && docker compose exec -T mysql sh -c 'mariadb-dump -uroot -p"$MARIADB_ROOT_PASSWORD" --single-transaction --quick --databases labshop' | gzip > /root/classic.sql.gz`,
        { timeoutMs: 3_600_000 },
      ),
    );
    const classicBytes = Number((await server.sh('stat -c %s /root/classic.sql.gz')).trim());

    const safetyOf = async (): Promise<number> => {
      const s = (await list()).find((x) => x.kind === 'pre-restore')!;
      const m = JSON.parse(await server.readFile(`${INSTALL_DIR}/backups/${s.id}/manifest.json`)) as {
        durationMs: number;
      };
      // One safety backup at a time in the list: the next restore's is then the only one.
      await server.sh(`rm -rf ${INSTALL_DIR}/backups/${s.id}`);
      return m.durationMs / 1000;
    };

    // Something to undo before each restore, so each really replaces data.
    await mysql(server, 'DELETE FROM bench WHERE id % 2 = 0;');
    log('stack-wizard restore (physical)…');
    const phR = await measured(server, 'physical-restore', async () =>
      must(
        'restore physical',
        await server.exec(['stack-wizard', 'restore', ph.id, '--yes'], { timeoutMs: 3_600_000, allowFail: true }),
      ),
    );
    if ((await fingerprint(server)) !== before)
      throw new Error('stack-wizard restore of the physical backup did not bring the table back');
    const downS = Number(/the database was down ([\d.]+) s/.exec(phR.value.stdout)?.[1] ?? NaN);
    const phSafety = await safetyOf();

    await mysql(server, 'DELETE FROM bench WHERE id % 2 = 0;');
    log('stack-wizard restore (logical)…');
    const lgR = await measured(server, 'logical-restore', async () =>
      must(
        'restore logical',
        await server.exec(['stack-wizard', 'restore', lg.id, '--yes'], { timeoutMs: 3_600_000, allowFail: true }),
      ),
    );
    if ((await fingerprint(server)) !== before)
      throw new Error('stack-wizard restore of the logical backup did not bring the table back');
    // The load itself, as the restore logged it: the rest is checks, the safety backup, Redis and health gates.
    const loads = [
      ...(await server.readFile(`${INSTALL_DIR}/logs/stack-wizard.log`)).matchAll(
        /restore part database: loaded \d+ bytes of SQL in ([\d.]+) s/g,
      ),
    ];
    const loadS = Number(loads.at(-1)?.[1] ?? NaN);
    const lgSafety = await safetyOf();

    await mysql(server, 'DELETE FROM bench WHERE id % 2 = 0;');
    log('gunzip | mariadb…');
    const clR = await measured(server, 'classic-restore', () =>
      server.sh(
        `set -o pipefail; cd ${INSTALL_DIR} && gunzip -c /root/classic.sql.gz | docker compose exec -T mysql sh -c 'mariadb -uroot -p"$MARIADB_ROOT_PASSWORD"'`,
        { timeoutMs: 3_600_000 },
      ),
    );
    if ((await fingerprint(server)) !== before) throw new Error('gunzip | mariadb did not bring the table back');

    return {
      databaseBytes: gen.bytes,
      rows: gen.rows,
      generateS: gen.seconds,
      compression,
      cores,
      physical: { backup: strip(phB), fileBytes: phFile.bytes, restore: strip(phR), downS, safetyBackupS: phSafety },
      logical: {
        backup: strip(lgB),
        dumpBytes: lgFile.rawBytes,
        fileBytes: lgFile.bytes,
        restore: strip(lgR),
        loadS,
        safetyBackupS: lgSafety,
      },
      classic: { backup: strip(clB), fileBytes: classicBytes, restore: strip(clR) },
    };
  } finally {
    await lab.cleanup();
  }
}

/** The figures as bench.mjs prints them: label → value. MB/s are of the database's size (data + indexes) per wall-clock second. */
export function backupFigures(r: BackupBench): Record<string, string> {
  const rate = (s: number) => `${(r.databaseBytes / MB / s).toFixed(1)} MB/s`;
  const size = (n: number) => `${(n / MB).toFixed(0)} MB`;
  const mem = (m: Measured) =>
    `peak +${m.peakMb.toFixed(0)} MB RSS${m.tool ? ` (largest tool: ${m.tool.comm} ${m.tool.mb.toFixed(0)} MB)` : ''}`;
  const ratio = (a: number, b: number) => `×${(b / a).toFixed(2)}`;
  return {
    [`database: ${size(r.databaseBytes)} InnoDB (data + indexes), ${r.rows} rows, SQL dump ${size(r.logical.dumpBytes)}; lab server, ${r.cores} cores`]: `generated in ${r.generateS.toFixed(0)} s`,
    [`stack-wizard backup, physical (mariadb-backup stream + ${r.compression}, prepared and proven by a server on the copy, binlogs archived, Redis, volumes, config)`]: `${r.physical.backup.s.toFixed(1)} s, ${rate(r.physical.backup.s)}, file ${size(r.physical.fileBytes)}; ${mem(r.physical.backup)}`,
    [`stack-wizard backup --logical (mariadb-dump + ${r.compression}, CHECKSUM TABLE before and after, row counts, Redis, volumes, config)`]: `${r.logical.backup.s.toFixed(1)} s, ${rate(r.logical.backup.s)}, file ${size(r.logical.fileBytes)}; ${mem(r.logical.backup)}`,
    'mariadb-dump --single-transaction | gzip (same run)': `${r.classic.backup.s.toFixed(1)} s, ${rate(r.classic.backup.s)}, file ${size(r.classic.fileBytes)}; ${mem(r.classic.backup)}`,
    'backup: physical vs mariadb-dump | gzip; vs --logical': `${ratio(r.physical.backup.s, r.classic.backup.s)}; ${ratio(r.physical.backup.s, r.logical.backup.s)}`,
    'stack-wizard restore of the physical backup (checks, verify: unpack, prepare, a server on the copy; physical safety backup; swap; health gates)': `${r.physical.restore.s.toFixed(1)} s, ${rate(r.physical.restore.s)}; database down ${r.physical.downS.toFixed(1)} s; safety backup ${r.physical.safetyBackupS.toFixed(1)} s; ${mem(r.physical.restore)}`,
    'stack-wizard restore of the logical backup (checks, test load into a throwaway server, physical safety backup, load, health gates)': `${r.logical.restore.s.toFixed(1)} s, ${rate(r.logical.restore.s)}; the load ${r.logical.loadS.toFixed(1)} s = ${rate(r.logical.loadS)}; safety backup ${r.logical.safetyBackupS.toFixed(1)} s; ${mem(r.logical.restore)}`,
    'gunzip | mariadb (same run)': `${r.classic.restore.s.toFixed(1)} s, ${rate(r.classic.restore.s)}; ${mem(r.classic.restore)}`,
    'restore: physical vs gunzip | mariadb; vs logical': `${ratio(r.physical.restore.s, r.classic.restore.s)}; ${ratio(r.physical.restore.s, r.logical.restore.s)}`,
  };
}
