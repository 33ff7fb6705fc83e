// The live host files the setup's host-file generators start from: each read under the host root
// (Context.hostRoot), null when absent. Read-only, through the Executor, so --dry-run sees the truth.
import { join } from 'node:path';
import type { Executor } from '../exec/executor.js';
import { SYS, backupPath, hostPath } from '../domain/host-paths.js';

/** A host file's text now; null when it is absent or cannot be read. */
export const readHostFile = (exec: Executor, root: string, path: string): Promise<string | null> =>
  exec.readFile(hostPath(root, path)).catch(() => null);

/** Which of `paths` exist now, with their text (null: absent). */
export async function readHostFiles(exec: Executor, root: string, paths: readonly string[]): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const p of paths) out[p] = (await exec.exists(hostPath(root, p))) ? await exec.readFile(hostPath(root, p)) : null;
  return out;
}

/** A sources file as it is now, and whether its original is already kept beside it. */
export interface SourcesNow { path: string; text: string; backupExists: boolean }

/** apt's sources files now (sources.list first, then the .list / .sources of sources.list.d in name order). */
export async function aptSourcesNow(exec: Executor, root: string, isSources: (name: string) => boolean): Promise<SourcesNow[]> {
  const paths = (await exec.listDir(hostPath(root, SYS.sourcesDir))).filter(isSources).map((n) => join(SYS.sourcesDir, n));
  if (await exec.exists(hostPath(root, SYS.sourcesList))) paths.unshift(SYS.sourcesList);
  const out: SourcesNow[] = [];
  for (const path of paths) {
    const text = await exec.readFile(hostPath(root, path));
    if (text !== null) out.push({ path, text, backupExists: await exec.exists(hostPath(root, backupPath(path))) });
  }
  return out;
}
