// `probe [--json]`: the host facts the wizard sees. `--json` prints what `--host-facts` reads back.
import type { Command } from './types.js';
import { flag } from './common.js';
import { probeHost } from '../host/probe.js';
import { formatFacts } from '../host/report.js';

const command: Command = {
  options: { json: { type: 'boolean' }, 'install-dir': { type: 'string' } },
  maxPositionals: 0,
  async run(ctx, args) {
    const installDir = typeof args.values['install-dir'] === 'string' ? args.values['install-dir'] : '/opt/stack-wizard';
    const facts = await probeHost(ctx.exec, { installDir, env: ctx.env });
    ctx.io.out(flag(args, 'json') ? `${JSON.stringify(facts, null, 2)}\n` : formatFacts(ctx.t, facts));
    return 0;
  },
};
export default command;
