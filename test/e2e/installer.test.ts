// `curl -fsSL <url>/install.sh | bash` on fresh servers: the lab's bare Debian 12 (minbase +
// ca-certificates + curl, no Node), Debian 12 with its nodejs 18 and Debian 13 with its nodejs 20
// but no npm (all built from Debian packages), on the lab's Internet network. One real HTTP server
// process on that network's gateway plays every source: it serves install.sh, a Node.js binary
// mirror in the official layout (a real tarball built from this machine's own Node, with
// SHASUMS256.txt) and an npm registry (a real registry document and this project's `npm pack`
// tarball), so the real curl, sha256sum, tar and npm client do the work.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lab from './installer/lab.js';
import { freePort, output } from '../support/proc.js';
import { IMAGES, InstallerLab, type Image } from './installer/lab.js';

let il: InstallerLab;
let mirror: lab.Mirror;
let root: string;
let node: lab.NodeDist;
let pkg: lab.Packed;
let oldPkg: lab.Packed;

const FIRST_SCREEN = { en: lab.firstScreen('en'), zh: lab.firstScreen('zh-CN') };

beforeAll(async () => {
  root = join(mkdtempSync(join(tmpdir(), 'swi-mirror-')), 'root');
  [il, , , { node, pkg }] = await Promise.all([
    InstallerLab.create(),
    lab.ensureImage(IMAGES.node18),
    lab.ensureImage(IMAGES.trixieNode),
    lab.buildMirrorRoot(root),
  ]);
  oldPkg = lab.packProject(root, '0.0.9'); // an older release, for the upgrade
  mirror = await lab.startMirror(root, il.gateway);
});

afterAll(async () => {
  mirror?.stop();
  await il?.cleanup();
});

/** A fresh server: the bare Debian 12 by default. */
const server = (name: string, image?: Image) => il.server(name, image);
// The Node.js build is this machine's, not the pinned one: its SHA-256 is given, as an operator would (#15.6).
const mirrors = () => ({ NODE_MIRROR: `${mirror.url}/node`, NPM_REGISTRY: `${mirror.url}/npm/`, STACK_WIZARD_NODE_VERSION: node.version, STACK_WIZARD_NODE_SHA256: node.sha256 });
const pipe = (c: string, args = '', env: Record<string, string> = mirrors()) =>
  lab.dexec(c, `curl -fsSL ${mirror.url}/install.sh | bash${args ? ` -s -- ${args}` : ''}`, env);
const nodeDownloads = () => mirror.requests().filter((r) => r.path.startsWith('/node'));
/** npm's requests for one package: the registry document (one or more times), then the tarball once, last; returns that tarball's line. */
function onePackage(lines: string[], prefix = ''): string {
  expect(lines.length).toBeGreaterThanOrEqual(2);
  for (const l of lines.slice(0, -1)) expect(l).toBe(`${prefix}/npm/stack-wizard`);
  return lines[lines.length - 1]!;
}
const npmRequests = () => mirror.requests().filter((r) => r.path.startsWith('/npm/'));

