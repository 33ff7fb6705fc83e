// vitest globalSetup of the e2e project: one lab run for every e2e file (test/lab/run.ts). It
// checks the images, packs the wizard and starts preparing a server while vitest starts the first
// file; each file's Lab reaches it through LAB_RUN_ENV. LAB_WARM servers are kept prepared ahead
// (default: 1 when more than one file runs, else 0: a lone file's server is prepared when it asks).
import type { TestProject } from 'vitest/node';
import { LAB_RUN_ENV } from './lab.js';
import { LabRun } from './run.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The files this run will start (the command line's filters applied, as vitest applies them).
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern ?? [];
  const files = (await project.globTestFiles(filters)).testFiles.length;
  const warm = Number(process.env.LAB_WARM ?? (files > 1 ? 1 : 0));
  if (!Number.isInteger(warm) || warm < 0) throw new Error(`LAB_WARM must be a whole number, not ${JSON.stringify(process.env.LAB_WARM)}`);
  const run = await LabRun.create({ warm, files });
  process.env[LAB_RUN_ENV] = await run.serve();
  return async () => {
    delete process.env[LAB_RUN_ENV];
    await run.close();
  };
}
