// The e2e lab: a realistic Debian 12 server (systemd, sshd, ufw, fail2ban, its own Docker engine)
// and an "Internet" client on a public-looking network, all containers of this machine's engine.
// See test/lab/README.md. Typical use:
//
//   const lab = await Lab.create();               // this file's Internet network, in the run's shared lab
//   const server = await lab.startServer({ images: [IMAGES.mariadb], wizard: true }); // usually ready at once
//   const client = await lab.startClient();
//   await client.ssh(server, 'stack-wizard status --json');
//   await lab.cleanup();                          // in afterAll: killed now, removed in the background
//
// Under vitest the e2e project's globalSetup (test/lab/global-setup.ts) runs one LabRun for all
// files (test/lab/run.ts) and each Lab talks to it over a Unix socket; outside vitest (the
// benches) a Lab runs a LabRun of its own.
import { request } from 'node:http';
import { CommandError, run, waitFor, type ExecResult, type RunOptions } from '../support/proc.js';
import {
  IMAGES, LAB_LABEL, OPS_USER, OWNER_LABEL, PROJECT_ROOT, RUN_LABEL, SSH_PORT, STANDARD_IMAGES, docker, ensureImages, exec, inSubnet, refOf, removeStale,
  type ExecOptions, type ImageRefs,
} from './base.js';
import { LabRun, type Internet, type Joined, type LabApi, type ServerCredentials, type ServerInfo, type ServerSpec } from './run.js';

// The process helpers every suite shares, here too for the e2e tests that import the lab.
export { CommandError, run, waitFor, type ExecResult, type RunOptions };
export { IMAGES, OPS_USER, PROJECT_ROOT, SSH_PORT, STANDARD_IMAGES, docker, ensureImages, exec, inSubnet, refOf, removeStale, type ExecOptions, type ImageRefs };
export type { ServerCredentials, ServerSpec };

/** Where the run's LabApi listens, set by the e2e globalSetup for its test files (inherited by vitest's workers). */
export const LAB_RUN_ENV = 'STACK_WIZARD_LAB_RUN';

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

/** The run's LabApi over its Unix socket (one JSON request per call). */
class RemoteLab implements LabApi {
  constructor(private readonly socket: string) {}

