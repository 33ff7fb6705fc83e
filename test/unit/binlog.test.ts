// The binary log as data (#18.3): event headers of real binlog files (MariaDB 10.11 and MySQL 9.7,
// copied from lab servers), the archive's names and chains, the recoverable window, the plan of a
// point-in-time restore, the operator's moment, and the decoded events shown around one.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BinlogScanner, archivedName, chainFrom, holdsTransactions, parseBinlogInfo, remoteBinlogVictims, parseBinlogText, parseDumpCoordinates, parseIndex, parseMoment, planPitr, recoveryWindows,
  scanBinlog, localMoment, utcMoment, zoneLabel, type ChainFile, type PitrBase,
} from '../../src/domain/binlog.js';
import { binlogKey, objectKey } from '../../src/domain/s3.js';
import { timerFiles } from '../../src/render/backup-timers.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/binlog/${name}`, import.meta.url));

describe('binlog event headers', () => {
  for (const [file, events] of [['mariadb-10.11.binlog', 15], ['mysql-9.7.binlog', 14]] as const) {
    it(`walks every event of a real ${file.replace('.binlog', '')} file (as many as the decoder's "# at" lines) and finds its time span`, () => {
      const data = fixture(file);
      const r = scanBinlog(data);
      expect(r.magic).toBe(true);
      expect(r.trailing).toBe(0);
      expect(r.events).toBe(events);
      // Both files were written within one second, 2026-12-07 13:22 UTC.
      expect(new Date(r.first! * 1000).toISOString()).toMatch(/^2026-12-07T13:22:\d\d\.000Z$/);
      expect(r.last! - r.first!).toBeLessThanOrEqual(1);
    });
  }

  it('gives the same answer whatever the chunk boundaries', () => {
    const data = fixture('mysql-9.7.binlog');
    const whole = scanBinlog(data);
    for (const size of [1, 3, 19, 20, 64]) {
      const s = new BinlogScanner();
      for (let i = 0; i < data.length; i += size) s.push(data.subarray(i, i + size));
      expect(s.result()).toEqual(whole);
    }
  });

  it('says when a file is cut short or is no binlog', () => {
    const data = fixture('mariadb-10.11.binlog');
    expect(scanBinlog(data.subarray(0, data.length - 10)).trailing).toBeGreaterThan(0);
    expect(scanBinlog(Buffer.from('not a binlog at all')).magic).toBe(false);
  });
});

describe('coordinates', () => {
  it('reads a copy\'s binlog info file and a dump\'s CHANGE MASTER / CHANGE REPLICATION SOURCE comment', () => {
    expect(parseBinlogInfo('binlog.000002\t392302\t0-1-3\n')).toEqual({ file: 'binlog.000002', position: 392302, gtid: '0-1-3' });
    expect(parseBinlogInfo('binlog.000002\t4\n')).toEqual({ file: 'binlog.000002', position: 4, gtid: null });
    expect(parseBinlogInfo('../etc/passwd\t4')).toBeNull();
    expect(parseDumpCoordinates("-- MariaDB dump\n--\n-- CHANGE MASTER TO MASTER_LOG_FILE='binlog.000007', MASTER_LOG_POS=1234;\n")).toEqual({ file: 'binlog.000007', position: 1234 });
    expect(parseDumpCoordinates("-- CHANGE REPLICATION SOURCE TO SOURCE_LOG_FILE='binlog.000003', SOURCE_LOG_POS=157;")).toEqual({ file: 'binlog.000003', position: 157 });
    expect(parseDumpCoordinates('CREATE TABLE x;')).toBeNull();
  });
});

const at = (s: string) => new Date(`2026-12-07T${s}Z`).toISOString();
const file = (name: string, first: string, last: string, o: Partial<ChainFile> = {}): ChainFile => ({ name, first: at(first), last: at(last), archived: true, open: false, ...o });

