// The guard every change to an installed stack goes through (src/steps/stack-guard.ts): its log
// file, the maintenance lock, and the refusal to act on a stack that a killed restore or update
// left half changed. With the real Executor on a temp install dir (the lab proves the commands on
// a server); the refusals through the CLI run with the dry-run Executor, so a broken guard could
// not reach this machine's Docker.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { createContext } from '../../src/context.js';
import { appendHistory, parseHistory, parseUpdateJournal, updateJournalText, type UpdateJournal } from '../../src/domain/update-journal.js';
import { journalText, startJournal, advance } from '../../src/domain/restore-journal.js';
import { DryRunExecutor, RealExecutor } from '../../src/exec/executor.js';
import { guardedFix } from '../../src/steps/doctor-fixes.js';
import { guarded, refuseInterrupted } from '../../src/steps/stack-guard.js';
import { WizardError } from '../../src/errors.js';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

/** A pid that is surely not running: beyond the kernel's pid_max. */
const DEAD_PID = 2 ** 22 + 7;

/** A process that stays alive until the tests end. */
function livePid(): number {
  const c = spawn('sleep', ['300'], { stdio: 'ignore' });
  children.push(c);
  return c.pid!;
}

function stackDir() {
  const dir = mkdtempSync(join(tmpdir(), 'sw-guard-'));
  const installDir = join(dir, 'opt');
  mkdirSync(join(installDir, '.stack-wizard'), { recursive: true });
  const answers = join(dir, 'answers.yaml');
  writeFileSync(answers, `project: guarded\npreset: 4g\ninstallDir: ${installDir}\napp: { image: ghcr.io/example/api:1.0.0 }\n`);
  return { dir, installDir, answers, target: { project: 'guarded', installDir } };
}

const restoreJournal = (pid: number) => {
  let j = startJournal({ project: 'guarded', backupId: '20260101-000000', pid, now: new Date('2026-01-01T00:00:00Z') });
  j = advance(j, 'safety', { now: new Date(), safetyId: '20260101-000100-pre-restore' });
  j = advance(j, 'stopped', { now: new Date() });
  return journalText(advance(j, 'restoring', { now: new Date(), part: 'database' }));
};

const updateJournal = (pid: number): UpdateJournal => ({
  format: 1, project: 'guarded', pid, startedAt: '2026-01-02T03:04:05.000Z', backupId: '20260102-030400-pre-update', schema: 'abc',
  templateFrom: 1, templateTo: 2, phase: 'applying',
  services: { app: { image: 'ghcr.io/example/api:1.0.0', imageId: `sha256:${'1'.repeat(64)}`, digests: ['ghcr.io/example/api@sha256:' + '2'.repeat(64)] } },
  files: [{ path: 'docker-compose.yml', content: 'services: {}\n', mode: 0o644 }],
});

const realCtx = () => createContext({ lang: 'en', dryRun: false, exec: new RealExecutor(), io: { out: () => {}, err: () => {} }, interactive: false });

async function cli(args: string[], dir: string, exec: RealExecutor | DryRunExecutor = new DryRunExecutor()) {
  let out = '';
  let err = '';
  const code = await main(args, {
    env: { LANG: 'C', STACK_WIZARD_STATE_DIR: join(dir, 'etc') }, interactive: false, cwd: dir, exec,
    io: { out: (s) => void (out += s), err: (s) => void (err += s) },
  });
  return { code, out, err };
}

