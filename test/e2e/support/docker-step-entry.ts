// Runs init's Docker step alone on the machine it is started on (a bare Debian container in the
// test), with the docker-ce mirror given as argv[2]; prints each step event and the Executor's
// actions as JSON lines. Bundled by test/e2e/docker-install.test.ts.
import { createContext } from '../../../src/context.js';
import { AnswersSchema } from '../../../src/domain/answers.js';
import { probeHost } from '../../../src/host/probe.js';
import { runSteps } from '../../../src/steps/engine.js';
import { dockerStep } from '../../../src/steps/docker.js';
import { prepare } from '../../../src/steps/prepare.js';
import { WizardError } from '../../../src/errors.js';

const ctx = createContext({ lang: 'en', dryRun: false, interactive: false });
const answers = AnswersSchema.parse({ project: 'dockerstep', app: { image: 'example/app:1' }, installDir: '/opt/dockerstep', mirrors: { 'docker-ce': process.argv[2] } });
const facts = await probeHost(ctx.exec, { installDir: '/opt/dockerstep', env: process.env });
const p = await prepare(ctx, { answers, facts });
let code = 0;
try {
  const reports = await runSteps(ctx, [dockerStep], p, (e) => console.log(JSON.stringify({ event: e })));
  console.log(JSON.stringify({ reports }));
} catch (e) {
  code = e instanceof WizardError ? e.exitCode : 1;
  console.log(JSON.stringify({ error: e instanceof WizardError ? { key: e.key, message: ctx.t(e.key, e.params), details: e.details } : String(e) }));
}
console.log(JSON.stringify({ actions: ctx.exec.actions }));
process.exitCode = code;
