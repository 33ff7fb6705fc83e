// CHECKSUM TABLE of every base table of some databases, through the image's own client (as the
// row counts are): the backup records them, verify and the drill compare after loading. The value
// is the server's checksum of the rows' contents, so a dump that loads the right number of rows
// with other values is caught too.
import type { Context } from '../context.js';
import { quoteIdent, quoteString, sqlQuery, type SqlTarget } from './stack-tools.js';

export async function tableChecksums(
  ctx: Context,
  t: SqlTarget,
  dbs: readonly string[],
): Promise<Record<string, string | null>> {
  if (dbs.length === 0) return {};
  const tables = await sqlQuery(
    ctx,
    t,
    `SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema IN (${dbs.map(quoteString).join(',')}) ORDER BY 1, 2;`,
  );
  if (tables.length === 0) return {};
  const out: Record<string, string | null> = {};
  // One statement for every table: the server reads each once; a table dropped meanwhile answers NULL.
  const rows = await sqlQuery(
    ctx,
    t,
    `CHECKSUM TABLE ${tables.map(([d, t]) => `${quoteIdent(d!)}.${quoteIdent(t!)}`).join(', ')};`,
    3_600_000,
  );
  for (const [name, sum] of rows) out[name!] = sum === undefined || sum === 'NULL' ? null : sum;
  return out;
}
