// Physical backups and point-in-time recovery on the lab server (#18), as an operator runs them:
// the wizard installed from its tarball, the lab stack on MariaDB 10.11 (Debian's mariadb-backup
// and mariadb-binlog in the server's image), rows written through the app. Proves: `backup`
// (physical by default on MariaDB) stores a mariadb-backup stream whose manifest names its binlog point and the rows a
// server started on it counted; verify starts a server on the prepared copy; `restore --to` the
// second before a dropped table brings back exactly the rows of that second (the app's checksum of
// every id:value), none written after; the physical backup alone restores exactly its own rows,
// and its physical safety backup puts the state before back;
// a copy of another series is refused with exit 3, the logical path named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, type Client, type Server } from '../lab/lab.js';
import {
  ANSWERS,
  INSTALL_DIR,
  STACK_IMAGES,
  backupAnswers,
  listBackups,
  post,
  runInit,
  sql,
  summaries,
  wizard,
  type Summary,
} from './support/backup-lab.js';

let lab: Lab;
let server: Server;
let client: Client;
let physical: { id: string; items: Summary };
/** The rows at the moment restore --to went back to (the state the next restore's safety backup holds). */
let atMoment: Summary;

interface Point {
  file: string;
  position: number;
  at: string;
  replay: string | null;
}

/** The server's clock as the operator reads it (the host's zone), to the second. */
const now = async () => (await server.sh("date '+%F %T'")).trim();

/** Returns once the server's clock has left second `s` (no fixed sleep: the next second is all it takes). */
async function pastSecond(s: string): Promise<void> {
  for (let i = 0; i < 100 && (await now()) <= s; i++) await new Promise((r) => setTimeout(r, 100));
}

