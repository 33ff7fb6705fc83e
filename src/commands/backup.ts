// `backup` (take one), `backup list [--json]` (newest first), `backup verify [ID]` (checksums and a
// load into throwaway containers). --json output is documented in README.
import { usageError } from '../errors.js';
import { backup, backupList, backupVerify } from '../services/backup.js';
import { STACK_OPTIONS, flag, stackOf } from './common.js';
import type { Command } from './types.js';

const command: Command = {
  options: { ...STACK_OPTIONS, json: { type: 'boolean' }, yes: { type: 'boolean', short: 'y' }, 'dry-run': { type: 'boolean' }, scheduled: { type: 'boolean' }, physical: { type: 'boolean' }, logical: { type: 'boolean' } },
  maxPositionals: 2,
  async run(ctx, args) {
    const [sub, id] = args.positionals;
    if (sub === undefined) {
      if (flag(args, 'physical') && flag(args, 'logical')) throw usageError('err.bk.methodBoth');
      const method = flag(args, 'physical') ? 'physical' : flag(args, 'logical') ? 'logical' : undefined;
      return backup(ctx, { stack: stackOf(args), scheduled: flag(args, 'scheduled'), ...(method ? { method } : {}) });
    }
    if (sub === 'list') {
      if (id !== undefined) throw usageError('err.extraArgument', { command: 'backup list', arg: id, usage: 'backup list [--json]' });
      return backupList(ctx, { stack: stackOf(args), json: flag(args, 'json') });
    }
    if (sub === 'verify') return backupVerify(ctx, { stack: stackOf(args), id, json: flag(args, 'json') });
    throw usageError('err.bk.badSub', { sub });
  },
};
export default command;
