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
});
