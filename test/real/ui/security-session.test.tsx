// The security screen fills fail2ban's ignoreip from this SSH session, through a real controller on
// the real Executor (it asks this host who is logged in). Moved from the unit suite's
// security-wizard.test.tsx (docs/ARCHITECTURE.md#tests).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { parse } from 'yaml';
import { RealExecutor } from '../../../src/exec/executor.js';
import { App } from '../../../src/ui/app.js';
import { KEY, controllerFor, facts, plain, press, waitFlat, waitFor, waitText } from '../../unit/ui/helpers.js';

afterEach(() => cleanup());

const DRAFT = {
  project: 'shop', app: { image: 'a/b:1', port: 8000, health: '/health', runtime: 'node' }, preset: '4g', region: 'global',
  components: { redis: true, worker: false, rabbitmq: false, minio: false, monitoring: false }, ports: { http: 8080, https: 8443 }, tls: 'none',
  database: { engine: 'mysql', version: '8.4' }, backup: { keep: 7, schedule: '03:00' },
};
const OVER_SSH = () => facts({ session: { sshClientAddress: '198.51.100.7', sshServerPort: 22 } });
const GIVEN = new Set(['project', 'app', 'preset', 'region', 'components', 'cache', 'domain', 'tls', 'ports', 'database', 'backup']);

describe('the security screen offers the operator’s address for fail2ban’s ignoreip', () => {
  test('filled in from this SSH session, editable, and saved to security.ignoreIp in the answers', async () => {
    // The facts as the probe gives them over SSH: SSH_CONNECTION says 198.51.100.7.
    const c = controllerFor({ facts: OVER_SSH(), isRoot: false, exec: new RealExecutor() });
    const r = render(<App controller={c.controller} stacks={[]} draft={DRAFT} given={GIVEN} onExit={vi.fn()} onAbort={vi.fn()} />);
    const frame = plain(r.lastFrame);
    await waitText(frame, 'This host');
    await press(r.stdin, KEY.enter);
    await waitText(frame, '[x] Firewall (ufw)');
    await waitFor(frame, (x) => /Never ban +198\.51\.100\.7/.test(x), 'the operator’s address offered');
    await press(r.stdin, KEY.down, KEY.down, KEY.down);
    await waitFlat(frame, 'your address from this SSH session is filled in');
    // Keep it and add the office network.
    await press(r.stdin, ' 10.8.0.0/16', KEY.enter);
    await waitText(frame, 'files in');
    await press(r.stdin, KEY.enter);
    await waitText(frame, 'Next:');
    const saved = parse(readFileSync(join(c.dir, 'stack-wizard-shop', 'stack-wizard.yaml'), 'utf8')) as { security: { ignoreIp: string[] } };
    expect(saved.security.ignoreIp).toEqual(['198.51.100.7', '10.8.0.0/16']);
  });
});
