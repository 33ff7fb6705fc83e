// Every evidence source and its gatherer, by area: the counterpart of src/domain/doctor/checks.ts,
// which says which source each check reads. tsc refuses a source without a gatherer.
import type { Context } from '../../context.js';
import { Gather, type DoctorStack, type Gatherers } from './gather.js';
import { dataGatherers } from './gather-data.js';
import { dockerGatherers } from './gather-docker.js';
import { filesGatherers } from './gather-files.js';
import { hostGatherers } from './gather-host.js';
import { journalsGatherers } from './gather-journals.js';
import { backupsGatherers } from './gather-backups.js';
import { securityGatherers } from './gather-security.js';
import { tlsGatherers } from './gather-tls.js';
import { webGatherers } from './gather-web.js';

export const SOURCES: Gatherers = {
  ...hostGatherers,
  ...dockerGatherers,
  ...webGatherers,
  ...dataGatherers,
  ...tlsGatherers,
  ...securityGatherers,
  ...filesGatherers,
  ...journalsGatherers,
  ...backupsGatherers,
};

/** A fresh gathering for one run: every source read at most once, shared by the checks that read it. */
export const gatherFor = (ctx: Context, stack: DoctorStack) => new Gather(ctx, stack, SOURCES);

export type { DoctorStack } from './gather.js';
