// ESLint (flat config) with typescript-eslint: the rules CI runs by `npm run lint`. The layer
// rules between folders are dependency-cruiser's (.dependency-cruiser.cjs); this file adds what
// a module-level tool cannot see: which fs functions a module names.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// node:fs functions that change the host: only the Executor (src/exec/) calls them.
const FS_WRITES = [
  'appendFile', 'appendFileSync', 'chmod', 'chmodSync', 'chown', 'chownSync', 'copyFile', 'copyFileSync', 'cp', 'cpSync',
  'createWriteStream', 'fchmod', 'fchmodSync', 'fchown', 'fchownSync', 'ftruncate', 'ftruncateSync', 'futimes', 'futimesSync',
  'lchown', 'lchownSync', 'link', 'linkSync', 'lutimes', 'lutimesSync', 'mkdir', 'mkdirSync', 'mkdtemp', 'mkdtempSync',
  'rename', 'renameSync', 'rm', 'rmSync', 'rmdir', 'rmdirSync', 'symlink', 'symlinkSync', 'truncate', 'truncateSync',
  'unlink', 'unlinkSync', 'utimes', 'utimesSync', 'write', 'writeFile', 'writeFileSync', 'writeSync', 'writev', 'writevSync',
];
const fsWrites = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises'].map((name) => ({
  name,
  importNames: FS_WRITES,
  message: 'Writes go through the Executor (src/exec/), which has a dry-run twin (docs/ARCHITECTURE.md#layers).',
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test/.cache/', 'test/.dev/', 'test/.bench-build/', '.lab/', 'out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly',
        clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly',
        AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly',
        queueMicrotask: 'readonly', fetch: 'readonly', structuredClone: 'readonly', NodeJS: 'readonly',
        performance: 'readonly', Response: 'readonly', Request: 'readonly', Headers: 'readonly',
      },
    },
    rules: {
      // `_`-prefixed names are deliberately unused (a parameter kept for its position).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/exec/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: fsWrites }],
      // A whole-module import would reach the write functions by name: fs is imported function by function.
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value=/^(node:)?fs(\\/promises)?$/] > :matches(ImportDefaultSpecifier, ImportNamespaceSpecifier)",
          message: 'Import fs functions by name outside src/exec/ (its write functions belong to the Executor).',
        },
      ],
    },
  },
  {
    // Screens get data and callbacks: no Executor, no probe, no command line (the controller has them).
    // src/ui/wizard/ and src/ui/model/ hold what app.tsx held (the wizard's state and its pure model).
    files: ['src/ui/screens/**/*.tsx', 'src/ui/components.tsx', 'src/ui/form.tsx', 'src/ui/app.tsx', 'src/ui/wizard/**/*.{ts,tsx}', 'src/ui/model/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: fsWrites,
          patterns: [{ group: ['**/exec/*', '**/host/probe*', '**/commands/*', '**/cli*'], message: 'Screens get data and callbacks from the controller (src/ui/types.ts).' }],
        },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
  },
);
