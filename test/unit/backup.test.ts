// The pure parts of backup, restore and update: IDs, the manifest, retention, version rules, the
// space estimate, the dump row counter, the restore journal's state machine, the schedule files.
import { describe, expect, it } from 'vitest';
import {
  SPACE_RESERVE_BYTES, backupId, compatibility, estimateBackupBytes, humanBytes, isBackupId, manifestText, newestFirst, parseManifest,
  backupMethod, checksumCounts, checksumDiff, methodOf, retentionVictims, rowCountDiff, spaceVerdict, type BackupSummary, type Manifest,
} from '../../src/domain/backup.js';
import { DumpRowCounter } from '../../src/domain/dump-rows.js';
import { MARIADB } from '../../src/domain/engines/mariadb.js';
import { MYSQL } from '../../src/domain/engines/mysql.js';
import { JournalError, advance, parseJournal, journalText, recoveryFor, startJournal, type Journal, type Phase } from '../../src/domain/restore-journal.js';
import { scheduleFiles } from '../../src/steps/backup-schedule.js';
import { objectUrl } from '../../src/steps/backup-s3.js';
import { keyspace, parseInfo, quoteIdent, quoteString, type Stack } from '../../src/steps/stack-tools.js';
import { dataVolumes } from '../../src/steps/backup.js';
import { AnswersSchema } from '../../src/domain/answers.js';
import { buildPlan } from '../../src/domain/plan.js';
import { renderAll } from '../../src/render/index.js';
import { parse as parseYaml } from 'yaml';
import { makeFacts } from '../fixtures/facts.js';

const sha = 'a'.repeat(64);
function manifest(over: Partial<Manifest> = {}): Manifest {
  return {
    format: 1,
    id: '20260315-031500',
    project: 'shop',
    kind: 'manual',
    createdAt: '2026-03-15T03:15:00.000Z',
    durationMs: 1200,
    tool: { version: '0.1.0', templateVersion: 1 },
    compression: 'zstd',
    encryption: null,
    database: { engine: 'mariadb', serverVersion: '10.11.14-MariaDB', image: 'mariadb:10.11.14', dumpTool: 'mariadb-dump', databases: ['shop'], tables: { 'shop.items': 3 } },
    redis: { version: '7.4.5', image: 'redis:7.4.5', keys: 2, keyspace: { db0: 2 } },
    volumes: ['app-data'],
    files: [{ name: 'database.sql.zst', kind: 'database', bytes: 10, sha256: sha, rawBytes: 40 }],
    ...over,
  };
}

describe('backup IDs', () => {
  const at = new Date(Date.UTC(2026, 2, 15, 3, 15, 0));
  it('are the UTC date and time, with the kind for safety backups', () => {
    expect(backupId(at, 'manual')).toBe('20260315-031500');
    expect(backupId(at, 'scheduled')).toBe('20260315-031500');
    expect(backupId(at, 'pre-restore')).toBe('20260315-031500-pre-restore');
    expect(backupId(at, 'pre-update')).toBe('20260315-031500-pre-update');
  });
  it('get a counter when the name (or its partial folder) is taken', () => {
    expect(backupId(at, 'manual', new Set(['20260315-031500']))).toBe('20260315-031500-2');
    expect(backupId(at, 'manual', new Set(['20260315-031500', '20260315-031500-2.partial']))).toBe('20260315-031500-3');
  });
  it('are recognised, and nothing else in the backups folder is', () => {
    for (const id of ['20260315-031500', '20260315-031500-pre-restore', '20260315-031500-2', '20260315-031500-pre-update-3']) expect(isBackupId(id), id).toBe(true);
    for (const id of ['20260315-031500.partial', 'notes.txt', '2026-03-15', '../etc', '20260315-031500-evil']) expect(isBackupId(id), id).toBe(false);
  });
});

