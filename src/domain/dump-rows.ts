// Counts the rows a mysqldump / mariadb-dump stream holds, per `db.table`, as the dump streams by:
// the manifest records what the dump really contains (taken in the dump's own snapshot), and
// verify compares it with COUNT(*) after loading the dump into a throwaway server.
//
// The dump's shape: `USE \`db\`;` lines, `CREATE TABLE \`t\` (` lines (a table with no rows still
// counts, as 0), and extended inserts `INSERT INTO \`t\` VALUES (…),(…);`. A row is a top-level
// parenthesis inside VALUES; strings ('…' with backslash escapes, or '' doubled) may contain
// anything, so quotes are tracked byte by byte. A byte loop, no regex over the data: it must keep
// up with the dump (hundreds of MB/s).
import { byCodePoint } from './order.js';

const enum S {
  /** At the start of a line: collecting its head to see what it is. */
  Head,
  /** Skipping to the end of an uninteresting line. */
  Skip,
  /** Inside VALUES, outside a string. */
  Values,
  /** Inside a quoted string in VALUES. */
  Str,
  /** After a backslash inside a string. */
  Esc,
}

const NL = 0x0a;
const HEAD_MAX = 512;
const INSERT = 'INSERT INTO `';
const CREATE = 'CREATE TABLE `';
const USE = 'USE `';

/** The identifier after `prefix`: backquoted, with `` standing for one backquote. */
function ident(head: string, prefix: string): { name: string; rest: string } | null {
  let i = prefix.length;
  let name = '';
  while (i < head.length) {
    const ch = head[i]!;
    if (ch === '`') {
      if (head[i + 1] === '`') {
        name += '`';
        i += 2;
        continue;
      }
      return { name, rest: head.slice(i + 1) };
    }
    name += ch;
    i++;
  }
  return null;
}

export class DumpRowCounter {
  private state: S = S.Head;
  private head: number[] = [];
  private db = '';
  private table = '';
  private depth = 0;
  private readonly rows = new Map<string, number>();

  private key(table: string) {
    return this.db ? `${this.db}.${table}` : table;
  }

  /** Decides what the collected line head is; returns the state to continue in. */
  private classify(): S {
    const head = Buffer.from(this.head).toString('utf8');
    if (head.startsWith(INSERT)) {
      const id = ident(head, INSERT);
      // The head is cut at HEAD_MAX or at " VALUES "; a name longer than that is not a table's.
      if (!id) return S.Skip;
      this.table = this.key(id.name);
      if (!this.rows.has(this.table)) this.rows.set(this.table, 0);
      this.depth = 0;
      return S.Values;
    }
    if (head.startsWith(CREATE)) {
      const id = ident(head, CREATE);
      if (id && !this.rows.has(this.key(id.name))) this.rows.set(this.key(id.name), 0);
      return S.Skip;
    }
    if (head.startsWith(USE)) {
      const id = ident(head, USE);
      if (id) this.db = id.name;
      return S.Skip;
    }
    return S.Skip;
  }

  push(chunk: Uint8Array): void {
    let state = this.state;
    let depth = this.depth;
    let count = state === S.Values || state === S.Str || state === S.Esc ? this.rows.get(this.table) ?? 0 : 0;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk[i]!;
      switch (state) {
        case S.Head: {
          if (c === NL) {
            // A whole short line (USE `db`;), or "INSERT INTO `t` VALUES" with its rows on the next
            // lines (mariadb-dump 10.x writes one row per line).
            const next = this.classify();
            this.head = [];
            if (next === S.Values) {
              count = this.rows.get(this.table) ?? 0;
              state = S.Values;
              depth = 0;
            }
            break;
          }
          this.head.push(c);
          const len = this.head.length;
          // Enough to decide once the line cannot be one of ours, or once VALUES has begun.
          if (len === 1 && c !== 0x49 /* I */ && c !== 0x43 /* C */ && c !== 0x55 /* U */) {
            this.head = [];
            state = S.Skip;
          } else if (c === 0x28 /* ( */ || c === 0x3b /* ; */ || len >= HEAD_MAX) {
            // "INSERT INTO `t` VALUES (" — the first "(" starts the first row.
            const next = this.classify();
            this.head = [];
            if (next === S.Values) {
              count = this.rows.get(this.table) ?? 0;
              state = S.Values;
              depth = 0;
              if (c === 0x28) {
                depth = 1;
                count++;
              }
            } else state = next;
          }
          break;
        }
        case S.Skip:
          if (c === NL) state = S.Head;
          break;
        case S.Values:
          if (c === 0x27 /* ' */) state = S.Str;
          else if (c === 0x28) {
            if (depth === 0) count++;
            depth++;
          } else if (c === 0x29 /* ) */) depth--;
          else if (c === 0x3b && depth === 0) {
            this.rows.set(this.table, count);
            state = S.Skip;
          }
          break;
        case S.Str:
          if (c === 0x5c /* \ */) state = S.Esc;
          else if (c === 0x27) state = S.Values;
          break;
        case S.Esc:
          state = S.Str;
          break;
      }
    }
    if (state === S.Values || state === S.Str || state === S.Esc) this.rows.set(this.table, count);
    this.state = state;
    this.depth = depth;
  }

  /** Rows per `db.table`, sorted by name. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.rows.entries()].sort(([a], [b]) => byCodePoint(a, b)));
  }
}
