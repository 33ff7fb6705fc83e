// The built CLI as a first-time user meets it, as root and as an account of no privilege (nobody):
// an unknown flag gets our own message with "did you mean" (#22.12), help and version are commands,
// errors of a --json run are JSON and doctor on a host without a stack says whether it is ready
// for one (#22.13); the probe of a normal user on a host whose Docker socket it may not use (#22.8).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtPackage } from './tmux.js';
import { nodeFor } from './support/node-for-user.js';

const NOBODY = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }));
const NOBODY_GROUP = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }));
const ROOT = join(import.meta.dirname, '..', '..');

let bin = '';
let work = '';
let deadCatalogue = '';
beforeAll(() => {
  // A Docker engine answers on the standard socket (root:docker 0660), which nobody may not use.
  execFileSync('bash', [join(ROOT, 'test/provision/dockerd.sh')], { stdio: 'pipe' });
  bin = builtPackage().bin;
  work = mkdtempSync(join(tmpdir(), 'sw-cli-cmds-'));
  chmodSync(work, 0o755);
  // One candidate that refuses at once (loopback, port 9): the mirror line without waiting on the network.
  deadCatalogue = join(work, 'mirrors.yaml');
  writeFileSync(deadCatalogue, '- { kind: registry, id: dead, name: Dead, url: "http://127.0.0.1:9" }\n', { mode: 0o644 });
}, 300_000);

