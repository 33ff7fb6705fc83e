// "The next release" for the update test: this checkout built by its own build script
// (scripts/build.mjs, unchanged) with TEMPLATE_VERSION in src/domain/versions.ts bumped, as a
// developer does when generated output changes. The copy lives in a temp folder; node_modules,
// presets and templates are linked, not copied. Returns the bundle's path.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lab/lab.js';

export function currentTemplateVersion(): number {
  const m = /export const TEMPLATE_VERSION = (\d+);/.exec(readFileSync(join(PROJECT_ROOT, 'src/domain/versions.ts'), 'utf8'));
  if (!m) throw new Error('src/domain/versions.ts: TEMPLATE_VERSION not found');
  return Number(m[1]);
}

export function buildWithTemplateVersion(version: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'sw-template-bump-'));
  cpSync(join(PROJECT_ROOT, 'src'), join(dir, 'src'), { recursive: true });
  cpSync(join(PROJECT_ROOT, 'scripts'), join(dir, 'scripts'), { recursive: true });
  cpSync(join(PROJECT_ROOT, 'package.json'), join(dir, 'package.json'));
  for (const d of ['node_modules', 'presets', 'templates']) if (existsSync(join(PROJECT_ROOT, d))) symlinkSync(join(PROJECT_ROOT, d), join(dir, d));
  const file = join(dir, 'src/domain/versions.ts');
  const text = readFileSync(file, 'utf8');
  const bumped = text.replace(/export const TEMPLATE_VERSION = \d+;/, `export const TEMPLATE_VERSION = ${version};`);
  if (bumped === text) throw new Error('src/domain/versions.ts: TEMPLATE_VERSION not found');
  writeFileSync(file, bumped);
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, stdio: 'pipe', timeout: 300_000 });
  return join(dir, 'dist/stack-wizard.js');
}
