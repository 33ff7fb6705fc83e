// backup, restore and update at the command line: the usage forms of docs/CONTRACT.md#commands, bad usage as
// exit 2 naming the fix, and no stack found as exit 2 before anything runs. (Their work on a real
// server is proven in test/e2e/backup*.test.ts.)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { formatList, listJson } from '../../src/services/backup.js';
import { formatUpdatePlan } from '../../src/services/update.js';
import { planServiceChanges, verdictOf, type NewContainerState } from '../../src/domain/rollout.js';
import { createContext } from '../../src/context.js';
import { manifestText, parseManifest, type BackupSummary, type Manifest } from '../../src/domain/backup.js';
import { DryRunExecutor } from '../../src/exec/executor.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-backup-cli-'));

async function run(args: string[], env: NodeJS.ProcessEnv = { STACK_WIZARD_STATE_DIR: join(dir, 'state'), LANG: 'C' }) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { env, io: { out: (s) => void (stdout += s), err: (s) => void (stderr += s) }, exec: new DryRunExecutor() });
  return { code, stdout, stderr };
}

describe('backup, restore and update on the command line', () => {
  it('--help shows their forms', async () => {
    const r = await run(['--help']);
    expect(r.stdout).toContain('stack-wizard backup [--physical | --logical] [list [--json] | verify [ID] | drill [ID] [--scheduled] | watch [--backups-only] | s3 test]');
    expect(r.stdout).toContain('stack-wizard restore [ID | --to "YYYY-MM-DD HH:MM:SS" | --from-s3 ID] [--yes]');
    expect(r.stdout).toContain('stack-wizard notify test [--json]');
    expect(r.stdout).toContain('stack-wizard update [--yes]');
  });

  it('bad usage is exit 2 naming what to use', async () => {
    const both = await run(['backup', '--physical', '--logical']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--physical and --logical exclude each other/);
    const sub = await run(['backup', 'frobnicate']);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toMatch(/unknown backup subcommand "frobnicate": use backup, backup list \[--json\], backup verify \[ID\], backup drill \[ID\], backup watch, backup binlogs or backup s3 test/);
    expect((await run(['backup', 's3', 'frobnicate'])).stderr).toMatch(/unknown "backup s3 frobnicate": use backup s3 test/);
    expect((await run(['backup', 'watch', 'extra'])).code).toBe(2);
    const nt = await run(['notify', 'send']);
    expect(nt.code).toBe(2);
    expect(nt.stderr).toMatch(/unknown "notify send": use notify test/);
    expect((await run(['backup', 'list', 'extra'])).code).toBe(2);
    expect((await run(['restore', 'a', 'b'])).code).toBe(2);
    const opt = await run(['update', '--frobnicate']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toMatch(/update/);
  });

  it('without an installed stack (and no --answers) nothing runs: exit 2 saying so', async () => {
    for (const args of [['backup'], ['backup', 'list'], ['restore'], ['update']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/stack/i);
    }
  });

  it('an answers file that does not exist is exit 2 naming it', async () => {
    const r = await run(['backup', '--answers', join(dir, 'nope.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.yaml');
  });
});

describe('what the commands print', () => {
  const ctx = createContext({ lang: 'en', dryRun: true, exec: new DryRunExecutor() });
  const m: Manifest = {
    format: 1, id: '20260315-031500', project: 'shop', kind: 'scheduled', createdAt: '2026-03-15T03:15:00.123Z', durationMs: 900,
    tool: { version: '0.1.0', templateVersion: 1 }, compression: 'zstd', encryption: { method: 'gpg-symmetric-aes256' },
    database: { engine: 'mariadb', serverVersion: '11.4.8-MariaDB', image: 'mariadb:11.4.8', dumpTool: 'mariadb-dump', databases: ['shop'], tables: { 'shop.orders': 120, 'shop.users': 3 } },
    redis: { version: '7.4.5', image: 'redis:7.4.5', keys: 51, keyspace: { db0: 51 } }, volumes: ['app-data'],
    files: [{ name: 'database.sql.zst.gpg', kind: 'database', bytes: 3 * 1024 ** 2, sha256: 'c'.repeat(64), rawBytes: 12 * 1024 ** 2 }],
  };
  const list: BackupSummary[] = [
    { id: m.id, createdAt: m.createdAt, kind: m.kind, bytes: 3 * 1024 ** 2, manifest: m, error: null },
    { id: '20260314-031500', createdAt: '', kind: 'manual', bytes: 0, manifest: null, error: 'manifest.json missing' },
  ];
  it('list: one row per backup, what it holds, and what is wrong with a damaged one', () => {
    const text = formatList(ctx, list);
    expect(text.split('\n')[0]).toMatch(/^ID\s+CREATED\s+KIND\s+SIZE\s+CONTENT$/);
    expect(text).toMatch(/20260315-031500 {2}2026-03-15 03:15:00Z {2}scheduled {2}3\.0 MiB {2}2 tables, 51 Redis keys, app-data, encrypted/);
    expect(text).toMatch(/20260314-031500 .* ! manifest\.json missing/);
  });
  it('list --json keeps the documented fields', () => {
    const j = listJson(list);
    expect(j.backups[0]).toEqual({
      id: m.id, createdAt: m.createdAt, kind: 'scheduled', bytes: 3 * 1024 ** 2, complete: true, error: null, encrypted: true,
      database: { engine: 'mariadb', serverVersion: '11.4.8-MariaDB', tables: { 'shop.orders': 120, 'shop.users': 3 } },
      redis: { version: '7.4.5', keys: 51 }, volumes: ['app-data'], files: m.files, lastDrill: null, remote: null,
    });
    expect(j.lastDrill).toBeNull();
    expect(j.lastRemote).toBeNull();
    expect(j.backups[1]).toMatchObject({ complete: false, error: 'manifest.json missing', database: null });
    expect(parseManifest(manifestText(m))).toEqual({ manifest: m });
  });
  it('update: template versions, image changes with short IDs, diffs and hand edits', () => {
    const text = formatUpdatePlan(ctx, {
      files: [{ path: 'redis/redis.conf', status: 'changed', diff: '@@ -1 +1 @@\n-maxmemory 100mb\n+maxmemory 200mb' }],
      handEdited: ['redis/redis.conf'],
      templateFrom: 1,
      templateTo: 2,
      images: [{ service: 'app', image: 'shop:2', fromImage: 'shop:1', fromId: `sha256:${'a'.repeat(64)}`, toId: `sha256:${'b'.repeat(64)}` }],
      pullWarnings: [],
      pullErrors: [],
      changes: planServiceChanges(['mysql', 'redis', 'app', 'worker', 'nginx'], {
        image: new Set(['app', 'worker', 'mysql']),
        definition: new Set(),
        files: new Map([['redis', 'restart'], ['nginx', 'reload']]),
        measured: { mysql: 11.6 },
      }),
    }, ['python', 'manage.py', 'migrate']);
    expect(text).toContain('stack-wizard templates: version 1 → 2');
    expect(text).toContain('  app: shop:1 (aaaaaaaaaaaa) → shop:2 (bbbbbbbbbbbb)');
    expect(text).toContain('~ redis/redis.conf  (edited by hand)');
    expect(text).toContain('    +maxmemory 200mb');
    expect(text).toMatch(/Edited by hand since stack-wizard wrote them: redis\/redis\.conf\. .* run update --yes to overwrite/);
    // What restarts and what does not (#21.4, #21.5): the measured downtime, side by side for app and worker.
    expect(text).toContain('What restarts and what does not:\n  mysql restarts: about 12 s without the database\n  redis restarts: the cache is away until it is healthy again');
    expect(text).toContain('  app: new containers beside the running ones, traffic moves once they are healthy (no downtime)\n  worker: new containers beside');
    expect(text).toContain('  nginx: reloads its configuration (no downtime)');
    expect(text).toContain('  migration, after the backup and before the switch: python manage.py migrate');
  });

  it('update: the verdict on a new container is fast: a crash at once, three failed checks after the start period, not the whole timeout', () => {
    const c = (x: Partial<NewContainerState>): NewContainerState => ({ state: 'running', health: 'starting', failingStreak: 0, restartCount: 0, ...x });
    expect(verdictOf(c({}), 1000, 420_000)).toEqual({ kind: 'waiting' });
    expect(verdictOf(c({ health: 'healthy' }), 1000, 420_000)).toEqual({ kind: 'ready' });
    expect(verdictOf(c({ failingStreak: 2 }), 80_000, 420_000)).toEqual({ kind: 'waiting' });
    expect(verdictOf(c({ failingStreak: 3 }), 90_000, 420_000)).toEqual({ kind: 'bad', why: 'unhealthy' });
    expect(verdictOf(c({ state: 'restarting' }), 500, 420_000)).toEqual({ kind: 'bad', why: 'crashed' });
    expect(verdictOf(c({ restartCount: 1 }), 500, 420_000)).toEqual({ kind: 'bad', why: 'crashed' });
    expect(verdictOf(c({ state: 'exited' }), 500, 420_000)).toEqual({ kind: 'bad', why: 'crashed' });
    expect(verdictOf(c({ health: null }), 1000, 420_000)).toEqual({ kind: 'waiting' });
    expect(verdictOf(c({ health: null }), 6000, 420_000)).toEqual({ kind: 'ready' });
    expect(verdictOf(null, 420_000, 420_000)).toEqual({ kind: 'bad', why: 'timeout' });
  });

  it('update: app and worker side by side, databases restart, Nginx reloads, the rest stays', () => {
    const ch = planServiceChanges(['mysql', 'redis', 'app', 'worker', 'nginx', 'grafana'], {
      image: new Set(['app']), definition: new Set(['worker', 'nginx']), files: new Map([['mysql', 'restart']]), measured: { mysql: 9, redis: 2 },
    });
    expect(ch.map((c) => [c.service, c.how, c.downtimeS])).toEqual([
      ['mysql', 'restart', 9], ['redis', 'keep', null], ['app', 'side-by-side', null], ['worker', 'side-by-side', null], ['grafana', 'keep', null], ['nginx', 'restart', null],
    ]);
  });
});
