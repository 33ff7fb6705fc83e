// doctor on a realistic server: the wizard installed from its npm tarball on the lab's systemd
// server, a stack brought up by init (HTTPS, self-signed), then broken in each way of issue 8.
// For each: doctor --json names the cause (not only the symptom) and offers the right fix;
// doctor --fix --yes applies it; the stack serves again through the published port; doctor run
// again shows the finding gone. One server for the whole file; each case restores the stack.
// Also: the guided session on a real terminal (tmux, docker exec -it) with the real checks and
// fixes; a warning-only state exits 4; fixes are logged, and refused while a killed restore is pending.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Pane } from '../real/tmux.js';
import { IMAGES, Lab, waitFor, type Client, type Server } from '../lab/lab.js';
import { STACK_IMAGES, runInit } from './support/apply-lab.js';
import {
  DOCKER_FS, DOCTOR_ANSWERS, INSTALL_DIR, KNOWN, PROJECT, certScript, dockerOnTmpfs, doctorAnswers, doctorFix, doctorJson, finding, health, knownEnv, problems,
  redisWrite, show, waitHealthy,
} from './support/doctor-lab.js';

let lab: Lab;
let server: Server;
let client: Client;
/** The app image the stack runs healthy with, to put back should a case leave the crashing one tagged. */
let goodApp = '';
const CERTS = `${INSTALL_DIR}/nginx/certs/selfsigned`;

beforeAll(async () => {
  lab = await Lab.create();
  [server, client] = await Promise.all([lab.startServer({ images: [...STACK_IMAGES, IMAGES.appCrash], wizard: true }), lab.startClient()]);
  await dockerOnTmpfs(server);
  await server.writeFile(DOCTOR_ANSWERS, doctorAnswers());
  // Known secrets (init keeps an existing .env) and a certificate for the self-signed HTTPS.
  await server.writeFile(`${INSTALL_DIR}/.env`, knownEnv(), '0600');
  await server.sh(certScript(CERTS, false));
  const init = await runInit(server, DOCTOR_ANSWERS);
  if (init.exitCode !== 0) throw new Error(`init failed (${init.exitCode}):\n${init.stdout}\n${init.stderr}`);
  await waitHealthy(server);
  goodApp = (await server.sh(`docker image inspect -f '{{.Id}}' ${IMAGES.app}`)).trim();
});

const panes: Pane[] = [];
afterAll(async () => {
  for (const p of panes) p.kill();
  await lab?.cleanup();
});

const LOG = `${INSTALL_DIR}/logs/stack-wizard.log`;
const RESTORE_JOURNAL = `${INSTALL_DIR}/.stack-wizard/restore.json`;

/** `stack-wizard <args>` on the server in a real terminal: a tmux pane on this machine running `docker exec -it`. */
function terminal(args: string[]): Pane {
  const exit = join(mkdtempSync(join(tmpdir(), 'sw-doctor-tui-')), 'session');
  // Wide enough that no finding or command wraps.
  const p = new Pane(exit, 200, 50);
  panes.push(p);
  p.start(`sh -c 'docker exec -it -e LANG=C.UTF-8 -e TERM=xterm-256color ${server.name} stack-wizard ${args.join(' ')}; echo $? > ${exit}.exit; sleep 600'`);
  return p;
}

/** Lines the log gained since `from` bytes. */
const logSince = async (from: number) => (await server.sh(`tail -c +${from + 1} ${LOG}`));
const logSize = async () => Number((await server.sh(`stat -c %s ${LOG}`)).trim());

