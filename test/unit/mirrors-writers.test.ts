import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mergeDaemonJson } from '../../src/render/docker-daemon.js';
import { DaemonJsonError, dockerdFlagNames, jsonErrorOffset } from '../../src/domain/daemon-json.js';
import { renderBuildMirrors, MIRROR_FILES } from '../../src/render/build-mirrors.js';
import { primaryKeyFingerprints, dearmor } from '../../src/domain/openpgp.js';
import { withPrefixMirror } from '../../src/domain/versions.js';
import { DeadMirrorError, type MirrorChoice } from '../../src/domain/mirrors.js';
import type { Plan } from '../../src/domain/plan.js';

const R = 'https://hub.mirror.example.cn';
const live = (url: string): MirrorChoice => ({ kind: 'registry', url, result: { kind: 'registry', id: 'r', url, alive: true, latencyMs: 20, bytesPerSecond: null, error: null } });
const logs = { maxSizeMiB: 20, maxFiles: 5 };

describe('daemon.json merge', () => {
  it('creates the file when absent: mirror, log rotation from the preset, live-restore', () => {
    const m = mergeDaemonJson(null, { registry: live(R), logs, liveRestore: true });
    expect(JSON.parse(m.text!)).toEqual({ 'registry-mirrors': [R], 'log-opts': { 'max-size': '20m', 'max-file': '5' }, 'live-restore': true });
    expect(m.text!.endsWith('\n')).toBe(true);
  });

  it('keeps every existing key and value, puts the live mirror first and drops the existing ones that probed dead', () => {
    const old = JSON.stringify({
      'data-root': '/data/docker', 'registry-mirrors': ['https://old-dead.example.com/', 'https://private.mirror.example.com'],
      'log-opts': { 'max-size': '100m' }, 'live-restore': false, 'insecure-registries': ['10.0.0.5:5000'],
    });
    const m = mergeDaemonJson(old, { registry: live(`${R}/`), deadExisting: ['https://old-dead.example.com'], logs, liveRestore: true });
    const v = JSON.parse(m.text!);
    expect(v['registry-mirrors']).toEqual([R, 'https://private.mirror.example.com']);
    expect(v['data-root']).toBe('/data/docker');
    expect(v['insecure-registries']).toEqual(['10.0.0.5:5000']);
    expect(v['log-opts']).toEqual({ 'max-size': '100m', 'max-file': '5' });
    expect(v['live-restore']).toBe(false);
    expect(m.changes).toContain('- registry-mirrors: https://old-dead.example.com/');
    expect(JSON.stringify(v)).not.toContain('old-dead');
  });

  it('lists every mirror that served the plan\'s images in the order given (fastest first), the operator\'s other entries after (#16.3)', () => {
    const old = JSON.stringify({ 'registry-mirrors': ['https://slow.example.com', 'https://private.example.com'], debug: true });
    const m = mergeDaemonJson(old, { registry: live('https://fast.example.com'), also: [live('https://slow.example.com'), live('https://acc.example.com')], logs, liveRestore: true });
    const v = JSON.parse(m.text!);
    expect(v['registry-mirrors']).toEqual(['https://fast.example.com', 'https://slow.example.com', 'https://acc.example.com', 'https://private.example.com']);
    expect(v.debug).toBe(true);
    expect(m.changes.filter((c) => c.includes('registry-mirrors'))).toEqual(['+ registry-mirrors: https://fast.example.com', '+ registry-mirrors: https://acc.example.com']);
    // The same list again: nothing to change. The same mirrors, now another order: said so.
    expect(mergeDaemonJson(m.text, { registry: live('https://fast.example.com'), also: [live('https://slow.example.com'), live('https://acc.example.com')], logs, liveRestore: true }).changes).toEqual([]);
    const again = mergeDaemonJson(m.text, { registry: live('https://fast.example.com'), also: [live('https://acc.example.com'), live('https://slow.example.com')], logs, liveRestore: true });
    expect(again.changes).toEqual(['~ registry-mirrors: https://fast.example.com, https://acc.example.com, https://slow.example.com, https://private.example.com']);
  });

  it('adds no max-size to a log driver that has none (journald would refuse it), and none without a registry choice', () => {
    const m = mergeDaemonJson('{"log-driver":"journald","registry-mirrors":["https://x.example.com"]}', { logs, liveRestore: true });
    expect(JSON.parse(m.text!)).toEqual({ 'log-driver': 'journald', 'registry-mirrors': ['https://x.example.com'], 'live-restore': true });
  });

  it('leaves an up-to-date file byte for byte (idempotent), with its own formatting', () => {
    const first = mergeDaemonJson(null, { registry: live(R), logs, liveRestore: true }).text;
    const pretty = first!.replace(/\n {2}/g, '\n    ');
    expect(mergeDaemonJson(pretty, { registry: live(R), logs, liveRestore: true })).toEqual({ text: pretty, changes: [] });
  });

  it('leaves settings dockerd gets as flags alone (both would stop dockerd from starting)', () => {
    const flags = dockerdFlagNames(['/usr/bin/dockerd', '-H', 'fd://', '--registry-mirror=https://x.example.com', '--live-restore', '--log-driver', 'journald']);
    expect(flags).toEqual(['--registry-mirror', '--live-restore', '--log-driver']);
    const m = mergeDaemonJson(null, { registry: live(R), logs, liveRestore: true, flags });
    expect(m.text).toBeNull();
    expect(m.changes).toContain('! registry-mirrors: dockerd already gets --registry-mirror on its command line; left alone');
  });

  it('live-restore stays off on a swarm node', () => {
    expect(JSON.parse(mergeDaemonJson('{}', { logs, liveRestore: false }).text!)['live-restore']).toBeUndefined();
  });

  it('invalid JSON is an error with its line and column, never a clobber', () => {
    try {
      mergeDaemonJson('{\n  "debug": true,\n  "registry-mirrors": [\n}\n', { registry: live(R), logs, liveRestore: true });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DaemonJsonError);
      expect((e as DaemonJsonError).line).toBe(4);
      expect((e as DaemonJsonError).col).toBe(1);
    }
    expect(() => mergeDaemonJson('[1]', { logs, liveRestore: true })).toThrow(/top level must be a JSON object/);
    expect(() => mergeDaemonJson('{"registry-mirrors":"https://x"}', { registry: live(R), logs, liveRestore: true })).toThrow(/must be a list/);
  });

  it('locates the first JSON syntax error wherever V8 leaves the position out', () => {
    expect(jsonErrorOffset('{"a":1,}')).toBe(7);
    expect(jsonErrorOffset('{"a": [1, 2], "b": {"c": "\\u00e9"}}')).toBeNull();
    expect(jsonErrorOffset('{"a": tru}')).toBe(6);
    expect(jsonErrorOffset('{"a": 1} x')).toBe(9);
    expect(jsonErrorOffset('{"a": 1')).toBe(7);
  });

  it('refuses a registry mirror that did not probe alive', () => {
    const d: MirrorChoice = { ...live(R), result: { ...live(R).result, alive: false, error: 'http-404' } };
    expect(() => mergeDaemonJson(null, { registry: d, logs, liveRestore: true })).toThrow(DeadMirrorError);
  });
});

