// The host probe: reads /proc, /sys, /etc and a few quick commands, all in parallel. It changes
// nothing. systeminformation's broad calls spawn dozens of processes (dmidecode, lsblk, …) and take
// seconds, so the probe reads the same kernel files directly and stays well under 0.5 s.
import { readFile, readdir, readlink, statfs } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { existsSync } from 'node:fs';
import os from 'node:os';
import type { Executor } from '../exec/executor.js';
import type { HostFacts } from '../domain/facts.js';
import { hostAddresses } from '../domain/ip.js';
import { parseProcNetTcp } from './proc-net.js';
import { parseNodeInspect } from '../domain/swarm.js';
import { processIsRoot } from '../context.js';

export interface ProbeOptions {
  installDir: string;
  env: NodeJS.ProcessEnv;
  /** Ports whose listeners are reported (80/443 and the chosen http/https ports). */
  ports?: number[];
}

const read = (p: string) => readFile(p, 'utf8').catch(() => null);

export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (m) out[m[1]!] = Number(m[2]) * (line.includes('kB') ? 1024 : 1);
  }
  return out;
}

export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
  }
  return out;
}

/** `ss -Hltnp` lines → listening TCP sockets with their process. */
export function parseSs(text: string): { port: number; address: string; process: string | null; pid: number | null }[] {
  const out = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || cols[0] !== 'LISTEN') continue;
    const local = cols[3]!;
    const i = local.lastIndexOf(':');
    const port = Number(local.slice(i + 1));
    if (!Number.isInteger(port)) continue;
    const users = /users:\(\("([^"]+)",pid=(\d+)/.exec(line);
    out.push({ port, address: local.slice(0, i), process: users ? users[1]! : null, pid: users ? Number(users[2]) : null });
  }
  return out;
}

/** `Port` lines of an sshd_config (first match wins in sshd, but several Port lines all apply). */
export function parseSshdConfigPorts(text: string): number[] {
  return [...new Set(parseSshdConfig(text).ports)].sort((a, b) => a - b);
}

/** The Port values and Include patterns of one sshd_config file, in order, up to its first Match block. */
export function parseSshdConfig(text: string): { ports: number[]; includes: string[] } {
  const ports: number[] = [];
  const includes: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (/^Match\s/i.test(line)) break;
    const m = /^(\w+)(?:\s*=\s*|\s+)(.+)$/.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    if (key === 'port' && /^\d+$/.test(m[2]!)) ports.push(Number(m[2]));
    if (key === 'include') includes.push(...m[2]!.split(/\s+/));
  }
  return { ports, includes };
}

