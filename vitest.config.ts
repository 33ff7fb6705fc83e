import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// The bundle embeds .yaml/.tmpl files as text (esbuild's text loader); do the same under vitest.
const textFiles = {
  name: 'text-files',
  transform(code: string, id: string) {
    if (/\.(ya?ml|tmpl)$/.test(id)) return { code: `export default ${JSON.stringify(code)};`, map: null };
    return null;
  },
};

export default defineConfig({
  plugins: [textFiles],
  define: { __VERSION__: JSON.stringify(pkg.version) },
  test: {
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
