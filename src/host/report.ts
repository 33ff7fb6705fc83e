// The host report as text (probe without --json, and the wizard's welcome screen).
import type { HostFacts } from '../domain/facts.js';
import { usableRamMiB } from '../domain/facts.js';
import { hostNotes } from '../domain/host-checks.js';
import type { T } from '../i18n/index.js';

const gib = (b: number) => (b / 1024 ** 3).toFixed(1);

export function factRows(t: T, f: HostFacts): [string, string][] {
  const ports = f.ports.map((p) => `${p.port}: ${p.inUse ? t('probe.taken', { process: p.process ?? '?' }) : t('probe.free')}`).join(', ');
  return [
    [t('probe.os'), `${f.os.prettyName} (${f.arch}, ${t('probe.kernel', { kernel: f.kernel })})${f.virtualization ? `, ${f.virtualization}` : ''}`],
    [t('probe.cpu'), `${f.cpu.cores}${f.cpu.cgroupCpus ? ` (cgroup ${f.cpu.cgroupCpus})` : ''}${f.cpu.model ? ` × ${f.cpu.model}` : ''}`],
    [t('probe.ram'), `${gib(f.memory.totalBytes)} GiB${f.memory.cgroupLimitBytes ? ` (cgroup ${gib(f.memory.cgroupLimitBytes)} GiB)` : ''}, ${t('probe.usable', { mib: usableRamMiB(f) })}`],
    [t('probe.swap'), `${gib(f.memory.swapTotalBytes)} GiB`],
    [t('probe.disk'), `${f.disks.installDir.path}: ${gib(f.disks.installDir.freeBytes)} GiB ${t('probe.freeSpace')}; ${f.disks.dockerRoot.path}: ${gib(f.disks.dockerRoot.freeBytes)} GiB ${t('probe.freeSpace')}`],
    [t('probe.docker'), f.docker.installed ? `${f.docker.version}${f.docker.running ? '' : ` (${t(f.docker.permissionDenied ? 'probe.dockerDenied' : 'probe.notRunning')})`}` : t('probe.notInstalled')],
    [t('probe.compose'), f.compose.installed ? `${f.compose.version}${f.compose.v2 ? '' : ' (v1)'}` : t('probe.notInstalled')],
    [t('probe.ssh'), f.sshd.ports.length ? `${f.sshd.ports.join(', ')} (${t(`ssh.source.${f.sshd.source}`)})` : t('probe.unknown')],
    [t('probe.ports'), ports],
    [t('probe.addresses'), [...f.addresses.public, ...f.addresses.private].join(', ') || '-'],
    [t('probe.user'), `${f.user.name ?? f.user.uid}${f.user.isRoot ? ' (root)' : ''}, ${t('probe.systemd', { state: t(f.systemd ? 'probe.yes' : 'probe.no') })}`],
    [t('probe.timezone'), `${f.timezone}${f.timeSynchronized === null ? '' : f.timeSynchronized ? ` (${t('probe.synced')})` : ` (${t('probe.notSynced')})`}`],
  ];
}

/** Pads with display width in mind: CJK characters take two columns. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    w += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x20000 && c <= 0x3fffd) ? 2 : 1;
  }
  return w;
}

export const padEndDisplay = (s: string, width: number) => s + ' '.repeat(Math.max(0, width - displayWidth(s)));

export function formatFacts(t: T, f: HostFacts): string {
  const rows = factRows(t, f);
  const w = Math.max(...rows.map(([k]) => displayWidth(k)));
  const lines = rows.map(([k, v]) => `${padEndDisplay(k, w)}  ${v}`);
  const notes = hostNotes(f);
  if (notes.length) lines.push('', ...notes.map((n) => `! ${t(n.key, n.params)}`));
  return `${lines.join('\n')}\n`;
}
