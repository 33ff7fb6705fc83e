// The e2e lab: a realistic Debian 12 server (systemd, sshd, ufw, fail2ban, its own Docker engine)
// and an "Internet" client on a public-looking network, all containers of this machine's engine.
// See test/lab/README.md. Typical use:
//
//   const lab = await Lab.create();                 // images built if missing, stale labs removed
//   const server = await lab.startServer();         // systemd up, inner dockerd answering
//   const client = await lab.startClient();
//   await lab.loadImages(server, [IMAGES.mariadb]); // docker save | docker exec -i … docker load
//   await lab.installWizard(server);                // npm pack → npm install -g on the server
//   await client.ssh(server, 'stack-wizard status --json');
//   await lab.cleanup();                            // in afterAll; also runs at process exit
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandError, run, waitFor, type ExecResult, type RunOptions } from '../support/proc.js';

// The process helpers every suite shares, here too for the e2e tests that import the lab.
export { CommandError, run, waitFor, type ExecResult, type RunOptions };

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const IMAGES = {
  server: 'stack-wizard-lab/server:bookworm',
  client: 'stack-wizard-lab/client',
  debian: 'stack-wizard-lab/debian:12',
  mariadb: 'stack-wizard-lab/mariadb:10.11',
  redis: 'stack-wizard-lab/redis:7.0',
  nginx: 'stack-wizard-lab/nginx:1.26',
  app: 'stack-wizard-lab/app:ok',
  appV2: 'stack-wizard-lab/app:v2',
  appBroken: 'stack-wizard-lab/app:broken',
  appCrash: 'stack-wizard-lab/app:crash',
  pebble: 'stack-wizard-lab/pebble',
  // Built only when a test names them (ensureImages(['mysql-9.7', …]); test/lab/README.md).
  mysql97: 'stack-wizard-lab/mysql:9.7',
  mariadb118: 'stack-wizard-lab/mariadb:11.8',
  redis80: 'stack-wizard-lab/redis:8.0',
  valkey81: 'stack-wizard-lab/valkey:8.1',
  valkey91: 'stack-wizard-lab/valkey:9.1',
  nginx130: 'stack-wizard-lab/nginx:1.30',
  nginx122: 'stack-wizard-lab/nginx:1.22',
  registry: 'stack-wizard-lab/registry',
} as const;

/** The port sshd listens on in the server image (not 22, on purpose). */
export const SSH_PORT = 2222;
/** The sudo user baked into the server image; its password and keys are set by startServer. */
export const OPS_USER = 'ops';

/** Set on everything the lab creates: `<host>:<pid>:<process start time>` of the owning test process. */
const OWNER_LABEL = 'org.stack-wizard.lab.owner';
const RUN_LABEL = 'org.stack-wizard.lab.run';

/**
 * Candidate "Internet" subnets: /27 slices of the documentation ranges, public-looking (a client
 * from a private range looks trusted to rules that exempt private ranges). Slices, not one /24,
 * so labs of parallel test runs on one engine do not collide.
 */
const INTERNET_SUBNETS = ['203.0.113', '198.51.100', '192.0.2'].flatMap((net) =>
  [0, 32, 64, 96, 128, 160, 192, 224].map((o) => `${net}.${o}/27`),
);

/**
 * Addresses this machine must keep reaching while a lab exists: its package registries (read from
 * apt's sources and npm's config at run time) and its DNS resolvers. A lab network whose subnet
 * holds one of them would capture that traffic (in some sandboxes the registries sit on a
 * documentation range too).
 */
async function reservedAddresses(): Promise<string[]> {
  const hosts = new Set<string>();
  const dir = '/etc/apt/sources.list.d';
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.(sources|list)$/.test(f)).map((f) => join(dir, f)) : [];
  if (existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(/[a-z]+:\/\/([^/\s:]+)/g)) hosts.add(m[1]!);
  const npm = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' });
  const reg = /^[a-z]+:\/\/([^/:]+)/.exec(npm.stdout?.trim() ?? '');
  if (reg) hosts.add(reg[1]!);
  const out: string[] = [];
  for (const h of hosts) out.push(...(await lookup(h, { all: true, family: 4 }).catch(() => [])).map((a) => a.address));
  const resolv = existsSync('/etc/resolv.conf') ? readFileSync('/etc/resolv.conf', 'utf8') : '';
  for (const m of resolv.matchAll(/^nameserver\s+(\d+\.\d+\.\d+\.\d+)/gm)) out.push(m[1]!);
  return out;
}

const toInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
export function inSubnet(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = toInt(net!);
  return toInt(ip) >= start && toInt(ip) < start + size;
}

