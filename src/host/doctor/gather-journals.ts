// The journals a killed restore or update left, and whether the process that wrote each still
// runs. Checked by src/domain/doctor/checks-journals.ts.
import { join } from 'node:path';
import { HOST } from '../../render/paths.js';
import { parseJournal } from '../../domain/restore-journal.js';
import { parseUpdateJournal } from '../../domain/update-journal.js';
import { otherProcessAlive } from '../processes.js';
import type { Gatherers } from './gather.js';

export const journalsGatherers: Pick<Gatherers, 'journals'> = {
  // Read-only: a finished journal is left for the next changing command to remove.
  async journals(g) {
    const rPath = join(g.stack.installDir, HOST.restoreJournal);
    const rText = await g.readText(rPath);
    const rj = rText ? parseJournal(rText) : null;
    const restore = rj && { path: rPath, journal: rj, running: await otherProcessAlive(g.ctx, rj.pid) };
    const uPath = join(g.stack.installDir, HOST.updateJournal);
    const uText = await g.readText(uPath);
    const uj = uText === null ? null : parseUpdateJournal(uText);
    const update = uText === null ? null : { path: uPath, journal: uj, running: uj ? await otherProcessAlive(g.ctx, uj.pid) : false };
    return { restore, update };
  },
};
