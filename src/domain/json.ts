// Reading our own JSON state files (journals, history): anything torn, hand-edited or from another
// version reads as "none", and the caller decides what that means.
import type { z } from 'zod';

export function parseJsonAs<S extends z.ZodType>(schema: S, text: string): z.output<S> | null {
  try {
    const r = schema.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
