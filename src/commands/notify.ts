// `notify test [--json]`: a test message to every channel of notify.channels, each one's answer shown.
import { usageError } from '../errors.js';
import { notifyTest } from '../services/notify.js';
import { STACK_OPTIONS, flag, stackOf } from './common.js';
import type { Command } from './types.js';

const command: Command = {
  options: { ...STACK_OPTIONS, json: { type: 'boolean' } },
  maxPositionals: 1,
  run(ctx, args) {
    const [sub] = args.positionals;
    if (sub !== 'test') throw usageError('err.nt.badSub', { sub: sub ?? '' });
    return notifyTest(ctx, { stack: stackOf(args), json: flag(args, 'json') });
  },
};
export default command;
