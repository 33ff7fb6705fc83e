// The wizard: one key listener for all its screens, the hooks that hold its state (where it is,
// the answers drafted, what it learns of the host), and the phase that draws the current view.
// Every effect goes through the controller; screens get data and callbacks only.
import type { ComponentType } from 'react';
import type { Draft } from '../domain/draft.js';
import { EXIT } from '../errors.js';
import type { RegistryEntry } from '../services/setup.js';
import { KeyScope, useKeys, useTermSize } from './components.js';
import type { WizardController } from './types.js';
import { ApplyPhase } from './wizard/apply.js';
import { useHost, useMirrorProbe, wantsMirrors } from './wizard/host.js';
import { MaintenancePhase } from './wizard/maintenance.js';
import type { View } from './wizard/navigation.js';
import { useNavigator, useSession, type WizardScope } from './wizard/scope.js';
import { SetupPhase } from './wizard/setup.js';

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

/** Which phase draws each view. A phase stays mounted while its views follow one another, so its own state lives on. */
const PHASES: Record<View['v'], ComponentType<{ s: WizardScope }>> = {
  flow: SetupPhase,
  apply: ApplyPhase,
  summary: ApplyPhase,
  stacks: MaintenancePhase,
  menu: MaintenancePhase,
  pick: MaintenancePhase,
  confirm: MaintenancePhase,
  command: MaintenancePhase,
  doctor: MaintenancePhase,
};

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
  const { rows } = useTermSize();
  const nav = useNavigator(props.stacks.length);
  const session = useSession(props);
  const host = useHost(c);
  const { view } = nav;
  const mirrors = useMirrorProbe(c.mirrors, wantsMirrors(view.v === 'flow', view.v === 'flow' && view.id === 'region', session.draft, host.facts, c.lang), session.draft);

  useKeys((input, key) => {
    if (key.ctrl && input === 'c') {
      props.onAbort();
      return;
    }
    if (key.escape && (view.v === 'flow' || view.v === 'menu')) nav.back();
    if (key.return && view.v === 'flow' && view.id === 'welcome' && host.factsError) props.onExit(EXIT.failed);
  });

  const s: WizardScope = { c, t: c.t, rows, stacks: props.stacks, nav, host, mirrors, session, exit: props.onExit };
  const Phase = PHASES[view.v];
  return <Phase s={s} />;
}
