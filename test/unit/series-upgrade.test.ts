// `update --to-series`: the pure rules (one series at a time along the engine's upgrade paths, never
// back, the image named when the answers name one), the answers after it, the plan the engine
// module gives (checks, upgrade step), my.cnf re-rendered for the new series, and the refusals in
// both languages naming the field and the fix. The upgrade on real servers: test/real/series-upgrade.test.ts.
import { describe, expect, it } from 'vitest';
import { AnswersSchema, type Answers } from '../../src/domain/answers.js';
import { DB_ENGINES } from '../../src/domain/engines/index.js';
import { buildPlan } from '../../src/domain/plan.js';
import { currentSeries, seriesRefusal, seriesUpgradePlan, upgradedAnswers } from '../../src/domain/series-upgrade.js';
import { translator } from '../../src/i18n/index.js';
import { renderAll } from '../../src/render/index.js';
import { HOST } from '../../src/render/paths.js';
import { makeFacts, seededRandom } from '../fixtures/facts.js';
import { ensureSecrets } from '../../src/domain/secrets.js';
import { versionAtLeast } from '../../src/domain/version-tag.js';

const VM = makeFacts({ ramMiB: 7680, cores: 4 });
import { main } from '../../src/cli.js';
import { DryRunExecutor } from '../../src/exec/executor.js';

const answers = (database: Record<string, unknown>, images: Record<string, string> = {}): Answers =>
  AnswersSchema.parse({ project: 'shop', app: { image: 'ghcr.io/example/api:1.4.2' }, database, images });

const en = translator('en');
const zh = translator('zh-CN');

