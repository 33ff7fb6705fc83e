// The setup phase: one screen per step of SETUP_SCREENS (src/ui/model/flow.ts). A question
// screen is a FormDef drawn by the generic Form; what a form needs beyond its fields (a check on
// Enter, a line under it, where it starts) is its row in FORM_EXTRAS. A screen with a component
// of its own is its row in OWN_SCREENS (docs/ARCHITECTURE.md#adding-a-screen).
import { Text } from 'ink';
import { useEffect, useMemo, useState, type ComponentType, type ReactNode } from 'react';
import { flagFor } from '../../domain/answer-flags.js';
import { getPath, setPath, type Draft } from '../../domain/draft.js';
import { usableCores, usableRamMiB } from '../../domain/facts.js';
import { errorText } from '../../errors.js';
import { Frame, Para, type Hint } from '../components.js';
import { Form, type FormProps } from '../form.js';
import { isFormId, nextScreen, shownScreens, type OwnScreenId, type ScreenId } from '../model/flow.js';
import { FORMS, applyValues, initialTouched, initialValues, securityInitial, type FormDef, type FormId, type FormValues } from '../model/forms.js';
import { componentsFit, recommendedPreset, presetOptions, type PresetChoice } from '../model/presets.js';
import { hubUnreachable, regionForm, regionInitial, validateRegion, withNoneChoices } from '../model/region.js';
import { answersFromDraft, provisionalAnswers, validateForm, type Problems } from '../model/validate.js';
import { PresetScreen } from '../screens/Preset.js';
import { ReviewScreen } from '../screens/Review.js';
import { Welcome } from '../screens/Welcome.js';
import type { Review } from '../types.js';
import type { WizardScope } from './scope.js';

/** The edit keys of a text field are shown too (#22.5): Backspace deletes one character, Ctrl-U clears the field. */
export const FORM_HINTS: Hint[] = [
  ['Enter', 'ui.k.next'],
  ['Up/Down', 'ui.k.field'],
  ['Left/Right/Space', 'ui.k.change'],
  ['Backspace', 'ui.k.erase'],
  ['Ctrl-U', 'ui.k.clear'],
  ['Esc', 'ui.k.back'],
];

interface StepProps {
  s: WizardScope;
  /** "step 3 of 9". */
  step: string | undefined;
}

/** On to the next screen that asks something not given yet. */
const advance = (s: WizardScope, from: ScreenId, d: Draft) => s.nav.go({ v: 'flow', id: nextScreen(from, d, s.session.given, s.mirrors.kinds) });

/** A form's values into the draft, after the form's own check; null when the form may be left. */
async function submitForm(s: WizardScope, id: FormId | 'region', def: FormDef, v: FormValues, check?: FormExtras['check'], after?: (d: Draft) => Draft): Promise<Problems | null> {
  const applied = applyValues(def, v, s.session.draft, s.session.given);
  const d = after ? after(applied) : applied;
  const more = check ? await check(s, v, d) : null;
  if (more) return more;
  s.session.saved.current[id] = v;
  s.session.setDraft(d);
  advance(s, id, d);
  return null;
}

interface FormExtras {
  /** Where the form starts when not from the draft alone. */
  initial?(s: WizardScope): FormValues;
  /** Lines under the fields that follow the values. */
  footer?(s: WizardScope, def: FormDef): ((v: FormValues) => ReactNode) | undefined;
  /** Checks on Enter that need the host (fit, ports in use); null when the form may be left. */
  check?(s: WizardScope, v: FormValues, d: Draft): Promise<Problems | null> | Problems | null;
  /** A test on the values as typed (Ctrl+T), its lines shown under the form. */
  action?(s: WizardScope, def: FormDef): FormProps['action'];
}

/** Ports another program listens on block the domain screen on this server; ones that could not be checked are said once. */
async function checkPorts(s: WizardScope, v: FormValues): Promise<Problems | null> {
  const { c, t } = s;
  const ports = [Number(v['ports.http'])];
  if (v.tls !== 'none') ports.push(Number(v['ports.https']));
  const checked = await c.checkPorts(ports);
  const busy = checked.filter((p) => p.inUse === true && p.process !== 'docker-proxy');
  const fieldOf = (port: number) => (port === Number(v['ports.http']) ? 'ports.http' : 'ports.https');
  // Rendering for elsewhere, a port taken here only warns (the review lists it); on this server it blocks.
  if (busy.length > 0 && !c.localOnly) {
    const out: Problems = {};
    for (const p of busy) out[fieldOf(p.port)] = { text: t('ui.v.portInUse', { port: p.port, process: p.process ?? '?' }), severity: 'error' };
    return out;
  }
  // Ports that could not be checked are said once; Enter again goes on (preflight checks them on the server).
  const unknown = checked.filter((p) => p.inUse === null).map((p) => p.port);
  const key = unknown.join(',');
  if (unknown.length > 0 && !c.localOnly && s.session.portsWarned.current !== key) {
    s.session.portsWarned.current = key;
    const out: Problems = {};
    for (const port of unknown) out[fieldOf(port)] = { text: t('ui.v.portUnknown', { port }), severity: 'warn' };
    return out;
  }
  return null;
}

