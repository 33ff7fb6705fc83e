// Reading a file that holds a secret (#15): the backup passphrase, S3 credentials, notification
// secrets. One function for every such file, so each is refused the same way (exit 3, the file,
// what is wrong, the fix) when another account could read it or choose its content.
import type { Context } from '../context.js';
import { secretFileProblem } from '../domain/secret-file.js';
import { hostError } from '../errors.js';

/** Secrets are one line or a few `KEY=value` lines: more is not a secret file. */
const SECRET_FILE_MAX = 64 * 1024;

/**
 * The text of the secret file `path`, or null when it does not exist. Refused (exit 3) when it is
 * not a regular file (a link is never followed), not owned by the account running stack-wizard (root
 * on a server), or readable or writable by anyone else; or when a folder on its way belongs to
 * another user (they could swap it). `what` names the answers key or variable that points at it.
 */
export async function readSecretFile(ctx: Context, path: string, what: string): Promise<string | null> {
  const f = await ctx.exec.fileOwnership(path);
  if (f === null) return null;
  const problem = secretFileProblem(f);
  if (problem) {
    const mode = (f.mode & 0o7777).toString(8).padStart(4, '0');
    throw hostError(`err.secretFile.${problem}`, {
      file: path,
      what,
      mode,
      owner: f.owner,
      user: f.euid === 0 ? 'root' : String(f.euid),
    });
  }
  return ctx.exec.readFile(path, { noFollow: true, maxBytes: SECRET_FILE_MAX });
}
