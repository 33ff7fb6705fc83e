// The wizard's state machine: which screen shows, the answers drafted so far, going back with Esc,
// and Ctrl-C. Every effect goes through the controller; screens get data and callbacks only.
import { Text, useStdout } from 'ink';
import { useEffect, useMemo, useRef, useState } from 'react';
import { flagFor } from '../domain/answer-flags.js';
import { getPath, setPath, type Draft } from '../domain/draft.js';
import { usableCores, usableRamMiB, type HostFacts } from '../domain/facts.js';
import { EXIT, WizardError, errorText } from '../errors.js';
import type { RegistryEntry } from '../steps/installed.js';
import { Frame, KeyScope, Para, useKeys, type Hint } from './components.js';
import { Form } from './form.js';
import type { MenuChoice, MenuEntry } from './menu.js';
import { BackupPicker, Confirm } from './screens/Backups.js';
import type { BackupSummary } from '../domain/backup.js';
import { applyReducer, initialApply, type ApplyState } from './model/apply.js';
import { isFormId, nextScreen, shownScreens, type ScreenId } from './model/flow.js';
import { FORMS, applyValues, initialTouched, initialValues, securityInitial, type FormId, type FormValues } from './model/forms.js';
import { componentsFit, presetOptions, recommendedPreset, type PresetChoice } from './model/presets.js';
import { mirrorKey, mirrorKinds, regionForm, regionInitial, suggestRegion, validateRegion, type MirrorResult } from './model/region.js';
import { answersFromDraft, provisionalAnswers, validateForm, type Problems } from './model/validate.js';
import { ApplyScreen } from './screens/Apply.js';
import { CommandOutput, MenuScreen, StackChooser } from './screens/Menu.js';
import { DoctorFlow } from './screens/Doctor.js';
import type { DoctorController } from './doctor-controller.js';
import { PresetScreen } from './screens/Preset.js';
import { ReviewScreen } from './screens/Review.js';
import { SummaryScreen, type SummaryData } from './screens/Summary.js';
import { Welcome } from './screens/Welcome.js';
import type { MirrorCandidate, Review, WizardController } from './types.js';

export interface AppProps {
  controller: WizardController;
  /** Installed stacks: non-empty starts at the maintenance menu. */
  stacks: RegistryEntry[];
  /** Answers given or prefilled before the first screen. */
  draft: Draft;
  /** Answers paths fixed by flags or the answers file: their prompts are skipped. */
  given: ReadonlySet<string>;
  onExit: (code: number) => void;
  /** Ctrl-C: the caller restores the terminal, ends children and exits 130. */
  onAbort: () => void;
}

type View =
  | { v: 'stacks' }
  | { v: 'menu' }
  | { v: 'flow'; id: ScreenId }
  | { v: 'apply' }
  | { v: 'summary' }
  | { v: 'command'; entry: MenuEntry; choice?: MenuChoice }
  | { v: 'doctor'; controller: DoctorController }
  | { v: 'pick'; entry: MenuEntry }
  | { v: 'confirm'; entry: MenuEntry; choice: MenuChoice };

const FORM_HINTS: Hint[] = [['Enter', 'ui.k.next'], ['Up/Down', 'ui.k.field'], ['Left/Right/Space', 'ui.k.change'], ['Esc', 'ui.k.back']];

/** The wizard with one key listener for all its screens (see KeyHub). */
export function App(props: AppProps) {
  return (
    <KeyScope>
      <Wizard {...props} />
    </KeyScope>
  );
}

