// `security apply [--answers F] [--yes] [--dry-run]` and `security status [--json] [--answers F]`:
// firewall, fail2ban and host tuning for the installed stack (or the one in --answers).
import type { Command } from './types.js';
import { flag, optString } from './common.js';
import { usageError } from '../errors.js';
import { securityApply, securityStatusReport } from '../services/security.js';

const command: Command = {
  options: {
    answers: { type: 'string' },
    yes: { type: 'boolean', short: 'y' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  maxPositionals: 1,
  async run(ctx, args) {
    const sub = args.positionals[0];
    if (sub === 'apply') {
      if (flag(args, 'json')) throw usageError('sec.err.badFlag', { flag: '--json', sub: 'apply' });
      return securityApply(ctx, { answersFile: optString(args, 'answers'), yes: flag(args, 'yes'), dryRun: flag(args, 'dry-run') });
    }
    if (sub === 'status') {
      for (const f of ['yes', 'dry-run'] as const) if (flag(args, f)) throw usageError('sec.err.badFlag', { flag: `--${f}`, sub: 'status' });
      return securityStatusReport(ctx, { answersFile: optString(args, 'answers'), json: flag(args, 'json') });
    }
    throw usageError('sec.err.subcommand', { value: sub ?? '' });
  },
};
export default command;
