#!/usr/bin/env node
// Thin entry: all code lives in one bundled file, so `npx` installs nothing else.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`stack-wizard needs Node.js 20.19 or newer (this is ${process.version}).\n` +
    `stack-wizard 需要 Node.js 20.19 或更高版本（当前 ${process.version}）。\n`);
  process.exit(3);
}
await import('../dist/stack-wizard.js');
