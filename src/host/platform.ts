// The host's distribution and CPU architecture, read quickly (no full probe): what `mirrors`
// needs to choose the archive suites it probes.
import os from 'node:os';
import type { Executor } from '../exec/executor.js';
import { parseOsRelease } from './probe.js';
import { hostPath } from '../domain/host-paths.js';

export interface Platform { os: { id: string; codename: string | null; idLike: string[] } | null; arch: string }

/** /etc/os-release under the host root (Context.hostRoot: tests point it at a fixture root), and Node's arch. */
export async function hostPlatform(exec: Executor, root: string): Promise<Platform> {
  const osr = parseOsRelease((await exec.readFile(hostPath(root, '/etc/os-release')).catch(() => null)) ?? '');
  return {
    os: osr.ID ? { id: osr.ID, codename: osr.VERSION_CODENAME || null, idLike: (osr.ID_LIKE ?? '').split(/\s+/).filter(Boolean) } : null,
    arch: os.arch(),
  };
}