describe('the guard around changes to a stack', () => {
  it('logs what runs inside it to the install dir (mkdir too), holds the lock meanwhile and releases it', async () => {
    const { installDir, target } = stackDir();
    const ctx = realCtx();
    const lock = join(installDir, '.stack-wizard/maintenance.lock');
    const during = await guarded(ctx, target, 'doctor fix (compose-up)', async () => {
      await ctx.exec.mkdir(join(installDir, 'new/deeper'));
      await ctx.exec.mkdir(join(installDir, 'new/deeper')); // exists: nothing to log
      await ctx.exec.run('true', []);
      return readFileSync(lock, 'utf8');
    });
    expect(during).toBe(`${process.pid} doctor fix (compose-up)\n`);
    // The lock lives on the file (flock): it stays, emptied, and 0600.
    expect(readFileSync(lock, 'utf8')).toBe('');
    expect(statSync(lock).mode & 0o777).toBe(0o600);
    const log = readFileSync(join(installDir, 'logs/stack-wizard.log'), 'utf8').replace(/^\S+ /gm, '');
    expect(log).toBe(
      [
        `note: doctor fix (compose-up): project guarded, install dir ${installDir}`,
        `write: ${lock} (lock) → taken`,
        `mkdir: ${installDir}/new/deeper → created from ${installDir}/new`,
        'run: true → exit 0',
        'note: doctor fix (compose-up) done',
        `write: ${lock} (lock) → released`,
        '',
      ].join('\n'),
    );
  });

  it('a failure is logged with its message, and the lock is released', async () => {
    const { installDir, target } = stackDir();
    const ctx = realCtx();
    await expect(guarded(ctx, target, 'security apply', async () => {
      throw new Error('ufw said no');
    })).rejects.toThrow('ufw said no');
    expect(readFileSync(join(installDir, 'logs/stack-wizard.log'), 'utf8')).toMatch(/note: security apply failed: ufw said no\n(?:.*\n)*.*\(lock\) → released\n/);
    expect(readFileSync(join(installDir, '.stack-wizard/maintenance.lock'), 'utf8')).toBe('');
    // Released: the next one takes it.
    expect(await guarded(realCtx(), target, 'next', async () => 'ran')).toBe('ran');
  });

  it('refuses while another process holds the flock, naming it; the kernel releases it when that process is killed', async () => {
    const { installDir, target } = stackDir();
    const lock = join(installDir, '.stack-wizard/maintenance.lock');
    // Another process holding it the way we do: flock(1) on the file, then naming itself in it.
    const holder = spawn('flock', ['--nonblock', '--close', lock, 'sh', '-c', `echo "$PPID restore" > ${lock}; echo held; exec sleep 300`], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    children.push(holder);
    await new Promise<void>((res) => holder.stdout!.once('data', () => res()));
    let ran = false;
    const e = (await guarded(realCtx(), target, 'doctor --fix', async () => void (ran = true)).catch((x: unknown) => x)) as WizardError;
    expect([e.key, e.params]).toEqual(['err.bk.locked', { what: 'restore', pid: holder.pid, file: lock }]);
    expect(ran).toBe(false);
    // The whole group (flock and its sleeping child), as a kill of the session would.
    process.kill(-holder.pid!, 'SIGKILL');
    await new Promise((res) => holder.once('exit', res));
    // Killed without releasing: its name is still in the file, but the lock went with it.
    expect(readFileSync(lock, 'utf8')).toBe(`${holder.pid} restore\n`);
    await guarded(realCtx(), target, 'backup', async () => void (ran = true));
    expect(ran).toBe(true);
  });

  it('a command waits for the binary log archive (a run of seconds) to let go of the lock instead of failing (#18.3)', async () => {
    const { installDir, target } = stackDir();
    const lock = join(installDir, '.stack-wizard/maintenance.lock');
    // The 15-minute timer's run holding it, the way the real one does, for about a second.
    const holder = spawn('flock', ['--nonblock', '--close', lock, 'sh', '-c', `echo "$PPID backup binlogs" > ${lock}; echo held; exec sleep 1`], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(holder);
    await new Promise<void>((res) => holder.stdout!.once('data', () => res()));
    const exited = new Promise((res) => holder.once('exit', res));
    let ranAfterExit = false;
    await guarded(realCtx(), target, 'backup', async () => {
      // Only once the holder is gone: the flock was its.
      ranAfterExit = holder.exitCode !== null;
    });
    await exited;
    expect(ranAfterExit).toBe(true);
  });

  it('an older stack-wizard named in the file (no flock) that still runs is respected; a dead one is taken over', async () => {
    const { installDir, target } = stackDir();
    const lock = join(installDir, '.stack-wizard/maintenance.lock');
    const pid = livePid();
    writeFileSync(lock, `${pid} restore\n`);
    let ran = false;
    const e = await guarded(realCtx(), target, 'doctor --fix', async () => void (ran = true)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WizardError);
    expect((e as WizardError).key).toBe('err.bk.locked');
    expect((e as WizardError).params).toMatchObject({ what: 'restore', pid });
    expect(ran).toBe(false);
    expect(readFileSync(lock, 'utf8')).toBe(`${pid} restore\n`);
    writeFileSync(lock, `${DEAD_PID} update\n`);
    await guarded(realCtx(), target, 'backup', async () => void (ran = true));
    expect(ran).toBe(true);
  });

  it('refuses on a killed restore or update, naming the command that finishes or undoes it; the command of that operation passes', async () => {
    const { installDir, target } = stackDir();
    writeFileSync(join(installDir, '.stack-wizard/restore.json'), restoreJournal(DEAD_PID));
    const run = (o: Parameters<typeof guarded>[4]) => guarded(realCtx(), target, 'x', async () => 'ran', o).catch((e: WizardError) => e.key);
    expect(await run({})).toBe('err.rs.pending');
    expect(await run({ allow: 'update' })).toBe('err.rs.pending');
    expect(await run({ allow: 'restore' })).toBe('ran');
    expect(await run({ refuse: false })).toBe('ran');
    writeFileSync(join(installDir, '.stack-wizard/restore.json'), restoreJournal(DEAD_PID).replace('"restoring"', '"done"'));
    writeFileSync(join(installDir, '.stack-wizard/update.json'), updateJournalText(updateJournal(DEAD_PID)));
    expect(await run({})).toBe('err.up.pending');
    expect(await run({ allow: 'restore' })).toBe('err.up.pending');
    expect(await run({ allow: 'update' })).toBe('ran');
    // A finished restore's journal is only removed.
    expect(existsSync(join(installDir, '.stack-wizard/restore.json'))).toBe(false);
  });

  it('a journal whose process still runs is an operation in progress: "locked", and the journal is kept', async () => {
    const { installDir, target } = stackDir();
    const pid = livePid();
    const path = join(installDir, '.stack-wizard/restore.json');
    // Phase begun: a journal a later run would discard as "nothing changed" if its process were gone.
    writeFileSync(path, journalText(startJournal({ project: 'guarded', backupId: '20260101-000000', pid, now: new Date() })));
    const e = (await refuseInterrupted(realCtx(), target).catch((x: unknown) => x)) as WizardError;
    expect(e.key).toBe('err.bk.locked');
    expect(e.params).toMatchObject({ what: 'restore', pid });
    expect(existsSync(path)).toBe(true);
  });

  it("the guided session's fix goes through it too: refused on a half-restored stack before any command runs", async () => {
    const { installDir, target } = stackDir();
    writeFileSync(join(installDir, '.stack-wizard/restore.json'), restoreJournal(DEAD_PID));
    const ctx = realCtx();
    const stack = { ...target } as unknown as Parameters<typeof guardedFix>[1];
    const e = (await guardedFix(ctx, stack, { kind: 'compose-up', services: ['mysql'] }).catch((x: unknown) => x)) as WizardError;
    expect(e.key).toBe('err.rs.pending');
    expect(ctx.exec.actions.filter((a) => a.kind === 'run')).toEqual([]);
    expect(readFileSync(join(installDir, 'logs/stack-wizard.log'), 'utf8')).toMatch(/note: doctor fix \(compose-up\) failed: a restore of 20260101-000000 was interrupted \(phase restoring\)/);
  });

  it('a Context that shares the Executor (the menu runs each command in its own) logs to the same file', async () => {
    const { installDir, target } = stackDir();
    const exec = new RealExecutor();
    const menu = createContext({ lang: 'en', dryRun: false, exec, interactive: false });
    const sub = createContext({ lang: 'en', dryRun: false, exec, interactive: false, io: { out: () => {}, err: () => {} } });
    await guarded(sub, target, 'backup', async () => {
      await menu.exec.run('true', ['from-the-menu']);
    });
    expect(readFileSync(join(installDir, 'logs/stack-wizard.log'), 'utf8')).toMatch(/run: true from-the-menu → exit 0/);
  });
});

describe('commands refuse on a killed restore or update (exit 1, nothing run)', () => {
  it('doctor --fix, backup and init name the command to run; update offers --rollback or --yes', async () => {
    const { dir, installDir, answers } = stackDir();
    writeFileSync(join(installDir, '.stack-wizard/restore.json'), restoreJournal(DEAD_PID));
    const fix = await cli(['doctor', '--fix', '--yes', '--answers', answers], dir);
    expect(fix.code).toBe(1);
    expect(fix.err).toMatch(/a restore of 20260101-000000 was interrupted \(phase restoring\).*stack-wizard restore --yes.*stack-wizard restore --rollback --yes/);
    // Refused before a single check ran.
    expect(fix.out).toBe('');
    const upd = await cli(['update', '--yes', '--answers', answers], dir);
    expect(upd.code).toBe(1);
    expect(upd.err).toMatch(/a restore of 20260101-000000 was interrupted/);

    writeFileSync(join(installDir, '.stack-wizard/restore.json'), restoreJournal(DEAD_PID).replace('"restoring"', '"rolled-back"'));
    writeFileSync(join(installDir, '.stack-wizard/update.json'), updateJournalText(updateJournal(DEAD_PID)));
    for (const args of [['backup'], ['doctor', '--fix', '--yes'], ['restore', '20260101-000000', '--yes'], ['init', '--yes']]) {
      const r = await cli([...args, '--answers', answers], dir);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err, args.join(' ')).toMatch(/an update started 2026-01-02T03:04:05\.000Z was interrupted \(phase applying\).*stack-wizard update --rollback --yes.*stack-wizard update --yes/);
    }
    // Without --yes it only says what to do (the real Executor: a dry run would stop at the notice).
    const ask = await cli(['update', '--answers', answers], dir, new RealExecutor());
    expect(ask.code).toBe(2);
    expect(ask.out).toMatch(/An update started 2026-01-02T03:04:05\.000Z was interrupted \(phase applying\); .* backup 20260102-030400-pre-update\./);
    expect(ask.err).toMatch(/run stack-wizard update --yes to finish it, or stack-wizard update --rollback --yes/);
  });

  it('update --rollback with nothing interrupted is bad usage', async () => {
    const { dir, answers } = stackDir();
    const r = await cli(['update', '--rollback', '--yes', '--answers', answers], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no interrupted update to roll back/);
  });
});

describe('the update journal and history', () => {
  it('round-trips; a journal of an older stack-wizard (no format, pid or phase) still reads, as applying', () => {
    const j = updateJournal(42);
    expect(parseUpdateJournal(updateJournalText(j))).toEqual(j);
    const old = { startedAt: j.startedAt, backupId: j.backupId, schema: null, services: j.services, files: j.files };
    expect(parseUpdateJournal(JSON.stringify(old))).toMatchObject({ format: 1, pid: 0, phase: 'applying', templateFrom: null, services: j.services });
    expect(parseUpdateJournal('{"startedAt": 1}')).toBeNull();
    expect(parseUpdateJournal('not json')).toBeNull();
  });

  it('the history is one JSON object a line, appended; unreadable lines are skipped, never lost', () => {
    const j = updateJournal(42);
    const e1 = { startedAt: j.startedAt, endedAt: '2026-01-02T03:06:00.000Z', outcome: 'updated' as const, backupId: j.backupId, templateFrom: 1, templateTo: 2, changed: ['app'], files: ['docker-compose.yml'], before: j.services, after: { app: { image: 'ghcr.io/example/api:1.1.0', imageId: `sha256:${'3'.repeat(64)}`, digests: [] } } };
    const t1 = appendHistory(null, e1);
    expect(t1.split('\n')).toHaveLength(2);
    const t2 = appendHistory(`${t1}garbage`, { ...e1, outcome: 'recovered', after: j.services });
    expect(t2).toContain('garbage\n');
    expect(parseHistory(t2).map((e) => e.outcome)).toEqual(['updated', 'recovered']);
    expect(parseHistory(t2)[0]!.before.app!.digests).toEqual([`ghcr.io/example/api@sha256:${'2'.repeat(64)}`]);
    expect(() => appendHistory(null, { ...e1, outcome: 'nope' as never })).toThrow();
  });
});
