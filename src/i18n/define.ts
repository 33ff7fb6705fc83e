// A catalogue is one key set in two languages; zh-CN must name every English key (checked by tsc and a test).
export type Lang = 'en' | 'zh-CN';
export interface Catalog<K extends string> { en: Record<K, string>; 'zh-CN': Record<K, string> }

export function defineCatalog<const E extends Record<string, string>>(en: E, zh: { [K in keyof E]: string }): Catalog<keyof E & string> {
  return { en, 'zh-CN': zh };
}
