// Bad input of every kind: exit 2 (usage/input) or 3 (host), a message that names the problem
// and the fix, and nothing written.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { makeFacts } from '../fixtures/facts.js';

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
    expect(r.stderr).toMatch(/3790 MiB of usable RAM; preset 16g needs at least 13600 MiB\. Use preset 4g/);
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
    expect(stderr).toMatch(/out\/\.env:3: MYSQL_PASSWORD holds \\n \(a line break or control character, character 6 of the value\).*never replaces an existing secret.*MYSQL_PASSWORD='…'/);
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
      [['render', '--frobnicate'], /render: unknown option --frobnicate/],
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
});

// #15: every answers value that reaches a root shell, a config line, a unit, a cron line, a compose
// path or a URL is allow-listed at the schema: exit 2 naming the field and what is allowed, nothing written.
describe('hostile values (#15.1)', () => {
  const FRONT = 'nginx: { apiPrefix: /api/, frontendDir: X }\n';
  const cases: [string, string, RegExp][] = [
    // installDir: normalized, a safe character set, not a system or shared folder.
    ['installDir /etc', 'installDir: /etc\n', /installDir: not a system or shared folder/],
    ['installDir under /etc', 'installDir: /etc/myapp\n', /installDir: not a system or shared folder/],
    ['installDir with ..', 'installDir: /opt/../../etc\n', /installDir: must be an absolute, normalized path/],
    ['installDir /', 'installDir: /\n', /installDir: must be an absolute, normalized path/],
    ['installDir /opt itself', 'installDir: /opt\n', /installDir: not a system or shared folder/],
    ['installDir /opt/stack-wizard itself', 'installDir: /opt/stack-wizard\n', /installDir: not a system or shared folder/],
    ['installDir in Docker\'s state', 'installDir: /var/lib/docker/volumes/x\n', /installDir: not a system or shared folder/],
    ['installDir under /usr', 'installDir: /usr/local/app\n', /installDir: not a system or shared folder/],
    ['installDir under /proc', 'installDir: /proc/1/root\n', /installDir: not a system or shared folder/],
    ['installDir with ; (logrotate postrotate runs it)', 'installDir: "/opt/app;touch /tmp/pwned"\n', /installDir: must be an absolute, normalized path/],
    ['installDir with a newline (a second cron line)', 'installDir: "/opt/app\\n* * * * * root id"\n', /installDir: must be an absolute, normalized path/],
    ['installDir with % (a systemd specifier)', 'installDir: /opt/app%i\n', /installDir: must be an absolute, normalized path/],
    // Spaces are refused, not quoted in four syntaxes (docs/ARCHITECTURE.md#security-15): the message names the fix.
    ['installDir with a space', 'installDir: /opt/my app\n', /installDir: no spaces: .*name the folder with - or _ instead, e\.g\. \/opt\/stack-wizard\/my-app/],
    ['installDir with $', 'installDir: /opt/$HOME\n', /installDir: must be an absolute, normalized path/],
    ['installDir relative', 'installDir: opt/app\n', /installDir: must be an absolute, normalized path/],
    ['installDir with a trailing /', 'installDir: /opt/app/\n', /installDir: must be an absolute, normalized path/],
    ['installDir with //', 'installDir: /opt//app\n', /installDir: must be an absolute, normalized path/],
    ['installDir with ./', 'installDir: /opt/./app\n', /installDir: must be an absolute, normalized path/],
    ['installDir non-ASCII', 'installDir: /opt/应用\n', /installDir: must be an absolute, normalized path/],
    ['installDir too long', `installDir: /opt/${'a'.repeat(300)}\n`, /installDir: too long: at most 240 characters/],
    // app.health goes into a CMD-SHELL healthcheck.
    ['health with ; and a command', '  health: "/health; touch /tmp/pwned"\n', /app\.health: must be a URL path starting with \/, of letters, digits and \. _ ~ \/ - only/],
    ['health with $( )', '  health: "/h$(id)"\n', /app\.health: must be a URL path/],
    ['health with a quote', "  health: \"/h'x\"\n", /app\.health: must be a URL path/],
    ['health with & and ?', '  health: "/h?a=1&b=2"\n', /app\.health: must be a URL path/],
    ['health with a backtick', '  health: "/h`id`"\n', /app\.health: must be a URL path/],
    // nginx values are pasted into directives.
    ['realIp header with a newline', 'nginx: { realIp: { from: [10.0.0.0/8], header: "X-Real-IP\\nevil on" } }\n', /nginx\.realIp\.header: an HTTP header name/],
    ['realIp header with ;', 'nginx: { realIp: { from: [10.0.0.0/8], header: "X-Real-IP; evil" } }\n', /nginx\.realIp\.header: an HTTP header name/],
    ['login path with ;', 'nginx: { loginPaths: ["/login;return 200"] }\n', /nginx\.loginPaths\.0: must be a URL path/],
    ['api prefix with {', 'nginx: { apiPrefix: "/api/{" }\n', /nginx\.apiPrefix: must be a URL path/],
    ['sse path with a space and $', 'nginx: { ssePaths: ["/events $x"] }\n', /nginx\.ssePaths\.0: must be a URL path/],
    ['websocket path with a quote', "nginx: { websocketPaths: [\"/ws'\"] }\n", /nginx\.websocketPaths\.0: must be a URL path/],
    ['client body size huge', `nginx: { clientMaxBodySize: "${'9'.repeat(40)}" }\n`, /nginx\.clientMaxBodySize: too long/],
    ['too many login paths', `nginx: { loginPaths: [${Array.from({ length: 65 }, (_, i) => `"/l${i}"`).join(', ')}] }\n`, /nginx\.loginPaths: too many entries: at most 64/],
    // Compose paths: no $ interpolation, no : (the volume separator).
    ['frontendDir interpolating a secret', FRONT.replace('X', '"/srv/${MYSQL_ROOT_PASSWORD}"'), /nginx\.frontendDir: must be an absolute, normalized path/],
    ['frontendDir with :', FRONT.replace('X', '"/srv/site:/etc:rw"'), /nginx\.frontendDir: must be an absolute, normalized path/],
    ['certificate path with $', 'domain: app.example.com\ntls: custom\ncertificate: { cert: "/etc/ssl/$X.pem", key: /etc/ssl/k.pem }\n', /certificate\.cert: must be an absolute, normalized path/],
    ['certificate key with a newline', 'domain: app.example.com\ntls: custom\ncertificate: { cert: /etc/ssl/c.pem, key: "/etc/ssl/k.pem\\nx" }\n', /certificate\.key: must be an absolute, normalized path/],
    ['dataDir with :', '  dataDir: "/data:/etc"\n', /app\.dataDir: must be an absolute, normalized folder inside the container/],
    ['dataDir /proc', '  dataDir: /proc/self\n', /app\.dataDir: must be an absolute, normalized folder inside the container/],
    ['passphraseFile with a space', 'backup: { passphraseFile: "/root/pass phrase" }\n', /backup\.passphraseFile: no spaces/],
    ['credentialsFile with ..', 'backup: { s3: { endpoint: "https://s3.example.com", bucket: backups, credentialsFile: /root/../etc/shadow } }\n', /backup\.s3\.credentialsFile: must be an absolute, normalized path/],
    // URLs: a scheme allow-list, a host, a plain path.
    ['mirror URL with a space', 'mirrors: { npm: "https://mirror.example.com/npm evil" }\n', /mirrors\.npm: a URL starting with http:\/\/ or https:\/\/, then a host name/],
    ['mirror URL with NUL', 'mirrors: { pypi: "https://mirror.example.com/\\0" }\n', /mirrors\.pypi: a URL starting with http/],
    ['mirror URL with a newline', 'mirrors: { "apt-debian": "http://deb.example.com/debian\\ndeb http://evil/ x main" }\n', /mirrors\.apt-debian: a URL starting with http/],
    ['mirror URL with credentials', 'mirrors: { registry: "https://user:pw@registry.example.com" }\n', /mirrors\.registry: a URL starting with http/],
    ['mirror URL with a query', 'mirrors: { node: "https://mirror.example.com/node?x=$(id)" }\n', /mirrors\.node: a URL starting with http/],
    ['mirror URL file://', 'mirrors: { npm: "file:///etc/passwd" }\n', /mirrors\.npm: a URL starting with http/],
    ['mirror URL with a quote', "mirrors: { \"docker-ce\": \"https://m.example.com/docker-ce'\" }\n", /mirrors\.docker-ce: a URL starting with http/],
    ['S3 endpoint with $( )', 'backup: { s3: { endpoint: "https://s3.example.com/$(id)", bucket: backups } }\n', /backup\.s3\.endpoint: a URL starting with http/],
    ['S3 prefix with a space', 'backup: { s3: { endpoint: "https://s3.example.com", bucket: backups, prefix: "a b" } }\n', /backup\.s3\.prefix: letters, digits and \. _ \/ - only/],
    // Free text that lands in compose as a quoted value: no control characters, bounded.
    ['email with a quote', "domain: app.example.com\nemail: \"o'brien@example.com\"\n", /email: an email address/],
    ['email with a newline', 'domain: app.example.com\nemail: "ops@example.com\\n--register-unsafely"\n', /email: an email address/],
    ['env value with a newline', '  env: { A: "one\\ntwo" }\n', /app\.env\.A: holds a line break or another control character/],
    ['command item with NUL', '  command: ["run", "a\\0b"]\n', /app\.command\.1: holds a line break or another control character/],
    ['command item too long', `  command: ["${'x'.repeat(5000)}"]\n`, /app\.command\.0: too long: at most 4096 characters/],
    ['too many env entries', `  env: { ${Array.from({ length: 257 }, (_, i) => `K${i}: v`).join(', ')} }\n`, /app\.env: too many entries: at most 256/],
    ['env name too long', `  env: { ${'A'.repeat(100)}: v }\n`, /app\.env\.A{60}… \(100 characters\): too long: at most 64/],
    ['image reference too long', `  image: ghcr.io/${'a'.repeat(600)}:1\n`, /app\.image: too long: at most 512/],
  ];
  // Lines indented by two spaces go under app: (GOOD ends inside it); app.image replaces GOOD's own.
  const withCase = (text: string) => (text.startsWith('  image:') ? GOOD.replace(/ {2}image: .*\n/, text) : GOOD + text);
  for (const [name, text, message] of cases) {
    it(`${name}: exit 2, names the field, writes nothing`, async () => {
      const r = await run(withCase(text));
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/unexpected failure|\n\s+at /);
      expect(r.code).toBe(2);
      nothingWritten(r.caseDir);
    });
  }

  it('the same refusals in Chinese', async () => {
    const r = await run(`${GOOD}installDir: /etc\n`, ['--lang', 'zh-CN']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/installDir：不能是系统目录或共享目录/);
    const h = await run(`${GOOD}  health: "/h;id"\n`, ['--lang', 'zh-CN']);
    expect(h.code).toBe(2);
    expect(h.stderr).toMatch(/app\.health：必须是以 \/ 开头的 URL 路径/);
    nothingWritten(h.caseDir);
    const sp = await run(`${GOOD}installDir: /opt/my app\n`, ['--lang', 'zh-CN']);
    expect(sp.code).toBe(2);
    expect(sp.stderr).toMatch(/installDir：不能包含空格.*请改用 - 或 _ 命名目录，例如 \/opt\/stack-wizard\/my-app/);
    nothingWritten(sp.caseDir);
  });

  it('accepts the ordinary values next to them (no false refusals)', async () => {
    const r = await run(`${GOOD}  health: /api/v1/health-check_2.json
  env: { TZ: Asia/Shanghai, GREETING: "你好 $USER (kept literally)" }
installDir: /srv/shop-2.0+blue
nginx: { apiPrefix: /api/, frontendDir: /var/www/shop_site, realIp: { from: [10.0.0.0/8], header: CF-Connecting-IP }, loginPaths: ["/api/auth/login", "/user/sign-in@v2"] }
mirrors: { npm: "https://registry.npmmirror.com", "apt-debian": "http://[2001:db8::1]:8080/debian", pypi: "https://mirrors.example.com/pypi/simple/" }
`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('hostile files (#15.7)', () => {
  const noTrace = (stderr: string) => {
    expect(stderr).not.toMatch(/unexpected failure|\n\s+at |RangeError|ReferenceError|Invalid string length/);
    expect(stderr.length).toBeLessThan(2000);
  };
  async function runFile(content: string | Buffer | null, path?: string) {
    const caseDir = join(dir, `case-${++n}`);
    mkdirSync(caseDir);
    let f = path;
    if (!f) {
      f = join(dir, `hostile-${n}.yaml`);
      writeFileSync(f, content!);
    }
    let stderr = '';
    const code = await main(['render', '--answers', f, '--host-facts', facts8, '--out', join(caseDir, 'out')], {
      io: { out: () => {}, err: (s) => void (stderr += s) },
      env: { LANG: 'C' },
      interactive: false,
      cwd: caseDir,
    });
    return { code, stderr, caseDir };
  }

  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`)].join('\n');
  const cases: [string, string | Buffer | null, RegExp, string?][] = [
    ['an answers file over 1 MiB', `${GOOD}# ${'x'.repeat(1024 * 1024)}\n`, /is larger than 1 MiB/],
    ['--answers /dev/zero', null, /\/dev\/zero is larger than 1 MiB/, '/dev/zero'],
    ['binary data', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0xff, 0xfe, 0x00, 0x10]), /:1: not a text file/],
    ['bytes that are not UTF-8', Buffer.concat([Buffer.from(GOOD), Buffer.from([0xc3, 0x28, 0x0a])]), /:6: not a text file/],
    ['a YAML alias bomb', `${GOOD}${bomb}\n`, /more than 100 YAML aliases .* alias bomb/],
    ['an undefined alias', `${GOOD}domain: *nowhere\n`, /alias \(\*name\) refers to an anchor \(&name\) that is not defined/],
    ['deep nesting', `project: ${'['.repeat(100_000)}\n`, /has 1 lines, 0 commas and 100000 brackets/],
    ['a million blank lines', `${'\n'.repeat(1000_000)}${GOOD}`, /has 1000005 lines/],
    ['half a million flow items', `project: [${'1,'.repeat(500_000)}]\n`, /500000 commas/],
  ];
  for (const [name, content, message, path] of cases) {
    it(`${name}: exit 2 naming the file, no stack trace, nothing written`, async () => {
      const r = await runFile(content, path);
      expect(r.stderr).toMatch(message);
      noTrace(r.stderr);
      expect(r.code).toBe(2);
      nothingWritten(r.caseDir);
    });
  }

  it('a huge unknown key: no "did you mean" over it, and it is not printed whole', async () => {
    // An explicit key (YAML limits implicit ones to 1024 characters), about 900 KB long.
    const key = `projct${'q'.repeat(900_000)}`;
    const r = await runFile(`${GOOD}? ${key}\n: 1\n`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown key "projctq{54}… \(900006 characters\)"/);
    expect(r.stderr).not.toMatch(/did you mean/);
    noTrace(r.stderr);
    nothingWritten(r.caseDir);
  });

  it('a typo still gets its suggestion, a control character in a key is shown escaped', async () => {
    const r = await runFile(`${GOOD}instalDir: /srv/x\n"bad\\u001b[2Jkey": 1\n`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown key "instalDir"; did you mean "installDir"\?/);
    expect(r.stderr).toMatch(/unknown key "bad\\x1b\[2Jkey"/);
    expect(r.stderr).not.toContain('\x1b');
  });
});