const globRe = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/\[!/g, '[^')}$`);

/** Paths matching a glob (`*`, `?`, `[…]` in any component), sorted as sshd's glob(3) does; [] when none. */
async function expandGlob(pattern: string): Promise<string[]> {
  let paths = ['/'];
  for (const part of pattern.split('/').filter(Boolean)) {
    const next: string[] = [];
    for (const dir of paths) {
      if (!/[*?[]/.test(part)) {
        next.push(join(dir, part));
        continue;
      }
      const re = globRe(part);
      const names = await readdir(dir).catch(() => [] as string[]);
      // glob(3) skips dot files unless the pattern names them.
      for (const n of names.sort()) if (re.test(n) && (part.startsWith('.') || !n.startsWith('.'))) next.push(join(dir, n));
    }
    paths = next;
  }
  return paths;
}

/**
 * The ports an sshd_config sets, following `Include` (globs, relative paths against /etc/ssh, as
 * sshd does) into files such as sshd_config.d/10-port.conf. null when the main file is unreadable.
 */
export async function sshdConfigPorts(main = '/etc/ssh/sshd_config', readText: (p: string) => Promise<string | null> = read): Promise<number[] | null> {
  const text = await readText(main);
  if (text === null) return null;
  const ports = new Set<number>();
  const seen = new Set<string>([main]);
  const visit = async (t: string, depth: number) => {
    const c = parseSshdConfig(t);
    for (const p of c.ports) ports.add(p);
    // sshd itself refuses nesting deeper than 16; the limit also ends an include loop.
    if (depth >= 16) return;
    for (const inc of c.includes) {
      for (const path of await expandGlob(isAbsolute(inc) ? inc : join(dirname(main), inc))) {
        if (seen.has(path)) continue;
        seen.add(path);
        const sub = await readText(path);
        if (sub !== null) await visit(sub, depth + 1);
      }
    }
  };
  await visit(text, 0);
  return [...ports].sort((a, b) => a - b);
}

/** Ports of `systemctl show ssh.socket -p Listen --value` lines such as "[::]:2222 (Stream)". */
export function parseSocketListen(text: string): number[] {
  const ports = new Set<number>();
  for (const line of text.split('\n')) {
    const m = /:(\d+) \(Stream\)/.exec(line) ?? /^(\d+) \(Stream\)/.exec(line.trim());
    if (m) ports.add(Number(m[1]));
  }
  return [...ports].sort((a, b) => a - b);
}

const PRIVATE_V4 = [/^10\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./, /^169\.254\./, /^127\./];
export function isPrivateAddress(addr: string): boolean {
  if (addr.includes(':')) return /^(fc|fd|fe80|::1$)/i.test(addr);
  return PRIVATE_V4.some((r) => r.test(addr));
}

async function cgroupMemoryLimit(): Promise<number | null> {
  // cgroup v2 (unified, usually namespaced so our own cgroup is the root) then v1.
  for (const p of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    const t = (await read(p))?.trim();
    if (!t || t === 'max') continue;
    const n = Number(t);
    // v1 reports "no limit" as a number near 2^63.
    if (Number.isFinite(n) && n > 0 && n < 2 ** 60) return n;
  }
  return null;
}

async function cgroupCpus(): Promise<number | null> {
  const v2 = (await read('/sys/fs/cgroup/cpu.max'))?.trim().split(/\s+/);
  if (v2 && v2[0] !== 'max' && v2[1]) return Number(v2[0]) / Number(v2[1]);
  const q = Number((await read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'))?.trim());
  const per = Number((await read('/sys/fs/cgroup/cpu/cpu.cfs_period_us'))?.trim());
  return q > 0 && per > 0 ? q / per : null;
}

async function disk(path: string, mounts: string): Promise<HostFacts['disks']['installDir']> {
  // The dir may not exist yet: measure the nearest existing parent, which is where it will be created.
  let p = path;
  while (p !== '/' && !existsSync(p)) p = p.replace(/\/[^/]+\/?$/, '') || '/';
  try {
    const s = await statfs(p);
    let mount: string | null = null;
    for (const line of mounts.split('\n')) {
      const mp = line.split(' ')[1];
      if (mp && (p === mp || p.startsWith(mp === '/' ? '/' : `${mp}/`)) && (mount === null || mp.length > mount.length)) mount = mp;
    }
    return { path, mount, totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize, freeInodes: s.files > 0 ? s.ffree : null };
  } catch {
    return { path, mount: null, totalBytes: 0, freeBytes: 0, freeInodes: null };
  }
}

/**
 * What this host runs on (#22.8): systemd-detect-virt when it answers (it looks for a container
 * first, then a VM), else the marks a container manager leaves: /run/systemd/container (systemd's
 * convention, written by nspawn, LXC, podman), `container=` in PID 1's environment (root only),
 * /.dockerenv, OpenVZ's /proc/vz without /proc/bc; then a hypervisor flag for a VM.
 */
async function virtualization(exec: Executor): Promise<string | null> {
  const r = await exec.query('systemd-detect-virt', [], { timeoutMs: 1500 });
  const v = r.stdout.trim();
  if (r.exitCode === 0 && v && v !== 'none') return v;
  if (r.exitCode !== 127 && v === 'none') return null;
  const marked = (await read('/run/systemd/container'))?.trim();
  if (marked) return containerName(marked);
  const env1 = await read('/proc/1/environ');
  const m = env1 ? /(?:^|\0)container=([^\0]+)/.exec(env1) : null;
  if (m) return containerName(m[1]!);
  if (existsSync('/.dockerenv')) return 'docker';
  if (existsSync('/proc/vz') && !existsSync('/proc/bc')) return 'openvz';
  const cpuinfo = (await read('/proc/cpuinfo')) ?? '';
  if (/^flags\s*:.*\bhypervisor\b/m.test(cpuinfo)) return (await read('/sys/class/dmi/id/sys_vendor'))?.trim() || 'vm';
  return null;
}

/** A container manager's own word for itself, as systemd-detect-virt would print it. */
export function containerName(s: string): string {
  const v = s.trim().toLowerCase();
  if (v === 'lxc' || v === 'lxc-libvirt' || v === 'systemd-nspawn' || v === 'docker' || v === 'podman' || v === 'openvz' || v === 'rkt' || v === 'wsl' || v === 'proot' || v === 'pouch') return v;
  if (v === 'oci') return 'podman';
  return 'container-other';
}

/** Where the docker CLI looks for plugins, in its own order. */
export function composePluginPaths(env: NodeJS.ProcessEnv): string[] {
  const home = env.DOCKER_CONFIG || (env.HOME ? `${env.HOME}/.docker` : null);
  const dirs = [home && `${home}/cli-plugins`, '/usr/local/lib/docker/cli-plugins', '/usr/local/libexec/docker/cli-plugins', '/usr/lib/docker/cli-plugins', '/usr/libexec/docker/cli-plugins'];
  return dirs.filter((d): d is string => !!d).map((d) => `${d}/docker-compose`);
}

async function dockerFacts(exec: Executor, env: NodeJS.ProcessEnv): Promise<[HostFacts['docker'], HostFacts['compose'], HostFacts['swarmNodes']]> {
  // Running the compose plugin directly skips one CLI start (~60 ms); `docker compose` is the fallback.
  const plugin = composePluginPaths(env).find((p) => existsSync(p));
  const [ver, info, compose] = await Promise.all([
    exec.query('docker', ['version', '--format', '{{.Client.Version}}'], { timeoutMs: 2000 }),
    exec.query('docker', ['info', '--format', '{{.ServerVersion}}|{{.DockerRootDir}}|{{.Driver}}|{{.CgroupVersion}}|{{.Swarm.ControlAvailable}}'], { timeoutMs: 3000 }),
    plugin ? exec.query(plugin, ['version', '--short'], { timeoutMs: 2000 }) : exec.query('docker', ['compose', 'version', '--short'], { timeoutMs: 2000 }),
  ]);
  const installed = ver.exitCode !== 127 && /^\d/.test(ver.stdout.trim());
  const parts = info.exitCode === 0 ? info.stdout.trim().split('|') : [];
  const running = parts.length === 5 && /^\d/.test(parts[0]!);
  // The daemon is there, but its socket refuses this account: not "not running" (#22.8).
  const permissionDenied = !running && /permission denied/i.test(info.stderr);
  const cv = compose.exitCode === 0 ? compose.stdout.trim().replace(/^v/, '') : null;
  // A swarm manager sees every node: a swarm plan is sized per node from these (domain/swarm.ts sizeForNodes).
  const swarmNodes = running && parts[4] === 'true' ? await readSwarmNodes(exec) : undefined;
  return [
    {
      installed,
      version: running ? parts[0]! : installed ? ver.stdout.trim() : null,
      running,
      rootDir: running ? parts[1]! : null,
      storageDriver: running ? parts[2]! : null,
      cgroupVersion: running ? parts[3]! : null,
      ...(permissionDenied ? { permissionDenied } : {}),
    },
    { installed: cv !== null && /^\d/.test(cv), version: cv && /^\d/.test(cv) ? cv : null, v2: cv !== null && /^2\./.test(cv) },
    swarmNodes,
  ];
}

/** The ready, active nodes of the swarm this engine manages; undefined when they cannot be read. */
async function readSwarmNodes(exec: Executor): Promise<HostFacts['swarmNodes']> {
  const ids = await exec.query('docker', ['node', 'ls', '-q'], { timeoutMs: 5000 });
  const list = ids.stdout.split('\n').map((x) => x.trim()).filter(Boolean);
  if (ids.exitCode !== 0 || list.length === 0) return undefined;
  const r = await exec.query('docker', ['node', 'inspect', ...list], { timeoutMs: 5000 });
  if (r.exitCode !== 0) return undefined;
  try {
    return parseNodeInspect(r.stdout)
      .filter((n) => n.healthy)
      .map((n) => ({ hostname: n.hostname, roles: n.roles, memoryMiB: n.memoryMiB, cpus: n.cpus }));
  } catch {
    return undefined;
  }
}

async function timezone(exec: Executor): Promise<string> {
  const link = await readlink('/etc/localtime').catch(() => null);
  const m = link && /zoneinfo\/(.+)$/.exec(link);
  if (m) return m[1]!;
  const tz = (await read('/etc/timezone'))?.trim();
  if (tz) return tz;
  void exec;
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

async function timeSynchronized(exec: Executor): Promise<boolean | null> {
  const r = await exec.query('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { timeoutMs: 1500 });
  const v = r.stdout.trim();
  return r.exitCode === 0 && (v === 'yes' || v === 'no') ? v === 'yes' : null;
}

/** Hard "Max open files" of /proc/self/limits, and CAP_SYS_RESOURCE (bit 24) of CapEff in /proc/self/status. */
export function parseNofileLimits(limits: string | null, status: string | null): HostFacts['limits'] {
  const m = limits ? /^Max open files\s+\S+\s+(\S+)/m.exec(limits) : null;
  const hard = m && /^\d+$/.test(m[1]!) ? Number(m[1]) : null;
  const cap = status ? /^CapEff:\s*([0-9a-f]+)/m.exec(status) : null;
  const canRaiseNofile = cap ? (BigInt(`0x${cap[1]}`) & (1n << 24n)) !== 0n : true;
  return { nofileHard: hard, canRaiseNofile };
}

/** Listening TCP ports from /proc/net/tcp and tcp6; no process (naming it needs ss or a walk of every fd in /proc). */
export async function procListeners(files = ['/proc/net/tcp', '/proc/net/tcp6']): Promise<ReturnType<typeof parseSs>> {
  const texts = await Promise.all(files.map((f) => read(f)));
  return texts.flatMap((t) => (t ? parseProcNetTcp(t) : [])).map((l) => ({ port: l.port, address: l.address, process: null, pid: null }));
}

export async function probeHost(exec: Executor, opts: ProbeOptions): Promise<HostFacts> {
  const wantPorts = [...new Set([80, 443, ...(opts.ports ?? [])])].sort((a, b) => a - b);
  const [meminfo, osRelease, mounts, cgLimit, cgCpu, virt, [docker, compose, swarmNodes], ss, sshSocket, sshdConfig, tz, sync, procLimits, procStatus] = await Promise.all([
    read('/proc/meminfo'),
    read('/etc/os-release'),
    read('/proc/mounts'),
    cgroupMemoryLimit(),
    cgroupCpus(),
    virtualization(exec),
    dockerFacts(exec, opts.env),
    exec.query('ss', ['-Hltnp'], { timeoutMs: 1500 }),
    // Ubuntu 24.04 starts sshd by socket activation: systemd, not sshd, holds the listening socket.
    existsSync('/run/systemd/system')
      ? exec.query('systemctl', ['show', 'ssh.socket', 'sshd.socket', '-p', 'Listen', '--value'], { timeoutMs: 1500 })
      : Promise.resolve(null),
    sshdConfigPorts(),
    timezone(exec),
    timeSynchronized(exec),
    read('/proc/self/limits'),
    // Root's capabilities: ours when we are root; else PID 1's (root's init), since a normal user has none (#22.8).
    read(processIsRoot() ? '/proc/self/status' : '/proc/1/status'),
  ]);
  const mem = parseMeminfo(meminfo ?? '');
  const osr = parseOsRelease(osRelease ?? '');
  // Without ss (Debian's minbase has no iproute2) the kernel's socket tables still say which ports
  // are taken, only not by whom: a port is never reported free because the tool to look is missing.
  const listening = ss.exitCode === 0 ? parseSs(ss.stdout) : await procListeners();
  const [installDisk, dockerDisk] = await Promise.all([
    disk(opts.installDir, mounts ?? ''),
    disk(docker.rootDir ?? '/var/lib/docker', mounts ?? ''),
  ]);

  const socketPorts = sshSocket?.exitCode === 0 ? parseSocketListen(sshSocket.stdout) : [];
  const sshListen = [
    ...new Set([
      ...listening.filter((l) => l.process === 'sshd' || l.process === 'sshd-session').map((l) => l.port),
      // A socket-activated sshd's port is listened on by systemd; count it when ss agrees it is open.
      ...socketPorts.filter((p) => listening.some((l) => l.port === p)),
    ]),
  ].sort((a, b) => a - b);
  const sshConf = sshdConfig ?? [];
  const sshd: HostFacts['sshd'] = sshListen.length
    ? { ports: sshListen, source: 'listening' }
    : sshConf.length
      ? { ports: sshConf, source: 'sshd-config' }
      : sshdConfig !== null
        ? { ports: [22], source: 'default' }
        : { ports: [], source: 'none' };

  const addrs = hostAddresses(os.networkInterfaces());
  const conn = (opts.env.SSH_CONNECTION ?? '').trim().split(/\s+/);
  const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
  const cpus = os.cpus();

  return {
    schemaVersion: 1,
    hostname: os.hostname(),
    cpu: { cores: Math.max(1, os.availableParallelism?.() ?? cpus.length), model: cpus[0]?.model.trim() || null, cgroupCpus: cgCpu },
    memory: {
      totalBytes: mem.MemTotal ?? os.totalmem(),
      cgroupLimitBytes: cgLimit,
      availableBytes: mem.MemAvailable ?? os.freemem(),
      swapTotalBytes: mem.SwapTotal ?? 0,
      swapFreeBytes: mem.SwapFree ?? 0,
    },
    disks: { installDir: installDisk, dockerRoot: dockerDisk },
    os: {
      id: osr.ID ?? 'unknown',
      versionId: osr.VERSION_ID ?? '',
      codename: osr.VERSION_CODENAME || null,
      prettyName: osr.PRETTY_NAME ?? os.type(),
      idLike: (osr.ID_LIKE ?? '').split(/\s+/).filter(Boolean),
    },
    arch: os.arch(),
    kernel: os.release(),
    virtualization: virt,
    docker,
    compose,
    sshd,
    ports: wantPorts.map((port) => {
      const l = listening.find((x) => x.port === port);
      return { port, inUse: !!l, process: l?.process ?? null, pid: l?.pid ?? null };
    }),
    user: { isRoot: processIsRoot(), uid, name: opts.env.USER ?? opts.env.LOGNAME ?? null },
    systemd: existsSync('/run/systemd/system'),
    addresses: {
      public: addrs.filter((a) => !isPrivateAddress(a)),
      private: addrs.filter((a) => isPrivateAddress(a)),
    },
    session: {
      sshClientAddress: conn.length === 4 ? conn[0]! : null,
      sshServerPort: conn.length === 4 ? Number(conn[3]) : null,
    },
    timezone: tz,
    timeSynchronized: sync,
    limits: parseNofileLimits(procLimits, procStatus),
    ...(swarmNodes ? { swarmNodes } : {}),
  };
}
