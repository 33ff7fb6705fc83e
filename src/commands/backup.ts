// `backup` (take one), `backup list [--json]` (newest first), `backup verify [ID]` (checksums and a
// load into throwaway containers), `backup drill [ID]` (the restore drill, recorded), `backup watch`
// (the dead-man's switch), `backup binlogs` (the binary log archive, the 15-minute timer's run),
// `backup s3 test` (a PUT, GET and DELETE in the bucket). --json output is documented in README.
import { usageError } from '../errors.js';
import { backup, backupBinlogs, backupList, backupVerify } from '../services/backup.js';
import { STACK_OPTIONS, flag, stackOf } from './common.js';
import type { Command } from './types.js';

const command: Command = {
  options: {
    ...STACK_OPTIONS,
    json: { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    'dry-run': { type: 'boolean' },
    scheduled: { type: 'boolean' },
    physical: { type: 'boolean' },
    logical: { type: 'boolean' },
    'backups-only': { type: 'boolean' },
  },
  maxPositionals: 2,
  async run(ctx, args) {
    const [sub, id] = args.positionals;
    const extra = (usage: string) => {
      if (id !== undefined) throw usageError('err.extraArgument', { command: `backup ${sub}`, arg: id, usage });
    };
    if (sub === undefined) {
      if (flag(args, 'physical') && flag(args, 'logical')) throw usageError('err.bk.methodBoth');
      const method = flag(args, 'physical') ? 'physical' : flag(args, 'logical') ? 'logical' : undefined;
      return backup(ctx, { stack: stackOf(args), scheduled: flag(args, 'scheduled'), ...(method ? { method } : {}) });
    }
    if (sub === 'list') {
      extra('backup list [--json]');
      return backupList(ctx, { stack: stackOf(args), json: flag(args, 'json') });
    }
    if (sub === 'verify') return backupVerify(ctx, { stack: stackOf(args), id, json: flag(args, 'json') });
    if (sub === 'drill') {
      const { backupDrill } = await import('../services/drill.js');
      return backupDrill(ctx, {
        stack: stackOf(args),
        ...(id ? { id } : {}),
        scheduled: flag(args, 'scheduled'),
        json: flag(args, 'json'),
      });
    }
    if (sub === 'watch') {
      extra('backup watch [--json] [--backups-only]');
      const { backupWatch } = await import('../services/watch.js');
      return backupWatch(ctx, { stack: stackOf(args), json: flag(args, 'json'), host: !flag(args, 'backups-only') });
    }
    if (sub === 'binlogs') {
      extra('backup binlogs');
      return backupBinlogs(ctx, { stack: stackOf(args) });
    }
    if (sub === 's3') {
      if (id !== 'test') throw usageError('err.s3.badSub', { sub: id ?? '' });
      const { backupS3Test } = await import('../services/backup-s3.js');
      return backupS3Test(ctx, { stack: stackOf(args), json: flag(args, 'json') });
    }
    throw usageError('err.bk.badSub', { sub });
  },
};
export default command;
