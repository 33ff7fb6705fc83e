// The binary log as data (#18.3): the event headers of a binlog file, the archive of closed files
// under <installDir>/backups/binlogs, which files follow one another, the window a point-in-time
// restore can reach, the plan of one (which backup, which files, where to stop), the operator's
// moment in the host's time zone, and the decoded events shown around a moment. Pure: the steps
// (steps/binlog-archive.ts, steps/pitr.ts) read and write; these decide.
import { z } from 'zod';
import { byCodePoint } from './order.js';

// ---------------------------------------------------------------- event headers

/** The 4 bytes every binlog file starts with. */
const MAGIC = [0xfe, 0x62, 0x69, 0x6e];
/** timestamp(4) type(1) server_id(4) event_size(4) log_pos(4) flags(2), little-endian (both engines). */
const HEADER = 19;

export interface BinlogScan {
  /** The file began with the binlog magic. */
  magic: boolean;
  events: number;
  /** Unix seconds of the first event (the file's Format_description: when the server opened it). */
  first: number | null;
  /** The latest event time seen. */
  last: number | null;
  /** Bytes after the last whole event (a file cut short, or one still being written). */
  trailing: number;
}

/**
 * Walks the event headers of a binlog stream as it passes (fed every chunk in order), skipping the
 * bodies: the archive learns a file's time span without decoding it, at the speed of the copy.
 */
export class BinlogScanner {
  private offset = 0;
  private skip = 0;
  private head: number[] = [];
  private r: BinlogScan = { magic: false, events: 0, first: null, last: null, trailing: 0 };
  private bad = false;

