// `render --answers F [--host-facts F] --out DIR`: the complete file set into DIR; nothing else is touched.
import { resolve } from 'node:path';
import type { Command } from './types.js';
import { flag, optString, requireString } from './common.js';
import { renderFiles } from '../services/render.js';

const command: Command = {
  options: {
    answers: { type: 'string' },
    'host-facts': { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  },
  maxPositionals: 0,
  async run(ctx, args) {
    const answersFile = requireString(args, 'answers', 'render');
    const out = resolve(ctx.cwd, requireString(args, 'out', 'render'));
    return renderFiles(ctx, { answersFile, factsFile: optString(args, 'host-facts'), out, json: flag(args, 'json') });
  },
};
export default command;
