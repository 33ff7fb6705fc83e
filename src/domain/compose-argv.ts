// The `docker compose` command line of an installed stack, spelled once: steps run it through the
// Executor, doctor shows it to the operator. --project-directory makes relative paths in the file
// (./nginx/…) and .env resolve against the install dir whatever the working directory.
import { join } from 'node:path';

/** The compose file's name in the install dir: operators and their scripts run `docker compose` there, so it is fixed. */
export const COMPOSE_FILE = 'docker-compose.yml';

/** argv for `docker` (from `compose` on): the stack's compose file, then `args`. */
export function composeArgv(installDir: string, ...args: string[]): string[] {
  return ['compose', '--project-directory', installDir, '-f', join(installDir, COMPOSE_FILE), ...args];
}

/** argv for `docker` with the compose file read from standard input (a file not yet written, for a preview). */
export function composeStdinArgv(installDir: string, ...args: string[]): string[] {
  return ['compose', '--project-directory', installDir, '-f', '-', ...args];
}
