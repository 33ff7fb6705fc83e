// `update [--yes] [--no-pull]`: pulls the images, shows what changes (image IDs, every file's diff,
// hand-edited files), then with --yes applies it service by service behind health gates, with a
// backup and the running image IDs recorded first, rolling back on a failed gate.
// `update --rollback --yes` / `update --yes` after a killed update: put back what ran before it, or finish it.
// `update --to-series X [--db-image REF]`: a major upgrade of the database server, one series at a time.
// `update --check`: versions running, the newest patch of each series, end of life; exit 0, 4 or 5.
import { update } from '../services/update.js';
import { STACK_OPTIONS, flag, optString, stackOf } from './common.js';
import type { Command } from './types.js';

const command: Command = {
  options: {
    ...STACK_OPTIONS, yes: { type: 'boolean', short: 'y' }, 'dry-run': { type: 'boolean' }, 'no-pull': { type: 'boolean' }, rollback: { type: 'boolean' },
    'to-series': { type: 'string' }, 'db-image': { type: 'string' }, check: { type: 'boolean' },
  },
  maxPositionals: 0,
  run: (ctx, args) =>
    update(ctx, {
      stack: stackOf(args), yes: flag(args, 'yes'), rollback: flag(args, 'rollback'), pull: !flag(args, 'no-pull'),
      toSeries: optString(args, 'to-series'), image: optString(args, 'db-image'), check: flag(args, 'check'),
    }),
};
export default command;
