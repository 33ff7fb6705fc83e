// The answers file: what the operator chose. Keys of DESIGN.md §5 are fixed; the rest are ours.
import { z } from 'zod';

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
const URL_PATH_RE = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;
const SIZE_RE = /^[0-9]+[kmg]?$/;
const CIDR_RE = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}(?:\/(?:3[0-2]|[12]?\d))?|[0-9a-fA-F:]+:[0-9a-fA-F:.]*(?:\/(?:12[0-8]|1[01]\d|\d?\d))?)$/;

export const port = z.number().int().min(1).max(65535);
const imageRef = z.string().regex(IMAGE_REF_RE, 'v.imageRef');
const urlPath = z.string().regex(URL_PATH_RE, 'v.urlPath');
const absPath = z.string().regex(/^\/[^\0]*$/, 'v.absPath');

export const SERVICE_NAMES = [
  'app', 'worker', 'mysql', 'redis', 'nginx', 'rabbitmq', 'minio', 'node-exporter', 'prometheus', 'grafana',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const RUNTIMES = ['python-asgi', 'python-wsgi', 'node', 'java', 'generic'] as const;
export type Runtime = (typeof RUNTIMES)[number];

export const DB_VERSIONS = { mysql: ['8.0', '8.4'], mariadb: ['10.11', '11.4', '11.8'] } as const;

const AppSchema = z.strictObject({
  image: imageRef,
  port: port.default(8000),
  health: urlPath.default('/health'),
  runtime: z.enum(RUNTIMES).default('generic'),
  /** Overrides the image's CMD; an argv list, never a shell string. */
  command: z.array(z.string()).min(1).optional(),
  /** The background worker's argv (same image), e.g. ["celery","-A","app","worker"]. */
  workerCommand: z.array(z.string()).min(1).optional(),
  /**
   * The worker's health check, an argv run inside its container (exit 0 = healthy), e.g.
   * ["celery","-A","app","inspect","ping"]. Default: the worker holds a TCP connection to its queue.
   */
  workerHealth: z.array(z.string()).min(1).optional(),
  /** Extra non-secret environment for app and worker. */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'v.envName'), z.string()).default({}),
  /** Where the app keeps user uploads inside its container; gets a named volume that backups include. */
  dataDir: absPath.optional(),
});

const DatabaseSchema = z
  .strictObject({
    engine: z.enum(['mysql', 'mariadb']).default('mysql'),
    version: z.string().optional(),
    name: z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'v.dbName').optional(),
    user: z.string().regex(/^[A-Za-z0-9_]{1,32}$/, 'v.dbUser').default('app'),
  })
  .superRefine((db, ctx) => {
    if (db.version === undefined) return;
    const allowed: readonly string[] = DB_VERSIONS[db.engine];
    if (!allowed.includes(db.version)) {
      ctx.addIssue({ code: 'custom', path: ['version'], message: 'v.dbVersion', params: { engine: db.engine, allowed: allowed.join(', ') } });
    }
  });

const ComponentsSchema = z.strictObject({
  redis: z.boolean().default(true),
  worker: z.boolean().default(false),
  rabbitmq: z.boolean().default(false),
  minio: z.boolean().default(false),
  monitoring: z.boolean().default(false),
});

const ImagesSchema = z.strictObject(
  Object.fromEntries(SERVICE_NAMES.filter((s) => s !== 'app' && s !== 'worker').map((s) => [s, imageRef.optional()])) as Record<
    Exclude<ServiceName, 'app' | 'worker'>,
    z.ZodOptional<typeof imageRef>
  >,
);

const NginxSchema = z.strictObject({
  /** Paths answered with server-sent events: buffering off, long timeouts. */
  ssePaths: z.array(urlPath).default([]),
  /** Paths that upgrade to WebSocket. */
  websocketPaths: z.array(urlPath).default([]),
  /** Login-like paths that get the strict rate limit. */
  loginPaths: z.array(urlPath).default(['/login', '/api/login', '/api/auth/login']),
  /** Prefix of the API, proxied to the app; `/` proxies everything. */
  apiPrefix: urlPath.default('/'),
  clientMaxBodySize: z.string().regex(SIZE_RE, 'v.size').default('20m'),
  /** Serve a built front end (index.html + hashed assets) from this host folder; the API prefix still goes to the app. */
  frontendDir: absPath.optional(),
  /** Behind a cloud load balancer or CDN: trust these addresses for the client IP header. */
  realIp: z.strictObject({ from: z.array(z.string().regex(CIDR_RE, 'v.cidr')).min(1), header: z.string().default('X-Forwarded-For') }).optional(),
});

