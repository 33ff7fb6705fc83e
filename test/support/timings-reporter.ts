// A vitest reporter for the CI log: each test file's wall time (harness setup, import, hooks and
// tests), slowest first, with the project's total. test/run.sh prints the suites' totals; this says
// where inside a suite the time went (docs/ARCHITECTURE.md#tests, "budgets").
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

const s = (ms: number) => `${(ms / 1000).toFixed(1).padStart(7)} s`;

export default class TimingsReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const byProject = new Map<string, { file: string; ms: number; tests: number; state: string }[]>();
    for (const m of modules) {
      const d = m.diagnostic();
      const ms = d.environmentSetupDuration + d.prepareDuration + d.collectDuration + d.setupDuration + d.duration;
      const rows = byProject.get(m.project.name) ?? [];
      rows.push({ file: relative(m.project.config.root, m.moduleId), ms, tests: [...m.children.allTests()].length, state: m.state() });
      byProject.set(m.project.name, rows);
    }
    const out: string[] = [];
    for (const [project, rows] of byProject) {
      rows.sort((a, b) => b.ms - a.ms || a.file.localeCompare(b.file));
      const total = rows.reduce((n, r) => n + r.ms, 0);
      out.push(`=== wall time per file (${project || 'default'}), slowest first ===`);
      for (const r of rows) out.push(`${s(r.ms)}  ${r.file} (${r.tests} tests${r.state === 'passed' ? '' : `, ${r.state}`})`);
      out.push(`${s(total)}  sum over ${rows.length} files (files run in parallel overlap; test/run.sh prints the suite's wall time)`);
    }
    if (out.length) process.stdout.write(`\n${out.join('\n')}\n`);
  }
}
