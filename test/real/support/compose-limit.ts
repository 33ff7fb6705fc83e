// A service's memory limit as the rendered docker-compose.yml hands it to the engine: the figure the
// real servers' own memory must fit, read from the file rather than from the plan that sized it.
import { parse } from 'yaml';
import type { Plan } from '../../../src/domain/plan.js';
import { renderCompose } from '../../../src/render/compose.js';

const UNIT = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as const;

/** Bytes; Compose's size syntax (512M, 1.5g, 1073741824). */
export function composeMemoryLimit(plan: Plan, service: string): number {
  const doc = parse(renderCompose(plan).content) as {
    services: Record<string, { deploy?: { resources?: { limits?: { memory?: string | number } } }; mem_limit?: string | number }>;
  };
  const s = doc.services[service];
  if (!s) throw new Error(`docker-compose.yml has no service ${service}`);
  const raw = String(s.deploy?.resources?.limits?.memory ?? s.mem_limit ?? '');
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(raw);
  if (!m) throw new Error(`${service}: no memory limit in docker-compose.yml (${raw || 'none'})`);
  return Math.round(Number(m[1]) * UNIT[m[2]!.toLowerCase() as keyof typeof UNIT]);
}
