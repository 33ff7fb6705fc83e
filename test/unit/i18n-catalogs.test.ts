// Every catalogue has one key set in both languages, and a translation keeps every placeholder.
import { describe, expect, test } from 'vitest';
import { CATALOGS, MESSAGES, detectLang } from '../../src/i18n/index.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  test('there are catalogues and each has keys', () => {
    expect(CATALOGS.length).toBeGreaterThanOrEqual(3);
    for (const c of CATALOGS) expect(Object.keys(c.en).length).toBeGreaterThan(0);
  });

  CATALOGS.forEach((c, i) => {
    const first = Object.keys(c.en)[0];
    test(`catalogue ${i} (${first}…): en and zh-CN have the same keys`, () => {
      const en = Object.keys(c.en).sort();
      const zh = Object.keys(c['zh-CN']).sort();
      expect(zh.filter((k) => !en.includes(k)), 'keys only in zh-CN').toEqual([]);
      expect(en.filter((k) => !zh.includes(k)), 'keys missing in zh-CN').toEqual([]);
    });

    test(`catalogue ${i} (${first}…): every {placeholder} of en is in zh-CN, and none is invented`, () => {
      const bad: string[] = [];
      for (const [k, en] of Object.entries(c.en)) {
        const zh = c['zh-CN'][k] ?? '';
        const want = [...new Set(placeholders(en))];
        const have = [...new Set(placeholders(zh))];
        for (const p of want) if (!have.includes(p)) bad.push(`${k}: {${p}} missing in zh-CN`);
        for (const p of have) if (!want.includes(p)) bad.push(`${k}: {${p}} only in zh-CN`);
      }
      expect(bad).toEqual([]);
    });

    test(`catalogue ${i} (${first}…): no empty text`, () => {
      for (const lang of ['en', 'zh-CN'] as const) {
        for (const [k, v] of Object.entries(c[lang])) expect(v.trim(), `${lang} ${k}`).not.toBe('');
      }
    });
  });

  test('no key is defined by two catalogues (a later one would silently win)', () => {
    const seen = new Map<string, number>();
    const dup: string[] = [];
    CATALOGS.forEach((c, i) => {
      for (const k of Object.keys(c.en)) {
        if (seen.has(k)) dup.push(`${k} in ${seen.get(k)} and ${i}`);
        seen.set(k, i);
      }
    });
    expect(dup).toEqual([]);
  });

  test('the merged tables hold every key of every catalogue', () => {
    for (const c of CATALOGS) for (const k of Object.keys(c.en)) {
      expect(MESSAGES.en[k]).toBe(c.en[k]);
      expect(MESSAGES['zh-CN'][k]).toBe(c['zh-CN'][k]);
    }
  });

  test('zh-CN text of the wizard is Chinese, not English left untranslated', () => {
    const latinOnly = Object.entries(MESSAGES['zh-CN']).filter(([k, v]) => k.startsWith('ui.') && /[a-z]{4,}/i.test(v) && !/[\u4e00-\u9fff]/.test(v));
    // Proper names and commands stay as they are (Redis, MinIO, fail2ban…); sentences must not.
    expect(latinOnly.filter(([, v]) => v.split(' ').length > 3)).toEqual([]);
  });
});

describe('language choice', () => {
  test('--lang wins over the environment', () => {
    expect(detectLang('zh-CN', { LANG: 'en_US.UTF-8' })).toBe('zh-CN');
    expect(detectLang('en', { LC_ALL: 'zh_CN.UTF-8' })).toBe('en');
  });
  test('LC_ALL, then LC_MESSAGES, then LANG', () => {
    expect(detectLang(undefined, { LC_ALL: 'zh_CN.UTF-8', LANG: 'en_US.UTF-8' })).toBe('zh-CN');
    expect(detectLang(undefined, { LC_MESSAGES: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' })).toBe('en');
    expect(detectLang(undefined, { LANG: 'zh_TW.UTF-8' })).toBe('zh-CN');
    expect(detectLang(undefined, {})).toBe('en');
  });
});
