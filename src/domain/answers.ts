// The answers file: what the operator chose. Keys of docs/CONTRACT.md#answers are fixed; the rest are ours.
import { z } from 'zod';
import { refusalKey, splitCommandLine } from './command-line.js';
import { DB_ENGINES, DB_ENGINE_IDS, DEFAULT_DB_ENGINE, type DbEngineId } from './engines/index.js';
import { SERVICE_NAMES, type ServiceName } from './services.js';
import { CACHE_ENGINES, CACHE_ENGINE_IDS, DEFAULT_CACHE_ENGINE } from './cache/index.js';
import { SWARM_NGINX_FLOOR, belowFloor, floorOf, formatVersion } from './versions.js';
import { MIRROR_KINDS, type MirrorKind } from './mirror-kinds/index.js';
import {
  LIMITS, bounded, containerPath, emailValue, headerName, healthPath, hostPath, installDirValue, mirrorUrl, plainText, urlPathValue,
} from './safe-values.js';
import { DAILY_RE, DURATION_RE, WEEKLY_RE, drillClashes, parseDuration } from './schedule.js';
import { isLocalHost, webhookUrlProblem } from './local-address.js';

export const PROJECT_RE = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
// distribution/reference grammar: [host[:port]/]path[:tag][@digest]
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?)`;
export const IMAGE_REF_RE = new RegExp(
  `^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`,
);
// RFC 1123 host name with at least one dot; IDNs must be given in punycode.
export const DOMAIN_RE = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const SIZE_RE = /^[0-9]+[kmg]?$/;
const CIDR_RE = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}(?:\/(?:3[0-2]|[12]?\d))?|[0-9a-fA-F:]+:[0-9a-fA-F:.]*(?:\/(?:12[0-8]|1[01]\d|\d?\d))?)$/;

export const port = z.number().int().min(1).max(65535);
const imageRef = bounded(LIMITS.url).regex(IMAGE_REF_RE, 'v.imageRef');
const urlPath = urlPathValue;
// Every value that reaches a shell, a config line, a unit, a cron line, a compose path or a URL is allow-listed (./safe-values.ts).
const absPath = hostPath;
const argv = z.array(plainText()).min(1).max(LIMITS.argv);
/**
 * A command: the argv list, or one line split as a shell splits it but run without one (#22.11);
 * a line that needs a shell is refused with the reason (src/domain/command-line.ts).
 */
const commandArgv = z
  // Only the shape here: the items' own checks (length, characters) run after, in argv, with their messages.
  .union([z.array(z.string()), z.string()])
  .transform((v, ctx) => {
    if (Array.isArray(v)) return v;
    const r = splitCommandLine(v);
    if ('argv' in r) return r.argv;
    ctx.addIssue({ code: 'custom', message: refusalKey(r.feature), params: { text: r.text, at: r.at } });
    return z.NEVER;
  })
  .pipe(argv);
const cidr = bounded(LIMITS.short).regex(CIDR_RE, 'v.cidr');
/** One IPv4 or IPv6 address, no range (CIDR_RE without its prefix length). */
const NODE_ADDR_RE = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}|[0-9a-fA-F:]+:[0-9a-fA-F:.]*)$/;

export { SERVICE_NAMES, type ServiceName };

export const RUNTIMES = ['python-asgi', 'python-wsgi', 'node', 'java', 'generic'] as const;
export type Runtime = (typeof RUNTIMES)[number];
/**
 * Capabilities an app image may be given back (#15.8): those of Docker's default set that an
 * entrypoint dropping to its own user needs (gosu, su-exec, php-fpm's master, a port below 1024).
 * Not NET_RAW, MKNOD, SYS_CHROOT, SETFCAP or AUDIT_WRITE: an app has no use for them.
 */
export const APP_CAPS = ['CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'] as const;

/** The series each database engine offers (its module in engines/). */
export const DB_VERSIONS = Object.fromEntries(DB_ENGINE_IDS.map((id) => [id, DB_ENGINES[id].series])) as Readonly<Record<DbEngineId, readonly string[]>>;
const orList = (xs: readonly string[]) => (xs.length > 1 ? `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}` : xs.join(''));
const SERIES_TEXT = DB_ENGINE_IDS.map((id) => `${id} ${orList(DB_ENGINES[id].offered)}`).join(', ');
const KEPT = DB_ENGINE_IDS.flatMap((id) => DB_ENGINES[id].series.filter((x) => !DB_ENGINES[id].offered.includes(x)).map((x) => `${id} ${x}`));
const KEPT_TEXT = KEPT.length ? `; ${KEPT.join(', ')} only for a stack that already runs it (past its end of life)` : '';
const DEFAULT_SERIES_TEXT = DB_ENGINE_IDS.map((id) => `${DB_ENGINES[id].defaultSeries} for ${id}`).join(', ');

/**
 * One argv token of a command stack-wizard runs itself (app.migrate): no whitespace, quotes or shell
 * metacharacters, so it reads the same in a log, in a shown command line and in the container.
 */
export const ARGV_TOKEN_RE = /^[A-Za-z0-9_@%+=:,./-]{1,256}$/;
const argvToken = z.string().regex(ARGV_TOKEN_RE, 'v.argvToken');

const AppSchema = z.strictObject({
  image: imageRef.describe('Image of your application, as docker pulls it: [registry/]path[:tag][@sha256:…]'),
  port: port.default(8000).describe('Port the app listens on inside its container (Nginx proxies to it; never published)'),
  health: healthPath.default('/health').describe('Path that answers 2xx when the app is ready: its container healthcheck'),
  runtime: z.enum(RUNTIMES).default('generic').describe('Sizes the worker processes: uvicorn, gunicorn, Node processes, one JVM, or one process per core'),
  /** Overrides the image's CMD; an argv list, never a shell string. */
  command: commandArgv.optional().describe("Replaces the image's CMD: an argv list, or one line split as a shell would but never run by one (quotes group, nothing is expanded; pipes, ;, &&, redirections, $ and globs are refused)"),
  /** The background worker's argv (same image), e.g. ["celery","-A","app","worker"]. */
  workerCommand: commandArgv.optional().describe('The background worker\'s argv (same image), e.g. ["celery", "-A", "app", "worker"], or one line split as a shell would but never run by one; needed with components.worker'),
  /**
   * The worker's health check, an argv run inside its container (exit 0 = healthy), e.g.
   * ["celery","-A","app","inspect","ping"]. Default: the worker holds a TCP connection to its queue.
   */
  workerHealth: argv
    .optional()
    .describe("The worker's healthcheck argv, run inside it, exit 0 = healthy, e.g. [\"celery\", \"-A\", \"app\", \"inspect\", \"ping\"] (default: an open connection to RabbitMQ, else Redis, else MySQL)"),
  /**
   * The database migration, an argv run by `update` in a one-off container of the new image (the
   * app's environment, no shell) after the pre-update backup and before any traffic moves.
   */
  migrate: z
    .array(argvToken)
    .min(1)
    .max(64)
    .optional()
    .describe('The database migration argv, run by update in a one-off container of the new image before the switch, e.g. ["python", "manage.py", "migrate", "--noinput"] (default: none)'),
  /** Extra non-secret environment for app and worker. */
  env: z.record(bounded(LIMITS.short).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'v.envName'), plainText()).refine((e) => Object.keys(e).length <= LIMITS.envEntries, { message: 'v.tooMany', params: { max: LIMITS.envEntries } }).default({}).describe('More environment for app and worker (no secrets: those live in .env); $ is kept literally'),
  /** Where the app keeps user uploads inside its container; gets a named volume that backups include. */
  dataDir: containerPath.optional().describe('Folder of user uploads inside the app container: gets a named volume that backups include'),
  /** The app and worker run with every capability dropped; an image whose entrypoint switches user names what it needs back. */
  capAdd: z.array(z.enum(APP_CAPS)).max(APP_CAPS.length).default([]).describe('Capabilities the app image needs back after cap_drop ALL (default none), e.g. ["CHOWN", "SETUID", "SETGID"] for an entrypoint that switches user'),
  /** Read-only root file system with a tmpfs on /tmp; false for an image that writes elsewhere (dataDir holds uploads either way). */
  readOnly: z.boolean().default(true).describe("The app's and worker's root file system read-only, /tmp a tmpfs (default true); false for an image that writes inside itself"),
}).describe('Your application container (compose service app; the worker runs the same image)');

const DatabaseSchema = z
  .strictObject({
    engine: z.enum(DB_ENGINE_IDS).default(DEFAULT_DB_ENGINE).describe('The database server; the compose service is called mysql either way'),
    version: bounded(LIMITS.short).optional().describe(`Series: ${SERIES_TEXT}${KEPT_TEXT} (default: ${DEFAULT_SERIES_TEXT})`),
    name: bounded(LIMITS.short).regex(/^[A-Za-z0-9_]{1,64}$/, 'v.dbName').optional().describe('Database created for the app (default: the project name with - as _)'),
    user: bounded(LIMITS.short).regex(/^[A-Za-z0-9_]{1,32}$/, 'v.dbUser').default('app').describe('Database user of the app; its password is generated into .env'),
  })
  .superRefine((db, ctx) => {
    if (db.version === undefined) return;
    const allowed: readonly string[] = DB_VERSIONS[db.engine];
    if (!allowed.includes(db.version)) {
      ctx.addIssue({ code: 'custom', path: ['version'], message: 'v.dbVersion', params: { engine: db.engine, allowed: allowed.join(', ') } });
    }
  });

const ComponentsSchema = z.strictObject({
  redis: z.boolean().default(true).describe('Redis (cache, sessions, queues)'),
  worker: z.boolean().default(false).describe('A background worker container running app.workerCommand'),
  rabbitmq: z.boolean().default(false).describe('RabbitMQ (the app gets RABBITMQ_URL)'),
  minio: z.boolean().default(false).describe('MinIO, S3-compatible object storage (the app gets S3_ENDPOINT and keys)'),
  monitoring: z.boolean().default(false).describe('node-exporter, Prometheus and Grafana (Grafana on 127.0.0.1:3000 only)'),
});

const ImagesSchema = z.strictObject(
  Object.fromEntries(SERVICE_NAMES.filter((s) => s !== 'app' && s !== 'worker').map((s) => [s, imageRef.optional()])) as Record<
    Exclude<ServiceName, 'app' | 'worker'>,
    z.ZodOptional<typeof imageRef>
  >,
).describe('Per-service image overrides (a private registry or a mirror prefix) for mysql, redis, nginx, rabbitmq, minio, node-exporter, prometheus, grafana; default: the tested tags');

const NginxSchema = z.strictObject({
  /** Paths answered with server-sent events: buffering off, long timeouts. */
  ssePaths: z.array(urlPath).max(LIMITS.listEntries).default([]).describe('Paths answered with server-sent events: no buffering, long timeouts'),
  /** Paths that upgrade to WebSocket. */
  websocketPaths: z.array(urlPath).max(LIMITS.listEntries).default([]).describe('Paths that upgrade to WebSocket'),
  /** Login-like paths that get the strict rate limit. */
  loginPaths: z.array(urlPath).max(LIMITS.listEntries).default(['/login', '/api/login', '/api/auth/login']).describe('Login-like paths that get the strict rate limit (GET, HEAD and OPTIONS exempt)'),
  /** Prefix of the API, proxied to the app; `/` proxies everything. */
  apiPrefix: urlPath.default('/').describe('Prefix proxied to the app; / proxies everything'),
  clientMaxBodySize: bounded(16).regex(SIZE_RE, 'v.size').default('20m').describe('Largest request body (uploads), as Nginx writes sizes: 20m, 512k'),
  /** Serve a built front end (index.html + hashed assets) from this host folder; the API prefix still goes to the app. */
  frontendDir: absPath.optional().describe('Host folder of a built front end (index.html and hashed assets) that Nginx serves at /; needs an apiPrefix other than /'),
  /** Behind a cloud load balancer or CDN: trust these addresses for the client IP header. */
  realIp: z
    .strictObject({
      from: z.array(cidr).min(1).max(LIMITS.listEntries).describe('Addresses or CIDR ranges of the load balancer or CDN'),
      header: headerName.default('X-Forwarded-For').describe('Header that carries the client address'),
    })
    .optional()
    .describe('Behind a cloud load balancer or CDN: take the client address from its header'),
});

const SecuritySchema = z.strictObject({
  firewall: z.boolean().default(true).describe('ufw: deny incoming except SSH, HTTP(S) and extraPorts, Docker-published ports included'),
  fail2ban: z.boolean().default(true).describe('fail2ban jails for sshd and Nginx abuse'),
  sshPort: z.union([z.literal('auto'), port]).default('auto').describe('SSH port kept open; auto = every port sshd really listens on'),
  /** More TCP ports to open to the world. */
  extraPorts: z.array(port).max(LIMITS.listEntries).default([]).describe('More TCP ports to open to the world'),
  /** Addresses fail2ban never bans (the operator's own). */
  ignoreIp: z.array(cidr).max(LIMITS.listEntries).default([]).describe('Addresses or ranges fail2ban never bans (your own)'),
});

/** A file a secret is read from: absolute, plain names only (no `..`, spaces or shell characters), read as root. */
export const SECRET_PATH_RE = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._@+-]+)+$/;
const secretPath = bounded(LIMITS.hostPath).regex(SECRET_PATH_RE, 'v.secretPath');
const duration = (min: string) =>
  bounded(LIMITS.short)
    .regex(DURATION_RE, 'v.duration')
    .refine((s) => (parseDuration(s) ?? Infinity) >= parseDuration(min)!, { message: 'v.durationMin', params: { min } });

const BackupS3Schema = z
  .strictObject({
    endpoint: mirrorUrl.describe('S3 endpoint URL, e.g. https://oss-cn-hangzhou.aliyuncs.com or https://cos.ap-shanghai.myqcloud.com'),
    bucket: bounded(LIMITS.short).regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'v.bucket').describe('Bucket name'),
    region: bounded(LIMITS.short).regex(/^[a-z0-9-]{1,32}$/, 'v.region').default('us-east-1').describe('Region used in the SigV4 signature'),
    prefix: bounded(LIMITS.urlPath).regex(/^[A-Za-z0-9._/-]*$/, 'v.s3Prefix').default('').describe('Key prefix; objects go to <prefix><project>/<backup ID>/<file>'),
    credentialsFile: absPath.optional().describe('File with AWS_ACCESS_KEY_ID= and AWS_SECRET_ACCESS_KEY= lines, else the environment'),
    keep: z.number().int().min(1).max(3650).optional().describe('How many backups the bucket keeps; older ones are deleted after each upload (default: backup.keep)'),
    addressing: z
      .enum(['auto', 'path', 'virtual'])
      .optional()
      .describe('path: <endpoint>/<bucket>/<key>; virtual: <bucket>.<endpoint host>/<key> (Aliyun OSS and Tencent COS need it for new buckets); auto (default): virtual for AWS, Aliyun and Tencent endpoints, path elsewhere'),
  })
  .describe('Copy each backup to an S3-compatible bucket, checked after upload, pruned to s3.keep');

const robotUrl = bounded(2048)
  .superRefine((u, ctx) => {
    const p = webhookUrlProblem(u);
    if (p) ctx.addIssue({ code: 'custom', message: p === 'credentials' ? 'v.urlCredentials' : p === 'scheme' ? 'v.robotHttps' : 'v.httpUrl' });
  });
const mailbox = bounded(254).email();
const smtpHost = bounded(253).regex(/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\[?[0-9A-Fa-f:.]+\]?$/, 'v.host');

export const NOTIFY_KINDS = ['wecom', 'dingtalk', 'feishu', 'webhook', 'email'] as const;
export type NotifyKind = (typeof NOTIFY_KINDS)[number];

const NotifyChannelSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('wecom'), url: robotUrl.describe('The group robot\'s webhook URL (…/cgi-bin/webhook/send?key=…)') }).describe('WeCom (企业微信) group robot'),
  z
    .strictObject({
      kind: z.literal('dingtalk'),
      url: robotUrl.describe('The robot\'s webhook URL (…/robot/send?access_token=…)'),
      secretFile: secretPath.optional().describe('File holding the robot\'s signing secret (SEC…), mode 0600: every request is signed'),
    })
    .describe('DingTalk (钉钉) custom robot'),
  z
    .strictObject({
      kind: z.literal('feishu'),
      url: robotUrl.describe('The bot\'s webhook URL (…/open-apis/bot/v2/hook/…; Lark: open.larksuite.com)'),
      secretFile: secretPath.optional().describe('File holding the bot\'s signature secret, mode 0600: every message carries its signature'),
    })
    .describe('Feishu (飞书) or Lark custom bot'),
  z
    .strictObject({
      kind: z.literal('webhook'),
      url: robotUrl.describe('Receives a JSON POST per event'),
      secretFile: secretPath.optional().describe('File holding a secret: the body is signed with HMAC-SHA256 in X-Stack-Wizard-Signature'),
    })
    .describe('A generic JSON webhook'),
  z
    .strictObject({
      kind: z.literal('email'),
      host: smtpHost.describe('SMTP server'),
      port: port.default(587).describe('SMTP port: 587 with starttls, 465 with tls'),
      tls: z.enum(['starttls', 'tls', 'none']).default('starttls').describe('starttls (upgrade after connecting), tls (TLS from the first byte) or none (loopback and private addresses only)'),
      user: bounded(256).regex(/^[^\s\0]{1,256}$/, 'v.smtpUser').optional().describe('Login name (AUTH PLAIN or LOGIN); needs passwordFile'),
      passwordFile: secretPath.optional().describe('File holding the SMTP password, mode 0600'),
      from: mailbox.describe('Sender address'),
      to: z.array(mailbox).min(1).max(20).describe('Recipients'),
      caFile: secretPath.optional().describe('PEM file of a private CA that signed the server\'s certificate (default: the system\'s CAs)'),
    })
    .describe('Email over SMTP'),
]);
export type NotifyChannel = z.infer<typeof NotifyChannelSchema>;

const NotifySchema = z
  .strictObject({
    channels: z.array(NotifyChannelSchema).max(10).default([]).describe('Where alerts go: wecom, dingtalk, feishu, webhook, email'),
    lang: z.enum(['en', 'zh-CN']).optional().describe('Language of the messages (default: zh-CN with region cn, else en)'),
    repeatAfter: duration('10m').optional().describe('An event still going on is sent again after this long, not before; a recovery is sent once (default: 12h)'),
    hostname: bounded(LIMITS.short).regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/, 'v.hostname').optional().describe("Name of this server in the messages (default: the host's name)"),
  })
  .describe('Alerts: backup failed or missing, drill failed, remote copy failed, certificates, disk, containers, mirrors, update rolled back');

const BackupSchema = z.strictObject({
  keep: z.number().int().min(1).max(365).default(7).describe('How many backups are kept; the oldest are removed after each backup'),
  schedule: z
    .union([z.literal('off'), bounded(5).regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'v.schedule')])
    .default('03:00')
    .describe("Daily backup time HH:MM in the host's time zone (a systemd timer, else cron), or off"),
  /** Encrypt every backup file (gpg, AES-256) with the passphrase in this file (first line) or STACK_WIZARD_BACKUP_PASSPHRASE; never the passphrase itself here. */
  passphraseFile: absPath.optional().describe('File whose first line is the backup passphrase (mode 0600), else STACK_WIZARD_BACKUP_PASSPHRASE; never the passphrase itself'),
  encrypt: z.boolean().optional().describe('Encrypt every backup file with gpg (AES-256) (default: true when passphraseFile is set)'),
  /** Copy each backup to an S3-compatible bucket (AWS SigV4). Keys come from credentialsFile (AWS_ACCESS_KEY_ID=, AWS_SECRET_ACCESS_KEY=) or the environment. */
  s3: BackupS3Schema.optional(),
  /** The weekly restore drill: the newest backup restored into throwaway containers and compared with its manifest. */
  drill: z
    .union([z.literal('off'), bounded(LIMITS.short).regex(WEEKLY_RE, 'v.drill')])
    .optional()
    .describe('Weekly restore drill as "Sun 04:00" (day and HH:MM, host time zone), or off; at least an hour from backup.schedule (default: Sun 04:00, moved when the backup is near)'),
  /** The dead-man's switch: a backup not complete this long after its scheduled time is an alert. */
  grace: duration('1m').optional().describe("How long after backup.schedule a backup may take before it counts as missing (the dead-man's switch; default: 6h)"),
});

const httpUrl = mirrorUrl;
export { MIRROR_KINDS, type MirrorKind };
/** Chosen mirror base URLs per kind; normally filled in by the mirror probe. */
const MirrorsSchema = z
  .strictObject({
    ...(Object.fromEntries(MIRROR_KINDS.map((k) => [k, httpUrl.optional()])) as Record<MirrorKind, z.ZodOptional<typeof httpUrl>>),
    // The operator's own Docker Hub accelerator: described in the object's text (a key's own text would split the README's one row).
    accelerator: httpUrl.optional(),
    // Kinds the operator left at the tools' defaults on purpose (the region screen's "none"): init does not pick one for them.
    none: z.array(z.enum(MIRROR_KINDS)).max(MIRROR_KINDS.length).optional(),
  })
  .describe(
    `Mirror base URLs per kind (${MIRROR_KINDS.join(', ')}); init probes them and stops on a dead one; default: the fastest live one in region cn. accelerator: your own Docker Hub accelerator (an Aliyun https://<id>.mirror.aliyuncs.com, a company proxy), probed with the registry mirrors on the plan's images. none: kinds left at the tools' defaults on purpose (init picks none for them)`,
  );

