// Bundles src/main.ts into dist/stack-wizard.js: one ESM file, no runtime dependencies, so `npx`
// downloads a single small package and Node starts it without resolving node_modules.
// Also writes schema/answers.schema.json from the zod schema (for editors).
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const schemaOnly = process.argv.includes('--schema-only');
// --outfile=F bundles to F only (tests build a private copy; the schema is left alone).
const outArg = process.argv.find((a) => a.startsWith('--outfile='));
const outfile = outArg ? outArg.slice('--outfile='.length) : 'dist/stack-wizard.js';

// dockerode carries transports the wizard never uses: SSH to a remote engine (ssh2) and BuildKit
// sessions (gRPC, protobuf). They are left out of the bundle, half its size; calling into one
// throws a clear error instead of loading it.
const UNUSED = ['ssh2', '@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs'];
const leaveOut = {
  name: 'leave-out-unused-transports',
  setup(b) {
    const filter = new RegExp(`^(${UNUSED.map((m) => m.replace(/[/@.]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (a) => ({ path: a.path, namespace: 'left-out' }));
    b.onLoad({ filter: /.*/, namespace: 'left-out' }, (a) => ({
      contents: `module.exports = new Proxy({}, { get: (_, k) => k === '__esModule' ? false : function () { throw new Error(${JSON.stringify(`${a.path} is not part of the stack-wizard bundle`)}); } });`,
      loader: 'js',
    }));
  },
};

// zod re-exports all of its ~50 message locales as `z.locales` (260 KB, an eighth of the bundle,
// all compiled at every start); stack-wizard words its own messages and zod only ever uses `en`.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (a) => (a.importer.includes('/node_modules/zod/') ? { path: a.importer, namespace: 'zod-locales' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (a) => ({ contents: "export { default as en } from '../locales/en.js';", resolveDir: dirname(a.path), loader: 'js' }));
  },
};

// Yoga's wasm sits in its JS as a base64 data: URL, which its Emscripten loader fetch()es when a
// global fetch exists (Node 18+): that loads Node's undici and parses the URL through it, ~50 ms of
// the wizard's first frame. Without fetch it decodes the same bytes itself.
const YOGA_FETCH = '"function"!=typeof fetch';
const yogaWithoutFetch = {
  name: 'yoga-without-fetch',
  setup(b) {
    b.onLoad({ filter: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, (a) => {
      const text = readFileSync(a.path, 'utf8');
      // A yoga-layout that loads differently must be looked at again, not silently left slow.
      if (!text.includes(YOGA_FETCH)) throw new Error(`${a.path}: ${YOGA_FETCH} not found; check yoga-without-fetch in scripts/build.mjs`);
      return { contents: text.replaceAll(YOGA_FETCH, '!0'), loader: 'js' };
    });
  },
};

if (!schemaOnly) {
  await build({
    entryPoints: ['src/main.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    minify: true,
    sourcemap: false,
    legalComments: 'linked',
    loader: { '.yaml': 'text', '.tmpl': 'text' },
    // React's production build: its development build is three times larger and slower to load.
    define: { __VERSION__: JSON.stringify(pkg.version), 'process.env.DEV': '"false"', 'process.env.NODE_ENV': '"production"' },
    // ssh2 (via dockerode) loads optional native add-ons in try/catch; we never use SSH transport.
    external: ['cpu-features', '*.node'],
    // Ink loads its devtools (react-devtools-core, ws) only when DEV=true, never in the bundle; an
    // external ESM import would be hoisted and fail at load, so Ink's devtools module is empty here.
    plugins: [leaveOut, zodEnglishOnly, yogaWithoutFetch, {
      name: 'no-ink-devtools',
      setup(b) {
        b.onResolve({ filter: /^\.\/devtools\.js$/ }, (a) => (a.importer.includes('/node_modules/ink/') ? { path: 'ink-devtools', namespace: 'stub' } : undefined));
        b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export {};' }));
      },
    }],
    // CJS dependencies inside an ESM bundle still call require() for Node built-ins.
    // ssh2 (inside dockerode) reads __dirname when it loads: give the bundle the CJS names it expects.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);",
    },
    logLevel: 'warning',
  });
}

if (outArg) process.exit(0);

// The answers JSON Schema, generated from the zod schema so the two never disagree.
const { build: b2 } = await import('esbuild');
const tmp = 'dist/.schema-gen.mjs';
await b2({
  stdin: {
    contents: "import { z } from 'zod'; import { AnswersSchema } from './src/domain/answers.ts'; console.log(JSON.stringify(z.toJSONSchema(AnswersSchema, { io: 'input', unrepresentable: 'any' }), null, 2));",
    resolveDir: '.',
    loader: 'ts',
  },
  outfile: tmp, bundle: true, platform: 'node', format: 'esm', loader: { '.yaml': 'text', '.tmpl': 'text' }, logLevel: 'warning',
});
const { execFileSync } = await import('node:child_process');
const { rmSync } = await import('node:fs');
const schema = JSON.parse(execFileSync(process.execPath, [tmp], { encoding: 'utf8' }));
rmSync(tmp);
schema.$id = 'https://unpkg.com/stack-wizard/schema/answers.schema.json';
schema.title = 'stack-wizard answers file';
mkdirSync('schema', { recursive: true });
writeFileSync('schema/answers.schema.json', `${JSON.stringify(schema, null, 2)}\n`);
