// fail2ban as policy: what bans go into on this host, and what the jails need to know about it.
// Pure: src/host/security.ts finds these out, src/render/security-fail2ban.ts writes the files.

export type BanWith = 'ufw' | 'iptables' | 'nftables' | 'firewalld';

/** The firewall programs a host has running or installed. */
export interface FirewallPrograms { ufwActive: boolean; firewalld: boolean; iptables: boolean; nft: boolean }

/**
 * Where fail2ban puts its bans: ufw when the stack's firewall is ufw (or ufw is on anyway); else the
 * firewall the host runs: firewalld (its own rules, or fail2ban's would be thrown away on reload),
 * iptables, or nftables on a host without the iptables command. null: nothing to ban with.
 */
export function banBackend(firewallOn: boolean, f: FirewallPrograms): BanWith | null {
  if (firewallOn || f.ufwActive) return 'ufw';
  if (f.firewalld) return 'firewalld';
  if (f.iptables) return 'iptables';
  if (f.nft) return 'nftables';
  return null;
}

/** Where sshd's log lines can be read: the journal (Debian 12 writes no auth.log) or a file. */
export type SshLog = { backend: 'systemd' } | { backend: 'file'; path: string };

export interface Fail2banHost {
  sshLog: SshLog;
  /** What bans go into: see banBackend. */
  banWith: BanWith;
  /** Docker's DOCKER-USER chain exists: the iptables fallback bans there too. */
  dockerUser: boolean;
  /** Where fail2ban logs its own bans, for recidive: a file, or the journal. */
  fail2banLog: SshLog;
  /** The operator's address(es) now (SSH_CONNECTION, else the logged-in SSH sessions): never banned. */
  operatorAddresses: readonly string[];
}
