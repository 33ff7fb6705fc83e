// The wizard in a real terminal (tmux), in both languages: a whole setup to rendered files as a
// non-root user and with --out, Ctrl-C in the middle, CI set with a terminal, stdin piped while a
// terminal exists, the maintenance menu, and no terminal at all.
import { MAINTENANCE_MENU } from '../../src/ui/menu.js';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Pane, builtPackage } from './tmux.js';
import { translator } from '../../src/i18n/index.js';
import { startMirrorServers } from './helpers/servers.js';
import { freePort } from '../support/proc.js';
import { startRegistryLab } from './support/registry-lab.js';
import { nodeFor } from './support/node-for-user.js';

// The backup screen's fields, each passed with Enter: time, keep, drill, bucket, WeCom, DingTalk, Feishu, webhook, email, alert language.
const BACKUP_FIELDS_ENTER = Array<string>(10).fill('Enter');

let bin = '';
const panes: Pane[] = [];
// The user the not-root runs become, as this system numbers it.
const NOBODY = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }));
const NOBODY_GROUP = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }));
/** An empty mirror catalogue: a wizard that reaches the region screen contacts no real mirror. */
let noMirrors = '';
beforeAll(() => {
  bin = builtPackage().bin;
  const d = mkdtempSync(join(tmpdir(), 'sw-tui-cat-'));
  chmodSync(d, 0o755);
  noMirrors = join(d, 'mirrors.yaml');
  writeFileSync(noMirrors, '[]\n', { mode: 0o644 });
});
afterEach(() => {
  for (const p of panes.splice(0)) p.kill();
});
afterAll(() => {});

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A work folder of the user the wizard runs as (0755: a folder others may write in is refused), and a state dir that must stay empty. */
function workDir(asNobody = false) {
  const dir = mkdtempSync(join(tmpdir(), 'sw-tui-'));
  chmodSync(dir, 0o755);
  if (asNobody) chownSync(dir, NOBODY, NOBODY_GROUP);
  // The terminal's state after the run is kept apart, so the work folder holds only what the wizard wrote.
  return { dir, state: join(dir, 'state'), stty: join(mkdtempSync(join(tmpdir(), 'sw-tty-')), 'stty.txt') };
}

function run(o: { args?: string[]; env?: Record<string, string>; cwd: string; stty: string; asNobody?: boolean; ci?: boolean; pipeStdin?: boolean }): Pane {
  const env = Object.entries({ TERM: 'xterm-256color', HOME: '/tmp', STACK_WIZARD_MIRROR_CATALOG: noMirrors, ...o.env }).map(([k, v]) => `${k}=${q(v)}`).join(' ');
  const unsetCi = o.ci ? 'CI=true' : '-u CI -u CONTINUOUS_INTEGRATION';
  const user = o.asNobody ? 'runuser -u nobody -- ' : '';
  const node = `${user}env ${unsetCi} ${env} ${q(o.asNobody ? nodeFor(NOBODY, NOBODY_GROUP) : process.execPath)} ${q(bin)} ${(o.args ?? []).map(q).join(' ')}`;
  // After the wizard: the terminal's settings as it left them and its exit status, then the pane
  // stays open (a dead tmux pane always hides the cursor, so the cursor is read while it lives).
  const line = `cd ${q(o.cwd)} && ${o.pipeStdin ? 'echo | ' : ''}${node}; code=$?; stty -a > ${q(o.stty)} 2>&1; echo $code > ${q(`${o.stty}.exit`)}; sleep 60`;
  const p = new Pane(o.stty);
  panes.push(p);
  p.start(`sh -c ${q(line)}`);
  return p;
}

/** Cooked mode again (line editing and echo on) and the cursor shown. */
function expectTerminalRestored(p: Pane, sttyFile: string) {
  const stty = readFileSync(sttyFile, 'utf8');
  // Nothing was left half-done on the screen either: the wizard's last words are above the shell's.
  expect(stty).toMatch(/(^|\s)icanon(\s|$)/);
  expect(stty).toMatch(/(^|\s)echo(\s|$)/);
  expect(stty).not.toMatch(/-icanon|(^|\s)-echo(\s|$)/);
  expect(p.display('#{cursor_flag}')).toBe('1');
}