describe('the manifest', () => {
  it('round-trips and rejects what is not one, naming the field', () => {
    const m = manifest();
    expect(parseManifest(manifestText(m))).toEqual({ manifest: m });
    expect(parseManifest('{"format": 1')).toMatchObject({ error: expect.stringMatching(/^not JSON/) });
    const bad = JSON.parse(manifestText(m));
    bad.files[0].sha256 = 'xyz';
    expect(parseManifest(JSON.stringify(bad))).toMatchObject({ error: expect.stringMatching(/files\.0\.sha256/) });
    expect(parseManifest(JSON.stringify({ ...bad, format: 2 }))).toMatchObject({ error: expect.stringMatching(/format/) });
  });
  it('row count differences name each table', () => {
    expect(rowCountDiff({ 'a.t': 3, 'a.u': 1 }, { 'a.t': 3, 'a.u': 1 })).toEqual([]);
    expect(rowCountDiff({ 'a.t': 3, 'a.u': 1 }, { 'a.t': 2, 'a.v': 0 })).toEqual([
      { table: 'a.t', expected: 3, actual: 2 },
      { table: 'a.u', expected: 1, actual: null },
      { table: 'a.v', expected: null, actual: 0 },
    ]);
  });
});

describe('retention', () => {
  const b = (id: string, createdAt: string, ok = true): BackupSummary => ({ id, createdAt, kind: 'manual', bytes: 1, manifest: ok ? manifest({ id, createdAt }) : null, error: ok ? null : 'x' });
  const list = [b('20260101-030000', '2026-01-01T03:00:00Z'), b('20260103-030000', '2026-01-03T03:00:00Z'), b('20260102-030000', '2026-01-02T03:00:00Z'), b('20260104-030000', '2026-01-04T03:00:00Z'), b('20260100-broken', '', false)];
  it('keeps the newest N complete backups and removes the rest, oldest included', () => {
    expect(retentionVictims(list, 2).sort()).toEqual(['20260101-030000', '20260102-030000']);
    expect(retentionVictims(list, 10)).toEqual([]);
  });
  it('never removes a protected backup or one whose manifest is unreadable', () => {
    expect(retentionVictims(list, 1, new Set(['20260101-030000'])).sort()).toEqual(['20260102-030000', '20260103-030000']);
    expect(retentionVictims(list, 0)).not.toContain('20260100-broken');
  });
  it('lists newest first', () => {
    expect(newestFirst(list.filter((x) => x.manifest)).map((x) => x.id)).toEqual(['20260104-030000', '20260103-030000', '20260102-030000', '20260101-030000']);
  });
});

describe('version compatibility', () => {
  const current = (engine: 'mysql' | 'mariadb', dbVersion: string, redisVersion = '7.4.5') => ({ engine, dbVersion, redisVersion });
  it('loads into the same engine at the same or a later series', () => {
    expect(compatibility(manifest(), current('mariadb', '10.11.18-MariaDB-0+deb12u1-log'))).toEqual({ ok: true });
    expect(compatibility(manifest(), current('mariadb', '11.4.8-MariaDB'))).toEqual({ ok: true });
    const my = manifest({ database: { ...manifest().database!, engine: 'mysql', serverVersion: '8.0.43' } });
    expect(compatibility(my, current('mysql', '8.4.6'))).toEqual({ ok: true });
  });
  it('refuses another engine', () => {
    expect(compatibility(manifest(), current('mysql', '8.4.6'))).toEqual({ ok: false, reason: 'engine', backup: 'mariadb', current: 'mysql' });
  });
  it('refuses a newer database series or a newer Redis', () => {
    const m = manifest({ database: { ...manifest().database!, serverVersion: '11.4.8-MariaDB' } });
    expect(compatibility(m, current('mariadb', '10.11.14-MariaDB'))).toMatchObject({ ok: false, reason: 'newer', what: 'database' });
    expect(compatibility(manifest(), current('mariadb', '10.11.14', '7.0.15'))).toMatchObject({ ok: false, reason: 'newer', what: 'redis', backup: '7.4.5', current: '7.0.15' });
    // A patch release is not a series: 10.11.14 loads into 10.11.6.
    expect(compatibility(manifest(), current('mariadb', '10.11.6', '7.4.0'))).toEqual({ ok: true });
  });
  it('says when a version cannot be read', () => {
    expect(compatibility(manifest(), current('mariadb', 'garbage'))).toMatchObject({ ok: false, reason: 'unknown-version', what: 'database' });
  });
  it('starts a physical copy only on the series that wrote it, older or newer (#18)', () => {
    const ph = (v: string) => manifest({ database: { ...manifest().database!, serverVersion: v, method: 'physical' } });
    expect(compatibility(ph('11.8.3-MariaDB'), current('mariadb', '10.11.14-MariaDB'))).toEqual({ ok: false, reason: 'physical-series', backup: '11.8.3-MariaDB', current: '10.11.14-MariaDB' });
    expect(compatibility(ph('10.11.6-MariaDB'), current('mariadb', '11.4.8-MariaDB'))).toMatchObject({ ok: false, reason: 'physical-series' });
    expect(compatibility(ph('10.11.6-MariaDB'), current('mariadb', '10.11.14-MariaDB'))).toEqual({ ok: true });
    // The same backup as a dump loads into the later series.
    expect(compatibility(manifest({ database: { ...manifest().database!, serverVersion: '10.11.6-MariaDB' } }), current('mariadb', '11.4.8-MariaDB'))).toEqual({ ok: true });
  });
});

