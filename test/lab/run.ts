// One lab run: what every e2e file of a `vitest` run shares, made once (test/lab/global-setup.ts),
// and the servers it hands out. Made once: the images checked (build-images.sh), stale labs
// removed, the wizard packed (`npm pack`), each image set saved to a tarball. Per file: an
// "Internet" network of its own (Lab.create()), and fresh servers from startServer(). A server
// asked for with the stack's images and the wizard is usually ready before it is asked for: the run
// keeps `warm` such servers prepared (booted, images loaded, wizard installed) on a network of its
// own, and joins one to the file's network, with its DNS aliases, when a file asks. A file's
// containers are killed when it ends (their addresses and names leave the network at once) and
// removed in the background, which on a busy disk takes longer than many tests.
//
// Test files reach the run over a Unix socket (RemoteLab in lab.ts); a Lab made outside vitest
// (the benches) runs its own LabRun in-process, with nothing kept warm.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandError, run, waitFor } from '../support/proc.js';
import {
  IMAGES, LAB_LABEL, OPS_USER, OWNER, OWNER_LABEL, PROJECT_ROOT, RUN_LABEL, STANDARD_IMAGES, docker, ensureImages, exec, inSubnet, refOf, removeStale,
  reservedAddresses, secs, type ImageRefs,
} from './base.js';

export interface Internet {
  name: string;
  subnet: string;
}

export interface ServerCredentials {
  /** Password of `root` (Debian's sshd refuses root passwords: PermitRootLogin prohibit-password). */
  rootPassword: string;
  /** Password of the sudo user `ops`. */
  opsPassword: string;
}

export interface ServerSpec {
  /** Its hostname, and the last part of its container name (default "server"). */
  name?: string;
  /** More names for it in the lab's DNS (Docker's embedded DNS): e.g. a domain the server plays. */
  aliases?: readonly string[];
  /** Lab images its own engine holds when handed over. */
  images?: readonly string[];
  /** stack-wizard installed from this checkout's npm tarball, as after `npm install -g`. */
  wizard?: boolean;
}

export interface ServerInfo {
  name: string;
  ip: string;
  credentials: ServerCredentials;
}

/** What a test file's Lab asks of the run (in-process, or over the run's socket). */
export interface Joined {
  labId: string;
  runId: string;
  owner: string;
  internet: Internet;
  /** ImageRefs as pairs. */
  refs: [string, string][];
}

export interface LabApi {
  /** A test file's lab; `images`: on-demand image folders it needs built (Lab.create({ images })). */
  join(pid: number, images?: readonly string[]): Promise<Joined>;
  server(labId: string, spec: ServerSpec): Promise<ServerInfo>;
  load(server: string, images: readonly string[]): Promise<void>;
  wizard(server: string): Promise<string>;
  release(labId: string): Promise<void>;
}

/**
 * Candidate "Internet" subnets: /27 slices of the documentation ranges, public-looking (a client
 * from a private range looks trusted to rules that exempt private ranges). Slices, not one /24,
 * so labs of parallel test runs on one engine do not collide.
 */
const INTERNET_SUBNETS = ['203.0.113', '198.51.100', '192.0.2'].flatMap((net) =>
  [0, 32, 64, 96, 128, 160, 192, 224].map((o) => `${net}.${o}/27`),
);

const randomSecret = () => randomBytes(18).toString('base64url');
const log = (line: string) => process.stderr.write(`[lab] ${line}\n`);

interface Prepared {
  name: string;
  credentials: ServerCredentials;
  images: Set<string>;
  wizard: boolean;
  timings: string;
}

interface LabState {
  internet: Internet;
  pid: number;
  /** Servers the run made for it (worker-made containers carry LAB_LABEL instead). */
  servers: string[];
}

