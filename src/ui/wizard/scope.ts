// What every phase of the wizard (setup, apply, maintenance) is handed: the controller, where the
// wizard is, what it knows of the host, and the answers drafted so far. Phases wire these to the
// screens, which get data and callbacks only.
import { useMemo, useReducer, useRef, useState } from 'react';
import type { Draft } from '../../domain/draft.js';
import type { T } from '../../i18n/index.js';
import type { RegistryEntry } from '../../services/setup.js';
import type { ScreenId } from '../model/flow.js';
import type { FormValues } from '../model/forms.js';
import type { WizardController } from '../types.js';
import type { HostView, MirrorProbe } from './host.js';
import { initialNav, navReducer, type View } from './navigation.js';

export interface Navigator {
  view: View;
  canGoBack: boolean;
  go(view: View): void;
  start(view: View): void;
  back(): void;
  replace(view: View): void;
  fromPick(view: View): void;
}

export function useNavigator(stacks: number): Navigator {
  const [nav, dispatch] = useReducer(navReducer, stacks, initialNav);
  return useMemo(
    () => ({
      view: nav.view,
      canGoBack: nav.history.length > 0,
      go: (view) => dispatch({ type: 'go', view }),
      start: (view) => dispatch({ type: 'start', view }),
      back: () => dispatch({ type: 'back' }),
      replace: (view) => dispatch({ type: 'replace', view }),
      fromPick: (view) => dispatch({ type: 'fromPick', view }),
    }),
    [nav],
  );
}

/** The setup's answers in progress, and the installed stack being looked after. */
export interface Session {
  draft: Draft;
  setDraft(d: Draft): void;
  /** Answers paths fixed by flags or the answers file: their prompts are skipped. */
  given: ReadonlySet<string>;
  /** Each screen's values as the operator left them: a screen left with Esc comes back as it was. */
  saved: { current: Partial<Record<ScreenId, FormValues>> };
  /** The ports last said to be unchecked: a second Enter with the same ports goes on. */
  portsWarned: { current: string };
  stack: RegistryEntry | null;
  setStack(s: RegistryEntry): void;
  /** The setup again, prefilled from an installed stack's answers; the project names the stack and is kept. */
  reconfigure(d: Draft): void;
}

export function useSession(o: { draft: Draft; given: ReadonlySet<string>; stacks: RegistryEntry[] }): Session {
  const [draft, setDraft] = useState<Draft>(o.draft);
  const [given, setGiven] = useState<ReadonlySet<string>>(o.given);
  const [stack, setStack] = useState<RegistryEntry | null>(o.stacks.length === 1 ? o.stacks[0]! : null);
  const saved = useRef<Partial<Record<ScreenId, FormValues>>>({});
  const portsWarned = useRef('');
  return {
    draft,
    setDraft,
    given,
    saved,
    portsWarned,
    stack,
    setStack,
    reconfigure(d) {
      saved.current = {};
      setDraft(d);
      setGiven(new Set(['project']));
    },
  };
}

export interface WizardScope {
  c: WizardController;
  t: T;
  /** Terminal rows: screens that scroll fit inside them. */
  rows: number;
  /** The installed stacks the wizard started with. */
  stacks: RegistryEntry[];
  nav: Navigator;
  host: HostView;
  mirrors: MirrorProbe;
  session: Session;
  exit(code: number): void;
}
