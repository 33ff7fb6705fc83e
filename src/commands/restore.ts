// `restore [ID] [--yes] [--rollback]`: without an ID, lists the backups; with one, checks it (sums,
// engine and versions), then with --yes restores it behind a safety backup. A restore that was
// killed is found first: finished with --yes, or the state before it put back with --rollback.
// Before anything is replaced the backup is verified by a test load (--skip-verify skips it).
// `restore --to "YYYY-MM-DD HH:MM:SS"`: that moment, from a backup and the binary log (#18.3).
import { restore } from '../services/restore.js';
import { STACK_OPTIONS, flag, optString, stackOf } from './common.js';
import type { Command } from './types.js';

const command: Command = {
  options: { ...STACK_OPTIONS, yes: { type: 'boolean', short: 'y' }, json: { type: 'boolean' }, rollback: { type: 'boolean' }, 'skip-verify': { type: 'boolean' }, to: { type: 'string' }, 'from-s3': { type: 'string' } },
  maxPositionals: 1,
  run: (ctx, args) =>
    restore(ctx, { stack: stackOf(args), id: args.positionals[0], yes: flag(args, 'yes'), rollback: flag(args, 'rollback'), skipVerify: flag(args, 'skip-verify'), json: flag(args, 'json'), fromS3: optString(args, 'from-s3'), ...(typeof args.values.to === 'string' ? { to: args.values.to } : {}) }),
};
export default command;
