// init end to end on the file level: the dry-run preview, a real run into a temp install dir, and
// a second run that changes nothing.
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { makeFacts } from '../fixtures/facts.js';
import { createContext } from '../../src/context.js';
import { loadAnswers, prepare } from '../../src/steps/prepare.js';
import { runSteps } from '../../src/steps/engine.js';
import { writeFilesStep } from '../../src/steps/install.js';

const isRoot = process.getuid?.() === 0;

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'sw-init-'));
  const facts = join(dir, 'facts.json');
  writeFileSync(facts, JSON.stringify(makeFacts({ ramMiB: 7680, cores: 4, sshPorts: [2222] })));
  const answers = join(dir, 'answers.yaml');
  writeFileSync(answers, `project: demo\npreset: 8g\ninstallDir: ${join(dir, 'opt')}\napp: { image: ghcr.io/example/api:1.0.0 }\n`);
  const env = { LANG: 'C', STACK_WIZARD_STATE_DIR: join(dir, 'etc') };
  const run = async (...argv: string[]) => {
    let out = '';
    let err = '';
    const code = await main(argv, { io: { out: (s) => void (out += s), err: (s) => void (err += s) }, env, interactive: false, cwd: dir });
    return { code, out, err };
  };
  return { dir, facts, answers, run };
}

describe('init', () => {
  it('--dry-run previews every file with a diff and every step, and changes nothing', async () => {
    const { dir, facts, answers, run } = setup();
    const r = await run('init', '--answers', answers, '--host-facts', facts, '--dry-run');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\+ docker-compose\.yml\n/);
    expect(r.out).toMatch(/\+name: "demo"/);
    // .env shows which secrets appear, never their values.
    expect(r.out).toMatch(/\+ MYSQL_PASSWORD=••••••/);
    expect(r.out).not.toMatch(/MYSQL_PASSWORD=[A-Za-z0-9]{32}/);
    expect(r.out).toMatch(/Dry run: nothing was changed/);
    expect(existsSync(join(dir, 'opt'))).toBe(false);
    expect(existsSync(join(dir, 'stack-wizard-demo'))).toBe(false);
    expect(existsSync(join(dir, 'etc'))).toBe(false);
  });

  // The whole of init on a server (Docker, pulls, start) is proven in test/e2e on the lab engine;
  // here the files step alone, so this unit test never touches this machine's Docker.
  it.runIf(isRoot)('the files step writes the install dir and the registry, and a second run changes nothing', async () => {
    const { dir, facts, answers } = setup();
    const env = { LANG: 'C', STACK_WIZARD_STATE_DIR: join(dir, 'etc') };
    const io = { out: () => {}, err: () => {} };
    const runFiles = async () => {
      const ctx = createContext({ lang: 'en', dryRun: false, env, io, cwd: dir, interactive: false });
      const p = await prepare(ctx, { answers: await loadAnswers(ctx, answers), factsFile: facts });
      return runSteps(ctx, [writeFilesStep], p);
    };
    const first = await runFiles();
    expect(first.map((r) => r.status)).toEqual(['applied']);
    const envFile = join(dir, 'opt', '.env');
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const secretsBefore = readFileSync(envFile, 'utf8');
    const reg = JSON.parse(readFileSync(join(dir, 'etc', 'demo.json'), 'utf8'));
    expect(reg).toMatchObject({ project: 'demo', installDir: join(dir, 'opt') });

    const second = await runFiles();
    expect(second.map((r) => r.status)).toEqual(['skipped']);
    expect(readFileSync(envFile, 'utf8')).toBe(secretsBefore);
  });

  it('without root renders into ./stack-wizard-<project> and says what it would do on the server', async () => {
    const { dir, facts, answers, run } = setup();
    // --out forces the local render path as root does when it is not given a server to change.
    const r = await run('init', '--answers', answers, '--host-facts', facts, '--out', join(dir, 'stack-wizard-demo'));
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'stack-wizard-demo', 'docker-compose.yml'))).toBe(true);
    expect(r.out).toMatch(/What init does on the server:/);
    expect(r.out).toContain(join(dir, 'opt', 'docker-compose.yml'));
    expect(existsSync(join(dir, 'opt'))).toBe(false);
  });

  // A preflight refusal on a server: the preview is complete, and the exit code is what the real run
  // would end with (3), so a script's `init --dry-run && init --yes` stops here.
  it.runIf(isRoot)('--dry-run on a server that fails preflight prints the whole preview, then exits 3 with the refusal', async () => {
    const { dir, answers, run } = setup();
    const small = makeFacts({ ramMiB: 7680, cores: 4, sshPorts: [2222] });
    small.disks.dockerRoot.freeBytes = 2 * 1024 ** 3;
    small.disks.installDir.freeBytes = 2 * 1024 ** 3;
    const facts = join(dir, 'facts-small-disk.json');
    writeFileSync(facts, JSON.stringify(small));
    const r = await run('init', '--answers', answers, '--host-facts', facts, '--dry-run');
    expect(r.code).toBe(3);
    // Everything is previewed: the files, the failed check with its numbers, and the steps after it.
    expect(r.out).toMatch(/\+ docker-compose\.yml\n/);
    // The disk line: what is needed as one sum of its parts, then what is free (#22.7).
    expect(r.out).toMatch(/✗ Check the host \(changes nothing\)\n(?: {4}.*\n)* {4}✗ disk at \/: needs [\d.]+ GiB = images [\d.]+ \+ database [\d.]+ \+ backups [\d.]+ GiB; only 2\.0 GiB free/);
    expect(r.out).toMatch(/• Start the stack and wait until it is healthy/);
    expect(r.out).toMatch(/Dry run: nothing was changed/);
    // The same refusal a real run stops with, on stderr.
    expect(r.err).toMatch(/this host does not meet 1 requirement\(s\); nothing was changed/);
    expect(r.err).toMatch(/disk at \/: needs [\d.]+ GiB = .* GiB; only 2\.0 GiB free/);
    expect(existsSync(join(dir, 'opt'))).toBe(false);
    expect(existsSync(join(dir, 'etc'))).toBe(false);

    // A host that passes: the same preview ends with exit 0.
    const ok = await run('init', '--answers', answers, '--host-facts', join(dir, 'facts.json'), '--dry-run');
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/✓ Check the host \(changes nothing\)/);
  });

  it('--dry-run of a local render (--out) shows the server checks that would fail, and exits 0: the render itself would go ahead', async () => {
    const { dir, answers, run } = setup();
    const facts = join(dir, 'facts-not-root.json');
    writeFileSync(facts, JSON.stringify(makeFacts({ isRoot: false })));
    const r = await run('init', '--answers', answers, '--host-facts', facts, '--out', join(dir, 'local'), '--dry-run');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✗ Check the host \(changes nothing\)\n(?: {4}.*\n)* {4}✗ running as ops, not root/);
    expect(existsSync(join(dir, 'local'))).toBe(false);
  });
});

