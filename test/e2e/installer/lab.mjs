// What the installer's end-to-end tests and its benchmark share: the downloads install.sh expects
// (a Node.js dist built from this machine's own Node, this project's `npm pack` tarball), bare
// Debian 12 images built from Debian packages, the mirror server on a Docker network's gateway,
// containers, and a tmux driver for runs under a terminal. Plain JS so the bench can import it.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync,
  realpathSync, renameSync, rmSync, symlinkSync, writeFileSync, writeSync, closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../../..', import.meta.url));
export const cacheDir = join(repo, '.lab', 'installer');

/** Runs a program; returns stdout, throws with its stderr on failure. */
export function run(cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20, ...opts });
  } catch (e) {
    const err = /** @type {any} */ (e);
    throw new Error(`${cmd} ${args.join(' ')} failed (${err.status ?? err.signal}): ${err.stderr ?? ''}${err.stdout ?? ''}`);
  }
}

/**
 * Runs a program without blocking the event loop (long steps: a blocked vitest worker misses its
 * RPC deadlines); resolves to stdout, rejects with its stderr on failure.
 */
export function runAsync(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${err}`))));
  });
}

/** Runs a program; returns { code, stdout, stderr } whatever the exit code. */
export function tryRun(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, ...opts });
  return { code: r.status ?? 128, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** This machine's Node.js installation, found as `command -v node` finds it. */
export function localNode() {
  const bin = realpathSync(run('bash', ['-c', 'command -v node']).trim());
  const prefix = dirname(dirname(bin));
  const version = run(bin, ['-v']).trim();
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
  if (!arch) throw new Error(`no Node.js dist for ${process.arch}`);
  return { bin, prefix, version, arch };
}

/**
 * ROOT/node/<version>/ in the official layout: node-<version>-linux-<arch>.tar.gz (bin/ lib/
 * include/ of this machine's Node: the node binary, npm and corepack and their bin links, the
 * headers) and SHASUMS256.txt. The tarball is built once per Node version and cached.
 */
export async function buildNodeDist(root) {
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
    await runAsync('tar', ['-C', n.prefix, '-czf', `${cached}.part`, '--owner=0', '--group=0',
      `--transform=flags=r;s,^,${base}/,`, ...members]);
    renameSync(`${cached}.part`, cached);
  }
  const dir = join(root, 'node', n.version);
  mkdirSync(dir, { recursive: true });
  rmSync(join(dir, file), { force: true });
  symlinkSync(cached, join(dir, file));
  const sum = sha256(cached);
  // A neighbour line as in the real file, so the script has to pick its own.
  writeFileSync(join(dir, 'SHASUMS256.txt'), `${'0'.repeat(64)}  node-${n.version}-darwin-${n.arch}.tar.gz\n${sum}  ${file}\n`);
  return { ...n, file, sha256: sum, dir };
}

/** ROOT/<name>/<version>/: the same SHASUMS256.txt, but a tarball with one byte changed. */
export function buildTamperedNodeDist(root, dist, name = 'node-tampered') {
  const dir = join(root, name, dist.version);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(dist.dir, 'SHASUMS256.txt'), join(dir, 'SHASUMS256.txt'));
  const out = join(dir, dist.file);
  rmSync(out, { force: true });
  copyFileSync(realpathSync(join(dist.dir, dist.file)), out);
  const fd = openSync(out, 'r+');
  const at = Math.floor(lstatSync(out).size / 2);
  const b = Buffer.alloc(1);
  b[0] = readFileSync(out).subarray(at, at + 1)[0] ^ 0xff;
  writeSync(fd, b, 0, 1, at);
  closeSync(fd);
  return dir;
}

/** Builds the bundle when it is missing; `npm pack` needs it. */
export function ensureBuilt() {
  if (!existsSync(join(repo, 'dist/stack-wizard.js'))) run('npm', ['run', '--silent', 'build'], { cwd: repo, timeout: 300_000 });
}

/**
 * `npm pack` of this project into ROOT/npm/stack-wizard/<version>.tgz (+ <version>.json, the
 * packed package.json, from which the server makes the registry document). With `version`, the
 * packed package.json says that version instead (an older or newer release for upgrade tests).
 */
export function packProject(root, version) {
  ensureBuilt();
  const tmp = mkdtempSync(join(tmpdir(), 'sw-pack-'));
  try {
    const out = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: repo, timeout: 300_000 }));
    let tgz = join(tmp, out[0].filename);
    if (version) {
      const x = join(tmp, 'x');
      mkdirSync(x);
      run('tar', ['-xzf', tgz, '-C', x]);
      const pj = join(x, 'package/package.json');
      writeFileSync(pj, JSON.stringify({ ...JSON.parse(readFileSync(pj, 'utf8')), version }, null, 2));
      tgz = join(tmp, `stack-wizard-${version}.tgz`);
      run('tar', ['-czf', tgz, '-C', x, '--owner=0', '--group=0', 'package']);
    }
    const pkg = JSON.parse(run('tar', ['-xzOf', tgz, 'package/package.json']));
    const dir = join(root, 'npm', pkg.name);
    mkdirSync(dir, { recursive: true });
    copyFileSync(tgz, join(dir, `${pkg.version}.tgz`));
    writeFileSync(join(dir, `${pkg.version}.json`), JSON.stringify(pkg));
    return { name: pkg.name, version: pkg.version, tgz: join(dir, `${pkg.version}.tgz`), sha256: sha256(tgz) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** A mirror root with install.sh, the Node dist, a tampered copy and the packed project. */
export async function buildMirrorRoot(root) {
  mkdirSync(root, { recursive: true });
  copyFileSync(join(repo, 'install.sh'), join(root, 'install.sh'));
  const node = await buildNodeDist(root);
  buildTamperedNodeDist(root, node);
  const pkg = packProject(root);
  return { root, node, pkg };
}

/**
 * The bare server images: Debian 12 minbase + ca-certificates + curl (no Node), and the same
 * with Debian's own nodejs (18, too old) and sudo. Built from Debian packages with mmdebstrap, once.
 */
export const IMAGES = {
  bare: { tag: 'stack-wizard-e2e/installer-debian:12', include: ['ca-certificates', 'curl'] },
  // With sudo too: the non-root operator's path is tested on this one.
  node18: { tag: 'stack-wizard-e2e/installer-debian:12-node18-sudo', include: ['ca-certificates', 'curl', 'nodejs', 'sudo'] },
  // Debian 13 with its own nodejs (20.19, new enough) but without the separate npm package.
  trixieNode: { tag: 'stack-wizard-e2e/installer-debian:13-nodejs', include: ['ca-certificates', 'curl', 'nodejs'], suite: 'trixie' },
};

export async function ensureImage(img) {
  if (tryRun('docker', ['image', 'inspect', img.tag]).code === 0) return img.tag;
  const uri = run('bash', [join(repo, 'test/provision/debian-uri.sh')]).trim();
  await runAsync('bash', ['-c',
    'set -euo pipefail; mmdebstrap --variant=minbase --include="$1" --quiet "$4" - "$2" | docker import --change \'CMD ["sleep","infinity"]\' - "$3" >/dev/null',
    'x', img.include.join(','), uri, img.tag, img.suite ?? 'bookworm']);
  return img.tag;
}

/** A fresh bridge network; returns its name and the gateway address (this machine's side). */
export function createNetwork(name) {
  tryRun('docker', ['network', 'rm', name]);
  run('docker', ['network', 'create', name]);
  const gateway = run('docker', ['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', name]).trim();
  return { name, gateway, remove: () => tryRun('docker', ['network', 'rm', name]) };
}

/** Starts mirror-server.mjs as its own process; resolves once it listens. */
export function startMirror(root, host, { delayMs = 0, log = join(root, '..', `requests-${Date.now()}.log`) } = {}) {
  const server = fileURLToPath(new URL('./mirror-server.mjs', import.meta.url));
  const child = spawn(process.execPath, [server, root, host, '0', log, String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('mirror server did not start')), 10_000);
    child.on('exit', (code) => reject(new Error(`mirror server exited (${code})`)));
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /listening (\S+)/.exec(buf);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1],
        log,
        /** @returns {{ method: string, path: string, status: number, ua: string }[]} */
        requests: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []),
        clearLog: () => writeFileSync(log, ''),
        stop: () => child.kill('SIGTERM'),
      });
    });
  });
}

/** A container that sleeps until removed. */
export function startContainer(image, network, name) {
  tryRun('docker', ['rm', '-f', name]);
  run('docker', ['run', '-d', '--name', name, '--network', network, image, 'sleep', 'infinity']);
  return name;
}

export const removeContainer = (name) => tryRun('docker', ['rm', '-f', name]);

/**
 * bash -c SCRIPT inside the container, with these environment variables (as `user`: root).
 * Asynchronous: a vitest worker blocked in spawnSync for long misses its RPC deadlines.
 */
export function dexec(name, script, env = {}, { user = 'root' } = {}) {
  const e = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['exec', '-u', user, ...e, name, 'bash', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 128, stdout, stderr }));
  });
}

/**
 * Every file of the container outside the kernel's and the runtime's folders: type, mode, size,
 * (mtime,) path. Directories' mtimes are left out with `mtimes: false` (adding and removing an
 * entry touches its folder).
 */
export async function fileList(name, { mtimes = true } = {}) {
  const fmt = mtimes ? '%y %m %s %T@ %p %l\\n' : '%y %m %s %p %l\\n';
  const r = await dexec(name, `find / -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp \\) -prune -o -printf '${fmt}' | LC_ALL=C sort -k${mtimes ? 5 : 4}`);
  if (r.code !== 0) throw new Error(`find failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => (mtimes ? l : l.replace(/^d (\d+) \d+ /, 'd $1 - ')));
}

