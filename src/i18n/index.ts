// Message lookup for both languages. Catalogues live in ./catalog, one per area, merged here.
import type { Catalog, Lang } from './define.js';
import { core } from './catalog/core.js';
import { validation } from './catalog/validation.js';
import { apply } from './catalog/apply.js';
import { security } from './catalog/security.js';
import { mirrors } from './catalog/mirrors.js';
import { ui } from './catalog/ui.js';
import { tls } from './catalog/tls.js';
import { doctor } from './catalog/doctor.js';
import { backup } from './catalog/backup.js';
import { notify } from './catalog/notify.js';
import { drill } from './catalog/drill.js';
import { cluster } from './catalog/cluster.js';
import { pitr } from './catalog/pitr.js';
import { cli } from './catalog/cli.js';
import { screen } from './catalog/screen.js';
import { upgrade } from './catalog/upgrade.js';

export type { Lang } from './define.js';
const catalogs = [core, validation, security, mirrors, ui, apply, tls, doctor, backup, notify, drill, cluster, pitr, cli, screen, upgrade] as const;
/** Every catalogue, for the test that each has one key set in both languages. */
export const CATALOGS: readonly Catalog<string>[] = catalogs;
type KeysOf<C> = C extends Catalog<infer K> ? K : never;
export type MsgKey = KeysOf<(typeof catalogs)[number]>;
export type Params = Record<string, string | number>;
export type T = (key: MsgKey, params?: Params) => string;

const merged: Record<Lang, Record<string, string>> = { en: {}, 'zh-CN': {} };
for (const c of catalogs) {
  Object.assign(merged.en, c.en);
  Object.assign(merged['zh-CN'], c['zh-CN']);
}
export const MESSAGES: Readonly<Record<Lang, Readonly<Record<string, string>>>> = merged;

export function isMsgKey(s: string): s is MsgKey {
  return Object.hasOwn(merged.en, s);
}

export function format(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export function translator(lang: Lang): T {
  const table = merged[lang];
  return (key, params) => format(table[key] ?? merged.en[key] ?? key, params);
}

/** `--lang` wins; else LC_ALL, LC_MESSAGES, LANG as POSIX orders them; Chinese locales get zh-CN. */
export function detectLang(flag: string | undefined, env: NodeJS.ProcessEnv): Lang {
  const pick = (v: string | undefined): Lang | null => {
    if (!v) return null;
    if (/^zh/i.test(v)) return 'zh-CN';
    if (/^(en|C|POSIX)/i.test(v)) return 'en';
    return null;
  };
  if (flag) return pick(flag) ?? 'en';
  for (const v of [env.LC_ALL, env.LC_MESSAGES, env.LANG]) {
    if (v) return pick(v) ?? 'en';
  }
  return 'en';
}
