// The shipped JSON Schema is generated from the zod schema; this catches a stale copy, and the
// example answers file must stay valid.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parse } from 'yaml';
import { AnswersSchema } from '../../src/domain/answers.js';
import { PlanSchema, buildPlan } from '../../src/domain/plan.js';
import { GOLDEN_CASES } from '../fixtures/golden-cases.js';
// @ts-expect-error: a plain ESM script without types
import { answersRows, withTable } from '../../scripts/answers-table.mjs';

const root = join(import.meta.dirname, '..', '..');

describe('answers schema', () => {
  it('schema/answers.schema.json is what the zod schema generates (run npm run schema after changing it)', () => {
    const shipped = JSON.parse(readFileSync(join(root, 'schema', 'answers.schema.json'), 'utf8')) as Record<string, unknown>;
    const { $id: _id, title: _title, ...rest } = shipped;
    expect(rest).toEqual(JSON.parse(JSON.stringify(z.toJSONSchema(AnswersSchema, { io: 'input', unrepresentable: 'any' }))));
  });

  it('examples/answers.yaml is valid', () => {
    const r = AnswersSchema.safeParse(parse(readFileSync(join(root, 'examples', 'answers.yaml'), 'utf8')));
    expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
  });
});

describe('README: try-out commands (#22.3)', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  // The "Two commands" block and the Chinese section's try-out line: what a new user pastes, often as root.
  const block = /## Two commands[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)![1]!;
  const zhLine = readme.split('\n').find((l) => l.startsWith('- 试用向导'))!;
  const commands = [...block.split('\n'), ...[...zhLine.matchAll(/`(npx stack-wizard[^`]*)`/g)].map((m) => m[1]!)]
    .flatMap((l) => l.split('&&'))
    .map((c) => c.trim())
    .filter((c) => c.startsWith('npx stack-wizard'));

  it('every stack-wizard run in them renders into a folder (--out), so pasting one as root installs nothing', () => {
    expect(commands.length).toBeGreaterThanOrEqual(3);
    for (const c of commands) expect(c, c).toMatch(/ --out \.\/stack-wizard-[a-z0-9-]+$/);
  });

  it('the folders they render into (with a .env of passwords) are git-ignored', () => {
    const ignored = readFileSync(join(root, '.gitignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    const glob = (p: string) => new RegExp(`^${p.replace(/^\//, '').replace(/\/$/, '').replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    for (const c of commands) {
      const dir = / --out \.\/(\S+)$/.exec(c)![1]!;
      expect(ignored.some((p) => glob(p).test(dir)), dir).toBe(true);
    }
    // The folder a non-root run picks by itself (src/steps/setup.ts: stack-wizard-<project>) too.
    expect(ignored.some((p) => glob(p).test('stack-wizard-myapp'))).toBe(true);
  });
});

describe('README: the answers file', () => {
  const schema = JSON.parse(readFileSync(join(root, 'schema', 'answers.schema.json'), 'utf8')) as Record<string, unknown>;

  it('the table of every key is what the schema generates (run node scripts/answers-table.mjs after changing it)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toBe(withTable(readme, schema));
  });

  it('every key has a row with a meaning, including the nested ones', () => {
    const rows = answersRows(schema) as { path: string; meaning: string }[];
    for (const r of rows) expect(r.meaning, r.path).not.toBe('');
    const paths = rows.map((r) => r.path);
    for (const p of ['project', 'app.image', 'app.workerHealth', 'database.version', 'security.sshPort', 'backup.s3.credentialsFile', 'nginx.realIp.header', 'redis.mode', 'images', 'mirrors']) {
      expect(paths).toContain(p);
    }
    // Every top-level key of the schema is in the table.
    for (const k of Object.keys((schema as { properties: Record<string, unknown> }).properties)) if (k !== '$schema') expect(paths).toContain(k);
  });
});

describe('plan schema', () => {
  // The plan is what every later command reads back (stack-wizard.yaml → plan); its schema must describe what buildPlan makes.
  for (const c of GOLDEN_CASES) {
    it(`${c.name}: the plan parses with PlanSchema unchanged`, () => {
      const plan = buildPlan(c.answers, c.facts);
      const r = PlanSchema.safeParse(plan);
      expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
      expect(r.data).toEqual(plan);
    });
  }

  it('rejects a plan with an unknown or a missing key', () => {
    const plan = buildPlan(GOLDEN_CASES[0]!.answers, GOLDEN_CASES[0]!.facts);
    expect(PlanSchema.safeParse({ ...plan, extra: 1 }).success).toBe(false);
    const { app: _app, ...noApp } = plan;
    expect(PlanSchema.safeParse(noApp).success).toBe(false);
  });
});
