// The lab stack for the backup, restore and update tests: the apply lab's answers with an uploads
// volume (app.dataDir), data written through the app, and helpers to read what the app serves.
import type { Client, Server } from '../../lab/lab.js';
import { IMAGES } from '../../lab/lab.js';
import { INSTALL_DIR, labAnswers } from './apply-lab.js';

export { ANSWERS, INSTALL_DIR, PROJECT, STACK_IMAGES, runInit } from './apply-lab.js';

/** The lab answers plus an uploads volume and the backup settings given. */
export function backupAnswers(o: { appImage?: string; keep?: number; extra?: string[] } = {}): string {
  return labAnswers(o.appImage ?? IMAGES.app)
    .replace('  runtime: python-wsgi\n', '  runtime: python-wsgi\n  dataDir: /data\n')
    .concat([`backup:`, `  keep: ${o.keep ?? 7}`, `  schedule: "03:00"`, ...(o.extra ?? []), ''].join('\n'));
}

export interface Summary { count: number; checksum: string }

export async function summaries(client: Client, server: Server): Promise<{ items: Summary; kv: Summary }> {
  const items = await client.http(`http://${server.ip}/items/summary`);
  const kv = await client.http(`http://${server.ip}/kv/summary`);
  if (items.status !== 200 || kv.status !== 200) throw new Error(`summaries: HTTP ${items.status} / ${kv.status}: ${items.body} ${kv.body}`);
  return { items: JSON.parse(items.body) as Summary, kv: JSON.parse(kv.body) as Summary };
}

export async function post(client: Client, server: Server, path: string, body: unknown): Promise<number> {
  const r = await client.http(`http://${server.ip}${path}`, { args: ['-X', 'POST', '-H', 'content-type: application/json', '-d', JSON.stringify(body)] });
  if (r.status !== 201) throw new Error(`POST ${path}: HTTP ${r.status}: ${r.body}`);
  return r.status;
}

/** SQL as root in the stack's database container (the test's own hand, not the wizard's). */
export const sql = (server: Server, statement: string) =>
  server.sh(`cd ${INSTALL_DIR} && docker compose exec -T mysql sh -c 'mariadb -uroot -p"$MARIADB_ROOT_PASSWORD" -N -B labshop' <<'SQL'\n${statement}\nSQL`);

/** The uploads the app keeps in its data volume, as `sha256  path` lines. */
export const uploads = (server: Server) =>
  server.sh(`cd ${INSTALL_DIR} && docker compose exec -T app sh -c 'cd /data && find . -type f -exec sha256sum {} + | sort -k2'`);

export const wizard = (server: Server, args: string[], env: Record<string, string> = {}) =>
  server.exec(['stack-wizard', ...args], { allowFail: true, timeoutMs: 900_000, env: { LANG: 'C.UTF-8', ...env } });

export interface ListedBackup { id: string; kind: string; createdAt: string; complete: boolean; files: { name: string; sha256: string; bytes: number }[]; database: { tables: Record<string, number> } | null; redis: { keys: number } | null; volumes: string[] }

export async function listBackups(server: Server): Promise<ListedBackup[]> {
  const r = await wizard(server, ['backup', 'list', '--json']);
  if (r.exitCode !== 0) throw new Error(`backup list: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { backups: ListedBackup[] }).backups;
}

/**
 * Sets (or, with null, removes) app.migrate in a stack's answers file as stack-wizard writes it (a
 * top-level `app:` block; a list is written one item a line), the way an operator would edit it.
 */
export async function setMigrate(server: Server, answersFile: string, argv: string[] | null): Promise<void> {
  const script = [
    "import { readFileSync, writeFileSync } from 'node:fs';",
    'const [file, json] = process.argv.slice(2);',
    'const argv = JSON.parse(json);',
    'const out = [];',
    'let skip = false;',
    "for (const l of readFileSync(file, 'utf8').split('\\n')) {",
    '  if (skip && /^ {4}- /.test(l)) continue;',
    '  skip = /^ {2}migrate:/.test(l);',
    '  if (skip) continue;',
    '  out.push(l);',
    "  if (l === 'app:' && argv) out.push(`  migrate: ${JSON.stringify(argv)}`);",
    '}',
    "writeFileSync(file, out.join('\\n'));",
  ].join('\n');
  await server.writeFile('/root/lab/set-migrate.mjs', script);
  await server.exec(['node', '/root/lab/set-migrate.mjs', answersFile, JSON.stringify(argv)]);
  const text = await server.readFile(answersFile);
  if (argv && !text.includes(`  migrate: ${JSON.stringify(argv)}`)) throw new Error(`app.migrate not set in ${answersFile}:\n${text}`);
  if (!argv && /^ {2}migrate:/m.test(text)) throw new Error(`app.migrate not removed from ${answersFile}`);
}