describe('the database method (#18.1)', () => {
  it('is a physical copy by default on MariaDB, a dump by default on MySQL; either when asked and the server has the tool', () => {
    expect(backupMethod(MARIADB, '10.11.14-MariaDB')).toEqual({ method: 'physical', why: 'default' });
    expect(backupMethod(MARIADB, '10.1.22-MariaDB')).toEqual({ method: 'logical', why: 'too-old' });
    expect(backupMethod(MYSQL, '9.7.0')).toEqual({ method: 'logical', why: 'default' });
    expect(backupMethod({ ...MARIADB, physicalBackup: null }, '10.11.14')).toEqual({ method: 'logical', why: 'default' });
    expect(backupMethod(MARIADB, '10.11.14-MariaDB', 'logical')).toEqual({ method: 'logical', why: 'requested' });
    expect(backupMethod(MARIADB, '10.11.14-MariaDB', 'physical')).toEqual({ method: 'physical', why: 'requested' });
    expect(backupMethod(MARIADB, '10.1.22-MariaDB', 'physical')).toEqual({ method: 'logical', why: 'too-old' });
    expect(backupMethod(MYSQL, '8.0.16', 'physical')).toEqual({ method: 'logical', why: 'too-old' });
    expect(backupMethod(MYSQL, '9.7.0', 'physical')).toEqual({ method: 'physical', why: 'requested' });
    expect(backupMethod({ ...MARIADB, physicalBackup: null }, '10.11.14', 'physical')).toEqual({ method: 'logical', why: 'no-tool' });
  });
  it('a manifest without a method (taken before physical copies existed) is a dump', () => {
    expect(methodOf(manifest())).toBe('logical');
  });
});

describe('CHECKSUM TABLE against the manifest (#19): one comparison for dumps and physical copies', () => {
  it('compares where both sides have a value; null (changed while dumped, or above the size limit on either server) is skipped', () => {
    const manifestSums = { 'shop.a': '11', 'shop.b': '22', 'shop.changed': null, 'shop.big': null, 'shop.grew': '55' };
    const loaded = { 'shop.a': '11', 'shop.b': '23', 'shop.changed': '33', 'shop.big': null, 'shop.grew': null };
    expect(checksumDiff(manifestSums, loaded)).toEqual([{ table: 'shop.b', expected: '22', actual: '23' }]);
    expect(checksumCounts(manifestSums, loaded)).toEqual({ compared: 2, skipped: 3 });
    expect(checksumDiff(manifestSums, manifestSums)).toEqual([]);
  });
});

