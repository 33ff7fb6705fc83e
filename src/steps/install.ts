// The steps of `init` on a real server. Other areas append theirs (Docker, images, start, security).
import { join } from 'node:path';
import type { Context } from '../context.js';
import { diffAgainstDisk, writeRendered, type Prepared } from './prepare.js';
import type { Step } from './engine.js';
import { registryEntry, stateFile } from './installed.js';
import { securitySteps } from './security.js';
import { mirrorSteps } from './mirrors.js';

/** Writes the rendered file set into the install dir, all or nothing, and records the stack in /etc/stack-wizard. */
export const writeFilesStep: Step = {
  id: 'files',
  title: 'step.files',
  async check(ctx: Context, s: Prepared) {
    const changes = (await diffAgainstDisk(ctx, s.targetDir, s.files)).filter((c) => c.status !== 'unchanged');
    const reg = stateFile(ctx, s.plan.project);
    const regText = registryEntry(s.plan);
    const regOld = await ctx.exec.readFile(reg);
    const list = changes.map((c) => `${c.status === 'created' ? '+' : '~'} ${join(s.targetDir, c.path)}`);
    if (regOld !== regText) list.push(`${regOld === null ? '+' : '~'} ${reg}`);
    return { needed: list.length > 0, changes: list };
  },
  async apply(ctx: Context, s: Prepared) {
    await writeRendered(ctx, s.targetDir, s.files);
    await ctx.exec.writeFiles([{ path: stateFile(ctx, s.plan.project), content: registryEntry(s.plan), mode: 0o644 }]);
  },
};

export function installSteps(): Step[] {
  // Mirror steps come right after the files: apt and Docker must use the mirrors before anything is installed or pulled.
  // The security steps follow the answers' security.firewall / security.fail2ban switches themselves.
  return [writeFilesStep, ...mirrorSteps(), ...securitySteps({ mode: 'init' })];
}
