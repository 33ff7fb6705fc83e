// `render --answers F [--host-facts F] --out DIR`: the complete file set into DIR; nothing else is touched.
import { resolve } from 'node:path';
import type { Command } from './types.js';
import { flag, optString, planSummary, requireString } from './common.js';
import { diffAgainstDisk, loadAnswers, prepare, writeRendered } from '../steps/prepare.js';

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
    const answers = await loadAnswers(ctx, answersFile);
    const p = await prepare(ctx, { answers, factsFile: optString(args, 'host-facts'), targetDir: out });
    const changes = await diffAgainstDisk(ctx, out, p.files);
    await writeRendered(ctx, out, p.files);
    if (flag(args, 'json')) {
      ctx.io.out(`${JSON.stringify({ out, files: changes.map((c) => ({ path: c.path, status: c.status })), plan: p.plan }, null, 2)}\n`);
      return 0;
    }
    ctx.io.out(ctx.t('render.done', { count: p.files.length, dir: out }) + '\n');
    for (const c of changes) ctx.io.out(`  ${c.status === 'created' ? '+' : c.status === 'changed' ? '~' : '='} ${c.path}\n`);
    ctx.io.out(planSummary(ctx, p.plan));
    return 0;
  },
};
export default command;
