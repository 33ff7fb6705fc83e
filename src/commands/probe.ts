// `probe [--json]`: the host facts the wizard sees. `--json` prints what `--host-facts` reads back.
import type { Command } from './types.js';
import { flag } from './common.js';
import { probe } from '../services/probe.js';

const command: Command = {
  options: { json: { type: 'boolean' }, 'install-dir': { type: 'string' } },
  maxPositionals: 0,
  run: (ctx, args) => probe(ctx, { installDir: typeof args.values['install-dir'] === 'string' ? args.values['install-dir'] : '/opt/stack-wizard', json: flag(args, 'json') }),
};
export default command;
