// Bench section "e2e": `stack-wizard init` of the lab stack (4g preset, MariaDB 10.11, Redis, Nginx,
// the lab app) on the lab's systemd server with its own Docker engine. Reports the wall time from
// `init` to a healthy stack and the peak memory of the stack's containers while it starts (sampled
// with `docker stats`, page cache excluded). Needs root and this machine's Docker engine (npm test
// provisions both); builds the lab images when missing. Run alone: node scripts/bench-e2e.mjs [--json]
import { pathToFileURL } from 'node:url';
import { importLabModule } from './lab-module.mjs';

export async function benchE2e() {
  const { benchApply } = await importLabModule('bench-apply');
  return await benchApply();
}

/** The figures as bench.mjs sections return them: label → value. */
export function e2eFigures(r) {
  const per = Object.entries(r.perServiceMiB).map(([k, v]) => `${k} ${v}`).join(', ');
  return {
    'init to healthy on the lab server, 4g preset (wall time)': `${r.initToHealthyS.toFixed(1)} s`,
    'peak stack memory while starting (docker stats, sum)': `${r.peakMemoryMiB} MiB of ${r.limitsMiB} MiB of container limits (service peaks: ${per}; ${r.samples} samples)`,
  };
}

export function formatE2e(r) {
  const per = Object.entries(r.perServiceMiB).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    'e2e (lab server, 4g preset):',
    `  init to healthy        ${r.initToHealthyS.toFixed(1)} s`,
    `  peak stack memory      ${r.peakMemoryMiB} MiB of ${r.limitsMiB} MiB of limits  (per service peaks, MiB: ${per}; ${r.samples} samples)`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await benchE2e();
  console.log(process.argv.includes('--json') ? JSON.stringify({ e2e: r }, null, 2) : formatE2e(r));
}
