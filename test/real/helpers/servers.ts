// Starts test/real/helpers/mirror-server.mjs as its own process and hands back its ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ServerSpec {
  name: string;
  mode: 'ok' | 'status' | 'stall' | 'static' | 'slow-accept' | 'not-registry' | 'wrong-content' | 'redirect' | 'trickle' | 'stall-proxy' | 'corrupt-proxy';
  /** stall-proxy, corrupt-proxy: the registry it passes requests to. */
  upstream?: string;
  size?: number;
  latencyMs?: number;
  bytesPerSec?: number;
  status?: number;
  after?: number;
  root?: string;
  delayMs?: number;
  to?: string;
  /** trickle: one byte every this many ms. */
  intervalMs?: number;
}

export interface MirrorServers {
  ports: Record<string, number>;
  url(name: string, path?: string): string;
  stop(): Promise<void>;
}

const script = fileURLToPath(new URL('./mirror-server.mjs', import.meta.url));

export async function startMirrorServers(servers: ServerSpec[]): Promise<MirrorServers> {
  const child: ChildProcess = spawn(process.execPath, [script, JSON.stringify({ servers })], { stdio: ['pipe', 'pipe', 'inherit'] });
  const ports = await new Promise<Record<string, number>>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve((JSON.parse(buf.slice(0, nl)) as { ports: Record<string, number> }).ports);
    });
    child.once('exit', (code) => reject(new Error(`mirror-server exited ${code}`)));
  });
  return {
    ports,
    url: (name, path = '') => `http://127.0.0.1:${ports[name]}${path}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