/** For a command in a container: `env` and `workdir` are the container's (docker exec --env/--workdir). */
export interface ExecOptions extends Omit<RunOptions, 'env' | 'cwd'> {
  user?: string;
  workdir?: string;
  env?: Record<string, string>;
}

export const docker = (args: string[], opts?: RunOptions) => run('docker', args, opts);

/** Runs a command in a container; a string runs under `bash -c`. */
export function exec(container: string | Container, cmd: string | string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const name = typeof container === 'string' ? container : container.name;
  const args = ['exec', '-i'];
  if (opts.user) args.push('--user', opts.user);
  if (opts.workdir) args.push('--workdir', opts.workdir);
  for (const [k, v] of Object.entries(opts.env ?? {})) args.push('--env', `${k}=${v}`);
  args.push(name, ...(typeof cmd === 'string' ? ['bash', '-c', cmd] : cmd));
  return docker(args, { input: opts.input, timeoutMs: opts.timeoutMs, allowFail: opts.allowFail });
}

const imagesBuilt = new Map<string, Promise<void>>();
/**
 * Builds the lab images that are missing or out of date (test/lab/build-images.sh; cached, so fast
 * when current): the default set, or the named folders (the on-demand images are built only so).
 */
export function ensureImages(names: readonly string[] = []): Promise<void> {
  const key = names.join(' ');
  let built = imagesBuilt.get(key);
  if (!built) {
    built = run('bash', [join(PROJECT_ROOT, 'test/lab/build-images.sh'), ...names], { timeoutMs: 30 * 60_000 }).then(() => undefined);
    imagesBuilt.set(key, built);
  }
  return built;
}

export class Container {
  constructor(
    readonly name: string,
    /** Address on the lab's Internet network. */
    readonly ip: string,
  ) {}

  exec(cmd: string | string[], opts?: ExecOptions): Promise<ExecResult> {
    return exec(this, cmd, opts);
  }

  /** Runs a bash script and returns its stdout, throwing on a non-zero exit. */
  async sh(script: string, opts?: ExecOptions): Promise<string> {
    return (await exec(this, script, opts)).stdout;
  }

  /** Writes a file (parent directories created), from this process's memory. */
  async writeFile(path: string, content: string | Buffer, mode = '0644'): Promise<void> {
    await exec(this, ['bash', '-c', 'mkdir -p "$(dirname "$1")" && cat >"$1" && chmod "$2" "$1"', '_', path, mode], { input: content });
  }

  async readFile(path: string): Promise<string> {
    return (await exec(this, ['cat', path])).stdout;
  }

  copyIn(hostPath: string, containerPath: string): Promise<ExecResult> {
    return docker(['cp', hostPath, `${this.name}:${containerPath}`]);
  }

  /** The container's output so far: its stdout, then its stderr. */
  async logs(): Promise<string> {
    const r = await docker(['logs', this.name]);
    return r.stdout + r.stderr;
  }
}

export interface ServerCredentials {
  /** Password of `root` (Debian's sshd refuses root passwords: PermitRootLogin prohibit-password). */
  rootPassword: string;
  /** Password of the sudo user `ops`. */
  opsPassword: string;
}

export class Server extends Container {
  constructor(
    name: string,
    ip: string,
    readonly credentials: ServerCredentials,
  ) {
    super(name, ip);
  }

  /** The server's own Docker engine. */
  docker(args: string[], opts?: ExecOptions): Promise<ExecResult> {
    return exec(this, ['docker', ...args], opts);
  }

  /** `docker compose` (v2) in a directory on the server. */
  compose(dir: string, args: string[], opts?: ExecOptions): Promise<ExecResult> {
    return exec(this, ['docker', 'compose', ...args], { ...opts, workdir: dir });
  }

  /** Lets the holder of `publicKey` log in as `user` over SSH. */
  async authorizeKey(publicKey: string, user = 'root'): Promise<void> {
    const home = user === 'root' ? '/root' : `/home/${user}`;
    await exec(this, [
      'bash',
      '-c',
      `install -d -m 0700 -o "$1" -g "$1" "$2/.ssh" && cat >>"$2/.ssh/authorized_keys" && chown "$1:" "$2/.ssh/authorized_keys" && chmod 0600 "$2/.ssh/authorized_keys"`,
      '_',
      user,
      home,
    ], { input: publicKey.trim() + '\n' });
  }
}

export interface SshOptions extends Omit<RunOptions, 'env' | 'cwd'> {
  user?: string;
  /** Log in with this password (sshpass) instead of the client's key. */
  password?: string;
  port?: number;
}