  push(chunk: Uint8Array): void {
    let i = 0;
    const n = chunk.length;
    while (i < n && !this.bad) {
      if (this.offset < 4) {
        if (chunk[i] !== MAGIC[this.offset]) this.bad = true;
        this.offset++;
        i++;
        if (this.offset === 4 && !this.bad) this.r.magic = true;
        continue;
      }
      if (this.skip > 0) {
        const k = Math.min(this.skip, n - i);
        this.skip -= k;
        this.offset += k;
        i += k;
        continue;
      }
      this.head.push(chunk[i]!);
      this.offset++;
      i++;
      if (this.head.length === HEADER) {
        const h = this.head;
        const ts = (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0;
        const size = (h[9]! | (h[10]! << 8) | (h[11]! << 16) | (h[12]! << 24)) >>> 0;
        this.head = [];
        if (size < HEADER) {
          this.bad = true;
          break;
        }
        this.skip = size - HEADER;
        this.r.events++;
        // Artificial events (a rotate written at the start of a relay) carry 0.
        if (ts > 0) {
          if (this.r.first === null) this.r.first = ts;
          if (this.r.last === null || ts > this.r.last) this.r.last = ts;
        }
      }
    }
  }

  result(): BinlogScan {
    return { ...this.r, magic: this.r.magic && !this.bad, trailing: this.head.length + this.skip };
  }
}

export function scanBinlog(data: Uint8Array): BinlogScan {
  const s = new BinlogScanner();
  s.push(data);
  return s.result();
}

// ---------------------------------------------------------------- names and the archive

/** `binlog.000042` → its base and sequence number; null for other names (binlog.index, binlog.state). */
export function binlogSeq(name: string): { base: string; n: number } | null {
  const m = /^([A-Za-z0-9_.-]+)\.(\d{6,})$/.exec(name);
  return m ? { base: m[1]!, n: Number(m[2]) } : null;
}

/** Names the server may give its binlog files: never a path, never anything a shell would read. */
export const isBinlogName = (name: string) => binlogSeq(name) !== null && !name.startsWith('.');

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const utcCompact = (d: Date) => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;

/**
 * A closed file's name in the archive: the UTC time it was opened, then its name. Names repeat
 * after a physical restore or a re-created data volume (the server starts at binlog.000001 again);
 * the opening time keeps the copies apart and sorts them in the order they were written.
 */
export const archivedName = (name: string, first: Date, suffix: string) => `${utcCompact(first)}-${name}${suffix}`;

export const ArchivedBinlogSchema = z.strictObject({
  /** The server's name for it. */
  name: z.string().refine(isBinlogName, 'a binlog file name'),
  /** The file in the archive folder (compressed, and encrypted when backups are). */
  stored: z.string().regex(/^\d{8}-\d{6}-[A-Za-z0-9_.-]+$/),
  /** ISO times of the first and the last event. */
  first: z.string(),
  last: z.string(),
  events: z.number().int().nonnegative(),
  rawBytes: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  compression: z.enum(['zstd', 'gzip']),
  encrypted: z.boolean(),
  /** Copied to S3 too (backup.s3). */
  remote: z.boolean().optional(),
});
export type ArchivedBinlog = z.infer<typeof ArchivedBinlogSchema>;

export const BinlogIndexSchema = z.strictObject({ format: z.literal(1), files: z.array(ArchivedBinlogSchema) });
export type BinlogIndex = z.infer<typeof BinlogIndexSchema>;

export const INDEX_FILE = 'index.json';
export const emptyIndex = (): BinlogIndex => ({ format: 1, files: [] });

export function parseIndex(text: string | null): BinlogIndex {
  if (!text) return emptyIndex();
  try {
    const r = BinlogIndexSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : emptyIndex();
  } catch {
    return emptyIndex();
  }
}

/** In the order written: by opening time, then by sequence number. */
export function sortArchive<T extends { name: string; first: string }>(files: readonly T[]): T[] {
  return [...files].sort((a, b) => a.first.localeCompare(b.first) || (binlogSeq(a.name)?.n ?? 0) - (binlogSeq(b.name)?.n ?? 0) || byCodePoint(a.name, b.name));
}

export const indexText = (i: BinlogIndex) => `${JSON.stringify({ format: 1, files: sortArchive(i.files) }, null, 2)}\n`;

/** Whether `name` opened at `first` is already archived. */
export const isArchived = (i: BinlogIndex, name: string, first: string) => i.files.some((f) => f.name === name && f.first === first);

/** Event types that only open (or close) a file: one holding nothing else has no transaction to archive yet. */
const FILE_FRAME_EVENTS = new Set(['Format_desc', 'Gtid_list', 'Binlog_checkpoint', 'Previous_gtids', 'Start_encryption', 'Rotate', 'Stop']);

/** Whether a file's first events (SHOW BINLOG EVENTS' Event_type column) include a transaction's. */
export const holdsTransactions = (types: readonly string[]) => types.some((t) => t !== '' && !FILE_FRAME_EVENTS.has(t));

/**
 * Stored names of an off-site archive that retention removes: as pruneArchive does locally, the
 * files opened before the file the oldest kept backup's point is in (the stored name starts with
 * its UTC opening time). Nothing without that opening time, or without any backup: a new server
 * that has not taken one yet must not empty the bucket's archive.
 */
export function remoteBinlogVictims(stored: readonly string[], oldest: BinlogPoint | null): string[] {
  if (!oldest?.fileStartedAt) return [];
  const cut = utcCompact(new Date(oldest.fileStartedAt));
  return stored.filter((n) => /^\d{8}-\d{6}-/.test(n) && n.slice(0, 15) < cut);
}

// ---------------------------------------------------------------- chains and the recoverable window

/** A binlog file as the window sees it: archived, or still on the server (`live`; the open one has `open`). */
export interface ChainFile {
  name: string;
  /** ISO opening time. */
  first: string;
  /** ISO time of its last event; for the open file, now. */
  last: string;
  archived: boolean;
  open: boolean;
}

/** Where a backup's data stands in the binary log: replaying from here gives the backup's moment, then later ones. */
export const BinlogPointSchema = z.strictObject({
  file: z.string().refine(isBinlogName, 'a binlog file name'),
  position: z.number().int().nonnegative(),
  /** GTID state at the point (MariaDB: the last change; MySQL: the executed set). */
  gtid: z.string().nullable(),
  /** ISO opening time of `file`, telling it apart from an earlier file of the same name. */
  fileStartedAt: z.string().nullable(),
  /** ISO upper bound of the consistent point (taken after the copy had it). */
  at: z.string(),
  /**
   * How a replay starts: `position` from file:position exactly; `gtid` from file:position with the
   * server skipping the transactions of `gtid` it already has; null when the point is not exact
   * (a clone without GTIDs while the binlog moved), so no replay may start from it.
   */
  replay: z.enum(['position', 'gtid']).nullable(),
});
export type BinlogPoint = z.infer<typeof BinlogPointSchema>;

/**
 * The files that follow `start` without a break: the next sequence number of the same base,
 * opened no earlier. A break is where the server started over (a physical restore, a new data
 * volume): what follows belongs to another history and never continues this one.
 */
export function chainFrom(files: readonly ChainFile[], start: { file: string; fileStartedAt: string | null; at: string }): ChainFile[] {
  const sorted = sortArchive(files);
  const i = sorted.findIndex((f) => f.name === start.file && (start.fileStartedAt ? f.first === start.fileStartedAt : f.first <= start.at && f.last >= start.at.slice(0, 19)));
  if (i < 0) return [];
  const out = [sorted[i]!];
  for (let k = i + 1; k < sorted.length; k++) {
    const prev = binlogSeq(out[out.length - 1]!.name);
    const next = binlogSeq(sorted[k]!.name);
    if (!prev || !next || prev.base !== next.base) break;
    if (next.n === prev.n) continue;
    if (next.n !== prev.n + 1 || sorted[k]!.first < out[out.length - 1]!.first) break;
    out.push(sorted[k]!);
  }
  return out;
}

export interface PitrBase { id: string; point: BinlogPoint }

export interface RecoveryWindow {
  /** ISO: the earliest moment (a backup's consistent point). */
  from: string;
  /** ISO: the latest moment whose events are kept; with `open`, the server's binlog goes on from there (now). */
  to: string;
  open: boolean;
  /** The backups it starts from, oldest first. */
  bases: string[];
}

/** Each base's reach: from its point to the end of the files that follow it without a break. */
export function reach(b: PitrBase, files: readonly ChainFile[]): { from: string; to: string; open: boolean; chain: ChainFile[] } | null {
  if (!b.point.replay) return null;
  const chain = chainFrom(files, b.point);
  if (chain.length === 0) return null;
  const last = chain[chain.length - 1]!;
  return { from: b.point.at, to: last.last > b.point.at ? last.last : b.point.at, open: last.open, chain };
}

/** The moments a point-in-time restore can reach: the union of every base's reach, oldest first. */
export function recoveryWindows(bases: readonly PitrBase[], files: readonly ChainFile[]): RecoveryWindow[] {
  const spans = bases
    .map((b) => ({ b, r: reach(b, files) }))
    .filter((x): x is { b: PitrBase; r: NonNullable<ReturnType<typeof reach>> } => x.r !== null)
    .sort((x, y) => x.r.from.localeCompare(y.r.from));
  const out: RecoveryWindow[] = [];
  for (const { b, r } of spans) {
    const cur = out[out.length - 1];
    if (cur && r.from <= cur.to) {
      if (r.to > cur.to) cur.to = r.to;
      cur.open = cur.open || r.open;
      cur.bases.push(b.id);
    } else out.push({ from: r.from, to: r.to, open: r.open, bases: [b.id] });
  }
  return out;
}

export type PitrPlan =
  | {
      ok: true;
      base: PitrBase;
      /** The files to replay, in order (the first from the base's position). */
      files: ChainFile[];
      /** Events before this instant are replayed (the end of the operator's second). */
      stopAt: Date;
    }
  | { ok: false; reason: 'future'; now: string }
  | { ok: false; reason: 'outside'; windows: RecoveryWindow[] };

/**
 * The restore of moment `target` (a second, as the operator picked it): every transaction up to the
 * end of that second and none after. The base is the newest backup whose consistent point lies
 * before the end of that second and whose unbroken files reach it; the files are those from its
 * position to the one that holds the moment.
 */
export function planPitr(target: Date, now: Date, bases: readonly PitrBase[], files: readonly ChainFile[]): PitrPlan {
  const stopAt = new Date(Math.floor(target.getTime() / 1000) * 1000 + 1000);
  if (target.getTime() > now.getTime()) return { ok: false, reason: 'future', now: now.toISOString() };
  const end = stopAt.toISOString();
  // A file's last event is kept to the second: a moment inside its last second is still covered.
  const covers = (r: { to: string; open: boolean }) => r.open || r.to.slice(0, 19) >= new Date(stopAt.getTime() - 1000).toISOString().slice(0, 19);
  const candidates = bases
    .map((b) => ({ b, r: reach(b, files) }))
    .filter((x) => x.r !== null && x.b.point.at < end && covers(x.r))
    .sort((x, y) => y.b.point.at.localeCompare(x.b.point.at));
  const best = candidates[0];
  if (!best || !best.r) return { ok: false, reason: 'outside', windows: recoveryWindows(bases, files) };
  const chain = best.r.chain;
  // Files opened after the stop moment hold nothing to replay.
  const needed = chain.filter((f, i) => i === 0 || f.first < end);
  return { ok: true, base: best.b, files: needed, stopAt };
}

// ---------------------------------------------------------------- coordinates

/** A copy's binlog info file: `binlog.000002<TAB>392302[<TAB>0-1-3]`. */
export function parseBinlogInfo(text: string): { file: string; position: number; gtid: string | null } | null {
  const [file, pos, gtid] = text.trim().split(/\t/);
  if (!file || !isBinlogName(file) || !pos || !/^\d+$/.test(pos)) return null;
  return { file, position: Number(pos), gtid: gtid?.trim() ? gtid.trim() : null };
}

/**
 * The snapshot's position a logical dump records as a comment near its top:
 * `-- CHANGE MASTER TO MASTER_LOG_FILE='binlog.000002', MASTER_LOG_POS=392302;` (MariaDB, MySQL 8.0)
 * or `-- CHANGE REPLICATION SOURCE TO SOURCE_LOG_FILE='…', SOURCE_LOG_POS=…;` (MySQL 8.4+).
 */
export function parseDumpCoordinates(head: string): { file: string; position: number } | null {
  const m = /^-- CHANGE (?:MASTER|REPLICATION SOURCE) TO (?:MASTER|SOURCE)_LOG_FILE='([^']+)',\s*(?:MASTER|SOURCE)_LOG_POS=(\d+);/m.exec(head);
  return m && isBinlogName(m[1]!) ? { file: m[1]!, position: Number(m[2]) } : null;
}

