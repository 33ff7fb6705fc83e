// Writes a release's npm integrity into a copy of install.sh (#15.6): the published installer then
// installs only that very package. Run at release, after `npm pack` (or `npm publish`) of the
// same sources:
//
//   node scripts/stamp-installer.mjs stack-wizard-X.Y.Z.tgz OUT/install.sh
//
// The package carries install.sh too, unstamped (its own hash cannot be inside it), so the copy
// served at the install URL is this stamped one. The tarball's version must be the one install.sh
// installs by default (SW_VERSION), else the pin would name another release. Tests stamp their own
// `npm pack` the same way (test/e2e/installer/lab.ts); STACK_WIZARD_INTEGRITY overrides it at run time.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const [tgz, out, source = new URL('../install.sh', import.meta.url).pathname] = process.argv.slice(2);
if (!tgz || !out) {
  process.stderr.write('usage: node scripts/stamp-installer.mjs PACKAGE.tgz OUT/install.sh [install.sh]\n');
  process.exit(2);
}

const integrity = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
const pkg = JSON.parse(execFileSync('tar', ['-xzOf', tgz, 'package/package.json'], { encoding: 'utf8' }));
const text = readFileSync(source, 'utf8');
const version = /SW_VERSION=\$\{STACK_WIZARD_VERSION:-([^}]+)\}/.exec(text)?.[1];
if (pkg.name !== 'stack-wizard' || pkg.version !== version) {
  process.stderr.write(`${tgz} is ${pkg.name}@${pkg.version}; install.sh installs stack-wizard@${version}\n`);
  process.exit(1);
}
const block = /( *)# sw-stamp-begin\n[\s\S]*?# sw-stamp-end\n/;
const m = block.exec(text);
if (!m) {
  process.stderr.write(`${source}: no "# sw-stamp-begin … # sw-stamp-end" block\n`);
  process.exit(1);
}
const pad = m[1];
const stamped = text.replace(block, `${pad}# sw-stamp-begin\n${pad}SW_CLI_PIN_FOR=${version}\n${pad}SW_CLI_PIN_INTEGRITY='${integrity}'\n${pad}# sw-stamp-end\n`);
writeFileSync(out, stamped, { mode: 0o644 });
process.stdout.write(`${out}: stack-wizard@${version} ${integrity}\n`);
