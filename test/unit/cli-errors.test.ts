// Bad input of every kind: exit 2 (usage/input) or 3 (host), a message that names the problem
// and the fix, and nothing written.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { makeFacts } from '../fixtures/facts.js';
import { runCli } from '../fixtures/bundle.js';

const isRoot = process.getuid?.() === 0;

const dir = mkdtempSync(join(tmpdir(), 'sw-errors-'));
afterAll(() => {
  /* left for inspection on failure; tmp is cleaned by the OS */
});

const GOOD = `project: myapp
preset: 4g
app:
  image: ghcr.io/example/api:1.4.2
  port: 8000
`;
const facts8 = join(dir, 'facts-8g.json');
writeFileSync(facts8, JSON.stringify(makeFacts({ ramMiB: 7680, cores: 4 })));
const facts4 = join(dir, 'facts-4g.json');
writeFileSync(facts4, JSON.stringify(makeFacts({ ramMiB: 3790, cores: 2 })));
const facts1 = join(dir, 'facts-1g.json');
writeFileSync(facts1, JSON.stringify(makeFacts({ ramMiB: 1000, cores: 1 })));

let n = 0;
async function run(answers: string | null, extra: string[] = [], o: { facts?: string; env?: NodeJS.ProcessEnv } = {}) {
  const caseDir = join(dir, `case-${++n}`);
  mkdirSync(caseDir);
  const out = join(caseDir, 'out');
  const args = ['render'];
  if (answers !== null) {
    const f = join(dir, `answers-${n}.yaml`);
    writeFileSync(f, answers);
    args.push('--answers', f);
  }
  args.push('--host-facts', o.facts ?? facts8, '--out', out, ...extra);
  let stdout = '';
  let stderr = '';
  const code = await main(args, { io: { out: (s) => void (stdout += s), err: (s) => void (stderr += s) }, env: o.env ?? { LANG: 'C' }, interactive: false, cwd: caseDir });
  return { code, stdout, stderr, out, caseDir };
}

/** The run's working folder (which holds --out) is still empty: no output folder, no stray file. */
const nothingWritten = (caseDir: string) => expect(readdirSync(caseDir)).toEqual([]);

/** main() with an empty working folder of its own; returns what it printed and that folder. */
async function mainIn(argv: string[], env: NodeJS.ProcessEnv = { LANG: 'C' }) {
  const caseDir = join(dir, `case-${++n}`);
  mkdirSync(caseDir);
  let stderr = '';
  const code = await main(argv, { io: { out: () => {}, err: (s) => void (stderr += s) }, env, interactive: false, cwd: caseDir });
  return { code, stderr, caseDir };
}

