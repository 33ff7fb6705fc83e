// What a file holding a secret that stack-wizard reads (the backup passphrase, S3 credentials, a
// notification secret) must be (#15): a regular file of the account that runs stack-wizard (root on a
// server), readable by nobody else. Anyone else who can write it chooses the secret root uses; anyone
// who can read it has the secret. Pure: the facts come from Executor.fileOwnership.

/** A name as lstat sees it (a link not followed), with the uid of the process asking. */
export interface FileOwnership {
  kind: 'file' | 'link' | 'other';
  uid: number;
  mode: number;
  euid: number;
  owner: string;
}

export type SecretFileProblem = 'notFile' | 'owner' | 'mode';

export function secretFileProblem(f: FileOwnership): SecretFileProblem | null {
  if (f.kind !== 'file') return 'notFile';
  if (f.uid !== f.euid) return 'owner';
  // No bit for the group or others, and no set-id or sticky bits either.
  if ((f.mode & 0o7077) !== 0) return 'mode';
  return null;
}