export class LabRun implements LabApi {
  private readonly tmp = mkdtempSync(join(tmpdir(), 'stack-wizard-lab-'));
  private readonly labs = new Map<string, LabState>();
  private readonly ready: Prepared[] = [];
  private readonly waiting: ((p: Prepared) => void)[] = [];
  private filling = 0;
  private nServer = 0;
  private nLab = 0;
  private closed = false;
  private http: HttpServer | undefined;
  /** Background removals, one at a time (each is a disk-heavy `rm -v`). */
  private removals: Promise<void> = Promise.resolve();
  private readonly tars = new Map<string, Promise<string>>();
  /** Servers being prepared: close() waits for them, so none appears after its sweep. */
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly exitHook = () => this.closeSync();

  private constructor(
    readonly runId: string,
    /** Prepared servers kept ready for the next file that asks for one. */
    readonly warm: number,
    private readonly files: number,
    private readonly staging: string,
    private readonly reserved: string[],
    private refs: ImageRefs,
    private readonly packed: Promise<{ tgz: string; distSha: string }>,
  ) {
    process.once('exit', this.exitHook);
  }

  /** Checks the images, removes stale labs, packs the wizard (all at once), makes the run's own network. */
  /**
   * `warm`: prepared servers kept ready; `files`: how many test files will join, when known (no
   * server is prepared ahead once the last one has joined: it would only be thrown away).
   */
  static async create(o: { warm?: number; files?: number } = {}): Promise<LabRun> {
    const t0 = performance.now();
    const [refs, , reserved] = await Promise.all([ensureImages(), removeStale(), reservedAddresses()]);
    const warm = o.warm ?? 0;
    const runId = `${process.pid}-${randomBytes(3).toString('hex')}`;
    const staging = `swlab-${runId}-staging`;
    // Where prepared servers wait, cut off from everything (--internal): nothing to reach while
    // they boot and load images, and no address of a file's network taken.
    await docker(['network', 'create', '--internal', '--label', `${OWNER_LABEL}=${OWNER}`, '--label', `${RUN_LABEL}=${runId}`, staging]);
    const r = new LabRun(runId, warm, o.files ?? Infinity, staging, reserved, refs, packWizard());
    r.packed.catch(() => {});
    log(`run ${runId}: images checked, stale labs removed in ${secs(performance.now() - t0)}; ${warm} server(s) kept prepared ahead${o.files ? ` for ${o.files} file(s)` : ''}`);
    r.fill();
    return r;
  }

  // ---- what a test file's Lab asks ----

  async join(pid: number, images: readonly string[] = []): Promise<Joined> {
    this.sweep();
    if (images.length) this.refs = await ensureImages(images);
    const labId = `f${++this.nLab}`;
    const internet = await this.makeInternet(`swlab-${this.runId}-${labId}-internet`);
    this.labs.set(labId, { internet, pid, servers: [] });
    return { labId, runId: this.runId, owner: OWNER, internet, refs: [...this.refs] };
  }

  async server(labId: string, spec: ServerSpec): Promise<ServerInfo> {
    const lab = this.lab(labId);
    const t0 = performance.now();
    const role = spec.name ?? 'server';
    const images = spec.images ?? [];
    let s: Prepared;
    let how: string;
    // A prepared one holds the standard images and the wizard: it fits whoever wants the wizard;
    // images beyond the standard set are loaded into it now, and it takes the name asked for.
    if (this.warm > 0 && spec.wizard === true) {
      const waited = this.ready.length === 0;
      s = await this.takeWarm();
      const extra = images.filter((i) => !s.images.has(i));
      if (extra.length) await this.loadInto(s, extra);
      how = `${waited ? 'waited for the one being prepared' : 'prepared ahead'} (${s.timings})${extra.length ? ` + ${extra.length} more image(s)` : ''}`;
    } else {
      s = await this.prepare(role, images, spec.wizard === true);
      how = `prepared on demand (${s.timings})`;
    }
    lab.servers.push(s.name);
    const info = await this.attach(s, labId, lab.internet, role, spec.aliases ?? []);
    log(`${labId}: server ${info.name} in ${secs(performance.now() - t0)}, ${how}`);
    return info;
  }

  async load(server: string, images: readonly string[]): Promise<void> {
    await this.loadInto({ name: server, images: new Set() }, images);
  }

