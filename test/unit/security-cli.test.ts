// `security apply|status` at the CLI: bad usage exits 2 and names the fix; with no stack it says how
// to name one (--dry-run against this host's real state: test/real/security-cli.test.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';

const isRoot = process.getuid?.() === 0;

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'sw-sec-cli-'));
  const answers = join(dir, 'answers.yaml');
  writeFileSync(answers, `project: demo\ninstallDir: ${join(dir, 'opt')}\napp: { image: ghcr.io/example/api:1.0.0 }\n`);
  const env = { LANG: 'C', STACK_WIZARD_STATE_DIR: join(dir, 'etc'), PATH: process.env.PATH };
  const run = async (...argv: string[]) => {
    let out = '';
    let err = '';
    const code = await main(argv, { io: { out: (s) => void (out += s), err: (s) => void (err += s) }, env, interactive: false, cwd: dir });
    return { code, out, err };
  };
  return { dir, answers, run };
}

describe('security CLI', () => {
  it('needs apply or status', async () => {
    const { run } = setup();
    const r = await run('security');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/security needs apply or status, not ""/);
    expect((await run('security', 'enable')).err).toMatch(/not "enable"/);
  });

  it('rejects flags that do not belong to the subcommand', async () => {
    const { run } = setup();
    // A --json run says it in JSON (#22.13).
    expect((await run('security', 'apply', '--json')).out).toMatch(/--json does not apply to security apply/);
    const r = await run('security', 'status', '--yes');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--yes does not apply to security status/);
  });

  it.runIf(isRoot)('without a stack on the host it asks for --answers', async () => {
    const { run } = setup();
    const r = await run('security', 'status');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no stack is installed on this host; pass --answers/);
  });

  it.runIf(isRoot)('with several stacks it asks which one', async () => {
    const { run, dir } = setup();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'etc'));
    for (const p of ['a', 'b']) writeFileSync(join(dir, 'etc', `${p}.json`), JSON.stringify({ project: p, installDir: `/opt/${p}`, answers: `/opt/${p}/stack-wizard.yaml`, templateVersion: 1 }));
    const r = await run('security', 'apply', '--dry-run');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/several stacks are installed \(a, b\)/);
  });
});

describe('security status text', () => {
  it('says what is open, what is live and what is banned, in English and Chinese', async () => {
    const { formatStatus } = await import('../../src/services/security.js');
    const { createContext } = await import('../../src/context.js');
    const st = {
      project: 'demo',
      firewall: {
        installed: true, active: true, defaults: { incoming: 'deny', outgoing: 'allow', routed: 'deny' }, ipv6: true, rules: [],
        ports: [{ port: 2222, purpose: 'ssh' as const, v4: true, v6: true }, { port: 80, purpose: 'http' as const, v4: true, v6: false }],
        sshOpen: true, webOpen: true, unexpected: ['allow 3306'], onlyExpectedOpen: false,
        dockerUser: { afterRules: true, after6Rules: true, live: false, dockerRunning: true },
      },
      fail2ban: { installed: true, running: true, jails: [{ name: 'sshd', currentlyFailed: 2, currentlyBanned: 1, totalBanned: 3, bannedIps: ['203.0.113.66'] }], missingJails: ['recidive'] },
      sysctl: [{ key: 'vm.overcommit_memory', value: 0, expected: 1, ok: false }],
      sysctlSettable: true,
      swap: { ramMiB: 3790, activeMiB: 0, swapfile: false, recommendation: 'create', sizeMiB: 2048 },
    };
    const en = formatStatus(createContext({ lang: 'en', dryRun: true }), st);
    expect(en).toContain('Firewall (ufw): active, incoming by default: deny');
    expect(en).toContain('✓ SSH 2222/tcp open (IPv4, IPv6)');
    expect(en).toContain('✓ HTTP 80/tcp open (IPv4)');
    expect(en).toContain('✗ also open, not in the plan: allow 3306');
    expect(en).toContain('rules NOT live');
    expect(en).toContain('sshd: 1 banned now, 3 in total, 2 recent failure(s) (203.0.113.66)');
    expect(en).toContain('✗ jail(s) not running: recidive');
    expect(en).toContain('✗ vm.overcommit_memory = 0 (want 1)');
    expect(en).toContain('security apply would add a 2048 MiB swap file');
    const zh = formatStatus(createContext({ lang: 'zh-CN', dryRun: true }), st);
    expect(zh).toContain('防火墙（ufw）：已启用，入站默认策略：deny');
    expect(zh).toContain('✓ SSH 2222/tcp 已开放（IPv4, IPv6）');
    expect(zh).toContain('计划之外也开放了：allow 3306');
    expect(zh).toContain('sshd: 当前封禁 1 个，累计 3 个，近期失败 2 次');
  });
});
