// `security apply --dry-run` and init's preview against this host's real state (its ufw, fail2ban,
// Docker): moved from the unit suite's security-cli.test.ts, which reads no host (docs/ARCHITECTURE.md#tests).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
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

const hash = (p: string) => (existsSync(p) ? createHash('sha256').update(readFileSync(p)).digest('hex') : 'absent');

describe('security CLI', () => {
  it.runIf(isRoot)('apply --dry-run shows every step and command against this host and changes nothing', async () => {
    const { run, answers, dir } = setup();
    const watched = ['/etc/ufw/after.rules', '/etc/ufw/after6.rules', '/etc/ufw/user.rules', '/etc/default/ufw', '/etc/sysctl.d/60-stack-wizard.conf', '/etc/fail2ban/jail.d/stack-wizard.local', '/etc/logrotate.d/stack-wizard-demo', '/etc/fstab'];
    const before = watched.map(hash);
    const r = await run('security', 'apply', '--answers', answers, '--dry-run');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    for (const title of ['Configure the firewall', 'Configure fail2ban', 'Rotate the Nginx logs', 'Kernel settings', 'Swap file']) expect(r.out).toContain(title);
    // The commands are listed as they would run: our allows under the shared ufw lock, then enable or reload.
    expect(r.out).toMatch(/flock -w 60 \/run\/lock\/stack-wizard-ufw\.lock ufw allow 80\/tcp comment 'stack-wizard http'|✓ Configure the firewall/);
    expect(r.out).toContain(`write /etc/logrotate.d/stack-wizard-demo`);
    expect(r.out).toMatch(/Dry run: nothing was changed/);
    expect(watched.map(hash)).toEqual(before);
    expect(existsSync(join(dir, 'opt'))).toBe(false);
  });

  it('init with host facts from a file leaves the security steps alone (they need this host\'s own facts)', async () => {
    const { run, answers, dir } = setup();
    const { makeFacts } = await import('../fixtures/facts.js');
    const facts = join(dir, 'facts.json');
    writeFileSync(facts, JSON.stringify(makeFacts({ ramMiB: 3790, cores: 2, sshPorts: [2222] })));
    const r = await run('init', '--answers', answers, '--host-facts', facts, '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✓ Configure the firewall \(ufw and Docker's DOCKER-USER chain\) \(nothing to do\)\n\s+skipped: the host facts come from/);
    expect(r.out).not.toMatch(/ufw allow/);
  });
});
