// `mirrors [--json] [--kind K] [--catalog F] [--timeout MS]`: probe the mirror candidates in parallel
// and rank them. `--json` prints { results: [{ kind, id, url, alive, latencyMs, bytesPerSecond, error }],
// best: { <kind>: <id> } } (docs/CONTRACT.md#mirrors); `best` names live candidates only.
import type { Command } from './types.js';
import { flag, optString } from './common.js';
import { parseKinds, parseTimeout, rankMirrors } from '../services/mirrors.js';

const command: Command = {
  options: {
    json: { type: 'boolean' },
    kind: { type: 'string' },
    catalog: { type: 'string' },
    timeout: { type: 'string' },
  },
  maxPositionals: 0,
  run: (ctx, args) =>
    rankMirrors(ctx, { kinds: parseKinds(optString(args, 'kind')), deadlineMs: parseTimeout(optString(args, 'timeout')), catalogFile: optString(args, 'catalog'), json: flag(args, 'json') }),
};
export default command;
