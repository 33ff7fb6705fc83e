// The command table (docs/CONTRACT.md#commands). Each command's code loads only when it runs, so --help stays fast.
import type { CommandEntry } from './types.js';

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'init', usage: 'init [--answers F] [--host-facts F] [--yes] [--dry-run] [--out DIR] [--lang en|zh-CN] [answer flags]', summary: 'cmd.init', load: () => import('./init.js') },
  { name: 'render', usage: 'render --answers F [--host-facts F] --out DIR', summary: 'cmd.render', load: () => import('./render.js') },
  { name: 'probe', usage: 'probe [--json]', summary: 'cmd.probe', load: () => import('./probe.js') },
  { name: 'status', usage: 'status [--json] [--answers F] [--project NAME]', summary: 'cmd.status', load: () => import('./status.js') },
  { name: 'security', usage: 'security apply|status [--answers F] [--yes] [--dry-run] [--json]', summary: 'cmd.security', load: () => import('./security.js') },
  { name: 'doctor', usage: 'doctor [--json] [--symptom S] [--check ID]… [--fix [--yes] [--dry-run]] [--bundle [--out F]] [--answers F] [--project NAME]', summary: 'cmd.doctor', load: () => import('./doctor.js') },
  { name: 'backup', usage: 'backup [--physical | --logical] [list [--json] | verify [ID] | drill [ID] [--scheduled] | watch [--backups-only] | s3 test] [--json] [--answers F] [--dry-run]', summary: 'cmd.backup', load: () => import('./backup.js') },
  { name: 'restore', usage: 'restore [ID | --to "YYYY-MM-DD HH:MM:SS" | --from-s3 ID] [--yes] [--rollback] [--skip-verify] [--json] [--answers F]', summary: 'cmd.restore', load: () => import('./restore.js') },
  { name: 'update', usage: 'update [--yes] [--rollback] [--dry-run] [--no-pull] [--to-series X [--db-image REF]] [--check] [--answers F]', summary: 'cmd.update', load: () => import('./update.js') },
  { name: 'notify', usage: 'notify test [--json] [--answers F]', summary: 'cmd.notify', load: () => import('./notify.js') },
  { name: 'cluster', usage: 'cluster init [--advertise-addr IP] [--roles edge,app,data] | join <manager> <token> | status [--json] | leave [--yes] | drain <node> | label <node> <role>[,<role>…]', summary: 'cmd.cluster', load: () => import('./cluster.js') },
  { name: 'mirrors', usage: 'mirrors [--json] [--kind K] [--catalog F] [--timeout MS]', summary: 'cmd.mirrors', load: () => import('./mirrors.js') },
];

export const findCommand = (name: string) => COMMANDS.find((c) => c.name === name);
