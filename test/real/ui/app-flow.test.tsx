// The whole wizard on a real controller: every setup screen in order, going back with Esc,
// Ctrl-C, a port really in use, mirrors with measured latency, and files written at the end.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { RealExecutor } from '../../../src/exec/executor.js';
import { pinnedImage } from '../../../src/domain/releases.js';
import { App } from '../../../src/ui/app.js';
import type { MirrorSource } from '../../../src/ui/types.js';
import { KEY, controllerFor, flat, plain, press, pressToRegion, waitFlat, waitText } from '../../unit/ui/helpers.js';

const servers: Server[] = [];
afterEach(() => {
  cleanup();
  for (const s of servers.splice(0)) s.close();
});

function mount(o: Parameters<typeof controllerFor>[0] & { draft?: Record<string, unknown>; given?: Set<string> } = {}) {
  const c = controllerFor(o);
  const onExit = vi.fn();
  const onAbort = vi.fn();
  const r = render(<App controller={c.controller} stacks={[]} draft={o.draft ?? {}} given={o.given ?? new Set()} onExit={onExit} onAbort={onAbort} />);
  return { ...r, ...c, frame: plain(r.lastFrame), onExit, onAbort };
}

describe('setup flow', () => {
  test('from the welcome screen to files on disk, as a non-root operator', async () => {
    const { frame, stdin, onExit, dir, controller } = mount({ isRoot: false, exec: new RealExecutor() });
    const t = controller.t;
    await waitText(frame, 'This host (vm-test)');
    expect(frame()).toContain('step 1 of 10');
    await press(stdin, KEY.enter);
    await waitText(frame, '> Project name');
    await press(stdin, 'shop', KEY.enter, 'ghcr.io/acme/shop:2.0', KEY.enter, KEY.enter, KEY.enter, KEY.right, KEY.enter);
    await waitText(frame, 'What 4g gives each service');
    await press(stdin, KEY.enter);
    await waitText(frame, '> Region');
    await press(stdin, KEY.enter);
    await waitText(frame, '[x] Redis');
    // Redis, its server (cache.engine), worker, RabbitMQ, what Redis holds (redis.mode), MinIO, monitoring.
    await press(stdin, KEY.enter, KEY.enter, KEY.enter, KEY.enter, KEY.enter, KEY.enter, KEY.enter);
    await waitText(frame, '> Domain');
    await press(stdin, 'shop.example.com', KEY.enter, KEY.enter, 'ops@example.com', KEY.enter, KEY.enter, KEY.enter);
    await waitText(frame, '> Engine');
    await press(stdin, KEY.right, KEY.enter, KEY.enter);
    await waitText(frame, '[x] Firewall (ufw)');
    await press(stdin, KEY.enter, KEY.enter, KEY.enter, KEY.enter);
    await waitText(frame, '> Time');
    // The time, the count, then the drill, the bucket, the channels and the alerts' language as they are.
    await press(stdin, KEY.ctrlU, '02:15', KEY.enter, KEY.enter, ...Array<string>(8).fill(KEY.enter));
    await waitFlat(frame, t('ui.review.localNotRoot', { dir: join(dir, 'stack-wizard-shop') }));
    expect(frame()).toContain('step 10 of 10');
    await press(stdin, KEY.enter);
    const f = await waitText(frame, 'Next:');
    expect(f).toContain('https://shop.example.com/');
    expect(flat(f)).toContain(t('ui.summary.local', { dir: join(dir, 'stack-wizard-shop') }));

    const out = join(dir, 'stack-wizard-shop');
    const saved = readFileSync(join(out, 'stack-wizard.yaml'), 'utf8');
    for (const want of ['project: "shop"', 'image: "ghcr.io/acme/shop:2.0"', 'runtime: "python-asgi"', 'preset: "4g"', 'domain: "shop.example.com"', 'email: "ops@example.com"', 'engine: "mariadb"', 'schedule: "02:15"']) {
      expect(saved).toContain(want);
    }
    expect(statSync(join(out, '.env')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, 'docker-compose.yml'), 'utf8')).toContain(`image: "${pinnedImage('mariadb', '11.4')}"`);
    // Nothing outside the local folder: no registry entry.
    expect(existsSync(join(dir, 'state'))).toBe(false);
    await press(stdin, KEY.enter);
    expect(onExit).toHaveBeenCalledWith(0);
  });

  test('Esc goes back a screen and keeps what was typed there', async () => {
    const { frame, stdin } = mount();
    await waitText(frame, 'This host');
    await press(stdin, KEY.escape);
    expect(frame()).toContain('This host');
    await press(stdin, KEY.enter, 'back-test', KEY.enter, 'a/b:1', KEY.enter, KEY.enter, KEY.enter, KEY.enter);
    await waitText(frame, 'Size preset');
    await press(stdin, KEY.escape);
    const f = await waitText(frame, 'Project and app');
    expect(f).toContain('back-test');
    expect(f).toContain('a/b:1');
    await press(stdin, KEY.escape);
    await waitText(frame, 'This host');
    await press(stdin, KEY.enter);
    await waitText(frame, 'back-test');
    // Typed but not submitted, then Esc: also kept.
    await press(stdin, KEY.down, KEY.ctrlU, 'c/d:2', KEY.escape);
    await waitText(frame, 'Enter continue');
    await press(stdin, KEY.enter);
    await waitText(frame, 'c/d:2');
  });

  test('keys sent all at once (a paste, a script) are not lost when the screen changes under them', async () => {
    const { frame, stdin } = mount();
    await waitText(frame, 'Enter continue');
    // Each key its own read, as from a terminal, but with no pause for timers or effects between
    // them (only the microtasks in which React commits): each new screen and field must take the
    // very next key, before Ink's own listeners would have moved to it.
    for (const k of [KEY.enter, 'fast', KEY.enter, 'ghcr.io/a/fast:1', KEY.enter, KEY.enter, KEY.enter, KEY.enter]) {
      stdin.write(k);
      for (let i = 0; i < 5; i++) await new Promise<void>((r) => queueMicrotask(r));
    }
    await waitText(frame, 'Size preset');
    await press(stdin, KEY.escape);
    const f = await waitText(frame, 'Project and app');
    expect(f).toMatch(/Project name\s+fast\n/);
    expect(f).toContain('ghcr.io/a/fast:1');
  });

  test('text and Enter in one read are the text, then Enter', async () => {
    const { frame, stdin } = mount();
    await waitText(frame, 'Enter continue');
    await press(stdin, KEY.enter);
    await waitText(frame, '> Project name');
    stdin.write('oneread\rghcr.io/a/one:1\r');
    const f = await waitText(frame, '> App port');
    expect(f).toMatch(/Project name\s+oneread\n/);
    expect(f).toMatch(/App image\s+ghcr.io\/a\/one:1\n/);
  });

  test('Ctrl-C asks the caller to end the run (it restores the terminal and exits 130)', async () => {
    const { frame, stdin, onAbort } = mount();
    await waitText(frame, 'This host');
    await press(stdin, KEY.enter, 'x', KEY.ctrlC);
    expect(onAbort).toHaveBeenCalledTimes(1);
  });

  test('--dry-run: the review\'s Enter finishes without writing anything', async () => {
    const draft = { project: 'dry', app: { image: 'a/b:1', port: 8000, health: '/health', runtime: 'node' }, preset: '4g', region: 'global', components: { redis: true, worker: false, rabbitmq: false, minio: false, monitoring: false }, ports: { http: 8080, https: 8443 }, tls: 'none', database: { engine: 'mysql', version: '8.4' }, security: { firewall: true, fail2ban: true, sshPort: 'auto' }, backup: { keep: 7, schedule: '03:00' } };
    const given = new Set(['project', 'app', 'preset', 'region', 'components', 'cache', 'domain', 'tls', 'ports', 'database', 'security', 'backup']);
    const { frame, stdin, dir, onExit } = mount({ draft, given, dryRun: true, isRoot: false, exec: new RealExecutor() });
    await waitText(frame, 'Enter continue');
    await press(stdin, KEY.enter);
    await waitText(frame, 'Dry run: Enter finishes');
    await press(stdin, KEY.enter);
    await waitText(frame, 'Dry run: nothing was changed.');
    expect(existsSync(join(dir, 'stack-wizard-dry'))).toBe(false);
    await press(stdin, KEY.enter);
    expect(onExit).toHaveBeenCalledWith(0);
  });

  test('everything given: straight from the welcome screen to the review', async () => {
    const draft = { project: 'given', app: { image: 'a/b:1', port: 8000, health: '/health', runtime: 'node' }, preset: '4g', region: 'global', components: { redis: true, worker: false, rabbitmq: false, minio: false, monitoring: false }, ports: { http: 8080, https: 8443 }, tls: 'none', database: { engine: 'mysql', version: '8.4' }, security: { firewall: true, fail2ban: true, sshPort: 'auto' }, backup: { keep: 7, schedule: '03:00' } };
    const given = new Set(['project', 'app', 'preset', 'region', 'components', 'cache', 'domain', 'tls', 'ports', 'database', 'security', 'backup']);
    const { frame, stdin } = mount({ draft, given });
    await waitText(frame, 'step 1 of 2');
    await waitText(frame, 'Enter continue');
    await press(stdin, KEY.enter);
    await waitText(frame, 'step 2 of 2');
    // The review runs the real preview on this host (Docker, ufw, fail2ban probed): slow on a loaded machine.
    await waitText(frame, 'files in', 60_000);
  });
});