export class Client extends Container {
  constructor(
    name: string,
    ip: string,
    /** The client's ed25519 public key (private key at /root/.ssh/id_ed25519 in the client). */
    readonly publicKey: string,
  ) {
    super(name, ip);
  }

  /** Runs `command` on `server` over SSH from this client (as an outsider on the Internet network). */
  ssh(server: Container, command: string, opts: SshOptions = {}): Promise<ExecResult> {
    const { user = 'root', password, port = SSH_PORT, ...runOpts } = opts;
    const base = [
      'ssh', '-p', String(port),
      '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
      '-o', 'ConnectTimeout=10',
    ];
    const auth = password
      ? ['sshpass', '-e', ...base, '-o', 'PreferredAuthentications=password,keyboard-interactive', '-o', 'PubkeyAuthentication=no']
      : [...base, '-o', 'BatchMode=yes', '-o', 'PasswordAuthentication=no'];
    return exec(this, [...auth, `${user}@${server.ip}`, command], { ...runOpts, env: password ? { SSHPASS: password } : {} });
  }

  /** `curl -sS` from this client; returns status code and body. */
  async http(url: string, opts: Omit<RunOptions, 'env' | 'cwd'> & { args?: string[] } = {}): Promise<{ status: number; body: string }> {
    const r = await exec(this, ['curl', '-sS', '--max-time', '10', '-o', '/dev/stdout', '-w', '\n%{http_code}', ...(opts.args ?? []), url], opts);
    const i = r.stdout.lastIndexOf('\n');
    return { status: Number(r.stdout.slice(i + 1)), body: r.stdout.slice(0, i) };
  }
}

/** `<host>:<pid>:<start time>`, so a reused pid is not mistaken for a live owner. */
function processIdentity(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) counted after the ")" closing the command name, which may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return `${hostname()}:${pid}:${fields[19]}`;
  } catch {
    return null;
  }
}

/** Gone only when provably so: an owner on another host (or malformed) is left alone. */
function ownerGone(owner: string): boolean {
  const [host, pidText] = owner.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  return processIdentity(pid) !== owner;
}

const OWNER = processIdentity(process.pid) ?? `${hostname()}:${process.pid}:0`;
const randomSecret = () => randomBytes(18).toString('base64url');

/** Removes containers and networks left by lab runs whose test process is gone (an aborted run). */
export async function removeStale(): Promise<string[]> {
  const removed: string[] = [];
  const list = async (kind: 'container' | 'network') => {
    const args = kind === 'container' ? ['ps', '-a', '--format', '{{.Names}}'] : ['network', 'ls', '--format', '{{.Name}}'];
    args[args.length - 1] += `\t{{.Label "${OWNER_LABEL}"}}`;
    const r = await docker([...args, '--filter', `label=${OWNER_LABEL}`], { allowFail: true });
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t') as [string, string])
      .filter(([, owner]) => ownerGone(owner));
  };
  for (const [name] of await list('container')) {
    await docker(['rm', '-f', '-v', name], { allowFail: true });
    removed.push(name);
  }
  for (const [name] of await list('network')) {
    await docker(['network', 'rm', name], { allowFail: true });
    removed.push(name);
  }
  return removed;
}

let packed: Promise<string> | undefined;
/** `npm pack` of the project (built first when dist/ is missing), once per process; the .tgz path. */
function packWizard(): Promise<string> {
  packed ??= (async () => {
    if (!existsSync(join(PROJECT_ROOT, 'dist/stack-wizard.js'))) {
      await run('npm', ['--prefix', PROJECT_ROOT, 'run', 'build'], { timeoutMs: 300_000 });
    }
    const dest = mkdtempSync(join(tmpdir(), 'stack-wizard-pack-'));
    process.once('exit', () => rmSync(dest, { recursive: true, force: true }));
    const r = await run('bash', ['-c', 'cd "$1" && npm pack --silent --pack-destination "$2"', '_', PROJECT_ROOT, dest], { timeoutMs: 120_000 });
    const file = r.stdout.trim().split('\n').pop()!;
    return join(dest, file);
  })();
  return packed;
}

export interface StartOptions {
  /** Suffix of the container name and its hostname (default "server" / "client"). */
  name?: string;
  /** More names for it in the lab's DNS (Docker's embedded DNS): e.g. a domain the server plays. */
  aliases?: string[];
}

export class Lab {
  private readonly containers: string[] = [];
  private readonly networks: string[] = [];
  private cleaned = false;
  private readonly exitHook = () => this.cleanupSync();