/** Past the welcome screen, a project name typed and seen (keys reach the wizard, frames are drawn), then Ctrl-C: exit 130, terminal restored. */
async function typeNameThenInterrupt(p: Pane, stty: string, name: string) {
  await p.waitFor('Enter continue');
  await p.keys('Enter');
  await p.waitFor('> Project name');
  await p.type(name);
  await p.waitFor(name);
  await p.keys('C-c');
  expect(await p.waitExit()).toBe(130);
  expectTerminalRestored(p, stty);
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
      else out.push(`${rel}${e.name}`);
    }
  };
  walk(dir, '');
  return out.sort();
}

const LONG_IMAGE = 'registry.example.com/platform-team/a-rather-long-repository-name-for-the-api:1.4.2';

/**
 * Types a long value into the focused field, makes the terminal narrower, then as wide as before
 * (#22.6): each time the screen holds one frame (one header line, no old one piled above) with no
 * line past the edge, and the value wraps under its own column, never back to column 0.
 */
async function resizeKeepsOneFrame(p: Pane, label: string, value: string) {
  await p.type(value);
  await p.waitFor(value);
  for (const width of [64, 120]) {
    p.resize(width);
    const s = await p.waitFor((x) => {
      const lines = x.split('\n');
      const at = lines.findIndex((l) => l.includes(`> ${label}`));
      return at >= 0 && lines.filter((l) => l.startsWith('stack-wizard')).length === 1 && lines.slice(at, at + 3).join('').replace(/\s+/g, '').includes(value);
    });
    const screen = p.screen().split('\n');
    expect(screen.filter((l) => l.startsWith('stack-wizard')), s).toHaveLength(1);
    expect(Math.max(...screen.map((l) => stringWidth(l)))).toBeLessThanOrEqual(width);
    const at = screen.findIndex((l) => l.includes(`> ${label}`));
    const col = stringWidth(screen[at]!.slice(0, screen[at]!.indexOf(value.slice(0, 12))));
    expect(col).toBeGreaterThan(stringWidth(label));
    if (width < 120) {
      // The rest of the value on the next line starts under the value's column.
      expect(screen[at + 1]!.slice(0, col).trim()).toBe('');
      expect((screen[at]! + screen[at + 1]!).replace(/\s+/g, '')).toContain(value);
    } else expect(screen[at]).toContain(value);
  }
}

