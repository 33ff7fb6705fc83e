// Real-engine helpers: tiny images built from Debian's busybox-static (no registry needed), a real
// Docker registry (Debian's docker-registry, distribution 2.8) on loopback, free ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, output } from '../../support/proc.js';

export { freePort };

/** A quick command's stdout (throws with its stderr when it fails). */
export const sh = (cmd: string, args: string[], input?: string) => output([cmd, ...args], { input });

/**
 * Imports a busybox-only image (about 2 MB) as `tag`, with `cmd` as its CMD and a small web root
 * at /www whose index says `marker`. Every applet is a symlink, so sh, wget, httpd and sleep work.
 */
export function busyboxImage(tag: string, cmd: string[], marker = tag): void {
  const root = mkdtempSync(join(tmpdir(), 'sw-bb-'));
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'www'));
  mkdirSync(join(root, 'tmp'));
  copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
  chmodSync(join(root, 'bin', 'busybox'), 0o755);
  for (const applet of sh('/bin/busybox', ['--list']).split('\n').filter(Boolean)) {
    if (applet !== 'busybox') symlinkSync('busybox', join(root, 'bin', applet));
  }
  writeFileSync(join(root, 'www', 'index.html'), `${marker}\n`);
  writeFileSync(join(root, 'www', 'health'), 'ok\n');
  const tar = join(tmpdir(), `${root.split('/').pop()}.tar`);
  sh('tar', ['-C', root, '-cf', tar, '.']);
  sh('docker', ['import', '--change', `CMD ${JSON.stringify(cmd)}`, '--change', 'ENV PATH=/bin', tar, tag]);
}

export interface Registry { port: number; url: string; stop(): Promise<void>; proc: ChildProcess }

/** A real registry (distribution 2.8) on 127.0.0.1:port, storing in a temp folder. */
export async function startRegistry(): Promise<Registry> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sw-registry-'));
  const cfg = join(dir, 'config.yml');
  writeFileSync(
    cfg,
    ['version: 0.1', 'log: { level: warn }', 'storage:', `  filesystem: { rootdirectory: ${join(dir, 'data')} }`, '  delete: { enabled: true }', 'http:', `  addr: 127.0.0.1:${port}`, ''].join('\n'),
  );
  const proc = spawn('docker-registry', ['serve', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.ok, () => false);
    if (ok) break;
    if (proc.exitCode !== null) throw new Error(`docker-registry exited: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
    if (i === 99) throw new Error(`docker-registry did not answer on ${port}: ${err}`);
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    proc,
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

export function rmImages(...refs: string[]) {
  for (const r of refs) {
    try {
      sh('docker', ['rmi', '-f', r]);
    } catch {
      // not there
    }
  }
}
