// The maintenance menu is a table: each entry is tied to a command of src/commands/index.ts and
// appears as soon as that command exists. A new capability plugs in as one row here.
import type { MsgKey } from '../i18n/index.js';
import type { RegistryEntry } from '../steps/installed.js';

export type MenuId = 'status' | 'backup' | 'restore' | 'update' | 'troubleshoot' | 'security' | 'reconfigure';

export interface MenuEntry {
  id: MenuId;
  label: MsgKey;
  hint: MsgKey;
  /** The command (by its name in COMMANDS) this entry needs; the entry is hidden until it exists. */
  command: string;
  /** Its arguments for the chosen stack; every stack command accepts --answers (DESIGN.md §4). */
  args: (stack: RegistryEntry) => string[];
  /** Entries that are a wizard flow rather than a command's output. */
  flow?: 'reconfigure' | 'doctor';
}

const forStack = (...extra: string[]) => (s: RegistryEntry) => [...extra, '--answers', s.answers];

export const MAINTENANCE_MENU: readonly MenuEntry[] = [
  { id: 'status', label: 'ui.menu.status', hint: 'ui.menu.statusHint', command: 'status', args: forStack() },
  { id: 'backup', label: 'ui.menu.backup', hint: 'ui.menu.backupHint', command: 'backup', args: forStack() },
  { id: 'restore', label: 'ui.menu.restore', hint: 'ui.menu.restoreHint', command: 'restore', args: forStack() },
  { id: 'update', label: 'ui.menu.update', hint: 'ui.menu.updateHint', command: 'update', args: forStack() },
  { id: 'troubleshoot', label: 'ui.menu.troubleshoot', hint: 'ui.menu.troubleshootHint', command: 'doctor', args: forStack(), flow: 'doctor' },
  { id: 'security', label: 'ui.menu.security', hint: 'ui.menu.securityHint', command: 'security', args: forStack('status') },
  // Re-runs the setup flow prefilled from the saved answers; init writes the result.
  { id: 'reconfigure', label: 'ui.menu.reconfigure', hint: 'ui.menu.reconfigureHint', command: 'init', args: () => [], flow: 'reconfigure' },
];

/** The entries whose command exists in this build. */
export const availableEntries = (hasCommand: (name: string) => boolean): MenuEntry[] =>
  MAINTENANCE_MENU.filter((e) => hasCommand(e.command));