/** Whatever a case broke and did not repair (a failed assertion) is put back, so the next case starts healthy. */
afterEach(async () => {
  if (!server || !goodApp) return;
  if ((await health(client, server)) === 200 && (await server.sh('cat /etc/resolv.conf')).includes('127.0.0.11')) {
    // Healthy already (the case's own fix worked): only leftovers that do not show in /health.
    await server.sh('systemctl stop other-web.service 2>/dev/null; docker image prune -f >/dev/null; true');
    return;
  }
  await server.sh(
    [
      '[ -f /root/resolv.conf.orig ] && cat /root/resolv.conf.orig > /etc/resolv.conf && rm /root/resolv.conf.orig',
      'systemctl stop other-web.service 2>/dev/null',
      `grep -q 127.0.0.1:5999 /etc/docker/daemon.json && python3 -c 'import json;p="/etc/docker/daemon.json";d=json.load(open(p));d["registry-mirrors"]=[];open(p,"w").write(json.dumps(d,indent=2)+"\\n")' && systemctl reload docker`,
      'docker image prune -f >/dev/null',
      `mount -o remount,size=${DOCKER_FS} /var/lib/docker`,
      `docker exec ${PROJECT}-redis-1 redis-cli CONFIG SET maxmemory-policy allkeys-lru >/dev/null 2>&1`,
      `docker exec ${PROJECT}-redis-1 redis-cli CONFIG SET maxmemory 291504128 >/dev/null 2>&1`,
      `docker tag ${goodApp} ${IMAGES.app}`,
      // The last healthy file set (init keeps it), and every container recreated from it.
      `cp -a ${INSTALL_DIR}/.stack-wizard/previous/files/. ${INSTALL_DIR}/`,
      `cd ${INSTALL_DIR} && docker compose up -d --force-recreate >/dev/null 2>&1`,
      'true',
    ].join('; '),
    { timeoutMs: 300_000 },
  );
  await waitHealthy(server);
});