describe('a fresh Debian 12 without Node.js, no terminal', () => {
  let c: string;
  let before: string[];
  let beforeNoDirTimes: string[];
  let installed: string[];

  it('installs Node.js and stack-wizard, links the command and prints the next command', async () => {
    c = await server('fresh');
    expect((await lab.dexec(c, 'command -v node npm xz')).stdout).toBe('');
    before = await lab.fileList(c);
    beforeNoDirTimes = await lab.fileList(c, { mtimes: false });
    mirror.clearLog();

    const r = await pipe(c);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/System: Debian GNU\/Linux 12 \(bookworm\), x86_64|System: Debian GNU\/Linux 12 \(bookworm\), aarch64/);
    expect(r.stdout).toContain(`No Node.js found; installing ${node.version} into /opt/stack-wizard/_node`);
    expect(r.stdout).toContain(`Checksum verified (SHA-256 ${node.sha256})`);
    expect(r.stdout).toContain(`Installing stack-wizard ${pkg.version} from ${mirror.url}/npm/`);
    // The integrity stamped into the served install.sh (as a release's is) matched the package.
    expect(r.stdout).toContain('Package verified (sha512 as pinned)');
    expect(r.stdout).toMatch(/There is no terminal here, so the wizard was not started\. Run it next with:\n\n {4}\/usr\/local\/bin\/stack-wizard\n/);

    // The real npm client read the registry document (npm pack asks for it more than once) and fetched the packed tarball once.
    const npm = npmRequests();
    expect(onePackage(npm.map((q) => `${q.status} ${q.path}`), '200 ')).toBe(`200 /npm/stack-wizard/-/stack-wizard-${pkg.version}.tgz`);
    expect(npm[0]!.ua).toMatch(/^npm\//);
    // The .tar.gz build, whose SHA-256 was given; the mirror's SHASUMS256.txt is not read (it is not trusted).
    expect(nodeDownloads().map((q) => q.path)).toEqual([`/node/${node.version}/${node.file}`]);

    const v = await lab.dexec(c, 'stack-wizard --version; /opt/stack-wizard/_node/bin/node -v; readlink /usr/local/bin/stack-wizard; cat /opt/stack-wizard/_cli/stack-wizard');
    expect(v.stdout).toBe(
      `${pkg.version}\n${node.version}\n/opt/stack-wizard/_cli/stack-wizard\n` +
        '#!/bin/sh\n# Written by the stack-wizard installer: runs the wizard with the Node.js it chose.\n' +
        'exec /opt/stack-wizard/_node/bin/node /opt/stack-wizard/_cli/lib/node_modules/stack-wizard/bin/stack-wizard.js "$@"\n',
    );
    // The installed package is the packed one, byte for byte.
    const inside = (await lab.dexec(c, 'cd /opt/stack-wizard/_cli/lib/node_modules/stack-wizard && sha256sum dist/stack-wizard.js')).stdout.split(' ')[0];
    const local = output(['sha256sum', join(lab.repo, 'dist/stack-wizard.js')]).split(' ')[0];
    expect(inside).toBe(local);

    installed = await lab.fileList(c);
    // Only its prefixes and the link are new (no npm cache or logs in /root), and /tmp is empty.
    const paths = (l: string[]) => l.map((x) => x.split(' ')[4]!);
    const added = lab.minus(paths(installed), paths(before));
    expect(added.filter((p) => !p.startsWith('/opt/stack-wizard/'))).toEqual(['/opt/stack-wizard', '/usr/local/bin/stack-wizard']);
    expect(added.length).toBeGreaterThan(1000);
    expect((await lab.dexec(c, 'ls -A /tmp')).stdout).toBe('');
  });

  it('a second run changes nothing and downloads no Node.js', async () => {
    mirror.clearLog();
    const r = await pipe(c);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Node.js ${node.version} in /opt/stack-wizard/_node is current`);
    expect(r.stdout).toContain(`stack-wizard ${pkg.version} is current`);
    expect(r.stdout).toContain('Nothing to change: everything is current');
    expect(await await lab.fileList(c)).toEqual(installed); // paths, sizes, modes and mtimes
    expect(nodeDownloads()).toEqual([]);
    expect(npmRequests()).toEqual([]);
  });

  it('--uninstall removes its prefixes and the link, keeps the stack data, and leaves no trace', async () => {
    await lab.dexec(c, 'mkdir -p /opt/stack-wizard/myapp /etc/stack-wizard && echo data > /opt/stack-wizard/myapp/.env && echo x > /etc/stack-wizard/myapp.yaml');
    const r = await pipe(c, '--uninstall');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('Removed /usr/local/bin/stack-wizard');
    expect(r.stdout).toContain('Removed /opt/stack-wizard/_cli');
    expect(r.stdout).toContain('Removed /opt/stack-wizard/_node');
    expect(r.stdout).toContain('Kept the stack data: /opt/stack-wizard/myapp');
    expect(r.stdout).toContain('Kept the stack data: /etc/stack-wizard');
    expect((await lab.dexec(c, 'cat /opt/stack-wizard/myapp/.env /etc/stack-wizard/myapp.yaml')).stdout).toBe('data\nx\n');

    await lab.dexec(c, 'rm -r /opt/stack-wizard /etc/stack-wizard');
    expect(await await lab.fileList(c, { mtimes: false })).toEqual(beforeNoDirTimes);
    // Files (not folders) keep even their mtimes.
    const files = (l: string[]) => l.filter((x) => !x.startsWith('d '));
    expect(files(await await lab.fileList(c))).toEqual(files(before));

    const again = await pipe(c, '--uninstall');
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('Nothing to remove: stack-wizard is not installed by this script');
  });
});

describe('under a terminal the wizard starts on it', () => {
  it.each([
    ['', 'en'],
    ['--lang zh-CN', 'zh'],
  ] as const)('curl … | bash -s -- %s shows the first screen', async (args, lang) => {
    const c = await server(`tty-${lang}`);
    const env = Object.entries(mirrors()).map(([k, v]) => `-e ${k}=${v}`).join(' ');
    const t = await lab.inTmux(
      `docker exec -it ${env} ${c} bash -c 'curl -fsSL ${mirror.url}/install.sh | bash${args ? ` -s -- ${args}` : ''}'`,
      { until: FIRST_SCREEN[lang], timeoutMs: 180_000 },
    );
    try {
      expect(t.matched, t.screen).toBe(true);
      if (lang === 'zh') expect(t.screen).toContain('正在启动向导');
      else expect(t.screen).toContain('Starting the wizard');
      expect(t.screen).not.toContain('There is no terminal');
      // The wizard runs interactively on that terminal: its host report arrives, then it waits
      // for a key, and Ctrl-C ends it.
      const ready = lang === 'zh' ? /Enter 继续/ : /Enter continue/;
      let screen = await t.waitFor((s) => ready.test(s), 200);
      expect(screen).toMatch(ready);
      expect(screen).toMatch(lang === 'zh' ? /本机（[\w.-]+）：/ : /This host \([\w.-]+\):/);
      expect(screen).toContain('Debian GNU/Linux 12 (bookworm)');
      t.keys('C-c');
      screen = await t.waitFor((s) => /\[exit \d+\]/.test(s));
      expect(screen).toMatch(/\[exit 130\]/);
    } finally {
      t.kill();
    }
  });
});

describe('Debian 12 with its own Node.js 18 (too old)', () => {
  let c: string;
  let before: string[];
  let installed: string[];
  // A plain-http tarball URL is taken only with the integrity it must have.
  const tarball = () => ({ ...mirrors(), STACK_WIZARD_TARBALL: `${mirror.url}/npm/stack-wizard/-/stack-wizard-${pkg.version}.tgz`, STACK_WIZARD_INTEGRITY: pkg.integrity });
  it('installs its own Node.js beside it, from a package tarball URL, leaves Debian\'s alone and prints the next command', async () => {
    c = await server('node18', IMAGES.node18);
    const sysNode = (await lab.dexec(c, 'node -v')).stdout.trim();
    expect(sysNode).toMatch(/^v18\./);
    before = await lab.fileList(c, { mtimes: false });
    const r = await pipe(c, '', tarball());
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`The installed Node.js ${sysNode} is older than v20.19.0; installing ${node.version} into /opt/stack-wizard/_node`);
    expect(r.stdout).toContain(`Installing stack-wizard from ${mirror.url}/npm/stack-wizard/-/stack-wizard-${pkg.version}.tgz`);
    expect(r.stdout).toMatch(/There is no terminal here, so the wizard was not started\. Run it next with:\n\n {4}\/usr\/local\/bin\/stack-wizard\n/);
    const v = await lab.dexec(c, 'node -v; stack-wizard --version; cat /opt/stack-wizard/_cli/.installed-from; head -c 2 /opt/stack-wizard/_cli/stack-wizard; tail -n 1 /opt/stack-wizard/_cli/stack-wizard');
    // Its own Node.js runs the wizard; Debian's stays first on PATH for everything else.
    expect(v.stdout).toBe(`${sysNode}\n${pkg.version}\ntarball sha256:${pkg.sha256}\n#!exec /opt/stack-wizard/_node/bin/node /opt/stack-wizard/_cli/lib/node_modules/stack-wizard/bin/stack-wizard.js "$@"\n`);
    installed = await lab.fileList(c);
  });
  it('a second run with the same tarball changes nothing', async () => {
    const r = await pipe(c, '', tarball());
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('Nothing to change: everything is current');
    expect(await lab.fileList(c)).toEqual(installed);
  });
  it('under a terminal the wizard\'s first screen appears, run by its own Node.js', async () => {
    const env = Object.entries(tarball()).map(([k, v]) => `-e ${k}=${v}`).join(' ');
    const t = await lab.inTmux(`docker exec -it ${env} ${c} bash -c 'curl -fsSL ${mirror.url}/install.sh | bash'`, { until: FIRST_SCREEN.en, timeoutMs: 180_000 });
    try {
      expect(t.matched, t.screen).toBe(true);
      expect(t.screen).toContain('Starting the wizard');
      let screen = await t.waitFor((s) => /Enter continue/.test(s), 200);
      expect(screen).toMatch(/This host \([\w.-]+\):/);
      t.keys('C-c');
      screen = await t.waitFor((s) => /\[exit \d+\]/.test(s));
      expect(screen).toMatch(/\[exit 130\]/);
    } finally {
      t.kill();
    }
  });
  it('--uninstall leaves no trace: the server as it was, Debian\'s Node.js 18 untouched', async () => {
    const r = await pipe(c, '--uninstall');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('Removed /opt/stack-wizard/_node');
    expect(r.stdout).toContain('stack-wizard is uninstalled');
    expect(await lab.fileList(c, { mtimes: false })).toEqual(before);
    expect((await lab.dexec(c, 'node -v; command -v stack-wizard || echo gone')).stdout).toMatch(/^v18\.\d+\.\d+\ngone\n$/);
  });
  it('a Node.js tarball whose checksum does not match is refused and nothing is left', async () => {
    const c2 = await server('node18-tampered', IMAGES.node18);
    const clean = await lab.fileList(c2);
    const r = await pipe(c2, '', { ...tarball(), NODE_MIRROR: `${mirror.url}/node-tampered` });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`checksum mismatch for ${node.file} \\(expected ${node.sha256}, got [0-9a-f]{64}\\); nothing was installed`));
    expect(await lab.fileList(c2)).toEqual(clean); // even the folders' mtimes
    expect((await lab.dexec(c2, 'ls -A /tmp; node -v')).stdout).toMatch(/^v18\./);
  });
});

