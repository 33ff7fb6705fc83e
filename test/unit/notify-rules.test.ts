// The pure rules of #19: the answers' new keys and their allow-lists, the drill's schedule, the
// dead-man's switch's conditions, the host's events from doctor's evidence, de-duplication, the
// robots' requests and answers, the mail message, S3 addressing, SigV4 (AWS's published example),
// the ETag verdict and remote retention, and the timers' files. The sending is proven against real
// receivers in test/real/notify.test.ts and test/real/backup-s3.test.ts.
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AnswersSchema } from '../../src/domain/answers.js';
import { watchConditions, type DrillRecord } from '../../src/domain/backup-watch.js';
import { isLocalHost, webhookUrlProblem } from '../../src/domain/local-address.js';
import {
  buildPost,
  dingtalkSign,
  feishuSign,
  judgeAnswer,
  secretsOf,
  truncateUtf8,
} from '../../src/domain/notify/channels.js';
import { decide, record, type DedupeEntry } from '../../src/domain/notify/dedupe.js';
import { composeMessage, event, fixCommand, EVENT_KINDS } from '../../src/domain/notify/events.js';
import { buildMail, dataPayload, encodeHeaderWord, mailDate } from '../../src/domain/notify/mail.js';
import {
  EMPTY_SHA256,
  addressingOf,
  etagVerdict,
  parseList,
  partRanges,
  remoteBackups,
  remoteVictims,
  s3Url,
  signV4,
  usesMultipart,
} from '../../src/domain/s3.js';
import {
  DAY,
  HOUR,
  drillClashes,
  drillSchedule,
  lastDaily,
  lastWeekly,
  parseDuration,
  parseWeekly,
  weeklyCalendar,
} from '../../src/domain/schedule.js';
import { deadmanObservations, fillRate, hostObservations, emptySamples } from '../../src/domain/watch-events.js';
import { timerFiles, timerHostFiles, timerHostPaths } from '../../src/render/backup-timers.js';
import { issueText } from '../../src/ui/model/validate.js';
import { MESSAGES, translator } from '../../src/i18n/index.js';

