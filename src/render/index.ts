// The complete file set for a plan: pure, sorted, byte-identical for the same inputs.
import { createHash } from 'node:crypto';
import { redisMode, type Answers } from '../domain/answers.js';
import type { Plan } from '../domain/plan.js';
import type { Secrets } from '../domain/secrets.js';
import { byCodePoint } from '../domain/order.js';
import { renderBuildMirrors } from './build-mirrors.js';
import { renderCompose } from './compose.js';
import { renderEnv } from './env.js';
import { toYaml } from './format/yaml.js';
import { renderMinio } from './minio.js';
import { renderMonitoring } from './monitoring.js';
import { renderCertbotUnits } from './certbot.js';
import { renderMysqlCnf } from './mysql.js';
import { renderNginx } from './nginx.js';
import { renderRedisConf } from './redis.js';
import { HOST } from './paths.js';
import { STACK_SECRETS_DIR, renderStack, renderStackSecrets } from './stack.js';
import { SECRET_MODE, file, type RenderedFile } from './types.js';

export interface RenderInput { plan: Plan; answers: Answers; secrets: Secrets }
export type Generator = (input: RenderInput) => RenderedFile | RenderedFile[];

/** One generator per file kind. */
export const GENERATORS: readonly Generator[] = [
  ({ plan }) => renderCompose(plan),
  ({ plan, secrets }) => renderEnv(plan, secrets),
  ({ plan }) => renderMonitoring(plan),
  ({ plan }) => renderBuildMirrors(plan),
  ({ plan }) => renderNginx(plan),
  ({ plan }) => renderCertbotUnits(plan),
  ({ plan }) => renderMysqlCnf(plan),
  ({ plan }) => renderRedisConf(plan),
  ({ plan }) => renderMinio(plan),
  ({ plan }) => renderStack(plan),
  ({ plan, secrets }) => renderStackSecrets(plan, secrets),
  // 0600 like the compose file: it holds app.env too (#15.8). redis.mode written as resolved (queue when
  // Redis is the worker's broker): later commands and readers see the choice.
  ({ answers }) => file(HOST.answers, toYaml({ ...answers, redis: { ...answers.redis, mode: redisMode(answers) } }, 'The answers this stack was rendered from. stack-wizard reads it for every later command.\nyaml-language-server: $schema=https://unpkg.com/stack-wizard/schema/answers.schema.json'), SECRET_MODE),
];

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function renderAll(input: RenderInput): RenderedFile[] {
  const files = GENERATORS.flatMap((g) => g(input)).sort((a, b) => byCodePoint(a.path, b.path));
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) throw new Error(`two generators wrote ${f.path}`);
    seen.add(f.path);
  }
  // The manifest lets doctor and update tell hand edits from our own output. Secrets (.env, the stack's secret files) are not hashed into it.
  const manifest = {
    templateVersion: input.plan.templateVersion,
    files: Object.fromEntries(files.filter((f) => f.path !== HOST.env && !f.path.startsWith(`${STACK_SECRETS_DIR}/`)).map((f) => [f.path, sha256(f.content)])),
  };
  files.push(file(HOST.manifest, `${JSON.stringify(manifest, null, 2)}\n`));
  return files;
}