  private call<T>(method: keyof LabApi, ...params: unknown[]): Promise<T> {
    const body = JSON.stringify({ method, params });
    return new Promise<T>((resolve, reject) => {
      const req = request({ socketPath: this.socket, path: '/', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          try {
            const r = JSON.parse(text) as { result?: T; error?: { message: string; stack?: string } };
            if (r.error) {
              const e = new Error(`lab ${method}: ${r.error.message}`);
              e.stack = `${e.message}\n  (in the lab run) ${r.error.stack ?? ''}`;
              reject(e);
            } else resolve(r.result as T);
          } catch (e) {
            reject(e as Error);
          }
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  join(pid: number, images: readonly string[] = []) {
    return this.call<Joined>('join', pid, images);
  }
  server(labId: string, spec: ServerSpec) {
    return this.call<ServerInfo>('server', labId, spec);
  }
  load(server: string, images: readonly string[]) {
    return this.call<void>('load', server, images);
  }
  wizard(server: string) {
    return this.call<string>('wizard', server);
  }
  release(labId: string) {
    return this.call<void>('release', labId);
  }
}

export interface StartOptions {
  /** Suffix of the container name and its hostname (default "server" / "client"). */
  name?: string;
  /** More names for it in the lab's DNS (Docker's embedded DNS): e.g. a domain the server plays. */
  aliases?: string[];
}

/** startServer's options: what the server holds when handed over (nothing but a fresh Debian 12 by default). */
export interface ServerOptions extends StartOptions {
  /** Lab images its own engine holds (loaded from this machine's engine). */
  images?: readonly string[];
  /** stack-wizard installed from this checkout's npm tarball, as after `npm install -g` (`/usr/local/bin/stack-wizard`). */
  wizard?: boolean;
}

/** One test file's lab: its own Internet network in the run's shared lab, and what it starts there. */
export class Lab {
  private cleaned = false;

  private constructor(
    private readonly api: LabApi,
    /** Set when this Lab runs its own LabRun (outside vitest): closed with it. */
    private readonly own: LabRun | null,
    readonly labId: string,
    readonly runId: string,
    private readonly owner: string,
    /** The "Internet" network: a public-looking documentation range, this file's own. */
    readonly internet: Internet,
    /** This checkout's builds of the lab images (what containers run). */
    readonly refs: ImageRefs,
  ) {}

  /**
   * Joins the run's shared lab (under vitest), or makes a run of its own (the default images built
   * if missing, stale labs removed). `images`: on-demand image folders the file needs, built now
   * (build-images.sh; a test that needs only those does not wait for the others when alone).
   */
  static async create(opts: { images?: readonly string[] } = {}): Promise<Lab> {
    const socket = process.env[LAB_RUN_ENV];
    const own = socket ? null : await LabRun.create({ warm: 0 });
    const api = own ?? new RemoteLab(socket!);
    const j = await api.join(process.pid, opts.images ?? []);
    return new Lab(api, own, j.labId, j.runId, j.owner, j.internet, new Map(j.refs));
  }

  /** The container name a role gets in this lab (a container can name another before it starts). */
  nameOf(role: string): string {
    return `swlab-${this.runId}-${this.labId}-${role}`;
  }

  private async runContainer(role: string, image: string, extra: string[], cmd: string[] = []): Promise<{ name: string; ip: string }> {
    // Unique in the run: a released file's containers keep their names until removed in the background.
    const name = this.nameOf(role);
    await docker([
      'run', '-d', '--name', name, '--hostname', role,
      '--label', `${OWNER_LABEL}=${this.owner}`, '--label', `${RUN_LABEL}=${this.runId}`, '--label', `${LAB_LABEL}=${this.runId}/${this.labId}`,
      '--network', this.internet.name,
      ...extra, refOf(this.refs, image), ...cmd,
    ]);
    const ip = (await docker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${this.internet.name}").IPAddress}}`, name])).stdout.trim();
    return { name, ip };
  }

  /**
   * A fresh Debian 12 server, never used before: systemd as PID 1 booted ("running", or
   * "degraded" with only fail2ban failed, as on a fresh Debian 12), the inner dockerd answering,
   * root and `ops` with fresh random passwords (Server.credentials); with the images and the
   * wizard asked for. Started with the flags of docs/TESTING.md#lab (see run.ts). Asked for with
   * `wizard: true`, it usually comes prepared ahead by the run (renamed as asked), holding
   * the standard images (STANDARD_IMAGES) besides those asked for: a test must not count on an
   * engine without images then.
   */
  async startServer(opts: ServerOptions = {}): Promise<Server> {
    const info = await this.api.server(this.labId, { name: opts.name, aliases: opts.aliases, images: opts.images, wizard: opts.wizard });
    return new Server(info.name, info.ip, info.credentials);
  }

  /** The Internet side: ssh, curl, nc, openssl; with its own SSH key pair. */
  async startClient(opts: StartOptions = {}): Promise<Client> {
    const role = opts.name ?? 'client';
    const { name, ip } = await this.runContainer(role, IMAGES.client, (opts.aliases ?? []).flatMap((a) => ['--network-alias', a]));
    await exec(name, ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `lab-${role}`, '-f', '/root/.ssh/id_ed25519']);
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

  /** The tag of this checkout's build of a lab image on this machine's engine (`docker tag`, `docker image inspect`…). */
  image(name: string): string {
    return refOf(this.refs, name);
  }

  /** Copies images from this machine's engine into the server's (only those it lacks; `docker save` once per run and image set). */
  loadImages(server: Server, images: readonly string[]): Promise<void> {
    return this.api.load(server.name, images);
  }

  /**
   * Installs the wizard as a user would from the npm tarball: this checkout's `npm pack` (once per
   * run), `npm install -g` with the server's own Node (offline: the bundle has no runtime
   * dependencies); nothing to do when the server already has this bundle. Returns `stack-wizard --version`.
   */
  installWizard(server: Server): Promise<string> {
    return this.api.wizard(server.name);
  }

  /** Kills every container this lab made (with the servers it was handed) and removes its network; the disk is freed in the background. Idempotent. */
  async cleanup(): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    await this.api.release(this.labId);
    if (this.own) await this.own.close();
  }
}

