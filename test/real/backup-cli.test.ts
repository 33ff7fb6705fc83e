// Backup IDs and manifests bounded by the stack, through the command line: restore and verify
// gather this host's facts (systemd, Docker) before they refuse. Moved from the unit suite's
// backup-cli.test.ts (docs/ARCHITECTURE.md#tests).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { DryRunExecutor } from '../../src/exec/executor.js';
import { isBackupId, manifestBoundsProblem, manifestText, type Manifest } from '../../src/domain/backup.js';

// #15.3: an ID names a folder directly under <installDir>/backups, in the form `backup` writes;
// a manifest may only name what this stack's restore may replace.
describe('backup IDs and manifests are bounded by the stack', () => {
  const base = mkdtempSync(join(tmpdir(), 'sw-backup-ids-'));
  const installDir = join(base, 'opt', 'shop');
  const answers = join(base, 'answers.yaml');
  writeFileSync(answers, `project: shop\npreset: 4g\ninstallDir: ${installDir}\napp: { image: ghcr.io/example/api:1.0.0, dataDir: /data }\n`);
  const manifest = (id: string, o: Partial<Manifest> = {}): Manifest => ({
    format: 1, id, project: 'shop', kind: 'manual', createdAt: '2026-03-15T03:15:00.000Z', durationMs: 1,
    tool: { version: '0.1.0', templateVersion: 1 }, compression: 'gzip', encryption: null,
    database: { engine: 'mysql', serverVersion: '8.4.5', image: 'mysql:8.4.5', dumpTool: 'mysqldump', databases: ['shop'], tables: {} },
    redis: null, volumes: [], files: [], ...o,
  });
  const put = (dir: string, m: Manifest) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'manifest.json'), manifestText(m));
  };
  // A complete-looking backup outside backups/, where ../../evil leads.
  put(join(installDir, '..', 'evil'), manifest('evil'));
  put(join(installDir, 'backups', '20260315-031500'), manifest('20260315-031500', { volumes: ['mysql-data'] }));
  put(join(installDir, 'backups', '20260315-031501'), manifest('20260315-031501', {
    volumes: ['app-data'], files: [{ name: 'volume-x.tar.gz', kind: 'volume', volume: 'redis-data', bytes: 0, sha256: '0'.repeat(64), rawBytes: 0 }],
  }));
  put(join(installDir, 'backups', '20260315-031502'), manifest('20260315-031502', {
    database: { engine: 'mysql', serverVersion: '8.4.5', image: 'mysql:8.4.5', dumpTool: 'mysqldump', databases: ['shop', 'mysql'], tables: {} },
  }));

  const cases: [string[], RegExp][] = [
    [['backup', 'verify', '../../evil'], /"\.\.\/\.\.\/evil" is not a backup ID: IDs look like 20260315-031500/],
    [['restore', '../../evil', '--yes'], /"\.\.\/\.\.\/evil" is not a backup ID/],
    [['restore', '/etc'], /"\/etc" is not a backup ID/],
    [['backup', 'verify', '20260315-031500/../../../evil'], /is not a backup ID/],
    [['backup', 'verify', `20260315-031500${'1'.repeat(200)}`], /"20260315-0315001{45}… \(215 characters\)" is not a backup ID/],
    [['restore', '20260315-031500', '--yes'], /backup 20260315-031500 names the volume mysql-data, which is not one of this stack's data volumes \(app-data\)/],
    [['backup', 'verify', '20260315-031500'], /names the volume mysql-data/],
    [['restore', '20260315-031501', '--yes'], /backup 20260315-031501 names the volume redis-data/],
    [['restore', '20260315-031502', '--yes'], /backup 20260315-031502 names the database mysql, one of the server's own schemas/],
  ];
  for (const [args, message] of cases) {
    it(`${args.join(' ')}: exit 2 before anything runs`, async () => {
      let stderr = '';
      const exec = new DryRunExecutor();
      const code = await main([...args, '--answers', answers], {
        env: { LANG: 'C', STACK_WIZARD_STATE_DIR: join(base, 'state') }, exec, interactive: false, io: { out: () => {}, err: (s) => void (stderr += s) },
      });
      expect(stderr).toMatch(message);
      expect(code).toBe(2);
      expect(exec.actions.filter((a) => a.kind !== 'write' || !a.summary.endsWith('(lock)'))).toEqual([]);
    });
  }

  it('the bounds, as data: only the data volumes of this stack, never the database\'s, never a system schema', () => {
    expect(manifestBoundsProblem(manifest('x', { volumes: ['app-data', 'minio-data'] }), ['app-data', 'minio-data'])).toBeNull();
    expect(manifestBoundsProblem(manifest('x', { volumes: ['minio-data'] }), ['app-data'])).toEqual({ kind: 'volume', volume: 'minio-data', allowed: 'app-data' });
    expect(manifestBoundsProblem(manifest('x', { volumes: ['mysql-data'] }), [])).toEqual({ kind: 'volume', volume: 'mysql-data', allowed: '-' });
    for (const name of ['mysql', 'SYS', 'information_schema', 'performance_schema']) {
      const db = { engine: 'mysql' as const, serverVersion: '8.4.5', image: 'mysql', dumpTool: 'mysqldump', databases: [name], tables: {} };
      expect(manifestBoundsProblem(manifest('x', { database: db }), [])).toEqual({ kind: 'database', name });
    }
    expect(isBackupId('20260315-031500-pre-update-2')).toBe(true);
    for (const bad of ['', '..', '../20260315-031500', '20260315-031500/', '20260315-031500.partial', '20260315-031500\n']) expect(isBackupId(bad), JSON.stringify(bad)).toBe(false);
  });
});