  private constructor(
    readonly runId: string,
    /** The "Internet" network: public-looking documentation range. */
    readonly internet: { name: string; subnet: string },
  ) {
    process.once('exit', this.exitHook);
  }

  /**
   * Builds missing images (the default set, or only the named image folders: a test that needs a
   * few images does not wait for the server's), removes stale labs, creates the Internet network.
   */
  static async create(opts: { images?: readonly string[] } = {}): Promise<Lab> {
    await ensureImages(opts.images ?? []);
    await removeStale();
    const runId = `${process.pid}-${randomBytes(3).toString('hex')}`;
    const name = `swlab-${runId}-internet`;
    const reserved = await reservedAddresses();
    for (const subnet of INTERNET_SUBNETS.filter((c) => !reserved.some((ip) => inSubnet(ip, c)))) {
      const r = await docker(
        ['network', 'create', '--driver', 'bridge', '--subnet', subnet, '--label', `${OWNER_LABEL}=${OWNER}`, '--label', `${RUN_LABEL}=${runId}`, name],
        { allowFail: true },
      );
      if (r.exitCode === 0) {
        const lab = new Lab(runId, { name, subnet });
        lab.networks.push(name);
        return lab;
      }
      // Another lab (or anything else) holds this range: try the next slice.
      if (!/overlap|in use/i.test(r.stderr)) throw new CommandError(['docker', 'network', 'create', name], r);
    }
    throw new Error(`no free Internet subnet among ${INTERNET_SUBNETS.join(', ')}`);
  }

  private async runContainer(role: string, image: string, extra: string[], cmd: string[] = []): Promise<{ name: string; ip: string }> {
    const name = `swlab-${this.runId}-${role}`;
    this.containers.push(name);
    await docker([
      'run', '-d', '--name', name, '--hostname', role,
      '--label', `${OWNER_LABEL}=${OWNER}`, '--label', `${RUN_LABEL}=${this.runId}`,
      '--network', this.internet.name,
      ...extra, image, ...cmd,
    ]);
    const ip = (await docker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${this.internet.name}").IPAddress}}`, name])).stdout.trim();
    return { name, ip };
  }

  /**
   * A Debian 12 server with systemd as PID 1, started with the flags of docs/TESTING.md#lab
   * (`--privileged` does not work on this engine) and a volume for the inner engine's data. On this machine's cgroup v1 the engine's
   * default cgroup namespace is the host's, and systemd then manages /docker/<id> inside the
   * bind-mounted hierarchy; `--cgroupns=host` says so explicitly (it is also what a cgroup v2 host
   * would need with this bind mount). Returns once systemd has finished booting ("running", or
   * "degraded": fail2ban's sshd jail fails on a fresh Debian 12) and the inner dockerd answers.
   * Root and `ops` get fresh random passwords (see Server.credentials).
   */
  async startServer(opts: StartOptions = {}): Promise<Server> {
    const { name, ip } = await this.runContainer(opts.name ?? 'server', IMAGES.server, [
      ...(opts.aliases ?? []).flatMap((a) => ['--network-alias', a]),
      '--cap-add', 'SYS_ADMIN', '--cap-add', 'NET_ADMIN', '--cap-add', 'NET_RAW', '--cap-add', 'SYS_PTRACE',
      '--tmpfs', '/run', '--tmpfs', '/run/lock',
      '-v', '/sys/fs/cgroup:/sys/fs/cgroup:rw', '--cgroupns', 'host',
      '--security-opt', 'apparmor=unconfined', '--security-opt', 'seccomp=unconfined',
      // systemd shuts down cleanly on SIGRTMIN+3 (the image cannot carry STOPSIGNAL: docker import).
      '--stop-signal', 'SIGRTMIN+3',
      // The inner engine's data on a volume (plain ext4), not the container's overlayfs: vfs copies
      // each image per container, and through overlayfs that is ~5x slower (MariaDB: 17 s vs 3.6 s
      // for create+start+remove). Kept across restarts of the server; removed with it (rm -v).
      '-v', '/var/lib/docker',
    ]);
    const state = await waitFor(
      `systemd in ${name} to finish booting`,
      async () => {
        // Fails ("Failed to connect to bus") until systemd is up; then waits for boot to finish.
        const r = await exec(name, ['systemctl', 'is-system-running', '--wait'], { allowFail: true, timeoutMs: 120_000 });
        const s = r.stdout.trim();
        return s === 'running' || s === 'degraded' ? s : undefined;
      },
      { timeoutMs: 180_000 },
    );
    if (state === 'degraded') {
      // Only fail2ban may fail on a fresh server; anything else is a broken lab.
      const failed = (await exec(name, ['systemctl', 'list-units', '--failed', '--plain', '--no-legend'])).stdout
        .split('\n').map((l) => l.trim().split(/\s+/)[0]).filter((u): u is string => !!u && u !== 'fail2ban.service');
      if (failed.length) throw new Error(`server ${name} booted with failed units: ${failed.join(', ')}`);
    }
    await waitFor(`the Docker engine in ${name}`, async () => (await exec(name, ['docker', 'info'], { allowFail: true })).exitCode === 0, {
      timeoutMs: 60_000,
    });
    const credentials: ServerCredentials = { rootPassword: randomSecret(), opsPassword: randomSecret() };
    await exec(name, ['chpasswd'], { input: `root:${credentials.rootPassword}\n${OPS_USER}:${credentials.opsPassword}\n` });
    return new Server(name, ip, credentials);
  }

  /** The Internet side: ssh, curl, nc, openssl; with its own SSH key pair. */
  async startClient(opts: StartOptions = {}): Promise<Client> {
    const { name, ip } = await this.runContainer(opts.name ?? 'client', IMAGES.client, []);
    await exec(name, ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `lab-${name}`, '-f', '/root/.ssh/id_ed25519']);
    const publicKey = (await exec(name, ['cat', '/root/.ssh/id_ed25519.pub'])).stdout.trim();
    return new Client(name, ip, publicKey);
  }

