// Bench section "update": updates of the lab app under a steady client loop through Nginx (good
// image with a migration, failing health check, crash at start, failing migration) and plain
// `docker compose up -d` beside them, same run: time to the new version serving, time to the verdict
// on a bad image, failed requests per case. Minutes. Run alone: node scripts/bench-update.mjs [--json]
import { pathToFileURL } from 'node:url';
import { importLabModule } from './lab-module.mjs';

export async function runUpdateBench() {
  const m = await importLabModule('bench-update');
  const r = await m.benchUpdate();
  return { raw: r, figures: m.updateFigures(r) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { raw, figures } = await runUpdateBench();
  if (process.argv.includes('--json')) console.log(JSON.stringify({ update: raw }, null, 2));
  else for (const [k, v] of Object.entries(figures)) console.log(`${k}: ${v}`);
}