describe('domain screen and ports', () => {
  async function listen(): Promise<number> {
    const s = createServer();
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '0.0.0.0', r));
    return (s.address() as { port: number }).port;
  }
  async function toDomain(stdin: { write(s: string): void }, frame: () => string) {
    await waitText(frame, 'This host');
    await press(stdin, KEY.enter, 'ports', KEY.enter, 'a/b:1', KEY.enter, KEY.enter, KEY.enter, KEY.enter);
    await waitText(frame, 'Size preset');
    await press(stdin, KEY.enter);
    await waitText(frame, '> Region');
    await press(stdin, KEY.enter);
    await waitText(frame, '[x] Redis');
    // Redis, its server (cache.engine), worker, RabbitMQ, what Redis holds (redis.mode), MinIO, monitoring.
    await press(stdin, KEY.enter, KEY.enter, KEY.enter, KEY.enter, KEY.enter, KEY.enter, KEY.enter);
    await waitText(frame, '> Domain');
  }

  test('on this server (root), an HTTP port that a process listens on is refused', async () => {
    const port = await listen();
    const { frame, stdin, controller } = mount({ isRoot: true });
    await toDomain(stdin, frame);
    await press(stdin, KEY.enter, KEY.enter, KEY.ctrlU, String(port), KEY.enter);
    const f = await waitFlat(frame, `port ${port} is in use by`);
    expect(f).toMatch(/> HTTP port/);
    expect(controller.localOnly).toBe(false);
    await press(stdin, KEY.ctrlU, '8081', KEY.enter);
    await waitText(frame, '> Engine');
  });

  test('rendering into a local folder, a taken port does not block', async () => {
    const port = await listen();
    const { frame, stdin } = mount({ isRoot: false });
    await toDomain(stdin, frame);
    await press(stdin, KEY.enter, KEY.enter, KEY.ctrlU, String(port), KEY.enter);
    await waitText(frame, '> Engine');
  });
});

