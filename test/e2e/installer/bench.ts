// The installer's benchmark (run by scripts/bench-installer.mjs and `npm run bench`): the time
// from `curl -fsSL <url>/install.sh | bash` to the wizard's welcome screen on a warm mirror. Each
// run is a fresh bare Debian 12 from the lab; the mirror server on the lab network's gateway
// serves install.sh, a Node.js dist built from this machine's Node and the packed project; tmux
// drives `docker exec -it`, and the clock runs from starting the command to the screen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMirrorRoot, firstScreen, inTmux, InstallerLab, startMirror } from './lab.js';

export interface Stat {
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}
export interface InstallerBench {
  nodeVersion: string;
  nodeTarballBytes: number;
  package: string;
  /** No Node.js: Node dist + package downloaded, verified, unpacked, installed, then the wizard. */
  fresh: Stat;
  /** The same server again: everything current, straight to the wizard. */
  current: Stat;
}

const stat = (xs: number[]): Stat => {
  const s = [...xs].sort((a, b) => a - b);
  return { runs: s.length, medianMs: Math.round(s[Math.floor(s.length / 2)]!), minMs: Math.round(s[0]!), maxMs: Math.round(s.at(-1)!) };
};

export async function benchInstaller({ runs = 3, log = (s: string) => void process.stderr.write(`${s}\n`) } = {}): Promise<InstallerBench> {
  const tmp = mkdtempSync(join(tmpdir(), 'sw-bench-installer-'));
  log('installer bench: preparing the lab images, the Node.js dist and the package (cached after the first time)…');
  const [il, { node, pkg }] = await Promise.all([InstallerLab.create(), buildMirrorRoot(join(tmp, 'root'))]);
  const mirror = await startMirror(join(tmp, 'root'), il.gateway, { log: join(tmp, 'requests.log') });
  const env = { NODE_MIRROR: `${mirror.url}/node`, NPM_REGISTRY: `${mirror.url}/npm/`, STACK_WIZARD_NODE_VERSION: node.version };
  const envFlags = Object.entries(env).map(([k, v]) => `-e ${k}=${v}`).join(' ');
  const times = { fresh: [] as number[], current: [] as number[] };
  try {
    // Run 0 is not timed: it warms the page cache and the server (the mirror is "warm").
    for (let i = 0; i <= runs; i++) {
      const name = await il.server(`bench${i}`);
      for (const which of ['fresh', 'current'] as const) {
        const t = await inTmux(`docker exec -it ${envFlags} ${name} bash -c 'curl -fsSL ${mirror.url}/install.sh | bash'`, {
          until: firstScreen('en'),
          timeoutMs: 300_000,
        });
        t.kill();
        if (!t.matched) throw new Error(`the welcome screen did not appear (${which}):\n${t.screen}`);
        if (i > 0) times[which].push(t.ms);
      }
    }
  } finally {
    mirror.stop();
    await il.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  }
  return { nodeVersion: node.version, nodeTarballBytes: node.bytes, package: `${pkg.name}@${pkg.version}`, fresh: stat(times.fresh), current: stat(times.current) };
}
