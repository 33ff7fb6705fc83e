// The rendered file set: deterministic, secrets generated once and kept, modes, and the compose
// invariants (databases never published, healthchecks, limits, the app's environment).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { AnswersSchema } from '../../src/domain/answers.js';
import { buildPlan } from '../../src/domain/plan.js';
import { dotenvValue, ensureSecrets, parseDotenv, readDotenv } from '../../src/domain/secrets.js';
import { WizardError } from '../../src/errors.js';
import { translator } from '../../src/i18n/index.js';
import { TRICKY_VALUES, randomValues } from '../fixtures/dotenv-values.js';
import { renderAll } from '../../src/render/index.js';
import { HOST } from '../../src/render/paths.js';
import { GOLDEN_CASES, type GoldenCase } from '../fixtures/golden-cases.js';
import { seededRandom } from '../fixtures/facts.js';
import { pinnedImage } from '../../src/domain/releases.js';

function render(c: GoldenCase, random = seededRandom(7), existing: Record<string, string> = {}) {
  const plan = buildPlan(c.answers, c.facts);
  const secrets = ensureSecrets(plan, existing, random);
  return { plan, secrets, files: renderAll({ plan, answers: c.answers, secrets }) };
}

const GOLDEN_DIR = join(import.meta.dirname, '..', 'golden');

describe('golden files', () => {
  // UPDATE_GOLDEN=1 npx vitest run --project unit test/unit/render.test.ts rewrites them; review the diff like code.
  for (const c of GOLDEN_CASES) {
    it(`${c.name} matches test/golden/${c.name}`, () => {
      const { files } = render(c);
      const dir = join(GOLDEN_DIR, c.name);
      if (process.env.UPDATE_GOLDEN) {
        rmSync(dir, { recursive: true, force: true });
        for (const f of files) {
          mkdirSync(dirname(join(dir, f.path)), { recursive: true });
          writeFileSync(join(dir, f.path), f.content);
        }
      }
      const onDisk = (d: string, base = ''): string[] =>
        readdirSync(join(d, base), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? onDisk(d, join(base, e.name)) : [join(base, e.name)]));
      expect(onDisk(dir).sort()).toEqual(files.map((f) => f.path).sort());
      for (const f of files) expect(f.content, f.path).toBe(readFileSync(join(dir, f.path), 'utf8'));
    });
  }
});