const SecuritySchema = z.strictObject({
  firewall: z.boolean().default(true),
  fail2ban: z.boolean().default(true),
  sshPort: z.union([z.literal('auto'), port]).default('auto'),
  /** More TCP ports to open to the world. */
  extraPorts: z.array(port).default([]),
  /** Addresses fail2ban never bans (the operator's own). */
  ignoreIp: z.array(z.string().regex(CIDR_RE, 'v.cidr')).default([]),
});

const BackupSchema = z.strictObject({
  keep: z.number().int().min(1).max(365).default(7),
  schedule: z.union([z.literal('off'), z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'v.schedule')]).default('03:00'),
  /** Encrypt every backup file (gpg, AES-256) with the passphrase in this file (first line) or STACK_WIZARD_BACKUP_PASSPHRASE; never the passphrase itself here. */
  passphraseFile: absPath.optional(),
  encrypt: z.boolean().optional(),
  /** Copy each backup to an S3-compatible bucket (AWS SigV4). Keys come from credentialsFile (AWS_ACCESS_KEY_ID=, AWS_SECRET_ACCESS_KEY=) or the environment. */
  s3: z
    .strictObject({
      endpoint: z.string().url().regex(/^https?:\/\//, 'v.httpUrl'),
      bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'v.bucket'),
      region: z.string().regex(/^[a-z0-9-]{1,32}$/).default('us-east-1'),
      prefix: z.string().regex(/^[A-Za-z0-9._/-]*$/).default(''),
      credentialsFile: absPath.optional(),
    })
    .optional(),
});

const httpUrl = z.string().url().regex(/^https?:\/\//, 'v.httpUrl');
export const MIRROR_KINDS = ['apt-debian', 'apt-ubuntu', 'docker-ce', 'registry', 'image-prefix', 'npm', 'pypi', 'node'] as const;
export type MirrorKind = (typeof MIRROR_KINDS)[number];
/** Chosen mirror base URLs per kind; normally filled in by the mirror probe. */
const MirrorsSchema = z.strictObject(
  Object.fromEntries(MIRROR_KINDS.map((k) => [k, httpUrl.optional()])) as Record<MirrorKind, z.ZodOptional<typeof httpUrl>>,
);

// Messages are i18n keys (src/i18n/catalog/validation.ts), translated when the error is printed.
export const AnswersSchema = z
  .strictObject({
    $schema: z.string().optional(),
    project: z.string().regex(PROJECT_RE, 'v.project'),
    preset: z.enum(['auto', '4g', '8g', '16g']).default('auto'),
    region: z.enum(['cn', 'global']).default('global'),
    domain: z.string().regex(DOMAIN_RE, 'v.domain').optional(),
    tls: z.enum(['letsencrypt', 'self-signed', 'custom', 'none']).optional(),
    email: z.string().email().optional(),
    certificate: z.strictObject({ cert: absPath, key: absPath }).optional(),
    app: AppSchema,
    database: DatabaseSchema.default({ engine: 'mysql', user: 'app' }),
    components: ComponentsSchema.default({ redis: true, worker: false, rabbitmq: false, minio: false, monitoring: false }),
    images: ImagesSchema.default({}),
    installDir: absPath.optional(),
    ports: z.strictObject({ http: port.default(80), https: port.default(443) }).default({ http: 80, https: 443 }),
    security: SecuritySchema.default({ firewall: true, fail2ban: true, sshPort: 'auto', extraPorts: [], ignoreIp: [] }),
    backup: BackupSchema.default({ keep: 7, schedule: '03:00' }),
    nginx: NginxSchema.default({
      ssePaths: [], websocketPaths: [], loginPaths: ['/login', '/api/login', '/api/auth/login'], apiPrefix: '/', clientMaxBodySize: '20m',
    }),
    redis: z.strictObject({ mode: z.enum(['cache', 'queue']).default('cache') }).default({ mode: 'cache' }),
    mirrors: MirrorsSchema.default({}),
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
    const sshPort = a.security.sshPort;
    if (typeof sshPort === 'number' && (sshPort === a.ports.http || sshPort === a.ports.https)) {
      ctx.addIssue({ code: 'custom', path: ['security', 'sshPort'], message: 'v.sshPortClash' });
    }
  });

export type AnswersInput = z.input<typeof AnswersSchema>;
export type Answers = z.output<typeof AnswersSchema>;