describe('setup in a real terminal', () => {
  test('en, not root: every screen, then the files in ./stack-wizard-demo and nothing else', async () => {
    const w = workDir(true);
    const p = run({ cwd: w.dir, stty: w.stty, asNobody: true, env: { LANG: 'en_US.UTF-8', STACK_WIZARD_STATE_DIR: w.state } });
    await p.waitFor('This host');
    let s = await p.waitFor('Enter continue');
    expect(s).toContain('not running as root');
    await p.keys('Enter');
    await p.waitFor('> Project name');
    await p.type('Demo!');
    await p.keys('Enter');
    await p.waitFor('x lowercase letters, digits and -');
    await p.keys('C-u');
    // The edit keys are in the footer; six Backspaces in one write delete six characters (#22.5).
    await p.waitFor('Backspace delete · Ctrl-U clear · Esc back');
    await p.type('demoqwerty');
    await p.waitFor('> Project name  demoqwerty');
    await p.bytes(...Array<string>(6).fill('7f'));
    await p.waitFor((x) => /> Project name {2}demo\s*$/m.test(x));
    await p.keys('Enter');
    await p.type('not an image');
    await p.keys('Enter');
    await p.waitFor('x not an image reference');
    await p.keys('C-u');
    await resizeKeepsOneFrame(p, 'App image', LONG_IMAGE);
    await p.keys('C-u');
    await p.type('ghcr.io/acme/demo:1.0');
    await p.keys('Enter', 'Enter', 'Enter', 'Right', 'Enter');
    s = await p.waitFor('gives each service');
    await p.keys('Enter');
    await p.waitFor('> Region');
    await p.keys('Enter');
    await p.waitFor('[x] Redis');
    // Past the Redis server choice (#17.4) to the worker.
    await p.keys('Down', 'Down', 'Space');
    await p.waitFor('Worker command');
    await p.keys('Down');
    await p.type('celery -A demo worker');
    // The worker without RabbitMQ takes its jobs from Redis: the screen asks what Redis holds, queue preselected (#22.1).
    await p.waitFor('(*) queue (never evicts)');
    await p.keys('Enter', 'Enter', 'Enter', 'Enter', 'Enter');
    await p.waitFor('> Domain');
    await p.type('bad_domain');
    await p.keys('Enter');
    await p.waitFor('x a host name such as app.example.com');
    await p.keys('C-u');
    await p.type('demo.example.com');
    await p.keys('Enter', 'Enter');
    await p.type('ops@example.com');
    await p.keys('Enter', 'Enter', 'Enter');
    await p.waitFor('> Engine');
    await p.keys('Enter', 'Enter');
    await p.waitFor('[x] Firewall (ufw)');
    await p.keys('Enter', 'Enter', 'Enter', 'Enter');
    await p.waitFor('> Time');
    await p.keys('Escape');
    await p.waitFor('[x] Firewall (ufw)');
    await p.keys('Enter', 'Enter', 'Enter', 'Enter');
    await p.waitFor('> Time');
    await p.keys(...BACKUP_FIELDS_ENTER);
    s = await p.waitFor('Not root: Enter only writes the files into');
    expect(s).toContain('+ docker-compose.yml');
    await p.keys('Tab');
    s = await p.waitFor('What init would run on a server (not run now)');
    expect(s).toContain('/opt/stack-wizard/demo/docker-compose.yml');
    await p.keys('Enter');
    s = await p.waitFor('Next:');
    expect(s).toContain('https://demo.example.com/');
    expect(s).toContain('stack-wizard init --answers');
    await p.keys('Enter');
    expect(await p.waitExit()).toBe(0);
    expectTerminalRestored(p, w.stty);

    const out = join(w.dir, 'stack-wizard-demo');
    // The complete file set (the domain brings the Let's Encrypt renewal units).
    expect(listFiles(out)).toEqual([
      '.env', '.stack-wizard/manifest.json', 'docker-compose.yml', 'mysql/conf.d/stack-wizard.cnf', 'nginx/conf.d/default.conf', 'nginx/nginx.conf',
      'redis/redis.conf', 'stack-wizard.yaml', 'systemd/stack-wizard-demo-certbot.service', 'systemd/stack-wizard-demo-certbot.timer',
    ]);
    const env = statSync(join(out, '.env'));
    expect(env.mode & 0o777).toBe(0o600);
    expect(env.uid).toBe(65534);
    const answers = readFileSync(join(out, 'stack-wizard.yaml'), 'utf8');
    for (const want of ['project: "demo"', 'image: "ghcr.io/acme/demo:1.0"', 'runtime: "python-asgi"', 'worker: true', '- "celery"', 'domain: "demo.example.com"', 'email: "ops@example.com"']) {
      expect(answers).toContain(want);
    }
    expect(readFileSync(join(out, 'docker-compose.yml'), 'utf8')).toContain('worker:');
    // The safe default: nothing but the local folder.
    expect(existsSync(w.state)).toBe(false);
    expect(existsSync('/opt/stack-wizard/demo')).toBe(false);
    expect(readdirSync(w.dir).sort()).toEqual(['stack-wizard-demo']);
  });

  test('zh-CN from LANG, with --out and answer flags: Chinese screens that line up, given answers skipped', async () => {
    const w = workDir();
    const out = join(w.dir, 'out');
    const p = run({
      cwd: w.dir,
      stty: w.stty,
      env: { LANG: 'zh_CN.UTF-8', STACK_WIZARD_STATE_DIR: w.state },
      args: ['--out', out, '--project', 'shop', '--db-engine', 'mariadb', '--db-version', '11.4', '--region', 'global'],
    });
    await p.waitFor('Enter 继续');
    let s = await p.waitFor('操作系统');
    // Values start in one column although the labels mix CJK (two columns each) and Latin.
    const labels = ['操作系统', 'CPU 核数', '内存', '磁盘', 'Docker', 'SSH 端口', 'Web 端口'];
    const cols = labels.map((l) => {
      const line = p.screen().split('\n').find((x) => x.trimStart().startsWith(l))!;
      expect(line, l).toBeDefined();
      const rest = line.slice(line.indexOf(l) + l.length);
      return stringWidth(line.slice(0, line.indexOf(l) + l.length)) + (rest.length - rest.trimStart().length);
    });
    expect(new Set(cols).size).toBe(1);
    expect(s).toContain('第 1 步，共 8 步');
    await p.keys('Enter');
    s = await p.waitFor('项目与应用');
    expect(s).toContain('shop (已指定)');
    expect(s).toContain('Backspace 删除  |  Ctrl-U 清空  |  Esc 返回');
    // A burst: text and three Backspaces in one write (#22.5), then a resize on this screen (#22.6).
    await p.type('ghcr.io/acme/shop:2.0');
    await p.bytes(...[...Buffer.from('xyz')].map((b) => b.toString(16)), '7f', '7f', '7f');
    await p.waitFor((x) => /> 应用镜像\s+ghcr\.io\/acme\/shop:2\.0\s*$/m.test(x));
    await p.keys('C-u');
    await resizeKeepsOneFrame(p, '应用镜像', LONG_IMAGE);
    await p.keys('C-u');
    await p.type('ghcr.io/acme/shop:2.0');
    await p.keys('Enter', 'Enter', 'Enter', 'Enter');
    await p.waitFor('为各服务分配的资源');
    await p.keys('Enter');
    // Redis without a worker: a cache, asked in Chinese (#22.1).
    await p.waitFor('(*) 缓存（淘汰旧键）');
    // Redis, its server (#17.4), worker, RabbitMQ, what Redis holds, MinIO, monitoring.
    await p.keys('Enter', 'Enter', 'Enter', 'Enter', 'Enter', 'Enter', 'Enter');
    await p.waitFor('不填域名则通过服务器 IP 地址以 HTTP 提供服务');
    await p.keys('Enter', 'Enter', 'Enter');
    // The database screen is skipped: both of its answers were given.
    s = await p.waitFor('防火墙始终为 sshd 实际监听的 SSH 端口放行');
    await p.keys('Enter', 'Enter', 'Enter', 'Enter');
    await p.waitFor('每天备份数据库和数据卷');
    await p.keys(...BACKUP_FIELDS_ENTER);
    s = await p.waitFor(`按 Enter 只会把文件写入 ${out}`);
    expect(s).toContain('第 8 步，共 8 步');
    await p.keys('Enter');
    s = await p.waitFor('接下来');
    expect(s).toContain('http://');
    expect(s).toContain('权限 0600；从不显示');
    await p.keys('Enter');
    expect(await p.waitExit()).toBe(0);
    expectTerminalRestored(p, w.stty);
    const answers = readFileSync(join(out, 'stack-wizard.yaml'), 'utf8');
    expect(answers).toContain('engine: "mariadb"');
    expect(answers).toContain('version: "11.4"');
    expect(answers).toContain('image: "ghcr.io/acme/shop:2.0"');
    expect(existsSync(w.state)).toBe(false);
  });
});

