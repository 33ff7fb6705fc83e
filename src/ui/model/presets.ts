// Size presets on this host: what each gives every service and whether the host fits it.
import type { Answers } from '../../domain/answers.js';
import { usableRamMiB, type HostFacts } from '../../domain/facts.js';
import { buildPlan } from '../../domain/plan.js';
import { PRESETS, PRESET_IDS } from '../../domain/presets.js';
import { largestFittingPreset } from '../../domain/sizing.js';
import { WizardError } from '../../errors.js';
import type { Lang, T } from '../../i18n/index.js';

export type PresetChoice = 'auto' | '4g' | '8g' | '16g';
export const PRESET_CHOICES: readonly PresetChoice[] = [...PRESET_IDS, 'auto'];

export interface PresetOption {
  id: PresetChoice;
  title: string;
  fits: boolean;
  /** Why it does not fit, translated. */
  reason: string | null;
  /** The RAM it needs when the host has too little (the error's numbers, for the row). */
  needMiB: number | null;
  services: { name: string; memoryMiB: number; cpus: number }[];
  planRamMiB: number | null;
  reserveMiB: number | null;
  tier: string | null;
}

/** What each preset gives each service on this host, and whether the host can run it (buildPlan decides). */
export function presetOptions(answers: Answers, facts: HostFacts, t: T, lang: Lang): PresetOption[] {
  const hostMiB = usableRamMiB(facts);
  return PRESET_CHOICES.map((id) => {
    const title = id === 'auto' ? t('ui.preset.autoTitle', { mib: hostMiB }) : PRESETS[id].title[lang];
    try {
      const plan = buildPlan({ ...answers, preset: id }, facts);
      return {
        id, title, fits: true, reason: null, needMiB: null,
        services: plan.services.map((s) => ({ name: s.name, memoryMiB: s.memoryMiB, cpus: s.cpus })),
        planRamMiB: plan.sizing.planRamMiB, reserveMiB: plan.sizing.reserveMiB, tier: plan.sizing.tier,
      };
    } catch (e) {
      if (!(e instanceof WizardError)) throw e;
      const need = e.params?.need;
      return { id, title, fits: false, reason: t(e.key, e.params), needMiB: typeof need === 'number' ? need : null, services: [], planRamMiB: null, reserveMiB: null, tier: null };
    }
  });
}

/** A named size the operator can reason about when one fits (tested per preset); else `auto`. */
export function recommendedPreset(facts: HostFacts): PresetChoice {
  return largestFittingPreset(usableRamMiB(facts)) ?? 'auto';
}

/** Memory per service for the components form: "app 1024 MiB · mysql 2048 MiB", or why they do not fit. */
export function componentsFit(answers: Answers, facts: HostFacts, t: T): { line: string; error: string | null } {
  try {
    const plan = buildPlan(answers, facts);
    return { line: plan.services.map((s) => `${s.name} ${s.memoryMiB} MiB`).join(t('ui.sep')), error: null };
  } catch (e) {
    if (!(e instanceof WizardError)) throw e;
    return { line: '', error: t(e.key, e.params) };
  }
}
