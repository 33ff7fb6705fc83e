// install.sh's pure pieces, run by bash itself: `source install.sh --source-only` defines the
// functions and runs nothing (the whole body is functions; only the last line calls sw_main).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinCatalogue } from '../../src/domain/mirrors.js';

const script = new URL('../../install.sh', import.meta.url).pathname;
const text = readFileSync(script, 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string; files: string[] };

function bash(snippet: string, env: Record<string, string> = {}, input?: string) {
  const r = spawnSync('bash', ['--norc', '-c', `source "$0" --source-only; ${snippet}`, script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    input,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const ok = (snippet: string) => bash(`${snippet} && echo yes || echo no`).out.trim();

describe('version comparison (sw_version_ge A B: A >= B)', () => {
  const cases: [string, string, boolean][] = [
    ['v20.19.0', '20.19.0', true],
    ['v20.19.5', '20.19.0', true],
    ['v20.18.3', '20.19.0', false],
    ['v20.9.0', '20.19.0', false], // numeric, not lexical
    ['v22.0.0', '20.19.0', true],
    ['v18.19.1', '20.19.0', false],
    ['v24.21.0', '20.19.0', true],
    ['v100.0.0', '20.19.0', true],
    ['v20.19.0-rc.1', '20.19.0', true], // the suffix is ignored
    ['v20.19', '20.19.0', true],
    ['v08.1.0', '8.0.0', true], // leading zero is not octal
    ['vfoo', '20.19.0', false],
    ['', '20.19.0', false],
  ];
  it.each(cases)('%s >= %s is %s', (a, b, want) => {
    expect(ok(`sw_version_ge '${a}' '${b}'`)).toBe(want ? 'yes' : 'no');
  });
});

describe('platform', () => {
  it.each([
    ['x86_64', 'x64'],
    ['amd64', 'x64'],
    ['aarch64', 'arm64'],
    ['arm64', 'arm64'],
  ])('uname -m %s is Node arch %s', (m, arch) => {
    expect(bash(`sw_node_arch ${m}`).out.trim()).toBe(arch);
  });
  it.each(['armv7l', 'i686', 's390x', 'riscv64', ''])('refuses architecture "%s"', (m) => {
    const r = bash(`sw_node_arch '${m}'`);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
  });
  it.each([
    ['debian', '11', true],
    ['debian', '12', true],
    ['debian', '13', true],
    ['ubuntu', '22.04', true],
    ['ubuntu', '24.04', true],
    ['debian', '10', false],
    ['ubuntu', '20.04', false],
    ['ubuntu', '23.10', false],
    ['centos', '9', false],
    ['alpine', '3.20.1', false],
    ['', '', false],
  ])('%s %s supported: %s', (id, ver, want) => {
    expect(ok(`sw_os_supported '${id}' '${ver}'`)).toBe(want ? 'yes' : 'no');
  });
});

describe('language', () => {
  const lang = (env: Record<string, string>, args = '') => bash(`sw_detect_lang ${args}`, env).out.trim();
  it('follows LANG, LC_MESSAGES, LC_ALL in the wizard\'s order', () => {
    expect(lang({})).toBe('en');
    expect(lang({ LANG: 'zh_CN.UTF-8' })).toBe('zh-CN');
    expect(lang({ LANG: 'en_US.UTF-8' })).toBe('en');
    expect(lang({ LANG: 'en_US.UTF-8', LC_MESSAGES: 'zh_CN.UTF-8' })).toBe('zh-CN');
    expect(lang({ LANG: 'zh_CN.UTF-8', LC_ALL: 'C' })).toBe('en');
  });
  it('--lang wins, in either form, and stops at --', () => {
    expect(lang({ LANG: 'en_US.UTF-8' }, 'init --lang zh-CN')).toBe('zh-CN');
    expect(lang({ LANG: 'zh_CN.UTF-8' }, '--lang=en')).toBe('en');
    expect(lang({ LANG: 'zh_CN.UTF-8' }, '-- --lang en')).toBe('zh-CN');
  });
});

describe('arguments', () => {
  const parse = (args: string) =>
    bash(`sw_parse_args ${args}; echo "region=$SW_REGION uninstall=$SW_UNINSTALL help=$SW_HELP"; printf '[%s]' "\${SW_PASS[@]}"`);
  it('keeps its own options and passes every other argument to the wizard, in order', () => {
    const r = parse(`--region cn --lang zh-CN init --answers 'my answers.yaml' -- --region x --uninstall`);
    expect(r.code).toBe(0);
    expect(r.out).toBe('region=cn uninstall=0 help=0\n[--lang][zh-CN][init][--answers][my answers.yaml][--region][x][--uninstall]');
  });
  it('defaults to a probed region, and reads --region=… and --uninstall', () => {
    expect(parse('').out).toBe('region=auto uninstall=0 help=0\n[]');
    expect(parse('--region=global --uninstall').out).toBe('region=global uninstall=1 help=0\n[]');
    expect(parse('-h').out).toBe('region=auto uninstall=0 help=1\n[]');
  });
  it.each([
    ['--region mars', /--region must be cn, global or auto, not "mars"/],
    ['--region', /--region needs a value/],
    ['--lang fr', /--lang must be en or zh-CN, not "fr"/],
    ['--lang=zh', /--lang must be en or zh-CN, not "zh"/],
    ['--lang', /--lang needs a value/],
  ])('%s is a usage error (exit 2) that says the fix', (args, msg) => {
    const r = parse(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^stack-wizard installer: error: /);
    expect(r.err).toMatch(msg);
    expect(r.out).toBe('');
  });
});

// #15.6: what root runs comes from this script's pins, never from a mirror's own checksum list.
describe('the trust in downloads and in the Node.js root runs', () => {
  it('the pinned build has a SHA-256 in the script for each tarball root may fetch (x64, arm64; .tar.xz and .tar.gz)', () => {
    const pin = /SW_NODE_PIN=(v\d+\.\d+\.\d+)/.exec(text)![1]!;
    for (const arch of ['x64', 'arm64']) {
      for (const ext of ['tar.xz', 'tar.gz']) expect(bash(`sw_pinned_node_sum node-${pin}-linux-${arch}.${ext}`).out.trim(), `${arch} ${ext}`).toMatch(/^[0-9a-f]{64}$/);
    }
    // The values published in nodejs.org/dist/v24.21.0/SHASUMS256.txt.
    expect(bash('sw_pinned_node_sum node-v24.21.0-linux-x64.tar.xz').out.trim()).toBe('fd8e59d5a511510f6a298afb548f18c7d2b1be404d8b4a27d94fbe49f56cb2d6');
    expect(bash('sw_pinned_node_sum node-v24.21.0-linux-arm64.tar.gz').out.trim()).toBe('724282c3b43aec998aa9527380465b45d229e021b58035f5f4f63095eabfe5d5');
    expect(bash('sw_pinned_node_sum node-v22.12.0-linux-x64.tar.gz').out).toBe('');
  });
  it('picks the file and the hash it must have: xz with xz installed, else gz; another build only with STACK_WIZARD_NODE_SHA256', () => {
    expect(bash('sw_node_want v24.21.0 x64 1').out.trim()).toBe('node-v24.21.0-linux-x64.tar.xz fd8e59d5a511510f6a298afb548f18c7d2b1be404d8b4a27d94fbe49f56cb2d6');
    expect(bash('sw_node_want v24.21.0 arm64 0').out.trim()).toBe('node-v24.21.0-linux-arm64.tar.gz 724282c3b43aec998aa9527380465b45d229e021b58035f5f4f63095eabfe5d5');
    expect(bash('sw_node_want v22.12.0 x64 1').out).toBe('');
    expect(bash('sw_node_want v22.12.0 x64 1', { STACK_WIZARD_NODE_SHA256: 'f'.repeat(64) }).out.trim()).toBe(`node-v22.12.0-linux-x64.tar.gz ${'f'.repeat(64)}`);
  });
  it('another build without its SHA-256 is refused before any mirror is asked (exit 2, the fix)', () => {
    const d = mkdtempSync(join(tmpdir(), 'sw-nopin-'));
    const r = bash(`sw_strict; SW_TMP=${d}; SW_HOME=${d}/home; SW_ARCH=x64; SW_NODE_VERSION=v22.12.0; sw_pick_node_mirror() { echo asked; }; sw_stage_node`);
    expect(r.code).toBe(2);
    expect(r.out).not.toContain('asked');
    expect(r.err).toContain('Node.js v22.12.0 is not the pinned build (v24.21.0), so this script knows no SHA-256 for it: give the SHA-256 of its .tar.gz in STACK_WIZARD_NODE_SHA256');
    expect(existsSync(join(d, 'home'))).toBe(false);
  });
  it('bad hashes, integrities and URLs are exit 2 before anything runs; http for a package needs a pinned integrity', () => {
    const check = (env: Record<string, string>) => bash('sw_check_versions', env);
    expect(check({ STACK_WIZARD_NODE_SHA256: 'abc' }).err).toContain('STACK_WIZARD_NODE_SHA256 must be 64 hexadecimal digits');
    expect(check({ STACK_WIZARD_INTEGRITY: 'sha1-abc' }).err).toContain('STACK_WIZARD_INTEGRITY must be an npm integrity sha512-');
    expect(check({ NODE_MIRROR: 'ftp://m.example.com/node' }).err).toContain('NODE_MIRROR must be a URL (https, http, file) without spaces or quotes, not "ftp://m.example.com/node"');
    expect(check({ NPM_REGISTRY: 'https://r.example.com/a b' }).code).toBe(2);
    expect(check({ NODE_MIRROR: "https://m.example.com/'$(id)'" }).code).toBe(2);
    const http = check({ STACK_WIZARD_TARBALL: 'http://pkgs.example.com/stack-wizard.tgz' });
    expect(http.code).toBe(2);
    expect(http.err).toContain('STACK_WIZARD_TARBALL=http://pkgs.example.com/stack-wizard.tgz is plain http, which anyone on the way can change: use https, or pin what it must be with STACK_WIZARD_INTEGRITY');
    const integrity = `sha512-${'A'.repeat(86)}==`;
    expect(check({ STACK_WIZARD_TARBALL: 'http://pkgs.example.com/stack-wizard.tgz', STACK_WIZARD_INTEGRITY: integrity }).code).toBe(0);
    // Node.js is always hash-checked, so a plain-http mirror is fine.
    expect(check({ NODE_MIRROR: 'http://m.example.com/node', NPM_REGISTRY: 'http://r.example.com/' }).code).toBe(0);
  });
  it('a registry install needs an integrity: stamped for the release it names, or given (exit 2 otherwise)', () => {
    const d = mkdtempSync(join(tmpdir(), 'sw-noint-'));
    const r = bash(`sw_strict; SW_TMP=${d}; SW_MARKER=${d}/none; sw_plan_cli`);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`this copy of install.sh carries no integrity for stack-wizard ${pkg.version} (a development copy, or another release)`);
    // The repository's copy is unstamped; the release stamps it (scripts/stamp-installer.mjs).
    expect(text).toMatch(/# sw-stamp-begin\n {2}SW_CLI_PIN_FOR=''\n {2}SW_CLI_PIN_INTEGRITY=''\n {2}# sw-stamp-end\n/);
  });
  it('the stamp script pins the integrity of the very tarball, only for the release install.sh installs', () => {
    const d = mkdtempSync(join(tmpdir(), 'sw-stamp-'));
    mkdirSync(join(d, 'package'));
    writeFileSync(join(d, 'package', 'package.json'), JSON.stringify({ name: 'stack-wizard', version: pkg.version }));
    spawnSync('tar', ['-czf', join(d, 'p.tgz'), '-C', d, 'package']);
    const stamp = (tgz: string) => spawnSync(process.execPath, [new URL('../../scripts/stamp-installer.mjs', import.meta.url).pathname, tgz, join(d, 'install.sh')], { encoding: 'utf8' });
    const r = stamp(join(d, 'p.tgz'));
    expect(r.status, r.stderr).toBe(0);
    const integrity = `sha512-${createHash('sha512').update(readFileSync(join(d, 'p.tgz'))).digest('base64')}`;
    const stamped = readFileSync(join(d, 'install.sh'), 'utf8');
    expect(stamped).toContain(`  SW_CLI_PIN_FOR=${pkg.version}\n  SW_CLI_PIN_INTEGRITY='${integrity}'\n`);
    // Only that block differs, and bash reads the pin back as the hex sha512sum prints.
    expect(stamped.replace(/# sw-stamp-begin[\s\S]*?# sw-stamp-end/, '')).toBe(text.replace(/# sw-stamp-begin[\s\S]*?# sw-stamp-end/, ''));
    const hex = spawnSync('bash', ['--norc', '-c', 'source "$0" --source-only; sw_integrity_hex "$SW_CLI_PIN_INTEGRITY"', join(d, 'install.sh')], { encoding: 'utf8' }).stdout;
    expect(hex).toBe(createHash('sha512').update(readFileSync(join(d, 'p.tgz'))).digest('hex'));
    // A tarball of another release is not stamped.
    writeFileSync(join(d, 'package', 'package.json'), JSON.stringify({ name: 'stack-wizard', version: '9.9.9' }));
    spawnSync('tar', ['-czf', join(d, 'q.tgz'), '-C', d, 'package']);
    const other = stamp(join(d, 'q.tgz'));
    expect(other.status).toBe(1);
    expect(other.stderr).toContain(`is stack-wizard@9.9.9; install.sh installs stack-wizard@${pkg.version}`);
  });
  it('root-only: root owns it and every folder above it, and nobody else may write to them', () => {
    const d = mkdtempSync(join(tmpdir(), 'sw-rootonly-'));
    // The machine's own /usr/bin is root's; a folder under the world-writable /tmp is not, whoever owns it.
    expect(ok('sw_root_only /usr/bin/env')).toBe('yes');
    expect(ok('sw_root_only /')).toBe('yes');
    expect(ok(`sw_root_only ${d}`)).toBe('no');
    expect(ok('sw_root_only /nonexistent/node')).toBe('no');
    // A link is judged by where it leads.
    spawnSync('ln', ['-s', '/usr/bin/env', join(d, 'link')]);
    expect(ok(`sw_root_only ${join(d, 'link')}`)).toBe('yes');
  });
  it('looks for a Node.js in root\'s PATH only, never the invoking user\'s', () => {
    expect(text).toMatch(/sys=\$\(PATH=\$SW_ROOT_PATH command -v node/);
    expect(bash('echo "$SW_ROOT_PATH"').out.trim()).toBe('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    expect(text).not.toMatch(/sys=\$\(command -v node/);
  });
});

describe('mirror choice', () => {
  it.each([
    ['0.30 0.10 0.20', '1'],
    ['- 0.5 - 0.25', '3'],
    ['1.5 - 0.9', '2'],
    ['- - -', '-1'],
    ['0.100 0.1000', '0'], // ties: the first (the catalogue's default order)
    ['', '-1'],
  ])('sw_fastest %s is %s', (times, want) => {
    expect(bash(`sw_fastest ${times}`).out.trim()).toBe(want);
  });
  it('names hosts for the region message', () => {
    expect(bash('sw_host https://registry.npmmirror.com/-/binary/node').out.trim()).toBe('registry.npmmirror.com');
    expect(bash('sw_secs 0.123456; echo; sw_secs -').out).toBe('0.12s\nunreachable');
  });
});

describe('the next command it prints', () => {
  it('is shell-quoted so it can be pasted as it is', () => {
    const r = bash(`eval "set -- $(sw_quote /usr/local/bin/stack-wizard init --answers "a b.yaml" "it's" '$HOME')"; printf '[%s]' "$@"`);
    expect(r.out).toBe("[/usr/local/bin/stack-wizard][init][--answers][a b.yaml][it's][$HOME]");
  });
});

describe('messages', () => {
  const keys = (table: string) =>
    bash(`for k in "\${!${table}[@]}"; do printf '%s\\t%s\\n' "$k" "$(printf '%s' "\${${table}[$k]}" | grep -o '%s' | wc -l)"; done | sort`).out;
  it('every message exists in English and Chinese with the same placeholders', () => {
    const en = keys('SW_EN');
    const zh = keys('SW_ZH');
    expect(en.split('\n').length).toBeGreaterThan(40);
    expect(zh).toBe(en);
  });
  it('every key the script uses is in the tables', () => {
    const used = new Set([...text.matchAll(/\bsw_(?:say|note|warn|t|die \d) ([a-z]+\.[A-Za-z]+|usage)\b/g)].map((m) => m[1]!));
    const en = new Set(keys('SW_EN').split('\n').filter(Boolean).map((l) => l.split('\t')[0]!));
    expect(used.size).toBeGreaterThan(30);
    for (const k of used) expect(en, k).toContain(k);
  });
  it('the Chinese messages are Chinese', () => {
    const r = bash(`SW_LANG=zh-CN; sw_t err.checksum a b c; echo; sw_t info.noTty`);
    expect(r.out).toMatch(/校验和不符/);
    expect(r.out).toMatch(/没有终端/);
  });
});

describe('what the script pins', () => {
  it('installs the release this package.json describes, and ships in the package', () => {
    expect(text).toMatch(new RegExp(`SW_VERSION=\\$\\{STACK_WIZARD_VERSION:-${pkg.version.replace(/\./g, '\\.')}\\}`));
    expect(pkg.files).toContain('install.sh');
  });
  it('pins a Node.js LTS build (even major) that meets engines >= 20.19', () => {
    const pin = /SW_NODE_PIN=(v\d+\.\d+\.\d+)/.exec(text)![1]!;
    expect(Number(pin.slice(1).split('.')[0]) % 2).toBe(0);
    expect(ok(`sw_version_ge ${pin} $SW_NODE_MIN`)).toBe('yes');
    expect(bash('echo $SW_NODE_MIN').out.trim()).toBe('20.19.0');
  });
  it('its mainland mirrors are the catalogue\'s (presets/mirrors.yaml), npmmirror first', () => {
    const cat = builtinCatalogue();
    const node = bash('printf "%s\\n" "${SW_NODE_MIRRORS_CN[@]}"').out.trim().split('\n');
    expect(node.length).toBeGreaterThanOrEqual(3);
    expect(node[0]).toMatch(/npmmirror/);
    const catNode = cat.filter((e) => e.kind === 'node').map((e) => e.url.replace(/\/+$/, ''));
    for (const u of node) expect(catNode, u).toContain(u);
    const npm = bash('echo "$SW_NPM_REGISTRY_CN"').out.trim();
    expect(cat.filter((e) => e.kind === 'npm').map((e) => e.url.replace(/\/+$/, ''))).toContain(npm);
  });
  it('names no npm registry but the mainland mirror (global leaves npm on its default)', () => {
    const urls = [...text.matchAll(/https?:\/\/[^\s'"]+/g)].map((m) => m[0]);
    expect(urls.filter((u) => /registry/.test(u) && !/npmmirror\.com/.test(u))).toEqual([]);
  });
});

describe('a truncated download runs nothing', () => {
  it('the body is function definitions; only the last line runs', () => {
    const lines = text.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('{ sw_main "$@"; }');
    // Top-level lines: comments, blank lines, function openings/closings and their bodies only.
    let depth = 0;
    for (const l of lines.slice(0, -1)) {
      if (depth === 0) expect(l, l).toMatch(/^(#.*|\s*|[a-z_]+\(\) \{.*\}?)$/);
      if (/^[a-z_]+\(\) \{\s*$/.test(l)) depth++;
      else if (/^\}\s*$/.test(l)) depth--;
    }
    expect(depth).toBe(0);
  });
  it('bash reading any prefix of the file prints nothing and does nothing', () => {
    const bytes = Buffer.from(text);
    const cuts: number[] = [];
    const last = '{ sw_main "$@"; }\n';
    const end = bytes.length - last.length;
    for (let i = 0; i < end; i += 499) cuts.push(i); // mid-line cuts
    for (let i = bytes.indexOf(10), n = 0; i >= 0 && i < end; i = bytes.indexOf(10, i + 1), n++) if (n % 3 === 0) cuts.push(i + 1);
    // All but the last line, and every cut inside it short of its closing brace: right after
    // `sw_main` is the dangerous one (a plain call line would run it without the arguments).
    for (let k = 0; k < last.indexOf('}'); k++) cuts.push(end + k);
    expect(cuts.map((c) => bytes.subarray(end, c).toString())).toContain('{ sw_main');
    const home = mkdtempSync(join(tmpdir(), 'sw-trunc-'));
    // One bash per cut, all in one process tree: each reads its prefix from a file on stdin.
    const prefixes = cuts.map((c, n) => {
      const f = join(home, `p${n}`);
      writeFileSync(f, bytes.subarray(0, c));
      return f;
    });
    const r = spawnSync('/bin/bash', ['--norc', '-c', 'for f in "$@"; do /bin/bash --norc < "$f" 2>&1; done', 'x', ...prefixes], {
      encoding: 'utf8',
      // An empty PATH: even a broken script could run no program from here.
      env: { PATH: home, HOME: home, TMPDIR: home },
      cwd: home,
    });
    expect(r.status).not.toBeNull();
    // Only syntax errors from a cut inside a function may appear; nothing the script says.
    expect(r.stdout).not.toMatch(/==>|stack-wizard installer|Usage:/);
    expect(readdirSync(home).filter((f) => !/^p\d+$/.test(f))).toEqual([]);
  }, 60_000);
});

describe('the script as a whole (no system changes: each stops at its argument check)', () => {
  const runScript = (args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync('bash', ['--norc', script, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  it('--help prints the usage in the chosen language and exits 0', () => {
    const en = runScript(['--help']);
    expect(en.code).toBe(0);
    expect(en.out).toMatch(/^Usage: curl -fsSL <url>\/install\.sh \| bash -s --/);
    expect(en.out).toMatch(/NODE_MIRROR=URL/);
    expect(en.out).toMatch(/default v\d+\.\d+\.\d+/);
    const zh = runScript(['--help'], { LANG: 'zh_CN.UTF-8' });
    expect(zh.out).toMatch(/^用法：/);
    expect(runScript(['--lang', 'zh-CN', '-h']).out).toMatch(/^用法：/);
  });
  it.each([
    [{ STACK_WIZARD_NODE_VERSION: 'v18.20.4' }, 'STACK_WIZARD_NODE_VERSION must be a Node.js release vX.Y.Z of at least v20.19.0, not "v18.20.4"'],
    [{ STACK_WIZARD_NODE_VERSION: 'lts' }, 'not "lts"'],
    [{ STACK_WIZARD_VERSION: 'latest' }, 'STACK_WIZARD_VERSION must be a release number such as 1.2.3, not "latest"'],
  ])('a bad version override %j exits 2 before anything runs', (env, msg) => {
    const r = runScript([], env);
    expect(r.code).toBe(2);
    expect(r.err).toContain(msg);
  });
  it('a Node version without the v is accepted', () => {
    expect(bash('SW_NODE_VERSION=v22.12.0; sw_check_versions && echo fine').out).toBe('fine\n');
    expect(bash('echo $SW_NODE_VERSION', { STACK_WIZARD_NODE_VERSION: '22.12.0' }).out).toBe('v22.12.0\n');
  });
  it('bad usage exits 2 in Chinese under a Chinese locale', () => {
    const r = runScript(['--region', 'mars'], { LANG: 'zh_CN.UTF-8' });
    expect(r.code).toBe(2);
    expect(r.err).toBe('stack-wizard 安装程序：错误：--region 只能是 cn、global 或 auto，而不是“mars”\n');
  });
});

/** A folder of stand-in programs put first on PATH (for failures that root cannot otherwise meet). */
function shims(progs: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sw-shim-'));
  for (const [name, body] of Object.entries(progs)) writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return dir;
}
/** Runs a snippet the way sw_main runs: strict, with the ERR trap and the EXIT/INT traps. */
function strict(snippet: string, env: Record<string, string> = {}) {
  return bash(`sw_strict; SW_AS_ROOT=(); SW_LANG=\${SW_TEST_LANG:-en}; trap sw_cleanup EXIT; trap 'exit 130' INT; ${snippet}`, env);
}

describe('every failure says what failed, in both languages', () => {
  it('a folder that cannot be made (mkdir under a file): err.mkdir, exit 1, in English and Chinese', () => {
    const d = mkdtempSync(join(tmpdir(), 'sw-fail-'));
    writeFileSync(join(d, 'file'), '');
    const en = strict(`SW_HOME=${d}/file/home; sw_ensure_home; echo not reached`);
    expect(en.code).toBe(1);
    expect(en.out).toBe('');
    expect(en.err).toContain(`stack-wizard installer: error: cannot create the folder ${d}/file/home; check free disk space (df -h ${d}/file)`);
    const zh = strict(`SW_HOME=${d}/file/home; sw_ensure_home`, { SW_TEST_LANG: 'zh-CN' });
    expect(zh.code).toBe(1);
    expect(zh.err).toContain(`stack-wizard 安装程序：错误：无法创建目录 ${d}/file/home`);
  });

  it('chmod failing on the home, a stage or a written file: err.chmod naming it, and the home it made is gone', () => {
    const d = mkdtempSync(join(tmpdir(), 'sw-fail-'));
    const noChmod = 'sw_root() { if [ "$1" = chmod ]; then return 1; fi; "$@"; }';
    let r = strict(`${noChmod}; SW_HOME=${d}/home; sw_ensure_home`);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`cannot set the permissions of ${d}/home (chmod 0755)`);
    expect(readdirSync(d)).toEqual([]);
    mkdirSync(join(d, 'home'));
    r = strict(`${noChmod}; SW_HOME=${d}/home; sw_new_stage node`);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`cannot set the permissions of ${d}/home/\\.node-new\\.\\d+\\.\\w+ \\(chmod 0755\\)`));
    expect(readdirSync(join(d, 'home'))).toEqual([]);
    r = strict(`${noChmod}; printf x | sw_write_file ${d}/home/wrapper 0755`);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`cannot set the permissions of ${d}/home/wrapper (chmod 0755)`);
    expect(readdirSync(join(d, 'home'))).toEqual([]);
  });

  it('the link folder that cannot be made: err.linkDir', () => {
    const d = mkdtempSync(join(tmpdir(), 'sw-fail-'));
    writeFileSync(join(d, 'file'), '');
    const r = strict(`SW_LINK=${d}/file/bin/stack-wizard; SW_WRAPPER=${d}/w; SW_NODE_STAGE=''; SW_CLI_STAGE=''; SW_NODE_BIN=/n; SW_CLI_DIR=${d}/cli; sw_write_file() { cat >/dev/null; }; sw_commit`);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`cannot create ${d}/file/bin for the stack-wizard command`);
  });

  it('a package tarball that cannot be read (an I/O error): err.tarballRead, not a bare exit', () => {
    const d = mkdtempSync(join(tmpdir(), 'sw-fail-'));
    // Reading /proc/self/mem from its start fails with EIO, even for root.
    const r = strict(`SW_TMP=${d}; SW_MARKER=${d}/none; sw_plan_cli`, { STACK_WIZARD_TARBALL: '/proc/self/mem' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('stack-wizard installer: error: cannot read STACK_WIZARD_TARBALL=/proc/self/mem (permissions?); nothing was installed');
  });

  it('sha256sum failing on the Node.js download: err.hash, nothing unpacked', () => {
    const d = mkdtempSync(join(tmpdir(), 'sw-fail-'));
    const ver = 'v22.12.0';
    mkdirSync(join(d, 'mirror', ver), { recursive: true });
    writeFileSync(join(d, 'mirror', ver, `node-${ver}-linux-x64.tar.gz`), 'not really');
    writeFileSync(join(d, 'mirror', ver, 'SHASUMS256.txt'), `${'a'.repeat(64)}  node-${ver}-linux-x64.tar.gz\n`);
    mkdirSync(join(d, 'tmp'));
    // curl fetches from the file:// mirror; only sha256sum is made to fail.
    const path = `${shims({ sha256sum: 'echo "sha256sum: read error" >&2; exit 1', xz: 'exit 1' })}:${process.env.PATH}`;
    const r = strict(`SW_TMP=${d}/tmp; SW_HOME=${d}/home; SW_ARCH=x64; SW_NODE_VERSION=${ver}; sw_stage_node`, { NODE_MIRROR: `file://${d}/mirror`, PATH: path, STACK_WIZARD_NODE_SHA256: 'a'.repeat(64) });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`cannot compute the SHA-256 of ${d}/tmp/node-${ver}-linux-x64.tar.gz (sha256sum failed); nothing was installed`);
    expect(existsSync(join(d, 'home'))).toBe(false);
  });

  it('a failure nobody foresaw still names the line and the command (once, also from a subshell)', () => {
    let r = strict('false');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^stack-wizard installer: error: unexpected failure \(exit 1\) at install\.sh line \d+: false; nothing half-installed was left/);
    r = strict('x=$(ls /nonexistent-sw); echo "$x"');
    expect(r.code).toBe(1);
    expect(r.err.match(/unexpected failure/g)).toHaveLength(1);
    expect(r.err).toContain('x=$(ls /nonexistent-sw)');
    r = strict('false', { SW_TEST_LANG: 'zh-CN' });
    expect(r.err).toMatch(/^stack-wizard 安装程序：错误：意外失败（退出码 1，install\.sh 第 \d+ 行：false）/);
    // A failure the script handles itself is not reported twice.
    r = strict('sw_die 3 err.badArch armv7l');
    expect(r.code).toBe(3);
    expect(r.err).toBe('stack-wizard installer: error: the processor architecture armv7l is not supported; supported: x86_64 and arm64 (aarch64)\n');
  });

  it('sudo refusing the password stops before anything is written (exit 3), instead of "cannot write … disk space"', () => {
    // An operator who is not root; sudo wants a password (-n fails) and then refuses the one typed (-v fails).
    const path = `${shims({ id: 'case "$1" in -u) echo 1000 ;; -un) echo ops ;; *) /usr/bin/id "$@" ;; esac', sudo: 'case "$1" in -n) exit 1 ;; -v) echo "Sorry, try again." >&2; exit 1 ;; esac; exit 1' })}:${process.env.PATH}`;
    const r = strict('sw_have_tty() { return 0; }; sw_detect_privilege; echo not reached', { PATH: path });
    expect(r.code).toBe(3);
    expect(r.out).toBe('');
    expect(r.err).toContain('stack-wizard installer: error: sudo did not accept the password, or ops may not use sudo; nothing was changed');
    expect(r.err).not.toContain('disk space');
    const zh = strict('sw_have_tty() { return 0; }; sw_detect_privilege', { PATH: path, SW_TEST_LANG: 'zh-CN' });
    expect(zh.err).toContain('sudo 没有接受密码，或 ops 无权使用 sudo');
  });
});

describe('putting a new version in place (sw_swap)', () => {
  function prepared() {
    const d = mkdtempSync(join(tmpdir(), 'sw-swap-'));
    mkdirSync(join(d, '_node', 'bin'), { recursive: true });
    writeFileSync(join(d, '_node', 'bin', 'node'), 'old');
    mkdirSync(join(d, 'stage', 'bin'), { recursive: true });
    writeFileSync(join(d, 'stage', 'bin', 'node'), 'new');
    return d;
  }
  it('moves the stage in and the old copy out', () => {
    const d = prepared();
    const r = strict(`sw_swap ${d}/stage ${d}/_node`);
    expect(r.code).toBe(0);
    expect(readFileSync(join(d, '_node', 'bin', 'node'), 'utf8')).toBe('new');
    expect(readdirSync(d)).toEqual(['_node']);
  });
  it('Ctrl-C between its two renames puts the previous version back (exit 130)', () => {
    const d = prepared();
    // The interrupt arrives just after the first rename, as it can on a real run.
    const r = strict(`n=0; sw_root() { "$@"; n=$((n + 1)); if [ "$1" = mv ] && [ $n = 1 ]; then kill -INT $$; fi; }; sw_swap ${d}/stage ${d}/_node; echo not reached`);
    expect(r.code).toBe(130);
    expect(r.out).toBe('');
    expect(readFileSync(join(d, '_node', 'bin', 'node'), 'utf8')).toBe('old');
    expect(readdirSync(d).sort()).toEqual(['_node', 'stage']);
  });
  it('the second rename failing puts the previous version back and says so', () => {
    const d = prepared();
    const r = strict(`n=0; sw_root() { n=$((n + 1)); if [ "$1" = mv ] && [ $n = 2 ]; then return 1; fi; "$@"; }; SW_STAGES=(${d}/stage); sw_swap ${d}/stage ${d}/_node`);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`cannot move the new ${d}/_node into place; the previous one was put back`);
    expect(readFileSync(join(d, '_node', 'bin', 'node'), 'utf8')).toBe('old');
    expect(readdirSync(d)).toEqual(['_node']);
  });
  it('after a SIGKILL between the renames, the next run puts the previous version back and clears what was left', () => {
    const d = prepared();
    // What a killed run 999999 (no such process) leaves: _node moved aside, a half-made stage.
    renameSync(join(d, '_node'), join(d, '_node.old.999999'));
    mkdirSync(join(d, '.cli-new.999999.abcdef'));
    mkdirSync(join(d, '_cli'));
    mkdirSync(join(d, '_cli.old.999999'));
    const r = strict(`SW_HOME=${d}; SW_NODE_DIR=${d}/_node; SW_CLI_DIR=${d}/_cli; sw_recover`);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`    Put back ${d}/_node, which an interrupted run had left aside\n`);
    expect(readFileSync(join(d, '_node', 'bin', 'node'), 'utf8')).toBe('old');
    expect(readdirSync(d).sort()).toEqual(['_cli', '_node', 'stage']);
  });
  it('leaves alone what a run still going owns', () => {
    const d = prepared();
    mkdirSync(join(d, '.node-new.1.abcdef')); // pid 1 is always there
    const r = strict(`SW_HOME=${d}; SW_NODE_DIR=${d}/_node; SW_CLI_DIR=${d}/_cli; sw_recover`);
    expect(r.code).toBe(0);
    expect(readdirSync(d).sort()).toEqual(['.node-new.1.abcdef', '_node', 'stage']);
  });
});

describe('the region goes on to the wizard', () => {
  const cmd = (setup: string) => bash(`${setup}; SW_AS_ROOT=(); sw_wizard_command; printf '[%s]' "\${SW_CMD[@]}"`).out;
  it('given or probed, it is passed when the operator gave nothing but --lang', () => {
    expect(cmd('sw_parse_args --region cn')).toBe('[/usr/local/bin/stack-wizard][--region][cn]');
    expect(cmd('sw_parse_args; SW_REGION_DONE=cn')).toBe('[/usr/local/bin/stack-wizard][--region][cn]');
    expect(cmd('sw_parse_args --lang zh-CN; SW_REGION_DONE=global')).toBe('[/usr/local/bin/stack-wizard][--lang][zh-CN][--region][global]');
    expect(cmd('sw_parse_args --lang=zh-CN --region global')).toBe('[/usr/local/bin/stack-wizard][--lang=zh-CN][--region][global]');
  });
  it('not known (nothing was probed): nothing is passed, the wizard suggests one', () => {
    expect(cmd('sw_parse_args')).toBe('[/usr/local/bin/stack-wizard]');
  });
  it('a command, an answers file or answer flags of the operator\'s are left to decide', () => {
    expect(cmd('sw_parse_args --region cn -- init --answers a.yaml')).toBe('[/usr/local/bin/stack-wizard][init][--answers][a.yaml]');
    expect(cmd('sw_parse_args --region cn status')).toBe('[/usr/local/bin/stack-wizard][status]');
  });
  it('through sudo for an operator who is not root', () => {
    expect(bash(`sw_parse_args --region cn; SW_AS_ROOT=(sudo); sw_wizard_command; printf '[%s]' "\${SW_CMD[@]}"`).out).toBe('[sudo][/usr/local/bin/stack-wizard][--region][cn]');
  });
});

describe('test-only overrides of the mainland lists', () => {
  it('replace the official site, the Node.js mirrors and the npm registry, and only when set', () => {
    const env = { STACK_WIZARD_TEST_NODE_OFFICIAL: 'http://127.0.0.1:1/official', STACK_WIZARD_TEST_NODE_MIRRORS_CN: 'http://127.0.0.1:1/a http://127.0.0.1:1/b', STACK_WIZARD_TEST_NPM_REGISTRY_CN: 'http://127.0.0.1:1/npm/' };
    const show = 'echo "$SW_NODE_MIRROR_GLOBAL"; printf "%s\\n" "${SW_NODE_MIRRORS_CN[@]}"; echo "$SW_NPM_REGISTRY_CN"';
    expect(bash(show, env).out).toBe('http://127.0.0.1:1/official\nhttp://127.0.0.1:1/a\nhttp://127.0.0.1:1/b\nhttp://127.0.0.1:1/npm/\n');
    const real = bash(show).out.split('\n');
    expect(real[0]).toBe('https://nodejs.org/dist');
    expect(real.length).toBeGreaterThan(5);
    // Documented where the script starts, and kept out of --help (operators do not need them).
    expect(text.split('\n').slice(0, 30).join('\n')).toContain('STACK_WIZARD_TEST_NODE_MIRRORS_CN');
    expect(bash('sw_t usage x y').out).not.toContain('STACK_WIZARD_TEST_');
  });
});
