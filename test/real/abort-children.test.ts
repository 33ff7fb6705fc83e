// Ctrl-C while a command runs: the wizard exits 130 and the command does not outlive it, even one
// that ignores SIGTERM and SIGINT and has children of its own.
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterEach, beforeAll, expect, test } from 'vitest';
import { Pane, sleep } from './tmux.js';

const ROOT = new URL('../..', import.meta.url).pathname;
let fixture = '';
const panes: Pane[] = [];

beforeAll(async () => {
  // Bundled like the product (scripts/build.mjs): YAML as text, React's production build, no devtools.
  fixture = join(mkdtempSync(join(tmpdir(), 'sw-fix-')), 'wizard-with-child.mjs');
  await build({
    entryPoints: [join(ROOT, 'test/real/fixtures/wizard-with-child.ts')],
    outfile: fixture,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    loader: { '.yaml': 'text', '.tmpl': 'text' },
    define: { __VERSION__: '"test"', 'process.env.DEV': '"false"', 'process.env.NODE_ENV': '"production"' },
    external: ['cpu-features', '*.node'],
    plugins: [{
      name: 'no-ink-devtools',
      setup(b) {
        b.onResolve({ filter: /^\.\/devtools\.js$/ }, (a) => (a.importer.includes('/node_modules/ink/') ? { path: 'x', namespace: 'stub' } : undefined));
        b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export {};' }));
      },
    }],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
});
afterEach(() => {
  for (const p of panes.splice(0)) p.kill();
});

/** Child pids of `pid`, from /proc. */
function children(pid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
/** A process running this very Node binary (by its executable: Node 24 names its main thread MainThread, not node). */
const isNode = (pid: number) => {
  try {
    return readlinkSync(`/proc/${pid}/exe`) === realpathSync(process.execPath);
  } catch {
    return false;
  }
};
const comm = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
};
/** Alive and not a zombie. */
const running = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

test('Ctrl-C ends the wizard with 130 and its running command with it', async () => {
  const work = mkdtempSync(join(tmpdir(), 'sw-abort-'));
  const exitFile = join(work, 'status');
  const p = new Pane(exitFile);
  panes.push(p);
  p.start(`sh -c 'env -u CI ${process.execPath} ${fixture} ${join(work, 'out')}; echo $? > ${exitFile}.exit; sleep 60'`);
  await p.waitFor('Enter continue');
  const shell = Number(p.display('#{pane_pid}'));
  const node = children(shell).find(isNode);
  expect(node, 'the wizard process').toBeDefined();
  const sleeper = children(node!).find((c) => comm(c) === 'sleep');
  expect(sleeper, 'the running command').toBeDefined();
  expect(running(sleeper!)).toBe(true);

  await p.keys('C-c');
  expect(await p.waitExit()).toBe(130);
  for (let i = 0; i < 60 && running(sleeper!); i++) await sleep(50);
  expect(running(sleeper!)).toBe(false);
});

/** Signals a process ignores, from /proc/PID/status (SigIgn is a hex mask, bit N-1 for signal N). */
const ignores = (pid: number, signo: number) => {
  const m = /^SigIgn:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? (BigInt(`0x${m[1]}`) >> BigInt(signo - 1)) & 1n : 0n;
};

test('Ctrl-C while a command ignores SIGTERM: it and its children are killed before the wizard exits 130', async () => {
  const work = mkdtempSync(join(tmpdir(), 'sw-abort-'));
  const exitFile = join(work, 'status');
  const p = new Pane(exitFile);
  panes.push(p);
  p.start(`sh -c 'env -u CI ${process.execPath} ${fixture} ${join(work, 'out')} stubborn; echo $? > ${exitFile}.exit; sleep 60'`);
  await p.waitFor('Enter continue');
  const shell = Number(p.display('#{pane_pid}'));
  const node = children(shell).find(isNode);
  expect(node, 'the wizard process').toBeDefined();
  const cmd = children(node!).find((c) => comm(c) === 'sh');
  expect(cmd, 'the running command').toBeDefined();
  let sleepers: number[] = [];
  for (let i = 0; i < 100 && sleepers.length < 2; i++) {
    sleepers = children(cmd!).filter((c) => comm(c) === 'sleep');
    if (sleepers.length < 2) await sleep(50);
  }
  expect(sleepers, 'the command\'s own children').toHaveLength(2);
  const all = [cmd!, ...sleepers];
  // They would survive SIGTERM and the terminal's SIGINT: only SIGKILL ends them.
  for (const pid of all) {
    expect(ignores(pid, 15), `${pid} ignores SIGTERM`).toBe(1n);
    expect(ignores(pid, 2), `${pid} ignores SIGINT`).toBe(1n);
  }

  await p.keys('C-c');
  expect(await p.waitExit(20_000)).toBe(130);
  // The wizard waited for them: by the time its exit status is written, none is left.
  expect(all.filter(running)).toEqual([]);
  expect(children(node!)).toEqual([]);
});
