// Where the wizard is and how it got there: the view on screen and the views Esc goes back to.
// A pure reducer, so the rules of going back are tested without drawing anything.
import type { DoctorController } from '../doctor-controller.js';
import type { MenuChoice, MenuEntry } from '../menu.js';
import type { ScreenId } from '../model/flow.js';
import type { SummaryData } from '../screens/Summary.js';
import type { Review } from '../types.js';

/** One view per screen kind; the data a view needs to be drawn again travels with it. */
export type View =
  | { v: 'stacks' }
  | { v: 'menu' }
  | { v: 'flow'; id: ScreenId }
  | { v: 'apply'; review: Review }
  | { v: 'summary'; data: SummaryData }
  | { v: 'command'; entry: MenuEntry; choice?: MenuChoice }
  | { v: 'doctor'; controller: DoctorController }
  | { v: 'pick'; entry: MenuEntry }
  | { v: 'confirm'; entry: MenuEntry; choice: MenuChoice };

export interface Nav {
  view: View;
  /** Where Esc goes back to, the latest last. */
  history: View[];
}

export type NavAction =
  /** Onwards; Esc comes back here. */
  | { type: 'go'; view: View }
  /** Onwards with no way back (apply and its summary). */
  | { type: 'start'; view: View }
  | { type: 'back' }
  /** In place of this view (a preview's answer replaces the preview). */
  | { type: 'replace'; view: View }
  /** From the backup picker or its question, which are done with: back returns to the menu. */
  | { type: 'fromPick'; view: View };

/** Several stacks start at the chooser, one at its menu, none at setup. */
export const initialNav = (stacks: number): Nav => ({
  view: stacks > 1 ? { v: 'stacks' } : stacks === 1 ? { v: 'menu' } : { v: 'flow', id: 'welcome' },
  history: [],
});

export function navReducer(s: Nav, a: NavAction): Nav {
  switch (a.type) {
    case 'go':
      return { view: a.view, history: [...s.history, s.view] };
    case 'start':
      return { view: a.view, history: [] };
    case 'back': {
      const prev = s.history[s.history.length - 1];
      return prev ? { view: prev, history: s.history.slice(0, -1) } : s;
    }
    case 'replace':
      return { ...s, view: a.view };
    case 'fromPick': {
      const menu = s.history.map((v) => v.v).lastIndexOf('menu');
      return { view: a.view, history: menu >= 0 ? s.history.slice(0, menu + 1) : s.history };
    }
  }
}