/** What the wizard's first screen (the welcome screen) shows, in each language. */
export function firstScreen(lang) {
  return lang === 'zh-CN' ? /本向导会按这台主机的配置/ : /This wizard sets up your app/;
}

/** Lines in a but not in b. */
export const minus = (a, b) => {
  const s = new Set(b);
  return a.filter((x) => !s.has(x));
};

/**
 * Runs COMMAND (a shell command line) in a new tmux window of WIDTH×HEIGHT and polls the screen
 * until `until` matches it or the command ends. Returns the screen, whether it matched, the time
 * from start to the match, and the session (for sending keys; call kill() when done).
 */
export async function inTmux(command, { until, timeoutMs = 120_000, width = 120, height = 40 } = {}) {
  const session = `swi-${process.pid}-${Date.now()}`;
  const t0 = performance.now();
  run('tmux', ['new-session', '-d', '-s', session, '-x', String(width), '-y', String(height),
    `${command}; echo "[exit $?]"; sleep 3600`]);
  const capture = () => tryRun('tmux', ['capture-pane', '-p', '-J', '-t', session]).stdout;
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
    keys: (...k) => run('tmux', ['send-keys', '-t', session, ...k]),
    kill: () => tryRun('tmux', ['kill-session', '-t', session]),
  };
}