describe('mainland China end to end (the mainland lists pointed at the loopback server, for tests only)', () => {
  /** The mainland candidates: one that does not answer, then the mirror server; no NODE_MIRROR, no NPM_REGISTRY. */
  async function cnEnv(extra: Record<string, string> = {}) {
    const dead = `http://${il.gateway}:${await freePort()}/node`;
    return {
      STACK_WIZARD_NODE_VERSION: node.version,
      STACK_WIZARD_NODE_SHA256: node.sha256,
      STACK_WIZARD_TEST_NODE_MIRRORS_CN: `${dead} ${mirror.url}/node`,
      STACK_WIZARD_TEST_NPM_REGISTRY_CN: `${mirror.url}/npm/`,
      ...extra,
    };
  }
  const host = () => mirror.url.replace(/^http:\/\//, '');

  it('--region cn: the fastest live Node.js mirror and the mainland npm registry; the wizard is told the region', async () => {
    const c = await server('cn-given');
    mirror.clearLog();
    const r = await pipe(c, '--region cn', await cnEnv());
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('Region: cn (from --region)');
    // The dead candidate lost the probe; the live one was taken.
    expect(r.stdout).toMatch(new RegExp(`Node\\.js mirror: ${host().replace(/\./g, '\\.')} \\(\\d+\\.\\d\\ds, the fastest that answered\\)`));
    expect(r.stdout).toContain(`Installing stack-wizard ${pkg.version} from ${mirror.url}/npm/`);
    expect(nodeDownloads().map((q) => `${q.status} ${q.path}`)).toEqual([
      `200 /node/${node.version}/SHASUMS256.txt`, // the probe
      `200 /node/${node.version}/${node.file}`,
    ]);
    expect(onePackage(npmRequests().map((q) => q.path))).toBe(`/npm/stack-wizard/-/stack-wizard-${pkg.version}.tgz`);
    expect(r.stdout).toMatch(/Run it next with:\n\n {4}\/usr\/local\/bin\/stack-wizard --region cn\n/);
    expect((await lab.dexec(c, 'stack-wizard --version')).stdout).toBe(`${pkg.version}\n`);
  });

  it('no --region: the official site does not answer and a mainland mirror does, so the probe says cn', async () => {
    const c = await server('cn-probed');
    mirror.clearLog();
    const r = await pipe(c, '--lang zh-CN', await cnEnv({ STACK_WIZARD_TEST_NODE_OFFICIAL: `${mirror.url}/official` }));
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`地区：cn（${host().replace(/\./g, '\\.')} 无法访问, ${host().replace(/\./g, '\\.')} \\d+\\.\\d\\ds）`));
    // Both sources were asked, each once, in the same probe.
    const probed = mirror.requests().filter((q) => q.path.endsWith('/SHASUMS256.txt')).map((q) => `${q.status} ${q.path}`);
    expect(probed).toEqual(expect.arrayContaining([`404 /official/${node.version}/SHASUMS256.txt`, `200 /node/${node.version}/SHASUMS256.txt`]));
    expect(onePackage(npmRequests().map((q) => q.path))).toBe(`/npm/stack-wizard/-/stack-wizard-${pkg.version}.tgz`);
    expect(r.stdout).toMatch(/接下来请运行：\n\n {4}\/usr\/local\/bin\/stack-wizard --lang zh-CN --region cn\n/);
  });
});

