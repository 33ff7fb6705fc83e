// Bench section "backup": `stack-wizard backup` and `restore` on a generated database of at least
// 1 GiB in the lab (MariaDB 10.11 on the lab's Debian 12 server), next to `mariadb-dump | gzip` and
// `gunzip | mariadb` measured in the same run. Minutes, not seconds: the database is generated
// (INSERT … SELECT doubling) and each tool runs once. Needs root and this machine's Docker engine
// (npm test provisions both). Run alone: node scripts/bench-backup.mjs [--json] [--gib N]
import { pathToFileURL } from 'node:url';
import { importLabModule } from './lab-module.mjs';

export async function runBackupBench(o = {}) {
  const m = await importLabModule('bench-backup');
  const r = await m.benchBackup(o);
  return { raw: r, figures: m.backupFigures(r) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--gib');
  const gib = i > 0 ? Number(process.argv[i + 1]) : 1;
  const { raw, figures } = await runBackupBench({ targetBytes: gib * 1024 ** 3 });
  if (process.argv.includes('--json')) console.log(JSON.stringify({ backup: raw }, null, 2));
  else for (const [k, v] of Object.entries(figures)) console.log(`${k}: ${v}`);
}
