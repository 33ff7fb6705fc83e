// A catalogue is one key set in two languages; zh-CN must name every English key (checked by tsc and a test).
export type Lang = 'en' | 'zh-CN';
export interface Catalog<K extends string> { en: Record<K, string>; 'zh-CN': Record<K, string> }

export function defineCatalog<const E extends Record<string, string>>(en: E, zh: { [K in keyof E]: string }): Catalog<keyof E & string> {
  return { en, 'zh-CN': zh };
}

type KeysOf<C> = C extends Catalog<infer K> ? K : never;

/** One catalogue from an area's parts; a key defined in two parts throws at load (one would silently win). */
export function mergeCatalogs<const C extends readonly Catalog<string>[]>(...parts: C): Catalog<KeysOf<C[number]>> {
  const out: Catalog<string> = { en: {}, 'zh-CN': {} };
  for (const c of parts) {
    const twice = Object.keys(c.en).filter((k) => Object.hasOwn(out.en, k));
    if (twice.length) throw new Error(`message key(s) defined twice: ${twice.join(', ')}`);
    Object.assign(out.en, c.en);
    Object.assign(out['zh-CN'], c['zh-CN']);
  }
  return out as Catalog<KeysOf<C[number]>>;
}