  /**
   * Any image on the Internet network, `docker run -d [args] image [cmd]` (a lab image's contract
   * test, a stand-in service such as a local mirror). Removed by cleanup like the rest.
   */
  async startContainer(role: string, image: string, opts: { args?: string[]; cmd?: string[] } = {}): Promise<Container> {
    const { name, ip } = await this.runContainer(role, image, opts.args ?? [], opts.cmd ?? []);
    return new Container(name, ip);
  }

  /** A bare Debian 12 (no Node) for install.sh tests, kept running with `sleep infinity`. */
  async startDebian(opts: StartOptions = {}): Promise<Container> {
    const { name, ip } = await this.runContainer(opts.name ?? 'debian', IMAGES.debian, [], ['sleep', 'infinity']);
    return new Container(name, ip);
  }

  /** Copies images from this machine's engine into the server's (only those it lacks). */
  async loadImages(server: Server, images: readonly string[]): Promise<void> {
    const missing: string[] = [];
    for (const image of images) {
      const want = (await docker(['image', 'inspect', '-f', '{{.Id}}', image])).stdout.trim();
      const have = await server.docker(['image', 'inspect', '-f', '{{.Id}}', image], { allowFail: true });
      if (have.stdout.trim() !== want) missing.push(image);
    }
    if (missing.length === 0) return;
    // One stream for all: layers shared between images travel once.
    const r = await run('bash', ['-c', 'set -o pipefail; docker save "${@:2}" | docker exec -i "$1" docker load', '_', server.name, ...missing], {
      timeoutMs: 600_000,
    });
    for (const image of missing) {
      if (!r.stdout.includes(`Loaded image: ${image}`) && !r.stdout.includes(`Loaded image: ${image}:latest`)) {
        throw new Error(`docker load in ${server.name} did not report ${image}:\n${r.stdout}`);
      }
    }
  }

  /**
   * Installs the wizard as a user would from the npm tarball: `npm pack` of this checkout, then
   * `npm install -g` with the server's own Node (offline: the bundle has no runtime dependencies).
   * Returns `stack-wizard --version` as run on the server.
   */
  async installWizard(server: Server): Promise<string> {
    const tgz = await packWizard();
    const remote = `/tmp/${tgz.split('/').pop()}`;
    await server.copyIn(tgz, remote);
    await server.exec(['npm', 'install', '-g', '--offline', '--no-audit', '--no-fund', remote], { timeoutMs: 180_000 });
    return (await server.exec(['stack-wizard', '--version'])).stdout.trim();
  }

  /** Removes every container (with its volumes) and network this lab created. Idempotent. */
  async cleanup(): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    process.removeListener('exit', this.exitHook);
    if (this.containers.length) await docker(['rm', '-f', '-v', ...this.containers], { allowFail: true });
    for (const n of this.networks) await docker(['network', 'rm', n], { allowFail: true });
  }

  /** Last resort at process exit (a test that threw before afterAll, Ctrl-C): same, synchronously. */
  private cleanupSync(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    if (this.containers.length) spawnSync('docker', ['rm', '-f', '-v', ...this.containers], { stdio: 'ignore' });
    for (const n of this.networks) spawnSync('docker', ['network', 'rm', n], { stdio: 'ignore' });
  }
}
