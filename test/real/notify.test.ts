// Notifications against real receivers on loopback: WeCom, DingTalk, Feishu and webhook robots that
// check each request as their vendors document it (helpers/robot-receivers.py, written from the
// vendors' own Python samples, not from our sender), and Debian's exim4 taking mail with STARTTLS
// or TLS and AUTH, the message read from its mbox. Proves: `notify test` reaches every channel and
// shows each one's own answer; a wrong secret is refused by the robot's signature check and named;
// messages carry the host, the project, what happened and the fixing command, in Chinese too; an
// event is not sent again within notify.repeatAfter and its recovery is sent once; secrets never
// reach the log.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { createContext } from '../../src/context.js';
import { AnswersSchema, type Answers } from '../../src/domain/answers.js';
import { emptyState } from '../../src/domain/notify/dedupe.js';
import { event } from '../../src/domain/notify/events.js';
import { HOUR, MINUTE } from '../../src/domain/schedule.js';
import { RealExecutor } from '../../src/exec/executor.js';
import { deliver, notifySettings, processObservations } from '../../src/steps/notify.js';
import { startExim, type Exim } from './helpers/exim.js';
import { SECRETS, startReceivers, type Receivers } from './helpers/receivers.js';

let robots: Receivers;
let mta: Exim;
let work: string;
const SMTP_PASSWORD = 'Sm7p-Pa55w0rd!x';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'sw-notify-'));
  [robots, mta] = await Promise.all([startReceivers(), startExim({ password: SMTP_PASSWORD })]);
  for (const [name, value] of [
    ['dingtalk.secret', SECRETS.dingtalkSecret],
    ['feishu.secret', SECRETS.feishuSecret],
    ['webhook.secret', SECRETS.webhookSecret],
    ['smtp.pass', SMTP_PASSWORD],
    ['wrong.secret', 'SECnot-the-right-secret-at-all'],
  ]) {
    writeFileSync(join(work, name!), `${value}\n`, { mode: 0o600 });
  }
});