describe('mirrors in a real terminal', () => {
  test('mainland China: the candidates with the latency measured against loopback mirrors; the dead one says so', async () => {
    // Docker Hub mirrors are judged on the plan's images: the registry lab serves them (pinned through images:).
    const base = { project: 'mm', app: { image: 'a/b:1' } };
    const [m, lab] = await Promise.all([startMirrorServers([{ name: 'fast', mode: 'ok', size: 64 * 1024 }]), startRegistryLab(base, { personalities: ['ok'] })]);
    try {
      const w = workDir();
      const cat = join(w.dir, 'mirrors.yaml');
      const dead = `http://127.0.0.1:${await freePort()}`;
      writeFileSync(cat, `- { kind: registry, id: fast, name: "Fast Hub", url: "${lab.url('ok')}" }\n- { kind: registry, id: gone, name: "Gone Hub", url: "${dead}" }\n- { kind: npm, id: npmfast, name: "NPM Fast", url: "${m.url('fast')}" }\n`);
      const answers = join(w.dir, 'answers.json');
      writeFileSync(answers, JSON.stringify({ ...base, images: lab.overrides }));
      const out = join(w.dir, 'out');
      const p = run({ cwd: w.dir, stty: w.stty, env: { LANG: 'en_US.UTF-8', STACK_WIZARD_STATE_DIR: w.state, STACK_WIZARD_MIRROR_CATALOG: cat }, args: ['--out', out, '--answers', answers] });
      await p.waitFor('Enter continue');
      await p.keys('Enter');
      await p.waitFor('> App port');
      await p.keys('Enter', 'Enter', 'Enter');
      await p.waitFor('gives each service');
      await p.keys('Enter');
      await p.waitFor('> Region');
      await p.keys('Right');
      let s = await p.waitFor((x) => /Fast Hub {2}http:\/\/127\.0\.0\.1:\d+ {2}\d+ ms/.test(x) && /NPM Fast .* \d+ ms/.test(x) && !x.includes('Measuring'));
      expect(s).toMatch(/Mirror: registry +< Fast Hub/);
      await p.keys('Down', 'Right');
      s = await p.waitFor('Gone Hub');
      expect(s).toContain(`Gone Hub  ${dead}  no answer`);
      await p.keys('C-c');
      expect(await p.waitExit()).toBe(130);
      expect(existsSync(out)).toBe(false);
    } finally {
      await Promise.all([m.stop(), lab.stop()]);
    }
  });
});