const FORM_EXTRAS: Partial<Record<FormId, FormExtras>> = {
  components: {
    // The plan must fit this host with the components chosen; the memory each service gets follows the toggles.
    check(s, _v, d) {
      const facts = s.host.facts;
      if (!facts) return null;
      const a = provisionalAnswers(d);
      const fit = a && componentsFit(a, facts, s.t);
      return fit?.error ? { '': { text: fit.error, severity: 'error' } } : null;
    },
    footer(s, def) {
      const facts = s.host.facts;
      if (!facts) return undefined;
      const { draft, given } = s.session;
      return (v) => {
        const a = provisionalAnswers(applyValues(def, v, draft, given));
        const fit = a && componentsFit(a, facts, s.t);
        return fit && !fit.error ? <Para dimColor text={s.t('ui.components.memory', { line: fit.line })} /> : null;
      };
    },
  },
  domain: { check: (s, v) => checkPorts(s, v) },
  backup: {
    // Ctrl+T: a test message to each channel and the bucket's round trip, with the values as typed.
    action(s, def) {
      const { c, t } = s;
      const test = c.testBackupTargets?.bind(c);
      if (!test) return undefined;
      return {
        hint: t('ui.bk.testHint'),
        running: t('ui.bk.testing'),
        run: async (v) => {
          const d = applyValues(def, v, s.session.draft, s.session.given);
          const a = provisionalAnswers(d);
          if (a) return test(a);
          const r = answersFromDraft(d, t);
          return 'problems' in r ? r.problems.map((p) => `✗ ${p.path}: ${p.text}`) : [];
        },
      };
    },
  },
  security: {
    initial: (s) => securityInitial(s.session.draft, s.host.operatorIps),
    footer(s) {
      const facts = s.host.facts;
      return facts ? () => <Text dimColor>{s.t('ui.security.sshSeen', { ports: facts.sshd.ports.join(', ') || '-', source: s.t(`ssh.source.${facts.sshd.source}`) })}</Text> : undefined;
    },
  },
};

function FormStep({ s, step, id }: StepProps & { id: FormId }) {
  const { t } = s;
  const { draft, given, saved } = s.session;
  const def = FORMS[id];
  const extras = FORM_EXTRAS[id];
  return (
    <Frame t={t} title={t(def.title)} step={step} hints={FORM_HINTS}>
      <Form
        key={id}
        t={t}
        def={def}
        initial={saved.current[id] ?? extras?.initial?.(s) ?? initialValues(def, draft)}
        initialTouched={initialTouched(def, draft)}
        given={given}
        validate={(v) => validateForm(def, v, draft, t, given)}
        onChange={(v) => (saved.current[id] = v)}
        onSubmit={(v) => submitForm(s, id, def, v, extras?.check)}
        footer={extras?.footer?.(s, def)}
        action={extras?.action?.(s, def)}
      />
    </Frame>
  );
}

function WelcomeStep({ s, step }: StepProps) {
  const { c, t } = s;
  const localNote = c.localOnly ? t(c.isRoot ? 'ui.welcome.localOut' : 'ui.welcome.localNotRoot') : null;
  return <Welcome t={t} step={step} facts={s.host.facts} error={s.host.factsError} localNote={localNote} onNext={() => advance(s, 'welcome', s.session.draft)} />;
}

function PresetStep({ s, step }: StepProps) {
  const { c, t } = s;
  const { facts, factsError } = s.host;
  const { draft } = s.session;
  const answersNow = useMemo(() => provisionalAnswers(draft), [draft]);
  const options = useMemo(() => (facts && answersNow ? presetOptions(answersNow, facts, t, c.lang) : []), [facts, answersNow]);
  if (!facts) {
    return (
      <Frame t={t} title={t('ui.s.preset')} step={step} hints={[['Esc', 'ui.k.back']]}>
        {factsError ? <Text color="red">{factsError}</Text> : <Text>{t('ui.welcome.probing')}</Text>}
      </Frame>
    );
  }
  const rec: PresetChoice = recommendedPreset(facts);
  return (
    <PresetScreen
      key="preset"
      t={t}
      step={step}
      options={options}
      recommended={rec}
      initial={(getPath(draft, 'preset') as PresetChoice | undefined) ?? rec}
      hostMiB={usableRamMiB(facts)}
      cores={usableCores(facts)}
      onChoose={(p) => {
        const d = setPath(draft, 'preset', p);
        s.session.setDraft(d);
        advance(s, 'preset', d);
      }}
    />
  );
}