describe('a download cut short', () => {
  it('cut right after `sw_main` (the last line without its arguments) runs nothing: not even an install without --uninstall', async () => {
    const full = readFileSync(join(root, 'install.sh'), 'utf8');
    const at = full.lastIndexOf('sw_main') + 'sw_main'.length;
    writeFileSync(join(root, 'install-cut.sh'), full.slice(0, at));
    expect(full.slice(at - 9, at)).toBe('{ sw_main');
    const c = await server('truncated');
    const before = await lab.fileList(c);
    mirror.clearLog();
    const r = await lab.dexec(c, `curl -fsSL ${mirror.url}/install-cut.sh | bash -s -- --uninstall`, mirrors());
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/syntax error: unexpected end of file/);
    expect(r.stderr).not.toContain('stack-wizard installer');
    expect(mirror.requests().map((q) => q.path)).toEqual(['/install-cut.sh']);
    expect(await lab.fileList(c)).toEqual(before);
  });
});

describe('an operator who is not root', () => {
  let c: string;
  beforeAll(async () => {
    c = await server('sudo', IMAGES.node18);
    await lab.dexec(c, 'useradd -m deploy && echo "deploy ALL=(ALL) NOPASSWD:ALL" > /etc/sudoers.d/deploy && chmod 0440 /etc/sudoers.d/deploy && useradd -m -G sudo ops');
  });
  it('installs through sudo, owned by root, and names sudo in the next command; the sudoer\'s own (nvm) Node.js is never what root runs', async () => {
    // A good Node.js with npm in deploy's home, first on deploy's PATH, as nvm sets it up (#15.6).
    output(['docker', 'cp', realpathSync(join(node.dir, node.file)), `${c}:/tmp/node.tgz`]);
    const nvm = `/home/deploy/.nvm/versions/node/${node.version}`;
    await lab.dexec(c, `mkdir -p ${nvm} && tar -xzf /tmp/node.tgz -C ${nvm} --strip-components=1 && rm -f /tmp/node.tgz`, {}, { user: 'deploy' });
    await lab.dexec(c, 'rm -f /tmp/node.tgz');
    const home = (await lab.fileList(c)).filter((l) => l.includes(' /home/deploy'));
    const r = await lab.dexec(c, `export PATH=${nvm}/bin:$PATH; node -v >/dev/null && curl -fsSL ${mirror.url}/install.sh | bash`, mirrors(), { user: 'deploy' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('running as deploy (sudo)');
    // Root's PATH has Debian's Node.js 18 (too old), so the script installs its own; deploy's is not considered.
    expect(r.stdout).toContain(`installing ${node.version} into /opt/stack-wizard/_node`);
    expect(r.stdout).not.toContain('/home/deploy');
    expect((await lab.dexec(c, 'tail -n 1 /opt/stack-wizard/_cli/stack-wizard')).stdout).toBe(
      'exec /opt/stack-wizard/_node/bin/node /opt/stack-wizard/_cli/lib/node_modules/stack-wizard/bin/stack-wizard.js "$@"\n',
    );
    expect(r.stdout).toMatch(/Run it next with:\n\n {4}sudo \/usr\/local\/bin\/stack-wizard\n/);
    expect((await lab.dexec(c, 'find /opt/stack-wizard /usr/local/bin/stack-wizard ! -user root | head -n 3')).stdout).toBe('');
    expect((await lab.dexec(c, 'stack-wizard --version', {}, { user: 'deploy' })).stdout).toBe(`${pkg.version}\n`);
    // Nothing of npm (cache, logs) in the operator's home.
    expect(await (await lab.fileList(c)).filter((l) => l.includes(' /home/deploy'))).toEqual(home);
  });
  it('a wrong sudo password typed on the terminal stops it before anything is written (exit 3, not "cannot write")', async () => {
    const before = await lab.fileList(c, { mtimes: false });
    const env = Object.entries(mirrors()).map(([k, v]) => `-e ${k}=${v}`).join(' ');
    const t = await lab.inTmux(`docker exec -it -u ops ${env} ${c} bash -c 'curl -fsSL ${mirror.url}/install.sh | bash'`, { until: /password for ops/, timeoutMs: 60_000 });
    try {
      expect(t.matched, t.screen).toBe(true);
      let screen = t.screen;
      // sudo asks three times; each answer is wrong (ops has no password sudo accepts).
      for (let i = 0; i < 3 && !/\[exit \d+\]/.test(screen); i++) {
        t.keys('not-the-password', 'Enter');
        screen = await t.waitFor((s) => /\[exit \d+\]/.test(s) || (s.match(/password for ops/g) ?? []).length > i + 1);
      }
      screen = await t.waitFor((s) => /\[exit \d+\]/.test(s));
      expect(screen).toMatch(/\[exit 3\]/);
      expect(screen).toContain('sudo did not accept the password, or ops may not use sudo; nothing was changed');
      expect(screen).not.toContain('disk space');
    } finally {
      t.kill();
    }
    expect(await lab.fileList(c, { mtimes: false })).toEqual(before);
  });
  it('exits 3 when sudo wants a password and there is no terminal to type it', async () => {
    const r = await lab.dexec(c, `curl -fsSL ${mirror.url}/install.sh | bash`, mirrors(), { user: 'ops' });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('sudo needs a password and there is no terminal to ask for it');
  });
});

describe('Debian 13 with its own Node.js 20 but no npm', () => {
  it('installs its own Node.js (with npm) and leaves Debian\'s alone', async () => {
    const c = await server('trixie', IMAGES.trixieNode);
    const sysNode = (await lab.dexec(c, 'node -v; command -v npm || true')).stdout;
    expect(sysNode).toMatch(/^v20\.(19|[2-9]\d)\.\d+\n$/);
    const r = await pipe(c);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('System: Debian GNU/Linux 13 (trixie)');
    expect(r.stdout).toContain(`The installed Node.js ${sysNode.trim()} has no npm; installing ${node.version} into /opt/stack-wizard/_node`);
    expect((await lab.dexec(c, 'stack-wizard --version; node -v')).stdout).toBe(`${pkg.version}\n${sysNode}`);
  });
});

describe('a good Node.js is already installed', () => {
  it('is used as it is: no Node.js download, no _node prefix', async () => {
    const c = await server('goodnode');
    output(['docker', 'cp', realpathSync(join(node.dir, node.file)), `${c}:/tmp/node.tgz`]);
    await lab.dexec(c, 'tar -xzf /tmp/node.tgz -C /usr/local --strip-components=1 && rm /tmp/node.tgz');
    mirror.clearLog();
    const r = await pipe(c);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Using the installed Node.js ${node.version} (/usr/local/bin/node)`);
    expect(nodeDownloads()).toEqual([]);
    const v = await lab.dexec(c, 'test -e /opt/stack-wizard/_node && echo has-node-prefix; stack-wizard --version; tail -n 1 /opt/stack-wizard/_cli/stack-wizard');
    expect(v.stdout).toBe(`${pkg.version}\nexec /usr/local/bin/node /opt/stack-wizard/_cli/lib/node_modules/stack-wizard/bin/stack-wizard.js "$@"\n`);
  });
});

describe('failures leave nothing half installed', () => {
  it('a Node.js tarball whose checksum does not match is refused before anything is written', async () => {
    const c = await server('tampered');
    const before = await lab.fileList(c);
    const r = await pipe(c, '', { ...mirrors(), NODE_MIRROR: `${mirror.url}/node-tampered` });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^stack-wizard installer: error: checksum mismatch for ${node.file} \\(expected ${node.sha256}, got [0-9a-f]{64}\\); nothing was installed`),
    );
    expect(r.stdout).not.toContain('Checksum verified');
    expect(await await lab.fileList(c)).toEqual(before); // even the folders' mtimes
    expect((await lab.dexec(c, 'ls -A /tmp')).stdout).toBe('');
  });

  it('an npm failure after Node.js was unpacked removes the unpacked Node.js too', async () => {
    const c = await server('npmfail');
    const before = await lab.fileList(c, { mtimes: false });
    const r = await pipe(c, '--lang zh-CN', { ...mirrors(), STACK_WIZARD_VERSION: '9.9.9', STACK_WIZARD_INTEGRITY: pkg.integrity });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('校验和正确');
    expect(r.stderr).toContain(`stack-wizard 安装程序：错误：npm 无法安装 stack-wizard@9.9.9（npm 源：${mirror.url}/npm/），未做任何改动`);
    expect(await await lab.fileList(c, { mtimes: false })).toEqual(before);
  });
});

