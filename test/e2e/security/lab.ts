// A minimal lab for the security end-to-end test (DESIGN.md §9): a "server" container running
// systemd, sshd on 2222, ufw, fail2ban and its own Docker engine, and client containers on a
// public-looking network (a free /28 of 203.0.113.0/24). The built package is installed in the
// server the way a user installs it, and the wizard runs there as on a real server.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const PREFIX = `sw-sec-${process.pid}`;

export interface Result { code: number; out: string; err: string }

export function sh(cmd: string, args: string[], o: { input?: string | Buffer; check?: boolean; timeoutMs?: number } = {}): Result {
  const r = spawnSync(cmd, args, { input: o.input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: o.timeoutMs ?? 300_000 });
  const res = { code: r.status ?? 1, out: r.stdout ?? '', err: r.stderr ?? (r.error ? String(r.error) : '') };
  if ((o.check ?? true) && res.code !== 0) throw new Error(`${cmd} ${args.join(' ')} → exit ${res.code}\n${res.out}\n${res.err}`);
  return res;
}

/**
 * The same, without blocking the event loop: for anything that may take long (image builds, the
 * wizard's apply), so vitest's worker keeps answering its runner meanwhile.
 */
export function shAsync(cmd: string, args: string[], o: { input?: string | Buffer; check?: boolean; timeoutMs?: number } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), o.timeoutMs ?? 900_000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      const res = { code: code ?? 1, out, err };
      if ((o.check ?? true) && res.code !== 0) reject(new Error(`${cmd} ${args.join(' ')} → exit ${res.code}\n${out}\n${err}`));
      else resolve(res);
    });
    p.stdin.end(o.input ?? '');
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(what: string, fn: () => T | null | undefined | false, timeoutMs = 60_000, stepMs = 500): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(stepMs);
  }
}

function ipToInt(ip: string) {
  return ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}

/** Addresses of the package mirror this machine uses: a bridge over one of them would cut every container (and the host) off from it. */
function mirrorAddresses(): number[] {
  const uri = sh('bash', [join(ROOT, 'test', 'provision', 'debian-uri.sh')], { check: false }).out.trim();
  const host = /^[a-z]+:\/\/(?:[^@/]*@)?\[?([^\]/:]+)/i.exec(uri)?.[1];
  if (!host) return [];
  return sh('getent', ['ahostsv4', host], { check: false }).out.split('\n').map((l) => l.split(/\s+/)[0]!).filter((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a)).map(ipToInt);
}

/** A /28 of 203.0.113.0/24 that no network on this engine uses (other suites share the engine) and that holds no mirror address. */
function freeSubnet(): string {
  const mirror = mirrorAddresses();
  const used = sh('docker', ['network', 'ls', '-q']).out.split('\n').filter(Boolean)
    .flatMap((id) => sh('docker', ['network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Subnet}} {{end}}', id]).out.trim().split(/\s+/))
    .filter((s) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(s))
    .map((s) => {
      const [a, l] = s.split('/');
      const start = ipToInt(a!);
      return [start, start + 2 ** (32 - Number(l)) - 1] as const;
    });
  for (let base = 128; base < 256; base += 16) {
    const s = ipToInt(`203.0.113.${base}`);
    if (!used.some(([a, b]) => s <= b && s + 15 >= a) && !mirror.some((m) => m >= s && m <= s + 15)) return `203.0.113.${base}/28`;
  }
  throw new Error('no free /28 in 203.0.113.0/24 on this engine');
}

export interface Lab {
  net: string;
  server: { name: string; ip: string };
  operator: { name: string; ip: string };
  attackers: { name: string; ip: string }[];
  /** A command in the server as root (docker exec: the console, no SSH session). */
  exec(cmd: string, o?: { input?: string | Buffer; check?: boolean }): Result;
  /** A command in a client container. */
  on(client: string, cmd: string, check?: boolean): Result;
  /** A command run on the server over SSH from the operator's machine, as an operator does. */
  ssh(cmd: string, check?: boolean): Promise<Result>;
  down(): void;
}

export async function buildImages(): Promise<void> {
  await shAsync('bash', [join(ROOT, 'test', 'e2e', 'security', 'build-images.sh')], { timeoutMs: 1_500_000 });
}