function RegionStep({ s, step }: StepProps) {
  const { t } = s;
  const { draft, given, saved } = s.session;
  const { cands, results, measuring, kinds } = s.mirrors;
  const facts = s.host.facts;
  const def = useMemo(() => regionForm(cands, results, measuring, draft, t), [cands, results, measuring, draft]);
  const values = useMemo(() => regionInitial(draft, facts, cands, results, s.c.lang), [draft, facts, cands, results]);
  // What the operator already set on the region screen wins; mirror fields that appear or get
  // measured after that (candidates arriving late) still start from their defaults.
  const regionSaved = saved.current.region;
  const start = useMemo(() => (regionSaved ? { ...values, ...regionSaved } : values), [values, regionSaved]);
  const givenMirrors = [...Object.entries((getPath(draft, 'mirrors') as Record<string, string> | undefined) ?? {})];
  return (
    <Frame t={t} title={t('ui.s.region')} step={step} hints={FORM_HINTS}>
      <Form
        key="region"
        t={t}
        def={def}
        initial={start}
        initialTouched={new Set(getPath(draft, 'region') === undefined ? [] : ['region'])}
        given={given}
        labelText={(f) => (f.path.startsWith('mirrors.') && f.path !== 'mirrors.accelerator' ? t('ui.f.mirror', { kind: f.path.slice('mirrors.'.length) }) : undefined)}
        validate={(v) => ({ ...validateForm(def, v, draft, t, given), ...validateRegion(v, cands, results, t, measuring) })}
        // Only what the operator changed is kept over the defaults: a mirror field that existed (its
        // candidates listed) before its measurement came, left alone, still takes the measured best.
        onChange={(v, touched) => (saved.current.region = Object.fromEntries(Object.entries(v).filter(([k]) => touched.has(k))))}
        onSubmit={(v) => submitForm(s, 'region', def, v, undefined, (d) => withNoneChoices(d, v, kinds))}
        footer={(v) =>
          v.region === 'cn' && kinds.length === 0 ? (
            <>
              <Para dimColor text={t(givenMirrors.length ? 'ui.mirror.unavailableKept' : 'ui.mirror.unavailable')} />
              {givenMirrors.map(([k, u]) => (
                <Text key={k}>{`  ${k}  ${u}  (${t('ui.mirror.notMeasured')})`}</Text>
              ))}
            </>
          ) : measuring ? (
            <Para dimColor text={t('ui.mirror.measuringNote')} />
          ) : hubUnreachable(v, cands, results, measuring) ? (
            <Para color="yellow" text={`⚠ ${t('ui.mirror.hubDead')}`} />
          ) : null
        }
      />
    </Frame>
  );
}

/** The review is prepared whenever the review screen is entered (answers may have changed). */
function ReviewStep({ s, step }: StepProps) {
  const { c, t } = s;
  const { facts } = s.host;
  const [review, setReview] = useState<Review | null>(null);
  const [problems, setProblems] = useState<string[] | null>(null);
  useEffect(() => {
    if (!facts) return;
    let live = true;
    setReview(null);
    setProblems(null);
    const r = answersFromDraft(s.session.draft, t);
    if ('problems' in r) {
      setProblems(r.problems.map((p) => `${p.path}${flagFor(p.path) ? ` (${flagFor(p.path)})` : ''}: ${p.text}`));
      return;
    }
    c.review(r.answers, facts).then(
      (x) => live && setReview(x),
      (e: unknown) => live && setProblems([errorText(t, e)]),
    );
    return () => {
      live = false;
    };
  }, [facts]);
  const confirm = () => {
    if (!review || !facts) return;
    if (review.dryRun) s.nav.start({ v: 'summary', data: c.summary(review, { applied: 0, targetDir: review.targetDir, local: review.local }, facts) });
    else s.nav.start({ v: 'apply', review });
  };
  return <ReviewScreen t={t} step={step} review={review} problems={problems} rows={s.rows} onConfirm={confirm} />;
}

/** The screens that are not forms, each wired to its component. */
const OWN_SCREENS: Record<OwnScreenId, ComponentType<StepProps>> = {
  welcome: WelcomeStep,
  preset: PresetStep,
  region: RegionStep,
  review: ReviewStep,
};

/** The setup screen the wizard is on, with "step n of m" counted over the screens this run shows. */
export function SetupPhase({ s }: { s: WizardScope }) {
  const view = s.nav.view;
  if (view.v !== 'flow') return null;
  const { id } = view;
  const shown = shownScreens(s.session.draft, s.session.given, s.mirrors.kinds);
  const i = shown.indexOf(id);
  const step = i < 0 ? undefined : s.t('ui.step', { n: i + 1, of: shown.length });
  if (isFormId(id)) return <FormStep s={s} step={step} id={id} />;
  const Own = OWN_SCREENS[id];
  return <Own s={s} step={step} />;
}
