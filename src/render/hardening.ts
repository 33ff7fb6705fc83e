// Container hardening of the generated stack (#15.8): every service drops every capability and
// gets back only what its image's entrypoint needs, cannot gain privileges (no-new-privileges),
// runs on a read-only root file system with tmpfs for what it writes outside its volumes where
// the image allows, and has a process limit. Capabilities follow the official images' entrypoints
// (docker-library mysql, mariadb, redis, nginx, rabbitmq; minio/minio), proven with the lab's images.
import { dbEngine } from '../domain/engines/index.js';
import type { Plan } from '../domain/plan.js';

export interface Hardening {
  /** Capability → why the image needs it. */
  caps: Readonly<Record<string, string>>;
  /** Why no capability is needed, when none is. */
  none?: string;
  /** tmpfs paths under a read-only root, or why the root stays writable. */
  rootfs: { tmpfs: readonly string[] } | { writable: string };
  pids: number;
}

// The step every official data image takes as root before it drops to its own user:
// `find <data> ! -user X -exec chown X` then gosu/setpriv (su-exec in Alpine builds).
const CHOWN_DATA = 'the entrypoint hands its data folder to the server user (find … -exec chown)';
const SETUID = 'gosu/setpriv switches to the server user';
const SETGID = "gosu/setpriv sets that user's groups";
const NON_ROOT = 'the image runs as its own non-root user';
const READ_DATA = "root's find descends into the server user's 0700 folders on a restart";

function services(plan: Plan): Record<string, Hardening> {
  const db = dbEngine(plan.database.engine);
  const appCaps = Object.fromEntries(plan.app.capAdd.map((c) => [c, 'asked for in the answers (app.capAdd)']));
  const app: Hardening = {
    caps: appCaps,
    none: 'app.capAdd in the answers gives none back',
    rootfs: plan.app.readOnly ? { tmpfs: ['/tmp'] } : { writable: 'app.readOnly is false in the answers' },
    // Pre-forked workers and their threads stay well below (a JVM with Tomcat's 200 request threads runs ~300); a fork bomb stops here.
    pids: 1024,
  };
  return {
    app,
    worker: app,
    mysql: {
      caps: {
        CHOWN: `${CHOWN_DATA} and the socket folder`,
        SETUID,
        SETGID,
        [db.rootFileAccess.cap]: db.rootFileAccess.why,
      },
      rootfs: db.rootfs,
      // One thread per connection plus InnoDB's background, I/O and purge threads.
      pids: plan.database.maxConnections + 256,
    },
    redis: {
      caps: { CHOWN: CHOWN_DATA, SETUID, SETGID, DAC_READ_SEARCH: READ_DATA },
      // Everything else it writes is in /data (its volume); /tmp for the healthcheck's shell.
      rootfs: { tmpfs: ['/tmp'] },
      // The main thread, a few I/O and background threads, the RDB/AOF-rewrite child, the healthcheck.
      pids: 128,
    },
    nginx: {
      caps: {
        CHOWN: 'the master hands its temporary folders (client bodies, proxy buffers) to the worker user',
        SETUID: 'the master runs its workers as user nginx',
        SETGID: "the master sets the workers' group",
        NET_BIND_SERVICE: 'the master binds 80 and 443 (engines before 20.10 do not open low ports to every process)',
      },
      // Temporary folders (/var/cache/nginx), the pid file (/var/run → /run), /tmp.
      rootfs: { tmpfs: ['/var/cache/nginx', '/run', '/tmp'] },
      // The master, one worker per core, the cache manager and loader, the healthcheck.
      pids: 64 + plan.nginx.workerProcesses,
    },
    rabbitmq: {
      caps: {
        CHOWN: CHOWN_DATA,
        SETUID,
        SETGID,
        DAC_OVERRIDE: `${READ_DATA}; rabbitmq-diagnostics (the healthcheck, as root) reads the 0400 Erlang cookie; not proven lower here: no RabbitMQ in the lab`,
      },
      rootfs: { writable: 'not proven read-only here (no RabbitMQ in the lab)' },
      // Erlang's schedulers, dirty schedulers and async threads: about 100 on 16 cores.
      pids: 512,
    },
    minio: {
      // The image runs minio as root (no user switch): its volume is root's.
      caps: {},
      none: 'minio runs as root (no user switch) and owns its volume',
      rootfs: {
        writable:
          'its healthcheck (mc) writes its config under the home folder; not proven read-only here (no MinIO in the lab)',
      },
      // Go's runtime adds a thread per call blocked in disk I/O; under load MinIO runs hundreds.
      pids: 1024,
    },
    'minio-init': {
      caps: {},
      none: 'mc only talks to MinIO over the network',
      rootfs: { tmpfs: ['/tmp'] },
      pids: 64,
    },
    // The monitoring images run as their own non-root users (USER in the image): nothing to give back.
    'node-exporter': { caps: {}, none: NON_ROOT, rootfs: { tmpfs: [] }, pids: 128 },
    prometheus: { caps: {}, none: NON_ROOT, rootfs: { tmpfs: [] }, pids: 512 },
    grafana: {
      caps: {},
      none: NON_ROOT,
      rootfs: { writable: 'Grafana writes plugins and sessions beside its data; not proven read-only here' },
      pids: 512,
    },
  };
}

export function hardeningOf(plan: Plan, service: string): Hardening {
  const h = services(plan)[service];
  if (!h) throw new Error(`no hardening for service ${service}`);
  return h;
}

/** The Compose keys of a service's hardening, in the order they are written (its process limit goes in deploy.resources.limits.pids). */
export function hardeningKeys(h: Hardening, tmpfsKey = true): Record<string, unknown> {
  const out: Record<string, unknown> = { cap_drop: ['ALL'] };
  const caps = Object.keys(h.caps).sort();
  if (caps.length) out.cap_add = caps;
  out.security_opt = ['no-new-privileges:true'];
  if ('tmpfs' in h.rootfs) {
    out.read_only = true;
    if (tmpfsKey && h.rootfs.tmpfs.length) out.tmpfs = [...h.rootfs.tmpfs];
  }
  return out;
}

/** The comment written above a service's cap_drop: why each capability is back, or that none is. */
export function hardeningComment(h: Hardening): string {
  const caps = Object.entries(h.caps).sort(([a], [b]) => (a < b ? -1 : 1));
  const lines = caps.length
    ? caps.map(([c, why]) => ` ${c}: ${why}`)
    : [` No capability: ${h.none ?? 'nothing in the image needs one'}.`];
  if ('writable' in h.rootfs) lines.push(` Root file system writable: ${h.rootfs.writable}.`);
  return lines.join('\n');
}
