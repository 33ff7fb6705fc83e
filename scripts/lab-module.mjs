// The lab benches are TypeScript under test/e2e/support; node runs them once esbuild has bundled
// them, beside test/ so the lab finds the project root relative to itself, as under vitest.
import { build } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Imports test/e2e/support/<name>.ts; the bundle is removed once loaded. */
export async function importLabModule(name) {
  const dir = join(root, 'test', '.bench-build');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${name}.mjs`);
  try {
    await build({
      entryPoints: [join(root, 'test/e2e/support', `${name}.ts`)],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'warning',
    });
    return await import(pathToFileURL(out).href);
  } finally {
    rmSync(out, { force: true });
  }
}
