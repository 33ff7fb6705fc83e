// The stack as an operator installs it, in the lab: a lab answers file (MariaDB 10.11 and the lab's
// images, which honour the official images' contracts), and the figures the bench reports: wall
// time from `init` to healthy, and the peak memory of the stack's containers while it starts.
import type { Server } from '../../lab/lab.js';
import { IMAGES } from '../../lab/lab.js';

export const PROJECT = 'labshop';
export const INSTALL_DIR = `/opt/stack-wizard/${PROJECT}`;
export const ANSWERS = '/root/lab/answers.yaml';
export const BROKEN_ANSWERS = '/root/lab/answers-broken.yaml';

/** The lab answers: engine mariadb 10.11 (the official mysql image cannot exist here) and `images:` overrides. */
export function labAnswers(appImage: string = IMAGES.app): string {
  return [
    '# The e2e lab stack: the lab images stand in for the official ones (same contracts).',
    `project: ${PROJECT}`,
    'preset: 4g',
    'region: global',
    'app:',
    `  image: ${appImage}`,
    '  port: 8000',
    '  health: /health',
    '  runtime: python-wsgi',
    'database: { engine: mariadb, version: "10.11" }',
    'images:',
    `  mysql: ${IMAGES.mariadb}`,
    `  redis: ${IMAGES.redis}`,
    `  nginx: ${IMAGES.nginx}`,
    'components: { redis: true, worker: false, rabbitmq: false, minio: false, monitoring: false }',
    'security: { firewall: false, fail2ban: false }',
    '',
  ].join('\n');
}

export const STACK_IMAGES = [IMAGES.mariadb, IMAGES.redis, IMAGES.nginx, IMAGES.app, IMAGES.appBroken];

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, kB: 1000, MB: 1000 ** 2, GB: 1000 ** 3 };
/** "33.5MiB / 1.2GiB" → bytes used. */
export function parseMemUsage(s: string): number {
  const m = /^([\d.]+)\s*([A-Za-z]+)/.exec(s.trim());
  return m ? Math.round(Number(m[1]) * (UNITS[m[2]!] ?? 1)) : 0;
}

/**
 * Samples the memory of the project's containers (as `docker stats` counts it: page cache
 * excluded) on the server's engine until stopped; the peak is the largest sum over one sample.
 */
export function sampleMemory(server: Server, project: string): { stop(): Promise<{ peakBytes: number; samples: number; perService: Record<string, number> }> } {
  let running = true;
  let peak = 0;
  let samples = 0;
  const perService: Record<string, number> = {};
  const loop = (async () => {
    while (running) {
      const r = await server.docker(['stats', '--no-stream', '--format', '{{.Name}}\t{{.MemUsage}}'], { allowFail: true, timeoutMs: 30_000 });
      const rows = r.stdout.split('\n').filter((l) => l.startsWith(`${project}-`)).map((l) => l.split('\t') as [string, string]);
      if (rows.length) {
        samples++;
        let sum = 0;
        for (const [name, use] of rows) {
          const b = parseMemUsage(use);
          sum += b;
          const svc = name.slice(project.length + 1).replace(/-\d+$/, '');
          perService[svc] = Math.max(perService[svc] ?? 0, b);
        }
        peak = Math.max(peak, sum);
      }
      if (running) await new Promise((res) => setTimeout(res, 250));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { peakBytes: peak, samples, perService };
    },
  };
}

export interface InitRun { exitCode: number; stdout: string; stderr: string; wallMs: number }

export async function runInit(server: Server, answers: string, env: Record<string, string> = {}): Promise<InitRun> {
  const t0 = performance.now();
  const r = await server.exec(['stack-wizard', 'init', '--yes', '--answers', answers], { allowFail: true, timeoutMs: 900_000, env: { LANG: 'C.UTF-8', ...env } });
  return { ...r, wallMs: Math.round(performance.now() - t0) };
}
