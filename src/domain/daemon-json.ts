// /etc/docker/daemon.json as it is on the host, read: the JSON with where it first goes wrong, the
// registry-mirrors it lists, and the flags dockerd gets on its command line. Pure; shared by the
// daemon.json merge (render/docker-daemon.ts) and the doctor.

export class DaemonJsonError extends Error {
  constructor(readonly reason: 'syntax' | 'not-object' | 'field', readonly detail: string, readonly line: number | null = null, readonly col: number | null = null) {
    super(`daemon.json: ${detail}`);
    this.name = 'DaemonJsonError';
  }
}

/**
 * Where JSON text first goes wrong (V8's messages do not always carry a position). A small
 * recursive-descent scan over the JSON grammar; returns the offset of the first bad character.
 */
export function jsonErrorOffset(text: string): number | null {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const str = () => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    if (text[i] !== '"') fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (c === '"') return str();
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
    if (!m) fail();
    i += m![0].length;
  };
  try {
    value();
    ws();
    return i < text.length ? i : null;
  } catch (at) {
    return typeof at === 'number' ? at : null;
  }
}

function lineCol(text: string, pos: number): { line: number; col: number } {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  return { line, col: pos - before.lastIndexOf('\n') };
}

/** The existing file as an object ({} when absent or empty). */
export function parseDaemonJson(text: string | null): Record<string, unknown> {
  if (text === null || text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    const off = jsonErrorOffset(text);
    const at = off === null ? { line: null, col: null } : lineCol(text, off);
    const near = off === null ? '' : off >= text.length ? 'unexpected end of file' : `unexpected ${JSON.stringify(text[off])}`;
    throw new DaemonJsonError('syntax', near || (e as Error).message.split('\n')[0]!, at.line, at.col);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new DaemonJsonError('not-object', 'the top level must be a JSON object { … }');
  return v as Record<string, unknown>;
}

/** Flag names (`--name`) given to a dockerd command line, e.g. from /proc/<pid>/cmdline or the unit's ExecStart. */
export function dockerdFlagNames(argv: readonly string[]): string[] {
  return [...new Set(argv.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]!))];
}

/** The existing registry-mirrors entries (an error when the field is not a list of strings). */
export function existingRegistryMirrors(cfg: Record<string, unknown>): string[] {
  const v = cfg['registry-mirrors'];
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new DaemonJsonError('field', '"registry-mirrors" must be a list of URLs');
  return v as string[];
}