describe('which series a stack may move to', () => {
  it('MySQL: 8.0 → 8.4 → 9.7, one LTS at a time; a skip names the next step, a downgrade the way back (a restore)', () => {
    expect(seriesRefusal(answers({ engine: 'mysql', version: '8.0' }), '8.4', undefined)).toBeNull();
    expect(seriesRefusal(answers({ engine: 'mysql', version: '8.4' }), '9.7', undefined)).toBeNull();
    const skip = seriesRefusal(answers({ engine: 'mysql', version: '8.0' }), '9.7', undefined);
    expect(skip).toEqual({ key: 'err.upg.skip', params: { engine: 'MySQL', from: '8.0', to: '9.7', next: '8.4' } });
    const down = seriesRefusal(answers({ engine: 'mysql', version: '9.7' }), '8.4', undefined);
    expect(down?.key).toBe('err.upg.downgrade');
    expect(down?.params).toMatchObject({ from: '9.7', to: '8.4' });
    expect(seriesRefusal(answers({ engine: 'mysql', version: '8.4' }), '8.4', undefined)?.key).toBe('err.upg.same');
    expect(seriesRefusal(answers({ engine: 'mysql', version: '8.4' }), '9.9', undefined)).toEqual({
      key: 'err.upg.unknownSeries',
      params: { engine: 'MySQL', to: '9.9', series: DB_ENGINES.mysql.series.join(', ') },
    });
  });

  it('a stack without database.version runs the default series, and moves from there', () => {
    const a = answers({ engine: 'mysql' });
    expect(currentSeries(a)).toBe(DB_ENGINES.mysql.defaultSeries);
    const next = DB_ENGINES.mysql.upgradeTargets(DB_ENGINES.mysql.defaultSeries)[0];
    if (next) expect(seriesRefusal(a, next, undefined)).toBeNull();
    else expect(seriesRefusal(a, '8.0', undefined)?.key).toBe('err.upg.downgrade');
  });

  it('MariaDB: by the releases data, from an LTS to a later offered LTS (10.11 → 11.4 or 11.8), never back', () => {
    const a = answers({ engine: 'mariadb', version: '10.11' });
    expect(DB_ENGINES.mariadb.upgradeTargets('10.11')).toEqual(['11.4', '11.8']);
    expect(seriesRefusal(a, '11.8', undefined)).toBeNull();
    expect(seriesRefusal(a, '11.4', undefined)).toBeNull();
    expect(seriesRefusal(answers({ engine: 'mariadb', version: '11.8' }), '10.11', undefined)?.key).toBe(
      'err.upg.downgrade',
    );
    expect(seriesRefusal(answers({ engine: 'mariadb', version: '11.8' }), '11.4', undefined)?.key).toBe(
      'err.upg.downgrade',
    );
  });

  it('answers that name the database image need the new one (--db-image), of the new series and allow-listed', () => {
    const a = answers({ engine: 'mariadb', version: '10.11' }, { mysql: 'registry.example.com/lab/mariadb:10.11' });
    expect(seriesRefusal(a, '11.8', undefined)).toEqual({
      key: 'err.upg.imageNeeded',
      params: { image: 'registry.example.com/lab/mariadb:10.11', to: '11.8' },
    });
    expect(seriesRefusal(a, '11.8', 'registry.example.com/lab/mariadb:11.4')?.key).toBe('err.upg.imageSeries');
    expect(seriesRefusal(a, '11.8', 'registry.example.com/lab/mariadb:11.8; rm -rf /')?.key).toBe(
      'err.upg.imageInvalid',
    );
    expect(seriesRefusal(a, '11.8', 'registry.example.com/lab/mariadb:11.8')).toBeNull();
    // A tag that is not a version (a digest-only or named build) is the operator's word.
    expect(seriesRefusal(a, '11.8', 'registry.example.com/lab/mariadb:next')).toBeNull();
  });

  it('every refusal reads in both languages, naming the field (--to-series / --db-image) and the fix', () => {
    const cases = [
      seriesRefusal(answers({ engine: 'mysql', version: '8.0' }), '9.7', undefined)!,
      seriesRefusal(answers({ engine: 'mysql', version: '9.7' }), '8.4', undefined)!,
      seriesRefusal(answers({ engine: 'mysql', version: '8.4' }), '8.4', undefined)!,
      seriesRefusal(answers({ engine: 'mysql', version: '8.4' }), '7.0', undefined)!,
      seriesRefusal(answers({ engine: 'mariadb', version: '10.11' }, { mysql: 'x/mariadb:10.11' }), '11.8', undefined)!,
    ];
    for (const r of cases) {
      for (const t of [en, zh]) {
        const text = t(r.key, r.params);
        expect(text).not.toMatch(/\{\w+\}/);
        expect(text).toMatch(/--to-series|--db-image/);
      }
    }
    expect(en(cases[0]!.key, cases[0]!.params)).toBe(
      '--to-series 9.7: MySQL upgrades one series at a time, 8.0 cannot go straight to 9.7; first run stack-wizard update --to-series 8.4 --yes',
    );
    expect(zh(cases[0]!.key, cases[0]!.params)).toContain('stack-wizard update --to-series 8.4 --yes');
    expect(en(cases[1]!.key, cases[1]!.params)).toMatch(/cannot go back from 9\.7 to 8\.4.*stack-wizard restore/);
  });
});

