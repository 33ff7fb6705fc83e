import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import LabSequencer from './test/lab/sequencer.js';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// The bundle embeds .yaml/.tmpl files as text (esbuild's text loader); do the same under vitest.
const textFiles = {
  name: 'text-files',
  transform(code: string, id: string) {
    if (/\.(ya?ml|tmpl)$/.test(id)) return { code: `export default ${JSON.stringify(code)};`, map: null };
    return null;
  },
};

// The unit project run on its own (npm test, npm run test:unit): its files share their modules
// within a worker, so src, Ink and React are imported once per worker, not once per file (80 s →
// 44 s for the suite here at load 15). The pool's isolation is one setting for every project, so
// it is off only then; the real and e2e files always get a fresh worker each. A unit test therefore
// mocks no module and leaves no global changed (docs/ARCHITECTURE.md#tests).
const args = process.argv.slice(2);
const projects = args.flatMap((a, i) => (a === '--project' ? [args[i + 1]] : a.startsWith('--project=') ? [a.slice(10)] : []));
const unitAlone = projects.length > 0 && projects.every((p) => p === 'unit');

export default defineConfig({
  plugins: [textFiles],
  define: { __VERSION__: JSON.stringify(pkg.version) },
  test: {
    poolOptions: { forks: { isolate: !unitAlone } },
    sequence: { sequencer: LabSequencer },
    projects: [
      // Screen tests type a whole setup through Ink: on a loaded 2-core machine that can pass 5 s.
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.{ts,tsx}'], testTimeout: 30_000, setupFiles: ['test/support/hermetic.ts'] },
      },
      {
        extends: true,
        test: { name: 'real', include: ['test/real/**/*.test.{ts,tsx}'], testTimeout: 120_000, hookTimeout: 300_000 },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.{ts,tsx}'],
          testTimeout: 900_000,
          hookTimeout: 1_800_000,
          // One lab for every file: images checked and the wizard packed once, servers prepared ahead.
          globalSetup: ['test/lab/global-setup.ts'],
        },
      },
    ],
  },
});
