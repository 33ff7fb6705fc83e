// install.sh judged by real programs on this machine: shellcheck, its region probe timing real
// HTTP servers (mirror-server.mjs processes on loopback: one fast, one slow, one gone), and the
// mainland path end to end on loopback (real curl, sha256sum, tar, npm; the script's folders moved
// into a temporary one, so this machine is not touched; the e2e suite runs the whole script).
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMirror, type Mirror } from '../e2e/installer/lab.js';
import { freePort, waitFor } from '../support/proc.js';

const script = new URL('../../install.sh', import.meta.url).pathname;

/** npm's requests for one package: the registry document (one or more times), then the tarball once, last; returns that tarball's line. */
function onePackage(lines: string[], prefix = ''): string {
  expect(lines.length).toBeGreaterThanOrEqual(2);
  for (const l of lines.slice(0, -1)) expect(l).toBe(`${prefix}/npm/stack-wizard`);
  return lines[lines.length - 1]!;
}

describe('shellcheck', () => {
  it('install.sh has no findings (shellcheck must be installed: test/provision/packages.sh)', () => {
    const which = spawnSync('bash', ['--norc', '-c', 'command -v shellcheck'], { encoding: 'utf8' });
    expect(which.status, 'shellcheck is not installed').toBe(0);
    const r = spawnSync('shellcheck', ['--shell=bash', '--severity=style', script], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
  it('would catch a defect (the check is live)', () => {
    const r = spawnSync('shellcheck', ['--shell=bash', '-'], { encoding: 'utf8', input: 'f() { echo $1; }\nf "$@"\n' });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/SC2086/);
  });
});

describe('region probe (sw_probe_region GLOBAL_URL CN_URL)', () => {
  const root = mkdtempSync(join(tmpdir(), 'sw-probe-'));
  let fast: Mirror;
  let slow: Mirror;
  let deadUrl = '';
  beforeAll(async () => {
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(join(root, 'v1'), { recursive: true });
    writeFileSync(join(root, 'v1', 'SHASUMS256.txt'), 'x'.repeat(4000));
    fast = await startMirror(root, '127.0.0.1', { log: join(root, '..', `${process.pid}-fast.log`) });
    slow = await startMirror(root, '127.0.0.1', { delayMs: 1000, log: join(root, '..', `${process.pid}-slow.log`) });
    // A port that was free a moment ago: nothing listens there.
    deadUrl = `http://127.0.0.1:${await freePort()}`;
  });
  afterAll(() => {
    fast?.stop();
    slow?.stop();
  });

  const probe = (g: string, c: string | string[], timeout = 3) => {
    const cn = Array.isArray(c) ? c : [c];
    const r = spawnSync('bash', ['--norc', '-c', `source "$0" --source-only; SW_PROBE_TIMEOUT=${timeout}; sw_probe_region "$@"`, script, g, ...cn], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const [region, tg, tc, best] = r.stdout.trim().split(' ');
    const o = { region, tg: tg === '-' ? null : Number(tg), tc: tc === '-' ? null : Number(tc) };
    return Array.isArray(c) ? { ...o, best: Number(best) } : o;
  };
  const file = '/v1/SHASUMS256.txt';

  it('picks the mainland mirror when it answers faster', () => {
    const r = probe(slow.url + file, fast.url + file);
    expect(r.region).toBe('cn');
    expect(r.tg).toBeGreaterThanOrEqual(1);
    expect(r.tc).toBeLessThan(1);
  });
  it('picks the official source when it answers faster', () => {
    const r = probe(fast.url + file, slow.url + file);
    expect(r.region).toBe('global');
    expect(r.tc).toBeGreaterThanOrEqual(1);
  });
  it('probes both in parallel: the second request reaches the server while the first is still unanswered', () => {
    slow.clearLog();
    const r = probe(slow.url + file, slow.url + file);
    expect(r.tg).toBeGreaterThanOrEqual(1);
    expect(r.tc).toBeGreaterThanOrEqual(1);
    const seen = slow.requests().filter((q) => q.path === file);
    expect(seen).toHaveLength(2);
    expect(Math.max(...seen.map((q) => q.inflight))).toBe(2);
  });
  it('a mirror that is down or lacks the file loses; none answering means global', () => {
    expect(probe(deadUrl + file, fast.url + file)).toMatchObject({ region: 'cn', tg: null });
    expect(probe(fast.url + file, deadUrl + file)).toMatchObject({ region: 'global', tc: null });
    expect(probe(fast.url + file, `${fast.url}/v2/SHASUMS256.txt`)).toMatchObject({ region: 'global', tc: null });
    expect(probe(deadUrl + file, deadUrl + file)).toEqual({ region: 'global', tg: null, tc: null });
  });
  it('of several mainland mirrors, the fastest live one is chosen', () => {
    const r = probe(slow.url + file, [deadUrl + file, slow.url + file, fast.url + file, `${fast.url}/v2/SHASUMS256.txt`]);
    expect(r).toMatchObject({ region: 'cn', best: 2 });
    expect(probe(fast.url + file, [deadUrl + file, slow.url + file])).toMatchObject({ region: 'global', best: 1 });
    expect(probe(fast.url + file, [deadUrl + file, deadUrl + file])).toMatchObject({ region: 'global', tc: null, best: -1 });
  });
  it('gives up on a mirror that hangs after the timeout', async () => {
    slow.clearLog();
    const r = probe(slow.url + file, fast.url + file, 0.3);
    expect(r).toMatchObject({ region: 'cn', tg: null });
    // The slow server logs when its answer is due (after 1 s): by then the probe had hung up.
    const seen = await waitFor('the slow mirror to log the request', () => slow.requests().filter((q) => q.path === file).length > 0 && slow.requests().filter((q) => q.path === file), { timeoutMs: 30_000 });
    expect(seen).toEqual([expect.objectContaining({ aborted: true })]);
  });
  it('the probe is real traffic: each server saw the request', () => {
    expect(fast.requests().some((q) => q.path === file && q.status === 200)).toBe(true);
    expect(slow.requests().some((q) => q.path === file)).toBe(true);
  });
});

describe('the mainland path on loopback (the script\'s steps with its folders moved into a temporary one)', () => {
  let mirror: Mirror;
  let root = '';
  let nodeVersion = '';
  let nodeSha256 = '';
  let pkgVersion = '';
  // The release's installer: install.sh stamped with the integrity of this very `npm pack` (buildMirrorRoot).
  let stamped = '';
  beforeAll(async () => {
    const { buildMirrorRoot } = await import('../e2e/installer/lab.js');
    root = join(mkdtempSync(join(tmpdir(), 'sw-cn-')), 'root');
    const built = await buildMirrorRoot(root);
    nodeVersion = built.node.version;
    nodeSha256 = built.node.sha256;
    pkgVersion = built.pkg.version;
    stamped = join(root, 'install.sh');
    mirror = await startMirror(root, '127.0.0.1', { log: join(root, '..', 'requests.log') });
  }, 600_000);
  afterAll(() => mirror?.stop());

  /**
   * Runs install.sh's own steps with its folders in a fresh temporary home, behind a Node.js too
   * old to use (so the script installs its own and the machine's stays out of it).
   */
  async function runSteps(lang: 'en' | 'zh-CN', args: string, env: Record<string, string>, o: { rootPath?: (shim: string) => string; path?: (shim: string) => string } = {}) {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const home = mkdtempSync(join(tmpdir(), 'sw-cn-home-'));
    const shim = join(home, 'shim');
    mkdirSync(shim);
    writeFileSync(join(shim, 'node'), '#!/bin/sh\necho v18.19.1\n', { mode: 0o755 });
    mirror.clearLog();
    const steps = [
      'source "$0" --source-only',
      'sw_strict',
      // Root's PATH as the script searches it, with a Node.js too old to use first (so the machine's stays out of it).
      `SW_ROOT_PATH=${o.rootPath ? o.rootPath(shim) : `${shim}:/usr/bin:/bin`}`,
      `SW_HOME=${home}/opt SW_NODE_DIR=${home}/opt/_node SW_CLI_DIR=${home}/opt/_cli SW_LINK=${home}/bin/stack-wizard`,
      `SW_WRAPPER=$SW_CLI_DIR/stack-wizard SW_MARKER=$SW_CLI_DIR/.installed-from SW_AS_ROOT=() SW_LANG=${lang} SW_ARCH=$(sw_node_arch "$(uname -m)")`,
      `sw_parse_args ${args}`,
      'trap sw_cleanup EXIT',
      'SW_TMP=$(mktemp -d)',
      'sw_plan_node; sw_plan_cli; sw_commit; sw_start',
    ].join('; ');
    const r = spawnSync('bash', ['--norc', '-c', steps, stamped], {
      encoding: 'utf8',
      timeout: 300_000,
      env: {
        PATH: o.path ? o.path(shim) : `${shim}:/usr/bin:/bin`, HOME: home, STACK_WIZARD_NODE_VERSION: nodeVersion, STACK_WIZARD_NODE_SHA256: nodeSha256,
        STACK_WIZARD_TEST_NPM_REGISTRY_CN: `${mirror.url}/npm/`, ...env,
      },
    });
    return { home, r, shim };
  }

  it('--region cn: the dead candidate loses, Node.js comes from the live one (checksum checked), stack-wizard from the mainland registry, and the next command says --region cn', async () => {
    const { readFileSync, readlinkSync } = await import('node:fs');
    const dead = `http://127.0.0.1:${await freePort()}/node`;
    const { home, r } = await runSteps('en', '--region cn', { STACK_WIZARD_TEST_NODE_MIRRORS_CN: `${dead} ${mirror.url}/node` });
    expect(r.status, r.stderr).toBe(0);
    const host = mirror.url.replace('http://', '');
    expect(r.stdout).toContain('Region: cn (from --region)');
    expect(r.stdout).toContain(`The installed Node.js v18.19.1 is older than v20.19.0; installing ${nodeVersion} into ${home}/opt/_node`);
    expect(r.stdout).toMatch(new RegExp(`Node\\.js mirror: ${host.replace(/\./g, '\\.')} \\(\\d+\\.\\d\\ds, the fastest that answered\\)`));
    expect(r.stdout).toContain(`Checksum verified (SHA-256 ${nodeSha256})`);
    expect(r.stdout).toContain('Package verified (sha512 as pinned)');
    expect(r.stdout).toContain(`Installing stack-wizard ${pkgVersion} from ${mirror.url}/npm/`);
    expect(r.stdout).toMatch(new RegExp(`Run it next with:\\n\\n {4}${home}/bin/stack-wizard --region cn\\n`));
    // What the server saw: the probe and the download from the live mirror (its SHASUMS256.txt is
    // not read for the hash: that comes from the pin), npm from the mainland registry.
    const paths = mirror.requests().map((q) => `${q.status} ${q.path}`);
    expect(paths.filter((p) => p.includes('/node/'))).toEqual([
      `200 /node/${nodeVersion}/SHASUMS256.txt`,
      expect.stringMatching(new RegExp(`^200 /node/${nodeVersion}/node-${nodeVersion}-linux-\\w+\\.tar\\.gz$`)),
    ]);
    // npm pack reads the registry document (npm asks for it more than once) and fetches the release once; installing that file asks nothing more.
    expect(onePackage(paths.filter((p) => p.includes('/npm/')), '200 ')).toBe(`200 /npm/stack-wizard/-/stack-wizard-${pkgVersion}.tgz`);
    // Installed where it was told, and it runs with its own Node.js.
    expect(readlinkSync(join(home, 'bin/stack-wizard'))).toBe(`${home}/opt/_cli/stack-wizard`);
    expect(readFileSync(join(home, 'opt/_cli/stack-wizard'), 'utf8')).toContain(`exec ${home}/opt/_node/bin/node `);
    const v = spawnSync(join(home, 'bin/stack-wizard'), ['--version'], { encoding: 'utf8' });
    expect(v.stdout.trim()).toBe(pkgVersion);
  }, 300_000);

  it('no --region: the official site does not answer, a mainland mirror does, so the probe picks cn and the wizard is told (zh-CN)', async () => {
    const { home, r } = await runSteps('zh-CN', '--lang zh-CN', {
      STACK_WIZARD_TEST_NODE_OFFICIAL: `${mirror.url}/official`,
      STACK_WIZARD_TEST_NODE_MIRRORS_CN: `${mirror.url}/node`,
    });
    expect(r.status, r.stderr).toBe(0);
    const host = mirror.url.replace('http://', '').replace(/\./g, '\\.');
    expect(r.stdout).toMatch(new RegExp(`地区：cn（${host} 无法访问, ${host} \\d+\\.\\d\\ds）`));
    const probed = mirror.requests().filter((q) => q.path.endsWith('SHASUMS256.txt')).map((q) => `${q.status} ${q.path}`);
    expect(probed).toEqual(expect.arrayContaining([`404 /official/${nodeVersion}/SHASUMS256.txt`, `200 /node/${nodeVersion}/SHASUMS256.txt`]));
    expect(onePackage(mirror.requests().filter((q) => q.path.startsWith('/npm/')).map((q) => q.path))).toBe(`/npm/stack-wizard/-/stack-wizard-${pkgVersion}.tgz`);
    expect(r.stdout).toMatch(new RegExp(`接下来请运行：\\n\\n {4}${home}/bin/stack-wizard --lang zh-CN --region cn\\n`));
  }, 300_000);

  // #15.6: the trust rules, each with the real programs.
  it('a mirror serving a changed tarball with a SHASUMS256.txt that matches it is refused: the hash comes from the pin', async () => {
    const { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } = await import('node:fs');
    const { createHash } = await import('node:crypto');
    const forged = join(root, 'node-forged', nodeVersion);
    mkdirSync(forged, { recursive: true });
    const file = `node-${nodeVersion}-linux-${process.arch === 'arm64' ? 'arm64' : 'x64'}.tar.gz`;
    copyFileSync(join(root, 'node-tampered', nodeVersion, file), join(forged, file));
    const sum = createHash('sha256').update(readFileSync(join(forged, file))).digest('hex');
    writeFileSync(join(forged, 'SHASUMS256.txt'), `${sum}  ${file}\n`);
    const { home, r } = await runSteps('en', '--region global', { NODE_MIRROR: `${mirror.url}/node-forged` });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`checksum mismatch for ${file} (expected ${nodeSha256}, got ${sum}); nothing was installed`);
    expect(existsSync(join(home, 'opt', '_node'))).toBe(false);
    expect(existsSync(join(home, 'bin'))).toBe(false);
  }, 300_000);

  it('a package that is not the pinned release is refused before npm installs anything', async () => {
    const { existsSync } = await import('node:fs');
    const other = `sha512-${Buffer.alloc(64, 7).toString('base64')}`;
    const { home, r } = await runSteps('en', '--region cn', { STACK_WIZARD_INTEGRITY: other, STACK_WIZARD_TEST_NODE_MIRRORS_CN: `${mirror.url}/node` });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`the stack-wizard package from ${mirror.url}/npm/ is not the release this script pins \\(sha512 [0-9a-f]{128}, expected ${'07'.repeat(64)}\\); nothing was installed`));
    expect(existsSync(join(home, 'opt', '_cli'))).toBe(false);
    expect(existsSync(join(home, 'opt', '_node'))).toBe(false);
  }, 300_000);

  it("a Node.js first on the invoking user's PATH (a sudoer's nvm) is never what root runs", async () => {
    const { chownSync, mkdirSync, readFileSync, writeFileSync } = await import('node:fs');
    const nvm = mkdtempSync(join(tmpdir(), 'sw-nvm-'));
    const bin = join(nvm, 'versions', 'node', 'v22.0.0', 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'node'), '#!/bin/sh\necho v22.0.0\n', { mode: 0o755 });
    writeFileSync(join(bin, 'npm'), '#!/bin/sh\necho 10.0.0\n', { mode: 0o755 });
    for (const p of [nvm, bin, join(bin, 'node'), join(bin, 'npm')]) chownSync(p, 65534, 65534);
    // Root's PATH holds only the machine's own Node.js (root's, with npm): that one is used.
    const a = await runSteps('en', '--region cn', { STACK_WIZARD_TEST_NODE_MIRRORS_CN: `${mirror.url}/node` }, { rootPath: () => '/usr/bin:/bin', path: () => `${bin}:/usr/bin:/bin` });
    expect(a.r.status, a.r.stderr).toBe(0);
    expect(a.r.stdout).toMatch(/Using the installed Node\.js v\d+\.\d+\.\d+ \(\/usr\/bin\/node\)/);
    expect(readFileSync(join(a.home, 'opt/_cli/stack-wizard'), 'utf8')).toContain('exec /usr/bin/node ');
    expect(readFileSync(join(a.home, 'opt/_cli/stack-wizard'), 'utf8')).not.toContain(nvm);
    // The user's folder in root's PATH (a folder another user can change): named, and the script installs its own.
    const b = await runSteps('en', '--region cn', { STACK_WIZARD_TEST_NODE_MIRRORS_CN: `${mirror.url}/node` }, { rootPath: () => `${bin}:/usr/bin:/bin`, path: () => `${bin}:/usr/bin:/bin` });
    expect(b.r.status, b.r.stderr).toBe(0);
    expect(b.r.stdout).toContain(`The installed Node.js v22.0.0 (${bin}/node) is not owned by root alone`);
    expect(b.r.stdout).toContain(`installing ${nodeVersion} into ${b.home}/opt/_node`);
    expect(readFileSync(join(b.home, 'opt/_cli/stack-wizard'), 'utf8')).toContain(`exec ${b.home}/opt/_node/bin/node `);
  }, 300_000);
});
