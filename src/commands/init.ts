// `init`: plan → preview (every file's diff, every command) → confirm → apply (src/services/setup.ts).
// Without root it renders into a local folder and only says what it would do on a server.
import type { Command } from './types.js';
import { ANSWER_FLAG_OPTIONS } from '../domain/answer-flags.js';

const command: Command = {
  options: {
    answers: { type: 'string' },
    'host-facts': { type: 'string' },
    out: { type: 'string' },
    yes: { type: 'boolean', short: 'y' },
    'dry-run': { type: 'boolean' },
    ...ANSWER_FLAG_OPTIONS,
  },
  maxPositionals: 0,
  // Without a complete answers file the setup asks (wizard.ts), or fails fast naming the flags.
  run: async (ctx, args) => (await import('./wizard.js')).startSetup(ctx, args, 'init'),
};
export default command;
