// The backups on disk (their manifests), the drills' and uploads' records, the watch's first run
// and whether its timer is installed. Checked by src/domain/doctor/checks-backups.ts.
import { join } from 'node:path';
import { isBackupId, newestFirst, parseManifest } from '../../domain/backup.js';
import { DrillRecordSchema, RemoteRecordSchema, parseJsonl } from '../../domain/backup-watch.js';
import { parseNotifyState } from '../../domain/notify/dedupe.js';
import { hostPath } from '../../domain/host-paths.js';
import { DEFAULT_GRACE, drillSchedule } from '../../domain/schedule.js';
import { timerHostPaths } from '../../render/backup-timers.js';
import { HOST } from '../../render/paths.js';
import type { Gatherers } from './gather.js';

export const backupsGatherers: Pick<Gatherers, 'backups'> = {
  async backups(g) {
    const dir = join(g.stack.installDir, HOST.backups);
    const complete: { id: string; createdAt: string }[] = [];
    const broken: string[] = [];
    for (const name of await g.ctx.exec.listDir(dir)) {
      if (!isBackupId(name)) continue;
      const text = await g.readText(join(dir, name, 'manifest.json'));
      const p = text === null ? null : parseManifest(text);
      if (p && 'manifest' in p) complete.push({ id: name, createdAt: p.manifest.createdAt });
      else broken.push(name);
    }
    const b = g.stack.answers.backup;
    const watchPaths = timerHostPaths(g.stack.project).filter((p) => p.includes('-watch'));
    let watchInstalled: boolean | null = false;
    for (const p of watchPaths) if (await g.ctx.exec.exists(hostPath(g.ctx.hostRoot, p))) watchInstalled = true;
    return {
      schedule: b.schedule,
      grace: b.grace ?? DEFAULT_GRACE,
      drill: drillSchedule(b),
      bucket: b.s3?.bucket ?? null,
      backups: newestFirst(complete),
      broken,
      drills: parseJsonl(await g.readText(join(g.stack.installDir, HOST.drillLog)), DrillRecordSchema),
      remote: parseJsonl(await g.readText(join(g.stack.installDir, HOST.remoteLog)), RemoteRecordSchema),
      firstSeen: parseNotifyState(await g.readText(join(g.stack.installDir, HOST.notifyState))).firstSeen ?? null,
      watchInstalled,
    };
  },
};