describe('region and mirrors', () => {
  const source: MirrorSource = {
    candidates: async () => [
      { kind: 'registry', id: 'fast', name: 'Fast Hub', url: 'https://fast.mirror.test' },
      { kind: 'registry', id: 'dead', name: 'Dead Hub', url: 'https://dead.mirror.test' },
      { kind: 'npm', id: 'npm1', name: 'NPM One', url: 'https://npm.mirror.test' },
    ],
    measure: async (_c, onResult) => {
      onResult({ kind: 'registry', id: 'dead', url: 'https://dead.mirror.test', alive: false, latencyMs: null, error: 'timeout' });
      onResult({ kind: 'registry', id: 'fast', url: 'https://fast.mirror.test', alive: true, latencyMs: 35.2 });
      // npm1 is never measured.
    },
  };
  async function toRegion(o: Parameters<typeof mount>[0]) {
    const m = mount(o);
    await pressToRegion(m.frame, m.stdin);
    return m;
  }

  test('mainland China: each mirror with its latency, the fastest live one chosen, a dead one refused', async () => {
    const { frame, stdin } = await toRegion({ mirrors: source });
    await press(stdin, KEY.right);
    let f = await waitText(frame, 'Fast Hub');
    expect(f).toContain('https://fast.mirror.test  35 ms');
    expect(f).toContain('NPM One  https://npm.mirror.test  not measured');
    await press(stdin, KEY.down, KEY.right);
    f = await waitText(frame, 'Dead Hub');
    expect(f).toContain('no answer');
    await press(stdin, KEY.enter, KEY.enter);
    await waitFlat(frame, 'https://dead.mirror.test did not answer');
    // Through npm and one's own accelerator (#16.5), left empty.
    await press(stdin, KEY.left, KEY.enter, KEY.enter, KEY.enter);
    await waitText(frame, '[x] Redis');
  });

  test('without a mirror probe: "not measured", and given mirrors are kept', async () => {
    const { frame, stdin } = await toRegion({ mirrors: null, draft: { mirrors: { registry: 'https://given.mirror.test' } } });
    await press(stdin, KEY.right);
    const f = await waitText(frame, 'https://given.mirror.test');
    expect(f).toContain('(not measured)');
  });
});
