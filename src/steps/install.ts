// The steps of `init` on a real server. Other areas append theirs (Docker, images, start, security).
import { join } from 'node:path';
import type { Context } from '../context.js';
import { diffAgainstDisk, writeRendered, type Prepared } from './prepare.js';
import { runSteps, type Step, type StepEvent, type StepReport } from './engine.js';
import { fileLog } from '../exec/executor.js';
import { registryEntry, stateFile } from './installed.js';
import { preflightStep } from './preflight.js';
import { dockerStep } from './docker.js';
import { imagesStep } from './images.js';
import { upStep } from './up.js';
import { swarmDeployStep } from './swarm-deploy.js';
import { securitySteps } from './security.js';
import { mirrorSteps, mirrorsLiveStep } from './mirrors.js';
import { tlsSteps } from './tls.js';
import type { Plan } from '../domain/plan.js';
import { backupScheduleStep } from './backup-schedule.js';
import { backupTimersStep } from './backup-timers.js';
import { errorText } from '../errors.js';
import { lockFor, logFile, refuseInterrupted } from './stack-guard.js';

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

/** init's steps on a server, in order; with a plan, only the TLS steps of its mode (all of them without). */
export function installSteps(plan?: Plan): Step[] {
  // Preflight (this one, the security lock-out guard, the TLS files) before any change; mirror steps
  // right after the files, so apt and Docker use the mirrors; the firewall once Docker's chains exist
  // and before anything is published; the certificate Nginx starts with, images and the start; then
  // the first Let's Encrypt issuance (it needs Nginx serving the webroot) and the renewal timer.
  const security = securitySteps();
  const tls = tlsSteps(plan);
  return [
    preflightStep,
    // Every mirror the files and the host settings will name answers (npm, PyPI, Node, image prefix too).
    mirrorsLiveStep,
    ...security.filter((x) => x.preflight),
    ...tls.preflight,
    writeFilesStep,
    ...mirrorSteps(),
    dockerStep,
    ...security.filter((x) => !x.preflight),
    ...tls.beforeStart,
    imagesStep,
    // deploy: swarm starts the stack with `docker stack deploy` on the manager (#20.2).
    plan?.swarm ? swarmDeployStep : upStep,
    ...tls.afterStart,
    backupScheduleStep,
    backupTimersStep,
  ];
}

export { logFile };

/**
 * Runs init's steps on this server with every action logged to the install dir's log. The file is
 * opened by the first step that changes something: a run that stops in preflight leaves no trace.
 * Like every command that changes the stack (stack-guard.ts), it refuses while a killed restore or
 * update is pending, and holds the maintenance lock from the first change on.
 */
export async function runInstall(ctx: Context, p: Prepared, onEvent: (e: StepEvent) => void = () => {}): Promise<StepReport[]> {
  const log = fileLog(logFile(p.plan.installDir), ctx.clock);
  ctx.setLogSink(log.sink);
  ctx.exec.note(`init: project ${p.plan.project}, preset ${p.plan.sizing.requestedPreset} (${p.plan.sizing.tier}), install dir ${p.plan.installDir}`);
  const steps = installSteps(p.plan);
  // Preflight steps come first and change nothing: the lock (a file in the install dir) waits for them.
  const checks = steps.slice(0, steps.findIndex((x) => !x.preflight));
  const changes = steps.slice(checks.length);
  let release: () => Promise<void> = async () => {};
  const reports: StepReport[] = [];
  try {
    // Refused before the checks (fail fast) and again under the lock (one may have been killed meanwhile).
    await refuseInterrupted(ctx, p.plan);
    reports.push(...(await runSteps(ctx, checks, p, onEvent)));
    log.open();
    release = await lockFor(ctx, p.plan, 'init');
    await refuseInterrupted(ctx, p.plan);
    reports.push(...(await runSteps(ctx, changes, p, onEvent)));
  } catch (e) {
    ctx.exec.note(`init failed: ${errorText(ctx.t, e)}`);
    throw e;
  } finally {
    await release();
  }
  ctx.exec.note(`init done: ${reports.map((r) => `${r.id}=${r.status}`).join(' ')}`);
  log.open();
  return reports;
}