/** `npm pack` of this checkout: what `npx stack-wizard` would download. */
async function pack(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sw-sec-pack-'));
  await shAsync('npm', ['pack', '--pack-destination', dir, '--silent'], { timeoutMs: 120_000 });
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error('npm pack produced nothing');
  return join(dir, tgz);
}

export async function startLab(): Promise<Lab> {
  const subnet = freeSubnet();
  const base = subnet.split('/')[0]!.split('.').map(Number);
  const ip = (n: number) => `${base[0]}.${base[1]}.${base[2]}.${base[3]! + n}`;
  const net = `${PREFIX}-inet`;
  sh('docker', ['network', 'create', '--subnet', subnet, net]);
  const server = { name: `${PREFIX}-server`, ip: ip(2) };
  const operator = { name: `${PREFIX}-operator`, ip: ip(3) };
  const attackers = [{ name: `${PREFIX}-attacker`, ip: ip(4) }, { name: `${PREFIX}-scanner`, ip: ip(5) }];
  const lab: Lab = {
    net,
    server,
    operator,
    attackers,
    exec: (cmd, o = {}) => sh('docker', ['exec', ...(o.input !== undefined ? ['-i'] : []), server.name, 'bash', '-c', cmd], { input: o.input, check: o.check }),
    on: (client, cmd, check = true) => sh('docker', ['exec', client, 'sh', '-c', cmd], { check }),
    ssh: (cmd, check = true) =>
      shAsync('docker', ['exec', operator.name, 'ssh', '-p', '2222', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'ConnectTimeout=10', `root@${server.ip}`, cmd], { check, timeoutMs: 900_000 }),
    down() {
      for (const c of [server, operator, ...attackers]) sh('docker', ['rm', '-f', '-v', c.name], { check: false });
      sh('docker', ['network', 'rm', net], { check: false });
    },
  };
  try {
    // DESIGN.md §9: systemd as PID 1 needs these; --privileged does not work here.
    sh('docker', [
      'run', '-d', '--name', server.name, '--hostname', 'web-1', '--network', net, '--ip', server.ip,
      '--cap-add', 'SYS_ADMIN', '--cap-add', 'NET_ADMIN', '--cap-add', 'NET_RAW', '--cap-add', 'SYS_PTRACE',
      '--tmpfs', '/run', '--tmpfs', '/run/lock', '-v', '/sys/fs/cgroup:/sys/fs/cgroup:rw',
      '--security-opt', 'apparmor=unconfined', '--security-opt', 'seccomp=unconfined',
      'sw-sec/server:bookworm',
    ]);
    for (const c of [operator, ...attackers]) sh('docker', ['run', '-d', '--name', c.name, '--network', net, '--ip', c.ip, 'sw-sec/client:bookworm']);

    await until('systemd to finish booting', () => /^(running|degraded)/.test(lab.exec('systemctl is-system-running', { check: false }).out.trim()), 120_000);
    await until('sshd on 2222', () => /:2222\b/.test(lab.exec('ss -Hltn', { check: false }).out), 60_000);
    await until('the inner Docker engine', () => lab.exec('docker info', { check: false }).code === 0, 120_000);

    // The operator logs in with a key, as on a real server.
    lab.on(operator.name, "mkdir -p /root/.ssh && ssh-keygen -q -t ed25519 -N '' -f /root/.ssh/id_ed25519");
    const pub = lab.on(operator.name, 'cat /root/.ssh/id_ed25519.pub').out;
    lab.exec('cat >> /root/.ssh/authorized_keys && chmod 600 /root/.ssh/authorized_keys', { input: pub });

    // Install the package the way npx would: the packed tarball, its bin on the PATH.
    const tgz = await pack();
    sh('docker', ['cp', tgz, `${server.name}:/tmp/stack-wizard.tgz`]);
    lab.exec('mkdir -p /usr/local/lib/stack-wizard && tar -xzf /tmp/stack-wizard.tgz -C /usr/local/lib/stack-wizard --strip-components=1 && ln -sf /usr/local/lib/stack-wizard/bin/stack-wizard.js /usr/local/bin/stack-wizard && stack-wizard --version');

    // The stack's Nginx image, into the server's own engine.
    await shAsync('bash', ['-c', `set -o pipefail; docker save sw-sec/web:bookworm | docker exec -i ${server.name} docker load -q`]);
    return lab;
  } catch (e) {
    if (!process.env.KEEP_LAB) lab.down();
    throw e;
  }
}