describe('doctor on the lab server', () => {
  it('a healthy stack: every check passes, nothing worse than info, exit 0; the text report in Chinese too', async () => {
    expect(await health(client, server)).toBe(200);
    const t0 = performance.now();
    const { code, report } = await doctorJson(server);
    console.log(`doctor --json, all ${report.checks.length} checks on a healthy stack: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(show(report)).toBe('');
    expect(code).toBe(0);
    expect(report.checks.length).toBeGreaterThanOrEqual(25);
    for (const s of ['app', 'mysql', 'redis', 'nginx']) expect(finding(report, `service.${s}`).severity).toBe('ok');
    expect(finding(report, 'http.chain').title).toBe('a request goes through: HTTP 200');
    const zh = await server.exec(['stack-wizard', 'doctor', '--lang', 'zh-CN'], { allowFail: true });
    expect(zh.exitCode).toBe(0);
    expect(zh.stdout).toMatch(/^doctor：labshop（\/opt\/stack-wizard\/labshop），\d+ 项检查，发现 0 个问题/);
    expect(zh.stdout).toContain('没有发现问题。');
  });

  it('MySQL stopped: the 503 is traced to MySQL; --dry-run changes nothing; --fix starts it and the site serves again', async () => {
    await server.compose(INSTALL_DIR, ['stop', 'mysql']);
    await waitFor('the app to answer 503 without MySQL', async () => (await health(client, server)) === 503, { timeoutMs: 60_000 });
    const { code, report } = await doctorJson(server, ['--symptom', 'bad-gateway']);
    expect(code).toBe(5);
    const mysql = finding(report, 'service.mysql');
    expect(mysql).toMatchObject({ severity: 'error', title: 'mysql is stopped', rootCause: null });
    expect(mysql.evidence[0]).toMatch(/^exited, exit code 0, /);
    expect(mysql.fix.auto).toBe(true);
    expect(mysql.fix.steps).toContain(`$ docker compose --project-directory ${INSTALL_DIR} -f ${INSTALL_DIR}/docker-compose.yml up -d mysql`);
    const http = finding(report, 'http.chain');
    expect(http.title).toMatch(/^the site fails \(HTTP 503\): the app cannot reach mysql/);
    expect(http.rootCause).toBe('service.mysql');
    expect(report.findings.indexOf(mysql)).toBeLessThan(report.findings.indexOf(http));

    const dry = await server.exec(['stack-wizard', 'doctor', '--fix', '--dry-run', '--symptom', 'bad-gateway'], { allowFail: true });
    expect(dry.stdout).toContain('(dry run: nothing was changed)');
    expect(await server.sh(`docker inspect -f '{{.State.Status}}' ${PROJECT}-mysql-1`)).toBe('exited\n');

    const fix = await doctorFix(server, ['--symptom', 'bad-gateway']);
    expect(fix.out).toContain('→ mysql is stopped [service.mysql]');
    expect(fix.out).toContain('✓ fixed: the check passes now');
    expect(fix.code).toBe(0);
    expect(await health(client, server)).toBe(200);
    const again = await doctorJson(server, ['--symptom', 'bad-gateway']);
    expect(show(again.report)).toBe('');
    expect(finding(again.report, 'service.mysql').severity).toBe('ok');
  });

  it('the guided session on a real terminal: pick the symptom, see the cause under the symptom, apply the fix, see it verified; logged; exit 0', async () => {
    await server.compose(INSTALL_DIR, ['stop', 'mysql']);
    await waitFor('the app to answer 503 without MySQL', async () => (await health(client, server)) === 503, { timeoutMs: 60_000 });
    const from = await logSize();
    const p = terminal(['doctor']);
    await p.waitFor('What is wrong?', 60_000);
    expect(p.joined()).toMatch(/[>❯] The site is down/);
    await p.keys('Enter');
    // The real checks run against the broken stack; the symptom's finding names its cause.
    const found = await p.waitFor((s) => /\d+ problem\(s\) found, worst first\./.test(s), 300_000);
    expect(found).toMatch(/x mysql is stopped/);
    expect(found).toMatch(/x the site fails \(HTTP 503\): the app cannot reach mysql[^\n]*\n\s+← mysql is stopped/);
    await p.keys('Enter');
    const ask = await p.waitFor('Apply this fix?', 60_000);
    expect(ask).toMatch(/Fix 1 of \d+/);
    expect(ask).toMatch(/x mysql is stopped/);
    expect(ask.replace(/\s+/g, ' ')).toContain(`$ docker compose --project-directory ${INSTALL_DIR} -f ${INSTALL_DIR}/docker-compose.yml up -d mysql`);
    await p.keys('Enter');
    await p.waitFor('Fixed: the check passes now.', 600_000);
    // The app's own health check passes again on its next round; then the rest re-checks clean.
    await waitHealthy(server);
    await p.keys('Enter');
    // The symptoms that followed from it are re-checked and closed without asking.
    await p.waitFor((s) => /Done: \d+ fixed, 0 still open\./.test(s), 300_000);
    await p.keys('Enter');
    expect(await p.waitExit(60_000)).toBe(0);
    expect(await health(client, server)).toBe(200);
    // The session's fix went through the same guard as --fix: logged to the install dir.
    const log = await logSince(from);
    expect(log).toMatch(/note: doctor fix \(compose-up\): project labshop, install dir \/opt\/stack-wizard\/labshop\n/);
    expect(log).toMatch(/run: docker compose --project-directory \/opt\/stack-wizard\/labshop -f \/opt\/stack-wizard\/labshop\/docker-compose\.yml up -d mysql → exit 0/);
    expect(log).toMatch(/note: doctor fix \(compose-up\) done/);
  });

  it('fixes are refused while a killed restore is pending (the session says why), and logged when they run', async () => {
    await server.compose(INSTALL_DIR, ['stop', 'mysql']);
    // What a restore killed while replacing the database leaves: its journal, its process gone.
    await server.writeFile(RESTORE_JOURNAL, `${JSON.stringify({ format: 1, project: PROJECT, backupId: '20260101-000000', safetyId: '20260101-000100-pre-restore', phase: 'restoring', done: [], pid: 4194311, startedAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:01:00.000Z', reason: null }, null, 2)}\n`, '0600');
    try {
      // Doctor itself names it, with both ways out (read-only: the journal stays).
      const { report } = await doctorJson(server, ['--check', 'journals']);
      const pending = finding(report, 'journal.restore');
      expect(pending.severity).toBe('error');
      expect(pending.title).toBe('a restore of 20260101-000000 was interrupted (phase restoring): the data may be half replaced');
      expect(JSON.stringify(pending)).toContain('stack-wizard restore --rollback --yes');
      expect(await server.readFile(RESTORE_JOURNAL)).toContain('"phase": "restoring"');
      const from = await logSize();
      const fix = await doctorFix(server, ['--symptom', 'bad-gateway']);
      expect(fix.code).toBe(1);
      expect(fix.out).toMatch(/a restore of 20260101-000000 was interrupted \(phase restoring\) and the data may be half replaced: run stack-wizard restore --yes to finish it, or stack-wizard restore --rollback --yes/);
      expect(await server.sh(`docker inspect -f '{{.State.Status}}' ${PROJECT}-mysql-1`)).toBe('exited\n');
      expect(await logSince(from)).toMatch(/note: doctor --fix failed: a restore of 20260101-000000 was interrupted/);
      // The guided session: the findings as usual (reading is harmless), the fix refused with the reason.
      const p = terminal(['doctor']);
      await p.waitFor('What is wrong?', 60_000);
      await p.keys('Down', 'Enter');
      await p.waitFor((s) => /\d+ problem\(s\) found/.test(s), 300_000);
      await p.keys('Enter');
      await p.waitFor('Apply this fix?', 60_000);
      await p.keys('Enter');
      const refused = await p.waitFor('The fix failed:', 120_000);
      expect(refused).toMatch(/The fix failed: a restore of 20260101-000000 was interrupted \(phase restoring\)/);
      expect(await server.sh(`docker inspect -f '{{.State.Status}}' ${PROJECT}-mysql-1`)).toBe('exited\n');
      p.kill();
    } finally {
      await server.sh(`rm -f ${RESTORE_JOURNAL}`);
    }
    const from = await logSize();
    const ok = await doctorFix(server, ['--symptom', 'bad-gateway']);
    expect(ok.code).toBe(0);
    const log = await logSince(from);
    expect(log).toMatch(/note: doctor --fix: project labshop/);
    expect(log).toMatch(/run: docker compose .* up -d mysql → exit 0/);
    expect(log).toMatch(/note: doctor --fix done/);
    expect(await health(client, server)).toBe(200);
  });

  it('a warning-only state exits 4 (text and --json); --fix clears it and the exit is 0', async () => {
    await server.sh(`chmod 644 ${INSTALL_DIR}/.env`);
    try {
      const text = await server.exec(['stack-wizard', 'doctor'], { allowFail: true, env: { LANG: 'C.UTF-8' } });
      expect(text.exitCode).toBe(4);
      expect(text.stdout).toMatch(/^! .*\.env.*644.*\[files\.env\]$/m);
      expect(text.stdout).not.toMatch(/^✗ /m);
      const { code, report } = await doctorJson(server);
      expect(code).toBe(4);
      expect(report.exitCode).toBe(4);
      expect(problems(report).map((f) => `${f.severity} ${f.id}`)).toEqual(['warn files.env']);
      const fix = await doctorFix(server, ['--check', 'env']);
      expect(fix.code).toBe(0);
      expect(await server.sh(`stat -c %a ${INSTALL_DIR}/.env`)).toBe('600\n');
      expect((await server.exec(['stack-wizard', 'doctor'], { allowFail: true })).exitCode).toBe(0);
    } finally {
      await server.sh(`chmod 600 ${INSTALL_DIR}/.env`);
    }
  });

  it('the app image crashing: a restart loop with its own log line; the fix rolls back to the last healthy image', async () => {
    const good = (await server.sh(`docker image inspect -f '{{.Id}}' ${IMAGES.app}`)).trim();
    // A new image pushed under the same tag, pulled and started: it exits right away.
    await server.sh(`docker tag ${IMAGES.appCrash} ${IMAGES.app} && cd ${INSTALL_DIR} && docker compose up -d app`);
    await waitFor('the app to crash again and again', async () => Number(await server.sh(`docker inspect -f '{{.RestartCount}}' ${PROJECT}-app-1`)) >= 2, { timeoutMs: 90_000 });
    expect(await health(client, server)).not.toBe(200);
    const { code, report } = await doctorJson(server, ['--symptom', 'down']);
    expect(code).toBe(5);
    const app = finding(report, 'service.app');
    // Caught between two crashes, the running attempt has no exit code yet.
    expect(app.title).toMatch(/^app keeps crashing: (exit code 3, restarted \d+ time\(s\)|restarted \d+ time\(s\), starting again now)$/);
    expect(app.evidence.join('\n')).toContain('app: APP_MODE=crash, exiting on purpose');
    expect(app.fix.auto).toBe(true);
    expect(app.fix.steps).toContain(`$ docker tag ${good} ${IMAGES.app}`);
    expect(finding(report, 'http.chain').rootCause).toBe('service.app');

    const fix = await doctorFix(server, ['--symptom', 'down']);
    expect(fix.out).toContain('✓ fixed: the check passes now');
    expect(fix.code).toBe(0);
    expect((await server.sh(`docker image inspect -f '{{.Id}}' ${IMAGES.app}`)).trim()).toBe(good);
    expect(await health(client, server)).toBe(200);
    const again = await doctorJson(server, ['--symptom', 'down']);
    expect(show(again.report)).toBe('');
  });

  it('Redis at maxmemory with noeviction: writes fail; named with its limits; the fix sets redis.conf\'s back', async () => {
    // Someone tightened Redis at run time, then it filled up (values of shrinking size fill it to the last byte).
    await server.sh(
      [
        `R="docker exec -i ${PROJECT}-redis-1 redis-cli"`,
        '$R CONFIG SET maxmemory-policy noeviction >/dev/null',
        '$R CONFIG SET maxmemory 4mb >/dev/null',
        'for sz in 50000 5000 500 50; do head -c $sz /dev/zero | tr "\\0" y > /tmp/v; for i in $(seq 1 300); do out=$($R -x SET fill$sz:$i < /tmp/v); [ "$out" = OK ] || break; done; done',
      ].join('\n'),
      { timeoutMs: 300_000 },
    );
    expect(await redisWrite(client, server, 'full')).toBe(500);
    const { code, report } = await doctorJson(server, ['--symptom', 'bad-gateway']);
    expect(code).toBe(5);
    const r = finding(report, 'redis.memory');
    expect(r.severity).toBe('error');
    expect(r.title).toMatch(/^Redis is full: [\d.]+ MiB of 4\.0 MiB with maxmemory-policy noeviction, so writes are refused$/);
    expect(r.evidence.join('\n')).toContain("redis.conf says 278mb, allkeys-lru");
    expect(r.fix.auto).toBe(true);
    expect(r.fix.steps.join('\n')).toContain('redis-cli CONFIG SET maxmemory-policy allkeys-lru');

    const fix = await doctorFix(server, ['--symptom', 'bad-gateway']);
    expect(fix.out).toContain('✓ fixed: the check passes now');
    expect(fix.code).toBe(0);
    expect(await redisWrite(client, server, 'after')).toBe(201);
    expect(await server.sh(`docker exec ${PROJECT}-redis-1 redis-cli CONFIG GET maxmemory`)).toBe('maxmemory\n291504128\n');
    expect(show((await doctorJson(server, ['--symptom', 'bad-gateway'])).report)).toBe('');
    await server.sh(`R="docker exec -i ${PROJECT}-redis-1 redis-cli"; $R --scan --pattern 'fill*' | xargs -r $R DEL >/dev/null`);
  });

  it('an nginx config error: file and line, caused by the hand edit; the fix puts the rendered file back (the edit kept)', async () => {
    await server.sh(`cd ${INSTALL_DIR} && echo 'garbage_directive on;' >> nginx/conf.d/default.conf && docker compose restart nginx >/dev/null 2>&1 || true`);
    await waitFor('nginx to crash on its config', async () => Number(await server.sh(`docker inspect -f '{{.RestartCount}}' ${PROJECT}-nginx-1`)) >= 1, { timeoutMs: 60_000 });
    expect(await health(client, server)).not.toBe(200);
    const { code, report } = await doctorJson(server, ['--symptom', 'down']);
    expect(code).toBe(5);
    const cfg = finding(report, 'nginx.config');
    expect(cfg.title).toMatch(/unknown directive "garbage_directive" in \/etc\/nginx\/conf\.d\/default\.conf:\d+/);
    expect(cfg.rootCause).toBe('files.edited:nginx/conf.d/default.conf');
    expect(finding(report, 'service.nginx').rootCause).toBe('files.edited:nginx/conf.d/default.conf');
    expect(finding(report, 'http.chain').rootCause).toBe('files.edited:nginx/conf.d/default.conf');
    expect(finding(report, 'files.edited:nginx/conf.d/default.conf').fix.auto).toBe(true);

    const fix = await doctorFix(server, ['--symptom', 'down']);
    expect(fix.out).toContain('✓ fixed: the check passes now');
    expect(fix.code).toBe(0);
    expect(await server.sh(`grep -c garbage_directive ${INSTALL_DIR}/nginx/conf.d/default.conf || true`)).toBe('0\n');
    // The operator's version is kept where no service reads it.
    expect(await server.sh(`grep -l garbage_directive ${INSTALL_DIR}/.stack-wizard/edited/nginx/conf.d/default.conf.*`)).toMatch(/default\.conf\.\d{4}-/);
    expect(await health(client, server)).toBe(200);
    expect(show((await doctorJson(server, ['--symptom', 'down'])).report)).toBe('');
  });

  it('port 80 taken by another program: it is named with its unit as the cause of nginx being down; the fix stops it', async () => {
    await server.sh(`cd ${INSTALL_DIR} && docker compose stop nginx >/dev/null 2>&1 && systemd-run --unit=other-web python3 -m http.server 80 >/dev/null 2>&1`);
    await waitFor('python3 on port 80', async () => (await server.sh('ss -Hltnp "sport = :80"')).includes('python3'), { timeoutMs: 20_000 });
    const { code, report } = await doctorJson(server, ['--symptom', 'down']);
    expect(code).toBe(5);
    const p = finding(report, 'ports.80');
    expect(p.title).toMatch(/^port 80 is taken by another program: python3 \(pid \d+\)$/);
    expect(p.evidence.join('\n')).toMatch(/python3 \(pid \d+, unit other-web\.service\): \/usr\/bin\/python3 -m http\.server 80/);
    expect(p.fix.steps).toContain('$ systemctl stop other-web.service');
    expect(finding(report, 'service.nginx').rootCause).toBe('ports.80');

    const fix = await doctorFix(server, ['--symptom', 'down']);
    expect(fix.out).toContain('✓ fixed: the check passes now');
    expect(fix.code).toBe(0);
    expect(await server.sh('systemctl is-active other-web.service || true')).not.toBe('active\n');
    expect(await health(client, server)).toBe(200);
    expect(show((await doctorJson(server, ['--symptom', 'down'])).report)).toBe('');
  });

  it('an expired certificate: when it expired and what is served; the fix makes a new one that clients get', async () => {
    await server.sh(`${certScript(CERTS, true)}\ncd ${INSTALL_DIR} && docker compose exec -T nginx nginx -s reload`);
    await waitFor('nginx to serve the expired certificate', async () => (await client.sh(`echo | openssl s_client -connect ${server.ip}:443 2>/dev/null | openssl x509 -noout -enddate`)).includes('2024'), { timeoutMs: 30_000 });
    const { code, report } = await doctorJson(server, ['--symptom', 'tls']);
    expect(code).toBe(5);
    const c = finding(report, 'tls.expiry');
    expect(c.title).toMatch(/^the certificate expired \d+ d ago \(2024-02-01T00:00:00\.000Z\)$/);
    expect(c.evidence.join('\n')).toContain('served on the HTTPS port: valid until 2024-02-01T00:00:00.000Z');
    expect(c.fix.steps.join('\n')).toContain('openssl req -x509');

    const fix = await doctorFix(server, ['--symptom', 'tls']);
    expect(fix.out).toContain('✓ fixed: the check passes now');
    expect(fix.code).toBe(0);
    // What a client on the Internet is served now: a certificate valid for years.
    const end = (await client.sh(`echo | openssl s_client -connect ${server.ip}:443 2>/dev/null | openssl x509 -noout -enddate`)).trim();
    expect(new Date(end.replace('notAfter=', '')).getTime()).toBeGreaterThan(Date.now() + 800 * 86_400_000);
    expect(await server.sh(`stat -c %a ${CERTS}/privkey.pem`)).toBe('600\n');
    expect(show((await doctorJson(server, ['--symptom', 'tls'])).report)).toBe('');
  });

  it('a dead registry mirror: named; the fix drops it from daemon.json and Docker stops using it', async () => {
    await server.sh(
      `python3 -c 'import json;p="/etc/docker/daemon.json";d=json.load(open(p));d["registry-mirrors"]=["http://127.0.0.1:5999"];open(p,"w").write(json.dumps(d,indent=2)+"\\n")' && systemctl reload docker`,
    );
    await waitFor('dockerd to use the mirror', async () => (await server.sh("docker info --format '{{json .RegistryConfig.Mirrors}}'")).includes('5999'), { timeoutMs: 20_000 });
    const { code, report } = await doctorJson(server, ['--symptom', 'pull']);
    expect(code).toBe(5);
    const m = finding(report, 'mirror.registry');
    expect(m.title).toBe('Docker pulls through a registry mirror that does not answer: http://127.0.0.1:5999/');
    expect(m.evidence).toEqual(['http://127.0.0.1:5999/: refused']);
    expect(m.fix.auto).toBe(true);

    const fix = await doctorFix(server, ['--symptom', 'pull']);
    expect(fix.out).toContain('✓ fixed: the check passes now');
    expect(fix.code).toBe(0);
    expect(await server.sh("docker info --format '{{json .RegistryConfig.Mirrors}}'")).toBe('[]\n');
    // The original is kept beside, the rest of daemon.json untouched.
    const daemon = JSON.parse(await server.readFile('/etc/docker/daemon.json')) as Record<string, unknown>;
    expect(daemon).toMatchObject({ 'storage-driver': 'overlay2', 'registry-mirrors': [] });
    expect(await server.sh('ls /etc/docker/')).toContain('daemon.json.stack-wizard.bak');
    expect(show((await doctorJson(server, ['--symptom', 'pull'])).report)).toBe('');
  });

  it('DNS not resolving: the dead nameserver named, with the exact manual steps; fixed by hand, the finding is gone', async () => {
    await server.sh('cp /etc/resolv.conf /root/resolv.conf.orig && printf "nameserver 127.0.0.53\\n" > /etc/resolv.conf');
    const { code, report } = await doctorJson(server, ['--symptom', 'pull']);
    expect(code).toBe(5);
    const d = finding(report, 'dns');
    expect(d.title).toMatch(/^DNS does not resolve anything: /);
    expect(d.evidence).toContain('nameservers in /etc/resolv.conf: 127.0.0.53');
    expect(d.evidence).toContain('nameserver 127.0.0.53 does not answer: ECONNREFUSED');
    expect(d.fix.auto).toBe(false);
    expect(d.fix.steps[0]).toBe('These nameservers do not answer: 127.0.0.53');
    expect(d.fix.steps.join('\n')).toContain('/etc/resolv.conf');
    // --fix has nothing automatic to do for it, and says so.
    expect((await doctorFix(server, ['--check', 'dns'])).out).toContain('No automatic fix to apply.');
    // The operator follows the steps: a working resolver back in resolv.conf.
    await server.sh('cat /root/resolv.conf.orig > /etc/resolv.conf && rm /root/resolv.conf.orig');
    const again = await doctorJson(server, ['--symptom', 'pull']);
    expect(finding(again.report, 'dns').severity).toBe('ok');
    expect(show(again.report)).toBe('');
  });

  it('the disk nearly full: Docker\'s disk, Redis refusing writes because of it; the fix prunes and writes work again', async () => {
    // Docker's filesystem shrunk to what it holds plus 1.25 GiB, then filled with untagged images
    // (what updates and builds leave behind) to the last few KiB.
    await server.sh(
      [
        'set -e',
        "used=$(df -B1 --output=used /var/lib/docker | tail -1)",
        'mount -o remount,size=$(( (used + 1342177280) / 1048576 ))m /var/lib/docker',
        'for keep in 8388608 65536; do avail=$(df -B1 --output=avail /var/lib/docker | tail -1); fallocate -l $(( avail - keep )) /root/fat.bin; tar -C /root -cf - fat.bin | docker import - >/dev/null; rm -f /root/fat.bin; done',
      ].join('\n'),
      { timeoutMs: 300_000 },
    );
    // Batches big enough to need the last KiB for Redis's append-only file.
    await waitFor('Redis to refuse writes', async () => (await redisWrite(client, server, `d${Date.now()}`, 5000)) === 500, { timeoutMs: 90_000, intervalMs: 1500 });
    const { code, report } = await doctorJson(server, ['--symptom', 'disk']);
    expect(code).toBe(5);
    const disk = finding(report, 'disk.docker');
    expect(disk.severity).toBe('error');
    expect(disk.title).toMatch(/^Docker's disk is almost full: [\d.]+ KiB left on \/var\/lib\/docker$/);
    expect(disk.evidence.join('\n')).toMatch(/unused Docker images and build cache: 1\.\d GiB/);
    expect(disk.fix.steps).toContain('$ docker image prune -f');
    const redis = finding(report, 'redis.persistence');
    expect(redis.rootCause).toBe('disk.docker');
    // Redis logs ENOSPC, or only a short write when the disk filled in the middle of one.
    expect(redis.evidence.join('\n')).toMatch(/No space left on device|Short write while writing to the AOF file/);

    const fix = await doctorFix(server, ['--symptom', 'disk']);
    expect(fix.out).toContain('✓ fixed: the check passes now');
    expect(fix.code).toBe(0);
    await waitFor('Redis to accept writes again', async () => (await redisWrite(client, server, `ok${Date.now()}`)) === 201, { timeoutMs: 30_000, intervalMs: 1000 });
    expect(await health(client, server)).toBe(200);
    expect(show((await doctorJson(server, ['--symptom', 'disk'])).report)).toBe('');
  });

  it('--bundle: a 0600 archive with findings, evidence, configs and logs, and none of the stack\'s secrets in any file', async () => {
    const r = await server.exec(['stack-wizard', 'doctor', '--bundle', '--out', '/root/support.tar.gz'], { allowFail: true });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Support bundle written: \/root\/support\.tar\.gz \([\d.]+ KiB, mode 0600\)/);
    expect(await server.sh('stat -c %a /root/support.tar.gz')).toBe('600\n');
    const files = (await server.sh('rm -rf /root/b && mkdir /root/b && tar -xzf /root/support.tar.gz -C /root/b && cd /root/b && find . -type f | sort')).split('\n');
    for (const f of ['findings.json', 'evidence.json', 'facts.json', 'status.json', 'versions.txt', 'config/live/.env', 'config/live/docker-compose.yml', 'config/rendered/nginx/nginx.conf', 'logs/mysql.log', 'logs/app.log', 'logs/redis.log', 'logs/nginx.log']) {
      expect(files, f).toContain(`./stack-wizard-support/${f}`);
    }
    // The secrets are really there on the server (and in the app's environment)…
    const env = await server.readFile(`${INSTALL_DIR}/.env`);
    for (const k of ['MYSQL_ROOT_PASSWORD', 'MYSQL_PASSWORD', 'REDIS_PASSWORD'] as const) expect(env).toContain(KNOWN[k]);
    expect(await server.sh(`docker exec ${PROJECT}-app-1 printenv SENTRY_DSN`)).toContain(KNOWN.dsnPassword);
    // …and in no file of the bundle.
    for (const secret of Object.values(KNOWN)) expect(await server.sh(`grep -rlF -- '${secret}' /root/b || true`), secret).toBe('');
    const live = await server.readFile('/root/b/stack-wizard-support/config/live/.env');
    expect(live).toContain(`COMPOSE_PROJECT_NAME=${PROJECT}`);
    expect(live).toContain('MYSQL_PASSWORD=••••••');
    expect(await server.readFile('/root/b/stack-wizard-support/config/live/docker-compose.yml')).toContain('https://pubkey:••••••@sentry.example.com/4');
    const findings = JSON.parse(await server.readFile('/root/b/stack-wizard-support/findings.json')) as { findings: unknown[] };
    expect(findings.findings.length).toBeGreaterThan(25);
  });
});
