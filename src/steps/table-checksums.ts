// CHECKSUM TABLE of the base tables of some databases, through the image's own client (as the row
// counts are): a backup records them (a dump's before and after it, a physical copy's from its
// proof server), verify and the drill compare after loading. The value is the server's checksum of
// the rows' contents, so a load with the right number of rows but other values is caught too.
// Tables above CHECKSUM_LIMIT_BYTES get null: their row counts (recorded for every table) stand instead.
import type { Context } from '../context.js';
import { CHECKSUM_LIMIT_BYTES } from '../domain/backup.js';
import { quoteIdent, quoteString, sqlQuery, type SqlTarget } from './stack-tools.js';

export async function tableChecksums(
  ctx: Context,
  t: SqlTarget,
  dbs: readonly string[],
  limitBytes = CHECKSUM_LIMIT_BYTES,
): Promise<Record<string, string | null>> {
  if (dbs.length === 0) return {};
  const tables = await sqlQuery(
    ctx,
    t,
    `SELECT table_schema, table_name, COALESCE(data_length + index_length, 0) FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema IN (${dbs.map(quoteString).join(',')}) ORDER BY 1, 2;`,
  );
  const out: Record<string, string | null> = {};
  for (const [d, n] of tables) out[`${d}.${n}`] = null;
  const small = tables.filter((r) => Number(r[2]) <= limitBytes);
  if (small.length === 0) return out;
  // One statement for every table: the server reads each once; a table dropped meanwhile answers NULL.
  const rows = await sqlQuery(
    ctx,
    t,
    `CHECKSUM TABLE ${small.map(([d, n]) => `${quoteIdent(d!)}.${quoteIdent(n!)}`).join(', ')};`,
    3_600_000,
  );
  for (const [name, sum] of rows) out[name!] = sum === undefined || sum === 'NULL' ? null : sum;
  return out;
}
