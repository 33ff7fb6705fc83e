// Host tuning through the dry-run Executor: the kernel-settings and swap steps plan exactly the
// commands a small host needs (sysctl -p, fallocate, chmod, mkswap, swapon, the fstab line), the dd
// fallback when swapon refuses a fallocated file, and nothing at all once the host is in that
// state. The host is a folder (STACK_WIZARD_ROOT) holding the files the steps read: /proc/sys,
// /proc/swaps, /proc/mounts, /etc/fstab. Run by init whether or not the firewall and fail2ban are on.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../src/context.js';
import { AnswersSchema, type AnswersInput } from '../../src/domain/answers.js';
import { CommandError, DryRunExecutor, type CommandResult } from '../../src/exec/executor.js';
import { renderSysctl } from '../../src/render/security-host.js';
import { sysctlSettings } from '../../src/domain/host-tuning.js';
import { runSteps } from '../../src/steps/engine.js';
import { installSteps } from '../../src/steps/install.js';
import { prepare, type Prepared } from '../../src/steps/prepare.js';
import { securitySteps } from '../../src/steps/security.js';
import { makeFacts } from '../fixtures/facts.js';

const HEADER = 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n';
const FSTAB = 'UUID=0a1b2c3d / ext4 errors=remount-ro 0 1\n';

/** A host as files: kernel values as a fresh Debian VM has them, no swap, /proc/sys writable. */
function host(o: { sysctl?: Record<string, number>; swaps?: string; fstab?: string } = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'sw-host-'));
  const put = (p: string, text: string) => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  };
  const v = { 'vm.overcommit_memory': 0, 'net.core.somaxconn': 128, 'vm.swappiness': 60, ...o.sysctl };
  for (const [k, n] of Object.entries(v)) put(`proc/sys/${k.replace(/\./g, '/')}`, `${n}\n`);
  put('proc/mounts', '/dev/vda1 / ext4 rw,relatime 0 0\nproc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n');
  put('proc/swaps', HEADER + (o.swaps ?? ''));
  put('etc/fstab', o.fstab ?? FSTAB);
  return root;
}

/** The kernel refuses the first swapon (as on a filesystem where a fallocated file "has holes"). */
class HolesOnce extends DryRunExecutor {
  private refused = false;
  override async run(cmd: string, args: readonly string[]): Promise<CommandResult> {
    if (cmd === 'swapon' && !this.refused) {
      this.refused = true;
      this.record({ kind: 'run', summary: `${cmd} ${args.join(' ')} (refused)` });
      throw new CommandError(cmd, { exitCode: 255, stdout: '', stderr: `swapon: ${args[0]}: skipping - it appears to have holes.`, timedOut: false });
    }
    return super.run(cmd, args);
  }
}

function ctxFor(root: string, exec = new DryRunExecutor()): Context {
  return createContext({ lang: 'en', dryRun: true, exec, cwd: root, env: { STACK_WIZARD_ROOT: root }, io: { out: () => {}, err: () => {} } });
}

async function prepared(ctx: Context, root: string, a: Partial<AnswersInput> = {}): Promise<Prepared> {
  const answers = AnswersSchema.parse({ project: 'shop', app: { image: 'ghcr.io/example/api:1.0.0' }, ...a });
  // A "2 GB" VM: swap is due (1 GiB, half the RAM rounded up to 512 MiB, at least 1 GiB).
  return prepare(ctx, { answers, facts: makeFacts({ ramMiB: 1990 }), targetDir: join(root, 'opt', 'shop') });
}

const tuning = () => securitySteps().filter((s) => s.id === 'security-sysctl' || s.id === 'security-swap');
const summaries = (ctx: Context) => ctx.exec.actions.map((a) => `${a.kind} ${a.summary}`);