describe('chains of binlog files', () => {
  const files = [
    file('binlog.000001', '01:00:00', '02:00:00'),
    file('binlog.000002', '02:00:00', '03:00:00'),
    file('binlog.000003', '03:00:00', '04:00:00'),
    // A physical restore at 04:10: the server starts over at 000001.
    file('binlog.000001', '04:10:00', '05:00:00'),
    file('binlog.000002', '05:00:00', '05:30:00', { archived: false, open: true }),
  ];

  it('follow the sequence numbers and stop where the server started over', () => {
    expect(chainFrom(files, { file: 'binlog.000002', fileStartedAt: at('02:00:00'), at: at('02:30:00') }).map((f) => f.name)).toEqual(['binlog.000002', 'binlog.000003']);
    expect(chainFrom(files, { file: 'binlog.000001', fileStartedAt: at('04:10:00'), at: at('04:20:00') }).map((f) => `${f.name}@${f.first.slice(11, 16)}`)).toEqual(['binlog.000001@04:10', 'binlog.000002@05:00']);
    // Without the opening time, the file whose span holds the point.
    expect(chainFrom(files, { file: 'binlog.000001', fileStartedAt: null, at: at('01:30:00') })[0]!.first).toBe(at('01:00:00'));
  });

  it('give the window each backup reaches, and a plan for a moment inside it', () => {
    const point = (file: string, started: string, when: string, replay: 'position' | 'gtid' | null = 'position') => ({ file, position: 4, gtid: null, fileStartedAt: at(started), at: at(when), replay });
    const bases: PitrBase[] = [
      { id: 'a', point: point('binlog.000001', '01:00:00', '01:30:00') },
      { id: 'b', point: point('binlog.000002', '02:00:00', '02:30:00') },
      { id: 'c', point: point('binlog.000001', '04:10:00', '04:20:00') },
      { id: 'inexact', point: point('binlog.000001', '04:10:00', '04:15:00', null) },
    ];
    expect(recoveryWindows(bases, files)).toEqual([
      { from: at('01:30:00'), to: at('04:00:00'), open: false, bases: ['a', 'b'] },
      { from: at('04:20:00'), to: at('05:30:00'), open: true, bases: ['c'] },
    ]);
    const now = new Date(at('05:30:00'));
    // The newest base before the moment, and only the files up to it.
    const p = planPitr(new Date(at('02:59:59')), now, bases, files);
    expect(p.ok && p.base.id).toBe('b');
    expect(p.ok && p.files.map((f) => f.name)).toEqual(['binlog.000002']);
    expect(p.ok && p.stopAt.toISOString()).toBe(at('03:00:00'));
    const q = planPitr(new Date(at('03:30:00')), now, bases, files);
    expect(q.ok && q.files.map((f) => f.name)).toEqual(['binlog.000002', 'binlog.000003']);
    // Between the end of one history and the first backup of the next: nothing reaches it.
    const gap = planPitr(new Date(at('04:12:00')), now, bases, files);
    expect(gap).toMatchObject({ ok: false, reason: 'outside' });
    expect(planPitr(new Date(at('06:00:00')), now, bases, files)).toMatchObject({ ok: false, reason: 'future' });
    // The open file reaches now.
    expect(planPitr(new Date(at('05:29:59')), now, bases, files)).toMatchObject({ ok: true, base: { id: 'c' } });
  });
});

describe('the archive', () => {
  it('names a copy by the UTC time its file was opened, so a name the server reuses stays apart', () => {
    expect(archivedName('binlog.000001', new Date(at('04:10:00')), '.zst')).toBe('20261207-041000-binlog.000001.zst');
  });
  it('reads its index, and an unreadable one as empty', () => {
    expect(parseIndex(null).files).toEqual([]);
    expect(parseIndex('{').files).toEqual([]);
  });
  it('closes the open file on a timer run only when it holds a transaction (SHOW BINLOG EVENTS types of both engines)', () => {
    // A file the server just opened: MariaDB's header events, MySQL's.
    expect(holdsTransactions(['Format_desc', 'Gtid_list', 'Binlog_checkpoint'])).toBe(false);
    expect(holdsTransactions(['Format_desc', 'Previous_gtids'])).toBe(false);
    expect(holdsTransactions([])).toBe(false);
    expect(holdsTransactions(['Format_desc', 'Gtid_list', 'Binlog_checkpoint', 'Gtid', 'Query'])).toBe(true);
    expect(holdsTransactions(['Format_desc', 'Previous_gtids', 'Anonymous_Gtid', 'Query'])).toBe(true);
  });
  it('prunes the bucket as the local archive: files opened before the oldest backup\'s point file, none without a backup', () => {
    const stored = ['20261207-010000-binlog.000001.zst', '20261207-020000-binlog.000002.zst', '20261207-030000-binlog.000003.zst', 'index.json'];
    const point = { file: 'binlog.000002', position: 4, gtid: null, fileStartedAt: at('02:00:00'), at: at('02:30:00'), replay: 'position' as const };
    expect(remoteBinlogVictims(stored, point)).toEqual(['20261207-010000-binlog.000001.zst']);
    expect(remoteBinlogVictims(stored, null)).toEqual([]);
    expect(remoteBinlogVictims(stored, { ...point, fileStartedAt: null })).toEqual([]);
    // Beside the backups in the bucket, under a name no backup ID has.
    const t = { prefix: 'prod/' };
    expect(binlogKey(t, 'shop', stored[0]!)).toBe('prod/shop/binlogs/20261207-010000-binlog.000001.zst');
    expect(objectKey(t, 'shop', '20261207-030000', 'manifest.json')).toBe('prod/shop/20261207-030000/manifest.json');
  });
});

