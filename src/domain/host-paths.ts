// The host's own files that steps read and write, by the absolute path the booted system knows
// them by. One convention: absolute everywhere; the host root (Context.hostRoot, set by
// STACK_WIZARD_ROOT: a chroot being prepared, a test's folder) is put in front by hostPath() alone.
export const SYS = {
  ufwDefaults: '/etc/default/ufw',
  afterRules: '/etc/ufw/after.rules',
  after6Rules: '/etc/ufw/after6.rules',
  sysctl: '/etc/sysctl.d/60-stack-wizard.conf',
  fstab: '/etc/fstab',
  swapfile: '/swapfile',
  logrotate: (project: string) => `/etc/logrotate.d/stack-wizard-${project}`,
  fail2banDir: '/etc/fail2ban',
  sourcesList: '/etc/apt/sources.list',
  sourcesDir: '/etc/apt/sources.list.d',
  dockerSources: '/etc/apt/sources.list.d/docker.sources',
  daemonJson: '/etc/docker/daemon.json',
  dockerPid: '/var/run/docker.pid',
  systemdDir: '/etc/systemd/system',
  cronDir: '/etc/cron.d',
} as const;

/** ufw does not lock its rule files; fail2ban bans from several jails at once, and apply may run meanwhile. */
export const UFW_LOCK = '/run/lock/stack-wizard-ufw.lock';

/** `path` (absolute) under the host root; '' is the live machine's own root. */
export const hostPath = (root: string, path: string): string => `${root}${path}`;

/** STACK_WIZARD_ROOT as a root to prefix: no trailing slash, and "/" (the live root) is ''. */
export const hostRootOf = (value: string | undefined): string => (value ?? '').replace(/\/+$/, '');

/** Originals are kept beside the file, once (the first original wins). apt ignores *.bak silently. */
export const backupPath = (p: string) => `${p}.stack-wizard.bak`;
