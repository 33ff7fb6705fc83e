// Use case: the host facts the wizard sees (`probe`); `--json` is what `--host-facts` reads back.
import type { Context } from '../context.js';
import { probeHost } from '../host/probe.js';
import { formatFacts } from '../host/report.js';

export async function probe(ctx: Context, o: { installDir: string; json: boolean }): Promise<number> {
  const facts = await probeHost(ctx.exec, { installDir: o.installDir, env: ctx.env });
  ctx.io.out(o.json ? `${JSON.stringify(facts, null, 2)}\n` : formatFacts(ctx.t, facts));
  return 0;
}
