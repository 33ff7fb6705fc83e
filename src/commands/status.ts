// `status [--json]`: the stack's services as the Engine sees them. --json is documented in README.
import type { Command } from './types.js';
import { STACK_OPTIONS, flag, stackOf } from './common.js';
import { showStatus } from '../services/status.js';

const command: Command = {
  options: { json: { type: 'boolean' }, ...STACK_OPTIONS },
  maxPositionals: 0,
  // Bars at a terminal only: a pipe, a log or --json gets the plain table.
  run: (ctx, args) => showStatus(ctx, { stack: stackOf(args), json: flag(args, 'json'), bars: ctx.interactive }),
};
export default command;
