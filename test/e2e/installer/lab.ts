// What the installer's end-to-end tests and its benchmark share, on top of the e2e lab
// (test/lab/lab.ts: its images, its "Internet" network on a documentation range that holds none
// of this machine's registries, its cleanup): the downloads install.sh expects (a Node.js dist
// built from this machine's own Node, this project's `npm pack` tarball), two more Debian images
// with a distribution's own Node.js, the mirror server on the network's gateway, file lists of a
// container, and a tmux driver for runs under a terminal.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync,
  realpathSync, renameSync, rmSync, symlinkSync, writeFileSync, writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { docker, ensureImages, exec, IMAGES as LAB_IMAGES, Lab, refOf, run as runAsync } from '../../lab/lab.js';
import { output, runSync, type ExecResult } from '../../support/proc.js';

export const repo = fileURLToPath(new URL('../../..', import.meta.url));
export const cacheDir = join(repo, '.lab', 'installer');

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

export interface LocalNode {
  bin: string;
  prefix: string;
  version: string;
  arch: string;
}
export interface NodeDist extends LocalNode {
  file: string;
  sha256: string;
  dir: string;
  bytes: number;
}

/** This machine's Node.js installation, found as `command -v node` finds it. */
export function localNode(): LocalNode {
  const bin = realpathSync(output(['bash', '-c', 'command -v node']).trim());
  const prefix = dirname(dirname(bin));
  const version = output([bin, '-v']).trim();
  const arch = ({ x64: 'x64', arm64: 'arm64' } as Record<string, string>)[process.arch];
  if (!arch) throw new Error(`no Node.js dist for ${process.arch}`);
  return { bin, prefix, version, arch };
}

/**
 * ROOT/node/<version>/ in the official layout: node-<version>-linux-<arch>.tar.gz (bin/ lib/
 * include/ of this machine's Node: the node binary, npm and corepack and their bin links, the
 * headers) and SHASUMS256.txt. The tarball is built once per Node version and cached.
 */
export async function buildNodeDist(root: string): Promise<NodeDist> {
  const n = localNode();
  const base = `node-${n.version}-linux-${n.arch}`;
  const file = `${base}.tar.gz`;
  mkdirSync(cacheDir, { recursive: true });
  const cached = join(cacheDir, file);
  if (!existsSync(cached)) {
    const members = ['bin/node'];
    for (const m of ['npm', 'corepack']) if (existsSync(join(n.prefix, 'lib/node_modules', m))) members.push(`lib/node_modules/${m}`);
    for (const b of readdirSync(join(n.prefix, 'bin'))) {
      const p = join(n.prefix, 'bin', b);
      if (lstatSync(p).isSymbolicLink() && /^\.\.\/lib\/node_modules\/(npm|corepack)\//.test(readlinkSync(p))) members.push(`bin/${b}`);
    }
    if (existsSync(join(n.prefix, 'include/node'))) members.push('include/node');
    // flags=r: rename the members only, not the targets of the bin/ links.
    await runAsync('tar', ['-C', n.prefix, '-czf', `${cached}.part`, '--owner=0', '--group=0', `--transform=flags=r;s,^,${base}/,`, ...members], {
      timeoutMs: 300_000,
    });
    renameSync(`${cached}.part`, cached);
  }
  const dir = join(root, 'node', n.version);
  mkdirSync(dir, { recursive: true });
  rmSync(join(dir, file), { force: true });
  symlinkSync(cached, join(dir, file));
  const sum = sha256(cached);
  // A neighbour line as in the real file, so the script has to pick its own.
  writeFileSync(join(dir, 'SHASUMS256.txt'), `${'0'.repeat(64)}  node-${n.version}-darwin-${n.arch}.tar.gz\n${sum}  ${file}\n`);
  return { ...n, file, sha256: sum, dir, bytes: lstatSync(cached).size };
}

/** ROOT/<name>/<version>/: the same SHASUMS256.txt, but a tarball with one byte changed. */
export function buildTamperedNodeDist(root: string, dist: NodeDist, name = 'node-tampered'): string {
  const dir = join(root, name, dist.version);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(dist.dir, 'SHASUMS256.txt'), join(dir, 'SHASUMS256.txt'));
  const out = join(dir, dist.file);
  rmSync(out, { force: true });
  copyFileSync(realpathSync(join(dist.dir, dist.file)), out);
  const at = Math.floor(dist.bytes / 2);
  const fd = openSync(out, 'r+');
  writeSync(fd, Buffer.from([readFileSync(out)[at]! ^ 0xff]), 0, 1, at);
  closeSync(fd);
  return dir;
}

export interface Packed {
  name: string;
  version: string;
  tgz: string;
  sha256: string;
  /** npm's integrity of the tarball (sha512-…), as install.sh pins it. */
  integrity: string;
}

/**
 * `npm pack` of this project (built first when dist/ is missing) into
 * ROOT/npm/stack-wizard/<version>.tgz (+ <version>.json, the packed package.json, from which the
 * server makes the registry document). With `version`, the packed package.json says that version
 * instead (an older or newer release for upgrade tests).
 */