afterAll(async () => {
  await Promise.all([robots?.stop(), mta?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

function channels(o: { dingtalkSecret?: string; feishuSecret?: string; email?: Record<string, unknown> } = {}) {
  return [
    { kind: 'wecom', url: robots.url('wecom') },
    { kind: 'dingtalk', url: robots.url('dingtalk'), secretFile: o.dingtalkSecret ?? join(work, 'dingtalk.secret') },
    { kind: 'feishu', url: robots.url('feishu'), secretFile: o.feishuSecret ?? join(work, 'feishu.secret') },
    { kind: 'webhook', url: robots.url('webhook'), secretFile: join(work, 'webhook.secret') },
    {
      kind: 'email',
      host: '127.0.0.1',
      port: mta.port,
      tls: 'starttls',
      user: mta.user,
      passwordFile: join(work, 'smtp.pass'),
      caFile: mta.caFile,
      from: 'alerts@example.com',
      to: ['oncall@lab.test'],
      ...(o.email ?? {}),
    },
  ];
}

function answersFile(name: string, notify: Record<string, unknown>): string {
  const a = {
    project: 'shop',
    app: { image: 'registry.example.com/shop/api:1.0' },
    installDir: join(work, name),
    notify,
  };
  const file = join(work, `${name}.json`);
  writeFileSync(file, JSON.stringify(a));
  return file;
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const log: string[] = [];
  const code = await main(args, {
    env: { LANG: 'C.UTF-8', PATH: process.env.PATH, ...env },
    io: { out: (s) => void (out += s), err: (s) => void (err += s) },
    exec: new RealExecutor((l) => log.push(l)),
    interactive: false,
  });
  return { code, out, err, log: log.join('\n') };
}

const since = async (n: number) => (await robots.messages()).slice(n);
/** The body of the last message in an mbox: base64 between the headers and the next "From ". */
function lastMail(mbox: string): { headers: string; body: string } {
  const msgs = mbox.split(/^From /m).filter(Boolean);
  const last = msgs[msgs.length - 1]!;
  const [headers, ...rest] = last.split(/\n\n/);
  return { headers: headers!, body: Buffer.from(rest.join('\n\n').replace(/\s+/g, ''), 'base64').toString('utf8') };
}
/** The Subject header unfolded, its RFC 2047 words decoded. */
function decodeSubject(headers: string): string {
  const raw = /^Subject: (.*(?:\n[ \t].*)*)/m.exec(headers)?.[1] ?? '';
  const words = raw.split(/\s+/).filter(Boolean);
  if (!words.every((w) => w.startsWith('=?'))) return raw.replace(/\n[ \t]+/g, ' ');
  return words.map((w) => Buffer.from(/^=\?UTF-8\?B\?(.*)\?=$/.exec(w)![1]!, 'base64').toString('utf8')).join('');
}

describe('notify test against real receivers', () => {
  it('reaches every channel and shows what each answered; the robots checked the signatures and the mail arrived through STARTTLS and AUTH', async () => {
    const before = (await robots.messages()).length;
    const r = await cli([
      'notify',
      'test',
      '--answers',
      answersFile('all', { channels: channels(), lang: 'en', hostname: 'web-01' }),
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^✓ wecom 127\.0\.0\.1:\d+\/wecom\/cgi-bin\/webhook\/send: errcode 0: ok \(\d+ ms\)$/m);
    expect(r.out).toMatch(/^✓ dingtalk 127\.0\.0\.1:\d+\/dingtalk\/robot\/send: errcode 0: ok/m);
    expect(r.out).toMatch(/^✓ feishu 127\.0\.0\.1:\d+\/feishu\/open-apis\/bot\/v2\/hook\/…: code 0: success/m);
    expect(r.out).toMatch(/^✓ webhook 127\.0\.0\.1:\d+\/webhook\/stack-wizard: HTTP 200/m);
    expect(r.out).toMatch(/^✓ email 127\.0\.0\.1:\d+ → oncall@lab\.test: 250 OK id=\S+/m);
    expect(r.out).toMatch(/all 5 channel\(s\) accepted the test message/);
    const got = await since(before);
    expect(got.map((m) => m.robot).sort()).toEqual(['dingtalk', 'feishu', 'webhook', 'wecom']);
    for (const m of got) {
      expect(m.text, m.robot).toContain('[stack-wizard] web-01/shop: test message');
      expect(m.text, m.robot).toContain('Server web-01, stack shop.');
      expect(m.text, m.robot).toContain('Fix: stack-wizard notify test');
    }
    // The generic webhook's document.
    const hook = got.find((m) => m.robot === 'webhook')!.doc;
    expect(hook).toMatchObject({
      source: 'stack-wizard',
      event: 'test',
      state: 'firing',
      host: 'web-01',
      project: 'shop',
      fix: 'stack-wizard notify test',
    });
    // The mail, as exim delivered it: TLS and AUTH in its log, the subject and body decoded.
    await waitMail('oncall', 1);
    const mail = lastMail(mta.mailbox('oncall'));
    expect(mta.log()).toMatch(/<= alerts@example\.com .* P=esmtpsa X=TLS1\.[23]:\S+ .*A=plain:ops@lab\.test/);
    expect(decodeSubject(mail.headers)).toBe('[stack-wizard] web-01/shop: test message');
    expect(mail.headers).toMatch(/^Content-Type: text\/plain; charset=UTF-8$/m);
    expect(mail.body).toContain('Fix: stack-wizard notify test');
    // No secret in the log of the run: not the SMTP password, the robots' secrets, the keys in the URLs.
    for (const s of Object.values(SECRETS)) expect(r.log).not.toContain(s);
    expect(r.log).not.toContain(SMTP_PASSWORD);
    expect(r.log).toMatch(
      /send: POST http:\/\/127\.0\.0\.1:\d+\/dingtalk\/robot\/send\?access_token=••••••&timestamp=\d+&sign=••••••/,
    );
  });

  it('a wrong DingTalk secret and a wrong Feishu secret are refused by the robots, named with their answers; the others still get it (exit 1)', async () => {
    const before = (await robots.messages()).length;
    const r = await cli([
      'notify',
      'test',
      '--answers',
      answersFile('wrong', {
        channels: channels({ dingtalkSecret: join(work, 'wrong.secret'), feishuSecret: join(work, 'wrong.secret') }),
      }),
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^✗ dingtalk .*: errcode 310000: sign not match/m);
    expect(r.out).toMatch(/^✗ feishu .*: code 19021: sign match fail or timestamp is not within one hour/m);
    expect(r.out).toMatch(/^✓ wecom /m);
    expect(r.out).toMatch(/3 of 5 channel\(s\) accepted the test message/);
    expect((await since(before)).map((m) => m.robot).sort()).toEqual(['webhook', 'wecom']);
  });

  it('email: TLS from the first byte works; a wrong password fails at AUTH, a certificate of an unknown CA at STARTTLS, plain SMTP is offered no AUTH', async () => {
    const wrongPass = join(work, 'bad.pass');
    writeFileSync(wrongPass, 'not-it\n', { mode: 0o600 });
    const email = (extra: Record<string, unknown>) =>
      answersFile(`mail-${Object.keys(extra).join('-')}`, { channels: [{ ...channels()[4]!, ...extra }] });
    const tls = await cli(['notify', 'test', '--answers', email({ tls: 'tls', port: mta.tlsPort })]);
    expect(tls.out).toMatch(/^✓ email 127\.0\.0\.1:\d+ → oncall@lab\.test: 250 OK/m);
    const bad = await cli(['notify', 'test', '--answers', email({ passwordFile: wrongPass })]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^✗ email .*: AUTH: 535 Incorrect authentication data/m);
    const noCa = await cli(['notify', 'test', '--answers', email({ caFile: undefined })]);
    expect(noCa.out).toMatch(/^✗ email .*: STARTTLS: .*(self-signed|unable to (get|verify))/m);
    const plain = await cli(['notify', 'test', '--answers', email({ tls: 'none' })]);
    expect(plain.out).toMatch(/^✗ email .*: AUTH: the server offers no PLAIN or LOGIN authentication/m);
  });

  it('a secret file others can read is refused before anything is sent, naming the answers key and the chmod that fixes it (exit 3)', async () => {
    const loose = join(work, 'loose.secret');
    writeFileSync(loose, `${SECRETS.dingtalkSecret}\n`);
    chmodSync(loose, 0o644);
    const before = (await robots.messages()).length;
    const r = await cli([
      'notify',
      'test',
      '--answers',
      answersFile('loose', {
        channels: [
          { kind: 'wecom', url: robots.url('wecom') },
          { kind: 'dingtalk', url: robots.url('dingtalk'), secretFile: loose },
        ],
      }),
    ]);
    expect(r.code).toBe(3);
    expect(r.err).toContain(`${loose} (notify.channels.dingtalk.secretFile) has mode 0644`);
    expect(r.err).toContain(`chmod 600 ${loose}`);
    expect(r.err).not.toContain(SECRETS.dingtalkSecret);
    // Refused before sending: not even the channel without a secret got the test message.
    expect(await since(before)).toEqual([]);

    // An alert (backup, watch) still reaches the other channels; the refused one fails with the fix.
    const ctx = createContext({ lang: 'en', dryRun: false, exec: new RealExecutor(), env: {} });
    const settings = notifySettings(
      AnswersSchema.parse({
        project: 'shop',
        app: { image: 'registry.example.com/shop/api:1.0' },
        notify: {
          channels: [
            { kind: 'wecom', url: robots.url('wecom') },
            { kind: 'dingtalk', url: robots.url('dingtalk'), secretFile: loose },
          ],
        },
      }),
      'web-01',
    );
    const results = await deliver(ctx, settings, event('test', {}), 'firing');
    expect(results.map((x) => [x.kind, x.ok])).toEqual([
      ['wecom', true],
      ['dingtalk', false],
    ]);
    expect(results[1]!.answer).toContain(`has mode 0644`);
    expect(results[1]!.answer).toContain(`chmod 600 ${loose}`);
    expect((await since(before)).map((m) => m.robot)).toEqual(['wecom']);
  });

  it('without channels it says where to add them (exit 2)', async () => {
    const r = await cli(['notify', 'test', '--answers', answersFile('none', {})]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no notification channels: add notify\.channels to .*none\.json/);
  });
});

async function waitMail(localPart: string, count: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((mta.mailbox(localPart).match(/^From /gm) ?? []).length < count) {
    if (Date.now() > deadline) throw new Error(`no mail for ${localPart}: ${mta.log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("alerts: in the operator's language, once, and one recovery", () => {
  // Real time to start with: DingTalk and Feishu refuse a signature more than an hour off their clock.
  let now = new Date();
  const log: string[] = [];
  const ctx = createContext({
    lang: 'en',
    dryRun: false,
    exec: new RealExecutor((l) => log.push(l)),
    env: {},
    clock: () => now,
  });
  const answers = (): Answers =>
    AnswersSchema.parse({
      project: 'shop',
      region: 'cn',
      app: { image: 'registry.example.com/shop/api:1.0' },
      backup: { schedule: '03:00' },
      notify: { channels: channels({ email: { to: ['second@lab.test'] } }), repeatAfter: '6h', hostname: 'prod-01' },
    });

  it('a missing backup: sent at once to every channel in Chinese (region cn), not again within 6 h, again after, then one recovery', async () => {
    const s = notifySettings(answers(), 'web-01');
    expect(s.lang).toBe('zh-CN');
    const st = emptyState();
    const ev = event('backup-missing', {
      due: '2026-03-15 03:00Z',
      schedule: '03:00',
      grace: '6h',
      newest: '20260313-030001 (2026-03-13 03:00:01Z)',
    });
    const count = async () => (await robots.messages()).filter((m) => m.text.includes('近期没有备份')).length;
    const before = await count();
    const mailsBefore = (mta.mailbox('second').match(/^From /gm) ?? []).length;

    let sent = await processObservations(ctx, s, st, [{ event: ev, firing: true }]);
    expect(sent.map((x) => x.send)).toEqual(['alert']);
    expect(
      sent[0]!.results.every((r) => r.ok),
      JSON.stringify(sent[0]!.results),
    ).toBe(true);
    expect((await count()) - before).toBe(4);
    const text = [
      '【stack-wizard】prod-01/shop：近期没有备份',
      '自计划于 2026-03-15 03:00Z 的备份以来没有完整的备份（计划 03:00，宽限 6h）；最新的是 20260313-030001 (2026-03-13 03:00:01Z)。',
      '服务器 prod-01，栈 shop。',
      `时间：${now.toISOString().replace(/\.\d+Z$/, 'Z')}`,
      '修复：stack-wizard doctor --check backups',
    ].join('\n');
    for (const robot of ['wecom', 'dingtalk', 'feishu'] as const)
      expect((await robots.messages()).filter((m) => m.robot === robot).at(-1)!.text, robot).toBe(text);
    // From here the clock moves on by hours: only the channels whose requests carry no time.
    s.channels = s.channels.filter((c) => c.kind !== 'dingtalk' && c.kind !== 'feishu');
    await waitMail('second', mailsBefore + 1);
    const mail = lastMail(mta.mailbox('second'));
    expect(decodeSubject(mail.headers)).toBe('【stack-wizard】prod-01/shop：近期没有备份');
    expect(mail.body).toContain('修复：stack-wizard doctor --check backups');

    // Still missing an hour later (the watch runs hourly): nothing sent.
    now = new Date(now.getTime() + HOUR);
    sent = await processObservations(ctx, s, st, [{ event: ev, firing: true }]);
    expect(sent).toEqual([]);
    now = new Date(now.getTime() + 4 * HOUR);
    expect(await processObservations(ctx, s, st, [{ event: ev, firing: true }])).toEqual([]);
    expect((await count()) - before).toBe(4);
    expect(sent).toEqual([]);
    // Past the window: once more, marked as still going on.
    now = new Date(now.getTime() + HOUR + MINUTE);
    sent = await processObservations(ctx, s, st, [{ event: ev, firing: true }]);
    expect(sent.map((x) => x.send)).toEqual(['repeat']);
    expect((await robots.messages()).filter((m) => m.robot === 'wecom').at(-1)!.text).toMatch(
      /^【stack-wizard】prod-01\/shop：仍未解决：近期没有备份/,
    );
    // A backup arrives: one recovery; then silence.
    now = new Date(now.getTime() + HOUR);
    const okEv = event('backup-missing', { newest: '20260315-100000 (2026-03-15 10:00:00Z)' });
    sent = await processObservations(ctx, s, st, [{ event: okEv, firing: false }]);
    expect(sent.map((x) => x.send)).toEqual(['recovery']);
    const rec = (await robots.messages()).filter((m) => m.robot === 'webhook').at(-1)!.text;
    expect(rec).toMatch(/^【stack-wizard】prod-01\/shop：已恢复：近期没有备份\n又有了完整的备份：20260315-100000/);
    expect(rec).toMatch(/（开始于 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ）/);
    expect(rec).not.toMatch(/修复：/);
    now = new Date(now.getTime() + HOUR);
    expect(await processObservations(ctx, s, st, [{ event: okEv, firing: false }])).toEqual([]);
    expect(st.events['backup-missing']).toMatchObject({ firing: false, sent: 2 });
  });

  it('a channel that is down does not hold up the others, and an alert no channel took is tried again next time', async () => {
    const s = { ...notifySettings(answers(), 'web-01'), channels: [channels()[0]!] as never };
    const st = emptyState();
    const ev = event('disk-low', { where: '/ (/)', free: '1.2 GiB', pct: '4.1' }, 'install');
    robots.fail('wecom', 502);
    try {
      const first = await processObservations(ctx, s, st, [{ event: ev, firing: true }]);
      expect(first[0]!.results[0]).toMatchObject({ ok: false, answer: expect.stringMatching(/^HTTP 502/) });
      expect(st.events['disk-low:install']).toMatchObject({ firing: true, lastSent: null });
    } finally {
      robots.fail('wecom', null);
    }
    now = new Date(now.getTime() + MINUTE);
    const again = await processObservations(ctx, s, st, [{ event: ev, firing: true }]);
    expect(again.map((x) => x.send)).toEqual(['alert']);
    expect(again[0]!.results[0]!.ok).toBe(true);
  });

  it('a message longer than WeCom takes (2048 bytes) is cut to fit and accepted', async () => {
    const s = { ...notifySettings(answers(), 'web-01'), channels: [channels()[0]!] as never };
    const long = event('backup-failed', { reason: '错误'.repeat(800) });
    const sent = await processObservations(ctx, s, emptyState(), [{ event: long, firing: true }]);
    expect(sent[0]!.results[0]).toMatchObject({ ok: true, answer: 'errcode 0: ok' });
    const m = (await robots.messages()).filter((x) => x.robot === 'wecom').at(-1)!;
    expect(Buffer.byteLength(m.text, 'utf8')).toBeLessThanOrEqual(2048);
    expect(m.text).toMatch(/…$/);
    expect(log.join('\n')).not.toContain(SECRETS.wecomKey);
  });
});
