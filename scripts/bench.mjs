// `npm run bench`: performance figures (docs/TESTING.md#performance), each an independent measurement that
// prints one labelled line. `node scripts/bench.mjs help first-frame` runs only those; `--json`
// prints the figures as JSON too. Add a measurement by adding one entry to SECTIONS.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/stack-wizard.js');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;
const quietEnv = () => {
  const env = { ...process.env, LANG: 'en_US.UTF-8' };
  // Ink draws only the last frame when it believes it runs in CI; the wizard hides CI itself,
  // but the measurement should not depend on that.
  delete env.CI;
  return env;
};

/** Runs the CLI to completion `n` times; the median wall time. */
function timeCli(args, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: quietEnv() });
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Bundles a snippet the way scripts/build.mjs bundles the CLI, runs it, returns its JSON output. */
async function harness(code) {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'sw-bench-'));
  const out = join(dir, 'h.mjs');
  await build({
    stdin: { contents: code, resolveDir: ROOT, loader: 'ts' },
    outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20.19',
    loader: { '.yaml': 'text', '.tmpl': 'text' }, define: { __VERSION__: '"bench"' }, external: ['cpu-features', '*.node'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
  try {
    return JSON.parse(execFileSync(process.execPath, [out], { encoding: 'utf8', env: quietEnv() }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts the wizard on a pseudo-terminal (util-linux `script`) and times until `marker` appears
 * on it; then Ctrl-C ends it. The pty gets a real size, as a terminal has.
 */
function timeToScreen(markers, outDir) {
  return new Promise((resolve, reject) => {
    const cmd = `stty cols 120 rows 40; exec ${process.execPath} ${BIN} --out ${outDir}`;
    const t0 = performance.now();
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: quietEnv() });
    let seen = '';
    const found = {};
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ${markers.filter((m) => !(m in found)).join(', ')} after 20 s`));
    }, 20000);
    child.stdout.on('data', (d) => {
      // Colours and cursor moves sit between words; compare the text alone.
      seen += d.toString().replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');
      for (const m of markers) if (!(m in found) && seen.includes(m)) found[m] = performance.now() - t0;
      // Ctrl-C ends it (script passes its input on once the pipe is closed).
      if (markers.every((m) => m in found) && !child.stdin.writableEnded) child.stdin.end('\u0003');
    });
    child.on('close', () => {
      clearTimeout(timer);
      if (markers.every((m) => m in found)) resolve(found);
      else reject(new Error(`the wizard ended before ${markers.join(', ')} appeared:\n${seen.slice(-500)}`));
    });
  });
}

/**
 * The wizard with no terminal at all (a new session, stdin a pipe left open and never written):
 * the time until it has exited 2 naming the flags (the issue asks for within two seconds).
 */
function timeNoTerminal(lang) {
  return new Promise((resolve, reject) => {
    const env = { ...quietEnv(), LANG: lang };
    const t0 = performance.now();
    const child = spawn('setsid', ['-w', process.execPath, BIN], { stdio: ['pipe', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the wizard without a terminal still runs after 20 s'));
    }, 20000);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      clearTimeout(timer);
      child.stdin.destroy();
      if (code !== 2 || !stderr.includes('--answers')) reject(new Error(`expected exit 2 naming the flags, got ${code}: ${stderr}`));
      else resolve(ms);
    });
  });
}

const SECTIONS = [
  {
    name: 'help',
    async run() {
      return { '--help (median of 9, target < 300 ms)': ms(timeCli(['--help'], 9)), '--version (median of 9)': ms(timeCli(['--version'], 9)) };
    },
  },
  {
    name: 'probe',
    async run() {
      const r = await harness(`
        import { probeHost } from './src/host/probe.ts';
        import { RealExecutor } from './src/exec/executor.ts';
        const times = [];
        for (let i = 0; i < 5; i++) {
          const t0 = performance.now();
          await probeHost(new RealExecutor(), { installDir: '/opt/stack-wizard', env: process.env, ports: [80, 443] });
          times.push(performance.now() - t0);
        }
        console.log(JSON.stringify(times));
      `);
      return { 'host probe in-process (median of 5, target < 500 ms)': ms(median(r)), 'probe --json whole process (median of 5)': ms(timeCli(['probe', '--json'], 5)) };
    },
  },
  {
    name: 'render',
    async run() {
      const r = await harness(`
        import { readFileSync } from 'node:fs';
        import { parseAnswers } from './src/domain/load.ts';
        import { buildPlan } from './src/domain/plan.ts';
        import { renderAll } from './src/render/index.ts';
        import { ensureSecrets } from './src/domain/secrets.ts';
        import { probeHost } from './src/host/probe.ts';
        import { RealExecutor } from './src/exec/executor.ts';
        import { translator } from './src/i18n/index.ts';
        const answers = parseAnswers(readFileSync('examples/answers.yaml', 'utf8'), 'examples/answers.yaml', translator('en'));
        const facts = await probeHost(new RealExecutor(), { installDir: '/opt/stack-wizard', env: process.env });
        const times = [];
        for (let i = 0; i < 50; i++) {
          const t0 = performance.now();
          const plan = buildPlan(answers, facts);
          const secrets = ensureSecrets(plan, {}, (n) => new Uint8Array(n).fill(7));
          renderAll({ plan, answers, secrets });
          times.push(performance.now() - t0);
        }
        console.log(JSON.stringify(times));
      `);
      return { 'plan + render of the complete file set (median of 50, target < 50 ms)': ms(median(r)) };
    },
  },
  {
    name: 'first-frame',
    async run() {
      const out = mkdtempSync(join(tmpdir(), 'sw-bench-ff-'));
      const first = [];
      const report = [];
      try {
        for (let i = 0; i < 5; i++) {
          const r = await timeToScreen(['Welcome', 'Enter continue'], join(out, `o${i}`));
          first.push(r.Welcome);
          report.push(r['Enter continue']);
        }
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
      const noTty = { en: [], zh: [] };
      for (let i = 0; i < 5; i++) {
        noTty.en.push(await timeNoTerminal('en_US.UTF-8'));
        noTty.zh.push(await timeNoTerminal('zh_CN.UTF-8'));
      }
      return {
        'wizard first frame on a terminal (median of 5, target < 500 ms)': ms(median(first)),
        'wizard host report shown (median of 5)': ms(median(report)),
        'no terminal, stdin open: exit 2 naming the flags, en (median of 5, target < 2 s)': ms(median(noTty.en)),
        'no terminal, stdin open: exit 2 naming the flags, zh-CN (median of 5, target < 2 s)': ms(median(noTty.zh)),
      };
    },
  },
  {
    // What the e2e suite needs: a Docker engine, the lab images, tmux (scripts/bench-installer.mjs).
    name: 'installer',
    async run() {
      const { benchInstaller } = await import('./bench-installer.mjs');
      const r = await benchInstaller({ runs: 3 });
      const f = (x) => `${(x.medianMs / 1000).toFixed(2)} s (min ${(x.minMs / 1000).toFixed(2)}, max ${(x.maxMs / 1000).toFixed(2)})`;
      return {
        [`curl | bash → wizard welcome screen, no Node.js: Node ${r.nodeVersion} (${(r.nodeTarballBytes / 1e6).toFixed(0)} MB) + package from a warm mirror, fresh Debian 12 container (median of 3)`]: f(r.fresh),
        'curl | bash → wizard welcome screen, re-run when all is current (median of 3)': f(r.current),
      };
    },
  },
  {
    name: 'package',
    async run() {
      const [p] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
      const bundle = readFileSync(join(ROOT, 'dist/stack-wizard.js')).length;
      return {
        'npm pack: tarball': `${(p.size / 1024).toFixed(0)} KiB`,
        'npm pack: unpacked': `${(p.unpackedSize / 1024).toFixed(0)} KiB in ${p.entryCount} files`,
        'bundle dist/stack-wizard.js': `${(bundle / 1024).toFixed(0)} KiB`,
      };
    },
  },
  {
    // #16.7: Docker Hub mirrors judged image by image (3 images) against Debian's docker-registry on loopback,
    // behind nginx (limit_rate) and a stalling proxy; dead ones refuse or never accept. Targets: ≤ 5 s with
    // any number of dead candidates, ≤ 10 s with several slow; the /v2/-only check (what the usual checkers
    // do) on the same candidates for the ratio.
    name: 'registry-probe',
    async run() {
      const r = await harness(`
        import { craftImage, pushImage, startDockerRegistry, startNginx } from './test/real/helpers/registry-lab.ts';
        import { spawn } from 'node:child_process';
        import { freePort } from './test/support/proc.ts';
        import { probeMirrors } from './src/host/mirror-probe.ts';
        import { probeTarget } from './src/domain/mirrors.ts';
        import { hubImages } from './src/domain/registry.ts';
        const hub = await startDockerRegistry();
        const stops = [() => hub.stop()];
        try {
        const refs = [];
        for (const [repo, tag] of [['library/mysql', '9.7'], ['library/redis', '8.0'], ['library/nginx', '1.30']]) {
          refs.push(repo.replace('library/', '') + ':' + tag + '@' + (await pushImage(hub.url, repo, tag, craftImage(repo))));
        }
        const accept = Array.from({ length: 5 }, (_, i) => ({ name: 'accept' + i, mode: 'slow-accept', delayMs: 60000 }));
        // test/real/helpers/mirror-server.mjs by its path (a bundle's import.meta.url is elsewhere).
        const servers = [...accept, { name: 'stall', mode: 'stall-proxy', upstream: hub.url, after: 200 * 1024 }, { name: 'stall2', mode: 'stall-proxy', upstream: hub.url, after: 64 * 1024 }];
        const child = spawn(process.execPath, [${JSON.stringify(join(ROOT, 'test/real/helpers/mirror-server.mjs'))}, JSON.stringify({ servers })], { stdio: ['pipe', 'pipe', 'inherit'] });
        const sp = await new Promise((res) => { let b = ''; child.stdout.on('data', (d) => { b += d; if (b.includes(String.fromCharCode(10))) res(JSON.parse(b).ports); }); });
        const stall = { url: (n) => 'http://127.0.0.1:' + sp[n], stop: async () => { child.stdin.end(); child.kill(); } };
        stops.push(() => stall.stop());
        const ports = { ok: await freePort(), ok2: await freePort() };
        for (let i = 0; i < 4; i++) ports['slow' + i] = await freePort();
        const block = (p, extra) => '  server { listen 127.0.0.1:' + p + '; location / { proxy_pass ' + hub.url + '; proxy_set_header Host $http_host; ' + extra + ' } }';
        const nginx = await startNginx(Object.entries(ports).map(([n, p]) => block(p, n.startsWith('slow') ? 'proxy_buffering on; limit_rate ' + (64 + 64 * Number(n.slice(4))) + 'k;' : '')).join(String.fromCharCode(10)), ports.ok);
        stops.push(() => nginx.stop());
        const refused = [];
        for (let i = 0; i < 10; i++) refused.push(await freePort());
        const entry = (id, url) => ({ kind: 'registry', id, name: id, url });
        const dead = [...refused.map((p, i) => entry('refused' + i, 'http://127.0.0.1:' + p)), ...accept.map((a) => entry(a.name, stall.url(a.name)))];
        const slow = [entry('ok', 'http://127.0.0.1:' + ports.ok), entry('ok2', 'http://127.0.0.1:' + ports.ok2), ...[0, 1, 2, 3].map((i) => entry('slow' + i, 'http://127.0.0.1:' + ports['slow' + i])), entry('stall', stall.url('stall')), entry('stall2', stall.url('stall2'))];
        const target = (imgs) => probeTarget({ id: 'debian', codename: 'bookworm', idLike: [] }, 'x64', imgs);
        const images = hubImages(refs);
        const time = async (entries, imgs) => { const t0 = performance.now(); const res = await probeMirrors(entries, target(imgs)); return { ms: performance.now() - t0, res }; };
        const out = {};
        const runs = { dead: [], slow: [], v2: [] };
        for (let i = 0; i < 3; i++) {
          runs.dead.push(await time(dead, images));
          runs.slow.push(await time([...slow, ...dead], images));
          runs.v2.push(await time([...slow, ...dead], []));
        }
        const med = (xs) => [...xs].sort((a, b) => a.ms - b.ms)[1];
        out.dead = med(runs.dead).ms; out.slow = med(runs.slow).ms; out.v2 = med(runs.v2).ms;
        out.classes = med(runs.slow).res.map((r) => r.id + '=' + r.class).join(' ');
        console.log(JSON.stringify(out));
        } finally {
          await Promise.all(stops.map((f) => f()));
        }
      `);
      return {
        'registry probe, 3 images, 15 dead candidates (median of 3, target ≤ 5 s)': ms(r.dead),
        'registry probe, 3 images, 2 ok + 4 slow + 2 stalling + 15 dead (median of 3, target ≤ 10 s)': ms(r.slow),
        '/v2/-only check of the same 23 (the usual checkers; ratio)': `${ms(r.v2)} (×${(r.slow / r.v2).toFixed(1)} for the protocol check)`,
        'classes found': r.classes.replace(/refused\d+=dead |accept\d+=dead ?/g, '').trim() + ' (+15 dead)',
      };
    },
  },
  {
    // A generated 1 GiB database in the lab: backup and restore against mariadb-dump | gzip, minutes (scripts/bench-backup.mjs).
    name: 'backup',
    async run() {
      const { runBackupBench } = await import('./bench-backup.mjs');
      return (await runBackupBench()).figures;
    },
  },
  {
    // Updates of the lab app under a client loop through Nginx, and `docker compose up -d` beside them (scripts/bench-update.mjs).
    name: 'update',
    async run() {
      const { runUpdateBench } = await import('./bench-update.mjs');
      return (await runUpdateBench()).figures;
    },
  },
  {
    // A lab server is started and the whole stack brought up: minutes, not milliseconds (scripts/bench-e2e.mjs).
    name: 'e2e',
    async run() {
      const { benchE2e, e2eFigures } = await import('./bench-e2e.mjs');
      return e2eFigures(await benchE2e());
    },
  },
];

const args = process.argv.slice(2);
const json = args.includes('--json');
const only = args.filter((a) => !a.startsWith('--'));
const unknown = only.filter((n) => !SECTIONS.some((s) => s.name === n));
if (unknown.length) {
  console.error(`unknown section(s): ${unknown.join(', ')}; known: ${SECTIONS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

// Measure the current sources: build first (the build itself is not measured).
execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });

const all = {};
let failed = false;
for (const s of SECTIONS) {
  if (only.length && !only.includes(s.name)) continue;
  try {
    const figures = await s.run();
    Object.assign(all, figures);
    const w = Math.max(...Object.keys(figures).map((k) => k.length));
    for (const [k, v] of Object.entries(figures)) console.log(`${s.name.padEnd(12)} ${k.padEnd(w)}  ${v}`);
  } catch (e) {
    failed = true;
    console.log(`${s.name.padEnd(12)} FAILED: ${e instanceof Error ? e.message : String(e)}`);
  }
}
if (json) writeFileSync(1, `${JSON.stringify(all, null, 2)}\n`);
process.exit(failed ? 1 : 0);
