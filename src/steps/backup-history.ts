// What the drills and the uploads left on record (.stack-wizard/drills.jsonl, remote.jsonl), oldest
// first: `backup list --json`, status, doctor and the dead-man's switch read it.
import { join } from 'node:path';
import type { Context } from '../context.js';
import {
  DrillRecordSchema,
  RemoteRecordSchema,
  parseJsonl,
  type DrillRecord,
  type RemoteRecord,
} from '../domain/backup-watch.js';
import { HOST } from '../render/paths.js';

export async function readDrills(ctx: Context, installDir: string): Promise<DrillRecord[]> {
  return parseJsonl(await ctx.exec.readFile(join(installDir, HOST.drillLog)).catch(() => null), DrillRecordSchema);
}

export async function readRemote(ctx: Context, installDir: string): Promise<RemoteRecord[]> {
  return parseJsonl(await ctx.exec.readFile(join(installDir, HOST.remoteLog)).catch(() => null), RemoteRecordSchema);
}

export async function backupHistory(
  ctx: Context,
  installDir: string,
): Promise<{ drills: DrillRecord[]; remote: RemoteRecord[] }> {
  return { drills: await readDrills(ctx, installDir), remote: await readRemote(ctx, installDir) };
}