describe('bad answers files', () => {
  const cases: [string, string, number, RegExp][] = [
    ['malformed YAML', 'project: myapp\napp:\n  image: a/b:1\n   port: 8000\n', 2, /answers-\d+\.yaml:3:\d+: not valid YAML: Nested mappings/],
    ['duplicate key', 'project: a\nproject: b\napp: { image: a/b:1 }\n', 2, /answers-\d+\.yaml:2:\d+: not valid YAML.*[Mm]ap keys must be unique/],
    ['unknown top-level key with a suggestion', `${GOOD}projct: x\n`, 2, /:6: projct: unknown key "projct"; did you mean "project"\?/],
    ['unknown nested key with a suggestion', 'project: myapp\napp:\n  imgae: a/b:1\n', 2, /:3: app\.imgae: unknown key "imgae"; did you mean "image"\?/],
    ['wrong type', `${GOOD}ports: { http: eighty }\n`, 2, /:6: ports\.http: expected number, got string/],
    ['bad project name', GOOD.replace('myapp', 'My_App'), 2, /:1: project: lowercase letters, digits and -/],
    ['port out of range', GOOD.replace('8000', '70000'), 2, /:5: app\.port: must be at most 65535/],
    ['port zero', `${GOOD}ports: { https: 0 }\n`, 2, /ports\.https: must be at least 1/],
    ['impossible preset', GOOD.replace('4g', '32g'), 2, /:2: preset: must be one of "auto", "4g", "8g", "16g"/],
    ['missing app', 'project: myapp\n', 2, /app: is required/],
    ['missing image', 'project: myapp\napp: { port: 8000 }\n', 2, /app\.image: is required/],
    ['not an image reference', GOOD.replace('ghcr.io/example/api:1.4.2', 'Not An Image!!'), 2, /:4: app\.image: not an image reference/],
    ['health path without slash', `${GOOD}  health: health\n`, 2, /app\.health: must be a URL path starting with \//],
    ['letsencrypt without email', `${GOOD}domain: app.example.com\ntls: letsencrypt\n`, 2, /email: letsencrypt needs an email/],
    ['letsencrypt without domain', `${GOOD}tls: letsencrypt\nemail: ops@example.com\n`, 2, /tls: letsencrypt needs a domain/],
    ['bad domain', `${GOOD}domain: localhost_1\n`, 2, /:6: domain: a host name such as app\.example\.com/],
    ['engine/version mismatch', `${GOOD}database: { engine: mariadb, version: "8.4" }\n`, 2, /database\.version: mariadb version must be one of 10\.11, 11\.4, 11\.8/],
    ['worker without a command', `${GOOD}components: { worker: true }\n`, 2, /app\.workerCommand: components\.worker needs app\.workerCommand/],
    ['sshPort not a port', `${GOOD}security: { sshPort: twenty-two }\n`, 2, /security\.sshPort: expected "auto" or a port number/],
    ['backup time out of range', `${GOOD}backup: { schedule: "25:00" }\n`, 2, /backup\.schedule: a time as HH:MM/],
    ['same http and https port', `${GOOD}ports: { http: 8080, https: 8080 }\n`, 2, /ports\.https: http and https must be different ports/],
    ['custom TLS without certificate', `${GOOD}domain: app.example.com\ntls: custom\n`, 2, /certificate: tls: custom needs certificate/],
    ['a list instead of a mapping', '- project: myapp\n', 2, /must be a mapping of keys/],
    ['an empty file', '', 2, /must be a mapping of keys/],
    ['bad mirror URL', `${GOOD}mirrors: { npm: "ftp://mirror" }\n`, 2, /mirrors\.npm: a URL starting with http/],
    ['bad env var name', `${GOOD}  env: { "1BAD": x }\n`, 2, /app\.env\.1BAD|environment variable names/],
  ];
  for (const [name, text, code, message] of cases) {
    it(`${name}: exit ${code}, names the problem, writes nothing`, async () => {
      const r = await run(text);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(code);
      nothingWritten(r.caseDir);
    });
  }

  it('reports every problem at once, each with its line', async () => {
    const r = await run('project: My_App\npreset: 3g\napp:\n  image: a/b:1\n  port: -1\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/3 problem\(s\)/);
    expect(r.stderr).toMatch(/:1: project:/);
    expect(r.stderr).toMatch(/:2: preset:/);
    expect(r.stderr).toMatch(/:5: app\.port:/);
    nothingWritten(r.caseDir);
  });

  it('speaks Chinese when asked', async () => {
    const r = await run(GOOD.replace('4g', '32g'), ['--lang', 'zh-CN']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/错误：.*应答中有 1 个问题/);
    expect(r.stderr).toMatch(/preset：必须是以下之一/);
    nothingWritten(r.caseDir);
  });
});

describe('bad hosts, files and flags', () => {
  it('a host below the preset: exit 3 with the numbers and the preset that fits', async () => {
    const r = await run(GOOD.replace('4g', '16g'), [], { facts: facts4 });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/3790 MiB of usable RAM; preset 16g needs at least 14746 MiB\. Use preset 4g/);
    nothingWritten(r.caseDir);
  });

  it('every optional component on a 1 GB host: exit 3, names what does not fit', async () => {
    const r = await run(`${GOOD.replace('4g', 'auto')}  workerCommand: [w]\ncomponents: { worker: true, rabbitmq: true, minio: true, monitoring: true }\n`, [], { facts: facts1 });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/do not fit in 1000 MiB.*below its minimum/);
    nothingWritten(r.caseDir);
  });

  it('a missing answers file: exit 2', async () => {
    const r = await run(null, ['--answers', join(dir, 'nope.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/answers file .*nope\.yaml does not exist/);
    nothingWritten(r.caseDir);
  });

  it('a missing facts file: exit 2 with the command that makes one', async () => {
    const r = await run(GOOD, [], { facts: join(dir, 'nope.json') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/stack-wizard probe --json > facts\.json/);
    nothingWritten(r.caseDir);
  });

  it('a facts file that is a folder: exit 2, names the file and why', async () => {
    const folder = join(dir, 'facts-folder.json');
    mkdirSync(folder);
    const r = await run(GOOD, [], { facts: folder });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read .*facts-folder\.json \(EISDIR\); check the path and its permissions/);
    nothingWritten(r.caseDir);
  });

  it('an answers file that is a folder: exit 2', async () => {
    const folder = join(dir, 'answers-folder.yaml');
    mkdirSync(folder);
    const r = await run(null, ['--answers', folder]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read .*answers-folder\.yaml \(EISDIR\)/);
    nothingWritten(r.caseDir);
  });

  // Root reads a mode-000 file regardless (the folder case above is root's unreadable file).
  it.skipIf(isRoot)('a facts file without read permission (mode 000; skipped as root, who reads it anyway): exit 2', async () => {
    const locked = join(dir, 'locked-facts.json');
    writeFileSync(locked, JSON.stringify(makeFacts()));
    chmodSync(locked, 0o000);
    const r = await run(GOOD, [], { facts: locked });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read .*locked-facts\.json \(EACCES\)/);
    nothingWritten(r.caseDir);
  });

  it('a facts file that is not facts: exit 2, names the fields', async () => {
    const bad = join(dir, 'bad-facts.json');
    writeFileSync(bad, JSON.stringify({ schemaVersion: 1, cpu: { cores: 0 } }));
    const r = await run(GOOD, [], { facts: bad });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/problem\(s\) in the host facts/);
    expect(r.stderr).toMatch(/cpu\.cores: must be at least 1/);
    expect(r.stderr).toMatch(/memory: is required/);
    nothingWritten(r.caseDir);
  });

  it('a facts file that is not JSON: exit 2 with line and column', async () => {
    const bad = join(dir, 'broken-facts.json');
    writeFileSync(bad, '{"schemaVersion": 1,\n  "cpu": {\n');
    const r = await run(GOOD, [], { facts: bad });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken-facts\.json:\d+:\d+: not valid YAML/);
    nothingWritten(r.caseDir);
  });

  it('an output folder that cannot be created (a file where a folder is expected): exit 2, nothing written', async () => {
    const f = join(dir, 'good.yaml');
    writeFileSync(f, GOOD);
    const caseDir = join(dir, `case-${++n}`);
    mkdirSync(caseDir);
    writeFileSync(join(caseDir, 'a-file'), 'x');
    let stderr = '';
    const code = await main(['render', '--answers', f, '--host-facts', facts8, '--out', 'a-file/out'], {
      io: { out: () => {}, err: (s) => void (stderr += s) },
      env: { LANG: 'C' },
      cwd: caseDir,
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot write to .*a-file\/out \(ENOTDIR/);
    expect(readdirSync(caseDir)).toEqual(['a-file']);
  });

  // Pseudo-filesystems: /proc answers ENOENT to mkdir under a folder that exists, which sent Node's
  // recursive mkdir into an endless loop; /sys refuses with EPERM. Run as a child process, so a hang
  // is ended by the timeout and fails instead of stalling the suite. These work as root and not.
  for (const [target, code] of [['/proc/sw-render-test/out', 'ENOENT'], ['/sys/sw-render-test', 'EPERM']] as const) {
    it(`an output folder on a pseudo-filesystem (${target}): exit 2 at once, nothing written`, () => {
      const f = join(dir, 'good-pseudo.yaml');
      writeFileSync(f, GOOD);
      const r = runCli(['render', '--answers', f, '--host-facts', facts8, '--out', target], { LANG: 'C' }, 60_000);
      expect(r.error, 'the render hung and was killed').toBeUndefined();
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`cannot write to ${target.replace(/\//g, '\\/')} \\((${code}|EACCES|EPERM)\\); choose a folder you can write to`));
      expect(existsSync(target)).toBe(false);
      expect(existsSync(target.split('/').slice(0, 3).join('/'))).toBe(false);
    }, 120_000);
  }

  // A folder the caller may not write: for root only a read-only mount would do, and this machine
  // cannot mount one; the pseudo-filesystem cases above are root's read-only folders.
  it.skipIf(isRoot)('a read-only output folder (mode 0555; skipped as root, who writes there anyway): exit 2, nothing written', async () => {
    const ro = join(dir, 'read-only');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    const f = join(dir, 'good-ro.yaml');
    writeFileSync(f, GOOD);
    const r = await mainIn(['render', '--answers', f, '--host-facts', facts8, '--out', join(ro, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write to .*read-only\/out \(EACCES\)/);
    expect(readdirSync(ro)).toEqual([]);
    nothingWritten(r.caseDir);
  });

  it('an existing .env secret Compose cannot carry exactly: exit 2 naming key, file:line and fix; the .env is untouched', async () => {
    const f = join(dir, 'good-env.yaml');
    writeFileSync(f, GOOD);
    const caseDir = join(dir, `case-${++n}`);
    mkdirSync(join(caseDir, 'out'), { recursive: true });
    const env = 'COMPOSE_PROJECT_NAME=myapp\nMYSQL_ROOT_PASSWORD=Root0123456789abcdef\nMYSQL_PASSWORD="first\nsecond"\n';
    writeFileSync(join(caseDir, 'out', '.env'), env, { mode: 0o600 });
    let stderr = '';
    const code = await main(['render', '--answers', f, '--host-facts', facts8, '--out', 'out'], {
      io: { out: () => {}, err: (s) => void (stderr += s) },
      env: { LANG: 'C' },
      cwd: caseDir,
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/out\/\.env:3: MYSQL_PASSWORD holds \\n \(a line break or control character\).*never replaces an existing secret.*MYSQL_PASSWORD='…'/);
    expect(readdirSync(join(caseDir, 'out'))).toEqual(['.env']);
    expect(readFileSync(join(caseDir, 'out', '.env'), 'utf8')).toBe(env);
  });

  it('render without --out: exit 2 naming the flag, nothing written', async () => {
    const f = join(dir, 'good2.yaml');
    writeFileSync(f, GOOD);
    const r = await mainIn(['render', '--answers', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/render needs --out/);
    nothingWritten(r.caseDir);
  });

  it('an unknown command, an unknown option, a stray argument, a bad --lang: exit 2, nothing written', async () => {
    const cases: [string[], RegExp][] = [
      [['deploy'], /unknown command "deploy"/],
      [['render', '--frobnicate'], /Unknown option '--frobnicate'/],
      [['probe', 'extra'], /unexpected argument "extra"/],
      [['--lang', 'fr', 'probe'], /--lang must be en or zh-CN, not "fr"/],
    ];
    for (const [argv, msg] of cases) {
      const r = await mainIn(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
      nothingWritten(r.caseDir);
    }
  });

  // Only reachable as root: as non-root init renders into a local folder and needs no confirmation.
  it.runIf(isRoot)('init that would change a server without a terminal or --yes (root only): exit 2 naming --yes, nothing written', async () => {
    const f = join(dir, 'good3.yaml');
    writeFileSync(f, `${GOOD}installDir: ${join(dir, 'installed')}\n`);
    const r = await mainIn(['init', '--answers', f, '--host-facts', facts8], { LANG: 'C', STACK_WIZARD_STATE_DIR: join(dir, 'state') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass --yes/);
    expect(existsSync(join(dir, 'installed'))).toBe(false);
    expect(existsSync(join(dir, 'state'))).toBe(false);
    nothingWritten(r.caseDir);
  });
});
