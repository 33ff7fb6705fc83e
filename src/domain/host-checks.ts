// What is worth telling the operator about a host, from its facts alone (pure).
import type { HostFacts } from './facts.js';
import { usableRamMiB } from './facts.js';

export interface HostNote { key: 'host.noDocker' | 'host.dockerStopped' | 'host.dockerDenied' | 'host.noComposeV2' | 'host.portTaken' | 'host.noSwapSmall' | 'host.lowDisk' | 'host.notRoot' | 'host.noSystemd' | 'host.timeNotSynced' | 'host.sshUnknown' | 'host.sshUnknownRoot' | 'host.osUnsupported'; params: Record<string, string | number> }

export const SUPPORTED_OS: Readonly<Record<string, readonly string[]>> = {
  debian: ['11', '12', '13'],
  ubuntu: ['22.04', '24.04'],
};

const GiB = 1024 ** 3;

export function hostNotes(f: HostFacts): HostNote[] {
  const n: HostNote[] = [];
  const ok = SUPPORTED_OS[f.os.id];
  if (!ok || !ok.includes(f.os.versionId)) n.push({ key: 'host.osUnsupported', params: { os: f.os.prettyName } });
  if (!f.user.isRoot) n.push({ key: 'host.notRoot', params: {} });
  if (!f.docker.installed) n.push({ key: 'host.noDocker', params: {} });
  else if (f.docker.permissionDenied) n.push({ key: 'host.dockerDenied', params: {} });
  else if (!f.docker.running) n.push({ key: 'host.dockerStopped', params: {} });
  if (f.docker.installed && !f.compose.v2) n.push({ key: 'host.noComposeV2', params: { version: f.compose.version ?? '-' } });
  for (const p of f.ports) if (p.inUse && p.process !== 'docker-proxy') n.push({ key: 'host.portTaken', params: { port: p.port, process: p.process ?? '?' } });
  // Small hosts without swap meet the OOM killer at the first spike (a build, a backup).
  if (f.memory.swapTotalBytes === 0 && usableRamMiB(f) <= 4096) n.push({ key: 'host.noSwapSmall', params: {} });
  // Images, logs and a few backups need room; below 10 GiB an update or backup can fill the disk.
  for (const d of [f.disks.installDir, f.disks.dockerRoot]) {
    if (d.totalBytes > 0 && d.freeBytes < 10 * GiB) n.push({ key: 'host.lowDisk', params: { path: d.path, free: (d.freeBytes / GiB).toFixed(1) } });
  }
  if (!f.systemd) n.push({ key: 'host.noSystemd', params: {} });
  if (f.timeSynchronized === false) n.push({ key: 'host.timeNotSynced', params: {} });
  // Root sees every listening socket: there, not seeing sshd means it does not listen (or is not installed).
  if (f.sshd.source === 'none' || f.sshd.source === 'default') n.push({ key: f.user.isRoot ? 'host.sshUnknownRoot' : 'host.sshUnknown', params: {} });
  return n;
}
