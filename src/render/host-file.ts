// A file of the host's own (firewall, fail2ban, kernel settings, apt sources, daemon.json, units,
// cron entries) as its generator made it: the pure stage's output for the host, as RenderedFile is
// for the stack. Generators are pure functions of the plan, the facts and the live file's text;
// the preview diffs `content` against `old`, and the step that owns the file applies it.
export interface HostFile {
  /** Absolute, as the booted host names it; the host root is put in front when read or written (domain/host-paths.ts). */
  path: string;
  /** The new content; null removes the file. */
  content: string | null;
  /** What the live file holds now; null: absent. */
  old: string | null;
  mode: number;
  /** Said beside the write in a step's changes ("DOCKER-USER", "IPV6=yes"). */
  why?: string;
  /** Where the original is kept before the first rewrite (apt sources, daemon.json); unset once a copy exists. */
  backup?: string;
}

export const hostFile = (path: string, content: string | null, old: string | null, mode = 0o644, extra: Pick<HostFile, 'why' | 'backup'> = {}): HostFile => ({
  path,
  content,
  old,
  mode,
  ...(extra.why ? { why: extra.why } : {}),
  ...(extra.backup ? { backup: extra.backup } : {}),
});

/** Whether applying the file changes the host. */
export const changes = (f: HostFile): boolean => f.content !== f.old;
