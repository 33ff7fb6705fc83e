// The host's own files a setup would write, gathered for the preview (Prepared's `hostFiles`): each
// step that writes host files says what it would write now, from the same plan it applies, so what
// the preview diffs is what the step writes. In the order init runs the steps.
import type { Context } from '../context.js';
import { WizardError } from '../errors.js';
import type { HostFile } from '../render/host-file.js';
import { scheduleHostFilesNow } from './backup-schedule.js';
import { timerHostFilesNow } from './backup-timers.js';
import { mirrorHostFiles } from './mirrors.js';
import type { Prepared } from './prepare.js';
import { securityHostFiles } from './security.js';
import { tlsHostFiles } from './tls.js';

type Source = (ctx: Context, s: Prepared) => Promise<HostFile[]>;

const SOURCES: readonly Source[] = [
  mirrorHostFiles.apt,
  mirrorHostFiles.dockerRepo,
  mirrorHostFiles.daemonJson,
  securityHostFiles,
  tlsHostFiles,
  scheduleHostFilesNow,
  timerHostFilesNow,
];

/** The prepared stack with the host files its setup would write now (a preview of a run on this server). */
export async function withHostFiles(ctx: Context, p: Prepared): Promise<Prepared> {
  return { ...p, hostFiles: await gatherHostFiles(ctx, p) };
}

/**
 * Every host file the setup's steps would write now. A step that cannot plan (a dead mirror, an
 * invalid daemon.json) contributes none: its own check says why in the preview.
 */
export async function gatherHostFiles(ctx: Context, s: Prepared): Promise<HostFile[]> {
  const out: HostFile[] = [];
  for (const source of SOURCES) {
    try {
      out.push(...(await source(ctx, s)));
    } catch (e) {
      if (!(e instanceof WizardError)) throw e;
    }
  }
  return out;
}
