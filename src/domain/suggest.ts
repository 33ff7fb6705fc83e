// "Did you mean": the closest of a few known names to what was typed (an unknown flag, #22.12).

/** Edit distance (insert, delete, substitute, swap of two neighbours). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known name meant by `typed`, or null when none is close: a name it is the start of (3+
 * characters: `--ans` → `--answers`), else the nearest within a third of its length (at most 2
 * edits, so `--bogus` suggests nothing rather than a guess).
 */
export function closest(typed: string, known: readonly string[]): string | null {
  const t = typed.toLowerCase();
  if (t.length >= 3) {
    const starts = known.filter((k) => k.toLowerCase().startsWith(t));
    if (starts.length === 1) return starts[0]!;
  }
  const limit = Math.min(2, Math.max(1, Math.floor(t.length / 3)));
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const dist = editDistance(t, k.toLowerCase());
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return bestD <= limit ? best : null;
}
