// #15.1, second layer: a value the schema should have refused still lands as one literal word where
// the generators paste it. The install dir here holds a space, quotes, `;`, `$(…)`, backticks and
// `%` (the schema refuses all of them; the renderers are called directly so the quoting alone is
// judged). The real programs read what we render: logrotate -f rotates the logs and runs postrotate
// with /bin/sh, certbot's own hook runner runs the deploy hook, systemd-analyze verify reads the units,
// fail2ban-client -t/-d reads the jails (the log paths it would watch), docker compose config reads
// host paths in volumes (Compose interpolates `${…}` there),
// Debian's cron runs the /etc/cron.d entry (in a private mount namespace whose /etc/cron.d, crontab
// and spool hold only ours, so the machine's jobs and its own cron are untouched).
// A `docker` first on PATH writes down the argv the shell gave it (the stack's Docker is not needed
// to see the words); every injected command would touch $MARK.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { certbotRenewArgv, renderCertbotUnits } from '../../src/render/certbot.js';
import { scheduleFiles } from '../../src/render/backup-schedule.js';
import { timerFiles } from '../../src/render/backup-timers.js';
import { renderLogrotate } from '../../src/render/security-host.js';
import { renderFail2ban } from '../../src/render/security-fail2ban.js';
import type { Fail2banHost } from '../../src/domain/fail2ban.js';
import { AnswersSchema } from '../../src/domain/answers.js';
import { ensureSecrets } from '../../src/domain/secrets.js';
import { renderAll } from '../../src/render/index.js';
import { NGINX_TARGETS, NGINX_VARIANTS, variantPlan } from '../fixtures/nginx-variants.js';
import { waitFor } from '../support/proc.js';

const base = mkdtempSync('/tmp/sw-quote-');
chmodSync(base, 0o755);
afterAll(() => rmSync(base, { recursive: true, force: true }));

const MARK = join(base, 'pwned');
const installDir = join(base, "it's a;touch $MARK;$(touch $MARK)`touch $MARK`%Z 100%");
const le = variantPlan(
  NGINX_VARIANTS.find((v) => v.name === 'letsencrypt')!,
  NGINX_TARGETS.directive.image,
);
const plan = { ...le, installDir };
const compose = join(installDir, 'docker-compose.yml');

// Records its argv one word a line, as the shell split it.
const shim = join(base, 'bin');
const argvFile = join(base, 'docker-argv');
mkdirSync(shim);
writeFileSync(join(shim, 'docker'), `#!/bin/sh\nprintf '%s\\n' "$@" >${argvFile}\n`, { mode: 0o755 });
const env = { ...process.env, PATH: `${shim}:${process.env.PATH}`, MARK };
const recorded = () => readFileSync(argvFile, 'utf8').split('\n').slice(0, -1);

beforeEach(() => {
  rmSync(MARK, { force: true });
  rmSync(argvFile, { force: true });
  mkdirSync(join(installDir, 'logs', 'nginx'), { recursive: true });
});

