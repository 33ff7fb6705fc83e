// Where this program itself lives on the host (what a schedule runs again later).
import { realpathSync } from 'node:fs';

/** The running script by its real path (symlinks resolved); as given when it cannot be resolved. */
export function ownScript(): string {
  const script = process.argv[1] ?? '';
  try {
    return realpathSync(script);
  } catch {
    return script; // kept as given
  }
}