// #17.1: a series past its end of life is refused for a new stack; the stack that runs it keeps it.
describe('init and a database series past its end of life', () => {
  it('MySQL 8.0 for a new stack: exit 2 naming the field, the end of life and the supported series, in the chosen language; nothing written', async () => {
    const { dir, facts, answers, run } = setup();
    writeFileSync(answers, `${readFileSync(answers, 'utf8')}database: { engine: mysql, version: '8.0' }\n`);
    const out = join(dir, 'stack-wizard-demo');
    const r = await run('init', '--answers', answers, '--host-facts', facts, '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toContain('database.version: MySQL 8.0 reached its end of life on 2026-04-30');
    expect(r.err).toContain('Choose 8.4, 9.7 (for example --db-version 8.4)');
    expect(existsSync(out)).toBe(false);
    let zhErr = '';
    const zh = await main(['init', '--answers', answers, '--host-facts', facts, '--out', out], {
      io: { out: () => {}, err: (s) => void (zhErr += s) },
      env: { LANG: 'zh_CN.UTF-8', STACK_WIZARD_STATE_DIR: join(dir, 'etc') },
      interactive: false,
      cwd: dir,
    });
    expect(zh).toBe(2);
    expect(zhErr).toContain('database.version：MySQL 8.0 已于 2026-04-30 结束支持');
    expect(existsSync(out)).toBe(false);
  });

  it('a stack that already runs MySQL 8.0 (its saved answers say so) re-renders on 8.0', async () => {
    const { dir, facts, answers, run } = setup();
    writeFileSync(answers, `${readFileSync(answers, 'utf8')}database: { engine: mysql, version: '8.0' }\n`);
    const out = join(dir, 'stack-wizard-demo');
    // The existing stack: its saved answers, as init wrote them.
    const first = await run('init', '--answers', answers, '--host-facts', facts, '--out', out, '--db-version', '8.4');
    expect(first.code).toBe(0);
    writeFileSync(join(out, 'stack-wizard.yaml'), readFileSync(join(out, 'stack-wizard.yaml'), 'utf8').replace('version: "8.4"', 'version: "8.0"'));
    const r = await run('init', '--answers', answers, '--host-facts', facts, '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, 'docker-compose.yml'), 'utf8')).toMatch(/image: "mysql:8\.0\.46@sha256:[0-9a-f]{64}"/);
  });
});
