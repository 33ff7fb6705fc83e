// The maintenance menu is a table: each entry is tied to a command of src/commands/index.ts and
// appears as soon as that command exists. A new capability plugs in as one row here.
import type { MsgKey } from '../i18n/index.js';
import type { RegistryEntry } from '../steps/installed.js';

export type MenuId = 'status' | 'backup' | 'verify' | 'restore' | 'update' | 'troubleshoot' | 'security' | 'securityApply' | 'reconfigure';

export interface MenuEntry {
  id: MenuId;
  label: MsgKey;
  hint: MsgKey;
  /** The command (by its name in COMMANDS) this entry needs; the entry is hidden until it exists. */
  command: string;
  /** Its arguments for the chosen stack (and the backup picked, the operator's yes); every stack command accepts --answers (docs/CONTRACT.md#commands). */
  args: (stack: RegistryEntry, choice?: MenuChoice) => string[];
  /** Entries that are a wizard flow rather than a command's output. */
  flow?: 'reconfigure' | 'doctor';
  /** A backup is picked first (restore, verify), on a screen with this title. */
  pick?: 'backup';
  pickTitle?: MsgKey;
  /** The question asked before the command runs with --yes (none: it runs once picked). */
  confirm?: MsgKey;
  /**
   * The command first runs as a preview (without --yes) and shows what it would change; the
   * question follows when the preview ends with `previewExit` (2: "pass --yes", as update does;
   * 0: a --dry-run that passed, as security apply does).
   */
  previewFirst?: boolean;
  previewExit?: number;
}

export interface MenuChoice { id?: string; yes?: boolean }

const forStack = (...extra: string[]) => (s: RegistryEntry) => [...extra, '--answers', s.answers];
const yes = (c?: MenuChoice) => (c?.yes ? ['--yes'] : []);

export const MAINTENANCE_MENU: readonly MenuEntry[] = [
  { id: 'status', label: 'ui.menu.status', hint: 'ui.menu.statusHint', command: 'status', args: forStack() },
  { id: 'backup', label: 'ui.menu.backup', hint: 'ui.menu.backupHint', command: 'backup', args: forStack() },
  // Read-only for the stack (the test restore uses throwaway containers): it runs once picked.
  {
    id: 'verify', label: 'ui.menu.verify', hint: 'ui.menu.verifyHint', command: 'backup', pick: 'backup', pickTitle: 'ui.menu.verifyPick',
    args: (s, c) => ['verify', ...(c?.id ? [c.id] : []), '--answers', s.answers],
  },
  {
    id: 'restore', label: 'ui.menu.restore', hint: 'ui.menu.restoreHint', command: 'restore', pick: 'backup', pickTitle: 'ui.bk.pickTitle', confirm: 'ui.bk.restoreConfirm',
    args: (s, c) => [...(c?.id ? [c.id] : []), ...yes(c), '--answers', s.answers],
  },
  {
    id: 'update', label: 'ui.menu.update', hint: 'ui.menu.updateHint', command: 'update', previewFirst: true, confirm: 'ui.bk.updateConfirm',
    args: (s, c) => [...yes(c), '--answers', s.answers],
  },
  { id: 'troubleshoot', label: 'ui.menu.troubleshoot', hint: 'ui.menu.troubleshootHint', command: 'doctor', args: forStack(), flow: 'doctor' },
  { id: 'security', label: 'ui.menu.security', hint: 'ui.menu.securityHint', command: 'security', args: forStack('status') },
  // The preview is a dry run (every rule and file it would change, and the lock-out guard's verdict).
  {
    id: 'securityApply', label: 'ui.menu.securityApply', hint: 'ui.menu.securityApplyHint', command: 'security', previewFirst: true, previewExit: 0,
    confirm: 'ui.menu.securityApplyConfirm', args: (s, c) => ['apply', c?.yes ? '--yes' : '--dry-run', '--answers', s.answers],
  },
  // Re-runs the setup flow prefilled from the saved answers; init writes the result.
  { id: 'reconfigure', label: 'ui.menu.reconfigure', hint: 'ui.menu.reconfigureHint', command: 'init', args: () => [], flow: 'reconfigure' },
];

/** The entries whose command exists in this build. */
export const availableEntries = (hasCommand: (name: string) => boolean): MenuEntry[] =>
  MAINTENANCE_MENU.filter((e) => hasCommand(e.command));
