import { describe, expect, it } from 'vitest';
import { describeProbeError, formatMirrorTable, formatSpeed, mirrorsJson } from '../../src/services/mirrors.js';
import { translator } from '../../src/i18n/index.js';
import type { MirrorEntry, ProbeResult } from '../../src/domain/mirrors.js';

const results: ProbeResult[] = [
  { kind: 'npm', id: 'slow', url: 'https://slow.example.cn', alive: true, latencyMs: 300, bytesPerSecond: 50 * 1024, error: null },
  { kind: 'npm', id: 'fast', url: 'https://fast.example.cn', alive: true, latencyMs: 40, bytesPerSecond: 8 * 1024 * 1024, error: null },
  { kind: 'registry', id: 'gone', url: 'https://gone.example.cn', alive: false, latencyMs: null, bytesPerSecond: null, error: 'http-404' },
];
const catalogue: MirrorEntry[] = [
  { kind: 'npm', id: 'slow', name: '慢速镜像', url: 'https://slow.example.cn' },
  { kind: 'npm', id: 'fast', name: 'Fast', url: 'https://fast.example.cn' },
  { kind: 'registry', id: 'gone', name: 'Gone', url: 'https://gone.example.cn' },
];

describe('mirrors output', () => {
  it('--json: exactly the documented fields, ranked, best only for live kinds', () => {
    const j = mirrorsJson(results);
    expect(Object.keys(j)).toEqual(['results', 'best']);
    const fields = ['kind', 'id', 'url', 'alive', 'latencyMs', 'bytesPerSecond', 'error', 'class', 'images', 'blobBytesPerSecond'];
    expect(j.results.map((r) => Object.keys(r))).toEqual(Array(3).fill(fields));
    expect(j.results.map((r) => r.id)).toEqual(['gone', 'fast', 'slow']);
    // A result without a class of its own gets the plain kinds' one: alive is ok, an HTTP error is dead.
    expect(j.results.map((r) => [r.class, r.images, r.blobBytesPerSecond])).toEqual([['dead', {}, null], ['ok', {}, null], ['ok', {}, null]]);
    expect(j.best).toEqual({ npm: 'fast' });
  });

  it('the table in English and Chinese marks the best, says why the dead are dead', () => {
    const en = formatMirrorTable(translator('en'), results, catalogue, 1234, 4000);
    expect(en).toContain('Mirror probe: 2 of 3 candidate(s) answered, in 1.2 s (limit 4.0 s)');
    expect(en).toMatch(/★ fast +Fast +https:\/\/fast\.example\.cn +40 ms +8\.0 MB\/s/);
    expect(en).toContain('dead: HTTP 404');
    expect(en).toContain('registry: no candidate answered; that tool keeps its own default');
    const zh = formatMirrorTable(translator('zh-CN'), results, catalogue, 1234, 4000);
    expect(zh).toContain('镜像探测：3 个候选中 2 个可用');
    expect(zh).toContain('不可用：HTTP 404');
    expect(zh).toContain('Docker Hub 镜像加速（daemon.json）');
    // CJK names take two columns: the URL column still lines up.
    const col = (s: string, id: string) => s.split('\n').find((l) => l.includes(` ${id} `))!.indexOf('https://');
    expect(col(zh, 'slow')).toBeLessThan(col(zh, 'fast'));
  });

  it('error codes and speeds read naturally', () => {
    const t = translator('zh-CN');
    expect(describeProbeError(t, 'stalled')).toBe('下载中途停滞');
    expect(describeProbeError(t, 'dns: ENOTFOUND')).toBe('域名无法解析（ENOTFOUND）');
    expect(describeProbeError(translator('en'), 'timeout (/debian-security)')).toBe('no answer in time (/debian-security)');
    expect(formatSpeed(null)).toBe('-');
    expect(formatSpeed(512)).toBe('1 KB/s');
    expect(formatSpeed(3 * 1024 * 1024)).toBe('3.0 MB/s');
  });

  it('registry mirrors judged image by image: the class first, the blob speed, and each refused image with its reason (#16.2)', () => {
    const img = (ok: boolean, error: string | null = null) => ({ ok, digest: ok ? `sha256:${'a'.repeat(64)}` : null, error });
    const reg: ProbeResult[] = [
      { kind: 'registry', id: 'list', url: 'https://list.example.cn', alive: false, latencyMs: 30, bytesPerSecond: null, error: 'redis:8.0: manifest http-403', class: 'allow-list', images: { 'mysql:9.7': img(true), 'redis:8.0': img(false, 'manifest http-403') }, blobBytesPerSecond: 5e6 },
      { kind: 'registry', id: 'hub', url: 'https://hub.example.cn', alive: true, latencyMs: 20, bytesPerSecond: 4e6, error: null, class: 'ok', images: { 'mysql:9.7': img(true), 'redis:8.0': img(true) }, blobBytesPerSecond: 4 * 1024 * 1024 },
    ];
    const cat: MirrorEntry[] = reg.map((r) => ({ kind: r.kind, id: r.id, name: r.id, url: r.url }));
    const judged = { images: [{ ref: 'mysql:9.7', repository: 'library/mysql', reference: '9.7', pinned: null }, { ref: 'redis:8.0', repository: 'library/redis', reference: '8.0', pinned: null }], platform: 'linux/amd64' };
    const en = formatMirrorTable(translator('en'), reg, cat, 900, 8000, judged);
    const lines = en.split('\n');
    // The usable one first though the allow-list is faster; the refused image named under it.
    expect(lines.findIndex((l) => l.includes(' hub '))).toBeLessThan(lines.findIndex((l) => l.includes(' list ')));
    expect(en).toMatch(/★ hub .* ok +20 ms +4\.0 MB\/s/);
    expect(en).toContain('judged on mysql:9.7, redis:8.0 (linux/amd64)');
    expect(en).toMatch(/✗ redis:8\.0: .*403/);
    const zh = formatMirrorTable(translator('zh-CN'), reg, cat, 900, 8000, judged);
    expect(zh).toContain('白名单限制');
  });
});
