// Where generated files live: relative to the install dir on the host, and where containers see them.
// Shared by the generators, so a path is spelled once.
import { COMPOSE_FILE } from '../domain/compose-argv.js';

export const HOST = {
  compose: COMPOSE_FILE,
  env: '.env',
  /** The normalised answers the stack was rendered from; every later command reads it. */
  answers: 'stack-wizard.yaml',
  /** Hashes of every rendered file and the template version, to see hand edits and offer updates. */
  manifest: '.stack-wizard/manifest.json',
  /** Written by restore before each phase: a killed restore is finished or undone from it. */
  restoreJournal: '.stack-wizard/restore.json',
  /** The same for update. */
  updateJournal: '.stack-wizard/update.json',
  nginxConf: 'nginx/nginx.conf',
  nginxConfD: 'nginx/conf.d',
  nginxSite: 'nginx/conf.d/default.conf',
  /** Self-signed or copied-in certificates. */
  nginxCerts: 'nginx/certs',
  /** ACME http-01 challenge files, written by certbot, served by nginx. */
  acmeWebroot: 'nginx/acme',
  /** Let's Encrypt state (certificates, renewal config). */
  letsencrypt: 'letsencrypt',
  /** Nginx logs on the host, where fail2ban reads them. */
  nginxLogs: 'logs/nginx',
  /** certbot's own logs and working files (locks), kept beside the stack. */
  certbotLogs: 'logs/letsencrypt',
  certbotWork: '.stack-wizard/certbot',
  /** systemd units the stack installs on the host (`systemctl link`), e.g. the certificate renewal timer. */
  systemd: 'systemd',
  mysqlCnf: 'mysql/conf.d/stack-wizard.cnf',
  redisConf: 'redis/redis.conf',
  /** The one-shot minio-init's script and the app's bucket policy (#15.8). */
  minioInit: 'minio/init.sh',
  minioPolicy: 'minio/app-policy.json',
  prometheusConf: 'monitoring/prometheus.yml',
  grafanaDatasource: 'monitoring/grafana/provisioning/datasources/prometheus.yml',
  backups: 'backups',
  /** One line per restore drill (`backup drill`): status, doctor and the dead-man's switch read it. */
  drillLog: '.stack-wizard/drills.jsonl',
  /** One line per upload of a backup to the bucket (backup.s3). */
  remoteLog: '.stack-wizard/remote.jsonl',
  /** What was sent for each alert (de-duplication) and the watch's own samples (disk, restarts). */
  notifyState: '.stack-wizard/notify.json',
} as const;

export const CONTAINER = {
  nginxConf: '/etc/nginx/nginx.conf',
  nginxConfD: '/etc/nginx/conf.d',
  nginxCerts: '/etc/nginx/certs',
  acmeWebroot: '/var/www/acme',
  letsencrypt: '/etc/letsencrypt',
  frontend: '/usr/share/nginx/frontend',
  nginxLogs: '/var/log/nginx',
  mysqlCnf: '/etc/mysql/conf.d/stack-wizard.cnf',
  mysqlData: '/var/lib/mysql',
  redisConf: '/usr/local/etc/redis/redis.conf',
  redisData: '/data',
  appData: '/data',
  minioData: '/data',
  minioInit: '/stack-wizard/minio-init.sh',
  minioPolicy: '/stack-wizard/app-policy.json',
  rabbitmqData: '/var/lib/rabbitmq',
  prometheusConf: '/etc/prometheus/prometheus.yml',
  prometheusData: '/prometheus',
  grafanaData: '/var/lib/grafana',
  grafanaProvisioning: '/etc/grafana/provisioning',
} as const;

/** The self-signed certificate under HOST.nginxCerts (host) / CONTAINER.nginxCerts (container). */
export const SELF_SIGNED_CERT = { cert: 'selfsigned/fullchain.pem', key: 'selfsigned/privkey.pem' } as const;

/** The path on the host under the install dir where the operator drops a custom certificate. */
export const CUSTOM_CERT = { cert: 'custom/fullchain.pem', key: 'custom/privkey.pem' } as const;

/** Health endpoint nginx answers for itself (loopback only), used by its container healthcheck. */
export const NGINX_HEALTH_PATH = '/__stack_wizard_health';