describe('determinism and secrets', () => {
  const c = GOLDEN_CASES[0]!;

  it('same answers and facts give byte-identical files (secrets aside)', () => {
    const a = render(c, seededRandom(1)).files;
    const b = render(c, seededRandom(2)).files;
    expect(a.map((f) => f.path)).toEqual(b.map((f) => f.path));
    for (const [i, f] of a.entries()) if (f.path !== HOST.env) expect(f.content, f.path).toBe(b[i]!.content);
    // The .env differs only in the secret values.
    const ea = parseDotenv(a.find((f) => f.path === HOST.env)!.content);
    const eb = parseDotenv(b.find((f) => f.path === HOST.env)!.content);
    expect(Object.keys(ea)).toEqual(Object.keys(eb));
    expect(ea.MYSQL_PASSWORD).not.toBe(eb.MYSQL_PASSWORD);
  });

  it('keeps existing secrets on a later render and adds only the missing ones', () => {
    const first = render(c, seededRandom(3));
    const kept = { MYSQL_ROOT_PASSWORD: first.secrets.MYSQL_ROOT_PASSWORD!, MYSQL_PASSWORD: first.secrets.MYSQL_PASSWORD! };
    const second = render(c, seededRandom(99), kept);
    expect(second.secrets.MYSQL_ROOT_PASSWORD).toBe(kept.MYSQL_ROOT_PASSWORD);
    expect(second.secrets.MYSQL_PASSWORD).toBe(kept.MYSQL_PASSWORD);
    expect(second.secrets.REDIS_PASSWORD).not.toBe(first.secrets.REDIS_PASSWORD);
  });

  it('keeps an existing secret whatever its characters (a replaced one would lock out an initialised database)', () => {
    const kept = { MYSQL_ROOT_PASSWORD: 'short', MYSQL_PASSWORD: 'my-Own_p@ss.word!2024', REDIS_PASSWORD: `it's "quoted" $X \\` };
    const { secrets, files } = render(c, seededRandom(4), kept);
    expect(secrets).toMatchObject(kept);
    const env = files.find((f) => f.path === HOST.env)!.content;
    expect(env).toContain(`MYSQL_PASSWORD='my-Own_p@ss.word!2024'\n`);
    expect(readDotenv(env).values).toMatchObject(kept);
    expect(readDotenv(env).problems).toEqual({});
  });

  it('writes every value so that reading the .env back as Compose does gives it exactly', () => {
    const values = [...TRICKY_VALUES, ...randomValues(500)];
    const text = values.map((v, i) => `K${i}=${dotenvValue(v)}`).join('\n');
    const doc = readDotenv(text);
    expect(doc.problems).toEqual({});
    for (const [i, v] of values.entries()) expect(doc.values[`K${i}`], JSON.stringify(v)).toBe(v);
    // Generated secrets stay bare, as before.
    expect(dotenvValue('Abc123')).toBe('Abc123');
    expect(() => dotenvValue('two\nlines')).toThrow();
  });

  it('reads hand-written .env lines as Compose does', () => {
    const doc = readDotenv([
      'export A=plain # a comment',
      "B='lit $X \\n'",
      'C="esc \\"q\\" \\\\ \\$ $$ \\t"',
      'D=  spaced out  ',
      'E=a#b',
      'F=pa$$',
      "G='x' trailing ignored",
      '# H=commented',
      'I="two',
      'lines"',
      'J=$HOME',
      'K="${USER:-x}"',
      "L='a\\'b'",
      'M="\\q"',
      'N=',
    ].join('\n'));
    expect(doc.values).toMatchObject({ A: 'plain', B: 'lit $X \\n', C: 'esc "q" \\ $ $ \t', D: 'spaced out', E: 'a#b', F: 'pa$', G: 'x', N: '' });
    expect(doc.values.H).toBeUndefined();
    expect(doc.problems).toEqual({
      // Only the syntax at fault and where: never text of the value (it is a password).
      I: { line: 9, kind: 'control', detail: '\\n', pos: 4 },
      J: { line: 11, kind: 'variable', detail: '$', pos: 1 },
      K: { line: 12, kind: 'variable', detail: '${', pos: 1 },
      L: { line: 13, kind: 'escape', detail: "\\'", pos: 2 },
      M: { line: 14, kind: 'escape', detail: '\\', pos: 1 },
    });
  });

  it('refuses, naming the key, the file:line and the fix, a secret Compose cannot carry exactly; never replaces it', () => {
    const plan = buildPlan(c.answers, c.facts);
    const cases: [string, string, RegExp][] = [
      ['MYSQL_PASSWORD="line one\nline two"\n', 'err.secret.control', /\\n/],
      ['MYSQL_PASSWORD=abc$HOME\n', 'err.secret.variable', /^\$$/],
      ["MYSQL_ROOT_PASSWORD='it\\'s'\n", 'err.secret.escape', /\\'/],
    ];
    for (const [text, key, detail] of cases) {
      try {
        ensureSecrets(plan, readDotenv(`# header\n${text}`, '/srv/shop/.env'), seededRandom(1));
        expect.unreachable(text);
      } catch (e) {
        expect(e).toBeInstanceOf(WizardError);
        const w = e as WizardError;
        expect(w.exitCode).toBe(2);
        expect(w.key).toBe(key);
        expect(w.params.file).toBe('/srv/shop/.env:2');
        expect(String(w.params.key)).toMatch(/^MYSQL_(ROOT_)?PASSWORD$/);
        expect(String(w.params.detail)).toMatch(detail);
      }
    }
    // A value with a line break given directly (not from a file) is refused the same way.
    expect(() => ensureSecrets(plan, { MYSQL_PASSWORD: 'a\nb' }, seededRandom(1))).toThrow(WizardError);
  });

  it('the refusal names where and what kind of character, never text of the password (#15.7)', () => {
    const plan = buildPlan(c.answers, c.facts);
    const secretPart = 'Zq7SecretTail';
    for (const text of [`MYSQL_PASSWORD=ab$${secretPart}`, `MYSQL_PASSWORD="ab\\${secretPart}"`, `MYSQL_PASSWORD="ab\${${secretPart}}"`, `MYSQL_PASSWORD="ab\n${secretPart}"`]) {
      let w: WizardError | null = null;
      try {
        ensureSecrets(plan, readDotenv(`${text}\n`, '/srv/shop/.env'), seededRandom(1));
      } catch (e) {
        w = e as WizardError;
      }
      expect(w, text).toBeInstanceOf(WizardError);
      for (const lang of ['en', 'zh-CN'] as const) {
        const shown = translator(lang)(w!.key, w!.params);
        expect(shown, text).toMatch(/\/srv\/shop\/\.env:1/);
        expect(shown, text).toMatch(lang === 'en' ? /character 3 of the value/ : /第 3 个字符/);
        expect(shown, text).not.toContain('SecretTail');
        expect(shown, text).not.toContain('Zq7');
      }
    }
  });

  it('generates strong, URL-safe, distinct secrets', () => {
    const { secrets } = render(GOLDEN_CASES.find((g) => g.name === 'auto-full-8g-host')!, seededRandom(5));
    const values = Object.values(secrets);
    // MySQL root and app, Redis, RabbitMQ, MinIO root and the app's MinIO user (#15.8), Grafana.
    expect(values.length).toBe(7);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(v).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('.env, and the compose and answers files that carry app.env, are 0600; no other file contains a secret', () => {
    const { files, secrets } = render(GOLDEN_CASES.find((g) => g.name === 'auto-full-8g-host')!, seededRandom(11));
    const secretModed: string[] = [HOST.env, HOST.compose, HOST.answers];
    for (const f of files) {
      if (secretModed.includes(f.path)) {
        expect(f.mode, f.path).toBe(0o600);
        if (f.path === HOST.env) continue;
      } else expect(f.mode, f.path).toBe(0o644);
      for (const s of Object.values(secrets)) expect(f.content.includes(s), `${f.path} leaks a secret`).toBe(false);
    }
  });
});

describe('docker-compose.yml', () => {
  it('says above each service why every capability it gets back is there (#15.8)', () => {
    const { files } = render(GOLDEN_CASES.find((g) => g.name === 'auto-full-8g-host')!);
    const text = files.find((f) => f.path === HOST.compose)!.content;
    const compose = parse(text) as { services: Record<string, { cap_add?: string[] }> };
    for (const [name, svc] of Object.entries(compose.services)) {
      // The service's block up to its cap_drop: the comment lines sit right above it.
      const block = text.slice(text.indexOf(`\n  ${name}:\n`)).split('    cap_drop:')[0]!;
      const comments = block.split('\n').filter((l) => /^ {4}# ([A-Z_]+|No capability):/.test(l));
      if (svc.cap_add?.length) expect(comments.map((l) => l.slice(6).split(':')[0]), name).toEqual(svc.cap_add);
      else expect(comments[0], name).toMatch(/^ {4}# No capability: /);
    }
    expect(compose.services.nginx!.cap_add).toEqual(['CHOWN', 'NET_BIND_SERVICE', 'SETGID', 'SETUID']);
    expect(compose.services.redis!.cap_add).toEqual(['CHOWN', 'DAC_READ_SEARCH', 'SETGID', 'SETUID']);
    expect(compose.services.minio!.cap_add).toBeUndefined();
    expect(compose.services.app!.cap_add).toBeUndefined();
  });

  it("gives the app its own MinIO user: a policy for its bucket alone, made by minio-init from .env's secrets (#15.8)", () => {
    const { files } = render(GOLDEN_CASES.find((g) => g.name === 'auto-full-8g-host')!);
    const policy = JSON.parse(files.find((f) => f.path === 'minio/app-policy.json')!.content) as { Statement: { Effect: string; Action: string[]; Resource: string[] }[] };
    expect(policy.Statement.flatMap((st) => st.Resource).sort()).toEqual(['arn:aws:s3:::shop', 'arn:aws:s3:::shop/*']);
    const actions = policy.Statement.flatMap((st) => st.Action);
    expect(policy.Statement.every((st) => st.Effect === 'Allow')).toBe(true);
    // No bucket listing of the whole server, no admin, no policy or bucket management.
    for (const a of actions) expect(a).toMatch(/^s3:(Get|Put|Delete|List|Abort)/);
    expect(actions).not.toContain('s3:ListAllMyBuckets');
    const compose = parse(files.find((f) => f.path === HOST.compose)!.content) as { services: Record<string, { environment: Record<string, string>; volumes?: string[] }> };
    const init = compose.services['minio-init']!;
    const script = files.find((f) => f.path === 'minio/init.sh')!.content;
    // Every variable the script reads is in the one-shot's environment (or is the swarm *_FILE twin).
    const read = [...new Set([...script.matchAll(/\$\{?(MINIO_[A-Z_]+)/g)].map((m) => m[1]!))].filter((v) => !v.endsWith('_FILE')).sort();
    expect(read).toEqual(['MINIO_APP_PASSWORD', 'MINIO_APP_POLICY', 'MINIO_APP_USER', 'MINIO_BUCKET', 'MINIO_ROOT_PASSWORD', 'MINIO_ROOT_USER']);
    for (const v of read) expect(init.environment, v).toHaveProperty(v);
    expect(init.environment.MINIO_ROOT_PASSWORD).toBe('${MINIO_ROOT_PASSWORD}');
    expect(init.volumes).toEqual(['./minio/init.sh:/stack-wizard/minio-init.sh:ro', './minio/app-policy.json:/stack-wizard/app-policy.json:ro']);
    for (const svc of ['app', 'worker']) {
      expect(compose.services[svc]!.environment).toMatchObject({ S3_ACCESS_KEY: 'shop-app', S3_SECRET_KEY: '${MINIO_APP_PASSWORD}', S3_BUCKET: 'shop' });
      expect(JSON.stringify(compose.services[svc]!.environment)).not.toContain('MINIO_ROOT');
    }
  });

  it('gives the app back only the capabilities its answers name, and a writable root when asked (#15.8)', () => {
    const c = GOLDEN_CASES[0]!;
    const answers = { ...c.answers, app: { ...c.answers.app, capAdd: ['SETUID', 'CHOWN', 'SETGID'], readOnly: false } };
    const { files } = render({ ...c, answers: answers as unknown as typeof c.answers });
    const app = (parse(files.find((f) => f.path === HOST.compose)!.content) as { services: Record<string, Record<string, unknown>> }).services.app!;
    expect(app.cap_add).toEqual(['CHOWN', 'SETGID', 'SETUID']);
    expect(app.read_only).toBeUndefined();
    expect(app.tmpfs).toBeUndefined();
  });

  for (const c of GOLDEN_CASES) {
    it(`${c.name}: databases unpublished, every service healthchecked and limited, the app gets its environment`, () => {
      const { plan, files } = render(c);
      const compose = parse(files.find((f) => f.path === HOST.compose)!.content) as {
        services: Record<string, Record<string, unknown>>;
        networks: Record<string, { internal?: boolean }>;
      };
      const services = compose.services;
      // Every planned service, and the one-shot minio-init beside MinIO (#15.8).
      expect(Object.keys(services).sort()).toEqual([...plan.services.map((s) => s.name), ...(plan.components.minio ? ['minio-init'] : [])].sort());
      for (const name of ['mysql', 'redis', 'rabbitmq', 'minio', 'prometheus', 'node-exporter']) {
        if (!services[name]) continue;
        expect(services[name]!.ports, `${name} must not publish a port`).toBeUndefined();
        expect(services[name]!.networks).toEqual(['backend']);
      }
      expect(compose.networks.backend!.internal).toBe(true);
      // Only nginx publishes on every interface, and only the http/https ports; grafana only on loopback.
      const published = Object.entries(services).flatMap(([n, s]) => ((s.ports as string[] | undefined) ?? []).map((p) => [n, p] as const));
      for (const [n, p] of published) {
        if (n === 'nginx') expect(p).toMatch(/^(80:80|443:443)$/);
        else expect(p, n).toMatch(/^127\.0\.0\.1:/);
      }
      for (const [name, s] of Object.entries(services)) {
        // Hardening (#15.8): every capability dropped, no privilege gained, a process limit.
        expect(s.cap_drop, name).toEqual(['ALL']);
        expect(s.security_opt).toEqual(['no-new-privileges:true']);
        expect((s.deploy as { resources: { limits: { pids: number } } }).resources.limits.pids, name).toBeGreaterThanOrEqual(64);
        if (s.tmpfs) expect(s.read_only, name).toBe(true);
        if (name === 'minio-init') {
          expect(s.restart).toBe('no');
          expect(s.depends_on).toEqual({ minio: { condition: 'service_healthy' } });
          continue;
        }
        const lim = (s.deploy as { resources: { limits: { memory: string; cpus: string } } }).resources.limits;
        expect(lim.memory).toBe(`${plan.services.find((x) => x.name === name)!.memoryMiB}M`);
        expect(Number(lim.cpus)).toBeGreaterThan(0);
        expect(s.restart).toBe('unless-stopped');
        expect((s.logging as { options: Record<string, string> }).options['max-size']).toMatch(/^\d+m$/);
        const hc = s.healthcheck as { test: string[]; interval: string } | undefined;
        expect(hc?.test?.length, `${name} healthcheck`).toBeGreaterThan(1);
        expect(['CMD', 'CMD-SHELL']).toContain(hc!.test[0]);
        // Every dependency waits for health, never just for a started container.
        for (const [dep, cond] of Object.entries((s.depends_on as Record<string, { condition: string }> | undefined) ?? {})) {
          expect(cond, `${name} → ${dep}`).toEqual({ condition: dep === 'minio-init' ? 'service_completed_successfully' : 'service_healthy' });
          expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
        }
      }
      const env = services.app!.environment as Record<string, string>;
      const db = plan.database;
      expect(env.DATABASE_URL).toBe(`mysql://${db.user}:\${MYSQL_PASSWORD_URLENCODED}@mysql:3306/${db.name}`);
      expect(env).toMatchObject({ DB_HOST: 'mysql', DB_PORT: '3306', DB_NAME: db.name, DB_USER: db.user, DB_PASSWORD: '${MYSQL_PASSWORD}' });
      if (plan.redis) {
        expect(env).toMatchObject({ REDIS_URL: 'redis://:${REDIS_PASSWORD_URLENCODED}@redis:6379/0', REDIS_HOST: 'redis', REDIS_PORT: '6379', REDIS_PASSWORD: '${REDIS_PASSWORD}' });
      }
      expect(services.app!.depends_on).toMatchObject({ mysql: { condition: 'service_healthy' } });
      expect(services.nginx!.depends_on).toEqual({ app: { condition: 'service_healthy' } });
      // Each engine's healthcheck uses a command its official image really has.
      const test = (services.mysql!.healthcheck as { test: string[] }).test.join(' ');
      if (db.engine === 'mariadb') {
        expect(test).toContain('healthcheck.sh');
        expect(test).not.toMatch(/mysqladmin/);
        expect(services.mysql!.environment).toHaveProperty('MARIADB_ROOT_PASSWORD');
      } else {
        expect(test).toContain('mysqladmin ping -h 127.0.0.1');
        expect(services.mysql!.environment).toHaveProperty('MYSQL_ROOT_PASSWORD');
      }
    });
  }

  it('the worker is health-checked: by its own command when given, else by its connection to the queue', async () => {
    const { workerHealthTest } = await import('../../src/render/compose.js');
    const full = GOLDEN_CASES.find((g) => g.name === 'auto-full-8g-host')!;
    const withWorker = (over: Record<string, unknown>, components: Record<string, boolean>) =>
      buildPlan(AnswersSchema.parse({ ...full.answers, app: { ...full.answers.app, ...over }, components: { ...full.answers.components, ...components } }), full.facts);
    // RabbitMQ (5672 = 0x1628) and Redis (6379 = 0x18EB) both count; without either, MySQL (3306 = 0x0CEA).
    expect(workerHealthTest(withWorker({}, {})).join(' ')).toMatch(/^CMD-SHELL grep -qsE .*:\(1628\|18EB\) 01 ' \/proc\/net\/tcp \/proc\/net\/tcp6$/);
    expect(workerHealthTest(withWorker({}, { rabbitmq: false })).join(' ')).toContain(':(18EB) 01 ');
    expect(workerHealthTest(withWorker({}, { rabbitmq: false, redis: false })).join(' ')).toContain(':(0CEA) 01 ');
    expect(workerHealthTest(withWorker({ workerHealth: ['celery', '-A', 'app', 'inspect', 'ping', '$x'] }, {}))).toEqual(['CMD', 'celery', '-A', 'app', 'inspect', 'ping', '$$x']);
    // No worker, no worker health in the plan.
    expect(buildPlan(GOLDEN_CASES[0]!.answers, GOLDEN_CASES[0]!.facts).app.workerHealth).toBeNull();
  });

  it("the worker container gets process counts and heap caps for its own limit, not the app's", () => {
    const { plan, files } = render(GOLDEN_CASES.find((g) => g.name === 'auto-full-8g-host')!);
    const compose = parse(files.find((f) => f.path === HOST.compose)!.content) as { services: Record<string, { environment: Record<string, string> }> };
    const w = plan.worker!;
    expect(compose.services.worker!.environment.WEB_CONCURRENCY).toBe(String(w.processes));
    expect(compose.services.worker!.environment.NODE_OPTIONS).toBe(`--max-old-space-size=${w.nodeMaxOldSpaceMiB}`);
    expect(compose.services.app!.environment.NODE_OPTIONS).toBe(`--max-old-space-size=${plan.app.nodeMaxOldSpaceMiB}`);
    const limit = plan.services.find((s) => s.name === 'worker')!.memoryMiB;
    expect(w.processes * w.nodeMaxOldSpaceMiB!).toBeLessThan(limit);
  });

  it('MinIO gets a root user of at least 3 characters, which it needs to start, whatever the project (#22.15)', () => {
    const full = GOLDEN_CASES.find((g) => g.name === 'auto-full-8g-host')!;
    for (const [project, user] of [['a', 'a-admin'], ['ab', 'ab-admin'], ['abc', 'abc'], [full.answers.project, full.answers.project]] as const) {
      const { files } = render({ ...full, answers: { ...full.answers, project } });
      const compose = parse(files.find((f) => f.path === HOST.compose)!.content) as { services: Record<string, { environment?: Record<string, string> }> };
      expect(compose.services.minio!.environment!.MINIO_ROOT_USER, project).toBe(user);
    }
  });

  it('headers of a `preset: auto` stack say auto and the RAM it was sized for, never a fixed preset (#22.15)', () => {
    const auto = render(GOLDEN_CASES.find((g) => g.name === 'auto-full-8g-host')!);
    const fixed = render(GOLDEN_CASES.find((g) => g.name === '8g-mysql-global')!);
    for (const path of [HOST.mysqlCnf, HOST.nginxConf, HOST.nginxSite]) {
      const a = auto.files.find((f) => f.path === path)!.content.split('\n')[0]!;
      expect(a, path).toContain(`preset auto (sized for ${auto.plan.sizing.planRamMiB} MiB)`);
      expect(a, path).not.toMatch(/preset \d+g/);
      expect(fixed.files.find((f) => f.path === path)!.content.split('\n')[0], path).toContain('preset 8g');
    }
  });

  it('an image without a tag warns, for the app and for an override of a pinned image, in both languages (#22.15)', () => {
    const full = GOLDEN_CASES.find((g) => g.name === 'auto-full-8g-host')!;
    const keys = (answers: typeof full.answers) => buildPlan(AnswersSchema.parse(answers), full.facts).warnings;
    expect(keys(full.answers).map((w) => w.key)).not.toContain('warn.imageNoTag');
    const untagged = keys({ ...full.answers, app: { ...full.answers.app, image: 'registry.example.com/team/api' }, images: { redis: 'registry.example.com/mirror/redis' } });
    expect(untagged).toContainEqual({ key: 'warn.imageNoTag', params: { image: 'registry.example.com/team/api' } });
    expect(untagged).toContainEqual({ key: 'warn.overrideNoTag', params: { service: 'redis', image: 'registry.example.com/mirror/redis' } });
    const w = untagged.find((x) => x.key === 'warn.overrideNoTag')!;
    expect(translator('en')('warn.overrideNoTag', w.params)).toMatch(/^images\.redis registry\.example\.com\/mirror\/redis has no tag, so it means :latest/);
    expect(translator('zh-CN')('warn.overrideNoTag', w.params)).toMatch(/^images\.redis registry\.example\.com\/mirror\/redis 没有标签/);
    // A digest pins as well as a tag does.
    expect(keys({ ...full.answers, images: { redis: `registry.example.com/mirror/redis@sha256:${'a'.repeat(64)}` } }).map((x) => x.key)).not.toContain('warn.overrideNoTag');
  });

  it('Prometheus waits for a healthy node-exporter', () => {
    const { files } = render(GOLDEN_CASES.find((g) => g.name === 'auto-full-8g-host')!);
    const compose = parse(files.find((f) => f.path === HOST.compose)!.content) as { services: Record<string, { depends_on?: unknown; healthcheck?: { test: string[] } }> };
    expect(compose.services.prometheus!.depends_on).toEqual({ 'node-exporter': { condition: 'service_healthy' } });
    expect(compose.services['node-exporter']!.healthcheck!.test).toEqual(['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:9100/metrics']);
  });

  it('quotes every string, so YAML 1.1 parsers keep ports and booleans as written', () => {
    const { files } = render(GOLDEN_CASES[0]!);
    const text = files.find((f) => f.path === HOST.compose)!.content;
    expect(text).toMatch(/- "80:80"/);
    expect(text).not.toMatch(/: (yes|no|on|off|y|n)$/m);
    expect(text).not.toMatch(/&a\d|\*a\d/);
  });

  it("escapes $ in the operator's own values so compose does not interpolate them", () => {
    const { files } = render(GOLDEN_CASES.find((g) => g.name === 'auto-full-8g-host')!);
    const compose = parse(files.find((f) => f.path === HOST.compose)!.content) as { services: Record<string, { environment: Record<string, string> }> };
    expect(compose.services.app!.environment.PRICE).toBe('costs $$5');
  });

  it('rewrites Docker Hub images through the chosen prefix mirror and leaves the private app image alone', () => {
    const { plan } = render(GOLDEN_CASES.find((g) => g.name === '8g-mysql-cn')!);
    const img = Object.fromEntries(plan.services.map((s) => [s.name, s.image]));
    // The digest stays: a mirror serves the same content-addressed manifest.
    expect(img.mysql).toBe(`docker.m.daocloud.io/library/${pinnedImage('mysql', '8.4')}`);
    expect(img.mysql).toMatch(/^docker\.m\.daocloud\.io\/library\/mysql:8\.4\.\d+@sha256:[0-9a-f]{64}$/);
    expect(img.redis).toBe(`docker.m.daocloud.io/library/${pinnedImage('redis', '8.10')}`);
    expect(img.app).toBe('registry.example.com/team/api:1.4.2');
  });
});

describe('writing the files', () => {
  it('is atomic per set and keeps modes (checked through the real executor)', async () => {
    const { RealExecutor } = await import('../../src/exec/executor.js');
    const ex = new RealExecutor();
    const dir = join(import.meta.dirname, '..', '..', 'out', `write-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    const { files } = render(GOLDEN_CASES[0]!);
    const specs = files.map((f) => ({ path: join(dir, f.path), content: f.content, mode: f.mode }));
    const first = await ex.writeFiles(specs);
    expect([...first.values()].every((o) => o === 'created')).toBe(true);
    expect(statSync(join(dir, HOST.env)).mode & 0o777).toBe(0o600);
    const second = await ex.writeFiles(specs);
    expect([...second.values()].every((o) => o === 'unchanged')).toBe(true);
    // A set with one unwritable target changes nothing at all.
    writeFileSync(join(dir, 'blocker'), 'x');
    const bad = [{ path: join(dir, HOST.compose), content: 'changed\n', mode: 0o644 }, { path: join(dir, 'blocker', 'x'), content: 'x', mode: 0o644 }];
    await expect(ex.writeFiles(bad)).rejects.toThrow();
    expect(readFileSync(join(dir, HOST.compose), 'utf8')).toBe(files.find((f) => f.path === HOST.compose)!.content);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp'))).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
    expect(existsSync(dir)).toBe(false);
  });

  for (const umask of [0o077, 0o027]) {
    it(`modes are as planned under umask ${umask.toString(8).padStart(4, '0')}, and a second run changes nothing`, async () => {
      const { RealExecutor } = await import('../../src/exec/executor.js');
      const ex = new RealExecutor();
      const dir = join(mkdtempSync(join(tmpdir(), 'sw-umask-')), 'stack');
      const { files } = render(GOLDEN_CASES.find((g) => g.name === 'auto-full-8g-host')!);
      const specs = files.map((f) => ({ path: join(dir, f.path), content: f.content, mode: f.mode }));
      const old = process.umask(umask);
      try {
        const first = await ex.writeFiles(specs);
        expect([...first.values()].every((o) => o === 'created')).toBe(true);
        await ex.mkdir(join(dir, 'backups', 'private'), 0o700);
        const second = await ex.writeFiles(specs);
        expect([...second.values()].filter((o) => o !== 'unchanged')).toEqual([]);
      } finally {
        process.umask(old);
      }
      // Containers run as other users (redis, mysql): they read the configs through 0644 files in 0755 folders.
      for (const f of files) expect((statSync(join(dir, f.path)).mode & 0o777).toString(8), f.path).toBe(f.mode.toString(8));
      const folders = new Set(files.flatMap((f) => f.path.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
      expect(folders.size).toBeGreaterThan(5);
      for (const d of ['', ...folders]) expect((statSync(join(dir, d)).mode & 0o777).toString(8), d || '.').toBe('755');
      expect(statSync(join(dir, 'backups')).mode & 0o777).toBe(0o755);
      expect(statSync(join(dir, 'backups', 'private')).mode & 0o777).toBe(0o700);
      rmSync(dirname(dir), { recursive: true, force: true });
    });
  }

  it('a failed write removes the folders it created and leaves none of its temporary files', async () => {
    const { RealExecutor } = await import('../../src/exec/executor.js');
    const ex = new RealExecutor();
    const root = mkdtempSync(join(tmpdir(), 'sw-fail-'));
    writeFileSync(join(root, 'blocker'), 'x');
    const bad = [
      { path: join(root, 'new', 'deep', 'a.conf'), content: 'a\n', mode: 0o644 },
      { path: join(root, 'other', 'b.conf'), content: 'b\n', mode: 0o644 },
      { path: join(root, 'blocker', 'x', 'c.conf'), content: 'c\n', mode: 0o644 },
    ];
    await expect(ex.writeFiles(bad)).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(readdirSync(root)).toEqual(['blocker']);
    rmSync(root, { recursive: true, force: true });
  });
});

describe('templates/*.tmpl and their one fill function', () => {
  it('fills {{name}}, drops {{# comment }} lines, and throws on a missing or an unused value', async () => {
    const { fill } = await import('../../src/render/template.js');
    const t = '{{# why this file exists }}\n[Unit]\nDescription={{what}} of {{project}}\n{{# a reason }}\nX={{what}}\n';
    expect(fill(t, { what: 'backup {{project}}', project: 'shop' })).toBe('[Unit]\nDescription=backup {{project}} of shop\nX=backup {{project}}\n');
    expect(() => fill(t, { what: 'x' })).toThrow(/\{\{project\}\} has no value/);
    expect(() => fill(t, { what: 'x', project: 'p', extra: 1 })).toThrow(/not used: extra/);
  });

  it('every template in templates/ is filled by the code and ends with one line break', () => {
    const dir = join(import.meta.dirname, '..', '..', 'templates');
    const names = readdirSync(dir).sort();
    expect(names).toEqual([
      'backup.cron.tmpl', 'backup.service.tmpl', 'backup.timer.tmpl', 'binlogs.cron.tmpl', 'binlogs.service.tmpl', 'binlogs.timer.tmpl', 'certbot.service.tmpl', 'certbot.timer.tmpl',
      'drill.cron.tmpl', 'drill.service.tmpl', 'drill.timer.tmpl', 'watch.cron.tmpl', 'watch.service.tmpl', 'watch.timer.tmpl',
    ]);
    const src = ['src/render/certbot.ts', 'src/render/backup-schedule.ts', 'src/render/backup-timers.ts'].map((p) => readFileSync(join(dir, '..', p), 'utf8')).join('\n');
    for (const n of names) {
      expect(src, n).toContain(`templates/${n}'`);
      expect(readFileSync(join(dir, n), 'utf8')).toMatch(/[^\n]\n$/);
    }
  });
});
