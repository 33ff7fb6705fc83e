// `doctor --bundle`: one archive for support (facts, status, versions, rendered and live config,
// the last lines of every service's log, doctor's findings), every secret redacted, mode 0600.
import { join, resolve } from 'node:path';
import type { Context } from '../context.js';
import type { DoctorStack } from '../host/doctor/gather.js';
import { parseDotenv } from '../domain/secrets.js';
import { NOT_SECRET, redactDotenv, redactText } from '../domain/doctor/redact.js';
import { tarGz, type TarEntry } from '../render/format/tar.js';
import { HOST } from '../render/paths.js';
import { NGINX_ERROR_LOG } from '../render/nginx-log.js';
import { stackStatus } from './stack-status.js';
import { SYS, hostPath } from '../domain/host-paths.js';
import { PASSPHRASE_FILE_ENV } from './stack-tools.js';
import type { DoctorReport } from './doctor.js';

export interface BundleOptions {
  /** Where to write it; default <installDir>/support/stack-wizard-support-<project>-<time>.tar.gz */
  out?: string;
  version: string;
  /** The report as `doctor --json` prints it. */
  reportJson: string;
  reportText: string;
}

const LOG_LINES = 200;

export function defaultBundlePath(s: DoctorStack, now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  return join(s.installDir, 'support', `stack-wizard-support-${s.project}-${stamp}.tar.gz`);
}

/** Environment variables whose values are secrets of ours (backups, S3). */
const SECRET_ENV = ['STACK_WIZARD_BACKUP_PASSPHRASE', 'AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SESSION_TOKEN'];

/**
 * Every value that must not leave the server (#15.5): the .env secrets and anything else .env
 * holds, the backup passphrase (environment, or the first line of its file), the S3 credentials
 * (environment, or every value of the credentials file). redactText masks each in every form.
 */
async function secretsOf(ctx: Context, s: DoctorStack): Promise<string[]> {
  const read = (path: string | undefined) => (path ? ctx.exec.readFile(path, { maxBytes: 1024 * 1024 }).catch(() => null) : Promise.resolve(null));
  const env = await read(join(s.installDir, HOST.env));
  const values = Object.entries(env ? parseDotenv(env) : {}).filter(([k]) => !NOT_SECRET.has(k)).map(([, v]) => v);
  const fromEnv = SECRET_ENV.map((k) => ctx.env[k] ?? '');
  const passFile = await read(ctx.env[PASSPHRASE_FILE_ENV] || s.answers.backup.passphraseFile);
  const pass = passFile ? [passFile.split('\n')[0]!.trimEnd(), passFile.trim()] : [];
  const creds = await read(s.answers.backup.s3?.credentialsFile);
  const credValues = creds ? Object.values(parseDotenv(creds)) : [];
  return [...Object.values(s.secrets), ...values, ...fromEnv, ...pass, ...credValues].filter((v) => v.length >= 6);
}