export function packProject(root: string, version?: string): Packed {
  if (!existsSync(join(repo, 'dist/stack-wizard.js'))) output(['npm', 'run', '--silent', 'build'], { cwd: repo });
  const tmp = mkdtempSync(join(tmpdir(), 'sw-pack-'));
  try {
    const out = JSON.parse(output(['npm', 'pack', '--json', '--pack-destination', tmp], { cwd: repo })) as { filename: string }[];
    let tgz = join(tmp, out[0]!.filename);
    if (version) {
      const x = join(tmp, 'x');
      mkdirSync(x);
      output(['tar', '-xzf', tgz, '-C', x]);
      const pj = join(x, 'package/package.json');
      writeFileSync(pj, JSON.stringify({ ...JSON.parse(readFileSync(pj, 'utf8')), version }, null, 2));
      tgz = join(tmp, `stack-wizard-${version}.tgz`);
      output(['tar', '-czf', tgz, '-C', x, '--owner=0', '--group=0', 'package']);
    }
    const pkg = JSON.parse(output(['tar', '-xzOf', tgz, 'package/package.json'])) as { name: string; version: string };
    const dir = join(root, 'npm', pkg.name);
    mkdirSync(dir, { recursive: true });
    copyFileSync(tgz, join(dir, `${pkg.version}.tgz`));
    writeFileSync(join(dir, `${pkg.version}.json`), JSON.stringify(pkg));
    const integrity = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
    return { name: pkg.name, version: pkg.version, tgz: join(dir, `${pkg.version}.tgz`), sha256: sha256(tgz), integrity };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * A mirror root with install.sh, the Node dist, a tampered copy and the packed project (built
 * first, so the package is these sources). install.sh is stamped with that package's integrity
 * by scripts/stamp-installer.mjs, as a release is (#15.6).
 */
export async function buildMirrorRoot(root: string): Promise<{ root: string; node: NodeDist; pkg: Packed }> {
  mkdirSync(root, { recursive: true });
  const [node] = await Promise.all([buildNodeDist(root), runAsync('npm', ['--prefix', repo, 'run', '--silent', 'build'], { timeoutMs: 300_000 })]);
  buildTamperedNodeDist(root, node);
  const pkg = packProject(root);
  output([process.execPath, join(repo, 'scripts/stamp-installer.mjs'), pkg.tgz, join(root, 'install.sh')]);
  return { root, node, pkg };
}

export interface Image {
  tag: string;
  /** Its folder under test/lab/images/ (an on-demand image). */
  folder: string;
}

/**
 * Servers with a distribution's own Node.js, beside the lab's bare Debian 12: Debian 12 with its
 * nodejs 18 (too old) and sudo, Debian 13 with its nodejs 20 but not its separate npm. Lab images
 * (test/lab/images/installer-*), built and cached with the others by test/lab/build-images.sh.
 */
export const IMAGES = {
  node18: { tag: 'stack-wizard-lab/debian:12-node18-sudo', folder: 'installer-node18' },
  trixieNode: { tag: 'stack-wizard-lab/debian:13-nodejs', folder: 'installer-trixie' },
} satisfies Record<string, Image>;

/** The image built (build-images.sh, cached by the hash of its inputs); the tag of this checkout's build. */
export async function ensureImage(img: Image): Promise<string> {
  return refOf(await ensureImages([img.folder]), img.tag);
}

export interface Request {
  method: string;
  path: string;
  status: number;
  ua: string;
  /** Requests in flight when this one arrived, itself included. */
  inflight: number;
  /** The client hung up before the (delayed) answer. */
  aborted?: boolean;
}
export interface Mirror {
  url: string;
  log: string;
  requests: () => Request[];
  clearLog: () => void;
  stop: () => void;
}

/** Starts mirror-server.mjs as its own process; resolves once it listens. */
export function startMirror(root: string, host: string, { delayMs = 0, log = join(root, '..', `requests-${Date.now()}.log`) } = {}): Promise<Mirror> {
  const server = fileURLToPath(new URL('./mirror-server.mjs', import.meta.url));
  const child = spawn(process.execPath, [server, root, host, '0', log, String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('mirror server did not start')), 10_000);
    child.on('exit', (code) => reject(new Error(`mirror server exited (${code})`)));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening (\S+)/.exec(buf);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1]!,
        log,
        requests: () =>
          existsSync(log)
            ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Request)
            : [],
        clearLog: () => writeFileSync(log, ''),
        stop: () => void child.kill('SIGTERM'),
      });
    });
  });
}

/**
 * The lab (its images built, its Internet network) with the address of the network's gateway,
 * where a process of this machine (the mirror server) is reachable from every container.
 */
export class InstallerLab {
  private n = 0;
  private constructor(
    readonly lab: Lab,
    readonly gateway: string,
  ) {}