/** POST through nginx; a 502 while the app's upstream settles after init inserted nothing, so it is sent again. */
async function write(path: string, body: unknown): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await post(client, server, path, body);
      return;
    } catch (e) {
      if (i >= 30 || !/HTTP 502/.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

beforeAll(async () => {
  lab = await Lab.create();
  [server, client] = await Promise.all([lab.startServer({ images: STACK_IMAGES, wizard: true }), lab.startClient()]);
  await server.writeFile(ANSWERS, backupAnswers());
  const init = await runInit(server, ANSWERS);
  if (init.exitCode !== 0) throw new Error(`init failed:\n${init.stdout}\n${init.stderr}`);
  await write('/items', { count: 3000, prefix: 'before' });
});

afterAll(async () => {
  await lab?.cleanup();
});

describe('physical backup and point-in-time recovery on MariaDB', () => {
  it('backup (physical by default on MariaDB) stores a mariadb-backup copy whose manifest names its binlog point and counted rows', async () => {
    const items = (await summaries(client, server)).items;
    const r = await wizard(server, ['backup']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/a physical copy of the data directory by mariadb-backup/);
    const [b] = await listBackups(server);
    expect(b!.files.map((f) => f.name).sort()).toEqual([
      'config.tar.gz',
      'database.xbstream.gz',
      'redis.tar.gz',
      'volume-app-data.tar.gz',
    ]);
    expect(b!.database!.tables).toEqual({ 'labshop.items': 3000 });
    const m = JSON.parse(await server.readFile(`${INSTALL_DIR}/backups/${b!.id}/manifest.json`)) as {
      database: { method: string; dumpTool: string; binlog: Point; checksums: Record<string, string | null> };
    };
    expect(m.database.method).toBe('physical');
    expect(m.database.dumpTool).toBe('mariadb-backup');
    expect(m.database.binlog).toMatchObject({ file: expect.stringMatching(/^binlog\.\d{6}$/), replay: 'position' });
    expect(m.database.binlog.position).toBeGreaterThan(0);
    // The server started on the copy summed the table as the live one does.
    const live = (await sql(server, 'CHECKSUM TABLE items;')).trim().split('\t')[1];
    expect(m.database.checksums['labshop.items']).toBe(live);
    // The binary log up to the copy is archived beside the backups.
    const index = JSON.parse(await server.readFile(`${INSTALL_DIR}/backups/binlogs/index.json`)) as {
      files: { name: string }[];
    };
    expect(index.files.map((f) => f.name)).toContain(m.database.binlog.file);
    physical = { id: b!.id, items };
  });

  it('the 15-minute timer archives what was written since the backup; backup list shows the window to its last event', async () => {
    expect((await server.sh('systemctl is-active stack-wizard-labshop-binlogs.timer')).trim()).toBe('active');
    const before = JSON.parse(await server.readFile(`${INSTALL_DIR}/backups/binlogs/index.json`)) as { files: { stored: string; last: string }[] };
    const writing = Date.parse((await server.sh('date -u +%FT%TZ')).trim());
    await write('/items', { count: 10, prefix: 'quarter' });
    // The timer's own unit, run now (a oneshot: start returns when it has finished).
    await server.sh('systemctl start stack-wizard-labshop-binlogs.service');
    expect(await server.sh('journalctl -u stack-wizard-labshop-binlogs.service --no-pager -o cat')).toMatch(/binary logs: 1 closed file\(s\) archived/);
    const after = JSON.parse(await server.readFile(`${INSTALL_DIR}/backups/binlogs/index.json`)) as { files: { stored: string; last: string }[] };
    expect(after.files.length).toBe(before.files.length + 1);
    const last = after.files.at(-1)!;
    // Its last event is the write's (or the close's, after it): the archive reaches past the write.
    expect(Date.parse(last.last)).toBeGreaterThanOrEqual(writing);
    const list = JSON.parse((await wizard(server, ['backup', 'list', '--json'])).stdout) as { pitr: { zone: string; windows: { from: string; to: string; bases: string[] }[] } };
    const m = JSON.parse(await server.readFile(`${INSTALL_DIR}/backups/${physical.id}/manifest.json`)) as { database: { binlog: Point } };
    expect(list.pitr.windows).toEqual([{ from: m.database.binlog.at, to: last.last, bases: [physical.id] }]);
    const text = await wizard(server, ['backup', 'list']);
    expect(text.stdout).toMatch(/point-in-time recovery possible from \d{4}-\d\d-\d\d \d\d:\d\d:\d\d to \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(/);
    const zh = await wizard(server, ['backup', 'list', '--lang', 'zh-CN']);
    expect(zh.stdout).toMatch(/可恢复到的时间范围：\d{4}-\d\d-\d\d \d\d:\d\d:\d\d 至 \d{4}-/);
  });

  it('verify prepares the copy and starts a server on it, which counts the manifest rows', async () => {
    const r = await wizard(server, ['backup', 'verify', physical.id]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /database: the copy starts a server; 1 table\(s\), 3000 row\(s\), every count and checksum as in the manifest/,
    );
    expect((await server.docker(['ps', '-aq', '--filter', 'label=org.stack-wizard.throwaway'])).stdout.trim()).toBe('');
  });

  it('restore --to the second before a dropped table brings back exactly the rows of that second', async () => {
    await write('/items', { count: 500, prefix: 'morning' });
    const moment = await now();
    atMoment = (await summaries(client, server)).items;
    // 3000, the 10 the binlog timer archived, 500 this morning.
    expect(atMoment.count).toBe(3510);
    await pastSecond(moment);
    await write('/items', { count: 70, prefix: 'after' });
    await sql(server, 'DROP TABLE items;');
    const r = await wizard(server, ['restore', '--to', moment, '--yes']);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`Restored to ${moment}`);
    expect(r.stdout).toMatch(new RegExp(`backup ${physical.id}`));
    expect(r.stdout).toMatch(/binary log replayed: \d+ file\(s\)/);
    // Every row of that second, by id and value; none of the 70 written after it.
    expect((await summaries(client, server)).items).toEqual(atMoment);
    expect((await sql(server, "SELECT COUNT(*) FROM items WHERE value LIKE 'after-%';")).trim()).toBe('0');
  });

  it('a moment that is not one, or in the future, is refused naming --to', async () => {
    const bad = await wizard(server, ['restore', '--to', '2026-02-30 10:00:00', '--yes']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--to "2026-02-30 10:00:00" is not a moment: write "YYYY-MM-DD HH:MM:SS"/);
    const future = await wizard(server, ['restore', '--to', '2099-01-01 00:00:00', '--yes']);
    expect(future.exitCode).toBe(2);
    expect(future.stderr).toMatch(/is in the future/);
  });

  it('the physical backup alone restores exactly its rows; its physical safety backup undoes it', async () => {
    const r = await wizard(server, ['restore', physical.id, '--yes']);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/database: data directory replaced; the database was down [\d.]+ s/);
    expect((await summaries(client, server)).items).toEqual(physical.items);
    // The safety backup is a physical copy too (#18.1), and the output says how to put it back.
    const undo = /To undo this restore: stack-wizard restore (\d{8}-\d{6}-pre-restore(?:-\d+)?) --yes \(a physical copy by mariadb-backup\)\./.exec(r.stdout);
    expect(undo, r.stdout).not.toBeNull();
    expect(r.stdout).toContain(`safety backup ${undo![1]}: a physical copy by mariadb-backup`);
    const m = JSON.parse(await server.readFile(`${INSTALL_DIR}/backups/${undo![1]}/manifest.json`)) as { database: { method: string; tables: Record<string, number> } };
    expect(m.database).toMatchObject({ method: 'physical', tables: { 'labshop.items': atMoment.count } });
    const back = await wizard(server, ['restore', undo![1]!, '--yes']);
    expect(back.exitCode, `${back.stdout}\n${back.stderr}`).toBe(0);
    expect((await summaries(client, server)).items).toEqual(atMoment);
  });

  it('a physical copy of another series is refused with exit 3, naming the logical path', async () => {
    // A backup ID's shape (ID_RE): older than every real one, so it is never the newest.
    const id = '20200101-000000';
    await server.sh(`cp -a ${INSTALL_DIR}/backups/${physical.id} ${INSTALL_DIR}/backups/${id}`);
    await server.exec([
      'python3',
      '-c',
      `
import json, sys
p = sys.argv[1] + "/manifest.json"
m = json.load(open(p))
m["id"] = sys.argv[2]
m["database"]["serverVersion"] = "11.8.3-MariaDB"
json.dump(m, open(p, "w"), indent=2)
`,
      `${INSTALL_DIR}/backups/${id}`,
      id,
    ]);
    const r = await wizard(server, ['restore', id, '--yes']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/physical copy of 11\.8\.3-MariaDB and this stack runs 10\.11\.\d+.*backup --logical/);
    expect((await summaries(client, server)).items).toEqual(atMoment);
  });
});
