// The bench's e2e section (scripts/bench-e2e.mjs bundles and runs this): a fresh lab server, the
// wizard installed from its tarball, `init` of the lab stack under the 4g preset. Reports the wall
// time from `init` to healthy and the peak memory of the stack's containers while it starts, next
// to the sum of their memory limits.
import { Lab } from '../../lab/lab.js';
import { ANSWERS, PROJECT, STACK_IMAGES, labAnswers, runInit, sampleMemory } from './apply-lab.js';

const MiB = 1024 ** 2;

export async function benchApply(): Promise<{ initToHealthyS: number; peakMemoryMiB: number; limitsMiB: number; perServiceMiB: Record<string, number>; samples: number }> {
  const lab = await Lab.create();
  try {
    const server = await lab.startServer();
    await lab.loadImages(server, STACK_IMAGES);
    await lab.installWizard(server);
    await server.writeFile(ANSWERS, labAnswers());
    const mem = sampleMemory(server, PROJECT);
    const r = await runInit(server, ANSWERS);
    const peak = await mem.stop();
    if (r.exitCode !== 0) throw new Error(`init failed (exit ${r.exitCode}):\n${r.stderr}`);
    // The containers' memory limits under the 4g preset: what the peak is to be read against.
    const limits = (await server.sh(`docker inspect -f '{{.HostConfig.Memory}}' $(docker ps -q --filter label=com.docker.compose.project=${PROJECT})`)).trim().split('\n').reduce((n, x) => n + Number(x), 0);
    return {
      initToHealthyS: Math.round(r.wallMs / 100) / 10,
      peakMemoryMiB: Math.round(peak.peakBytes / MiB),
      limitsMiB: Math.round(limits / MiB),
      perServiceMiB: Object.fromEntries(Object.entries(peak.perService).map(([k, v]) => [k, Math.round(v / MiB)])),
      samples: peak.samples,
    };
  } finally {
    await lab.cleanup();
  }
}
