// System files the security steps own or edit, relative to the filesystem root (joined with "/"
// when applied), and the lock that serialises every ufw call of ours and of fail2ban's.
export const SYS = {
  ufwDefaults: 'etc/default/ufw',
  afterRules: 'etc/ufw/after.rules',
  after6Rules: 'etc/ufw/after6.rules',
  sysctl: 'etc/sysctl.d/60-stack-wizard.conf',
  fstab: 'etc/fstab',
  swapfile: 'swapfile',
  fail2banLog: 'var/log/fail2ban.log',
  logrotate: (project: string) => `etc/logrotate.d/stack-wizard-${project}`,
} as const;

/** ufw does not lock its rule files; fail2ban bans from several jails at once, and apply may run meanwhile. */
export const UFW_LOCK = '/run/lock/stack-wizard-ufw.lock';

/** `root` prefixes the path (STACK_WIZARD_ROOT: a chroot being prepared, or a test's folder). */
export const abs = (rel: string, root = '') => `${root}/${rel}`;