describe('the stack after the upgrade', () => {
  it('database.version changes (and images.mysql when --db-image is given); nothing else', () => {
    const a = answers({ engine: 'mariadb', version: '10.11' }, { mysql: 'x/mariadb:10.11', nginx: 'x/nginx:1.30' });
    const b = upgradedAnswers(a, '11.8', 'x/mariadb:11.8');
    expect(b.database).toEqual({ ...a.database, version: '11.8' });
    expect(b.images).toEqual({ mysql: 'x/mariadb:11.8', nginx: 'x/nginx:1.30' });
    expect({ ...b, database: a.database, images: a.images }).toEqual(a);
    expect(upgradedAnswers(a, '11.8', undefined).images).toBe(a.images);
  });

  it('MySQL 8.4 → 9.7: the pinned images of both series, the vendor checks of that step, no upgrade step (the server upgrades itself)', () => {
    const a = answers({ engine: 'mysql', version: '8.4' });
    const b = upgradedAnswers(a, '9.7', undefined);
    const img = (x: Answers) => buildPlan(x, VM).services.find((s) => s.name === 'mysql')!.image;
    const p = seriesUpgradePlan(a, b, { from: img(a), to: img(b) });
    expect(p.fromImage).toBe(DB_ENGINES.mysql.images['8.4']);
    expect(p.toImage).toBe(DB_ENGINES.mysql.images['9.7']);
    expect(p.step).toBeNull();
    expect(p.checks.map((c) => c.id)).toContain('nativePassword');
    expect(p.checks.map((c) => c.id)).not.toContain('floatAutoIncrement'); // an 8.0 → 8.4 check only
    const from80 = seriesUpgradePlan(answers({ engine: 'mysql', version: '8.0' }), a, {
      from: DB_ENGINES.mysql.images['8.0']!,
      to: img(a),
    });
    expect(from80.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['nativePassword', 'floatAutoIncrement']));
  });

  it('MariaDB 10.11 → 11.8: mariadb-upgrade in the new container, the root password read inside it', () => {
    const a = answers({ engine: 'mariadb', version: '10.11' });
    const b = upgradedAnswers(a, '11.8', undefined);
    const p = seriesUpgradePlan(a, b, {
      from: DB_ENGINES.mariadb.images['10.11']!,
      to: DB_ENGINES.mariadb.images['11.8']!,
    });
    expect(p.step?.program).toBe('mariadb-upgrade');
    expect(p.step?.argv.join(' ')).toMatch(/MYSQL_PWD="\$\{MARIADB_ROOT_PASSWORD.*exec mariadb-upgrade -uroot$/);
    expect(p.step?.user).toBe('mysql');
    expect(p.fromVersion).toMatchObject({ major: 10, minor: 11 });
    expect(p.toVersion).toMatchObject({ major: 11, minor: 8 });
  });

  it('my.cnf is rendered again for the new series: the header names it and each file passes its own option table', () => {
    const cnf = (x: Answers) => {
      const plan = buildPlan(x, VM);
      return renderAll({ plan, answers: x, secrets: ensureSecrets(plan, {}, seededRandom(7)) }).find(
        (f) => f.path === HOST.mysqlCnf,
      )!.content;
    };
    const a = answers({ engine: 'mysql', version: '8.4' });
    const before = cnf(a);
    const after = cnf(upgradedAnswers(a, '9.7', undefined));
    expect(before).toMatch(/8\.4\.\d+/);
    expect(after).toMatch(/9\.7\.\d+/);
    expect(after).not.toMatch(/8\.4\.\d+/);
    for (const removed of Object.keys(DB_ENGINES.mysql.options.removed)) {
      const r = DB_ENGINES.mysql.options.removed[removed]!;
      const [maj, min, pat] = r.removed.split('.').map(Number);
      if (versionAtLeast({ major: 9, minor: 7, patch: 0 }, maj!, min!, pat))
        expect(after).not.toMatch(new RegExp(`^${removed}\\s*=`, 'm'));
    }
  });
});

describe('update --to-series on the command line', () => {
  async function run(args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await main(args, {
      env: { LANG: 'C' },
      io: { out: (s) => void (stdout += s), err: (s) => void (stderr += s) },
      exec: new DryRunExecutor(),
    });
    return { code, stdout, stderr };
  }
  it('--db-image without --to-series, and --to-series with --rollback, are refused (exit 2) before any stack is read', async () => {
    const a = await run(['update', '--db-image', 'x/mariadb:11.8']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('--db-image is only taken with --to-series');
    const b = await run(['update', '--to-series', '11.8', '--rollback', '--yes']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('--to-series cannot be combined with --rollback');
  });
});
