#!/usr/bin/env node
// Benchmark: `curl -fsSL <url>/install.sh | bash` → the wizard's first screen, on a warm mirror.
// Each run is a fresh Debian 12 container (minbase + ca-certificates + curl) on a Docker bridge;
// a real HTTP server process on the bridge's gateway serves install.sh, a Node.js dist built
// from this machine's Node and an npm registry with this project's `npm pack`. tmux drives
// `docker exec -it`, and the time runs from starting the command to the first screen on the pane.
//
//   node scripts/bench-installer.mjs [--runs N] [--json]
//
// Needs a Docker engine (bash test/provision/dockerd.sh), mmdebstrap, tmux; scripts/bench.mjs
// calls this as its installer section.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as lab from '../test/e2e/installer/lab.mjs';

const log = (s) => process.stderr.write(`${s}\n`);

export async function benchInstaller({ runs: n = 3 } = {}) {
  lab.run('bash', [join(lab.repo, 'test/provision/dockerd.sh')]);
  const tmp = mkdtempSync(join(tmpdir(), 'sw-bench-installer-'));
  const root = join(tmp, 'root');
  log('installer bench: preparing images, the Node.js dist and the package (cached after the first time)…');
  const [, { node, pkg }] = await Promise.all([lab.ensureImage(lab.IMAGES.bare), lab.buildMirrorRoot(root)]);
  const nodeTarballBytes = Number(lab.run('stat', ['-Lc', '%s', join(node.dir, node.file)]).trim());
  const net = lab.createNetwork(`swb-${process.pid}-net`);
  const mirror = await lab.startMirror(root, net.gateway, { log: join(tmp, 'requests.log') });
  const env = { NODE_MIRROR: `${mirror.url}/node`, NPM_REGISTRY: `${mirror.url}/npm/`, STACK_WIZARD_NODE_VERSION: node.version };
  const envFlags = Object.entries(env).map(([k, v]) => `-e ${k}=${v}`).join(' ');
  const until = lab.firstScreen('en');
  const cases = {
    fresh: [], // no Node.js: Node dist + package downloaded, verified, unpacked, installed
    current: [], // the same server again: everything current, straight to the wizard
  };
  try {
    // One untimed run warms the page cache and the server (the mirror is "warm").
    for (let i = 0; i <= n; i++) {
      const name = `swb-${process.pid}-${i}`;
      lab.startContainer(lab.IMAGES.bare.tag, net.name, name);
      try {
        for (const which of ['fresh', 'current']) {
          const t = await lab.inTmux(`docker exec -it ${envFlags} ${name} bash -c 'curl -fsSL ${mirror.url}/install.sh | bash'`, {
            until,
            timeoutMs: 300_000,
          });
          t.kill();
          if (!t.matched) throw new Error(`the first screen did not appear (${which}):\n${t.screen}`);
          if (i > 0) cases[which].push(t.ms);
        }
      } finally {
        lab.removeContainer(name);
      }
    }
  } finally {
    mirror.stop();
    net.remove();
    rmSync(tmp, { recursive: true, force: true });
  }
  const stat = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return { runs: s.length, medianMs: Math.round(s[Math.floor(s.length / 2)]), minMs: Math.round(s[0]), maxMs: Math.round(s.at(-1)) };
  };
  return {
    nodeVersion: node.version,
    package: `${pkg.name}@${pkg.version}`,
    nodeTarballBytes,
    fresh: stat(cases.fresh),
    current: stat(cases.current),
  };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } });
  const r = await benchInstaller({ runs: Math.max(1, Number(values.runs)) });
  if (values.json) process.stdout.write(`${JSON.stringify({ installer: r }, null, 2)}\n`);
  else {
    const f = (s) => `median ${(s.medianMs / 1000).toFixed(2)} s (min ${(s.minMs / 1000).toFixed(2)}, max ${(s.maxMs / 1000).toFixed(2)}, ${s.runs} runs)`;
    process.stdout.write(
      [
        'installer: curl | bash → first screen of the wizard (warm loopback mirror, fresh Debian 12 container)',
        `  no Node.js (Node ${r.nodeVersion} ${(r.nodeTarballBytes / 1e6).toFixed(0)} MB + ${r.package}): ${f(r.fresh)}`,
        `  re-run, everything current:                ${f(r.current)}`,
        '',
      ].join('\n'),
    );
  }
}
