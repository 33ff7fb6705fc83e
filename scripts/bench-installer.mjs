#!/usr/bin/env node
// Benchmark: `curl -fsSL <url>/install.sh | bash` → the wizard's welcome screen, on a warm mirror,
// in fresh Debian 12 containers of the e2e lab (test/e2e/installer/bench.ts says how).
//
//   node scripts/bench-installer.mjs [--runs N] [--json]
//
// Needs what the e2e suite needs: a Docker engine (test/provision/dockerd.sh), the lab images
// (built when missing), tmux. `npm run bench` calls benchInstaller() as its installer section.
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = new URL('..', import.meta.url).pathname;

/** Bundles the TypeScript bench (and the lab it uses) with esbuild and runs it. */
export async function benchInstaller(opts = {}) {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'sw-bench-inst-'));
  try {
    const out = join(dir, 'bench.mjs');
    await build({
      entryPoints: [join(ROOT, 'test/e2e/installer/bench.ts')], outfile: out, bundle: true, platform: 'node', format: 'esm',
      target: 'node20.19', logLevel: 'warning',
      // Each module finds the project (and the mirror server) from its own source file's URL.
      plugins: [{
        name: 'own-file-url',
        setup(b) {
          b.onLoad({ filter: /\.ts$/ }, async (a) => ({
            contents: (await readFile(a.path, 'utf8')).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(a.path).href)),
            loader: 'ts',
          }));
        },
      }],
    });
    const { benchInstaller: bench } = await import(pathToFileURL(out).href);
    return await bench(opts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const formatStat = (s) =>
  `median ${(s.medianMs / 1000).toFixed(2)} s (min ${(s.minMs / 1000).toFixed(2)}, max ${(s.maxMs / 1000).toFixed(2)}, ${s.runs} runs)`;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } });
  const r = await benchInstaller({ runs: Math.max(1, Number(values.runs)) });
  if (values.json) process.stdout.write(`${JSON.stringify({ installer: r }, null, 2)}\n`);
  else {
    process.stdout.write(
      [
        'installer: curl | bash → the wizard\'s welcome screen (warm loopback-side mirror, fresh Debian 12 container)',
        `  no Node.js (Node ${r.nodeVersion} ${(r.nodeTarballBytes / 1e6).toFixed(0)} MB + ${r.package}): ${formatStat(r.fresh)}`,
        `  re-run, everything current:                ${formatStat(r.current)}`,
        '',
      ].join('\n'),
    );
  }
}