describe('the binary log archive timer', () => {
  const o = { project: 'shop', installDir: '/opt/stack-wizard/shop', schedule: '03:00', drill: 'off', bin: ['/usr/local/bin/stack-wizard'], systemd: true, binlogs: true };
  it('systemd: backup binlogs every 15 minutes, 7 minutes from the backup\'s minute, persistent', () => {
    const f = timerFiles(o).filter((x) => x.unit === 'binlogs');
    expect(f.map((x) => x.path)).toEqual(['/etc/systemd/system/stack-wizard-shop-binlogs.service', '/etc/systemd/system/stack-wizard-shop-binlogs.timer']);
    expect(f[0]!.content).toMatch(/^ExecStart=\/usr\/local\/bin\/stack-wizard backup binlogs --answers \/opt\/stack-wizard\/shop\/stack-wizard\.yaml$/m);
    expect(f[0]!.content).toMatch(/^Type=oneshot$/m);
    expect(f[1]!.content).toMatch(/^OnCalendar=\*-\*-\* \*:07\/15:00$/m);
    expect(f[1]!.content).toMatch(/^Persistent=true$/m);
    expect(timerFiles({ ...o, schedule: '02:45' }).find((x) => x.path.endsWith('binlogs.timer'))!.content).toMatch(/^OnCalendar=\*-\*-\* \*:07\/15:00$/m);
    expect(timerFiles({ ...o, schedule: '02:50' }).find((x) => x.path.endsWith('binlogs.timer'))!.content).toMatch(/^OnCalendar=\*-\*-\* \*:12\/15:00$/m);
  });
  it('cron: the same quarter hours; none for an engine without a binary log', () => {
    const c = timerFiles({ ...o, systemd: false }).find((x) => x.unit === 'binlogs')!;
    expect(c.path).toBe('/etc/cron.d/stack-wizard-shop-binlogs');
    expect(c.content).toMatch(/^7-59\/15 \* \* \* \* root \/usr\/local\/bin\/stack-wizard backup binlogs --answers \/opt\/stack-wizard\/shop\/stack-wizard\.yaml >>\/opt\/stack-wizard\/shop\/logs\/backup-cron\.log 2>&1$/m);
    expect(timerFiles({ ...o, binlogs: false }).some((x) => x.unit === 'binlogs')).toBe(false);
  });
});

describe('the operator\'s moment', () => {
  it('is YYYY-MM-DD HH:MM:SS in the host\'s zone, to the second, and only a real one', () => {
    const d = parseMoment('2026-12-07 13:22:41')!;
    expect(localMoment(d)).toBe('2026-12-07 13:22:41');
    expect(parseMoment('2026-12-07T13:22:41')).not.toBeNull();
    for (const bad of ['2026-02-30 10:00:00', '2026-12-07 24:00:00', '2026-12-07 13:22', 'yesterday', '2026-12-07 13:22:41; rm -rf /']) expect(parseMoment(bad)).toBeNull();
    expect(utcMoment(new Date('2026-12-07T05:22:41.500Z'))).toBe('2026-12-07 05:22:41');
    expect(zoneLabel(d, 'Etc/Test')).toMatch(/^Etc\/Test, UTC[+-]\d\d:\d\d$/);
  });
});

describe('decoded events around a moment', () => {
  it('MariaDB 10.11 (statements): each statement with its time and position, transaction frames left out', () => {
    const ev = parseBinlogText(fixture('mariadb-10.11.txt').toString(), 'binlog.000003');
    expect(ev.map((e) => [e.type, e.position, e.text.join(' ')])).toEqual([
      ['Query', 453, "INSERT INTO t (v) VALUES ('x1'),('x2')"],
      ['Query', 631, "UPDATE t SET v='y' WHERE id < 3"],
      ['Query', 802, 'CREATE TABLE gone (a INT)'],
      ['Query', 945, 'DROP TABLE `gone` /* generated by server */'],
    ]);
    expect(new Date(ev[0]!.at * 1000).toISOString()).toBe('2026-12-07T13:22:32.000Z');
  });

  it('MySQL 9.7 (rows): row events as their tables and row counts', () => {
    const ev = parseBinlogText(fixture('mysql-9.7.txt').toString(), 'binlog.000004');
    expect(ev.map((e) => [e.type, e.text.join(' | ')])).toEqual([
      ['Write_rows', 'INSERT INTO `shop`.`t`  -- 2 row(s)'],
      ['Delete_rows', 'DELETE FROM `shop`.`t`  -- 2 row(s)'],
      ['Query', 'DROP TABLE IF EXISTS `gone` /* generated by server */'],
    ]);
  });
});
