// The layer rules (.dependency-cruiser.cjs, docs/ARCHITECTURE.md#layers) catch what they are for:
// run over a small tree with deliberate mistakes they report each one and nothing allowed; run
// over src/ they report nothing beyond the recorded known violations, each of which still occurs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { describe, expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURE = join(import.meta.dirname, 'fixtures', 'layers');

async function violations(baseDir: string): Promise<IViolation[]> {
  const options = await extractDepcruiseOptions(join(ROOT, '.dependency-cruiser.cjs'));
  const r = await cruise(['src'], { ...options, baseDir, validate: true, tsConfig: undefined }, { extensions: ['.ts', '.tsx', '.js', '.d.ts'] });
  return (r.output as ICruiseResult).summary.violations;
}

// (A package resolves to its path: from the fixture's folder, the repository's node_modules.)
const edge = (v: IViolation) => `${v.rule.name}: ${v.from} → ${v.to}`;

describe('the layer rules', () => {
  test('report an upward import, a circle, execa outside exec/, a screen that reaches past the services, and doctor areas that mix', async () => {
    const found = (await violations(FIXTURE)).map(edge).sort();
    expect(found).toEqual(
      [
        'no-upward-domain: src/domain/plan.ts → src/steps/run.ts',
        'no-circular: src/steps/a.ts → src/steps/b.ts',
        'effects-only-in-exec: src/steps/run.ts → ../../../../node_modules/execa/index.d.ts',
        'no-upward-ui: src/ui/screen.ts → src/commands/status.ts',
        'ui-never-reenters-argv: src/ui/screen.ts → src/commands/status.ts',
        'thin-front-ends: src/ui/screen.ts → src/steps/run.ts',
        'doctor-checks-one-area: src/domain/doctor/checks-web.ts → src/domain/doctor/checks-tls.ts',
        'doctor-gather-one-area: src/host/doctor/gather-web.ts → src/domain/doctor/checks-tls.ts',
        'doctor-gather-reads-only: src/host/doctor/gather-web.ts → src/steps/run.ts',
        'no-upward-host: src/host/doctor/gather-web.ts → src/steps/run.ts',
      ].sort(),
    );
  }, 60_000);

  test('src/ has no violation beyond the recorded known ones, and every recorded one still occurs', async () => {
    const known = JSON.parse(readFileSync(join(ROOT, '.dependency-cruiser-known-violations.json'), 'utf8')) as { from: string; to: string; rule: { name: string } }[];
    const knownEdges = new Set(known.map((k) => `${k.rule.name}: ${k.from} → ${k.to}`));
    const found = (await violations(ROOT)).map(edge);
    expect(found.filter((e) => !knownEdges.has(e)), 'new violations of the layer rules').toEqual([]);
    // A fixed one leaves the list (the rule then guards it): `npx depcruise-baseline src --config .dependency-cruiser.cjs`.
    expect([...knownEdges].filter((e) => !found.includes(e)), 'known violations that are fixed: remove them from the list').toEqual([]);
  }, 120_000);
});
