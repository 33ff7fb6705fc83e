// .env: the stack's secrets and the compose project name. Mode 0600; values persist across renders.
import type { Plan } from '../domain/plan.js';
import type { Secrets } from '../domain/secrets.js';
import { secretNames } from '../domain/secrets.js';
import { HOST } from './paths.js';
import { SECRET_MODE, file, type RenderedFile } from './types.js';

export function renderEnv(plan: Plan, secrets: Secrets): RenderedFile {
  const lines = [
    `# stack-wizard: secrets of "${plan.project}". Keep private (mode 0600); never commit or paste it.`,
    '# Generated once; later renders keep these values.',
    `COMPOSE_PROJECT_NAME=${plan.project}`,
    ...secretNames(plan).map((n) => {
      const v = secrets[n];
      if (!v) throw new Error(`secret ${n} missing`);
      return `${n}=${v}`;
    }),
  ];
  return file(HOST.env, `${lines.join('\n')}\n`, SECRET_MODE);
}
