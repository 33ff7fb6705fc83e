// Which setup screens show, in which order: a screen is skipped when flags or the answers file
// gave every answer it asks.
import { isGiven, type Draft } from '../../domain/draft.js';
import { FORMS, initialValues, valueOrDefault, visibleFields, type FormId } from './forms.js';

/** Screens with a component of their own (the rest are forms, drawn from their FormDef). */
export type OwnScreenId = 'welcome' | 'preset' | 'region' | 'review';
export type ScreenId = OwnScreenId | FormId;

const ORDER = ['welcome', 'app', 'preset', 'region', 'components', 'domain', 'database', 'security', 'backup', 'review'] as const satisfies readonly ScreenId[];
/** A screen left out of the order does not compile. */
const everyScreenPlaced: Exclude<ScreenId, (typeof ORDER)[number]> extends never ? true : never = true;
void everyScreenPlaced;
/** The setup screens in order. */
export const SETUP_SCREENS: readonly ScreenId[] = ORDER;
export const isFormId = (s: ScreenId): s is FormId => s in FORMS;

/** The answers paths a screen asks, given what is drafted so far. */
export function screenPaths(s: ScreenId, draft: Draft, mirrorKinds: readonly string[] = []): string[] {
  if (isFormId(s)) {
    const form = FORMS[s];
    return visibleFields(form, initialValues(form, draft)).map((f) => f.path);
  }
  if (s === 'preset') return ['preset'];
  if (s === 'region') return ['region', ...(valueOrDefault(draft, 'region') === 'cn' ? mirrorKinds.map((k) => `mirrors.${k}`) : [])];
  return [];
}

/** Answers a screen offers but that never keep it from being skipped (they have a sound default). */
const OPTIONAL_PATHS: ReadonlySet<string> = new Set([
  'security.ignoreIp',
  'redis.mode',
  // The drill has its default; off-site copies and alerts are the operator's to add.
  ...FORMS.backup.fields.map((f) => f.path).filter((p) => p !== 'backup.schedule' && p !== 'backup.keep'),
]);

/** A screen is skipped when a flag or the answers file gave every answer it asks. */
export function screenSkipped(s: ScreenId, draft: Draft, given: ReadonlySet<string>, mirrorKinds: readonly string[] = []): boolean {
  const paths = screenPaths(s, draft, mirrorKinds).filter((p) => !OPTIONAL_PATHS.has(p));
  if (s === 'region' && isGiven(given, 'region') && paths.slice(1).some((p) => isGiven(given, p))) return true;
  return paths.length > 0 && paths.every((p) => isGiven(given, p));
}

export function nextScreen(from: ScreenId, draft: Draft, given: ReadonlySet<string>, mirrorKinds: readonly string[] = []): ScreenId {
  const i = SETUP_SCREENS.indexOf(from);
  for (let j = i + 1; j < SETUP_SCREENS.length; j++) {
    const s = SETUP_SCREENS[j]!;
    if (!screenSkipped(s, draft, given, mirrorKinds)) return s;
  }
  return 'review';
}

/** The screens this run shows, for "step 3 of 9". */
export function shownScreens(draft: Draft, given: ReadonlySet<string>, mirrorKinds: readonly string[] = []): ScreenId[] {
  return SETUP_SCREENS.filter((s) => !screenSkipped(s, draft, given, mirrorKinds));
}