  /**
   * Installs the wizard as a user would from the npm tarball: `npm pack` of this checkout (once per
   * run), then `npm install -g` with the server's own Node (offline: the bundle has no runtime
   * dependencies). Skipped when the server already runs this very bundle. Returns `stack-wizard --version`.
   */
  async wizard(server: string): Promise<string> {
    const { tgz, distSha } = await this.packed;
    const have = await exec(server, ['sha256sum', '/usr/local/lib/node_modules/stack-wizard/dist/stack-wizard.js'], { allowFail: true });
    if (have.exitCode !== 0 || have.stdout.split(' ')[0] !== distSha) {
      const remote = `/tmp/${tgz.split('/').pop()}`;
      await docker(['cp', tgz, `${server}:${remote}`]);
      await exec(server, ['npm', 'install', '-g', '--offline', '--no-audit', '--no-fund', remote], { timeoutMs: 180_000 });
    }
    return (await exec(server, ['stack-wizard', '--version'])).stdout.trim();
  }

  /** A file is done: its containers are killed now (gone from the network), removed in the background. */
  async release(labId: string): Promise<void> {
    const lab = this.labs.get(labId);
    if (!lab) return;
    this.labs.delete(labId);
    const made = (await docker(['ps', '-aq', '--filter', `label=${LAB_LABEL}=${this.runId}/${labId}`], { allowFail: true })).stdout.split('\n').filter(Boolean);
    const all = [...lab.servers, ...made];
    if (all.length) await docker(['kill', ...all], { allowFail: true });
    await docker(['network', 'rm', lab.internet.name], { allowFail: true });
    this.removeLater(all);
  }

  // ---- serving test files ----

