// `cluster init|join|status|leave|drain|label` (#20.1; the forms are fixed, docs/CONTRACT.md#commands).
import type { Command } from './types.js';
import { flag, optString } from './common.js';
import { usageError } from '../errors.js';
import { cluster } from '../services/cluster.js';

const command: Command = {
  options: {
    'advertise-addr': { type: 'string' },
    roles: { type: 'string' },
    public: { type: 'boolean' },
    encrypted: { type: 'boolean' },
    json: { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
  },
  maxPositionals: 3,
  run(ctx, args) {
    const [sub, a, b] = args.positionals;
    const need = (v: string | undefined, what: string) => {
      if (!v) throw usageError('cluster.err.missing', { what, sub: sub ?? '' });
      return v;
    };
    const addr = {
      advertiseAddr: optString(args, 'advertise-addr'),
      allowPublic: flag(args, 'public'),
      encrypted: flag(args, 'encrypted'),
    };
    switch (sub) {
      case 'init':
        return cluster(ctx, { sub, ...addr, roles: optString(args, 'roles') });
      case 'join':
        return cluster(ctx, { sub, ...addr, manager: need(a, '<manager>'), token: need(b, '<token>') });
      case 'status':
        return cluster(ctx, { sub, json: flag(args, 'json') });
      case 'leave':
        return cluster(ctx, { sub, yes: flag(args, 'yes') });
      case 'drain':
        return cluster(ctx, { sub, node: need(a, '<node>') });
      case 'label':
        return cluster(ctx, { sub, node: need(a, '<node>'), roles: need(b, '<role>[,<role>…]') });
      default:
        throw usageError('cluster.err.subcommand', { value: sub ?? '' });
    }
  },
};
export default command;
