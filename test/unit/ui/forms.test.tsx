// The form screens (project/app, components, domain/TLS, database, security, backups): keys,
// validation messages from the answers schema, given answers, and CJK alignment.
import { cleanup, render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { translator, type T } from '../../../src/i18n/index.js';
import { KeyScope } from '../../../src/ui/components.js';
import { Form } from '../../../src/ui/form.js';
import { FORMS, initialTouched, initialValues, type FormId, type FormValues } from '../../../src/ui/model/forms.js';
import { validateForm, type Problems } from '../../../src/ui/model/validate.js';
import type { Draft } from '../../../src/domain/draft.js';
import { KEY, flat, plain, press, waitFlat, waitFor, waitText } from './helpers.js';

afterEach(() => cleanup());

function mount(id: FormId, o: { t?: T; draft?: Draft; given?: Set<string>; onSubmit?: (v: FormValues) => Problems | null; action?: (v: FormValues) => Promise<string[]> } = {}) {
  const t = o.t ?? translator('en');
  const def = FORMS[id];
  const draft = o.draft ?? {};
  const given = o.given ?? new Set<string>();
  const submitted: FormValues[] = [];
  const onSubmit = vi.fn((v: FormValues) => {
    submitted.push(v);
    return o.onSubmit ? o.onSubmit(v) : null;
  });
  // In a KeyScope, as inside the wizard: one key listener for the form and its fields.
  const r = render(
    <KeyScope>
      <Form
        t={t}
        def={def}
        initial={initialValues(def, draft)}
        initialTouched={initialTouched(def, draft)}
        given={given}
        validate={(v) => validateForm(def, v, draft, t, given)}
        onSubmit={onSubmit}
        {...(o.action ? { action: { hint: t('ui.bk.testHint'), running: t('ui.bk.testing'), run: o.action } } : {})}
      />
    </KeyScope>,
  );
  return { ...r, frame: plain(r.lastFrame), onSubmit, submitted, t };
}

describe('project and app', () => {
  test('a bad project name and an image reference that is not one get the schema\'s messages', async () => {
    const { stdin, frame, onSubmit, t } = mount('app');
    await waitText(frame, 'Project name');
    await press(stdin, 'My App', KEY.enter);
    await waitFlat(frame, t('v.project'));
    await press(stdin, KEY.ctrlU, 'myapp', KEY.enter);
    await waitFor(frame, (f) => !f.includes(t('v.project')), 'the project message to go');
    await press(stdin, 'Not A Ref!', KEY.enter);
    await waitFlat(frame, t('v.imageRef'));
    expect(onSubmit).not.toHaveBeenCalled();
  });

  test('Enter walks the fields and submits on the last; Backspace edits; choices cycle with arrows', async () => {
    const { stdin, frame, onSubmit, submitted } = mount('app');
    await waitText(frame, 'Project name');
    await press(stdin, 'shopx', KEY.backspace, KEY.enter, 'ghcr.io/acme/shop:2.0', KEY.enter);
    await press(stdin, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, '9000', KEY.enter, KEY.enter);
    await waitText(frame, '> Runtime');
    await press(stdin, KEY.left, KEY.left);
    await waitText(frame, '(*) node');
    await press(stdin, KEY.enter);
    await waitFor(frame, () => onSubmit.mock.calls.length === 1, 'submit');
    expect(submitted[0]).toMatchObject({ project: 'shop', 'app.image': 'ghcr.io/acme/shop:2.0', 'app.port': '9000', 'app.health': '/health', 'app.runtime': 'node' });
  });

  test('submitting with empty required fields marks them and focuses the first', async () => {
    const { stdin, frame, onSubmit } = mount('app');
    await waitText(frame, 'Project name');
    await press(stdin, KEY.down, KEY.down, KEY.down, KEY.down, KEY.enter);
    const f = await waitText(frame, 'is required');
    expect(f).toMatch(/> Project name/);
    expect(onSubmit).not.toHaveBeenCalled();
  });

  test('answers given by flags are shown, not asked', async () => {
    const { stdin, frame, submitted } = mount('app', { draft: { project: 'given-one', app: { image: 'a/b:1' } }, given: new Set(['project', 'app.image']) });
    const f = await waitText(frame, 'given-one (given)');
    expect(f).toContain('a/b:1 (given)');
    expect(f).toMatch(/> App port/);
    await press(stdin, KEY.enter, KEY.enter, KEY.enter);
    await waitFor(frame, () => submitted.length === 1, 'submit');
  });

  test('zh-CN: the values line up although the labels mix CJK and Latin', async () => {
    const t = translator('zh-CN');
    const { frame } = mount('app', { t, draft: { project: 'p1', app: { image: 'img:1' } } });
    const f = await waitText(frame, '项目名');
    const lines = f.split('\n');
    const col = (value: string) => {
      const l = lines.find((x) => x.includes(value))!;
      return stringWidth(l.slice(0, l.indexOf(value)));
    };
    expect(new Set([col('p1'), col('img:1'), col('8000'), col('/health'), col('( ) python-asgi')]).size).toBe(1);
  });
});

describe('components', () => {
  test('Space toggles; the worker asks for its command and needs one', async () => {
    const { stdin, frame, t, submitted } = mount('components');
    await waitText(frame, '[x] Redis');
    // With Redis on, its server is asked next (cache.engine).
    await waitText(frame, 'Redis server');
    await press(stdin, KEY.down, KEY.down, KEY.space);
    await waitText(frame, 'Worker command');
    // Redis is now the worker's broker: it holds a queue, which is never evicted (#22.1).
    await waitText(frame, '(*) queue (never evicts)');
    await press(stdin, KEY.down, KEY.down, KEY.down, KEY.down, KEY.down, KEY.enter);
    await waitFlat(frame, t('ui.v.workerCommand'));
    await waitText(frame, '> Worker command');
    await press(stdin, 'celery -A app worker', KEY.enter, KEY.space);
    // RabbitMQ is the broker now: Redis goes back to a cache.
    await waitText(frame, '(*) cache (evicts old keys)');
    await press(stdin, KEY.enter, KEY.enter, KEY.enter, KEY.enter);
    await waitFor(frame, () => submitted.length === 1, 'submit');
    expect(submitted[0]).toMatchObject({ 'components.worker': true, 'app.workerCommand': 'celery -A app worker', 'components.rabbitmq': true, 'redis.mode': 'cache', 'components.minio': false, 'cache.engine': 'redis' });
  });

  test('the Redis server is a choice while Redis is on, and goes away with it', async () => {
    const { stdin, frame, submitted } = mount('components');
    await waitText(frame, '(*) redis  ( ) valkey');
    await press(stdin, KEY.down, KEY.right);
    await waitText(frame, '( ) redis  (*) valkey');
    await press(stdin, KEY.up, KEY.space);
    await waitFor(frame, () => !frame()?.includes('Redis server'), 'the choice hidden');
    await press(stdin, KEY.space);
    await waitText(frame, 'Redis server');
    // Down to the server choice, then Enter through it, the worker, RabbitMQ, what Redis holds, MinIO and monitoring.
    await press(stdin, KEY.down, KEY.enter, KEY.enter, KEY.enter, KEY.enter, KEY.enter, KEY.enter);
    await waitFor(frame, () => submitted.length === 1, 'submit');
    expect(submitted[0]).toMatchObject({ 'components.redis': true, 'cache.engine': 'valkey' });
  });
});

describe('domain and TLS', () => {
  test('a bad domain is refused; a domain brings Let\'s Encrypt, which needs an email', async () => {
    const { stdin, frame, t, submitted } = mount('domain');
    await waitText(frame, 'Domain');
    expect(frame()).not.toContain('HTTPS port');
    await press(stdin, 'bad_domain', KEY.enter);
    await waitFlat(frame, t('v.domain'));
    await press(stdin, KEY.ctrlU, 'app.example.com', KEY.enter);
    await waitText(frame, '(*) Let\'s Encrypt');
    await press(stdin, KEY.enter, KEY.enter);
    await waitFlat(frame, t('ui.v.leEmail'));
    await press(stdin, 'ops@example.com', KEY.enter, KEY.enter, KEY.enter);
    await waitFor(frame, () => submitted.length === 1, 'submit');
    expect(submitted[0]).toMatchObject({ domain: 'app.example.com', tls: 'letsencrypt', email: 'ops@example.com', 'ports.http': '80', 'ports.https': '443' });
  });

  test('a port in use, reported by the submit check, shows at its field', async () => {
    // Only the port that is taken is refused: the message follows what the check says.
    const { stdin, frame, t, submitted } = mount('domain', {
      onSubmit: (v) => (v['ports.http'] === '80' ? { 'ports.http': { text: t('ui.v.portInUse', { port: 80, process: 'nginx' }), severity: 'error' } } : null),
    });
    await waitText(frame, 'HTTP port');
    await press(stdin, KEY.enter, KEY.enter, KEY.enter);
    const f = await waitFlat(frame, t('ui.v.portInUse', { port: 80, process: 'nginx' }));
    expect(f).toMatch(/> HTTP port/);
    await press(stdin, KEY.backspace, KEY.backspace, '8080', KEY.enter);
    await waitFor(frame, (x) => !flat(x).includes(t('ui.v.portInUse', { port: 80, process: 'nginx' })), 'the message to go');
    expect(submitted.map((v) => v['ports.http'])).toEqual(['80', '8080']);
  });

  test('custom TLS asks for the certificate and key paths', async () => {
    const { stdin, frame, t } = mount('domain');
    await waitText(frame, 'TLS');
    await press(stdin, KEY.down, KEY.left);
    await waitText(frame, '(*) my own certificate');
    expect(frame()).toContain('Private key');
    await press(stdin, KEY.down, 'relative.pem', KEY.enter);
    await waitFlat(frame, t('v.absPath'));
  });
});

describe('database', () => {
  test('the version list follows the engine', async () => {
    const { stdin, frame, submitted } = mount('database');
    await waitText(frame, '(*) 8.4');
    await press(stdin, KEY.right);
    await waitText(frame, '(*) 11.4');
    expect(frame()).toContain('10.11');
    await press(stdin, KEY.enter, KEY.right, KEY.enter);
    await waitFor(frame, () => submitted.length === 1, 'submit');
    expect(submitted[0]).toEqual({ 'database.engine': 'mariadb', 'database.version': '11.8' });
  });
});

describe('security', () => {
  test('toggles and an SSH port that is neither auto nor a number', async () => {
    const { stdin, frame, t, submitted } = mount('security');
    await waitText(frame, '[x] Firewall (ufw)');
    await press(stdin, KEY.down, KEY.space, KEY.down, KEY.ctrlU, 'ssh', KEY.enter);
    await waitFlat(frame, t('v.portOrAuto'));
    await press(stdin, KEY.ctrlU, '2222', KEY.enter);
    await waitFor(frame, () => submitted.length === 1, 'submit');
    // With fail2ban off its never-ban list is hidden (and not saved: applyValues drops hidden fields).
    expect(submitted[0]).toEqual({ 'security.firewall': true, 'security.fail2ban': false, 'security.sshPort': '2222', 'security.ignoreIp': '' });
  });
});

describe('backups', () => {
  test('a time that is not HH:MM, and a count out of range', async () => {
    const { stdin, frame, t, submitted } = mount('backup');
    await waitText(frame, '03:00');
    await press(stdin, KEY.ctrlU, '25:00', KEY.enter);
    await waitFlat(frame, t('v.schedule'));
    await press(stdin, KEY.ctrlU, 'off', KEY.enter, KEY.backspace, '400', KEY.enter);
    await waitFlat(frame, t('v.tooBig', { max: '365' }));
    // Then the drill, the bucket, the five channels and the alerts' language, left as they are.
    await press(stdin, KEY.backspace, KEY.backspace, KEY.backspace, '14', KEY.enter, ...Array<string>(8).fill(KEY.enter));
    await waitFor(frame, () => submitted.length === 1, 'submit');
    expect(submitted[0]).toMatchObject({ 'backup.schedule': 'off', 'backup.keep': '14', 'backup.drill': '', 'backup.s3.endpoint': '', 'notify.channels.wecom.url': '', 'notify.lang': '' });
  });

  test('Ctrl+T runs the test on the values as typed and shows its lines; the form stays', async () => {
    const seen: FormValues[] = [];
    const { stdin, frame, t } = mount('backup', {
      action: async (v) => {
        seen.push({ ...v });
        return ['✓ wecom qyapi.weixin.qq.com/cgi-bin/webhook/send: errcode 0: ok (12 ms)', '✗ PUT: HTTP 403 SignatureDoesNotMatch (9 ms)'];
      },
    });
    await waitText(frame, t('ui.bk.testHint'));
    await press(stdin, KEY.enter, KEY.enter, KEY.enter, KEY.enter, 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', '\u0014');
    await waitText(frame, 'errcode 0: ok (12 ms)');
    expect(frame()).toContain('✗ PUT: HTTP 403 SignatureDoesNotMatch');
    expect(seen[0]!['notify.channels.wecom.url']).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k');
    expect(frame()).toContain('> WeCom robot');
  });

  test('a robot URL over plain http to a public host is refused; its secret file is asked once its URL is typed; a drill next to the backup is refused', async () => {
    const { stdin, frame, t, submitted } = mount('backup');
    await waitText(frame, '03:00');
    // keep → drill: an hour or less from 03:00.
    await press(stdin, KEY.enter, KEY.enter, 'Sun 03:30', KEY.enter);
    await waitFlat(frame, t('v.drillClash', { schedule: '03:00' }));
    await press(stdin, KEY.ctrlU, 'Sun 05:00', KEY.enter, KEY.enter, KEY.enter);
    // DingTalk: plain http to a public address.
    await press(stdin, 'http://oapi.dingtalk.com/robot/send?access_token=x', KEY.enter);
    await waitFlat(frame, t('v.robotHttps'));
    expect(frame()).toContain(t('ui.f.ntSecretFile').trim());
    await press(stdin, KEY.ctrlU, 'https://oapi.dingtalk.com/robot/send?access_token=x', KEY.enter, '/root/ding.secret', ...Array<string>(5).fill(KEY.enter));
    await waitFor(frame, () => submitted.length === 1, 'submit');
    expect(submitted[0]).toMatchObject({ 'backup.drill': 'Sun 05:00', 'notify.channels.dingtalk.url': 'https://oapi.dingtalk.com/robot/send?access_token=x', 'notify.channels.dingtalk.secretFile': '/root/ding.secret' });
  });
});
