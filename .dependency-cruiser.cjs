// The layer rules of docs/ARCHITECTURE.md#layers, checked by `npm run lint` (dependency-cruiser).
// Layers from the bottom up; a module may import its own layer and the layers below it, never one
// above. Named fs write functions are checked by ESLint (eslint.config.js): this tool sees modules.
/** @type {{ name: string, path: string }[]} */
const LAYERS = [
  { name: 'leaf', path: '^src/(i18n/|errors\\.ts$|version\\.ts$|text-modules\\.d\\.ts$)' },
  { name: 'domain', path: '^src/domain/' },
  { name: 'render', path: '^src/render/' },
  { name: 'exec', path: '^src/exec/' },
  { name: 'context', path: '^src/context\\.ts$' },
  { name: 'host', path: '^src/host/' },
  { name: 'steps', path: '^src/steps/' },
  { name: 'services', path: '^src/services/' },
  { name: 'ui', path: '^src/ui/' },
  { name: 'commands', path: '^src/commands/' },
  { name: 'cli', path: '^src/cli\\.ts$' },
  { name: 'main', path: '^src/main\\.ts$' },
];

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `no-upward-${layer.name}`,
  comment: `${layer.name} imports only itself and the layers below it (docs/ARCHITECTURE.md#layers)`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: LAYERS.slice(i + 1).map((l) => l.path) },
}));

// The programs that change the host, and the modules that read it, by where they may be imported
// (a core module resolves to its name, a package to its path under node_modules).
const EFFECTS = ['^(node:)?child_process$', '(^|/)node_modules/(execa|dockerode)/'];
const PROBES = ['^(node:)?(fs|fs/promises|os|http|https|dns|dns/promises|tls|dgram)$', '(^|/)node_modules/systeminformation/'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import circle ties layers into one knot; break it by moving the shared piece down',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: 'effects-only-in-exec',
      comment: 'execa, dockerode and child processes belong to the Executor (src/exec/) and its dry-run twin',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/exec/' },
      to: { dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], path: EFFECTS },
    },
    {
      name: 'probes-only-in-host',
      comment:
        'Reading the host (files, network, OS) happens in src/host/ (or the Executor); ' +
        'src/ui/terminal.ts opens the terminal the wizard draws on, which is the UI\'s own device',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(host|exec)/', '^src/ui/terminal\\.ts$'] },
      to: { dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], path: PROBES },
    },
    {
      name: 'thin-front-ends',
      comment:
        'Commands and screens reach steps, the Executor and the host through src/services/ (types may be imported). ' +
        'Allowed: steps/engine.ts (the step event model progress screens fold) and host/report.ts (pure text layout of facts)',
      severity: 'error',
      from: { path: '^src/(commands|ui)/' },
      to: {
        path: '^src/(steps|exec|host)/',
        pathNot: ['^src/steps/engine\\.ts$', '^src/host/report\\.ts$'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'ui-never-reenters-argv',
      comment: 'The menu calls services; it never finds a command or parses argv (docs/ARCHITECTURE.md#layers)',
      severity: 'error',
      from: { path: '^src/ui/' },
      to: { path: '^src/(commands/|cli\\.ts$)' },
    },
    // Doctor's areas (docs/ARCHITECTURE.md#adding-a-doctor-check): checks, gatherers and messages
    // of an area import their own area only; `$1` is the area matched in the importing path.
    {
      name: 'doctor-checks-pure',
      comment: 'domain/doctor imports only domain/ and i18n/ (no node: module, no package)',
      severity: 'error',
      from: { path: '^src/domain/doctor/' },
      to: { pathNot: '^src/(domain|i18n)/' },
    },
    {
      name: 'doctor-checks-one-area',
      comment: 'a checks-<area>.ts imports no other area\'s checks (shared vocabulary is in types.ts)',
      severity: 'error',
      from: { path: '^src/domain/doctor/checks-([^/.]+)\\.ts$' },
      to: { path: '^src/domain/doctor/checks-', pathNot: '^src/domain/doctor/checks-$1\\.ts$' },
    },
    {
      name: 'doctor-gather-reads-only',
      comment: 'host/doctor never imports steps, services, commands, ui or exec; its node: imports are reads',
      severity: 'error',
      from: { path: '^src/host/doctor/' },
      to: { path: '^src/(steps|services|commands|ui|exec)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'doctor-gather-node-reads',
      comment: 'host/doctor\'s node: modules: fs/promises (stat, statfs), http(s), tls, dns/promises, crypto, path',
      severity: 'error',
      from: { path: '^src/host/doctor/' },
      to: { dependencyTypes: ['core'], pathNot: '^(node:)?(fs/promises|http|https|tls|dns/promises|crypto|path)$' },
    },
    {
      name: 'doctor-gather-one-area',
      comment: 'a gather-<area>.ts reads its own area\'s checks and no other gather-<area>.ts (areas share through gather.ts)',
      severity: 'error',
      from: { path: '^src/host/doctor/gather-([^/.]+)\\.ts$' },
      to: { path: ['^src/domain/doctor/checks-', '^src/host/doctor/gather-'], pathNot: '^src/domain/doctor/checks-$1\\.ts$' },
    },
    {
      name: 'doctor-catalog-area',
      comment: 'a catalog/doctor/<area>.ts imports only i18n/define.ts',
      severity: 'error',
      from: { path: '^src/i18n/catalog/doctor/' },
      to: { pathNot: '^src/i18n/define\\.ts$' },
    },
    {
      name: 'doctor-gather-from-steps',
      comment: 'only steps/ and the layers above reach the gatherers (host/doctor among itself)',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(steps|services|ui|commands|host/doctor)/', '^src/(cli|main)\\.ts$'] },
      to: { path: '^src/host/doctor/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a missing dependency',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