/** Collects the first bytes of a stream (the dump's head, where its coordinates are). */
export class HeadCollector {
  private parts: Buffer[] = [];
  private n = 0;
  constructor(private readonly max = 64 * 1024) {}
  push(chunk: Uint8Array): void {
    if (this.n >= this.max) return;
    const take = chunk.subarray(0, this.max - this.n);
    this.parts.push(Buffer.from(take));
    this.n += take.length;
  }
  text(): string {
    return Buffer.concat(this.parts).toString('utf8');
  }
}

// ---------------------------------------------------------------- the operator's moment

export const MOMENT_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

/**
 * "YYYY-MM-DD HH:MM:SS" in the host's time zone → the instant; null when it is not that form or
 * names no real local time (a day 31 of a 30-day month, an hour skipped by a clock change).
 */
export function parseMoment(text: string): Date | null {
  const m = MOMENT_RE.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const at = new Date(y, mo - 1, d, h, mi, s);
  const back = [at.getFullYear(), at.getMonth() + 1, at.getDate(), at.getHours(), at.getMinutes(), at.getSeconds()];
  return back.every((v, i) => v === [y, mo, d, h, mi, s][i]) ? at : null;
}

/** The instant as the operator reads it: host time, to the second. */
export function localMoment(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The instant in UTC as the binlog tools read it when their TZ is UTC. */
export const utcMoment = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

/** The host's zone as stated next to every moment: its name and offset at that moment. */
export function zoneLabel(d: Date, zone: string): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const a = Math.abs(off);
  return `${zone}, UTC${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

// ---------------------------------------------------------------- decoded events

export interface BinlogEvent {
  /** Unix seconds (the decoder ran with TZ=UTC). */
  at: number;
  file: string;
  position: number;
  /** Query, Write_rows, Delete_rows, Update_rows, Gtid, Xid, … */
  type: string;
  /** The statement, or the decoded row lines (`INSERT INTO …`), shortened. */
  text: string[];
}

/** Event types that only frame transactions or the file: not shown. */
const FRAME = new Set(['GTID', 'Gtid', 'Anonymous_GTID', 'Xid', 'Start', 'Previous-GTIDs', 'Binlog', 'Rotate', 'Stop', 'Table_map', 'Intvar', 'Rand', 'User_var', 'Annotate_rows', 'XA']);

/**
 * Events of `mysqlbinlog -vv --base64-output=decode-rows` / `mariadb-binlog` output, run with
 * TZ=UTC: each `# at <pos>` then `#YYMMDD HH:MM:SS server id … <Type>` header, then its body.
 * Statements are kept (BEGIN and COMMIT aside), row events as their decoded `###` lines.
 */
export function parseBinlogText(text: string, file: string, o: { maxLines?: number } = {}): BinlogEvent[] {
  const maxLines = o.maxLines ?? 6;
  const out: BinlogEvent[] = [];
  let pos = 0;
  let cur: BinlogEvent | null = null;
  let annotate: string[] = [];
  const flush = () => {
    if (cur && !FRAME.has(cur.type)) {
      const lines = cur.text.filter((l) => l.trim() !== '' && !/^(BEGIN|COMMIT)$/i.test(l.trim()));
      const body = /_rows/.test(cur.type) ? collapseRows(lines) : lines;
      if (body.length) out.push({ ...cur, text: body.slice(0, maxLines).concat(body.length > maxLines ? [`… (${body.length - maxLines} more line(s))`] : []) });
    }
    cur = null;
  };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const at = /^# at (\d+)$/.exec(line);
    if (at) {
      flush();
      pos = Number(at[1]);
      continue;
    }
    // `#261207 13:22:32 server id 1  end_log_pos 558 CRC32 0x… <TAB>Query<TAB>thread_id=…`: the type follows the tab.
    const h = /^#(\d{2})(\d{2})(\d{2}) +(\d{1,2}):(\d{2}):(\d{2}) server id \d+[^\t]*\t([A-Za-z][\w-]*)/.exec(line);
    if (h && !cur) {
      const [yy, mo, d, hh, mi, ss] = h.slice(1, 7).map(Number) as [number, number, number, number, number, number];
      const type = h[7]!.replace(/_v1$/, '');
      cur = { at: Date.UTC(2000 + yy, mo - 1, d, hh, mi, ss) / 1000, file, position: pos, type, text: [] };
      // MariaDB writes the statement of row events as an Annotate_rows event just before them.
      if (/_rows/.test(type) && annotate.length) cur.text.push(...annotate);
      if (type !== 'Annotate_rows') annotate = [];
      continue;
    }
    if (!cur) continue;
    const c: BinlogEvent = cur;
    if (c.type === 'Annotate_rows') {
      const q = /^#Q> ?(.*)$/.exec(line);
      if (q) annotate.push(q[1]!);
      continue;
    }
    if (line.startsWith('### ')) {
      const t = line.slice(4);
      // Row images: the statement line (INSERT INTO/UPDATE/DELETE FROM …) counts, column values follow it.
      if (/^(INSERT INTO|UPDATE|DELETE FROM) /.test(t)) c.text.push(t);
      continue;
    }
    if (line.startsWith('#') || line.startsWith('/*') || /^SET (TIMESTAMP|@@session|INSERT_ID|LAST_INSERT_ID|TRANSACTION ISOLATION)/i.test(line) || /^DELIMITER /.test(line) || /^use `/.test(line) || /^(START TRANSACTION|ROLLBACK)\b/.test(line)) continue;
    if (/^BINLOG '$/.test(line) || /^[A-Za-z0-9+/=]{20,}$/.test(line) || line === "'/*!*/;") continue;
    c.text.push(line.replace(/\/\*!\*\/;$/, '').trimEnd());
  }
  flush();
  return out;
}

/** A row event's `INSERT INTO t` line per row → one line with the count. */
function collapseRows(lines: string[]): string[] {
  const counts = new Map<string, number>();
  const other: string[] = [];
  for (const l of lines) {
    if (/^(INSERT INTO|UPDATE|DELETE FROM) `/.test(l)) counts.set(l, (counts.get(l) ?? 0) + 1);
    else other.push(l);
  }
  return [...other, ...[...counts].map(([l, n]) => `${l}  -- ${n} row(s)`)];
}