export async function writeBundle(ctx: Context, s: DoctorStack, report: DoctorReport, o: BundleOptions): Promise<{ path: string; bytes: number; files: string[] }> {
  const secrets = await secretsOf(ctx, s);
  ctx.exec.addSecrets(secrets);
  const clean = (t: string) => redactText(ctx.exec.redact(t), secrets);
  const entries: TarEntry[] = [];
  const add = (path: string, text: string) => entries.push({ path: `stack-wizard-support/${path}`, content: path.endsWith('.env') || path.endsWith('/.env') ? redactDotenv(clean(text)) : clean(text), mode: 0o600 });
  const q = async (cmd: string, args: string[], timeoutMs = 20_000) => {
    const r = await ctx.exec.query(cmd, args, { timeoutMs });
    return `$ ${[cmd, ...args].join(' ')}\n${r.stdout}${r.stderr ? `\n${r.stderr}` : ''}${r.exitCode ? `\n(exit ${r.exitCode})` : ''}\n`;
  };

  add('README.txt', [
    `stack-wizard ${o.version} support bundle for "${s.project}" (${s.installDir}), made ${ctx.clock().toISOString()}.`,
    'Every secret was replaced by •••••• (the .env values, passwords in URLs, keys, tokens).',
    'findings.json: doctor --json; findings.txt: the same for people; facts.json: the host as the wizard sees it;',
    'status.json: the services; versions.txt; config/rendered: what stack-wizard would write now; config/live: the files on disk;',
    'config/host: Docker, DNS, firewall; logs/: the last lines of every service and of nginx and stack-wizard.',
    '',
  ].join('\n'));
  add('findings.json', o.reportJson);
  add('findings.txt', o.reportText);
  add('evidence.json', `${JSON.stringify({ checkedAt: report.checkedAt, evidence: report.evidence }, null, 2)}\n`);
  add('facts.json', `${JSON.stringify(s.facts, null, 2)}\n`);
  try {
    add('status.json', `${JSON.stringify(await stackStatus(ctx, { project: s.project, installDir: s.installDir }), null, 2)}\n`);
  } catch (e) {
    add('status.json', `${JSON.stringify({ error: e instanceof Error ? e.message : String(e) })}\n`);
  }

  // Versions: ours, the host's, the engine's and each service's image.
  const versions = [
    `stack-wizard ${o.version}`,
    `node ${process.version}`,
    `os ${s.facts.os.prettyName}, kernel ${s.facts.kernel}, ${s.facts.arch}`,
    await q('docker', ['version']),
    await q('docker', ['compose', 'version']),
    ...s.plan.services.map((x) => `${x.name}: ${x.image}`),
  ];
  const cs = await ctx.docker.projectContainers(s.project).catch(() => []);
  for (const c of cs) versions.push(`${c.service ?? c.name}: running ${c.image} (${c.imageId}) state ${c.state}${c.health ? `/${c.health}` : ''}`);
  add('versions.txt', `${versions.join('\n')}\n`);

  // Config: what a render gives now, and what is on disk (every rendered path, plus .env).
  for (const f of s.files) add(`config/rendered/${f.path}`, f.content);
  const live = new Set([...s.files.map((f) => f.path), HOST.env, HOST.manifest, '.stack-wizard/applied.json']);
  for (const p of [...live].sort()) {
    const text = await ctx.exec.readFile(join(s.installDir, p)).catch(() => null);
    if (text !== null) add(`config/live/${p}`, text);
  }
  const daemon = await ctx.exec.readFile(hostPath(ctx.hostRoot, SYS.daemonJson)).catch(() => null);
  if (daemon !== null) add('config/host/daemon.json', daemon);
  const resolv = await ctx.exec.readFile('/etc/resolv.conf').catch(() => null);
  if (resolv !== null) add('config/host/resolv.conf', resolv);
  add('config/host/docker-info.txt', await q('docker', ['info']));
  add('config/host/ufw.txt', await q('ufw', ['status', 'verbose']));
  add('config/host/fail2ban.txt', await q('fail2ban-client', ['status']));
  add('config/host/listening.txt', await q('ss', ['-Hltnp']));
  add('config/host/df.txt', `${await q('df', ['-h'])}${await q('df', ['-i'])}`);

  // Logs: the last lines of every container of the stack, nginx's error log, our own log, the engine's journal.
  for (const c of cs) {
    const text = await ctx.docker.logs(c.id, LOG_LINES).catch((e: Error) => `(logs unavailable: ${e.message})\n`);
    add(`logs/${c.service ?? c.name}.log`, text);
  }
  add(`logs/nginx-${NGINX_ERROR_LOG}`, await q('tail', ['-n', '500', join(s.installDir, HOST.nginxLogs, NGINX_ERROR_LOG)]));
  add('logs/stack-wizard.log', await q('tail', ['-n', '500', join(s.installDir, 'logs', 'stack-wizard.log')]));
  if (s.facts.systemd) add('logs/docker-journal.log', await q('journalctl', ['--no-pager', '-u', 'docker', '-n', String(LOG_LINES)]));

  const path = resolve(ctx.cwd, o.out ?? defaultBundlePath(s, ctx.clock()));
  const data = tarGz(entries, ctx.clock());
  await ctx.exec.mkdir(join(path, '..'), 0o700);
  await ctx.exec.writeFiles([{ path, content: data, mode: 0o600 }]);
  return { path, bytes: data.length, files: entries.map((e) => e.path) };
}