function Wizard(props: AppProps) {
  const c = props.controller;
  const { t } = c;
  const { stdout } = useStdout();
  const rows = stdout.rows || 24;

  const [facts, setFacts] = useState<HostFacts | null>(null);
  const [factsError, setFactsError] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft>(props.draft);
  const [given, setGiven] = useState<ReadonlySet<string>>(props.given);
  const [stack, setStack] = useState<RegistryEntry | null>(props.stacks.length === 1 ? props.stacks[0]! : null);
  const [view, setView] = useState<View>(props.stacks.length > 1 ? { v: 'stacks' } : props.stacks.length === 1 ? { v: 'menu' } : { v: 'flow', id: 'welcome' });
  const [history, setHistory] = useState<View[]>([]);
  const saved = useRef<Partial<Record<ScreenId, FormValues>>>({});
  /** The ports last said to be unchecked: a second Enter with the same ports goes on. */
  const portsWarned = useRef('');
  const [review, setReview] = useState<Review | null>(null);
  const [reviewProblems, setReviewProblems] = useState<string[] | null>(null);
  const [apply, setApply] = useState<ApplyState | null>(null);
  const [failCode, setFailCode] = useState<number>(EXIT.failed);
  const [summary, setSummary] = useState<SummaryData | null>(null);
  const [cands, setCands] = useState<MirrorCandidate[]>([]);
  const [results, setResults] = useState<ReadonlyMap<string, MirrorResult>>(new Map());
  const [measuring, setMeasuring] = useState(false);
  const [operatorIps, setOperatorIps] = useState<string[]>([]);
  const [cmd, setCmd] = useState<{ lines: string[]; code: number | null }>({ lines: [], code: null });
  const [backups, setBackups] = useState<{ list: BackupSummary[] | null; error: string | null }>({ list: null, error: null });

  const alive = useRef(true);
  useEffect(() => {
    c.facts().then(
      (f) => alive.current && setFacts(f),
      (e: unknown) => alive.current && setFactsError(errorText(t, e)),
    );
    return () => {
      alive.current = false;
    };
  }, []);

  // The operator's address, offered on the security screen for fail2ban's ignoreip.
  useEffect(() => {
    c.operatorAddresses?.().then((a) => alive.current && setOperatorIps(a), () => {});
  }, []);

  // Mirrors are measured as soon as a setup starts on a host that is likely to want them (region cn
  // given or suggested by the time zone), so the latencies are there by the region screen; anywhere
  // else only once the region screen shows (the operator may choose cn there): a host abroad does
  // not contact the mainland mirrors for nothing.
  const measured = useRef(false);
  const regionDrafted = getPath(draft, 'region');
  const wantMirrors =
    view.v === 'flow' && (view.id === 'region' || regionDrafted === 'cn' || (regionDrafted === undefined && facts !== null && suggestRegion(facts) === 'cn'));
  useEffect(() => {
    const src = c.mirrors;
    if (!wantMirrors || measured.current || !src) return;
    measured.current = true;
    src.candidates('cn').then((cs) => {
      if (!alive.current) return;
      setCands(cs);
      if (!src.measure || cs.length === 0) return;
      setMeasuring(true);
      src
        .measure(cs, (m) => alive.current && setResults((old) => new Map(old).set(mirrorKey(m.kind, m.id), m)))
        .catch(() => {})
        .finally(() => alive.current && setMeasuring(false));
    }, () => {});
  }, [wantMirrors]);

  const kinds = mirrorKinds(cands);
  const go = (next: View, keepHistory = true) => {
    setHistory((h) => (keepHistory ? [...h, view] : []));
    setView(next);
  };
  const back = () => {
    const prev = history[history.length - 1];
    if (!prev) return;
    setHistory((h) => h.slice(0, -1));
    setView(prev);
  };
  const advance = (from: ScreenId, d: Draft) => go({ v: 'flow', id: nextScreen(from, d, given, kinds) });

  useKeys((input, key) => {
    if (key.ctrl && input === 'c') {
      props.onAbort();
      return;
    }
    if (key.escape && (view.v === 'flow' || view.v === 'menu')) back();
    if (key.return && view.v === 'flow' && view.id === 'welcome' && factsError) props.onExit(EXIT.failed);
  });

  // The review is prepared whenever the review screen is entered (answers may have changed).
  const onReview = view.v === 'flow' && view.id === 'review';
  useEffect(() => {
    if (!onReview || !facts) return;
    let live = true;
    setReview(null);
    setReviewProblems(null);
    const r = answersFromDraft(draft, t);
    if ('problems' in r) {
      setReviewProblems(r.problems.map((p) => `${p.path}${flagFor(p.path) ? ` (${flagFor(p.path)})` : ''}: ${p.text}`));
      return;
    }
    c.review(r.answers, facts).then(
      (x) => live && setReview(x),
      (e: unknown) => live && setReviewProblems([errorText(t, e)]),
    );
    return () => {
      live = false;
    };
  }, [onReview, facts]);

  const confirm = () => {
    if (!review || !facts) return;
    if (review.dryRun) {
      setSummary(c.summary(review, { applied: 0, targetDir: review.targetDir, local: review.local }, facts));
      go({ v: 'summary' }, false);
      return;
    }
    setApply(initialApply(c.applySteps(review)));
    go({ v: 'apply' }, false);
    c.apply(review, (e) => setApply((s) => (s ? applyReducer(s, e) : s))).then(
      (res) => {
        setSummary(c.summary(review, res, facts));
        go({ v: 'summary' }, false);
      },
      (e: unknown) => {
        setFailCode(e instanceof WizardError ? e.exitCode : EXIT.failed);
        setApply((s) => (s ? { ...s, error: errorText(t, e), steps: s.steps.map((x) => (x.status === 'running' ? { ...x, status: 'failed' } : x)) } : s));
      },
    );
  };

  const answersNow = useMemo(() => provisionalAnswers(draft), [draft]);
  const presetOpts = useMemo(() => (facts && answersNow ? presetOptions(answersNow, facts, t, c.lang) : []), [facts, answersNow]);
  const regionDef = useMemo(() => regionForm(cands, results, measuring, draft, t), [cands, results, measuring, draft]);
  const regionValues = useMemo(() => regionInitial(draft, facts, cands, results), [draft, facts, cands, results]);
  // What the operator already set on the region screen wins; mirror fields that appear or get
  // measured after that (candidates arriving late) still start from their defaults.
  const regionSaved = saved.current.region;
  const regionStart = useMemo(() => (regionSaved ? { ...regionValues, ...regionSaved } : regionValues), [regionValues, regionSaved]);

  const stepLabel = (id: ScreenId) => {
    const shown = shownScreens(draft, given, kinds);
    const i = shown.indexOf(id);
    return i < 0 ? undefined : t('ui.step', { n: i + 1, of: shown.length });
  };

  const submitForm = async (id: FormId | 'region', v: FormValues): Promise<Problems | null> => {
    const def = id === 'region' ? regionDef : FORMS[id];
    const d = applyValues(def, v, draft, given);
    if (id === 'components' && facts) {
      const a = provisionalAnswers(d);
      const fit = a && componentsFit(a, facts, t);
      if (fit?.error) return { '': { text: fit.error, severity: 'error' } };
    }
    if (id === 'domain') {
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
      if (unknown.length > 0 && !c.localOnly && portsWarned.current !== key) {
        portsWarned.current = key;
        const out: Problems = {};
        for (const port of unknown) out[fieldOf(port)] = { text: t('ui.v.portUnknown', { port }), severity: 'warn' };
        return out;
      }
    }
    saved.current[id] = v;
    setDraft(d);
    advance(id, d);
    return null;
  };

  /**
   * Runs a menu entry's command, its output live on the command screen. `push`: from the menu
   * (back returns to it); `replace`: in place of the current view (the preview's answer);
   * `fromPick`: from the backup picker or its question, which are done with: back returns to
   * the menu (never to a question that would run the command again).
   */
  const runEntry = (e: MenuEntry, choice: MenuChoice, how: 'push' | 'replace' | 'fromPick' = 'push') => {
    if (!stack) return;
    setCmd({ lines: [], code: null });
    if (how === 'push') go({ v: 'command', entry: e, choice });
    else if (how === 'fromPick') {
      setHistory((h) => {
        const menu = h.map((v) => v.v).lastIndexOf('menu');
        return menu >= 0 ? h.slice(0, menu + 1) : h;
      });
      setView({ v: 'command', entry: e, choice });
    } else setView({ v: 'command', entry: e, choice });
    c.runCommand(e, stack, (line) => setCmd((s) => ({ ...s, lines: [...s.lines, line].slice(-500) })), choice).then(
      (code) => setCmd((s) => ({ ...s, code })),
      (err: unknown) => setCmd((s) => ({ lines: [...s.lines, errorText(t, err)], code: EXIT.failed })),
    );
  };

  // ---------------------------------------------------------------- rendering

  if (view.v === 'stacks') {
    return (
      <StackChooser
        t={t}
        stacks={props.stacks}
        onQuit={() => props.onExit(0)}
        onChoose={(s) => {
          setStack(s);
          go({ v: 'menu' });
        }}
      />
    );
  }
  if (view.v === 'menu' && stack) {
    return (
      <MenuScreen
        t={t}
        stack={stack}
        entries={c.menu()}
        canGoBack={history.length > 0}
        onQuit={() => props.onExit(0)}
        onChoose={(e) => {
          if (e.flow === 'doctor' && c.doctor) {
            go({ v: 'doctor', controller: c.doctor(stack) });
            return;
          }
          if (e.flow === 'reconfigure') {
            c.stackDraft(stack).then(
              (d) => {
                saved.current = {};
                setDraft(d);
                // The project names the stack: reconfigure keeps it.
                setGiven(new Set(['project']));
                go({ v: 'flow', id: 'app' });
              },
              (err: unknown) => {
                setCmd({ lines: errorText(t, err).split('\n'), code: EXIT.failed });
                go({ v: 'command', entry: e });
              },
            );
            return;
          }
          if (e.pick === 'backup') {
            setBackups({ list: null, error: null });
            go({ v: 'pick', entry: e });
            c.backups(stack).then(
              (list) => setBackups({ list, error: null }),
              (err: unknown) => setBackups({ list: null, error: errorText(t, err) }),
            );
            return;
          }
          runEntry(e, {});
        }}
      />
    );
  }
  if (view.v === 'doctor') {
    return <DoctorFlow controller={view.controller} rows={rows} onExit={back} />;
  }
  if (view.v === 'pick' && stack) {
    const e = view.entry;
    return (
      <BackupPicker
        t={t}
        title={t(e.pickTitle ?? 'ui.bk.pickTitle')}
        backups={backups.list}
        error={backups.error}
        onBack={back}
        onChoose={(id) => (e.confirm ? go({ v: 'confirm', entry: e, choice: { id } }) : runEntry(e, { id }, 'fromPick'))}
      />
    );
  }
  if (view.v === 'confirm') {
    return (
      <Confirm
        t={t}
        title={t(view.entry.label)}
        text={t(view.entry.confirm ?? 'ui.bk.genericConfirm', { id: view.choice.id ?? '' })}
        onBack={back}
        onConfirm={() => runEntry(view.entry, { ...view.choice, yes: true }, 'fromPick')}
      />
    );
  }
  if (view.v === 'command') {
    const e = view.entry;
    const confirm =
      e.previewFirst && !view.choice?.yes
        ? { text: t(e.confirm ?? 'ui.bk.genericConfirm', { id: '' }), whenExit: e.previewExit ?? 2, onConfirm: () => runEntry(e, { ...view.choice, yes: true }, 'replace') }
        : undefined;
    return <CommandOutput t={t} title={t(e.label)} lines={cmd.lines} exitCode={cmd.code} height={Math.max(5, rows - 6)} onBack={back} confirm={confirm} />;
  }
  if (view.v === 'apply' && apply) {
    // The frame fits the terminal: a line per step, the running step's bars, then the output box.
    const barLines = Math.max(2, Math.min(8, rows - apply.steps.length - 16));
    return <ApplyScreen t={t} state={apply} barLines={barLines} outputLines={Math.max(3, Math.min(12, rows - apply.steps.length - barLines - 10))} onFailedExit={() => props.onExit(failCode)} />;
  }
  if (view.v === 'summary' && summary) {
    return <SummaryScreen t={t} data={summary} onExit={() => props.onExit(0)} />;
  }
  if (view.v !== 'flow') return <Text>{t('ui.review.preparing')}</Text>;

  const id = view.id;
  const step = stepLabel(id);
  if (id === 'welcome') {
    const localNote = c.localOnly ? t(c.isRoot ? 'ui.welcome.localOut' : 'ui.welcome.localNotRoot') : null;
    return <Welcome t={t} step={step} facts={facts} error={factsError} localNote={localNote} onNext={() => advance('welcome', draft)} />;
  }
  if (id === 'preset' && !facts) {
    return (
      <Frame t={t} title={t('ui.s.preset')} step={step} hints={[['Esc', 'ui.k.back']]}>
        {factsError ? <Text color="red">{factsError}</Text> : <Text>{t('ui.welcome.probing')}</Text>}
      </Frame>
    );
  }
  if (id === 'preset') {
    const hostMiB = facts ? usableRamMiB(facts) : 0;
    const rec: PresetChoice = facts ? recommendedPreset(facts) : 'auto';
    return (
      <PresetScreen
        key="preset"
        t={t}
        step={step}
        options={presetOpts}
        recommended={rec}
        initial={(getPath(draft, 'preset') as PresetChoice | undefined) ?? rec}
        hostMiB={hostMiB}
        cores={facts ? usableCores(facts) : 0}
        onChoose={(p) => {
          const d = setPath(draft, 'preset', p);
          setDraft(d);
          advance('preset', d);
        }}
      />
    );
  }
  if (id === 'review') {
    return <ReviewScreen t={t} step={step} review={review} problems={reviewProblems} rows={rows} onConfirm={confirm} />;
  }
  if (id === 'region') {
    const given_ = [...Object.entries((getPath(draft, 'mirrors') as Record<string, string> | undefined) ?? {})];
    return (
      <Frame t={t} title={t('ui.s.region')} step={step} hints={FORM_HINTS}>
        <Form
          key="region"
          t={t}
          def={regionDef}
          initial={regionStart}
          initialTouched={new Set(getPath(draft, 'region') === undefined ? [] : ['region'])}
          given={given}
          labelText={(f) => (f.path.startsWith('mirrors.') ? t('ui.f.mirror', { kind: f.path.slice('mirrors.'.length) }) : undefined)}
          validate={(v) => ({ ...validateForm(regionDef, v, draft, t, given), ...validateRegion(v, cands, results, t, measuring) })}
          onChange={(v) => (saved.current.region = v)}
          onSubmit={(v) => submitForm('region', v)}
          footer={(v) =>
            v.region === 'cn' && kinds.length === 0 ? (
              <>
                <Para dimColor text={t(given_.length ? 'ui.mirror.unavailableKept' : 'ui.mirror.unavailable')} />
                {given_.map(([k, u]) => (
                  <Text key={k}>{`  ${k}  ${u}  (${t('ui.mirror.notMeasured')})`}</Text>
                ))}
              </>
            ) : measuring ? (
              <Para dimColor text={t('ui.mirror.measuringNote')} />
            ) : null
          }
        />
      </Frame>
    );
  }
  if (isFormId(id)) {
    const def = FORMS[id];
    return (
      <Frame t={t} title={t(def.title)} step={step} hints={FORM_HINTS}>
        <Form
          key={id}
          t={t}
          def={def}
          initial={saved.current[id] ?? (id === 'security' ? securityInitial(draft, operatorIps) : initialValues(def, draft))}
          initialTouched={initialTouched(def, draft)}
          given={given}
          validate={(v) => validateForm(def, v, draft, t, given)}
          onChange={(v) => (saved.current[id] = v)}
          onSubmit={(v) => submitForm(id, v)}
          footer={
            id === 'components' && facts
              ? (v) => {
                  const a = provisionalAnswers(applyValues(def, v, draft, given));
                  const fit = a && componentsFit(a, facts, t);
                  return fit && !fit.error ? <Para dimColor text={t('ui.components.memory', { line: fit.line })} /> : null;
                }
              : id === 'security' && facts
                ? () => <Text dimColor>{t('ui.security.sshSeen', { ports: facts.sshd.ports.join(', ') || '-', source: facts.sshd.source })}</Text>
                : undefined
          }
        />
      </Frame>
    );
  }
  return null;
}
