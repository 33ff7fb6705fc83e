// init end to end on the file level: the dry-run preview, a real run into a temp install dir, and
// a second run that changes nothing.
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { makeFacts } from '../fixtures/facts.js';

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

  it.runIf(isRoot)('as root with --yes writes the install dir and the registry, and a second run changes nothing', async () => {
    const { dir, facts, answers, run } = setup();
    const first = await run('init', '--answers', answers, '--host-facts', facts, '--yes');
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/Done: 1 step\(s\) applied/);
    const env = join(dir, 'opt', '.env');
    expect(statSync(env).mode & 0o777).toBe(0o600);
    const secretsBefore = readFileSync(env, 'utf8');
    const reg = JSON.parse(readFileSync(join(dir, 'etc', 'demo.json'), 'utf8'));
    expect(reg).toMatchObject({ project: 'demo', installDir: join(dir, 'opt') });

    const second = await run('init', '--answers', answers, '--host-facts', facts, '--yes');
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/Nothing to change/);
    expect(second.out).toMatch(/= docker-compose\.yml \(unchanged\)/);
    expect(readFileSync(env, 'utf8')).toBe(secretsBefore);
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
});
