// Secrets are generated once into .env and kept on every later render. They never appear in
// answers, plans, logs or any other file; compose passes them to containers by interpolation.
import type { Plan } from './plan.js';

export type Secrets = Readonly<Record<string, string>>;
export type RandomBytes = (n: number) => Uint8Array;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 32 characters from 62 (~190 bits), URL- and shell-safe so they embed in DATABASE_URL as is. */
export function generateSecret(random: RandomBytes, length = 32): string {
  let out = '';
  while (out.length < length) {
    for (const b of random(length * 2)) {
      // Rejection sampling: 248 = 4 × 62 keeps every character equally likely.
      if (b < 248 && out.length < length) out += ALPHABET[b % 62];
    }
  }
  return out;
}

export function secretNames(plan: Plan): string[] {
  const names = ['MYSQL_ROOT_PASSWORD', 'MYSQL_PASSWORD'];
  if (plan.redis) names.push('REDIS_PASSWORD');
  if (plan.components.rabbitmq) names.push('RABBITMQ_PASSWORD');
  if (plan.components.minio) names.push('MINIO_ROOT_PASSWORD');
  if (plan.components.monitoring) names.push('GRAFANA_ADMIN_PASSWORD');
  return names;
}

/** Keeps every existing secret, generates the missing ones. */
export function ensureSecrets(plan: Plan, existing: Secrets, random: RandomBytes): Secrets {
  const out: Record<string, string> = {};
  for (const n of secretNames(plan)) {
    const v = existing[n];
    out[n] = v && /^[A-Za-z0-9]{16,}$/.test(v) ? v : generateSecret(random);
  }
  return out;
}

/** KEY=VALUE lines as docker compose reads them (comments and blank lines skipped, optional quotes). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!;
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out[m[1]!] = v;
  }
  return out;
}

/** Every secret value, for redaction of logs and support bundles. */
export function secretValues(s: Secrets): string[] {
  return Object.values(s).filter((v) => v.length >= 8);
}
