// The maintenance menu is a table: each entry runs a use case of src/services/ (a task: the use
// case and its options for the chosen stack), or a wizard flow. A new capability plugs in as one
// row here and one case in services/maintenance.ts; the menu never builds a command line.
import type { MsgKey } from '../i18n/index.js';
import type { MaintenanceTask } from '../services/maintenance.js';
import type { RegistryEntry } from '../services/setup.js';

export type MenuId =
  | 'status' | 'backup' | 'verify' | 'drill' | 'notifyTest' | 's3Test' | 'restore' | 'update' | 'troubleshoot' | 'security' | 'securityApply' | 'reconfigure';

export interface MenuEntry {
  id: MenuId;
  label: MsgKey;
  hint: MsgKey;
  /** The use case for the chosen stack (and the backup picked, the operator's yes); none for a flow. */
  task?: (stack: RegistryEntry, choice?: MenuChoice) => MaintenanceTask;
  /** Entries that are a wizard flow rather than a use case's output. */
  flow?: 'reconfigure' | 'doctor';
  /** A backup is picked first (restore, verify), on a screen with this title. */
  pick?: 'backup';
  pickTitle?: MsgKey;
  /** The question asked before the task runs with `yes` (none: it runs once picked). */
  confirm?: MsgKey;
  /**
   * The task first runs as a preview (without `yes`) and shows what it would change; the
   * question follows when the preview ends with `previewExit` (2: "confirm to go ahead", as update
   * does; 0: a dry run that passed, as security apply does).
   */
  previewFirst?: boolean;
  previewExit?: number;
}

export interface MenuChoice { id?: string; yes?: boolean }

// Every stack task names the stack by its answers file, as the commands' --answers does (docs/CONTRACT.md#commands).
const stackOf = (s: RegistryEntry) => ({ answersFile: s.answers });

export const MAINTENANCE_MENU: readonly MenuEntry[] = [
  { id: 'status', label: 'ui.menu.status', hint: 'ui.menu.statusHint', task: (s) => ({ use: 'status', stack: stackOf(s) }) },
  { id: 'backup', label: 'ui.menu.backup', hint: 'ui.menu.backupHint', task: (s) => ({ use: 'backup', stack: stackOf(s) }) },
  // Read-only for the stack (the test restore uses throwaway containers): it runs once picked.
  {
    id: 'verify', label: 'ui.menu.verify', hint: 'ui.menu.verifyHint', pick: 'backup', pickTitle: 'ui.menu.verifyPick',
    task: (s, c) => ({ use: 'backupVerify', stack: stackOf(s), ...(c?.id ? { id: c.id } : {}) }),
  },
  // The drill and the two tests: throwaway containers, a message, a test object; nothing of the stack changes.
  { id: 'drill', label: 'ui.menu.drill', hint: 'ui.menu.drillHint', task: (s) => ({ use: 'backupDrill', stack: stackOf(s) }) },
  { id: 'notifyTest', label: 'ui.menu.notifyTest', hint: 'ui.menu.notifyTestHint', task: (s) => ({ use: 'notifyTest', stack: stackOf(s) }) },
  { id: 's3Test', label: 'ui.menu.s3Test', hint: 'ui.menu.s3TestHint', task: (s) => ({ use: 's3Test', stack: stackOf(s) }) },
  {
    id: 'restore', label: 'ui.menu.restore', hint: 'ui.menu.restoreHint', pick: 'backup', pickTitle: 'ui.bk.pickTitle', confirm: 'ui.bk.restoreConfirm',
    task: (s, c) => ({ use: 'restore', stack: stackOf(s), ...(c?.id ? { id: c.id } : {}), yes: c?.yes === true }),
  },
  {
    id: 'update', label: 'ui.menu.update', hint: 'ui.menu.updateHint', previewFirst: true, confirm: 'ui.bk.updateConfirm',
    task: (s, c) => ({ use: 'update', stack: stackOf(s), yes: c?.yes === true }),
  },
  // The guided session when the controller has one; else the doctor's report.
  { id: 'troubleshoot', label: 'ui.menu.troubleshoot', hint: 'ui.menu.troubleshootHint', flow: 'doctor', task: (s) => ({ use: 'doctor', stack: stackOf(s) }) },
  { id: 'security', label: 'ui.menu.security', hint: 'ui.menu.securityHint', task: (s) => ({ use: 'securityStatus', answersFile: s.answers }) },
  // The preview is a dry run (every rule and file it would change, and the lock-out guard's verdict).
  {
    id: 'securityApply', label: 'ui.menu.securityApply', hint: 'ui.menu.securityApplyHint', previewFirst: true, previewExit: 0,
    confirm: 'ui.menu.securityApplyConfirm', task: (s, c) => ({ use: 'securityApply', answersFile: s.answers, yes: c?.yes === true, dryRun: c?.yes !== true }),
  },
  // Re-runs the setup flow prefilled from the saved answers; applying it writes the result as init does.
  { id: 'reconfigure', label: 'ui.menu.reconfigure', hint: 'ui.menu.reconfigureHint', flow: 'reconfigure' },
];
