// The domain screen's port check on a real controller: a real listening socket on this machine,
// found with ss and without it. Moved from the unit suite's forms.test.tsx (docs/ARCHITECTURE.md#tests).
import { cleanup, render } from 'ink-testing-library';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { App } from '../../../src/ui/app.js';
import type { WizardController } from '../../../src/ui/types.js';
import { DryRunExecutor } from '../../../src/exec/executor.js';
import { KEY, controllerFor, flat, plain, press, waitFlat, waitText } from '../../unit/ui/helpers.js';

afterEach(() => cleanup());

describe('ports checked on this server (the domain screen, a real controller)', () => {
  /** Every screen before the domain answered by flags: welcome, then the domain screen. */
  const draft = { project: 'shop', app: { image: 'a/b:1', port: 8000, health: '/health', runtime: 'node' }, preset: 'auto', region: 'global', components: { redis: true, worker: false, rabbitmq: false, minio: false, monitoring: false } };
  const given = new Set(['project', 'app', 'preset', 'region', 'components', 'cache']);
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server?.close());

  async function toHttpPort(controller: WizardController) {
    const r = render(<App controller={controller} stacks={[]} draft={draft} given={given} onExit={() => {}} onAbort={() => {}} />);
    const frame = plain(r.lastFrame);
    await waitText(frame, 'Enter continue');
    await press(r.stdin, KEY.enter);
    await waitText(frame, 'HTTP port');
    await press(r.stdin, KEY.enter, KEY.enter, KEY.ctrlU, String(port), KEY.enter);
    return { ...r, frame };
  }

  test('a port another program listens on is refused, naming the program (ss)', async () => {
    const { controller } = controllerFor({ isRoot: true });
    const { frame } = await toHttpPort(controller);
    const f = await waitFlat(frame, `port ${port} is in use by`);
    expect(flat(f)).toMatch(new RegExp(`port ${port} is in use by (node|vitest)\\b`));
    expect(f).not.toContain('Engine');
  });

  test('without ss (Debian minbase): /proc/net/tcp still tells, and the program is found by its socket', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'sw-no-ss-'));
    symlinkSync('/usr/bin/find', join(bin, 'find'));
    const saved = process.env.PATH;
    process.env.PATH = bin;
    try {
      const { controller } = controllerFor({ isRoot: true });
      const checks = await controller.checkPorts([port, 1]);
      expect(checks[0]).toMatchObject({ port, inUse: true });
      expect(checks[0]!.process).toMatch(/^(node|vitest)/);
      // Port 1 (tcpmux) is not served here: free, and said so only because the table was read.
      expect(checks[1]).toEqual({ port: 1, inUse: false, process: null });
      const { frame } = await toHttpPort(controller);
      await waitFlat(frame, `port ${port} is in use by`);
    } finally {
      process.env.PATH = saved;
    }
  });

  test('nothing to look with: said once as a warning, never taken as free silently; Enter again goes on', async () => {
    class Blind extends DryRunExecutor {
      override async query(cmd: string, args: readonly string[], opts?: Parameters<DryRunExecutor['query']>[2]) {
        return cmd === 'ss' ? { exitCode: 127, stdout: '', stderr: 'ss: not found', timedOut: false } : super.query(cmd, args, opts);
      }
      override async readFile(path: string) {
        return path.startsWith('/proc/net/') ? null : super.readFile(path);
      }
    }
    const { controller } = controllerFor({ isRoot: true, exec: new Blind() });
    expect(await controller.checkPorts([port])).toEqual([{ port, inUse: null, process: null }]);
    const { frame, stdin } = await toHttpPort(controller);
    const f = await waitFlat(frame, `whether port ${port} is free cannot be told here`);
    expect(f).toMatch(/! whether port/);
    expect(f).not.toContain('Engine');
    await press(stdin, KEY.enter);
    await waitText(frame, 'Engine');
  });
});
