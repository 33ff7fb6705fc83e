// The order of the e2e files: vitest's own (failed first, then slowest first), except that files
// asking for a prepared server (`wizard: true`, test/lab/run.ts) come after those that do not, so
// the run prepares the first one while the others run instead of keeping the first file waiting.
import { readFileSync } from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export default class LabSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const wantsPrepared = (f: TestSpecification) => /\/test\/e2e\//.test(f.moduleId) && /wizard:\s*true/.test(readFileSync(f.moduleId, 'utf8'));
    return [...sorted.filter((f) => !wantsPrepared(f)), ...sorted.filter(wantsPrepared)];
  }
}
