import { describe, expect, it } from 'vitest';
import {
  MIRROR_KINDS, bestByKind, builtinCatalogue, contentLooksRight, parseCatalogue, probeRequests, probeTarget, rankResults, score,
  type ProbeResult,
} from '../../src/domain/mirrors.js';
import { WizardError } from '../../src/errors.js';
import { translator } from '../../src/i18n/index.js';

const t = translator('en');

describe('built-in catalogue', () => {
  const cat = builtinCatalogue();

  it('has mainland candidates for every kind, with unique ids per kind and https or documented intranet http', () => {
    for (const k of MIRROR_KINDS) expect(cat.filter((e) => e.kind === k).length, k).toBeGreaterThanOrEqual(2);
    expect(new Set(cat.map((e) => `${e.kind}/${e.id}`)).size).toBe(cat.length);
    for (const e of cat.filter((x) => x.url.startsWith('http://'))) expect(e.note, e.url).toMatch(/only inside/);
    for (const e of cat.filter((x) => x.kind === 'apt-debian')) expect(e.security, e.id).toMatch(/\/debian-security$/);
    const names = cat.map((e) => e.name).join(' ');
    for (const p of ['Alibaba', 'Tencent', 'Huawei', 'USTC', 'TUNA', 'npmmirror', 'DaoCloud']) expect(names).toContain(p);
  });
});

describe('catalogue files (--catalog): errors name file:line and the fix', () => {
  const bad = (text: string, file = 'cat.yaml') => {
    try {
      parseCatalogue(text, file, t);
    } catch (e) {
      expect(e).toBeInstanceOf(WizardError);
      expect((e as WizardError).exitCode).toBe(2);
      return [(e as WizardError).key, ...(e as WizardError).details];
    }
    throw new Error('expected an error');
  };

  it('reads YAML and JSON', () => {
    expect(parseCatalogue('- { kind: npm, id: a, name: A, url: "https://npm.example.cn" }\n', 'c.yaml', t)).toHaveLength(1);
    expect(parseCatalogue('[{"kind":"pypi","id":"b","name":"B","url":"https://p.example.cn/simple"}]', 'c.json', t)[0]!.kind).toBe('pypi');
  });

  it('unknown kind, missing url, a field of another kind, duplicate ids', () => {
    const text = [
      '- kind: npm',
      '  id: ok',
      '  name: OK',
      '  url: https://npm.example.cn',
      '- kind: docker-hub',
      '  id: x',
      '  name: X',
      '  url: https://x.example.cn',
      '- kind: pypi',
      '  id: y',
      '  name: Y',
      '- kind: npm',
      '  id: ok',
      '  name: again',
      '  url: https://npm2.example.cn',
      '  security: https://npm2.example.cn/security',
    ].join('\n');
    const [key, ...lines] = bad(text);
    expect(key).toBe('err.catalogInvalid');
    expect(lines).toContain('cat.yaml:5: 1.kind: must be one of "apt-debian", "apt-ubuntu", "docker-ce", "registry", "image-prefix", "npm", "pypi", "node"');
    expect(lines).toContain('cat.yaml:9: 2.url: is required (string)');
    expect(lines).toContain('cat.yaml:16: 3.security: "security" belongs to apt-debian entries only');
    // Duplicates are checked once every entry is well-formed.
    const [, dup] = bad('- { kind: npm, id: ok, name: A, url: "https://a.example.cn" }\n- { kind: npm, id: ok, name: B, url: "https://b.example.cn" }\n');
    expect(dup).toBe('cat.yaml:2: 1.id: another npm entry already has id "ok"');
  });

  it('not a list, not YAML, not a URL', () => {
    expect(bad('kind: npm\n')[0]).toBe('err.catalogNotList');
    expect(bad('- [oops\n')[0]).toBe('err.yamlSyntax');
    expect(bad('- { kind: npm, id: a, name: A, url: "ftp://x.example.cn" }\n')).toContain(`cat.yaml:1: 0.url: ${t('v.mirrorUrl')}`);
    // #15.1: the catalogue's URLs reach the same config files as the answers' mirrors.
    expect(bad('- { kind: npm, id: a, name: A, url: "https://x.example.cn/a b" }\n')).toContain(`cat.yaml:1: 0.url: ${t('v.mirrorUrl')}`);
  });
});

