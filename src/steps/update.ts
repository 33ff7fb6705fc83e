// `update`: new images and new stack-wizard files, one service at a time, each behind a health
// gate, with the way back recorded first.
//   1. Render the answers again (a changed app.image, a newer template) and diff against disk;
//      files edited by hand since we wrote them (their hash differs from our manifest's) are
//      named, and only --yes overwrites them (a copy is kept under .stack-wizard/hand-edited/).
//   2. Pull every image before anything stops (a registry that is down changes nothing).
//   3. Record the running images (IDs and registry digests) in a backup taken now and in the
//      journal (.stack-wizard/update.json, domain/update-journal.ts) with the files as they are;
//      fingerprint the database schema.
//   4. Write the files, then recreate service by service (databases first, Nginx last), waiting
//      for each to be healthy.
//   5. On a failed gate, Ctrl-C or SIGTERM: the old files and image IDs come back; if the schema
//      changed meanwhile (a migration ran), the pre-update backup is restored too. A journal left
//      by a killed update is found by the next run: `update --rollback --yes` or `update --yes`.
//   6. Every outcome is appended to .stack-wizard/update-history.jsonl with the images before and after.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Context } from '../context.js';
import { TEMPLATE_VERSION } from '../domain/versions.js';
import { byCodePoint } from '../domain/order.js';
import {
  appendHistory, measuredDowntime, parseHistory, parseUpdateJournal, updateJournalText, type ServiceImage, type UpdateJournal, type UpdateOutcome as HistoryOutcome,
} from '../domain/update-journal.js';
import { WizardError, errorText, opError } from '../errors.js';
import { HOST } from '../render/paths.js';
import { takeBackup, type Emit } from './backup.js';
import { pullImage } from './images.js';
import { registryEntry, stateFile } from './installed.js';
import { diffAgainstDisk, writeRendered, type FileChange } from './prepare.js';
import { runRestore } from './restore.js';
import type { ContainerState } from '../exec/docker.js';
import { containers, interruptible, quoteString, runningOf, sqlQuery, sqlTarget, userDatabases, type SqlTarget, type Stack } from './stack-tools.js';
import { STATE_DIR, compose, healthTimeoutMs, reloadNginx, saveHealthy, serviceOfFile, waitHealthy, type Unhealthy } from './up.js';
import { awaitVerdict, discard, startBeside, switchOver, type BadContainer, type Started } from './rollout.js';
import { SIDE_BY_SIDE, UPDATE_PHASES, planServiceChanges, type ServiceChange, type UpdatePhase } from '../domain/rollout.js';
import { composeArgv, composeStdinArgv, COMPOSE_FILE } from '../domain/compose-argv.js';
import type { SeriesUpgradePlan } from '../domain/series-upgrade.js';
import { copyDataAside, dropDataCopy, restoreDataCopy, runUpgradeStep } from './series-upgrade.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Tables migration tools keep their history in: a change there means a migration ran. */
const MIGRATION_TABLES = ['django_migrations', 'alembic_version', 'flyway_schema_history', 'schema_migrations', 'knex_migrations', 'doctrine_migration_versions', 'SequelizeMeta', 'migrations', 'typeorm_metadata', 'goose_db_version'];

/**
 * A hash of every user database's schema (tables, columns, indexes) and of the migration tools'
 * history tables: equal before and after means no migration ran.
 */