  /** Serves this run's LabApi on a Unix socket; returns its path. */
  async serve(): Promise<string> {
    const socket = join(this.tmp, 'lab.sock');
    this.http = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        void (async () => {
          try {
            const { method, params } = JSON.parse(body) as { method: keyof LabApi; params: unknown[] };
            if (!['join', 'server', 'load', 'wizard', 'release'].includes(method)) throw new Error(`no lab method ${method}`);
            const result = await (this[method] as (...a: unknown[]) => Promise<unknown>)(...params);
            res.end(JSON.stringify({ result: result ?? null }));
          } catch (e) {
            const err = e as Error;
            res.end(JSON.stringify({ error: { message: err.message, stack: err.stack } }));
          }
        })();
      });
    });
    // A cold server can take minutes to prepare on a loaded machine: no timeouts on this socket.
    this.http.requestTimeout = 0;
    this.http.headersTimeout = 0;
    this.http.timeout = 0;
    await new Promise<void>((resolve, reject) => this.http!.once('error', reject).listen(socket, resolve));
    return socket;
  }

  /** Removes everything the run made (prepared servers too) and waits for the background removals. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const t0 = performance.now();
    await new Promise<void>((r) => (this.http ? this.http.close(() => r()) : r()));
    // Everything of the run, found by its label; servers still being prepared fail where they are
    // (their container killed), and a second sweep takes what they made meanwhile.
    const seen = new Set<string>();
    for (let pass = 0; pass < 2; pass++) {
      const ids = (await docker(['ps', '-aq', '--no-trunc', '--filter', `label=${RUN_LABEL}=${this.runId}`], { allowFail: true })).stdout.split('\n').filter(Boolean);
      const rest = ids.filter((id) => !seen.has(id));
      rest.forEach((id) => seen.add(id));
      if (rest.length) await docker(['kill', ...rest], { allowFail: true });
      this.removeLater(rest);
      await Promise.allSettled([...this.inflight]);
    }
    await this.removals;
    const nets = (await docker(['network', 'ls', '-q', '--filter', `label=${RUN_LABEL}=${this.runId}`], { allowFail: true })).stdout.split('\n').filter(Boolean);
    for (const n of nets) await docker(['network', 'rm', n], { allowFail: true });
    rmSync(this.tmp, { recursive: true, force: true });
    process.removeListener('exit', this.exitHook);
    log(`run ${this.runId}: removed in ${secs(performance.now() - t0)}`);
  }

  // ---- servers ----

  private lab(labId: string): LabState {
    const lab = this.labs.get(labId);
    if (!lab) throw new Error(`no lab ${labId} in run ${this.runId}`);
    return lab;
  }

  /** Labs whose test process is gone without releasing them (a crashed worker). */
  private sweep(): void {
    for (const [id, lab] of this.labs) {
      try {
        process.kill(lab.pid, 0);
      } catch {
        log(`${id}: its test process ${lab.pid} is gone; removing what it left`);
        void this.release(id);
      }
    }
  }

  private fill(): void {
    // The last file to join takes what is ready (or waits for it); no more is prepared after it.
    while (!this.closed && this.ready.length + this.filling < this.warm && (this.nLab < this.files || this.waiting.length > this.filling)) {
      this.filling++;
      this.prepare('server', STANDARD_IMAGES, true)
        .then((s) => {
          const waiter = this.waiting.shift();
          if (waiter) waiter(s);
          else this.ready.push(s);
        })
        .catch((e: Error) => {
          // Whoever waits gets a server prepared on demand instead, whose failure then shows in its test.
          if (!this.closed) log(`a prepared server failed: ${e.message}`);
          for (const w of this.waiting.splice(0)) this.prepare('server', STANDARD_IMAGES, true).then(w, () => {});
        })
        .finally(() => {
          this.filling--;
          this.fill();
        });
    }
  }

  private takeWarm(): Promise<Prepared> {
    const s = this.ready.shift();
    const p = s ? Promise.resolve(s) : new Promise<Prepared>((r) => this.waiting.push(r));
    return p.finally(() => this.fill());
  }

  /** A fresh server on the staging network: booted, then the images and the wizard asked for. */
  private prepare(hostname: string, images: readonly string[], wizard: boolean): Promise<Prepared> {
    if (this.closed) return Promise.reject(new Error(`lab run ${this.runId} is closed`));
    const p = this.prepareNow(hostname, images, wizard);
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => {});
    return p;
  }

  private async prepareNow(hostname: string, images: readonly string[], wizard: boolean): Promise<Prepared> {
    const t0 = performance.now();
    const name = `swlab-${this.runId}-s${++this.nServer}`;
    await docker([
      'run', '-d', '--name', name, '--hostname', hostname,
      '--label', `${OWNER_LABEL}=${OWNER}`, '--label', `${RUN_LABEL}=${this.runId}`,
      '--network', this.staging,
      '--cap-add', 'SYS_ADMIN', '--cap-add', 'NET_ADMIN', '--cap-add', 'NET_RAW', '--cap-add', 'SYS_PTRACE',
      // A real server's engine can grant any capability; the generated stack gives MariaDB and Redis
      // DAC_READ_SEARCH (#15.8), outside Docker's default set, so the server needs it to pass on.
      '--cap-add', 'DAC_READ_SEARCH',
      '--tmpfs', '/run', '--tmpfs', '/run/lock',
      // cgroup v1 here: with the host's cgroup namespace and the hierarchy bind-mounted, systemd
      // manages /docker/<id> (test/lab/README.md).
      '-v', '/sys/fs/cgroup:/sys/fs/cgroup:rw', '--cgroupns', 'host',
      '--security-opt', 'apparmor=unconfined', '--security-opt', 'seccomp=unconfined',
      // systemd shuts down cleanly on SIGRTMIN+3 (the image cannot carry STOPSIGNAL: docker import).
      '--stop-signal', 'SIGRTMIN+3',
      // The inner engine's data on a volume (the outer engine's own filesystem), not the
      // container's overlayfs, on which the inner overlay2 cannot stack. Removed with the server.
      '-v', '/var/lib/docker',
      refOf(this.refs, IMAGES.server),
    ]);
    await booted(name);
    const tBoot = performance.now();
    const credentials: ServerCredentials = { rootPassword: randomSecret(), opsPassword: randomSecret() };
    await exec(name, ['chpasswd'], { input: `root:${credentials.rootPassword}\n${OPS_USER}:${credentials.opsPassword}\n` });
    const s: Prepared = { name, credentials, images: new Set(), wizard, timings: '' };
    if (images.length) await this.loadInto(s, images);
    const tImages = performance.now();
    if (wizard) await this.wizard(name);
    const t = (a: number, b: number) => secs(b - a);
    s.timings = [`boot ${t(t0, tBoot)}`, images.length ? `${images.length} image(s) ${t(tBoot, tImages)}` : '', wizard ? `wizard ${t(tImages, performance.now())}` : '']
      .filter(Boolean).join(', ');
    return s;
  }

  /** Joins a prepared server to the file's network (and its names), and leaves the staging one. */
  /**
   * Joins a prepared server to the file's network (and its names), takes it off the staging one,
   * and gives it the hostname asked for, resolvable in /etc/hosts as Docker writes it for a
   * container started on its network (sudo warns about a hostname it cannot resolve).
   */
  private async attach(s: Prepared, labId: string, internet: Internet, role: string, aliases: readonly string[]): Promise<ServerInfo> {
    const lab = this.lab(labId);
    const taken = new Set(lab.servers);
    let name = `swlab-${this.runId}-${labId}-${role}`;
    for (let n = 2; taken.has(name); n++) name = `swlab-${this.runId}-${labId}-${role}-${n}`;
    // Renamed first, so the network's DNS knows it by this name.
    await docker(['rename', s.name, name]);
    lab.servers[lab.servers.indexOf(s.name)] = name;
    await docker(['network', 'connect', ...aliases.flatMap((a) => ['--alias', a]), internet.name, name]);
    await docker(['network', 'disconnect', this.staging, name]);
    const ip = (await docker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${internet.name}").IPAddress}}`, name])).stdout.trim();
    await exec(name, ['bash', '-c', '[ "$(hostname)" = "$2" ] || { hostname "$2" && echo "$2" > /etc/hostname; }; printf "%s\\t%s\\n" "$1" "$2" >> /etc/hosts', '_', ip, role]);
    return { name, ip, credentials: s.credentials };
  }

  /**
   * Copies images from this machine's engine into the server's (only those it lacks), from a
   * tarball saved once per image set: this checkout's builds, named inside by their plain tags
   * (what the compose files say).
   */
  private async loadInto(s: Pick<Prepared, 'name' | 'images'>, images: readonly string[]): Promise<void> {
    const missing: string[] = [];
    // Once each: a list naming an image twice tagged it, removed its hashed ref, then tagged again.
    for (const image of new Set(images)) {
      const want = (await docker(['image', 'inspect', '-f', '{{.Id}}', refOf(this.refs, image)])).stdout.trim();
      const have = await exec(s.name, ['docker', 'image', 'inspect', '-f', '{{.Id}}', image], { allowFail: true });
      if (have.stdout.trim() !== want) missing.push(image);
      else s.images.add(image);
    }
    if (missing.length === 0) return;
    const refs = missing.map((i) => refOf(this.refs, i));
    const tar = await this.tarOf(refs);
    const r = await run('bash', ['-c', 'docker exec -i "$1" docker load < "$2"', '_', s.name, tar], { timeoutMs: 900_000 });
    for (const [i, image] of missing.entries()) {
      const ref = refs[i]!;
      if (!r.stdout.includes(`Loaded image: ${ref}`)) throw new Error(`docker load in ${s.name} did not report ${ref}:\n${r.stdout}`);
      if (ref !== image) {
        await exec(s.name, ['docker', 'tag', ref, image]);
        // Only the plain name stays: the engine holds the image as a server that pulled it would.
        await exec(s.name, ['docker', 'rmi', ref]);
      }
      s.images.add(image);
    }
  }

  /** `docker save` of these images (layers shared between them once), made once per run and image IDs. */
  private tarOf(images: readonly string[]): Promise<string> {
    const key = [...images].sort().join(' ');
    let p = this.tars.get(key);
    if (!p) {
      p = (async () => {
        const ids = await Promise.all([...images].sort().map(async (i) => (await docker(['image', 'inspect', '-f', '{{.Id}}', i])).stdout.trim()));
        const file = join(this.tmp, `${createHash('sha256').update(`${key}\n${ids.join(' ')}`).digest('hex').slice(0, 16)}.tar`);
        await docker(['save', '-o', file, ...images], { timeoutMs: 900_000 });
        return file;
      })();
      this.tars.set(key, p);
      p.catch(() => this.tars.delete(key));
    }
    return p;
  }

  private async makeInternet(name: string): Promise<Internet> {
    for (const subnet of INTERNET_SUBNETS.filter((c) => !this.reserved.some((ip) => inSubnet(ip, c)))) {
      const r = await docker(
        ['network', 'create', '--driver', 'bridge', '--subnet', subnet, '--label', `${OWNER_LABEL}=${OWNER}`, '--label', `${RUN_LABEL}=${this.runId}`, name],
        { allowFail: true },
      );
      if (r.exitCode === 0) return { name, subnet };
      // Another lab (or anything else) holds this range: try the next slice.
      if (!/overlap|in use/i.test(r.stderr)) throw new CommandError(['docker', 'network', 'create', name], r);
    }
    throw new Error(`no free Internet subnet among ${INTERNET_SUBNETS.join(', ')}`);
  }

  private removeLater(names: readonly string[]): void {
    if (names.length === 0) return;
    this.removals = this.removals.then(async () => {
      const t0 = performance.now();
      await docker(['rm', '-f', '-v', ...names], { allowFail: true, timeoutMs: 900_000 });
      log(`removed ${names.length} container(s) with their volumes in ${secs(performance.now() - t0)}, in the background`);
    });
  }

  /** Last resort at process exit (Ctrl-C, a crash): the same removal, synchronously. */
  private closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    const ids = spawnSync('docker', ['ps', '-aq', '--filter', `label=${RUN_LABEL}=${this.runId}`], { encoding: 'utf8' }).stdout?.split('\n').filter(Boolean) ?? [];
    if (ids.length) spawnSync('docker', ['rm', '-f', '-v', ...ids], { stdio: 'ignore' });
    const nets = spawnSync('docker', ['network', 'ls', '-q', '--filter', `label=${RUN_LABEL}=${this.runId}`], { encoding: 'utf8' }).stdout?.split('\n').filter(Boolean) ?? [];
    for (const n of nets) spawnSync('docker', ['network', 'rm', n], { stdio: 'ignore' });
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

/**
 * Returns once systemd has finished booting ("running", or "degraded": fail2ban's sshd jail fails
 * on a fresh Debian 12, and only it may) and the inner dockerd answers.
 */
async function booted(name: string): Promise<void> {
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
    const failed = (await exec(name, ['systemctl', 'list-units', '--failed', '--plain', '--no-legend'])).stdout
      .split('\n').map((l) => l.trim().split(/\s+/)[0]).filter((u): u is string => !!u && u !== 'fail2ban.service');
    if (failed.length) throw new Error(`server ${name} booted with failed units: ${failed.join(', ')}`);
  }
  await waitFor(`the Docker engine in ${name}`, async () => (await exec(name, ['docker', 'info'], { allowFail: true })).exitCode === 0, {
    timeoutMs: 60_000,
  });
}

/** `npm pack` of the project (built first when dist/ is missing); the tarball and its bundle's sha256. */
async function packWizard(): Promise<{ tgz: string; distSha: string }> {
  if (!existsSync(join(PROJECT_ROOT, 'dist/stack-wizard.js'))) {
    await run('npm', ['--prefix', PROJECT_ROOT, 'run', 'build'], { timeoutMs: 300_000 });
  }
  const dest = mkdtempSync(join(tmpdir(), 'stack-wizard-pack-'));
  process.once('exit', () => rmSync(dest, { recursive: true, force: true }));
  const r = await run('bash', ['-c', 'cd "$1" && npm pack --silent --pack-destination "$2"', '_', PROJECT_ROOT, dest], { timeoutMs: 120_000 });
  const tgz = join(dest, r.stdout.trim().split('\n').pop()!);
  const sum = await run('bash', ['-c', 'tar -xzOf "$1" package/dist/stack-wizard.js | sha256sum', '_', tgz]);
  return { tgz, distSha: sum.stdout.split(' ')[0]! };
}