describe('interrupting and odd terminals', () => {
  test.each([
    ['en', 'en_US.UTF-8'],
    ['zh-CN', 'zh_CN.UTF-8'],
  ] as const)('Ctrl-C in the middle (%s): exit 130, no file written, the terminal restored', async (lang, LANG) => {
    const tr = translator(lang);
    const w = workDir();
    const out = join(w.dir, 'out');
    const p = run({ cwd: w.dir, stty: w.stty, env: { LANG, STACK_WIZARD_STATE_DIR: w.state }, args: ['--out', out, '--project', 'cc', '--image', 'a/b:1'] });
    await p.waitFor(`Enter ${tr('ui.k.continue')}`);
    await p.keys('Enter');
    await p.waitFor(`> ${tr('ui.f.appPort')}`);
    await p.keys('Enter', 'Enter', 'Enter');
    await p.waitFor(tr('ui.preset.gives', { preset: '\u0000' }).split('\u0000')[1]!.trim());
    await p.keys('Enter');
    await p.waitFor(`> ${tr('ui.f.region')}`);
    await p.keys('Enter');
    await p.waitFor('[x] Redis');
    await p.keys('C-c');
    expect(await p.waitExit()).toBe(130);
    expect(p.joined().replace(/\s+/g, ' ')).toContain(tr('ui.interrupted').replace(/\s+/g, ' '));
    expectTerminalRestored(p, w.stty);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(w.dir)).toEqual([]);
  });

  test('Ctrl-C on the review screen, with the files prepared but not confirmed: nothing written', async () => {
    const w = workDir();
    const out = join(w.dir, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'docker-compose.yml'), 'name: "old"\n');
    const p = run({
      cwd: w.dir,
      stty: w.stty,
      env: { LANG: 'en_US.UTF-8', STACK_WIZARD_STATE_DIR: w.state },
      args: ['--out', out, '--project', 'rv', '--image', 'a/b:1', '--app-port', '8000', '--health', '/health', '--runtime', 'node', '--preset', 'auto', '--region', 'global', '--components', 'redis', '--cache-engine', 'redis', '--redis-mode', 'cache', '--domain', 'none', '--tls', 'none', '--http-port', '8080', '--https-port', '8443', '--db-engine', 'mysql', '--db-version', '8.4', '--firewall', 'on', '--fail2ban', 'on', '--ssh-port', 'auto', '--backup-schedule', '03:00', '--backup-keep', '7'],
    });
    await p.waitFor('step 1 of 2');
    await p.waitFor('Enter continue');
    await p.keys('Enter');
    await p.waitFor('~ docker-compose.yml');
    await p.keys('C-c');
    expect(await p.waitExit()).toBe(130);
    expectTerminalRestored(p, w.stty);
    expect(readdirSync(out)).toEqual(['docker-compose.yml']);
    expect(readFileSync(join(out, 'docker-compose.yml'), 'utf8')).toBe('name: "old"\n');
  });

  test('CI=true but a real terminal: every frame is still drawn and keys work', async () => {
    const w = workDir();
    const p = run({ cwd: w.dir, stty: w.stty, ci: true, env: { LANG: 'en_US.UTF-8', STACK_WIZARD_STATE_DIR: w.state }, args: ['--out', join(w.dir, 'out')] });
    await typeNameThenInterrupt(p, w.stty, 'ci-run');
  });

  test('stdin piped while a terminal exists (curl … | bash): keys come from /dev/tty', async () => {
    const w = workDir();
    const p = run({ cwd: w.dir, stty: w.stty, pipeStdin: true, env: { LANG: 'en_US.UTF-8', STACK_WIZARD_STATE_DIR: w.state }, args: ['init', '--out', join(w.dir, 'out')] });
    await typeNameThenInterrupt(p, w.stty, 'piped');
  });

  test('an installed stack opens the maintenance menu; reconfigure is prefilled; Quit exits 0', async () => {
    const w = workDir();
    mkdirSync(w.state);
    const installDir = join(w.dir, 'opt-shop');
    mkdirSync(installDir);
    writeFileSync(join(installDir, 'stack-wizard.yaml'), 'project: shop\napp:\n  image: ghcr.io/acme/shop:3.1\n');
    writeFileSync(join(w.state, 'shop.json'), JSON.stringify({ project: 'shop', installDir, answers: join(installDir, 'stack-wizard.yaml'), templateVersion: 1 }));
    const p = run({ cwd: w.dir, stty: w.stty, env: { LANG: 'en_US.UTF-8', STACK_WIZARD_STATE_DIR: w.state } });
    let s = await p.waitFor('Maintenance');
    expect(s).toContain(`Stack "shop" in ${installDir}`);
    expect(s).toContain('Reconfigure');
    // Reconfigure sits after the maintenance entries (status, security, …).
    const at = MAINTENANCE_MENU.findIndex((e) => e.id === 'reconfigure');
    await p.keys(...Array<string>(at).fill('Down'), 'Enter');
    s = await p.waitFor('Project and app');
    expect(s).toContain('shop (given)');
    expect(s).toContain('ghcr.io/acme/shop:3.1');
    await p.keys('Escape');
    await p.waitFor('Maintenance');
    // Quit is the last entry; Down stops there, wherever the cursor starts.
    const entries = MAINTENANCE_MENU.length;
    await p.keys(...Array<string>(entries + 1).fill('Down'), 'Enter');
    expect(await p.waitExit()).toBe(0);
    expectTerminalRestored(p, w.stty);
  });
});