describe('host tuning (dry-run Executor)', () => {
  it('init tunes the host with the firewall and fail2ban both off: Redis still needs vm.overcommit_memory=1', async () => {
    const root = host();
    const ctx = ctxFor(root);
    const p = await prepared(ctx, root, { security: { firewall: false, fail2ban: false, sshPort: 'auto', extraPorts: [], ignoreIp: [] } });
    const steps = installSteps(p.plan).filter((s) => s.id.startsWith('security-'));
    const checks = Object.fromEntries(await Promise.all(steps.map(async (s) => [s.id, await s.check(ctx, p)] as const)));
    expect(checks['security-firewall']).toMatchObject({ needed: false });
    expect(checks['security-fail2ban']).toMatchObject({ needed: false });
    expect(checks['security-sysctl']!.needed).toBe(true);
    expect(checks['security-sysctl']!.changes).toContain('vm.overcommit_memory: 0 → 1');
    expect(checks['security-swap']!.needed).toBe(true);
    expect(checks['security-logrotate']!.needed).toBe(true);
  });

  it('a small host without swap: the kernel settings file and sysctl -p, then fallocate, chmod, mkswap, swapon and the fstab line, in that order', async () => {
    const root = host();
    const ctx = ctxFor(root);
    const p = await prepared(ctx, root);
    const reports = await runSteps(ctx, tuning(), p);
    expect(reports.map((r) => [r.id, r.status])).toEqual([['security-sysctl', 'applied'], ['security-swap', 'applied']]);
    expect(summaries(ctx)).toEqual([
      `write ${root}/etc/sysctl.d/60-stack-wizard.conf`,
      `run sysctl -p ${root}/etc/sysctl.d/60-stack-wizard.conf`,
      `run fallocate -l 1024M ${root}/swapfile`,
      `run chmod 600 ${root}/swapfile`,
      `run mkswap ${root}/swapfile`,
      `run swapon ${root}/swapfile`,
      `write ${root}/etc/fstab`,
    ]);
  });

  it('swapon refusing the fallocated file: the file is written out with dd, then chmod, mkswap and swapon again', async () => {
    const root = host();
    const ctx = ctxFor(root, new HolesOnce());
    const p = await prepared(ctx, root);
    await runSteps(ctx, tuning().filter((s) => s.id === 'security-swap'), p);
    expect(summaries(ctx)).toEqual([
      `run fallocate -l 1024M ${root}/swapfile`,
      `run chmod 600 ${root}/swapfile`,
      `run mkswap ${root}/swapfile`,
      `run swapon ${root}/swapfile (refused)`,
      `run dd if=/dev/zero of=${root}/swapfile bs=1M count=1024 status=none`,
      `run chmod 600 ${root}/swapfile`,
      `run mkswap ${root}/swapfile`,
      `run swapon ${root}/swapfile`,
      `write ${root}/etc/fstab`,
    ]);
  });

  it('idempotent: once the host is as the steps leave it, a second run plans nothing', async () => {
    const first = host();
    const p0 = await prepared(ctxFor(first), first);
    const settings = sysctlSettings(p0.plan, { 'net.core.somaxconn': 128, 'vm.swappiness': 60 });
    // The state after the first run: our file in place, the kernel at its values, the swap file on and in fstab.
    const root = host({
      sysctl: Object.fromEntries(settings.map((s) => [s.key, s.value])),
      swaps: `/swapfile                               file\t\t1048572\t\t0\t\t-2\n`,
      fstab: `${FSTAB}/swapfile none swap sw 0 0\n`,
    });
    mkdirSync(join(root, 'etc', 'sysctl.d'), { recursive: true });
    writeFileSync(join(root, 'etc', 'sysctl.d', '60-stack-wizard.conf'), renderSysctl(p0.plan, settings));
    writeFileSync(join(root, 'swapfile'), '');
    const ctx = ctxFor(root);
    const reports = await runSteps(ctx, tuning(), await prepared(ctx, root));
    expect(reports.map((r) => [r.id, r.status])).toEqual([['security-sysctl', 'skipped'], ['security-swap', 'skipped']]);
    expect(ctx.exec.actions).toEqual([]);
  });

  it('in between: a kernel value drifted back (sysctl -p only); the swap file on but not in fstab (the line only)', async () => {
    const first = host();
    const p0 = await prepared(ctxFor(first), first);
    const settings = sysctlSettings(p0.plan, {});
    const root = host({ sysctl: { 'vm.overcommit_memory': 0, 'net.core.somaxconn': 4096, 'vm.swappiness': 10 }, swaps: `${'/swapfile'} file 1048572 0 -2\n` });
    mkdirSync(join(root, 'etc', 'sysctl.d'), { recursive: true });
    writeFileSync(join(root, 'etc', 'sysctl.d', '60-stack-wizard.conf'), renderSysctl(p0.plan, settings));
    const ctx = ctxFor(root);
    await runSteps(ctx, tuning(), await prepared(ctx, root));
    expect(summaries(ctx)).toEqual([`run sysctl -p ${root}/etc/sysctl.d/60-stack-wizard.conf`, `write ${root}/etc/fstab`]);
  });

  it('a host with enough RAM, or already with swap, gets no swap file; a container gets neither swap nor kernel settings', async () => {
    const root = host({ swaps: '/dev/vda2 partition 2097148 0 -2\n' });
    const ctx = ctxFor(root);
    const p = await prepared(ctx, root);
    const swap = securitySteps().find((s) => s.id === 'security-swap')!;
    expect(await swap.check(ctx, p)).toMatchObject({ needed: false, changes: ['swap is on (2047 MiB): nothing to add'] });
    const big = host();
    const c2 = ctxFor(big);
    const p2 = await prepare(c2, { answers: p.answers, facts: makeFacts({ ramMiB: 7680 }), targetDir: join(big, 'opt') });
    expect((await swap.check(c2, p2)).needed).toBe(false);
    const docker = await prepare(c2, { answers: p.answers, facts: makeFacts({ ramMiB: 1990 }, { virtualization: 'docker' }), targetDir: join(big, 'opt') });
    for (const s of tuning()) expect((await s.check(c2, docker)).needed, s.id).toBe(false);
  });
});
