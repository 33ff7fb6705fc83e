// The doctor e2e's stack on the lab server: the lab answers with self-signed TLS, app settings
// that carry secrets (for the bundle's redaction), known .env secrets, and Docker's data on a
// size-limited filesystem so "disk nearly full" is a real full disk.
import type { Client, Server } from '../../lab/lab.js';
import { waitFor } from '../../lab/lab.js';
import { INSTALL_DIR, PROJECT, labAnswers } from './apply-lab.js';

export { INSTALL_DIR, PROJECT };
export const DOCTOR_ANSWERS = '/root/lab/answers-doctor.yaml';

/** Secrets the bundle must not contain: .env's (kept by init, 16+ letters and digits) and the app's. */
export const KNOWN = {
  MYSQL_ROOT_PASSWORD: 'RootKn0wnSecret4DoctorTestA1b2C3',
  MYSQL_PASSWORD: 'AppKn0wnSecret4DoctorTestD4e5F6g',
  REDIS_PASSWORD: 'RedisKn0wnSecret4DoctorTestH7i8J',
  dsnPassword: 'DsnPw9xLq2Vt7',
  apiToken: 'Tok3nQw8Er5Ty2Ui9Op4As6Df1Gh',
};

/** labAnswers with HTTPS (self-signed) and app settings a real app carries: a DSN with a password, an API token. */
export function doctorAnswers(): string {
  return labAnswers()
    .replace('  runtime: python-wsgi\n', `  runtime: python-wsgi\n  env:\n    SENTRY_DSN: "https://pubkey:${KNOWN.dsnPassword}@sentry.example.com/4"\n    PAYMENT_API_TOKEN: "${KNOWN.apiToken}"\n`)
    .replace('security:', 'tls: self-signed\nsecurity:');
}

export const knownEnv = () =>
  ['# stack-wizard secrets', `COMPOSE_PROJECT_NAME=${PROJECT}`, ...['MYSQL_ROOT_PASSWORD', 'MYSQL_PASSWORD', 'REDIS_PASSWORD'].map((k) => `${k}=${KNOWN[k as keyof typeof KNOWN]}`), ''].join('\n');

/** The tmpfs for Docker's data: 6 GiB to pass init's preflight; shrunk only in the disk case. */
export const DOCKER_FS = '6g';

/**
 * Docker's data root moved onto a tmpfs of DOCKER_FS, before the stack is installed: the lab
 * server's own volume is larger than anything the test could fill, a tmpfs is sized at will
 * (mount needs only SYS_ADMIN, which the lab server has). What the engine already holds (the
 * images the server was prepared with) is copied over, so nothing is loaded twice.
 */
export async function dockerOnTmpfs(server: Server): Promise<void> {
  await server.sh(
    [
      'set -e',
      'systemctl stop docker docker.socket',
      `mkdir -p /run/docker-fs && mount -t tmpfs -o size=${DOCKER_FS} tmpfs /run/docker-fs`,
      'cp -a /var/lib/docker/. /run/docker-fs/',
      'mount --move /run/docker-fs /var/lib/docker',
      'systemctl start docker',
      `test "$(df --output=size -B1 /var/lib/docker | tail -n 1)" -gt 0 && docker info --format '{{.DockerRootDir}}'`,
    ].join('\n'),
    { timeoutMs: 300_000 },
  );
}

/**
 * A self-signed pair as a valid certificate, or one that expired in 2024: openssl 3.0 (Debian 12)
 * has no -not_after for x509, but `openssl ca -selfsign` takes -startdate/-enddate.
 */
export function certScript(dir: string, expired: boolean): string {
  const make = expired
    ? [
        'openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout key.pem -subj /CN=labshop -out req.pem 2>/dev/null',
        'touch index.txt && echo 01 > serial',
        "printf '[ca]\\ndefault_ca = d\\n[d]\\ndatabase = index.txt\\nserial = serial\\nnew_certs_dir = .\\ndefault_md = sha256\\npolicy = p\\n[p]\\ncommonName = supplied\\n' > ca.cnf",
        'openssl ca -batch -config ca.cnf -selfsign -keyfile key.pem -in req.pem -startdate 20240101000000Z -enddate 20240201000000Z -out cert.pem 2>/dev/null',
      ]
    : ['openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 -subj /CN=labshop -keyout key.pem -out cert.pem 2>/dev/null'];
  return ['set -e', 'cd "$(mktemp -d)"', ...make, `mkdir -p ${dir}`, `install -m 600 key.pem ${dir}/privkey.pem`, `install -m 644 cert.pem ${dir}/fullchain.pem`].join('\n');
}

export interface JsonFinding { id: string; severity: 'ok' | 'info' | 'warn' | 'error'; title: string; evidence: string[]; fix: { auto: boolean; steps: string[] }; check: string; causedBy: string[]; rootCause: string | null }
export interface JsonReport { exitCode: number; checks: string[]; findings: JsonFinding[] }

export async function doctorJson(server: Server, args: string[] = []): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const r = await server.exec(['stack-wizard', 'doctor', '--json', ...args], { allowFail: true, timeoutMs: 300_000, env: { LANG: 'C.UTF-8' } });
  let report: JsonReport;
  try {
    report = JSON.parse(r.stdout) as JsonReport;
  } catch {
    throw new Error(`doctor --json printed no JSON (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.exitCode, report, stderr: r.stderr };
}

export async function doctorFix(server: Server, args: string[] = []): Promise<{ code: number; out: string }> {
  const r = await server.exec(['stack-wizard', 'doctor', '--fix', '--yes', ...args], { allowFail: true, timeoutMs: 900_000, env: { LANG: 'C.UTF-8' } });
  return { code: r.exitCode, out: `${r.stdout}${r.stderr}` };
}

export const problems = (r: JsonReport) => r.findings.filter((f) => f.severity === 'warn' || f.severity === 'error');
export const show = (r: JsonReport) => problems(r).map((f) => `${f.severity} ${f.id}: ${f.title}${f.rootCause ? ` (root ${f.rootCause})` : ''}`).join('\n');
export function finding(r: JsonReport, id: string): JsonFinding {
  const f = r.findings.find((x) => x.id === id);
  if (!f) throw new Error(`no finding ${id}; findings:\n${r.findings.map((x) => `${x.severity} ${x.id}`).join('\n')}`);
  return f;
}

/** GET /health through the published HTTPS port, from the Internet side. */
export async function health(client: Client, server: Server): Promise<number> {
  return (await client.http(`https://${server.ip}/health`, { args: ['-k'], allowFail: true })).status;
}

export async function waitHealthy(server: Server, timeoutMs = 240_000): Promise<void> {
  await waitFor(
    'every service of the stack healthy',
    async () => {
      const out = await server.sh(`docker ps --filter label=com.docker.compose.project=${PROJECT} --format '{{.Names}} {{.Status}}'`);
      const lines = out.trim().split('\n').filter(Boolean);
      return lines.length === 4 && lines.every((l) => l.includes('(healthy)'));
    },
    { timeoutMs, intervalMs: 1000 },
  );
}

/** A POST that writes to Redis through nginx and the app: 201 when Redis accepts writes. */
export async function redisWrite(client: Client, server: Server, prefix: string, count = 20): Promise<number> {
  const r = await client.http(`https://${server.ip}/kv`, { args: ['-k', '-X', 'POST', '-H', 'content-type: application/json', '-d', JSON.stringify({ count, prefix })], allowFail: true });
  return r.status;
}