describe('without any terminal', () => {
  /**
   * `stack-wizard …` in a new session with stdin a pipe that stays open and is never written: no
   * controlling terminal, so /dev/tty cannot open, and a program that waited for input would wait
   * for ever. A hang is caught by the limit; it is generous so a loaded machine's slow start is not
   * mistaken for one (the time itself is a benchmark: npm run bench first-frame).
   */
  function noTty(args: string[], o: { limitMs?: number; lang?: string } = {}): Promise<{ code: number | null; stderr: string; ms: number; stdinOpen: boolean }> {
    const limitMs = o.limitMs ?? 20_000;
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const env: NodeJS.ProcessEnv = { ...process.env, LANG: o.lang ?? 'en_US.UTF-8' };
      delete env.CI;
      delete env.LC_ALL;
      const child = spawn('setsid', ['-w', process.execPath, bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // Its stdin is never written and never closed while it runs: it must not wait for input.
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`still running after ${limitMs} ms with its stdin open; stderr so far: ${stderr}`));
      }, limitMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr, ms: Date.now() - started, stdinOpen: !child.stdin.writableEnded });
        child.stdin.destroy();
      });
    });
  }

  test.each([
    ['en', 'en_US.UTF-8'],
    ['zh-CN', 'zh_CN.UTF-8'],
  ] as const)('stack-wizard (%s) exits 2 at once naming the flags to pass, stdin open and unread', async (lang, LANG) => {
    const r = await noTty([], { lang: LANG });
    expect(r.stdinOpen).toBe(true);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(translator(lang)('err.noTerminal', { command: 'stack-wizard' }));
    expect(r.stderr).toContain('--answers');
    expect(r.stderr).toContain('--project');
  });

  test('init exits 2 the same way, naming init', async () => {
    const r = await noTty(['init', '--project', 'x']);
    expect(r.stdinOpen).toBe(true);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stack-wizard init --answers FILE --yes');
  });

  test('with --yes and the answers as flags it asks nothing and renders', async () => {
    const w = workDir();
    const out = join(w.dir, 'out');
    // This one probes the host and renders: not a hang check, so it gets the time that takes.
    const r = await noTty(['init', '--project', 'flags', '--image', 'a/b:1', '--yes', '--out', out], { limitMs: 30000 });
    expect(r.stdinOpen).toBe(true);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, 'stack-wizard.yaml'), 'utf8')).toContain('project: "flags"');
  });

  test.each([
    ['en', 'en_US.UTF-8', 'app.image (--image): is required'],
    ['zh-CN', 'zh_CN.UTF-8', 'app.image (--image): '],
  ] as const)('with --yes and an answer missing (%s), the error names its flag', async (lang, LANG, want) => {
    const r = await noTty(['--project', 'flags', '--yes'], { lang: LANG });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(want);
    expect(r.stderr).toContain(translator(lang)('err.wizardIncomplete', { count: 1 }));
  });
});
