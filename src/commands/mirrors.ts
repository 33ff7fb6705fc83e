// `mirrors [--json] [--kind K] [--catalog F] [--timeout MS] [--answers F] [--accelerator URL]`: probe the
// mirror candidates in parallel and rank them; Docker Hub mirrors judged image by image on the plan of
// --answers F (else the default plan). `--json` prints { results: [{ kind, id, url, alive, latencyMs,
// bytesPerSecond, error, class, images, blobBytesPerSecond }], best: { <kind>: <id> } } (docs/CONTRACT.md#mirrors).
import type { Command } from './types.js';
import { flag, optString } from './common.js';
import { parseAccelerator, parseKinds, parseTimeout, rankMirrors } from '../services/mirrors.js';

const command: Command = {
  options: {
    json: { type: 'boolean' },
    kind: { type: 'string' },
    catalog: { type: 'string' },
    timeout: { type: 'string' },
    answers: { type: 'string' },
    accelerator: { type: 'string' },
  },
  maxPositionals: 0,
  run: (ctx, args) =>
    rankMirrors(ctx, {
      kinds: parseKinds(optString(args, 'kind')),
      deadlineMs: parseTimeout(optString(args, 'timeout')),
      catalogFile: optString(args, 'catalog'),
      json: flag(args, 'json'),
      answersFile: optString(args, 'answers'),
      accelerator: parseAccelerator(optString(args, 'accelerator')),
    }),
};
export default command;
