// The order of the e2e files, for E2E_JOBS workers side by side: the longest first (by the times
// of a measured run, durations.json; a file not listed counts as long, so a new one also fails
// early), so the workers finish together instead of one running the longest file alone at the
// end. One exception: the longest file that does not ask for a prepared server (`wizard: true`,
// test/lab/run.ts) goes first, so the run prepares servers while it runs instead of keeping the
// first files waiting. Other projects keep vitest's own order.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const UNKNOWN_SECS = 600;

export default class LabSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isE2e = (f: TestSpecification) => /\/test\/e2e\//.test(f.moduleId);
    const e2e = sorted.filter(isE2e);
    if (e2e.length === 0) return sorted;
    const times = JSON.parse(readFileSync(new URL('./durations.json', import.meta.url), 'utf8')) as Record<string, number>;
    const root = new URL('../..', import.meta.url).pathname;
    const secs = (f: TestSpecification) => times[relative(root, f.moduleId)] ?? UNKNOWN_SECS;
    const wantsPrepared = (f: TestSpecification) => /wizard:\s*true/.test(readFileSync(f.moduleId, 'utf8'));
    const byTime = [...e2e].sort((a, b) => secs(b) - secs(a));
    const opener = byTime.find((f) => !wantsPrepared(f));
    const ordered = opener ? [opener, ...byTime.filter((f) => f !== opener)] : byTime;
    return [...sorted.filter((f) => !isE2e(f)), ...ordered];
  }
}