describe('build mirrors (install dir)', () => {
  const plan = (mirrors: Record<string, string>) => ({ mirrors }) as unknown as Plan;

  it('renders .npmrc, pip.conf and build arguments from the chosen mirrors', () => {
    const files = renderBuildMirrors(plan({ npm: 'https://registry.npmmirror.com', pypi: 'https://pypi.tuna.tsinghua.edu.cn/simple/', node: 'https://mirrors.example.cn/node' }));
    const by = Object.fromEntries(files.map((f) => [f.path, f.content]));
    expect(by[MIRROR_FILES.npmrc]).toContain('\nregistry=https://registry.npmmirror.com/\n');
    expect(by[MIRROR_FILES.pipConf]).toContain('[global]\nindex-url = https://pypi.tuna.tsinghua.edu.cn/simple\n');
    expect(by[MIRROR_FILES.pipConf]).not.toContain('trusted-host');
    const args = by[MIRROR_FILES.buildArgs]!.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(args).toEqual([
      'NPM_CONFIG_REGISTRY=https://registry.npmmirror.com/',
      'PIP_INDEX_URL=https://pypi.tuna.tsinghua.edu.cn/simple',
      'UV_DEFAULT_INDEX=https://pypi.tuna.tsinghua.edu.cn/simple',
      'NODEJS_ORG_MIRROR=https://mirrors.example.cn/node/',
      'NVM_NODEJS_ORG_MIRROR=https://mirrors.example.cn/node/',
    ]);
  });

  it('trusts a plain-http PyPI host explicitly; nothing at all without npm/PyPI/Node mirrors', () => {
    const files = renderBuildMirrors(plan({ pypi: 'http://mirrors.cloud.example.com/pypi/simple' }));
    expect(files.find((f) => f.path === MIRROR_FILES.pipConf)!.content).toContain('trusted-host = mirrors.cloud.example.com\n');
    expect(files.find((f) => f.path === MIRROR_FILES.buildArgs)!.content).toContain('PIP_TRUSTED_HOST=mirrors.cloud.example.com\n');
    expect(renderBuildMirrors(plan({ registry: 'https://hub.example.cn' }))).toEqual([]);
  });
});

describe('OpenPGP key fingerprint', () => {
  const key = readFileSync(new URL('../fixtures/test-key.asc', import.meta.url), 'utf8');

  it('matches what gpg reported for the fixture key (ed25519, v4)', () => {
    expect(primaryKeyFingerprints(key)).toEqual(['6DB7FD0274C402644A1AFC5F5317FC38724CC4A5']);
  });

  it('finds nothing in text that is not a key block, or in a damaged one', () => {
    expect(primaryKeyFingerprints('<html>not found</html>')).toEqual([]);
    expect(dearmor('-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!\n-----END PGP PUBLIC KEY BLOCK-----')).toBeNull();
    const cut = key.replace(/\n[A-Za-z0-9+/]{20,}\n/, '\nAAAA\n');
    expect(primaryKeyFingerprints(cut)).not.toContain('6DB7FD0274C402644A1AFC5F5317FC38724CC4A5');
  });
});

describe('image-prefix mirrors', () => {
  it('Docker Hub paths after the prefix; full references for the other public registries with a /docker.io prefix', () => {
    expect(withPrefixMirror('mysql:8.4.6', 'https://docker.1ms.run')).toBe('docker.1ms.run/library/mysql:8.4.6');
    expect(withPrefixMirror('grafana/grafana:12.1.1', 'https://m.daocloud.io/docker.io')).toBe('m.daocloud.io/docker.io/grafana/grafana:12.1.1');
    expect(withPrefixMirror('ghcr.io/org/app:1', 'https://m.daocloud.io/docker.io')).toBe('m.daocloud.io/ghcr.io/org/app:1');
    expect(withPrefixMirror('ghcr.io/org/app:1', 'https://docker.1ms.run')).toBe('ghcr.io/org/app:1');
    expect(withPrefixMirror('registry.example.com/team/api:1', 'https://m.daocloud.io/docker.io')).toBe('registry.example.com/team/api:1');
  });
});