describe('Ctrl-C while npm installs', () => {
  it('removes the unpacked Node.js and the half-made package folder, and exits 130', async () => {
    // npm's registry answers after 5 s, so the run is surely inside `npm install` when Ctrl-C
    // (SIGINT to the whole process group, as a terminal sends it) arrives.
    const slow = await lab.startMirror(root, il.gateway, { delayMs: 5000, log: `${mirror.log}.slow` });
    try {
      const c = await server('interrupt');
      const before = await lab.fileList(c, { mtimes: false });
      const r = await lab.dexec(
        c,
        // Its own session, started in the foreground so SIGINT is not ignored (as it would be
        // for a background job); the outer shell traps INT only to record the exit code.
        `setsid -f bash -c 'echo $$ >/tmp/pid; trap true INT; curl -fsSL ${mirror.url}/install.sh | bash >/tmp/out 2>&1; echo $? >/tmp/rc'
         for i in $(seq 1 600); do ls -d /opt/stack-wizard/.cli-new.* >/dev/null 2>&1 && break; sleep 0.05; done
         ls -d /opt/stack-wizard/.node-new.* /opt/stack-wizard/.cli-new.*
         kill -INT -- -"$(cat /tmp/pid)"
         for i in $(seq 1 600); do [ -s /tmp/rc ] && break; sleep 0.05; done
         echo "exit=$(cat /tmp/rc)"; cat /tmp/out; rm -f /tmp/out /tmp/rc /tmp/pid`,
        { ...mirrors(), NPM_REGISTRY: `${slow.url}/npm/` },
      );
      expect(r.stdout).toMatch(/^\/opt\/stack-wizard\/\.cli-new\.\d+\.\w+\n\/opt\/stack-wizard\/\.node-new\.\d+\.\w+\nexit=130\n/);
      expect(r.stdout).toContain('Installing stack-wizard');
      expect(r.stdout).not.toContain('npm could not install');
      expect(await lab.fileList(c, { mtimes: false })).toEqual(before);
    } finally {
      slow.stop();
    }
  });
});

