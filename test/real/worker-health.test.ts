// The worker's default healthcheck, run as Docker runs it (`sh -c`), with GNU grep and with
// busybox (the Alpine images' grep), against a real kernel socket table: healthy while the worker
// holds a connection to its queue's port, unhealthy once it has none. In a network namespace of
// its own, so the queue ports are free whatever else runs on this machine.
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnswersSchema } from '../../src/domain/answers.js';
import { buildPlan } from '../../src/domain/plan.js';
import { workerHealthTest } from '../../src/render/compose.js';
import { makeFacts } from '../fixtures/facts.js';

// Listens on the port, then reports the check's exit code with no connection, with one, and after closing it.
const SCRIPT = `
import net from 'node:net';
import { spawnSync } from 'node:child_process';
const [port, shell, cmd] = process.argv.slice(2);
spawnSync('ip', ['link', 'set', 'lo', 'up']);
const check = () => spawnSync(shell === 'busybox' ? 'busybox' : 'sh', shell === 'busybox' ? ['sh', '-c', cmd] : ['-c', cmd]).status;
const server = net.createServer((s) => s.on('error', () => {})).listen(Number(port), '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const before = check();
const client = net.connect(Number(port), '127.0.0.1');
await new Promise((r) => client.once('connect', r));
const during = check();
client.destroy();
server.close();
await new Promise((r) => setTimeout(r, 200));
const after = check();
console.log(JSON.stringify({ before, during, after }));
`;

function plan(components: Record<string, boolean>) {
  return buildPlan(
    AnswersSchema.parse({ project: 'w', app: { image: 'a/b:1', workerCommand: ['celery', '-A', 'app', 'worker'] }, components: { worker: true, ...components } }),
    makeFacts({ ramMiB: 16384 }),
  );
}

describe('the default worker healthcheck on a real socket table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-worker-health-'));
  const script = join(dir, 'probe.mjs');
  writeFileSync(script, SCRIPT);

  const cases = [
    ['Redis', 6379, { redis: true }],
    ['RabbitMQ', 5672, { redis: true, rabbitmq: true }],
    ['MySQL (no queue server)', 3306, { redis: false }],
  ] as const;
  for (const [queue, port, components] of cases) {
    for (const shell of ['sh', 'busybox'] as const) {
      it(`${queue} on ${port}, ${shell === 'sh' ? 'GNU grep' : 'busybox grep'}: unhealthy without a connection, healthy with one`, () => {
        const test = workerHealthTest(plan(components));
        expect(test[0]).toBe('CMD-SHELL');
        const r = spawnSync('unshare', ['-n', process.execPath, script, String(port), shell, test[1]!], { encoding: 'utf8', timeout: 60_000 });
        expect(r.stderr).toBe('');
        expect(JSON.parse(r.stdout)).toEqual({ before: 1, during: 0, after: 1 });
      });
    }
  }
});