const en = translator('en');
const zh = translator('zh-CN');
const base = { project: 'shop', app: { image: 'registry.example.com/shop/api:1.0' } };
const problems = (a: unknown) => {
  const r = AnswersSchema.safeParse(a);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${issueText(i, en)}`);
};

describe('answers: backup.drill, grace, s3 and notify', () => {
  it('takes the documented forms', () => {
    const a = AnswersSchema.parse({
      ...base,
      backup: {
        drill: 'Sun 04:00',
        grace: '6h',
        s3: { endpoint: 'https://oss-cn-hangzhou.aliyuncs.com', bucket: 'shop-bk', keep: 30, addressing: 'virtual' },
      },
      notify: {
        channels: [
          { kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc' },
          {
            kind: 'dingtalk',
            url: 'https://oapi.dingtalk.com/robot/send?access_token=t',
            secretFile: '/root/dingtalk.secret',
          },
          { kind: 'feishu', url: 'https://open.feishu.cn/open-apis/bot/v2/hook/h', secretFile: '/root/feishu.secret' },
          { kind: 'webhook', url: 'https://hooks.example.com/x' },
          {
            kind: 'email',
            host: 'smtp.example.com',
            port: 587,
            tls: 'starttls',
            user: 'ops',
            passwordFile: '/root/smtp.pass',
            from: 'ops@example.com',
            to: ['oncall@example.com'],
          },
        ],
      },
    });
    expect(a.notify!.channels).toHaveLength(5);
    expect(a.backup.drill).toBe('Sun 04:00');
    // Absent keys stay absent (the goldens' stack-wizard.yaml is unchanged): defaults are applied where used.
    expect(AnswersSchema.parse(base).backup).toEqual({ keep: 7, schedule: '03:00' });
  });

  it('refuses what would be unsafe or wrong, naming the field and the fix', () => {
    expect(
      problems({
        ...base,
        notify: { channels: [{ kind: 'wecom', url: 'http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a' }] },
      }),
    ).toEqual([
      'notify.channels.0.url: must be https://; plain http:// only to loopback or private addresses (127.x, 10.x, 172.16–31.x, 192.168.x, localhost)',
    ]);
    expect(
      problems({
        ...base,
        notify: {
          channels: [
            { kind: 'webhook', url: 'http://10.1.2.3:8080/hook' },
            { kind: 'webhook', url: 'http://localhost/x' },
          ],
        },
      }),
    ).toEqual([]);
    expect(
      problems({ ...base, notify: { channels: [{ kind: 'webhook', url: 'https://u:p@example.com/' }] } })[0],
    ).toMatch(/must not carry a user or password/);
    expect(
      problems({
        ...base,
        notify: {
          channels: [
            { kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send', secretFile: '/root/../etc/shadow' },
          ],
        },
      })[0],
    ).toMatch(/^notify\.channels\.0\.secretFile: an absolute path of plain names/);
    expect(
      problems({
        ...base,
        notify: { channels: [{ kind: 'dingtalk', url: 'https://x.example.com/', secretFile: 'relative' }] },
      }),
    ).toHaveLength(1);
    expect(
      problems({
        ...base,
        notify: {
          channels: [
            { kind: 'email', host: 'smtp.example.com', tls: 'none', from: 'a@example.com', to: ['b@example.com'] },
          ],
        },
      })[0],
    ).toMatch(/^notify\.channels\.0\.tls: tls: none sends the password and the mail in clear/);
    expect(
      problems({
        ...base,
        notify: {
          channels: [
            { kind: 'email', host: '127.0.0.1', port: 25, tls: 'none', from: 'a@example.com', to: ['b@example.com'] },
          ],
        },
      }),
    ).toEqual([]);
    expect(
      problems({
        ...base,
        notify: {
          channels: [
            { kind: 'email', host: 'smtp.example.com', user: 'ops', from: 'a@example.com', to: ['b@example.com'] },
          ],
        },
      })[0],
    ).toMatch(/^notify\.channels\.0\.passwordFile: an SMTP user needs passwordFile/);
    expect(
      problems({
        ...base,
        notify: {
          channels: [
            { kind: 'email', host: 'smtp.example.com; rm -rf /', from: 'a@example.com', to: ['b@example.com'] },
          ],
        },
      })[0],
    ).toMatch(/host: a host name or an IP address/);
    expect(problems({ ...base, notify: { channels: [{ kind: 'sms', url: 'https://x' }] } })).toHaveLength(1);
    expect(problems({ ...base, notify: { repeatAfter: '5m' } })).toEqual(['notify.repeatAfter: must be at least 10m']);
    expect(problems({ ...base, backup: { drill: 'Sunday 4am' } })).toEqual([
      'backup.drill: a weekly time as "Sun 04:00" (Mon … Sun and HH:MM), or off',
    ]);
    expect(problems({ ...base, backup: { schedule: '04:00', drill: 'Wed 04:30' } })).toEqual([
      'backup.drill: the drill must be at least an hour away from the daily backup at 04:00: both need the maintenance lock and the disk',
    ]);
    expect(problems({ ...base, backup: { schedule: '23:30', drill: 'Sun 00:10' } })).toHaveLength(1);
    expect(problems({ ...base, backup: { schedule: '04:00', drill: 'Sun 05:00' } })).toEqual([]);
    expect(problems({ ...base, backup: { grace: '6 hours' } })).toEqual([
      'backup.grace: a duration such as 30m, 6h or 2d',
    ]);
    expect(
      problems({ ...base, backup: { s3: { endpoint: 'https://s3.example.com', bucket: 'b-k', addressing: 'host' } } }),
    ).toHaveLength(1);
  });

  it('every message of the notify and drill catalogues has a Chinese text', () => {
    // HTTP verbs are the same words in Chinese.
    for (const k of Object.keys(MESSAGES.en).filter(
      (x) =>
        /^(nt|dr|wt|s3|rs\.s3|status\.last|v\.(robot|smtp|drill|duration|secret))/.test(x) &&
        !/^s3\.step\.(put|get|delete)$/.test(x),
    )) {
      expect(MESSAGES['zh-CN'][k], k).toBeTruthy();
      expect(MESSAGES['zh-CN'][k], k).not.toBe(MESSAGES.en[k]);
    }
  });
});

describe('local addresses', () => {
  it('loopback, private ranges and localhost names; not public ones', () => {
    for (const h of [
      '127.0.0.1',
      '10.0.0.5',
      '172.20.1.1',
      '192.168.1.10',
      '::1',
      '[::1]',
      'localhost',
      's3.localhost',
      '100.64.0.1',
    ])
      expect(isLocalHost(h), h).toBe(true);
    for (const h of ['8.8.8.8', '172.32.0.1', 'example.com', 'localhost.example.com', '203.0.113.5'])
      expect(isLocalHost(h), h).toBe(false);
    expect(webhookUrlProblem('ftp://x')).toBe('scheme');
    expect(webhookUrlProblem('not a url')).toBe('url');
  });
});

describe('schedules', () => {
  it('the drill defaults to Sunday 04:00, moved two hours past a backup that is near it', () => {
    expect(drillSchedule({ schedule: '03:00' })).toBe('Sun 04:00');
    expect(drillSchedule({ schedule: '04:30' })).toBe('Sun 06:30');
    expect(drillSchedule({ schedule: '23:00', drill: 'off' })).toBe('off');
    expect(drillClashes('Sun 00:20', '23:40')).toBe(true);
    expect(drillClashes('Sun 04:00', '03:00')).toBe(false);
  });

  it('slots, durations and systemd calendars', () => {
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('2d')).toBe(2 * DAY);
    expect(parseDuration('0h')).toBeNull();
    expect(weeklyCalendar(parseWeekly('Sun 04:00')!)).toBe('Sun *-*-* 04:00:00');
    const now = new Date(2026, 2, 18, 10, 15); // a Wednesday, local time
    expect(lastDaily('03:00', now)).toEqual(new Date(2026, 2, 18, 3, 0));
    expect(lastDaily('11:00', now)).toEqual(new Date(2026, 2, 17, 11, 0));
    expect(lastWeekly(parseWeekly('Sun 04:00')!, now)).toEqual(new Date(2026, 2, 15, 4, 0));
    expect(lastWeekly(parseWeekly('Wed 11:00')!, now)).toEqual(new Date(2026, 2, 11, 11, 0));
  });
});

const drill = (at: Date, ok: boolean, id = '20260315-030000'): DrillRecord => ({
  at: at.toISOString(),
  id,
  ok,
  scheduled: true,
  durationMs: 1000,
  parts: {},
  database: null,
  redis: null,
  archives: [],
  error: ok ? null : 'backup 20260315-030000 is damaged',
});

describe("the dead-man's switch", () => {
  const now = new Date(2026, 2, 18, 10, 0); // Wednesday 10:00 local
  const input = (o: Partial<Parameters<typeof watchConditions>[0]>) => ({
    now,
    schedule: '03:00',
    graceMs: 6 * HOUR,
    drill: 'Sun 04:00',
    backups: [],
    drills: [],
    remote: [],
    s3: false,
    expectSince: new Date(2026, 2, 1),
    ...o,
  });
  const byId = (cs: ReturnType<typeof watchConditions>, id: string) => cs.find((c) => c.id === id)!;

  it('a backup is missing once its slot and the grace have passed without one', () => {
    // 10:00 > 03:00 + 6 h: today's backup is due; yesterday's does not count.
    const yesterday = { id: '20260317-020000', createdAt: new Date(2026, 2, 17, 3, 0, 5).toISOString() };
    expect(byId(watchConditions(input({ backups: [yesterday] })), 'backup-missing').firing).toBe(true);
    const today = { id: 'x', createdAt: new Date(2026, 2, 18, 3, 0, 5).toISOString() };
    expect(byId(watchConditions(input({ backups: [yesterday, today] })), 'backup-missing').firing).toBe(false);
    // At 08:00 today's is still within its grace: yesterday's is enough.
    expect(
      byId(watchConditions(input({ now: new Date(2026, 2, 18, 8, 0), backups: [yesterday] })), 'backup-missing').firing,
    ).toBe(false);
    // Installed at 09:30 today: today's 03:00 slot came before, not judged.
    expect(byId(watchConditions(input({ expectSince: new Date(2026, 2, 18, 9, 30) })), 'backup-missing').firing).toBe(
      false,
    );
    expect(byId(watchConditions(input({ schedule: 'off' })), 'backup-missing').firing).toBe(false);
  });

  it('the last drill failed; no drill passed for two weeks; the last upload failed', () => {
    const c1 = watchConditions(
      input({ drills: [drill(new Date(2026, 2, 1, 4), true), drill(new Date(2026, 2, 15, 4), false)] }),
    );
    expect(byId(c1, 'drill-failed').firing).toBe(true);
    expect(byId(c1, 'drill-stale').firing).toBe(true);
    const c2 = watchConditions(input({ drills: [drill(new Date(2026, 2, 15, 4), true)] }));
    expect(byId(c2, 'drill-failed').firing).toBe(false);
    expect(byId(c2, 'drill-stale').firing).toBe(false);
    expect(
      byId(watchConditions(input({ drill: 'off', drills: [], expectSince: new Date(2025, 0, 1) })), 'drill-stale')
        .firing,
    ).toBe(false);
    const rec = {
      at: now.toISOString(),
      id: 'x',
      ok: false,
      bucket: 'b',
      files: 0,
      bytes: 0,
      durationMs: 1,
      pruned: [],
      error: 'HTTP 403',
    };
    expect(byId(watchConditions(input({ s3: true, remote: [rec] })), 'remote-failed').firing).toBe(true);
    expect(
      byId(
        watchConditions(
          input({ s3: true, remote: [rec, { ...rec, ok: true, at: new Date(now.getTime() + 1).toISOString() }] }),
        ),
        'remote-failed',
      ).firing,
    ).toBe(false);
  });

  it('as events, with what the message says', () => {
    const obs = deadmanObservations(watchConditions(input({})), {
      schedule: '03:00',
      grace: '6h',
      drill: 'Sun 04:00',
      bucket: null,
    });
    const missing = obs.find((o) => o.event.kind === 'backup-missing')!;
    expect(missing.firing).toBe(true);
    expect(en('nt.ev.backup-missing.what', missing.event.params)).toMatch(
      /^No complete backup since the one scheduled at \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(schedule 03:00, grace 6h\); the newest is -\.$/,
    );
  });
});

describe("the host's events from doctor's evidence", () => {
  const fsu = (free: number, total = 100 * 2 ** 30) => ({
    path: '/opt/stack-wizard/shop',
    mount: '/',
    totalBytes: total,
    freeBytes: free,
    totalInodes: null,
    freeInodes: null,
  });
  const now = new Date('2026-03-18T10:00:00Z');

  it('disk below 10 % fires; a week of samples falling fast enough forecasts a full disk', () => {
    const low = hostObservations(
      { disk: { install: fsu(5 * 2 ** 30), docker: null, sameFs: true, biggest: [], reclaimableBytes: null } },
      emptySamples(),
      now,
    );
    expect(low.observations.find((o) => o.event.kind === 'disk-low')).toMatchObject({
      firing: true,
      event: { key: 'disk-low:install', params: { pct: '5.0' } },
    });
    // 40 GiB free, losing 8 GiB a day for 2 days: full in 5 days.
    const samples = {
      ...emptySamples(),
      disk: [0, 12, 24, 36, 48].map((h) => ({
        at: new Date(now.getTime() - (48 - h) * HOUR).toISOString(),
        fs: 'install',
        free: (56 - (h / 24) * 8) * 2 ** 30,
        total: 100 * 2 ** 30,
      })),
    };
    const r = hostObservations(
      { disk: { install: fsu(40 * 2 ** 30), docker: null, sameFs: true, biggest: [], reclaimableBytes: null } },
      samples,
      now,
    );
    const filling = r.observations.find((o) => o.event.kind === 'disk-filling')!;
    expect(filling.firing).toBe(true);
    expect(Number(filling.event.params.days)).toBeCloseTo(5, 0);
    expect(r.samples.disk).toHaveLength(6);
    // Too short a history is no trend.
    expect(
      hostObservations(
        { disk: { install: fsu(40 * 2 ** 30), docker: null, sameFs: true, biggest: [], reclaimableBytes: null } },
        { ...emptySamples(), disk: samples.disk.slice(-1) },
        now,
      ).observations.find((o) => o.event.kind === 'disk-filling')!.firing,
    ).toBe(false);
    expect(fillRate([{ at: '2026-01-01T00:00:00Z', free: 5 }])).toBeNull();
  });

  it('a container killed for memory, one restarting in a loop (3 restarts since the last watch)', () => {
    const svc = (name: string, c: Record<string, unknown>) => ({
      name,
      container: { state: 'running', oomKilled: false, restartCount: 0, ...c },
      logs: [],
      dependsOn: [],
      healthyImageId: null,
      memory: null,
    });
    const ev = {
      reachable: true,
      services: [
        svc('app', { restartCount: 7 }),
        svc('mysql', { oomKilled: true }),
        svc('redis', { state: 'restarting', restartCount: 1 }),
      ],
    } as never;
    const before = { ...emptySamples(), restarts: { app: { at: now.toISOString(), count: 4 } } };
    const r = hostObservations({ services: ev }, before, now);
    const firing = r.observations
      .filter((o) => o.firing)
      .map((o) => o.event.key)
      .sort();
    expect(firing).toEqual(['container-oom:mysql', 'container-restarting:app', 'container-restarting:redis']);
    expect(r.samples.restarts.app!.count).toBe(7);
  });

  it('a certificate within 14 days, a failed renewal, a dead mirror', () => {
    const cert = (days: number) => ({
      subject: 'CN=x',
      issuer: 'R3',
      names: ['x'],
      notBefore: '',
      notAfter: new Date(now.getTime() + days * DAY).toISOString(),
      fingerprint256: '',
      selfSigned: false,
    });
    const tls = {
      mode: 'letsencrypt',
      domain: 'x',
      expectedName: 'x',
      file: { path: '/p', cert: cert(10), error: null },
      served: null,
      timer: {
        unit: 'stack-wizard-shop-certbot.timer',
        enabled: 'enabled',
        active: 'active',
        lastResult: 'exit-code',
        lastRun: null,
        journal: [],
      },
    } as never;
    const mirrors = {
      region: 'cn',
      daemon: ['https://m.example.com'],
      answers: {},
      results: [{ kind: 'registry', url: 'https://m.example.com', alive: false, latencyMs: null, error: 'timeout' }],
    } as never;
    const r = hostObservations({ tls, mirrors }, emptySamples(), now);
    expect(
      r.observations
        .filter((o) => o.firing)
        .map((o) => o.event.kind)
        .sort(),
    ).toEqual(['cert-expiring', 'cert-renewal-failed', 'mirror-degraded']);
    expect(en('nt.ev.cert-expiring.what', r.observations[0]!.event.params)).toMatch(
      /^The TLS certificate expires in 10 day\(s\)/,
    );
  });
});

describe('de-duplication', () => {
  const t0 = new Date('2026-03-18T10:00:00Z');
  const at = (h: number) => new Date(t0.getTime() + h * HOUR);
  const e = { severity: 'error' as const, params: {} };
  it('first alert at once, nothing within the window, one reminder after it, one recovery, then nothing', () => {
    let st: DedupeEntry | undefined;
    const step = (h: number, firing: boolean, delivered = true) => {
      const d = decide(st, firing, at(h), 12 * HOUR);
      st = record(st, firing, d, delivered, at(h), e);
      return d.send;
    };
    expect(step(0, true)).toBe('alert');
    expect([1, 6, 11].map((h) => step(h, true))).toEqual([null, null, null]);
    expect(step(12, true)).toBe('repeat');
    expect(step(13, true)).toBe(null);
    expect(step(14, false)).toBe('recovery');
    expect(step(15, false)).toBe(null);
    expect(step(16, true)).toBe('alert');
  });
  it('an alert no channel took is tried again; a recovery no channel took too', () => {
    let st: DedupeEntry | undefined;
    const step = (h: number, firing: boolean, delivered: boolean) => {
      const d = decide(st, firing, at(h), 12 * HOUR);
      st = record(st, firing, d, delivered, at(h), e);
      return d.send;
    };
    expect(step(0, true, false)).toBe('alert');
    expect(step(1, true, true)).toBe('alert');
    expect(step(2, true, true)).toBe(null);
    expect(step(3, false, false)).toBe('recovery');
    expect(step(4, false, true)).toBe('recovery');
    expect(step(5, false, true)).toBe(null);
  });
});

describe('messages', () => {
  const where = { host: 'web-01', project: 'shop', at: new Date('2026-03-18T10:00:00.123Z') };
  it('every event has a title, what happened, a recovery and a fixing command, in both languages', () => {
    for (const kind of EVENT_KINDS) {
      for (const t of [en, zh]) {
        for (const state of ['firing', 'resolved'] as const) {
          const m = composeMessage(t, event(kind, { id: 'I', reason: 'R', service: 'mysql' }), where, state);
          expect(m.text, `${kind} ${state}`).not.toMatch(/nt\.ev\./);
        }
      }
      expect(fixCommand(event(kind, { id: '20260318-030000' }))).toMatch(/^stack-wizard /);
    }
    const m = composeMessage(
      zh,
      event('drill-failed', { id: '20260318-030000', reason: '校验和不一致' }),
      where,
      'firing',
    );
    expect(m.text).toBe(
      '【stack-wizard】web-01/shop：恢复演练失败\n备份 20260318-030000 的恢复演练失败：校验和不一致\n服务器 web-01，栈 shop。\n时间：2026-03-18T10:00:00Z\n修复：stack-wizard backup verify 20260318-030000',
    );
  });

  it("the robots' requests as their vendors document them", () => {
    const m = composeMessage(en, event('test'), where, 'firing');
    const now = new Date('2026-03-18T10:00:00Z');
    const ding = buildPost(
      { kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=TOKEN123' },
      m,
      event('test'),
      { host: 'h', project: 'p', now, secret: 'SECxyz' },
    );
    const u = new URL(ding.url);
    expect(u.searchParams.get('access_token')).toBe('TOKEN123');
    expect(u.searchParams.get('timestamp')).toBe(String(now.getTime()));
    expect(u.searchParams.get('sign')).toBe(
      createHmac('sha256', 'SECxyz').update(`${now.getTime()}\nSECxyz`).digest('base64'),
    );
    expect(JSON.parse(ding.body)).toEqual({ msgtype: 'text', text: { content: m.text } });
    const fs = JSON.parse(
      buildPost({ kind: 'feishu', url: 'https://open.feishu.cn/open-apis/bot/v2/hook/H' }, m, event('test'), {
        host: 'h',
        project: 'p',
        now,
        secret: 'k',
      }).body,
    );
    expect(fs).toEqual({
      timestamp: '1773828000',
      sign: feishuSign('k', 1773828000),
      msg_type: 'text',
      content: { text: m.text },
    });
    expect(feishuSign('k', 1773828000)).toBe(createHmac('sha256', '1773828000\nk').update('').digest('base64'));
    expect(dingtalkSign('s', 1)).toBe(createHmac('sha256', 's').update('1\ns').digest('base64'));
    const hook = buildPost({ kind: 'webhook', url: 'https://h.example.com/' }, m, event('test'), {
      host: 'h',
      project: 'p',
      now,
      secret: 'w',
    });
    expect(hook.headers['x-stack-wizard-signature']).toBe(
      `sha256=${createHmac('sha256', 'w').update(hook.body).digest('hex')}`,
    );
    expect(secretsOf(ding)).toEqual(expect.arrayContaining(['TOKEN123', u.searchParams.get('sign')!]));
    expect(truncateUtf8('错'.repeat(1000), 2048)).toHaveLength(682);
  });

  it("reads each robot's answer", () => {
    expect(judgeAnswer('wecom', 200, '{"errcode":0,"errmsg":"ok"}')).toEqual({ ok: true, answer: 'errcode 0: ok' });
    expect(judgeAnswer('dingtalk', 200, '{"errcode":310000,"errmsg":"sign not match"}')).toEqual({
      ok: false,
      answer: 'errcode 310000: sign not match',
    });
    expect(judgeAnswer('feishu', 200, '{"StatusCode":0,"StatusMessage":"success"}').ok).toBe(true);
    expect(judgeAnswer('feishu', 200, '{"code":19021,"msg":"sign match fail"}')).toEqual({
      ok: false,
      answer: 'code 19021: sign match fail',
    });
    expect(judgeAnswer('webhook', 502, 'bad gateway')).toEqual({ ok: false, answer: 'HTTP 502 bad gateway' });
    expect(judgeAnswer('wecom', 200, '<html>')).toMatchObject({ ok: false });
  });

  it('mail: UTF-8 subject as encoded words, base64 body, CRLF, dot-stuffing', () => {
    expect(encodeHeaderWord('plain')).toBe('plain');
    const w = encodeHeaderWord('【stack-wizard】生产/shop：备份失败'.repeat(2));
    for (const part of w.split('\r\n ')) expect(part.length).toBeLessThanOrEqual(75);
    expect(
      w
        .split('\r\n ')
        .map((x) => Buffer.from(/^=\?UTF-8\?B\?(.*)\?=$/.exec(x)![1]!, 'base64').toString('utf8'))
        .join(''),
    ).toBe('【stack-wizard】生产/shop：备份失败'.repeat(2));
    const mail = buildMail({
      from: 'a@example.com',
      to: ['b@example.com', 'c@example.com'],
      subject: 's',
      text: 'line\n.dot',
      date: new Date('2026-03-18T10:00:00Z'),
      messageId: 'x@h',
    });
    expect(mail).toMatch(
      /^From: a@example\.com\r\nTo: b@example\.com, c@example\.com\r\nSubject: s\r\nDate: Wed, 18 Mar 2026 10:00:00 \+0000\r\n/,
    );
    expect(Buffer.from(mail.split('\r\n\r\n')[1]!.replace(/\r\n/g, ''), 'base64').toString()).toBe('line\r\n.dot');
    expect(dataPayload('a\r\n.b\r\n')).toBe('a\r\n..b\r\n.\r\n');
    expect(mailDate(new Date('2026-01-05T01:02:03Z'))).toBe('Mon, 05 Jan 2026 01:02:03 +0000');
  });
});

describe('S3 as data', () => {
  const t = {
    endpoint: 'https://oss-cn-hangzhou.aliyuncs.com',
    bucket: 'shop-bk',
    region: 'oss-cn-hangzhou',
    prefix: 'prod',
  };
  it('addressing: virtual for AWS, Aliyun and Tencent (auto), path elsewhere or for a dotted bucket; as chosen when set', () => {
    expect(addressingOf(t)).toBe('virtual');
    expect(addressingOf({ ...t, endpoint: 'https://cos.ap-shanghai.myqcloud.com' })).toBe('virtual');
    expect(addressingOf({ ...t, endpoint: 'http://10.0.0.5:9000' })).toBe('path');
    expect(addressingOf({ ...t, bucket: 'my.bucket' })).toBe('path');
    expect(addressingOf({ ...t, endpoint: 'http://minio:9000', addressing: 'virtual' })).toBe('virtual');
    expect(s3Url(t, 'prod/shop/1/a b.sql').toString()).toBe(
      'https://shop-bk.oss-cn-hangzhou.aliyuncs.com/prod/shop/1/a%20b.sql',
    );
    expect(s3Url({ ...t, addressing: 'path' }, 'k', { 'list-type': '2', prefix: 'prod/shop/' }).toString()).toBe(
      'https://oss-cn-hangzhou.aliyuncs.com/shop-bk/k?list-type=2&prefix=prod%2Fshop%2F',
    );
    expect(s3Url({ ...t, addressing: 'path' }, '', { uploads: '' }).toString()).toBe(
      'https://oss-cn-hangzhou.aliyuncs.com/shop-bk?uploads=',
    );
  });

  it("SigV4: AWS's published GET Object example signs to its published signature", () => {
    const url = s3Url(
      { endpoint: 'https://s3.amazonaws.com', bucket: 'examplebucket', region: 'us-east-1', prefix: '' },
      'test.txt',
    );
    const h = signV4(
      { method: 'GET', url, headers: { Range: 'bytes=0-9' }, payloadSha256: EMPTY_SHA256 },
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      'us-east-1',
      new Date('2013-05-24T00:00:00Z'),
    );
    expect(h.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('parts: always beyond 5 GiB, within 10,000 parts', () => {
    expect(usesMultipart(5 * 2 ** 30 + 1, 100 * 2 ** 30)).toBe(true);
    expect(usesMultipart(100 * 2 ** 20)).toBe(false);
    const r = partRanges(200 * 2 ** 30);
    expect(r.length).toBeLessThanOrEqual(10_000);
    expect(r.at(-1)!.end).toBe(200 * 2 ** 30);
    expect(partRanges(40 * 2 ** 20).map((x) => x.end - x.start)).toEqual([16 * 2 ** 20, 16 * 2 ** 20, 8 * 2 ** 20]);
  });

  it('ETag verdicts: MD5 proves, multipart MD5-of-MD5s proves, anything else is read back', () => {
    const md5 = 'd41d8cd98f00b204e9800998ecf8427e';
    expect(etagVerdict(`"${md5}"`, md5, [])).toBe('match');
    expect(etagVerdict('"0cc175b9c0f1b6a831c399e269772661"', md5, [])).toBe('mismatch');
    expect(etagVerdict('"a1b2-3"', md5, [])).toBe('unknown');
    const parts = ['0cc175b9c0f1b6a831c399e269772661', '92eb5ffee6ae2fec3ad71c777531578f'];
    const multi = `${multipartEtag(parts)}-2`;
    expect(etagVerdict(`"${multi}"`, '', parts)).toBe('match');
  });

  it('remote retention: keep the newest complete ones; a broken upload older than the newest complete one goes', () => {
    const obj = (key: string) => ({ key, size: 10, etag: 'e' });
    const list = remoteBackups(
      [
        '20260101-000000/database.sql.zst',
        '20260102-000000/database.sql.zst',
        '20260102-000000/manifest.json',
        '20260103-000000/manifest.json',
        '20260104-000000/database.sql.zst',
        'junk/x',
        '20260105-000000',
      ].map((k) => obj(`prod/shop/${k}`)),
      'prod/shop/',
    );
    expect(list.map((b) => [b.id, b.complete])).toEqual([
      ['20260104-000000', false],
      ['20260103-000000', true],
      ['20260102-000000', true],
      ['20260101-000000', false],
    ]);
    expect(remoteVictims(list, 1).map((b) => b.id)).toEqual(['20260102-000000', '20260101-000000']);
    expect(remoteVictims(list, 1, new Set(['20260102-000000'])).map((b) => b.id)).toEqual(['20260101-000000']);
    expect(
      parseList(
        '<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t&amp;1</NextContinuationToken><Contents><Key>a&amp;b</Key><Size>3</Size><ETag>&quot;x&quot;</ETag></Contents></ListBucketResult>',
      ),
    ).toEqual({ objects: [{ key: 'a&b', size: 3, etag: 'x' }], next: 't&1' });
  });
});

/** MD5 of the concatenated binary part MD5s, as S3 computes a multipart ETag. */
const multipartEtag = (partMd5s: string[]) =>
  createHash('md5')
    .update(Buffer.concat(partMd5s.map((h) => Buffer.from(h, 'hex'))))
    .digest('hex');

describe('the drill and watch timers', () => {
  const o = {
    project: 'shop',
    installDir: '/opt/stack-wizard/shop',
    schedule: '03:00',
    drill: 'Sun 04:00',
    bin: ['/usr/local/bin/stack-wizard'],
    systemd: true,
    binlogs: false,
  };
  it('systemd: the drill weekly under nice and ionice, the watch hourly at the half hour from the backup', () => {
    const f = timerFiles(o);
    expect(f.map((x) => x.path)).toEqual([
      '/etc/systemd/system/stack-wizard-shop-drill.service',
      '/etc/systemd/system/stack-wizard-shop-drill.timer',
      '/etc/systemd/system/stack-wizard-shop-watch.service',
      '/etc/systemd/system/stack-wizard-shop-watch.timer',
    ]);
    expect(f[0]!.content).toMatch(
      /^ExecStart=\/usr\/local\/bin\/stack-wizard backup drill --scheduled --answers \/opt\/stack-wizard\/shop\/stack-wizard\.yaml$/m,
    );
    expect(f[0]!.content).toMatch(/^Nice=19$/m);
    expect(f[0]!.content).toMatch(/^IOSchedulingClass=idle$/m);
    expect(f[1]!.content).toMatch(/^OnCalendar=Sun \*-\*-\* 04:00:00$/m);
    expect(f[2]!.content).toMatch(
      /^ExecStart=\/usr\/local\/bin\/stack-wizard backup watch --answers \/opt\/stack-wizard\/shop\/stack-wizard\.yaml$/m,
    );
    expect(f[3]!.content).toMatch(/^OnCalendar=\*-\*-\* \*:30:00$/m);
  });
  it('cron: the drill under nice -n 19 ionice -c 3 on its weekday; the drill off removes its files, keeps the watch', () => {
    const f = timerFiles({ ...o, systemd: false });
    expect(f[0]!.content).toMatch(
      /^0 4 \* \* 0 root nice -n 19 ionice -c 3 \/usr\/local\/bin\/stack-wizard backup drill --scheduled --answers \/opt\/stack-wizard\/shop\/stack-wizard\.yaml >>\/opt\/stack-wizard\/shop\/logs\/backup-cron\.log 2>&1$/m,
    );
    expect(f[1]!.content).toMatch(/^30 \* \* \* \* root \/usr\/local\/bin\/stack-wizard backup watch /m);
    const now = Object.fromEntries(timerHostPaths('shop').map((p) => [p, p.includes('systemd') ? 'old' : null]));
    const off = timerHostFiles({ ...o, drill: 'off' }, now);
    expect(off.filter((x) => x.content === null).map((x) => x.path)).toEqual([
      '/etc/systemd/system/stack-wizard-shop-drill.service',
      '/etc/systemd/system/stack-wizard-shop-drill.timer',
      // Not wanted here (binlogs: false), so removed too.
      '/etc/systemd/system/stack-wizard-shop-binlogs.service',
      '/etc/systemd/system/stack-wizard-shop-binlogs.timer',
    ]);
  });
});