/** Docker Swarm across several servers (#20): the same plan as a stack file; roles are node labels (domain/swarm.ts). */
const SwarmSchema = z.strictObject({
  appReplicas: z.number().int().min(1).max(64).default(2).describe('App replicas, spread over the nodes labelled app (start with one per app node)'),
  workerReplicas: z.number().int().min(1).max(64).default(1).describe('Worker replicas (components.worker), on the nodes labelled app'),
  encrypted: z.boolean().default(false).describe("Encrypt the overlay networks between nodes (IPsec ESP: needs the kernel's esp modules on every node; required when nodes talk over public addresses)"),
  // Single addresses, never ranges: the Swarm ports open to exactly these (#20.4).
  nodes: z.array(bounded(LIMITS.short).regex(NODE_ADDR_RE, 'v.nodeAddress')).max(LIMITS.listEntries).optional().describe("Every node's address the swarm runs on (as cluster init/join advertise it): the firewall opens the Swarm ports (2377/tcp, 7946/tcp+udp, 4789/udp) to these only"),
}).describe('Options of deploy: swarm');

// Messages are i18n keys (src/i18n/catalog/validation.ts), translated when the error is printed.
export const AnswersSchema = z
  .strictObject({
    $schema: bounded(LIMITS.url).optional().describe('JSON Schema for editors (ignored)'),
    project: bounded(LIMITS.short).regex(PROJECT_RE, 'v.project').describe('Lowercase letters, digits and -: names containers, volumes and the install dir'),
    preset: z.enum(['auto', '4g', '8g', '16g']).default('auto').describe('Size preset; auto sizes every service from the measured RAM and cores'),
    region: z.enum(['cn', 'global']).default('global').describe('cn: mainland-China mirrors for everything downloaded'),
    domain: bounded(253).regex(DOMAIN_RE, 'v.domain').optional().describe('Public host name; without it the stack is served on the IP over HTTP'),
    tls: z
      .enum(['letsencrypt', 'self-signed', 'custom', 'none'])
      .optional()
      .describe('Certificates for HTTPS (default: letsencrypt with a domain, none without)'),
    email: emailValue.optional().describe("Contact for Let's Encrypt (needed with tls: letsencrypt)"),
    certificate: z
      .strictObject({ cert: absPath.describe('Full-chain PEM certificate on the host'), key: absPath.describe('Its private key (PEM)') })
      .optional()
      .describe('Your certificate, needed with tls: custom'),
    app: AppSchema,
    database: DatabaseSchema.default({ engine: DEFAULT_DB_ENGINE, user: 'app' }).describe(orList(DB_ENGINE_IDS.map((id) => DB_ENGINES[id].label))),
    components: ComponentsSchema.default({ redis: true, worker: false, rabbitmq: false, minio: false, monitoring: false }).describe('Optional services'),
    images: ImagesSchema.default({}),
    installDir: installDirValue.optional().describe('Where the stack files and backups live (default: /opt/stack-wizard/<project>)'),
    ports: z
      .strictObject({
        http: port.default(80).describe('Host port Nginx publishes for HTTP'),
        https: port.default(443).describe('Host port Nginx publishes for HTTPS'),
      })
      .default({ http: 80, https: 443 })
      .describe('The only ports published on the host'),
    security: SecuritySchema.default({ firewall: true, fail2ban: true, sshPort: 'auto', extraPorts: [], ignoreIp: [] }).describe('Firewall and fail2ban (security apply, run by init)'),
    backup: BackupSchema.default({ keep: 7, schedule: '03:00' }).describe('Backups under <installDir>/backups'),
    nginx: NginxSchema.default({
      ssePaths: [], websocketPaths: [], loginPaths: ['/login', '/api/login', '/api/auth/login'], apiPrefix: '/', clientMaxBodySize: '20m',
    }).describe('Reverse proxy options'),
    redis: z
      .strictObject({
        mode: z
          .enum(['cache', 'queue'])
          .optional()
          .describe('cache evicts least-recently-used keys when full; queue never evicts (writes fail instead); default: queue when the worker has no RabbitMQ (Redis is its broker), else cache'),
      })
      .default({})
      .describe('Redis options'),
    cache: z
      .strictObject({
        engine: z
          .enum(CACHE_ENGINE_IDS)
          .default(DEFAULT_CACHE_ENGINE)
          .describe(`The server behind the compose service redis: ${orList(CACHE_ENGINE_IDS.map((id) => `${id} (${CACHE_ENGINES[id].label})`))}; clients see no difference (REDIS_URL, port 6379)`),
      })
      .default({ engine: DEFAULT_CACHE_ENGINE })
      .describe('The Redis-protocol server (components.redis)'),
    mirrors: MirrorsSchema.default({}),
    notify: NotifySchema.optional(),
    // Optional without a default, so the answers written for a single server stay as they were.
    deploy: z.enum(['compose', 'swarm']).optional().describe('compose: one server (the default); swarm: a Docker Swarm of several servers, rendered as docker-stack.yml'),
    swarm: SwarmSchema.optional(),
  })
  .superRefine((a, ctx) => {
    const tls = a.tls ?? (a.domain ? 'letsencrypt' : 'none');
    if (tls === 'letsencrypt') {
      if (!a.domain) ctx.addIssue({ code: 'custom', path: ['tls'], message: 'v.leNeedsDomain' });
      if (!a.email) ctx.addIssue({ code: 'custom', path: ['email'], message: 'v.leNeedsEmail' });
    }
    if (tls === 'custom' && !a.certificate) {
      ctx.addIssue({ code: 'custom', path: ['certificate'], message: 'v.customNeedsCert' });
    }
    // With a front end, `/` serves its files; the API needs a prefix of its own or it would shadow them.
    if (a.nginx.frontendDir && a.nginx.apiPrefix === '/') {
      ctx.addIssue({ code: 'custom', path: ['nginx', 'apiPrefix'], message: 'v.frontendNeedsApiPrefix' });
    }
    if (a.ports.http === a.ports.https) ctx.addIssue({ code: 'custom', path: ['ports', 'https'], message: 'v.samePorts' });
    if (a.components.worker && !a.app.workerCommand) {
      ctx.addIssue({ code: 'custom', path: ['app', 'workerCommand'], message: 'v.workerNeedsCommand' });
    }
    // An image older than the generated config's floor would reject (Nginx) or ignore (Redis) what we write.
    for (const service of ['nginx', 'redis'] as const) {
      const image = a.images[service];
      const floor = floorOf(service, CACHE_ENGINES[a.cache.engine]);
      const v = image ? belowFloor(floor, image) : null;
      if (v) {
        ctx.addIssue({ code: 'custom', path: ['images', service], message: 'v.imageTooOld', params: { service, version: formatVersion(v), floor: formatVersion(floor) } });
      }
    }
    const b = a.backup;
    if (b.drill && b.drill !== 'off' && DAILY_RE.test(b.schedule) && drillClashes(b.drill, b.schedule)) {
      ctx.addIssue({ code: 'custom', path: ['backup', 'drill'], message: 'v.drillClash', params: { schedule: b.schedule } });
    }
    for (const [i, ch] of (a.notify?.channels ?? []).entries()) {
      if (ch.kind !== 'email') continue;
      if (ch.tls === 'none' && !isLocalHost(ch.host)) ctx.addIssue({ code: 'custom', path: ['notify', 'channels', i, 'tls'], message: 'v.smtpPlain' });
      if (ch.user && !ch.passwordFile) ctx.addIssue({ code: 'custom', path: ['notify', 'channels', i, 'passwordFile'], message: 'v.smtpNeedsPassword' });
    }
    if (a.deploy === 'swarm') swarmIssues(a, tls).forEach((i) => ctx.addIssue({ code: 'custom', ...i }));
    else if (a.swarm) ctx.addIssue({ code: 'custom', path: ['deploy'], message: 'v.swarmNeedsDeploy' });
    // A worker without RabbitMQ takes its jobs from Redis: an evicting Redis drops queued jobs silently when full.
    if (a.redis.mode === 'cache' && redisIsBroker(a)) {
      ctx.addIssue({ code: 'custom', path: ['redis', 'mode'], message: 'v.redisBrokerEvicts' });
    }
    const sshPort = a.security.sshPort;
    if (typeof sshPort === 'number' && (sshPort === a.ports.http || sshPort === a.ports.https)) {
      ctx.addIssue({ code: 'custom', path: ['security', 'sshPort'], message: 'v.sshPortClash' });
    }
  });

