// .env: the stack's secrets and the compose project name. Mode 0600; values persist across renders.
import type { Plan } from '../domain/plan.js';
import type { Secrets } from '../domain/secrets.js';
import { dotenvValue, secretNames, urlEncodedName, urlSecretNames } from '../domain/secrets.js';
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
      return `${n}=${dotenvValue(v)}`;
    }),
    '# The same passwords percent-encoded, for the URLs the app receives (DATABASE_URL, REDIS_URL, RABBITMQ_URL).',
    ...urlSecretNames(plan).map((n) => `${urlEncodedName(n)}=${dotenvValue(encodeURIComponent(secrets[n]!))}`),
  ];
  return file(HOST.env, `${lines.join('\n')}\n`, SECRET_MODE);
}