  static async create(): Promise<InstallerLab> {
    const lab = await Lab.create({ images: Object.values(IMAGES).map((i) => i.folder) });
    try {
      // A network made with --subnet alone has no Gateway in its IPAM config: read the address
      // of its bridge interface (br-<first 12 of the id>) on this machine instead (with `ip`:
      // Node's list leaves out an interface that is down, as a bridge is before its first member).
      const [net] = JSON.parse((await docker(['network', 'inspect', lab.internet.name])).stdout) as { Id: string; IPAM: { Config: { Gateway?: string }[] } }[];
      const bridge = `br-${(net?.Id ?? '').slice(0, 12)}`;
      const addr = /inet (\d+\.\d+\.\d+\.\d+)\//.exec((await runAsync('ip', ['-4', '-o', 'addr', 'show', 'dev', bridge], { allowFail: true })).stdout);
      const gateway = net?.IPAM.Config[0]?.Gateway || addr?.[1];
      if (!gateway) throw new Error(`no gateway address for ${lab.internet.name} (bridge ${bridge})`);
      return new InstallerLab(lab, gateway);
    } catch (e) {
      await lab.cleanup();
      throw e;
    }
  }

  /** A fresh server: the lab's bare Debian 12 (minbase, ca-certificates, curl), or one of IMAGES. */
  async server(role: string, image?: Image): Promise<string> {
    const name = `${role}-${++this.n}`;
    if (!image) return (await this.lab.startDebian({ name })).name;
    await ensureImage(image);
    return (await this.lab.startContainer(name, image.tag, { cmd: ['sleep', 'infinity'] })).name;
  }

  cleanup(): Promise<void> {
    return this.lab.cleanup();
  }
}

export const BARE_DEBIAN = LAB_IMAGES.debian;

/** bash -c SCRIPT inside the container, with these environment variables (as `user`: root). */
export async function dexec(name: string, script: string, env: Record<string, string> = {}, { user = 'root' } = {}): Promise<ExecResult> {
  return exec(name, script, { env, user, allowFail: true, timeoutMs: 600_000 });
}

/**
 * Every file of the container outside the kernel's and the runtime's folders: type, mode, size,
 * (mtime,) path. Directories' mtimes are left out with `mtimes: false` (adding and removing an
 * entry touches its folder).
 */
export async function fileList(name: string, { mtimes = true } = {}): Promise<string[]> {
  const fmt = mtimes ? '%y %m %s %T@ %p %l\\n' : '%y %m %s %p %l\\n';
  const r = await dexec(
    name,
    `find / -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp \\) -prune -o -printf '${fmt}' | LC_ALL=C sort -k${mtimes ? 5 : 4}`,
  );
  if (r.exitCode !== 0) throw new Error(`find failed: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}

/** Lines in a but not in b. */
export const minus = (a: string[], b: string[]) => {
  const s = new Set(b);
  return a.filter((x) => !s.has(x));
};

/** What the wizard's first screen (the welcome screen) shows, in each language. */
export function firstScreen(lang: 'en' | 'zh-CN'): RegExp {
  return lang === 'zh-CN' ? /本向导会按这台主机的配置/ : /This wizard sets up your app/;
}

export interface TmuxRun {
  screen: string;
  matched: boolean;
  ms: number;
  capture: () => string;
  keys: (...k: string[]) => void;
  kill: () => void;
  /** Captures the screen every 100 ms, at most `tries` times, until `done` holds; the last screen. */
  waitFor: (done: (screen: string) => boolean, tries?: number) => Promise<string>;
}

/**
 * Runs COMMAND (a shell command line) in a new tmux window of WIDTH×HEIGHT and polls the screen
 * until `until` matches it or the command ends. Returns the screen, whether it matched, the time
 * from start to the match, and the session (for sending keys; call kill() when done).
 */
export async function inTmux(command: string, { until, timeoutMs = 120_000, width = 120, height = 40 }: { until?: RegExp; timeoutMs?: number; width?: number; height?: number } = {}): Promise<TmuxRun> {
  const session = `swi-${process.pid}-${Date.now()}`;
  const t0 = performance.now();
  output(['tmux', 'new-session', '-d', '-s', session, '-x', String(width), '-y', String(height), `${command}; echo "[exit $?]"; sleep 3600`]);
  const capture = () => runSync(['tmux', 'capture-pane', '-p', '-J', '-t', session]).stdout;
  let screen = '';
  let ms = -1;
  for (;;) {
    screen = capture();
    if (until && until.test(screen)) {
      ms = performance.now() - t0;
      break;
    }
    if (/\[exit \d+\]/.test(screen) || performance.now() - t0 > timeoutMs) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    screen,
    matched: ms >= 0,
    ms,
    capture,
    keys: (...k) => void output(['tmux', 'send-keys', '-t', session, ...k]),
    kill: () => void runSync(['tmux', 'kill-session', '-t', session]),
    async waitFor(done, tries = 100) {
      let s = capture();
      for (let i = 0; i < tries && !done(s); i++) {
        await new Promise((r) => setTimeout(r, 100));
        s = capture();
      }
      return s;
    },
  };
}