type AnswersShape = z.output<typeof AnswersSchema>;
/**
 * What a stack on several nodes cannot take yet: files on one host's disk that a task on another
 * node would not find (certificates made on the host, a front-end folder, uploads on a local
 * volume) and the monitoring services, which watch one host.
 */
function swarmIssues(a: AnswersShape, tls: string): { path: (string | number)[]; message: string; params?: Record<string, string> }[] {
  const out: { path: (string | number)[]; message: string; params?: Record<string, string> }[] = [];
  if (tls === 'letsencrypt' || tls === 'self-signed') out.push({ path: ['tls'], message: 'v.swarmTls', params: { tls } });
  if (a.nginx.frontendDir) out.push({ path: ['nginx', 'frontendDir'], message: 'v.swarmUnsupported' });
  if (a.app.dataDir) out.push({ path: ['app', 'dataDir'], message: 'v.swarmUnsupported' });
  if (a.components.monitoring) out.push({ path: ['components', 'monitoring'], message: 'v.swarmUnsupported' });
  // Nginx re-resolves the app's replicas by DNS with `resolve` on the upstream server (1.27.3+).
  const image = a.images.nginx;
  const v = image ? belowFloor(SWARM_NGINX_FLOOR, image) : null;
  if (v) out.push({ path: ['images', 'nginx'], message: 'v.imageTooOld', params: { service: 'nginx', version: formatVersion(v), floor: formatVersion(SWARM_NGINX_FLOOR) } });
  return out;
}

/** The worker takes its jobs from Redis (no RabbitMQ): queued jobs live in Redis's keys. */
export function redisIsBroker(a: { components: { redis: boolean; worker: boolean; rabbitmq: boolean } }): boolean {
  return a.components.redis && a.components.worker && !a.components.rabbitmq;
}

/** redis.mode as given, else queue when Redis is the worker's broker (a queue must not be evicted), else cache. */
export function redisMode(a: Pick<Answers, 'components' | 'redis'>): 'cache' | 'queue' {
  return a.redis.mode ?? (redisIsBroker(a) ? 'queue' : 'cache');
}

export type AnswersInput = z.input<typeof AnswersSchema>;
export type Answers = z.output<typeof AnswersSchema>;