describe('the space estimate', () => {
  it('counts half the database, everything else whole, and keeps a reserve free', () => {
    const need = estimateBackupBytes({ databaseBytes: 1000, redisBytes: 100, volumeBytes: 50, configBytes: 10 });
    expect(need).toBe(660);
    expect(spaceVerdict(need, need + SPACE_RESERVE_BYTES)).toMatchObject({ ok: true });
    expect(spaceVerdict(need, need + SPACE_RESERVE_BYTES - 1)).toMatchObject({ ok: false, needBytes: need + SPACE_RESERVE_BYTES });
  });
  it('prints sizes as an operator reads them', () => {
    expect(humanBytes(512)).toBe('512 B');
    expect(humanBytes(20 * 1024)).toBe('20 KiB');
    expect(humanBytes(1.5 * 1024 ** 2)).toBe('1.5 MiB');
    expect(humanBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
  });
});

const DUMP = [
  '-- MariaDB dump 10.19  Distrib 10.11.14-MariaDB',
  '/*!40101 SET NAMES utf8mb4 */;',
  'CREATE DATABASE /*!32312 IF NOT EXISTS*/ `shop` /*!40100 DEFAULT CHARACTER SET utf8mb4 */;',
  'USE `shop`;',
  'DROP TABLE IF EXISTS `items`;',
  'CREATE TABLE `items` (',
  '  `id` bigint(20) NOT NULL AUTO_INCREMENT,',
  '  `value` varchar(255) NOT NULL,',
  '  PRIMARY KEY (`id`)',
  ') ENGINE=InnoDB;',
  'CREATE TABLE `empty` (',
  '  `id` int',
  ');',
  'CREATE TABLE `we``ird` (`a` int);',
  '/*!50001 CREATE VIEW `v` AS SELECT 1 AS `x` */;',
  'LOCK TABLES `items` WRITE;',
  // mariadb-dump 10.x: one row per line.
  'INSERT INTO `items` VALUES',
  "(1,'a),(b'),",
  "(2,'it\\'s (not) a row; really'),",
  "(3,'back\\\\slash'),",
  "(4,'doubled '' quote ( '),",
  '(5,NULL);',
  // mysqldump: all rows on one line, several statements.
  "INSERT INTO `items` VALUES (6,'x'),(7,_binary 'y\\0'),(8,0x28293B);",
  "INSERT INTO `we``ird` VALUES (1),(2);",
  'USE `other`;',
  'CREATE TABLE `items` (`id` int);',
  "INSERT INTO `items` VALUES (1),(2),(3);",
  '-- Dump completed',
  '',
].join('\n');

describe('DumpRowCounter', () => {
  const expected = { 'other.items': 3, 'shop.empty': 0, 'shop.items': 8, 'shop.we`ird': 2 };
  it('counts the rows of each table, strings with parentheses, quotes and semicolons aside', () => {
    const c = new DumpRowCounter();
    c.push(Buffer.from(DUMP));
    expect(c.counts()).toEqual(expected);
  });
  it('gives the same counts whatever the chunk boundaries', () => {
    const buf = Buffer.from(DUMP);
    for (let cut = 1; cut < buf.length; cut += 7) {
      const c = new DumpRowCounter();
      c.push(buf.subarray(0, cut));
      c.push(buf.subarray(cut));
      expect(c.counts(), `cut at ${cut}`).toEqual(expected);
    }
    const c = new DumpRowCounter();
    for (const byte of buf) c.push(Uint8Array.of(byte));
    expect(c.counts()).toEqual(expected);
  });
});

describe('the restore journal', () => {
  const now = new Date('2026-03-15T03:00:00Z');
  const j0 = startJournal({ project: 'shop', backupId: 'B', pid: 42, now });
  const walk = (...to: [Phase, object?][]) => to.reduce<Journal>((j, [p, o]) => advance(j, p, { now, ...(o ?? {}) }), j0);

  it('moves through the phases of a restore, recording the safety backup and finished parts', () => {
    const j = walk(['safety', { safetyId: 'S' }], ['stopped'], ['restoring'], ['restoring', { part: 'database' }], ['restoring', { part: 'redis' }], ['restoring', { part: 'redis' }]);
    expect(j).toMatchObject({ phase: 'restoring', safetyId: 'S', done: ['database', 'redis'] });
    expect(walk(['safety', { safetyId: 'S' }], ['stopped'], ['restoring'], ['starting'], ['done']).phase).toBe('done');
    expect(parseJournal(journalText(j))).toEqual(j);
  });
  it('refuses moves the state machine does not allow', () => {
    expect(() => advance(j0, 'restoring', { now })).toThrow(JournalError);
    expect(() => advance(j0, 'safety', { now })).toThrow(/needs the safety backup/);
    expect(() => walk(['safety', { safetyId: 'S' }], ['stopped'], ['restoring'], ['starting'], ['done'], ['rolling-back'])).toThrow(/done → rolling-back/);
  });
  it('a rollback starts with no parts done and keeps its reason', () => {
    const j = walk(['safety', { safetyId: 'S' }], ['stopped'], ['restoring', { part: 'database' }], ['rolling-back', { reason: 'unhealthy' }]);
    expect(j).toMatchObject({ phase: 'rolling-back', done: [], reason: 'unhealthy' });
    expect(advance(j, 'rolling-back', { now, part: 'database' }).done).toEqual(['database']);
  });
  it('tells a later run what to do with a journal left behind', () => {
    expect(recoveryFor(j0)).toEqual({ action: 'discard', why: 'nothing-changed' });
    expect(recoveryFor(walk(['safety', { safetyId: 'S' }]))).toEqual({ action: 'discard', why: 'nothing-changed' });
    for (const p of ['stopped', 'restoring', 'starting'] as const) {
      const j = { ...walk(['safety', { safetyId: 'S' }]), phase: p };
      expect(recoveryFor(j)).toEqual({ action: 'resume', backupId: 'B', safetyId: 'S' });
    }
    expect(recoveryFor({ ...j0, phase: 'rolling-back', safetyId: 'S' })).toEqual({ action: 'rollback', safetyId: 'S' });
    expect(recoveryFor({ ...j0, phase: 'done' })).toEqual({ action: 'discard', why: 'finished' });
    expect(recoveryFor({ ...j0, phase: 'rollback-failed', safetyId: 'S' })).toEqual({ action: 'manual', safetyId: 'S' });
  });
  it('a damaged journal is not a journal', () => {
    expect(parseJournal('{')).toBeNull();
    expect(parseJournal(JSON.stringify({ ...j0, phase: 'exploded' }))).toBeNull();
  });
});

describe('the schedule', () => {
  const base = { project: 'shop', installDir: '/opt/stack-wizard/shop', schedule: '03:30', bin: ['/usr/local/bin/stack-wizard'] };
  it('is a systemd timer and oneshot service where systemd runs', () => {
    const f = scheduleFiles({ ...base, systemd: true });
    expect(f.kind).toBe('systemd');
    expect(f.files.map((x) => x.path)).toEqual(['/etc/systemd/system/stack-wizard-shop-backup.service', '/etc/systemd/system/stack-wizard-shop-backup.timer']);
    expect(f.files[0]!.content).toMatch(/^ExecStart=\/usr\/local\/bin\/stack-wizard backup --scheduled --answers \/opt\/stack-wizard\/shop\/stack-wizard\.yaml$/m);
    expect(f.files[0]!.content).toMatch(/^Type=oneshot$/m);
    expect(f.files[1]!.content).toMatch(/^OnCalendar=\*-\*-\* 03:30:00$/m);
    expect(f.files[1]!.content).toMatch(/^Persistent=true$/m);
  });
  it('is a cron.d entry elsewhere, with the program quoted', () => {
    const f = scheduleFiles({ ...base, systemd: false, bin: ['/usr/bin/node', '/home/o p/sw.js'] });
    expect(f.files).toHaveLength(1);
    expect(f.files[0]!.path).toBe('/etc/cron.d/stack-wizard-shop-backup');
    expect(f.files[0]!.content).toMatch(/^30 3 \* \* \* root \/usr\/bin\/node '\/home\/o p\/sw\.js' backup --scheduled --answers \/opt\/stack-wizard\/shop\/stack-wizard\.yaml >>\/opt\/stack-wizard\/shop\/logs\/backup-cron\.log 2>&1$/m);
  });
  it('quotes systemd arguments with spaces', () => {
    const f = scheduleFiles({ ...base, systemd: true, bin: ['/usr/bin/node', '/home/o p/sw.js'] });
    expect(f.files[0]!.content).toMatch(/^ExecStart=\/usr\/bin\/node "\/home\/o p\/sw\.js" backup/m);
  });
});

describe('the data volumes a backup copies', () => {
  // No MinIO image exists in the lab (nor in Debian), so its volume is checked here against the
  // compose file the stack runs: the backup and restore copy the very volume MinIO writes to.
  it('are the volumes the compose file mounts for the app\'s uploads and MinIO\'s objects, by the same names', () => {
    const answers = AnswersSchema.parse({ project: 'shop', preset: '8g', app: { image: 'ghcr.io/acme/shop:1.0', dataDir: '/data' }, components: { redis: true, minio: true } });
    const plan = buildPlan(answers, makeFacts({ ramMiB: 7680, cores: 4 }));
    const stack = { project: 'shop', installDir: plan.installDir, answersFile: '', prepared: { plan } } as unknown as Stack;
    expect(dataVolumes(stack)).toEqual(['app-data', 'minio-data']);
    const files = renderAll({ plan, answers, secrets: { MYSQL_ROOT_PASSWORD: 'a'.repeat(32), MYSQL_PASSWORD: 'b'.repeat(32), REDIS_PASSWORD: 'c'.repeat(32), MINIO_ROOT_PASSWORD: 'd'.repeat(32), MINIO_APP_PASSWORD: 'e'.repeat(32) } });
    const compose = parseYaml(files.find((f) => f.path === 'docker-compose.yml')!.content) as { services: Record<string, { volumes?: string[] }>; volumes: Record<string, unknown> };
    for (const v of dataVolumes(stack)) expect(Object.keys(compose.volumes)).toContain(v);
    expect(compose.services.minio!.volumes!.some((m) => m.startsWith('minio-data:'))).toBe(true);
    expect(compose.services.app!.volumes).toContain('app-data:/data');
    const none = { ...stack, prepared: { plan: buildPlan(AnswersSchema.parse({ project: 'shop', preset: '8g', app: { image: 'ghcr.io/acme/shop:1.0' } }), makeFacts({ ramMiB: 7680, cores: 4 })) } } as unknown as Stack;
    expect(dataVolumes(none)).toEqual([]);
  });
});

describe('helpers', () => {
  it('S3 object URLs are path-style under the prefix, the project and the ID', () => {
    expect(objectUrl({ endpoint: 'https://s3.example.com/', bucket: 'bk', region: 'us-east-1', prefix: 'prod' }, 'shop', '20260315-031500', 'database.sql.zst')).toBe(
      'https://s3.example.com/bk/prod/shop/20260315-031500/database.sql.zst',
    );
    expect(objectUrl({ endpoint: 'http://127.0.0.1:9000', bucket: 'bk', region: 'r', prefix: '' }, 'shop', 'I', 'manifest.json')).toBe('http://127.0.0.1:9000/bk/shop/I/manifest.json');
  });
  it('redis INFO and keyspace lines parse', () => {
    const info = parseInfo('# Keyspace\r\ndb0:keys=5,expires=1,avg_ttl=0\r\ndb3:keys=2,expires=0,avg_ttl=0\r\nrdb_saves:4\r\n');
    expect(keyspace(info)).toEqual({ db0: 5, db3: 2 });
    expect(info.rdb_saves).toBe('4');
  });
  it('SQL quoting', () => {
    expect(quoteIdent('we`ird')).toBe('`we``ird`');
    expect(quoteString("it's a \\ test")).toBe("'it\\'s a \\\\ test'");
  });
});