type Who = 'root' | 'nobody';
function run(who: Who, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(who === 'nobody' ? nodeFor(NOBODY, NOBODY_GROUP) : process.execPath, [bin, ...args], {
    cwd: work,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH, HOME: '/tmp', USER: who, LANG: 'C', STACK_WIZARD_STATE_DIR: join(work, 'state'), ...env },
    ...(who === 'nobody' ? { uid: NOBODY, gid: NOBODY_GROUP } : {}),
  });
  expect(r.error, `${who}: ${args.join(' ')}`).toBeUndefined();
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.each(['root', 'nobody'] as const)('as %s', (who) => {
  it('an unknown flag: our message with did-you-mean, in both languages, exit 2', () => {
    const a = run(who, ['init', '--answer', 'x.yaml']);
    expect(a.code).toBe(2);
    expect(a.err).toBe(
      'Error: init: unknown option --answer; did you mean --answers? Run stack-wizard help init to see its options\n',
    );
    const b = run(who, ['--bogus'], { LANG: 'zh_CN.UTF-8' });
    expect(b.code).toBe(2);
    expect(b.err).toBe('错误：stack-wizard：未知选项 --bogus。运行 stack-wizard help 查看可用选项\n');
    for (const x of [a, b]) expect(x.err).not.toMatch(/ERR_PARSE_ARGS|Unknown option|TypeError/);
  });

  it('help, help <command> and version as commands', () => {
    const h = run(who, ['help']);
    expect(h.code).toBe(0);
    expect(h.out).toBe(run(who, ['--help']).out);
    const d = run(who, ['help', 'status']);
    expect(d.code).toBe(0);
    expect(d.out).toMatch(/^stack-wizard status \[--json\]/);
    for (const f of ['--json', '--answers VALUE', '--project VALUE', '--lang VALUE', '-h, --help'])
      expect(d.out).toContain(`  ${f}\n`);
    const v = run(who, ['version']);
    expect(v.code).toBe(0);
    expect(v.out).toBe(run(who, ['--version']).out);
    expect(v.out).toBe(
      `${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`,
    );
  });

  it('errors of a --json run are JSON on stdout: no stack for status, an unknown flag, in the chosen language', () => {
    const s = run(who, ['status', '--json']);
    expect(s.code).toBe(2);
    expect(s.err).toBe('');
    expect(JSON.parse(s.out)).toEqual({
      error: { code: 'err.noStack', message: expect.stringContaining('no installed stack found'), field: '--answers' },
    });
    const u = run(who, ['doctor', '--json', '--lang', 'zh-CN', '--symptom', 'slow', '--bogus']);
    expect(u.code).toBe(2);
    expect(JSON.parse(u.out)).toEqual({
      error: {
        code: 'err.unknownFlag',
        message: 'doctor：未知选项 --bogus。运行 stack-wizard help doctor 查看可用选项',
        field: '--bogus',
      },
    });
  });

  it("doctor without a stack checks whether the host is ready (init's preflight, DNS, mirrors) instead of exit 2", () => {
    const t = run(who, ['doctor'], { STACK_WIZARD_MIRROR_CATALOG: deadCatalogue });
    expect(t.out).toContain('No stack is installed here. Is this host ready for one (the default stack, preset auto)?');
    expect(t.out).toMatch(/[✓!✗] Debian GNU\/Linux 12/);
    expect(t.out).toMatch(/memory: \d+ MiB usable/);
    expect(t.out).toMatch(/disk at \//);
    expect(t.out).toMatch(/port 80: /);
    expect(t.out).toMatch(/DNS: registry-1\.docker\.io /);
    expect(t.out).toContain('! mirrors (registry): none of 1 candidates answers');
    if (who === 'nobody') expect(t.out).toContain('✗ running as nobody, not root');
    else expect(t.out).toContain('✓ running as root');
    // 0 ready, 4 warnings, 5 problems: doctor's own codes.
    expect([0, 4, 5]).toContain(t.code);
    if (who === 'nobody') expect(t.code).toBe(5);
    const j = run(who, ['doctor', '--json'], { STACK_WIZARD_MIRROR_CATALOG: deadCatalogue });
    expect(j.code).toBe(t.code);
    const report = JSON.parse(j.out) as {
      installed: boolean;
      ready: boolean;
      exitCode: number;
      findings: { id: string; severity: string; title: string }[];
    };
    expect(report.installed).toBe(false);
    expect(report.exitCode).toBe(t.code);
    expect(report.findings.map((f) => f.id)).toEqual(
      expect.arrayContaining(['root', 'os', 'ram', 'disk', 'port-80', 'docker', 'time', 'dns']),
    );
  }, 60_000);

  it('with the real mirror catalogue, each kind that matters here is reported', () => {
    const t = run(who, ['doctor', '--json']);
    const ids = (JSON.parse(t.out) as { findings: { id: string }[] }).findings.map((f) => f.id);
    expect(ids).toEqual(expect.arrayContaining(['mirror-apt-debian', 'mirror-registry']));
  }, 60_000);
});

describe("a normal user's probe (#22.8)", () => {
  it('Docker runs but its socket is not readable to nobody: "no permission", not "not running"; root sees it running', () => {
    // The precondition the test stands on: the engine answers root, and refuses nobody.
    const asNobody = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
      uid: NOBODY,
      gid: NOBODY_GROUP,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: '/tmp' },
    });
    expect(asNobody.status).not.toBe(0);
    expect(asNobody.stderr).toMatch(/permission denied/i);
    const n = run('nobody', ['probe', '--json']);
    expect(n.code).toBe(0);
    const nf = JSON.parse(n.out) as { docker: { running: boolean; permissionDenied?: boolean; installed: boolean } };
    expect(nf.docker).toMatchObject({ installed: true, running: false, permissionDenied: true });
    const text = run('nobody', ['probe']);
    expect(text.out).toMatch(
      /^Docker\s+\S+ \(running, but no permission to use its socket; run as root or join the docker group\)$/m,
    );
    expect(text.out).not.toMatch(/^Docker.*not running/m);
    expect(text.out).toContain(
      '! Docker runs, but this account may not use its socket: run as root, or join the docker group',
    );
    const zh = run('nobody', ['probe', '--lang', 'zh-CN']);
    expect(zh.out).toContain('正在运行，但无权使用其套接字；请以 root 身份运行，或加入 docker 组');
    const r = JSON.parse(run('root', ['probe', '--json']).out) as {
      docker: { running: boolean; permissionDenied?: boolean };
    };
    expect(r.docker.running).toBe(true);
    expect(r.docker.permissionDenied).toBeUndefined();
  });

  it("the facts of nobody name root's open-files capability (PID 1's), not nobody's own empty set", () => {
    const capEff = /^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/1/status', 'utf8'))![1]!;
    const rootHas = (BigInt(`0x${capEff}`) & (1n << 24n)) !== 0n;
    const n = JSON.parse(run('nobody', ['probe', '--json']).out) as {
      limits: { canRaiseNofile: boolean };
      virtualization: string | null;
    };
    expect(n.limits.canRaiseNofile).toBe(rootHas);
  });

  it('the addresses leave out link-local ones and those of Docker bridges', () => {
    const lines = execFileSync('ip', ['-o', 'addr', 'show'], { encoding: 'utf8' }).split('\n');
    const on = (re: RegExp) =>
      lines
        .filter((l) => re.test(l.split(/\s+/)[1] ?? ''))
        .map((l) => /inet6? ([0-9a-f.:]+)\//.exec(l)?.[1])
        .filter((x): x is string => !!x);
    const bridges = on(/^(docker0|docker_gwbridge|br-[0-9a-f]{12}|veth)/);
    const linkLocal = lines
      .map((l) => /inet6? ((?:fe80:|169\.254\.)[0-9a-f.:]*)\//.exec(l)?.[1])
      .filter((x): x is string => !!x);
    // This host has link-local addresses (every IPv6 interface does): the check below can fail.
    expect(linkLocal.length).toBeGreaterThan(0);
    for (const who of ['root', 'nobody'] as const) {
      const f = JSON.parse(run(who, ['probe', '--json']).out) as { addresses: { public: string[]; private: string[] } };
      const all = [...f.addresses.public, ...f.addresses.private];
      expect(all.length, who).toBeGreaterThan(0);
      for (const a of [...bridges, ...linkLocal]) expect(all, `${who}: ${a}`).not.toContain(a);
    }
  });
});