export async function schemaFingerprint(ctx: Context, db: SqlTarget): Promise<string> {
  const dbs = await userDatabases(ctx, db);
  if (dbs.length === 0) return sha('');
  const inList = dbs.map(quoteString).join(',');
  const cols = await sqlQuery(ctx, db, `SELECT table_schema, table_name, column_name, column_type, is_nullable, COALESCE(column_default, 'NULL'), extra FROM information_schema.columns WHERE table_schema IN (${inList}) ORDER BY 1, 2, ordinal_position;`);
  const idx = await sqlQuery(ctx, db, `SELECT table_schema, table_name, index_name, seq_in_index, column_name, non_unique FROM information_schema.statistics WHERE table_schema IN (${inList}) ORDER BY 1, 2, 3, 4;`);
  const mig = await sqlQuery(ctx, db, `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN (${inList}) AND table_name IN (${MIGRATION_TABLES.map(quoteString).join(',')}) ORDER BY 1, 2;`);
  let sums = '';
  if (mig.length) {
    const rows = await sqlQuery(ctx, db, `CHECKSUM TABLE ${mig.map(([d, t]) => `\`${d}\`.\`${t}\``).join(', ')};`);
    sums = rows.map((r) => r.join('\t')).join('\n');
  }
  return sha([cols, idx].map((rows) => rows.map((r) => r.join('\t')).join('\n')).join('\n--\n') + `\n--\n${sums}`);
}

export interface ImageChange { service: string; image: string; fromImage: string | null; fromId: string | null; toId: string | null }

export interface UpdatePlan {
  files: FileChange[];
  /** Changed files that were edited by hand since stack-wizard wrote them. */
  handEdited: string[];
  templateFrom: number | null;
  templateTo: number;
  images: ImageChange[];
  /** Pull failures where a local copy exists (used as is), and where none does (update cannot go on). */
  pullWarnings: string[];
  pullErrors: string[];
  /** What happens to each service (side by side, restart with its measured downtime, reload, nothing). */
  changes: ServiceChange[];
}

interface OldManifest { templateVersion?: number; files?: Record<string, string> }

async function readOldManifest(ctx: Context, dir: string): Promise<OldManifest | null> {
  const text = await ctx.exec.readFile(join(dir, HOST.manifest)).catch(() => null);
  try {
    return text ? (JSON.parse(text) as OldManifest) : null;
  } catch {
    return null;
  }
}

/** What an update would change. Pulls the images (nothing else changes) unless `pull` is false. */
export async function planUpdate(ctx: Context, s: Stack, o: { pull: boolean }, emit: Emit): Promise<UpdatePlan> {
  const p = s.prepared;
  const old = await readOldManifest(ctx, s.installDir);
  const files = (await diffAgainstDisk(ctx, s.installDir, p.files)).filter((f) => f.status !== 'unchanged');
  const handEdited: string[] = [];
  for (const f of files) {
    // The answers file is the operator's to edit: it is the input, never a hand edit of our output.
    if (f.status !== 'changed' || f.path === HOST.manifest || f.path === HOST.env || f.path === HOST.answers) continue;
    const onDisk = await ctx.exec.readFile(join(s.installDir, f.path));
    const ours = old?.files?.[f.path];
    if (onDisk !== null && ours && sha(onDisk) !== ours) handEdited.push(f.path);
  }
  const pullWarnings: string[] = [];
  const pullErrors: string[] = [];
  if (o.pull) {
    for (const ref of [...new Set(p.plan.services.map((x) => x.image))].sort()) {
      const r = await pullImage(ctx, p, ref, emit);
      if (r.pulled !== null) continue;
      const local = await ctx.docker.image(ref).catch(() => null);
      (local ? pullWarnings : pullErrors).push(r.tried.join("; "));
    }
  }
  const cs = (await containers(ctx, s.project)).filter((c) => !c.oneOff);
  const images: ImageChange[] = [];
  for (const x of p.plan.services) {
    const c = runningOf(cs, x.name) ?? cs.find((k) => k.service === x.name) ?? null;
    const img = await ctx.docker.image(x.image).catch(() => null);
    if (!c || c.image !== x.image || (img && img.id !== c.imageId)) {
      images.push({ service: x.name, image: x.image, fromImage: c?.image ?? null, fromId: c?.imageId ?? null, toId: img?.id ?? null });
    }
  }
  const definition = await definitionChanges(ctx, s, cs);
  const fileHow = new Map<string, 'reload' | 'restart'>();
  for (const f of files) {
    const svc = serviceOfFile(f.path);
    if (svc) fileHow.set(svc.service, svc.how);
  }
  const history = await ctx.exec.readFile(join(s.installDir, UPDATE_HISTORY)).catch(() => null);
  const changes = planServiceChanges(
    p.plan.services.map((x) => x.name),
    { image: new Set(images.map((i) => i.service)), definition, files: fileHow, measured: measuredDowntime(history ? parseHistory(history) : []) },
  );
  return { files, handEdited, templateFrom: old?.templateVersion ?? null, templateTo: TEMPLATE_VERSION, images, pullWarnings, pullErrors, changes };
}

export const hasWork = (u: UpdatePlan) => u.files.length > 0 || u.images.length > 0 || u.changes.some((c) => c.how !== 'keep');

/**
 * Services whose compose definition differs from what their running container was created from:
 * compose's own hash of each service in the new file (read from standard input, so a preview
 * writes nothing) against the container's config-hash label. A service with no container counts.
 */
async function definitionChanges(ctx: Context, s: Stack, cs: readonly ContainerState[]): Promise<Set<string>> {
  const text = s.prepared.files.find((f) => f.path === COMPOSE_FILE)?.content;
  const out = new Set<string>();
  if (!text) return out;
  const r = await ctx.exec.query('docker', composeStdinArgv(s.installDir, 'config', '--hash', '*'), { input: text, cwd: s.installDir, timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw opError('err.up.composeConfig', { reason: r.stderr.trim().split('\n').slice(-2).join(' ') });
  for (const line of r.stdout.split('\n')) {
    const [svc, hash] = line.trim().split(/\s+/);
    if (!svc || !hash) continue;
    const running = cs.filter((c) => c.service === svc && c.state === 'running');
    if (running.length === 0 || running.some((c) => c.configHash !== hash)) out.add(svc);
  }
  return out;
}

export const UPDATE_JOURNAL = HOST.updateJournal;
export const UPDATE_HISTORY = `${STATE_DIR}/update-history.jsonl`;

/** The journal a killed update left (null when none); an unreadable one is an error naming the file. */
export async function pendingUpdate(ctx: Context, s: { installDir: string }): Promise<UpdateJournal | null> {
  const path = join(s.installDir, UPDATE_JOURNAL);
  const text = await ctx.exec.readFile(path).catch(() => null);
  if (text === null) return null;
  const j = parseUpdateJournal(text);
  if (!j) throw opError('err.up.journalUnreadable', { file: path });
  return j;
}

/** Image reference, ID and registry digests of every running service. */
export async function runningImages(ctx: Context, s: Stack): Promise<Record<string, ServiceImage>> {
  const out: Record<string, ServiceImage> = {};
  for (const c of await containers(ctx, s.project)) {
    if (!c.service || c.state !== 'running') continue;
    const img = await ctx.docker.image(c.imageId).catch(() => null);
    out[c.service] = { image: c.image, imageId: c.imageId, digests: img?.repoDigests ?? [] };
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => byCodePoint(a, b)));
}

async function writeJournal(ctx: Context, s: Stack, j: UpdateJournal): Promise<void> {
  await ctx.exec.writeFiles([{ path: join(s.installDir, UPDATE_JOURNAL), content: updateJournalText(j), mode: 0o600 }]);
}

/** The journal of a new update: the images recorded before and the files it is about to change, as they are. */
async function startJournal(ctx: Context, s: Stack, u: UpdatePlan, o: { backupId: string; schema: string | null; services: Record<string, ServiceImage> }): Promise<UpdateJournal> {
  const files: UpdateJournal['files'] = [];
  for (const f of u.files) {
    const path = join(s.installDir, f.path);
    files.push({ path: f.path, content: await ctx.exec.readFile(path), mode: (await ctx.exec.fileMode(path)) ?? 0o644 });
  }
  const j: UpdateJournal = {
    format: 1, project: s.project, pid: process.pid, startedAt: ctx.clock().toISOString(), backupId: o.backupId, schema: o.schema,
    templateFrom: u.templateFrom, templateTo: u.templateTo, phase: 'recorded', services: o.services, files,
  };
  await writeJournal(ctx, s, j);
  return j;
}

/** Appends the update's outcome, with what runs now, to the history. Never fails the update. */
async function recordHistory(ctx: Context, s: Stack, j: UpdateJournal, outcome: HistoryOutcome, changed: string[], m: { downtime?: Record<string, number>; phases?: Record<string, number> } = {}): Promise<void> {
  try {
    const path = join(s.installDir, UPDATE_HISTORY);
    const after = await runningImages(ctx, s).catch(() => ({}));
    const text = appendHistory(await ctx.exec.readFile(path), {
      startedAt: j.startedAt, endedAt: ctx.clock().toISOString(), outcome, backupId: j.backupId, templateFrom: j.templateFrom, templateTo: j.templateTo,
      changed, files: j.files.map((f) => f.path), before: j.services, after, downtime: m.downtime ?? {}, phases: m.phases ?? {},
    });
    await ctx.exec.writeFiles([{ path, content: text, mode: 0o600 }]);
  } catch (e) {
    ctx.exec.note(`update history not written: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Keeps the operator's hand-edited version of a file before it is overwritten. */
async function keepHandEdits(ctx: Context, s: Stack, paths: string[]): Promise<string | null> {
  if (!paths.length) return null;
  const stamp = ctx.clock().toISOString().replace(/[:.]/g, '-');
  const base = join(s.installDir, STATE_DIR, 'hand-edited', stamp);
  const out = [];
  for (const p of paths) {
    const src = join(s.installDir, p);
    out.push({ path: join(base, p), content: (await ctx.exec.readFile(src)) ?? '', mode: (await ctx.exec.fileMode(src)) ?? 0o600 });
  }
  await ctx.exec.writeFiles(out);
  return base;
}

export interface UpdateOutcome { changed: string[]; backupId: string | null; handEditedKept: string | null; downtime: Record<string, number>; phases: Record<string, number> }

const describe = (ctx: Context, f: Unhealthy[]) => f.map((x) => ctx.t('up.serviceState', { service: x.service, state: x.state, health: x.health ?? '-', restarts: x.restarts }));

/**
 * The new containers of a side-by-side start that never took over (an update stopped or killed before
 * the switch): created after the journal while a container from before it still runs. They go first,
 * or compose, scaling back to one, may keep the new one and remove the old one that serves.
 */
async function dropUnswitched(ctx: Context, s: Stack, rec: UpdateJournal, emit: Emit): Promise<void> {
  const since = Date.parse(rec.startedAt);
  const cs = (await containers(ctx, s.project)).filter((c) => !c.oneOff);
  for (const service of SIDE_BY_SIDE) {
    const mine = cs.filter((c) => c.service === service);
    const isNew = (c: ContainerState) => Date.parse(c.createdAt) >= since;
    if (!mine.some((c) => !isNew(c) && c.state === 'running')) continue;
    for (const c of mine.filter(isNew)) {
      emit({ kind: 'output', text: ctx.t('upd.leftover', { name: c.name }) });
      await ctx.exec.run('docker', ['rm', '-f', c.id], { check: false });
    }
  }
}

/** Puts back the recorded files and image IDs and starts the services that changed. */
async function rollbackUpdate(ctx: Context, s: Stack, rec: UpdateJournal, touched: string[], emit: Emit): Promise<Unhealthy[]> {
  emit({ kind: 'output', text: ctx.t('up.rollingBack') });
  // A series upgrade: the data as the old server left it, before the old image starts on it.
  if (rec.dataCopy) await restoreDataCopy(ctx, s, rec.dataCopy, emit, healthTimeoutMs(ctx.env));
  const restore = rec.files.filter((f) => f.content !== null).map((f) => ({ path: join(s.installDir, f.path), content: f.content!, mode: f.mode }));
  await ctx.exec.writeFiles(restore);
  for (const f of rec.files) if (f.content === null) await ctx.exec.remove(join(s.installDir, f.path));
  for (const [, v] of Object.entries(rec.services)) {
    const img = await ctx.docker.image(v.image).catch(() => null);
    if (img?.id !== v.imageId && (await ctx.docker.image(v.imageId).catch(() => null))) await ctx.docker.tag(v.imageId, v.image);
  }
  const timeout = healthTimeoutMs(ctx.env);
  await dropUnswitched(ctx, s, rec, emit);
  // Containers that still match the recorded files are left as they are (the old app never stopped).
  await compose(ctx, s.installDir, ['up', '-d', '--remove-orphans'], emit, timeout).catch(() => undefined);
  const failing = await waitHealthy(ctx, s.project, Object.keys(rec.services), timeout, emit);
  if (!failing.length && touched.some((x) => x !== 'nginx') && rec.services.nginx) await reloadNginx(ctx, s.installDir, emit);
  return failing;
}

/**
 * After a rollback of the images and files: if the schema changed since the journal was written (a
 * migration ran against the data), the pre-update backup is restored, since the old version may not
 * read it. Returns what that cost (null: nothing restored).
 */
async function undoMigration(ctx: Context, s: Stack, rec: UpdateJournal, emit: Emit): Promise<{ seconds: number; backupAgeS: number } | null> {
  const dbNow = runningOf(await containers(ctx, s.project), 'mysql');
  const schemaAfter = dbNow && rec.schema !== null ? await schemaFingerprint(ctx, sqlTarget(s, dbNow.id)).catch(() => null) : null;
  if (rec.schema === null || schemaAfter === null || schemaAfter === rec.schema) return null;
  emit({ kind: 'output', text: ctx.t('upd.schemaChanged', { id: rec.backupId }) });
  // The backup was taken right before the journal was started.
  const backupAgeS = Math.max(0, Math.round((ctx.clock().getTime() - Date.parse(rec.startedAt)) / 1000));
  const t0 = Date.now();
  await runRestore(ctx, s, rec.backupId, emit);
  return { seconds: Math.round((Date.now() - t0) / 1000), backupAgeS };
}

/** Time limit of the migration's one-off container (STACK_WIZARD_MIGRATE_TIMEOUT seconds; 30 min by default). */
export function migrateTimeoutMs(env: NodeJS.ProcessEnv): number {
  const v = Number(env.STACK_WIZARD_MIGRATE_TIMEOUT);
  return (Number.isFinite(v) && v > 0 ? v : 1800) * 1000;
}

/** Announces a phase (its number, a bar in the TUI, a line headless) and keeps its seconds. */
function phases(ctx: Context, emit: Emit, names: readonly UpdatePhase[]) {
  const took: Record<string, number> = {};
  let current: { name: string; t0: number } | null = null;
  const close = () => {
    if (current) took[current.name] = Math.round((Date.now() - current.t0) / 100) / 10;
    current = null;
  };
  return {
    took,
    close,
    enter(name: UpdatePhase) {
      close();
      current = { name, t0: Date.now() };
      const i = names.indexOf(name);
      emit({ kind: 'progress', item: 'phase', fraction: (i + 1) / names.length, text: `[${i + 1}/${names.length}] ${ctx.t(`upd.phase.${name}`)}` });
    },
  };
}

/** Details of a new container the verdict refused, for the operator, taken before it is removed. */
async function badDetails(ctx: Context, bad: BadContainer): Promise<string[]> {
  const c = bad.state;
  const out = [ctx.t(`upd.bad.${bad.verdict.why}`, { name: bad.name, service: bad.service, streak: c?.failingStreak ?? 0, restarts: c?.restartCount ?? 0, exit: c?.exitCode ?? '-' })];
  if (c?.healthOutput) out.push(`  ${ctx.t('up.healthOutput')} ${c.healthOutput.split('\n').slice(-3).join(' | ')}`);
  const logs = await ctx.docker.logs(bad.id, 20).catch(() => '');
  if (logs.trim()) {
    out.push(`  ${ctx.t('up.lastLogs', { count: 20 })}`);
    for (const l of logs.trimEnd().split('\n')) out.push(`    ${l}`);
  }
  return out;
}

/** A failed gate: which services, what the operator is shown; `migration` when the migration itself failed. */
class StopUpdate extends Error {
  constructor(readonly names: string, readonly details: string[], readonly migration = false) {
    super(names);
  }
}

/**
 * Applies an update planned by planUpdate. The caller runs it inside the stack guard (the lock, no
 * pending restore) and has the operator's yes. With `resume` (the journal of a killed update), no
 * new backup is taken and that journal's record is what a rollback returns to.
 *
 * Phases (domain/rollout.ts UPDATE_PHASES): backup and journal; files; the services that restart
 * (databases first), each behind its health gate with the time it was away measured; Nginx's new
 * files; the migration in a one-off container of the new image; the new app and worker started
 * beside the old ones, with a fast verdict; the switch (Nginx's DNS, then the old ones drain and
 * stop); Nginx replaced if its image changed, and the whole stack checked.
 */
export async function runUpdate(ctx: Context, s: Stack, u: UpdatePlan, emit: Emit, o: { resume?: UpdateJournal; series?: SeriesUpgradePlan } = {}): Promise<UpdateOutcome> {
  if (u.pullErrors.length) throw opError('err.up.pullFailed', { count: u.pullErrors.length }, u.pullErrors);
  const p = s.prepared;
  const ph = phases(ctx, emit, UPDATE_PHASES);
  return interruptible(ctx, 'update', async (interrupted) => {
    let rec: UpdateJournal;
    ph.enter('backup');
    if (o.resume) {
      rec = { ...o.resume, pid: process.pid };
    } else {
      const before = await runningImages(ctx, s);
      const db = runningOf(await containers(ctx, s.project), 'mysql');
      emit({ kind: 'output', text: ctx.t('upd.backup') });
      // A dump: an update may move the database to a newer series, and a physical copy restores only into its own.
      const backup = await takeBackup(ctx, s, { kind: 'pre-update', noRetention: true, images: before, method: 'logical' }, emit).catch((e: unknown) => {
        // The signal ended the dump: say what happened rather than how the dump died.
        throw interrupted() ? opError('err.up.interruptedInBackup') : e;
      });
      // Nothing has changed yet: an interruption here only stops.
      if (interrupted()) throw opError('err.up.interruptedEarly', { id: backup.id });
      const schema = db ? await schemaFingerprint(ctx, sqlTarget(s, db.id)) : null;
      rec = await startJournal(ctx, s, u, { backupId: backup.id, schema, services: before });
    }
    ph.enter('files');
    const kept = await keepHandEdits(ctx, s, u.handEdited);
    rec = { ...rec, phase: 'applying' };
    await writeJournal(ctx, s, rec);
    await writeRendered(ctx, s.installDir, p.files);
    await ctx.exec.writeFiles([{ path: stateFile(ctx, s.project), content: registryEntry(p.plan), mode: 0o644 }]);

    const timeout = healthTimeoutMs(ctx.env);
    const planned = p.plan.services.map((x) => x.name);
    const change = (svc: string) => u.changes.find((c) => c.service === svc);
    const touched: string[] = [];
    const downtime: Record<string, number> = {};
    let started: Started[] = [];
    let switched = false;
    let error: unknown = null;
    const stopIfInterrupted = () => {
      if (interrupted()) throw new Error('interrupted');
    };
    try {
      ph.enter('restart');
      for (const c of u.changes) {
        if (c.how !== 'restart' || c.service === 'nginx') continue;
        stopIfInterrupted();
        emit({ kind: 'output', text: ctx.t('upd.service', { service: c.service }) });
        const before = runningOf(await containers(ctx, s.project), c.service);
        const t0 = Date.now();
        if (c.service === 'mysql' && o.series) {
          // Recorded once the copy is whole: a copy cut short must never be put back over the data.
          rec = { ...rec, dataCopy: await copyDataAside(ctx, s, o.series, emit, timeout) };
          await writeJournal(ctx, s, rec);
        }
        // No --no-deps (it drops depends_on from the config hash, so the next update would see a change):
        // what a service here depends on restarted before it (SERVICE_ORDER) or is unchanged.
        await compose(ctx, s.installDir, ['up', '-d', c.service], emit, timeout);
        const after = runningOf(await containers(ctx, s.project), c.service);
        // Config read through a bind mount: a service that was not recreated restarts to read it.
        if (before && after && before.id === after.id) await compose(ctx, s.installDir, ['restart', c.service], emit, timeout);
        touched.push(c.service);
        const failing = await waitHealthy(ctx, s.project, [c.service], timeout, emit, interrupted);
        if (failing.length) throw new StopUpdate(c.service, describe(ctx, failing));
        if (c.service === 'mysql' && o.series) {
          await runUpgradeStep(ctx, s, o.series, emit, migrateTimeoutMs(ctx.env)).catch((e: unknown) => {
            throw new StopUpdate('mysql', [errorText(ctx.t, e)]);
          });
        }
        downtime[c.service] = Math.round((Date.now() - t0) / 100) / 10;
        emit({ kind: 'output', text: ctx.t('upd.wasAway', { service: c.service, seconds: downtime[c.service]! }) });
      }
      // Nginx's own files first: the new upstream and resolver must be live before containers move.
      // Finishing a killed update: what it recreated before it died is unknown here, so Nginx looks up the app again.
      const ng = change('nginx');
      if (ng && ng.how !== 'restart' && (ng.how === 'reload' || o.resume || touched.length > 0)) {
        await reloadNginx(ctx, s.installDir, emit);
        if (ng.how === 'reload') touched.push('nginx');
      }
      const side = u.changes.filter((c) => c.how === 'side-by-side').map((c) => c.service);
      if (side.includes('app') && p.plan.app.migrate) {
        stopIfInterrupted();
        ph.enter('migrate');
        emit({ kind: 'output', text: ctx.t('upd.migrating', { argv: p.plan.app.migrate.join(' ') }) });
        const r = await ctx.exec.run('docker', composeArgv(s.installDir, 'run', '--rm', '--no-deps', '-T', 'app', ...p.plan.app.migrate), {
          cwd: s.installDir,
          timeoutMs: migrateTimeoutMs(ctx.env),
          check: false,
          onLine: (line) => line.trim() && emit({ kind: 'output', text: `  ${line.trim()}` }),
        });
        stopIfInterrupted();
        if (r.exitCode !== 0) {
          const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-10);
          throw new StopUpdate('app', [ctx.t('upd.migrateFailed', { code: r.timedOut ? 'timeout' : r.exitCode }), ...tail.map((l) => `  ${l}`)], true);
        }
      }
      if (side.length) {
        stopIfInterrupted();
        ph.enter('start');
        emit({ kind: 'output', text: ctx.t('upd.startingBeside', { services: side.join(', ') }) });
        started = await startBeside(ctx, s, side, emit, timeout);
        const bad = await awaitVerdict(ctx, s.project, started, timeout, emit, interrupted);
        stopIfInterrupted();
        if (bad) throw new StopUpdate(bad.service, await badDetails(ctx, bad));
        ph.enter('switch');
        switched = true;
        await switchOver(ctx, s.project, started, emit);
        touched.push(...side);
      }
      ph.enter('finish');
      if (ng?.how === 'restart') {
        emit({ kind: 'output', text: ctx.t('upd.service', { service: 'nginx' }) });
        const t0 = Date.now();
        await compose(ctx, s.installDir, ['up', '-d', 'nginx'], emit, timeout);
        touched.push('nginx');
        const failing = await waitHealthy(ctx, s.project, ['nginx'], timeout, emit, interrupted);
        if (failing.length) throw new StopUpdate('nginx', describe(ctx, failing));
        downtime.nginx = Math.round((Date.now() - t0) / 100) / 10;
      }
      const failing = await waitHealthy(ctx, s.project, planned, timeout, emit, interrupted);
      if (failing.length) throw new StopUpdate(failing.map((f) => f.service).join(', '), describe(ctx, failing));
      stopIfInterrupted();
    } catch (e) {
      error = interrupted() ? new Error('interrupted') : e;
    }
    ph.close();
    if (!error) {
      await saveHealthy(ctx, p, (await containers(ctx, s.project)).filter((c) => !c.oneOff && c.state === 'running'));
      await recordHistory(ctx, s, rec, o.resume ? 'finished' : 'updated', touched, { downtime, phases: ph.took });
      // The pre-update backup stays; the copy of the old series' files is not needed once the new one is healthy.
      if (rec.dataCopy) await dropDataCopy(ctx, rec.dataCopy);
      await ctx.exec.remove(join(s.installDir, UPDATE_JOURNAL));
      return { changed: touched, backupId: rec.backupId, handEditedKept: kept, downtime, phases: ph.took };
    }

    const wasInterrupted = interrupted();
    const stop = error instanceof StopUpdate ? error : null;
    const details = wasInterrupted ? [] : stop ? stop.details : [error instanceof WizardError ? ctx.t(error.key, error.params) : String(error)];
    for (const d of details) ctx.exec.note(d);
    const names = stop ? stop.names : '-';
    rec = { ...rec, phase: 'rolling-back' };
    await writeJournal(ctx, s, rec);
    // New containers that never took traffic go first: the old ones are still serving.
    if (!switched && started.length) await discard(ctx, started);
    const still = await rollbackUpdate(ctx, s, rec, touched, emit);
    const restored = await undoMigration(ctx, s, rec, emit);
    if (restored) details.push(ctx.t('upd.migrationCost', { id: rec.backupId, seconds: restored.seconds, age: restored.backupAgeS }));
    const outcome = still.length ? 'rollback-failed' : wasInterrupted ? 'interrupted' : restored ? 'rolled-back-data' : 'rolled-back';
    await recordHistory(ctx, s, rec, outcome, touched, { downtime, phases: ph.took });
    await ctx.exec.remove(join(s.installDir, UPDATE_JOURNAL));
    // The answers still ask for what failed: say so, or the next update or init tries it again.
    if (!rec.files.some((f) => f.path === HOST.answers)) details.push(ctx.t('upd.answersStill', { file: s.answersFile }));
    if (still.length) throw opError('err.up.rollbackFailed', { services: names }, [...details, ...describe(ctx, still)]);
    if (wasInterrupted) throw opError('err.up.interrupted', { id: rec.backupId }, restored ? [ctx.t('upd.dataRestored', { id: rec.backupId }), ctx.t('upd.migrationCost', { id: rec.backupId, seconds: restored.seconds, age: restored.backupAgeS })] : []);
    if (stop?.migration && !restored) throw opError('err.up.migrateStopped', { id: rec.backupId }, details);
    throw opError(restored ? 'err.up.rolledBackData' : 'err.up.rolledBack', { services: names, id: rec.backupId }, details);
  });
}

/**
 * `update --rollback --yes` after a killed update: the recorded files and images back, every
 * service started behind its health check, and the pre-update backup's data if a migration ran.
 */
export async function rollbackPendingUpdate(ctx: Context, s: Stack, rec: UpdateJournal, emit: Emit): Promise<{ dataRestored: boolean }> {
  return interruptible(ctx, 'update rollback', async () => {
    const j: UpdateJournal = { ...rec, pid: process.pid, phase: 'rolling-back' };
    await writeJournal(ctx, s, j);
    const still = await rollbackUpdate(ctx, s, j, Object.keys(j.services), emit);
    const dataRestored = still.length ? false : (await undoMigration(ctx, s, j, emit)) !== null;
    await recordHistory(ctx, s, j, still.length ? 'rollback-failed' : 'recovered', []);
    if (still.length) throw opError('err.up.recoverFailed', { file: join(s.installDir, UPDATE_JOURNAL) }, describe(ctx, still));
    await ctx.exec.remove(join(s.installDir, UPDATE_JOURNAL));
    return { dataRestored };
  });
}