describe('what is probed', () => {
  const debianHost = probeTarget({ id: 'debian', codename: 'bookworm', idLike: [] }, 'x64');
  const ubuntuArm = probeTarget({ id: 'ubuntu', codename: 'noble', idLike: ['debian'] }, 'arm64');

  it('the host’s own suite, security and ports archives, each kind’s small real object', () => {
    expect(probeRequests({ kind: 'apt-debian', url: 'https://m.cn/debian/', security: 'https://m.cn/debian-security' }, debianHost).map((r) => r.url)).toEqual([
      'https://m.cn/debian/dists/bookworm/Release', 'https://m.cn/debian-security/dists/bookworm-security/Release',
    ]);
    expect(probeRequests({ kind: 'apt-ubuntu', url: 'https://m.cn/ubuntu', ports: 'https://m.cn/ubuntu-ports' }, ubuntuArm).map((r) => r.url)).toEqual([
      'https://m.cn/ubuntu/dists/noble/Release', 'https://m.cn/ubuntu-ports/dists/noble/Release',
    ]);
    expect(probeRequests({ kind: 'apt-ubuntu', url: 'https://m.cn/ubuntu', ports: 'https://m.cn/ubuntu-ports' }, debianHost).map((r) => r.url)).toEqual(['https://m.cn/ubuntu/dists/noble/Release']);
    expect(probeRequests({ kind: 'docker-ce', url: 'https://m.cn/docker-ce' }, ubuntuArm)[0]!.url).toBe('https://m.cn/docker-ce/linux/ubuntu/dists/noble/Release');
    expect(probeRequests({ kind: 'image-prefix', url: 'https://m.daocloud.io/docker.io' }, debianHost)[0]!.url).toBe('https://m.daocloud.io/v2/');
    expect(probeRequests({ kind: 'pypi', url: 'https://p.cn/simple' }, debianHost)[0]!.url).toBe('https://p.cn/simple/pip/');
    expect(probeRequests({ kind: 'node', url: 'https://n.cn/node/' }, debianHost)[0]!.url).toBe('https://n.cn/node/index.json');
    expect(probeRequests({ kind: 'npm', url: 'https://r.cn/npm/' }, debianHost)[0]!.url).toBe('https://r.cn/npm/ms');
  });

  it('an error page served with 200 is not the object', () => {
    expect(contentLooksRight('apt-debian', '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nOrigin: Debian\nSuite: stable\n')).toBe(true);
    expect(contentLooksRight('apt-debian', '<html><body>404</body></html>')).toBe(false);
    expect(contentLooksRight('npm', '{"_id":"ms","name":"ms"')).toBe(true);
    expect(contentLooksRight('pypi', '<a href="pip-24.0.tar.gz">')).toBe(true);
    expect(contentLooksRight('node', '[{"version":"v22.0.0"')).toBe(true);
    expect(contentLooksRight('node', '<!DOCTYPE html>')).toBe(false);
  });
});

describe('ranking', () => {
  const r = (id: string, alive: boolean, latencyMs: number | null, bytesPerSecond: number | null, kind: ProbeResult['kind'] = 'npm'): ProbeResult => ({
    kind, id, url: `https://${id}.example.cn`, alive, latencyMs, bytesPerSecond, error: alive ? null : 'timeout',
  });

  it('score = latency + ms to fetch 1 MiB at the measured speed', () => {
    expect(score(r('a', true, 100, 1024 * 1024))).toBe(1100);
    expect(score(r('b', true, 40, null))).toBe(40);
    expect(score(r('c', false, null, null))).toBeNull();
  });

  it('alive first, then by score (a fast far mirror beats a near slow one), kinds in order; best omits dead kinds', () => {
    const results = [
      r('dead', false, null, null),
      r('near-slow', true, 20, 100 * 1024),
      r('far-fast', true, 150, 20 * 1024 * 1024),
      r('reg-b', true, 90, null, 'registry'),
      r('reg-a', true, 30, null, 'registry'),
      r('pypi-dead', false, null, null, 'pypi'),
    ];
    expect(rankResults(results).map((x) => x.id)).toEqual(['reg-a', 'reg-b', 'far-fast', 'near-slow', 'dead', 'pypi-dead']);
    expect(bestByKind(results)).toEqual({ registry: 'reg-a', npm: 'far-fast' });
  });
});
