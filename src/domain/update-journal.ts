// What an update records about itself. Pure: the formats and the decisions, no I/O.
//
// The journal (.stack-wizard/update.json) is written before the update changes anything: the
// image (ID and registry digests) every service ran and the files as they were, so the update can
// undo itself. A finished or rolled-back update removes it; one killed outright (SIGKILL, power
// loss) leaves it, and the next run says so: `update --rollback --yes` puts the recorded images and
// files back, `update --yes` finishes the update.
//
// The history (.stack-wizard/update-history.jsonl, one JSON object a line, appended) keeps every
// update's images before and after for good, and the pre-update backup's manifest names them too.
import { z } from 'zod';
import { parseJsonAs } from './json.js';

export const ServiceImageSchema = z.strictObject({
  /** The image reference the service runs (the compose file's). */
  image: z.string(),
  /** The local image ID (`sha256:…`): what a rollback tags back. */
  imageId: z.string(),
  /** Registry digests (`repo@sha256:…`) of that image; empty for one built or loaded locally. */
  digests: z.array(z.string()),
});
export type ServiceImage = z.infer<typeof ServiceImageSchema>;

export const UPDATE_PHASES = ['recorded', 'applying', 'rolling-back'] as const;

export const UpdateJournalSchema = z.object({
  format: z.literal(1).default(1),
  project: z.string().default(''),
  /** The process that wrote it (a live one holds the maintenance lock). */
  pid: z.number().int().default(0),
  startedAt: z.string(),
  /** The backup taken before: a rollback after a migration restores it. */
  backupId: z.string(),
  /** Fingerprint of the database schema before (null without a database). */
  schema: z.string().nullable(),
  templateFrom: z.number().int().nullable().default(null),
  templateTo: z.number().int().nullable().default(null),
  /**
   * recorded: nothing changed yet; applying: files written, services being recreated;
   * rolling-back: the recorded state is being put back.
   */
  phase: z.enum(UPDATE_PHASES).default('applying'),
  services: z.record(z.string(), ServiceImageSchema),
  /** The files as they were (relative to the install dir; null: did not exist), to write back. */
  files: z.array(z.strictObject({ path: z.string(), content: z.string().nullable(), mode: z.number().int() })),
  /**
   * A series upgrade (`update --to-series`): the database's data volume and the volume its copy from
   * before the new server touched it was taken into, put back by a rollback (absent: no copy).
   */
  dataCopy: z.strictObject({ volume: z.string(), copy: z.string() }).optional(),
});
export type UpdateJournal = z.infer<typeof UpdateJournalSchema>;

export const parseUpdateJournal = (text: string): UpdateJournal | null => parseJsonAs(UpdateJournalSchema, text);

export const updateJournalText = (j: UpdateJournal) => `${JSON.stringify(j, null, 2)}\n`;

export const UPDATE_OUTCOMES = [
  /** Healthy on the new images and files. */
  'updated',
  /** A health gate failed: the recorded images and files came back. */
  'rolled-back',
  /** …and the pre-update backup's data too (a migration had run). */
  'rolled-back-data',
  /** Even the rollback did not come back healthy. */
  'rollback-failed',
  /** Ctrl-C or SIGTERM: rolled back by the update itself. */
  'interrupted',
  /** Killed earlier; finished by a later `update --yes`. */
  'finished',
  /** Killed earlier; put back by `update --rollback --yes`. */
  'recovered',
] as const;
export type UpdateOutcome = (typeof UPDATE_OUTCOMES)[number];

export const HistoryEntrySchema = z.strictObject({
  startedAt: z.string(),
  endedAt: z.string(),
  outcome: z.enum(UPDATE_OUTCOMES),
  backupId: z.string(),
  templateFrom: z.number().int().nullable(),
  templateTo: z.number().int().nullable(),
  /** Services recreated or restarted. */
  changed: z.array(z.string()),
  files: z.array(z.string()),
  before: z.record(z.string(), ServiceImageSchema),
  /** What runs at the end (the recorded images again after a rollback). */
  after: z.record(z.string(), ServiceImageSchema),
  /** Seconds each restarted service was away (stop to healthy); the next preview shows them. */
  downtime: z.record(z.string(), z.number()).default({}),
  /** Phases run, each with its seconds (backup, migrate, start, switch, …). */
  phases: z.record(z.string(), z.number()).default({}),
});
export type HistoryEntry = z.input<typeof HistoryEntrySchema>;

/** The latest measured downtime of each service, from the history (oldest first). */
export function measuredDowntime(entries: readonly HistoryEntry[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of entries) Object.assign(out, e.downtime ?? {});
  return out;
}

/** The history with one more entry (JSON Lines; unreadable lines are kept as they are). */
export const appendHistory = (text: string | null, e: HistoryEntry) => `${text && !text.endsWith('\n') ? `${text}\n` : text ?? ''}${JSON.stringify(HistoryEntrySchema.parse(e))}\n`;

/** Entries of a history file, oldest first; lines that do not parse are skipped. */
export function parseHistory(text: string): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const line of text.split('\n')) {
    // A line that does not parse is a hand edit (writes are atomic): skipped.
    const e = line.trim() ? parseJsonAs(HistoryEntrySchema, line) : null;
    if (e) out.push(e);
  }
  return out;
}
