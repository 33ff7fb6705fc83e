// fail2ban's never-ban list on the wizard's security screen: the operator's own address (their SSH
// session) is offered there, can be edited, and is saved to security.ignoreIp in the answers; and
// how that address is found under sudo, which drops SSH_CONNECTION: only logged-in SSH sessions count.
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { loggedInTitle, parseSshConnections } from '../../src/host/security.js';
import { App } from '../../src/ui/app.js';
import { screenSkipped } from '../../src/ui/model/flow.js';
import { FORMS, securityInitial } from '../../src/ui/model/forms.js';
import { KEY, controllerFor, facts, plain, press, waitFor, waitText } from './ui/helpers.js';

afterEach(() => cleanup());

const DRAFT = {
  project: 'shop', app: { image: 'a/b:1', port: 8000, health: '/health', runtime: 'node' }, preset: '4g', region: 'global',
  components: { redis: true, worker: false, rabbitmq: false, minio: false, monitoring: false }, ports: { http: 8080, https: 8443 }, tls: 'none',
  database: { engine: 'mysql', version: '8.4' }, backup: { keep: 7, schedule: '03:00' },
};
const OVER_SSH = () => facts({ session: { sshClientAddress: '198.51.100.7', sshServerPort: 22 } });
const GIVEN = new Set(['project', 'app', 'preset', 'region', 'components', 'cache', 'domain', 'tls', 'ports', 'database', 'backup']);

describe('the security screen offers the operator’s address for fail2ban’s ignoreip', () => {

  test('an entry that is not an address is refused on the screen, naming the field', async () => {
    const c = controllerFor({ facts: OVER_SSH(), isRoot: false });
    const r = render(<App controller={c.controller} stacks={[]} draft={DRAFT} given={GIVEN} onExit={vi.fn()} onAbort={vi.fn()} />);
    const frame = plain(r.lastFrame);
    await waitText(frame, 'This host');
    await press(r.stdin, KEY.enter);
    await waitFor(frame, (x) => /Never ban +198\.51\.100\.7/.test(x), 'the operator’s address offered');
    await press(r.stdin, KEY.enter, KEY.enter, KEY.enter, ' office', KEY.enter);
    await waitText(frame, c.controller.t('v.cidr'));
    expect(frame()).toContain('[x] Firewall (ufw)');
  });

  test('given answers keep their own list; fail2ban off hides it; it never keeps the screen from being skipped', () => {
    expect(securityInitial({}, ['203.0.113.9'])['security.ignoreIp']).toBe('203.0.113.9');
    expect(securityInitial({ security: { ignoreIp: ['10.0.0.0/8'] } }, ['203.0.113.9'])['security.ignoreIp']).toBe('10.0.0.0/8');
    expect(securityInitial({}, [])['security.ignoreIp']).toBe('');
    const hidden = FORMS.security.fields.find((x) => x.path === 'security.ignoreIp')!;
    expect(hidden.visible!({ 'security.fail2ban': false })).toBe(false);
    // --firewall, --fail2ban and --ssh-port given: the screen is skipped as before (the address is still never banned: apply adds it).
    expect(screenSkipped('security', { security: { firewall: true, fail2ban: true, sshPort: 'auto' } }, new Set(['security.firewall', 'security.fail2ban', 'security.sshPort']))).toBe(true);
  });
});

describe('the operator’s address under sudo (no SSH_CONNECTION): logged-in SSH sessions only', () => {
  test('each sshd connection with the processes that hold it', () => {
    const ss = `0      0      172.18.0.2:2222     203.0.113.20:40122 users:(("sshd",pid=811,fd=4),("sshd",pid=806,fd=4))
0      0      172.18.0.2:80       203.0.113.30:50000 users:(("docker-proxy",pid=90,fd=7))
0      0      [::ffff:172.18.0.2]:2222 [::ffff:203.0.113.21]:40123 users:(("sshd-session",pid=900,fd=4))`;
    expect(parseSshConnections(ss)).toEqual([
      { address: '203.0.113.20', port: 2222, pids: [811, 806] },
      { address: '203.0.113.21', port: 2222, pids: [900] },
    ]);
  });

  test('OpenSSH’s process titles tell a logged-in user from a connection still authenticating', () => {
    for (const t of ['sshd: root@pts/0', 'sshd: alice@notty', 'sshd-session: bob@pts/3', 'sshd: deploy@pts/1\0\0']) expect(loggedInTitle(t), t).toBe(true);
    // Pre-authentication: possibly the brute force fail2ban is there to stop; never put into ignoreip.
    for (const t of ['sshd: root [priv]', 'sshd: unknown [priv]', 'sshd: root [preauth]', 'sshd: [accepted]', 'sshd: [net]', 'sshd-session: admin [priv]', '/usr/sbin/sshd -D']) {
      expect(loggedInTitle(t), t).toBe(false);
    }
  });
});