describe('a hostile install dir stays one word (#15.1)', () => {
  it('logrotate -f rotates both logs in it and postrotate hands docker the compose path whole; nothing injected runs', () => {
    const logs = join(installDir, 'logs', 'nginx');
    writeFileSync(join(logs, 'access.log'), 'GET / 200\n');
    writeFileSync(join(logs, 'error.log'), 'an error\n');
    const conf = join(base, 'logrotate.conf');
    writeFileSync(conf, renderLogrotate(plan), { mode: 0o644 });
    const r = spawnSync('logrotate', ['-f', '-s', join(base, 'logrotate.state'), conf], { encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    // Both files rotated: the list was not split at the space (missingok would have hidden that).
    expect(readFileSync(join(logs, 'access.log.1'), 'utf8')).toBe('GET / 200\n');
    expect(readFileSync(join(logs, 'error.log.1'), 'utf8')).toBe('an error\n');
    expect(recorded()).toEqual(['compose', '-f', compose, 'kill', '-s', 'USR1', 'nginx']);
    expect(existsSync(MARK)).toBe(false);
  });

  it("certbot's own deploy-hook runner (/bin/sh) hands docker the compose path whole; nothing injected runs", () => {
    const argv = certbotRenewArgv(plan);
    const hook = argv[argv.indexOf('--deploy-hook') + 1]!;
    // certbot's interpreter, from its own first line (Debian's python3 with certbot installed).
    const python = readFileSync('/usr/bin/certbot', 'utf8')
      .split('\n')[0]!
      .replace(/^#!\s*/, '')
      .split(' ')[0]!;
    const run = `import sys\nfrom certbot._internal import hooks\nhooks._run_deploy_hook(sys.argv[1], ['app.example.com'], '/nonexistent', False)`;
    const r = spawnSync(python, ['-c', run, hook], { encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/error/i);
    expect(recorded()).toEqual(['compose', '-f', compose, 'exec', '-T', 'nginx', 'nginx', '-s', 'reload']);
    expect(existsSync(MARK)).toBe(false);
  });

  it('fail2ban-client reads the jails: it watches exactly the two Nginx logs in it (% and the space kept)', () => {
    const logs = join(installDir, 'logs', 'nginx');
    for (const f of ['access.log', 'error.log']) writeFileSync(join(logs, f), '');
    const etc = join(base, 'fail2ban');
    rmSync(etc, { recursive: true, force: true });
    cpSync('/etc/fail2ban', etc, { recursive: true });
    const host: Fail2banHost = {
      sshLog: { backend: 'systemd' },
      banWith: 'iptables',
      dockerUser: false,
      fail2banLog: { backend: 'systemd' },
      operatorAddresses: [],
    };
    for (const f of renderFail2ban(plan, host)) {
      const p = join(etc, f.path.replace(/^\/etc\/fail2ban\//, ''));
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, f.content);
    }
    const t = spawnSync('fail2ban-client', ['-c', etc, '-t'], { encoding: 'utf8' });
    expect(t.stdout + t.stderr).toMatch(/OK: configuration test is successful/);
    const d = spawnSync('fail2ban-client', ['-c', etc, '-d'], { encoding: 'utf8' }).stdout;
    const watched = [...d.matchAll(/\['set', '([^']+)', 'addlogpath', (.+), '(head|tail)'\]/g)].map((m) => [
      m[1],
      JSON.parse(m[2]!.replace(/^'(.*)'$/, '"$1"').replace(/\\'/g, "'")),
      m[3],
    ]);
    expect(watched).toEqual([
      ['stack-wizard-nginx-limit', join(logs, 'error.log'), 'head'],
      ['stack-wizard-nginx-scan', join(logs, 'access.log'), 'head'],
    ]);
  });

  it('systemd-analyze verify accepts the certbot, backup, drill, watch and binary log archive units that name it (% and $ escaped, quotes kept)', () => {
    const dir = join(base, 'units');
    mkdirSync(dir, { recursive: true });
    const cli = join(import.meta.dirname, '..', '..', 'bin', 'stack-wizard.js');
    const backup = scheduleFiles({
      project: 'shop',
      installDir,
      schedule: '03:00',
      bin: [process.execPath, cli],
      systemd: true,
    });
    const timers = timerFiles({ project: 'shop', installDir, schedule: '03:00', drill: 'Sun 04:00', bin: [process.execPath, cli], systemd: true, binlogs: true });
    const paths = [...renderCertbotUnits(plan), ...backup.files, ...timers].map((f) => {
      const p = join(dir, f.path.split('/').pop()!);
      writeFileSync(p, f.content);
      return p;
    });
    expect(paths.map((p) => p.split('/').pop())).toEqual(expect.arrayContaining(['stack-wizard-shop-binlogs.service', 'stack-wizard-shop-binlogs.timer']));
    expect(paths).toHaveLength(10);
    const r = spawnSync('systemd-analyze', ['verify', ...paths], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('what a unit or a cron line cannot carry (a line break) is refused, never written', () => {
    const nl = { ...plan, installDir: `${base}/x\nExecStartPre=/bin/touch ${MARK}` };
    expect(() => renderCertbotUnits(nl)).toThrow(/line break/);
    expect(() => renderLogrotate(nl)).toThrow(/line break/);
    const o = {
      project: 'shop',
      installDir: `${base}/x\n* * * * * root touch ${MARK}`,
      schedule: '03:00',
      bin: ['/usr/local/bin/stack-wizard'],
    };
    expect(() => scheduleFiles({ ...o, systemd: false })).toThrow(/line break/);
    expect(() => scheduleFiles({ ...o, systemd: true })).toThrow(/line break/);
  });

  it(
    "Debian's cron runs the cron.d entry: the program gets the answers path whole, the log lands in it, nothing injected runs",
    { timeout: 180_000 },
    async () => {
      mkdirSync(join(installDir, 'logs'), { recursive: true });
      const rec = join(shim, 'stack-wizard');
      writeFileSync(rec, `#!/bin/sh\nprintf '%s\\n' "$@" >${argvFile}\necho ran\n`, { mode: 0o755 });
      // The next minute cron will reach (two when this one is nearly over: cron wakes on the minute).
      const at = spawnSync('date', ['-d', new Date().getSeconds() >= 50 ? '+2 min' : '+1 min', '+%H:%M'], {
        encoding: 'utf8',
      }).stdout.trim();
      const f = scheduleFiles({ project: 'shop', installDir, schedule: at, bin: [rec], systemd: false });
      const ns = join(base, 'cron');
      mkdirSync(ns);
      // MARK for the commands the value would inject; cron gives jobs almost no environment.
      writeFileSync(join(ns, 'job'), `MARK=${MARK}\n${f.files[0]!.content}`);
      writeFileSync(join(ns, 'crontab'), '');
      // pam_loginuid cannot set a login uid in a container (no CAP_AUDIT_CONTROL), as on any containerised cron.
      writeFileSync(
        join(ns, 'pam-cron'),
        readFileSync('/etc/pam.d/cron', 'utf8').replace(/^session\s+required\s+pam_loginuid\.so.*$/m, ''),
      );
      const setup = [
        'set -e',
        'for d in /etc/cron.d /var/spool/cron /run; do mount -t tmpfs -o mode=0755 none $d; done',
        'mkdir -m 1730 /var/spool/cron/crontabs',
        `mount --bind ${ns}/crontab /etc/crontab`,
        `mount --bind ${ns}/pam-cron /etc/pam.d/cron`,
        `install -m 0644 ${ns}/job /etc/cron.d/stack-wizard-shop-backup`,
        'exec cron -f',
      ].join('\n');
      const cron = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', setup], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      cron.stderr.on('data', (d: Buffer) => (err += d.toString()));
      try {
        await waitFor(
          'cron to run the entry',
          () => existsSync(argvFile) || (cron.exitCode !== null && Promise.reject(new Error(`cron exited: ${err}`))),
          { timeoutMs: 150_000, intervalMs: 500 },
        );
        expect(recorded()).toEqual(['backup', '--scheduled', '--answers', join(installDir, 'stack-wizard.yaml')]);
        const log = join(installDir, 'logs', 'backup-cron.log');
        await waitFor(
          'the job to finish writing its log',
          () => existsSync(log) && readFileSync(log, 'utf8') === 'ran\n',
        );
        expect(existsSync(MARK)).toBe(false);
      } finally {
        cron.kill();
      }
    },
  );

  it('docker compose config keeps a front-end folder named like a variable literal: the root password never lands in a host path', () => {
    const v = NGINX_VARIANTS.find((x) => x.name === 'self-signed-frontend-realip')!;
    const p = variantPlan(v, NGINX_TARGETS.directive.image);
    const hostile = { ...p, nginx: { ...p.nginx, frontendDir: '/srv/${MYSQL_ROOT_PASSWORD}/web' } };
    const dir = join(base, 'compose');
    mkdirSync(dir, { recursive: true });
    const secrets = ensureSecrets(hostile, {}, (n) => Buffer.alloc(n, 7));
    for (const f of renderAll({ plan: hostile, answers: AnswersSchema.parse({ project: 'shop', app: { image: 'a/b:1' } }), secrets }).filter(
      (f) => f.path === 'docker-compose.yml' || f.path === '.env',
    )) {
      writeFileSync(join(dir, f.path), f.content, { mode: f.mode });
    }
    const r = spawnSync('docker', ['compose', 'config', '--format', 'json'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const cfg = JSON.parse(r.stdout) as {
      services: Record<string, { volumes?: { source?: string; target: string }[] }>;
    };
    const front = cfg.services.nginx!.volumes!.find((m) => m.source?.startsWith('/srv/'));
    // config prints a compose file again, so its literal `$` comes back as `$$`.
    expect(front?.source).toBe('/srv/$${MYSQL_ROOT_PASSWORD}/web');
    const root = Object.entries(secrets).find(([k]) => /ROOT_PASSWORD/.test(k))![1];
    expect(r.stdout).not.toContain(`/srv/${root}`);
  });
});