describe('re-running upgrades in place', () => {
  it('from an older stack-wizard to the pinned one, keeping the current Node.js', async () => {
    const c = await server('upgrade');
    const first = await pipe(c, '', { ...mirrors(), STACK_WIZARD_VERSION: '0.0.9', STACK_WIZARD_INTEGRITY: oldPkg.integrity });
    expect(first.exitCode, first.stderr).toBe(0);
    expect((await lab.dexec(c, 'cat /opt/stack-wizard/_cli/.installed-from')).stdout).toBe(`registry stack-wizard@0.0.9 ${oldPkg.integrity}\n`);
    const nodeFiles = (await lab.fileList(c)).filter((l) => l.includes(' /opt/stack-wizard/_node'));

    const r = await pipe(c);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Upgrading stack-wizard from 0.0.9 to ${pkg.version} (from ${mirror.url}/npm/)`);
    expect((await lab.dexec(c, 'cat /opt/stack-wizard/_cli/.installed-from; sed -n \'s/.*"version": "\\(.*\\)".*/\\1/p\' /opt/stack-wizard/_cli/lib/node_modules/stack-wizard/package.json; ls -A /opt/stack-wizard')).stdout).toBe(
      `registry stack-wizard@${pkg.version} ${pkg.integrity}\n${pkg.version}\n_cli\n_node\n`,
    );
    expect(await (await lab.fileList(c)).filter((l) => l.includes(' /opt/stack-wizard/_node'))).toEqual(nodeFiles);
  });
});

describe('clear refusals', () => {
  let c: string;
  beforeAll(async () => {
    c = await server('refuse');
  });
  it('an unsupported system exits 3 naming it and the supported ones', async () => {
    await lab.dexec(c, 'cp /etc/os-release /root/os-release.bak && printf \'ID=centos\\nVERSION_ID="9"\\nPRETTY_NAME="CentOS Stream 9"\\n\' > /etc/os-release');
    const r = await pipe(c);
    await lab.dexec(c, 'cp /root/os-release.bak /etc/os-release && rm /root/os-release.bak');
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toBe('stack-wizard installer: error: CentOS Stream 9 is not supported; supported: Debian 11/12/13 and Ubuntu 22.04/24.04\n');
  });
  it('an unsupported processor exits 3 (uname answers armv7l)', async () => {
    // A 32-bit ARM host cannot be had here; a uname earlier on PATH plays it.
    await lab.dexec(c, 'mkdir -p /root/fake && printf \'#!/bin/sh\\necho armv7l\\n\' > /root/fake/uname && chmod +x /root/fake/uname');
    const r = await lab.dexec(c, `curl -fsSL ${mirror.url}/install.sh | PATH=/root/fake:$PATH bash`, mirrors());
    await lab.dexec(c, 'rm -r /root/fake');
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toBe('stack-wizard installer: error: the processor architecture armv7l is not supported; supported: x86_64 and arm64 (aarch64)\n');
  });
  it('without root and without sudo it exits 3 and says what to do', async () => {
    const r = await lab.dexec(c, `curl -fsSL ${mirror.url}/install.sh | bash`, mirrors(), { user: 'nobody' });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('run it as root, or install sudo');
  });
  it('a stack-wizard command it did not install is not overwritten', async () => {
    await lab.dexec(c, 'printf "#!/bin/sh\\n" > /usr/local/bin/stack-wizard');
    const r = await pipe(c);
    await lab.dexec(c, 'rm /usr/local/bin/stack-wizard');
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('/usr/local/bin/stack-wizard exists and was not installed by this script');
    expect((await lab.dexec(c, 'test -e /opt/stack-wizard || echo clean')).stdout).toBe('clean\n');
  });
  it('a missing program exits 3 naming the package to install', async () => {
    const r = await lab.dexec(
      c,
      `curl -fsSL ${mirror.url}/install.sh -o /root/install.sh && mv /usr/bin/curl /usr/bin/curl.off; bash /root/install.sh; rc=$?; mv /usr/bin/curl.off /usr/bin/curl; rm /root/install.sh; exit $rc`,
      mirrors(),
    );
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toBe('stack-wizard installer: error: this installer needs "curl", which is not installed; install it (apt-get install curl) and run again\n');
  });
  it('bad usage through the pipe exits 2', async () => {
    const r = await pipe(c, '--region moon');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('stack-wizard installer: error: --region must be cn, global or auto, not "moon"\n');
  });
});

// Keep a copy of the request log when a test fails, for reading.
afterAll(() => {
  if (mirror && existsSync(mirror.log)) copyFileSync(mirror.log, join(lab.cacheDir, 'last-requests.log'));
});
