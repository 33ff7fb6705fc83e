// A draft is a partial answers object (same shape as the answers file) that the wizard fills in
// step by step. Pure helpers to read and write it by dotted path; arrays are leaves.
export type Draft = Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function getPath(d: Draft, path: string): unknown {
  let cur: unknown = d;
  for (const k of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** A copy of `d` with `path` set to `v`; `undefined` deletes the key (and parents left empty). */
export function setPath(d: Draft, path: string, v: unknown): Draft {
  const [head, ...rest] = path.split('.');
  const out: Draft = { ...d };
  if (rest.length === 0) {
    if (v === undefined) delete out[head!];
    else out[head!] = v;
    return out;
  }
  const child = isObject(d[head!]) ? (d[head!] as Draft) : {};
  const next = setPath(child, rest.join('.'), v);
  if (Object.keys(next).length === 0) delete out[head!];
  else out[head!] = next;
  return out;
}

/** Dotted paths of every leaf (scalars and arrays) in an object. */
export function leafPaths(o: unknown, prefix = ''): string[] {
  if (!isObject(o)) return prefix ? [prefix] : [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (isObject(v) && Object.keys(v).length > 0) out.push(...leafPaths(v, p));
    else out.push(p);
  }
  return out;
}

/** Deep merge: `b` wins; arrays and scalars are replaced whole. */
export function mergeDraft(a: Draft, b: Draft): Draft {
  const out: Draft = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = isObject(v) && isObject(out[k]) ? mergeDraft(out[k] as Draft, v) : v;
  }
  return out;
}

/** Whether `path` or one of its parents is in `given`. */
export function isGiven(given: ReadonlySet<string>, path: string): boolean {
  if (given.has(path)) return true;
  const parts = path.split('.');
  for (let i = parts.length - 1; i > 0; i--) if (given.has(parts.slice(0, i).join('.'))) return true;
  return false;
}
