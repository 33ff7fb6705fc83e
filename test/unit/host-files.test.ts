// The host's own files in the pure stage (docs/ARCHITECTURE.md#host-files): what prepare gathers
// for the preview is, byte for byte, what the steps then write; the preview shows them as diffs
// against the live files (backups and removals said). The host is a fake (a server with ufw,
// fail2ban, apt sources and a daemon.json cannot exist in a hermetic unit test): files in a map,
// program answers from a table; the steps run through the dry-run Executor, whose writes are kept.
import { describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../src/context.js';
import { AnswersSchema, type AnswersInput } from '../../src/domain/answers.js';
import type { HostFacts } from '../../src/domain/facts.js';
import { probeTarget } from '../../src/domain/mirrors.js';
import { DryRunExecutor, type CommandResult, type WriteOutcome, type WriteSpec } from '../../src/exec/executor.js';
import { runSteps } from '../../src/steps/engine.js';
import { installSteps } from '../../src/steps/install.js';
import { forgetProbes, rememberProbes } from '../../src/steps/mirrors.js';
import { hostFileChanges, prepare, type Prepared } from '../../src/steps/prepare.js';
import { withHostFiles } from '../../src/steps/host-files.js';
import { makeFacts } from '../fixtures/facts.js';

type Answer = Partial<CommandResult> | undefined;

/** A server as data: its files, and what its programs answer. Writes are kept, so a second look sees them. */
class FakeServer extends DryRunExecutor {
  readonly written = new Map<string, { content: string; mode: number }>();
  readonly removed: string[] = [];
  constructor(readonly files: Map<string, string>, readonly answer: (cmd: string, args: string) => Answer) {
    super();
  }
  override async readFile(p: string) {
    return this.files.get(p) ?? null;
  }
  override async exists(p: string) {
    return this.files.has(p) || [...this.files.keys()].some((k) => k.startsWith(`${p}/`));
  }
  override async listDir(p: string) {
    return [...new Set([...this.files.keys()].filter((k) => k.startsWith(`${p}/`)).map((k) => k.slice(p.length + 1).split('/')[0]!))].sort();
  }
  override async query(cmd: string, args: readonly string[]): Promise<CommandResult> {
    const r = this.answer(cmd, args.join(' ')) ?? { exitCode: 127, stderr: `${cmd}: not found` };
    return { exitCode: r.exitCode ?? 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '', timedOut: false };
  }
  override async writeFiles(files: readonly WriteSpec[]): Promise<Map<string, WriteOutcome>> {
    const out = new Map<string, WriteOutcome>();
    for (const f of files) {
      out.set(f.path, this.files.has(f.path) ? 'changed' : 'created');
      this.written.set(f.path, { content: f.content.toString(), mode: f.mode ?? 0o644 });
      this.files.set(f.path, f.content.toString());
      this.record({ kind: 'write', summary: f.path });
    }
    return out;
  }
  override async remove(p: string) {
    this.removed.push(p);
    this.files.delete(p);
    this.record({ kind: 'remove', summary: p });
  }
}

const STOCK_AFTER = '#\n# rules.input-after\n#\n*filter\n:ufw-after-input - [0:0]\nCOMMIT\n';
const DAEMON = '{\n  "log-driver": "json-file"\n}\n';
const MIRROR = 'https://mirror.example/debian';

function server(): FakeServer {
  const files = new Map<string, string>([
    ['/etc/default/ufw', 'IPV6=no\nDEFAULT_INPUT_POLICY="DROP"\n'],
    ['/etc/ufw/after.rules', STOCK_AFTER],
    ['/etc/ufw/after6.rules', STOCK_AFTER.replace('input', 'input6')],
    ['/etc/fail2ban/fail2ban.conf', '[Definition]\nlogtarget = /var/log/fail2ban.log\n'],
    ['/var/log/fail2ban.log', ''],
    ['/usr/bin/journalctl', ''],
    ['/etc/fstab', 'UUID=0a1b / ext4 errors=remount-ro 0 1\n'],
    ['/proc/sys/vm/overcommit_memory', '0\n'],
    ['/proc/sys/net/core/somaxconn', '128\n'],
    ['/proc/sys/vm/swappiness', '60\n'],
    ['/proc/mounts', '/dev/vda1 / ext4 rw 0 0\n'],
    ['/proc/swaps', 'Filename Type Size Used Priority\n'],
    ['/etc/apt/sources.list', 'deb http://deb.example.org/debian bookworm main\ndeb http://deb.example.org/debian-security bookworm-security main\n'],
    ['/etc/docker/daemon.json', DAEMON],
    ['/etc/systemd/system/stack-wizard-shop-backup.timer', 'stale\n'],
  ]);
  return new FakeServer(files, (cmd, a) => {
    if (cmd === 'ufw' && a === 'status verbose') return { stdout: 'Status: inactive\n' };
    if (cmd === 'ufw' && a === 'show added') return { stdout: 'Added user rules (see \'ufw status\' for running firewall):\nufw allow 22/tcp\n' };
    if (cmd === 'iptables' || cmd === 'ip6tables') return a === '--version' ? { stdout: 'iptables v1.8.9' } : { exitCode: 1 };
    if (cmd === 'nft') return { stdout: 'nftables v1.0.6' };
    if (cmd === 'ss') return { stdout: '' };
    if (cmd === 'fail2ban-client') return a === 'ping' ? { exitCode: 255 } : { exitCode: 1 };
    if (cmd === 'systemctl') return { stdout: 'disabled\n' };
    if (cmd === 'dpkg-query') return { stdout: 'ufw ii \nfail2ban ii \nlogrotate ii \npython3-systemd ii \n' };
    if (cmd === 'df') return { stdout: 'Filesystem 1024-blocks Used Available Capacity Mounted\n/dev/vda1 83886080 1 70000000 1% /\n' };
    if (cmd === 'sh') return { stdout: '/usr/local/bin/stack-wizard\n' };
    if (cmd === 'docker') return { stdout: 'inactive\n' };
    if (cmd === 'pgrep') return { exitCode: 1 };
    return undefined;
  });
}

const facts = (): HostFacts => makeFacts({ ramMiB: 1990 }, { docker: { installed: true, version: '27.3.1', running: false, rootDir: '/var/lib/docker', storageDriver: 'overlay2', cgroupVersion: '2' } });

function ctxOn(exec: FakeServer, env: NodeJS.ProcessEnv = {}): Context {
  return createContext({ lang: 'en', dryRun: true, exec, env, cwd: '/root', isRoot: true, io: { out: () => {}, err: () => {} } });
}

async function prepared(ctx: Context, a: Partial<AnswersInput> = {}): Promise<Prepared> {
  const answers = AnswersSchema.parse({ project: 'shop', app: { image: 'ghcr.io/example/api:1.0.0' }, backup: { schedule: '03:30' }, mirrors: { 'apt-debian': MIRROR }, ...a });
  const f = facts();
  forgetProbes();
  rememberProbes([{ kind: 'apt-debian', id: 'answers', url: MIRROR, alive: true, latencyMs: 9, bytesPerSecond: null, error: null }], probeTarget(f.os, f.arch));
  return withHostFiles(ctx, await prepare(ctx, { answers, facts: f }));
}

describe('host files in the preview', () => {
  it('prepare gathers the host files each step would write, from the live ones', async () => {
    const p = await prepared(ctxOn(server()));
    const byPath = new Map(p.hostFiles!.map((f) => [f.path, f]));
    expect([...byPath.keys()]).toEqual([
      '/etc/apt/sources.list',
      '/etc/docker/daemon.json',
      '/etc/default/ufw',
      '/etc/ufw/after.rules',
      '/etc/ufw/after6.rules',
      '/etc/fail2ban/jail.d/stack-wizard.local',
      '/etc/fail2ban/filter.d/stack-wizard-nginx-limit.conf',
      '/etc/fail2ban/filter.d/stack-wizard-nginx-scan.conf',
      '/etc/fail2ban/fail2ban.d/stack-wizard.local',
      '/etc/fail2ban/action.d/stack-wizard-ufw.conf',
      '/etc/logrotate.d/stack-wizard-shop',
      '/etc/sysctl.d/60-stack-wizard.conf',
      '/etc/fstab',
      '/etc/systemd/system/stack-wizard-shop-backup.service',
      '/etc/systemd/system/stack-wizard-shop-backup.timer',
      // The restore drill (#19.1) and the dead-man's switch (#19.2).
      '/etc/systemd/system/stack-wizard-shop-drill.service',
      '/etc/systemd/system/stack-wizard-shop-drill.timer',
      '/etc/systemd/system/stack-wizard-shop-watch.service',
      '/etc/systemd/system/stack-wizard-shop-watch.timer',
      // The binary log archive every 15 minutes (#18.3).
      '/etc/systemd/system/stack-wizard-shop-binlogs.service',
      '/etc/systemd/system/stack-wizard-shop-binlogs.timer',
    ]);
    // Merged into what is there, never replacing it.
    expect(byPath.get('/etc/ufw/after.rules')!.content).toMatch(new RegExp(`^${STOCK_AFTER.replace(/[[\]*.]/g, '\\$&')}\\n# BEGIN stack-wizard DOCKER-USER\\n`));
    expect(byPath.get('/etc/default/ufw')!.content).toBe('IPV6=yes\nDEFAULT_INPUT_POLICY="DROP"\n');
    expect(byPath.get('/etc/docker/daemon.json')!.content).toBe('{\n  "log-driver": "json-file",\n  "log-opts": {\n    "max-size": "10m",\n    "max-file": "3"\n  },\n  "live-restore": true\n}\n');
    expect(byPath.get('/etc/apt/sources.list')).toMatchObject({ backup: '/etc/apt/sources.list.stack-wizard.bak' });
    expect(byPath.get('/etc/docker/daemon.json')).toMatchObject({ old: DAEMON, backup: '/etc/docker/daemon.json.stack-wizard.bak' });
    expect(byPath.get('/etc/apt/sources.list')!.content).toContain(`deb ${MIRROR} bookworm main\n`);
    expect(byPath.get('/etc/fstab')!.content).toBe('UUID=0a1b / ext4 errors=remount-ro 0 1\n/swapfile none swap sw 0 0\n');
  });

  it('the steps then write exactly those bytes, and a second look finds nothing to change', async () => {
    const host = server();
    const ctx = ctxOn(host);
    const p = await prepared(ctx);
    const steps = installSteps(p.plan).filter((s) => /^(mirror-apt|docker-daemon-json|security-(firewall|fail2ban|logrotate|sysctl|swap)|backup-schedule|backup-timers)$/.test(s.id));
    await runSteps(ctx, steps, p);
    const changed = p.hostFiles!.filter((f) => f.content !== f.old);
    expect(changed.length).toBeGreaterThanOrEqual(12);
    for (const f of changed) {
      expect(host.written.get(f.path), f.path).toEqual({ content: f.content, mode: f.mode });
      if (f.backup) expect(host.written.get(f.backup), f.backup).toEqual({ content: f.old, mode: 0o644 });
    }
    expect(host.removed).toEqual([]);
    // What the run wrote is what a new preview starts from: nothing left to change in those files.
    const again = await prepared(ctxOn(host));
    const still = again.hostFiles!.filter((f) => f.content !== f.old);
    expect(still.map((f) => f.path)).toEqual([]);
  });

  it('the preview: each file as a diff against the live one, with backups and removals said', async () => {
    const host = server();
    host.files.set('/etc/cron.d/stack-wizard-shop-backup', '30 3 * * * root old\n');
    const ctx = ctxOn(host);
    const p = await prepared(ctx);
    const changes = new Map(hostFileChanges(ctx, p.hostFiles!).map((c) => [c.path, c]));
    expect(changes.get('/etc/default/ufw')).toMatchObject({ status: 'changed', diff: expect.stringContaining('-IPV6=no\n+IPV6=yes') });
    expect(changes.get('/etc/sysctl.d/60-stack-wizard.conf')).toMatchObject({ status: 'created', diff: expect.stringContaining('+vm.overcommit_memory = 1') });
    expect(changes.get('/etc/apt/sources.list')).toMatchObject({ status: 'changed', backup: '/etc/apt/sources.list.stack-wizard.bak' });
    // systemd is here: the cron entry of an earlier install without it goes.
    expect(changes.get('/etc/cron.d/stack-wizard-shop-backup')).toMatchObject({ status: 'changed', removed: true, diff: expect.stringContaining('-30 3 * * * root old') });
    // Under another root every path is that root's, and ufw and fail2ban (this machine's) are left alone.
    const rooted = new FakeServer(new Map([...host.files].map(([k, v]) => [`/srv/chroot${k}`, v])), host.answer);
    const rctx = ctxOn(rooted, { STACK_WIZARD_ROOT: '/srv/chroot/' });
    expect(rctx.hostRoot).toBe('/srv/chroot');
    const rp = await prepared(rctx);
    const paths = hostFileChanges(rctx, rp.hostFiles!).map((c) => c.path);
    expect(paths).toContain('/srv/chroot/etc/sysctl.d/60-stack-wizard.conf');
    expect(paths.every((x) => x.startsWith('/srv/chroot/'))).toBe(true);
    expect(paths.some((x) => /ufw|fail2ban/.test(x))).toBe(false);
  });

  it('only when asked (a preview on the server): prepare alone, as render and the other commands call it, reads no host file', async () => {
    const host = server();
    const ctx = ctxOn(host);
    const answers = AnswersSchema.parse({ project: 'shop', app: { image: 'ghcr.io/example/api:1.0.0' } });
    const p = await prepare(ctx, { answers, facts: facts() });
    expect(p.hostFiles).toBeUndefined();
  });
});
