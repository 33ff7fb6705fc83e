// Every check doctor runs, in the order they are reported when severities tie, with the evidence
// source each one reads (several checks share one: `disk` feeds disk and inodes).
import { diskCheck, dnsCheck, inodesCheck, loadCheck, memoryCheck, oomCheck, swapCheck, timeCheck } from './checks-host.js';
import type { DiskEvidence, DnsEvidence, LoadEvidence, MemoryEvidence, OomEvidence, SwapEvidence, TimeEvidence } from './checks-host.js';
import { composeCheck, dockerCheck, dockerLogsCheck, dockerSpaceCheck, oomContainersCheck, restartsCheck, servicesCheck, versionsCheck } from './checks-docker.js';
import type { ComposeEvidence, DockerEvidence, DockerLogsEvidence, DockerSpaceEvidence, ServicesEvidence } from './checks-docker.js';
import { httpCheck, nginxConfigCheck, portsCheck, type HttpEvidence, type NginxConfigEvidence, type PortsEvidence } from './checks-web.js';
import { mysqlConnectionsCheck, mysqlMemoryCheck, mysqlSlowCheck, redisMemoryCheck, redisPersistenceCheck, type MysqlEvidence, type RedisEvidence } from './checks-data.js';
import { tlsChainCheck, tlsExpiryCheck, tlsNameCheck, tlsRenewalCheck, type TlsEvidence } from './checks-tls.js';
import { exposureCheck, fail2banCheck, firewallCheck, selfBanCheck, sshCheck, type ExposureEvidence, type Fail2banEvidence, type FirewallEvidence, type SshEvidence } from './checks-security.js';
import { envCheck, filesCheck, mirrorsCheck, pullCheck, type EnvEvidence, type FilesEvidence, type MirrorsEvidence, type PullEvidence } from './checks-files.js';
import { journalsCheck, type JournalsEvidence } from './checks-journals.js';
import { backupsCheck, type BackupsEvidence } from './checks-backups.js';
import type { CheckDef, Symptom } from './types.js';

/** Evidence by source: what src/host/doctor/gather-<area>.ts collect (src/host/doctor/sources.ts lists them). */
export interface EvidenceSources {
  disk: DiskEvidence;
  memory: MemoryEvidence;
  oom: OomEvidence;
  swap: SwapEvidence;
  time: TimeEvidence;
  dns: DnsEvidence;
  load: LoadEvidence;
  docker: DockerEvidence;
  dockerSpace: DockerSpaceEvidence;
  dockerLogs: DockerLogsEvidence;
  compose: ComposeEvidence;
  services: ServicesEvidence;
  ports: PortsEvidence;
  nginxConfig: NginxConfigEvidence;
  http: HttpEvidence;
  mysql: MysqlEvidence;
  redis: RedisEvidence;
  tls: TlsEvidence;
  firewall: FirewallEvidence;
  exposure: ExposureEvidence;
  fail2ban: Fail2banEvidence;
  ssh: SshEvidence;
  mirrors: MirrorsEvidence;
  pull: PullEvidence;
  files: FilesEvidence;
  env: EnvEvidence;
  journals: JournalsEvidence;
  backups: BackupsEvidence;
}
export type SourceId = keyof EvidenceSources;

export interface CheckEntry<K extends SourceId = SourceId> { source: K; def: CheckDef<EvidenceSources[K]> }
const entry = <K extends SourceId>(source: K, def: CheckDef<EvidenceSources[K]>): CheckEntry => ({ source, def }) as unknown as CheckEntry;

export const CHECKS: readonly CheckEntry[] = [
  entry('docker', dockerCheck),
  entry('disk', diskCheck),
  entry('disk', inodesCheck),
  entry('memory', memoryCheck),
  entry('oom', oomCheck),
  entry('swap', swapCheck),
  entry('load', loadCheck),
  entry('time', timeCheck),
  entry('dns', dnsCheck),
  entry('files', filesCheck),
  entry('env', envCheck),
  entry('compose', composeCheck),
  entry('services', servicesCheck),
  entry('services', restartsCheck),
  entry('services', oomContainersCheck),
  entry('services', versionsCheck),
  entry('ports', portsCheck),
  entry('nginxConfig', nginxConfigCheck),
  entry('http', httpCheck),
  entry('mysql', mysqlConnectionsCheck),
  entry('mysql', mysqlSlowCheck),
  entry('mysql', mysqlMemoryCheck),
  entry('redis', redisMemoryCheck),
  entry('redis', redisPersistenceCheck),
  entry('tls', tlsExpiryCheck),
  entry('tls', tlsNameCheck),
  entry('tls', tlsChainCheck),
  entry('tls', tlsRenewalCheck),
  entry('firewall', firewallCheck),
  entry('exposure', exposureCheck),
  entry('fail2ban', fail2banCheck),
  entry('fail2ban', selfBanCheck),
  entry('ssh', sshCheck),
  entry('mirrors', mirrorsCheck),
  entry('pull', pullCheck),
  entry('dockerSpace', dockerSpaceCheck),
  entry('dockerLogs', dockerLogsCheck),
  entry('journals', journalsCheck),
  entry('backups', backupsCheck),
];

export const checkById = (id: string) => CHECKS.find((c) => c.def.id === id);

/** The checks for a symptom (all of them for `all`), in report order. */
export function checksFor(symptom: Symptom): CheckEntry[] {
  return CHECKS.filter((c) => symptom === 'all' || c.def.symptoms.includes(symptom));
}
