// Host tuning with the real programs, as far as a shared test machine allows. The swap step runs
// fallocate, chmod, mkswap and swapon for real on a host folder (STACK_WIZARD_ROOT) on tmpfs: the
// kernel refuses swap on tmpfs, which is exactly the case the dd fallback is for, so dd, chmod, mkswap
// and swapon run for real too, and the refusal surfaces. A swapon that succeeds is not run here: swap
// belongs to the whole machine's kernel, not to this container. Likewise the kernel settings file is
// judged by the real sysctl (--dry-run: every key must exist in this kernel) without writing the
// machine's settings.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../src/context.js';
import { AnswersSchema } from '../../src/domain/answers.js';
import { CommandError } from '../../src/exec/executor.js';
import { renderSysctl } from '../../src/render/security-host.js';
import { sysctlSettings } from '../../src/domain/host-tuning.js';
import { readSysctl } from '../../src/host/security.js';
import { runSteps } from '../../src/steps/engine.js';
import { prepare } from '../../src/steps/prepare.js';
import { securitySteps } from '../../src/steps/security.js';
import { makeFacts } from '../fixtures/facts.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function ctxFor(root: string): Context {
  return createContext({ lang: 'en', dryRun: false, cwd: root, env: { ...process.env, STACK_WIZARD_ROOT: root }, io: { out: () => {}, err: () => {} } });
}

const answers = AnswersSchema.parse({ project: 'shop', app: { image: 'ghcr.io/example/api:1.0.0' } });
const swaps = () => readFileSync('/proc/swaps', 'utf8');

describe('swap file with the real programs', () => {
  it('fallocate, chmod, mkswap, swapon refused by the kernel, then the dd fallback (dd, chmod, mkswap, swapon) for real', { timeout: 120_000 }, async () => {
    // tmpfs: the kernel will not swap there, so nothing is ever switched on for the machine.
    const root = mkdtempSync('/dev/shm/sw-swap-');
    roots.push(root);
    expect(spawnSync('stat', ['-f', '-c', '%T', root], { encoding: 'utf8' }).stdout.trim()).toBe('tmpfs');
    const before = swaps();
    const ctx = ctxFor(root);
    // A "2 GB" VM without swap: a 1 GiB swap file is due.
    const p = await prepare(ctx, { answers, facts: makeFacts({ ramMiB: 1990 }), targetDir: join(root, 'opt', 'shop') });
    const swap = securitySteps().find((s) => s.id === 'security-swap')!;
    const err = await runSteps(ctx, [swap], p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).cmd).toBe(`swapon ${join(root, 'swapfile')}`);
    expect((err as CommandError).result.stderr).toMatch(/swapon failed: Invalid argument/);
    const ran = ctx.exec.actions.filter((a) => a.kind === 'run').map((a) => a.summary.split(' ')[0]);
    expect(ran).toEqual(['fallocate', 'chmod', 'mkswap', 'swapon', 'dd', 'chmod', 'mkswap', 'swapon']);
    // What is left is a real, complete swap area written by dd, mode 0600, as swapon wants it.
    const file = join(root, 'swapfile');
    const st = statSync(file);
    expect(st.size).toBe(1024 * 1024 * 1024);
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.blocks * 512).toBeGreaterThanOrEqual(st.size);
    expect(execFileSync('blkid', ['-p', '-o', 'value', '-s', 'TYPE', file], { encoding: 'utf8' }).trim()).toBe('swap');
    // The step stopped at the refusal: no fstab line for a swap file that is not on; the machine's swap untouched.
    expect(existsSync(join(root, 'etc', 'fstab'))).toBe(false);
    expect(swaps()).toBe(before);
  });

  it('mkswap really judges the file: a file too small for a swap area is refused (the check can fail)', () => {
    const root = mkdtempSync('/dev/shm/sw-swap-');
    roots.push(root);
    const f = join(root, 'tiny');
    writeFileSync(f, Buffer.alloc(4096));
    const r = spawnSync('mkswap', [f], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
  });
});

describe('kernel settings with the real sysctl', () => {
  it('the file the step writes names only keys this kernel has, with our values (sysctl --dry-run -p)', async () => {
    const root = mkdtempSync('/tmp/sw-sysctl-');
    roots.push(root);
    const ctx = ctxFor('');
    const p = await prepare(ctx, { answers, facts: makeFacts({ ramMiB: 1990 }), targetDir: join(root, 'opt') });
    const file = join(root, '60-stack-wizard.conf');
    writeFileSync(file, renderSysctl(p.plan, sysctlSettings(p.plan, (await readSysctl(ctx.exec)).values)));
    const r = spawnSync('sysctl', ['--dry-run', '-p', file], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^vm\.overcommit_memory = 1$/m);
    expect(r.stdout).toMatch(/^net\.core\.somaxconn = \d+$/m);
    expect(r.stdout).toMatch(/^vm\.swappiness = \d+$/m);
    // A misspelt key is refused by the same check.
    writeFileSync(file, 'vm.overcommit_memry = 1\n');
    expect(spawnSync('sysctl', ['--dry-run', '-p', file], { encoding: 'utf8' }).status).not.toBe(0);
  });
});
