// The memory invariant of docs/CONTRACT.md#invariants over a grid of hosts, presets and component selections.
import { describe, expect, it } from 'vitest';
import { AnswersSchema, type AnswersInput } from '../../src/domain/answers.js';
import { buildPlan, type Plan } from '../../src/domain/plan.js';
import { PRESETS } from '../../src/domain/presets.js';
import { APP_WORKER_SHARE, MIN_MIB, allocateMemory, mysqlWorstCaseMiB, redisWorstCaseMiB, reserveMiB, tierFor, type SizedService } from '../../src/domain/sizing.js';
import { WizardError } from '../../src/errors.js';
import { VM, makeFacts } from '../fixtures/facts.js';

const RAM_GIB = [1, 1.5, 2, 3, 3.6, 3.8, 4, 6, 7.2, 7.5, 8, 12, 14.4, 15.2, 16, 24, 32, 48, 64, 96, 128, 192, 256];
const CORES = [1, 2, 4, 8, 16, 32, 64];
const COMBOS = Array.from({ length: 32 }, (_, i) => ({
  redis: (i & 1) === 0,
  worker: (i & 2) !== 0,
  rabbitmq: (i & 4) !== 0,
  minio: (i & 8) !== 0,
  monitoring: (i & 16) !== 0,
}));
const RUNTIMES = ['python-asgi', 'python-wsgi', 'node', 'java', 'generic'] as const;

function answers(over: Partial<AnswersInput> = {}) {
  return AnswersSchema.parse({
    project: 'grid',
    app: { image: 'example/app:1', workerCommand: ['worker'], runtime: 'python-asgi' },
    ...over,
  });
}

function checkInvariants(plan: Plan) {
  const used = plan.services.reduce((n, s) => n + s.memoryMiB, 0);
  // Every container limit plus the host reserve fits the RAM we plan with, and that fits the host.
  expect(used + plan.sizing.reserveMiB).toBeLessThanOrEqual(plan.sizing.planRamMiB);
  expect(plan.sizing.planRamMiB).toBeLessThanOrEqual(plan.sizing.hostRamMiB);
  for (const s of plan.services) {
    expect(s.memoryMiB).toBeGreaterThanOrEqual(MIN_MIB[s.name as SizedService]);
    expect(s.cpus).toBeGreaterThan(0);
    expect(s.cpus).toBeLessThanOrEqual(plan.sizing.cores);
  }
  const limit = (n: string) => plan.services.find((s) => s.name === n)!.memoryMiB;
  // MySQL: buffer pool + global overhead + max_connections × per-connection buffers within 90 % of its limit.
  const db = plan.database;
  expect(db.worstCaseMiB).toBe(mysqlWorstCaseMiB(db));
  expect(db.worstCaseMiB).toBeLessThanOrEqual(Math.ceil(limit('mysql') * 0.9) + 1);
  expect(db.bufferPoolMiB).toBeLessThan(limit('mysql'));
  if (db.engine === 'mysql') expect(db.bufferPoolMiB % (db.bufferPoolChunkMiB! * db.bufferPoolInstances)).toBe(0);
  // Redis: maxmemory leaves at least 40 % of the container for fork/AOF rewrite copy-on-write, and the
  // worst case (fragmented dataset + pages copied mid-fork + the server itself) fits the limit.
  if (plan.redis) {
    expect(plan.redis.maxmemoryMiB).toBeLessThanOrEqual(limit('redis') * 0.6);
    expect(redisWorstCaseMiB(plan.redis.maxmemoryMiB), `redis limit ${limit('redis')}`).toBeLessThanOrEqual(limit('redis'));
  }
  // App workers fit the app container with 15 % headroom, for every runtime.
  const app = plan.app;
  expect(app.workers).toBeGreaterThanOrEqual(1);
  expect(app.workers * app.workerMiB, `${app.runtime}: ${app.workers} × ${app.workerMiB} MiB in ${limit('app')}`).toBeLessThanOrEqual(limit('app') * APP_WORKER_SHARE);
  // The background worker's processes fit its own container the same way.
  if (plan.worker) {
    const w = plan.worker;
    expect(w.processes * w.processMiB, `worker: ${w.processes} × ${w.processMiB} MiB in ${limit('worker')}`).toBeLessThanOrEqual(limit('worker') * APP_WORKER_SHARE);
    if (w.jvmHeapMiB) expect(w.jvmHeapMiB).toBeLessThanOrEqual(limit('worker') * 0.75);
    if (w.nodeMaxOldSpaceMiB) expect(w.nodeMaxOldSpaceMiB).toBeLessThanOrEqual(w.processMiB * 0.75);
  } else expect(plan.components.worker).toBe(false);
  if (app.runtime !== 'java') {
    // More than one worker only where each gets at least the preset's typical size; one smaller worker is flagged.
    const typical = PRESETS[plan.sizing.tier].app.workerMiB[app.runtime];
    if (app.workers > 1) expect(app.workerMiB).toBeGreaterThanOrEqual(typical);
    expect(plan.warnings.some((w) => w.key === 'warn.appWorkerSmall')).toBe(app.workerMiB < typical);
  }
  if (app.jvmHeapMiB) expect(app.jvmHeapMiB).toBeLessThanOrEqual(Math.min(app.workerMiB, limit('app') * 0.75));
  if (app.nodeMaxOldSpaceMiB) expect(app.nodeMaxOldSpaceMiB).toBeLessThanOrEqual(app.workerMiB * 0.75);
}

describe('memory invariant over the host grid', () => {
  it('holds for auto on every host from 1 to 256 GiB and 1 to 64 cores, or the host is refused with exit 3', () => {
    let planned = 0;
    let refused = 0;
    // Every component selection with one runtime, and every runtime with all components on.
    const variants = [
      ...COMBOS.map((components) => answers({ preset: 'auto', components })),
      ...RUNTIMES.map((runtime) => answers({ preset: 'auto', components: COMBOS[30], app: { image: 'example/app:1', workerCommand: ['w'], runtime } })),
    ];
    for (const gib of RAM_GIB)
      for (const cores of CORES) {
        const facts = makeFacts({ ramMiB: Math.round(gib * 1024), cores });
        for (const a of variants) {
          try {
            checkInvariants(buildPlan(a, facts));
            planned++;
          } catch (e) {
            if (!(e instanceof WizardError)) throw e;
            expect(e.exitCode).toBe(3);
            // Only optional components may make a ≥1 GiB host refuse; the base stack always fits.
            const c = a.components;
            expect(c.rabbitmq || c.minio || c.monitoring || c.worker).toBe(true);
            expect(gib).toBeLessThan(4);
            refused++;
          }
        }
      }
    expect(planned).toBeGreaterThan(refused * 5);
    // Thousands of plans: a correctness sweep, not a speed target; a busy 2-core machine needs more than 5 s.
  }, 60_000);

  it('the base stack (app, mysql, redis, nginx) is planned on every host from 1 GiB', () => {
    for (const gib of RAM_GIB) for (const cores of CORES) checkInvariants(buildPlan(answers(), makeFacts({ ramMiB: Math.round(gib * 1024), cores })));
  });

  it('holds for each fixed preset on every host large enough for it, with every component selection and both engines', () => {
    for (const preset of ['4g', '8g', '16g'] as const)
      for (const gib of RAM_GIB.filter((g) => g * 1024 >= PRESETS[preset].minHostMiB))
        for (const components of COMBOS)
          for (const engine of ['mysql', 'mariadb'] as const)
            checkInvariants(buildPlan(answers({ preset, components, database: { engine } }), makeFacts({ ramMiB: Math.round(gib * 1024), cores: 4 })));
  }, 60_000);

  it('a fixed preset plans for at most its planMiB, and from the measured RAM on a smaller VM of its class (#22.4)', () => {
    for (const id of ['4g', '8g', '16g'] as const) {
      const plan = buildPlan(answers({ preset: id }), makeFacts({ ramMiB: 262144 }));
      expect(plan.sizing.planRamMiB).toBe(PRESETS[id].planMiB);
      const small = buildPlan(answers({ preset: id }), makeFacts({ ramMiB: PRESETS[id].minHostMiB + 10 }));
      expect(small.sizing.planRamMiB).toBe(PRESETS[id].minHostMiB + 10);
    }
  });
});

describe('small auto hosts (the cases an audit found over their limits)', () => {
  it('Redis worst case fits its container on 1, 1.5, 2 and 2.5 GiB hosts', () => {
    const seen: [number, number, number][] = [];
    for (const gib of [1, 1.5, 2, 2.5]) {
      const plan = buildPlan(answers(), makeFacts({ ramMiB: gib * 1024, cores: 1 }));
      const lim = plan.services.find((s) => s.name === 'redis')!.memoryMiB;
      seen.push([lim, plan.redis!.maxmemoryMiB, redisWorstCaseMiB(plan.redis!.maxmemoryMiB)]);
    }
    // limit, maxmemory, worst case: before, 0.6 × limit gave worst cases of 93, 170, 231 and 308 MiB.
    expect(seen).toEqual([[80, 40, 80], [160, 90, 160], [224, 130, 224], [304, 180, 304]]);
  });

  it('node on a 1 GiB host: one process sized to the container, not the 256 MiB of the table, and a warning', () => {
    const plan = buildPlan(answers({ app: { image: 'a/b:1', runtime: 'node' } }), makeFacts({ ramMiB: 1024, cores: 1 }));
    const lim = plan.services.find((s) => s.name === 'app')!.memoryMiB;
    expect(lim).toBe(240);
    expect(plan.app).toMatchObject({ workers: 1, workerMiB: 204, nodeMaxOldSpaceMiB: 144 });
    expect(plan.app.workerMiB).toBeLessThanOrEqual(lim * APP_WORKER_SHARE);
    expect(plan.warnings).toContainEqual({ key: 'warn.appWorkerSmall', params: { runtime: 'node', have: 204, typical: 256 } });
    // A host with room gets the table's size and no warning.
    const big = buildPlan(answers({ app: { image: 'a/b:1', runtime: 'node' } }), VM['8g']);
    expect(big.app.workerMiB).toBeGreaterThanOrEqual(PRESETS['8g'].app.workerMiB.node);
    expect(big.warnings.map((w) => w.key)).not.toContain('warn.appWorkerSmall');
  });
});

describe('refusing hosts below a preset', () => {
  it('accepts a "4 GB" VM that reports 3.4–3.8 GiB (firmware and kdump reservations; 3.4 is common on mainland clouds, #22.4)', () => {
    for (const mib of [3482, 3584, 3687, 3790, 3892]) expect(() => buildPlan(answers({ preset: '4g' }), makeFacts({ ramMiB: mib }))).not.toThrow();
    // With every component on, at the class's floor, every service still gets at least its minimum.
    const full = { redis: true, worker: true, rabbitmq: true, minio: true, monitoring: true };
    for (const id of ['4g', '8g', '16g'] as const) {
      const p = buildPlan(answers({ preset: id, components: full, app: { image: 'a/b:1', workerCommand: ['w'] } }), makeFacts({ ramMiB: PRESETS[id].minHostMiB, cores: 2 }));
      checkInvariants(p);
      expect(p.sizing.planRamMiB).toBe(PRESETS[id].minHostMiB);
    }
    expect(() => buildPlan(answers({ preset: '8g' }), VM['8g'])).not.toThrow();
    expect(() => buildPlan(answers({ preset: '16g' }), VM['16g'])).not.toThrow();
  });

  it('refuses with exit 3, the numbers, and the preset that would fit', () => {
    const cases: [string, number, string][] = [
      ['8g', 3790, '4g'],
      ['16g', 7680, '8g'],
      ['16g', 13000, '8g'],
      ['4g', 3000, 'auto'],
    ];
    for (const [preset, mib, fits] of cases) {
      try {
        buildPlan(answers({ preset: preset as '8g' }), makeFacts({ ramMiB: mib }));
        expect.unreachable(`${preset} on ${mib} MiB should be refused`);
      } catch (e) {
        expect(e).toBeInstanceOf(WizardError);
        const w = e as WizardError;
        expect(w.exitCode).toBe(3);
        expect(w.key).toBe('err.hostTooSmall');
        expect(w.params).toMatchObject({ preset, have: mib, need: PRESETS[preset as '8g'].minHostMiB, fits });
      }
    }
  });

  it('plans with the cgroup memory limit when it is below the machine RAM', () => {
    const plan = buildPlan(answers(), makeFacts({ ramMiB: 32768, cgroupLimitMiB: 4096 }));
    expect(plan.sizing.hostRamMiB).toBe(4096);
    expect(plan.sizing.tier).toBe('4g');
    expect(() => buildPlan(answers({ preset: '8g' }), makeFacts({ ramMiB: 32768, cgroupLimitMiB: 4096 }))).toThrow(WizardError);
  });

  it('refuses a host under 1 GiB even with auto', () => {
    expect(() => buildPlan(answers(), makeFacts({ ramMiB: 768 }))).toThrow(/hostTooSmallAuto/);
  });
});

describe('the sizing tables', () => {
  it('picks the tier of the largest preset the host reaches', () => {
    expect(tierFor(3000)).toBe('4g');
    expect(tierFor(PRESETS['8g'].minHostMiB)).toBe('8g');
    expect(tierFor(PRESETS['16g'].minHostMiB - 1)).toBe('8g');
    expect(tierFor(200_000)).toBe('16g');
  });

  it('reserves 256 MiB + 6 % for the host, capped at 2 GiB', () => {
    expect(reserveMiB(1024)).toBe(317);
    expect(reserveMiB(3686)).toBe(477);
    expect(reserveMiB(262144)).toBe(2048);
  });

  it('gives the expected services and sizes for the 4g preset (the numbers operators compare with blog advice)', () => {
    const plan = buildPlan(answers({ preset: '4g' }), VM['4g']);
    const mem = Object.fromEntries(plan.services.map((s) => [s.name, s.memoryMiB]));
    expect(mem).toEqual({ app: 1232, mysql: 1392, redis: 464, nginx: 96 });
    expect(plan.database).toMatchObject({ bufferPoolMiB: 688, bufferPoolChunkMiB: 16, maxConnections: 100, performanceSchema: false });
    expect(plan.redis).toMatchObject({ maxmemoryMiB: 278, policy: 'allkeys-lru' });
    // 2 cores: uvicorn workers = cores + 1.
    expect(plan.app.workers).toBe(3);
  });

  it('grows the database share and connection count with the preset', () => {
    const p = (id: '4g' | '8g' | '16g') => buildPlan(answers({ preset: id }), VM[id]);
    const pools = (['4g', '8g', '16g'] as const).map((id) => p(id).database.bufferPoolMiB);
    expect(pools[0]).toBeLessThan(pools[1]!);
    expect(pools[1]).toBeLessThan(pools[2]!);
    expect(p('16g').database.maxConnections).toBeGreaterThan(p('4g').database.maxConnections);
    expect(p('16g').nginx.workerConnections).toBeGreaterThan(p('4g').nginx.workerConnections);
  });

  it('normalises shares over the enabled services: turning the worker on shrinks the app, not the database below its floor', () => {
    const off = allocateMemory(PRESETS['8g'], 7373, { redis: true, worker: false, rabbitmq: false, minio: false, monitoring: false });
    const on = allocateMemory(PRESETS['8g'], 7373, { redis: true, worker: true, rabbitmq: false, minio: false, monitoring: false });
    expect(on.limits.worker).toBeGreaterThan(0);
    expect(on.limits.app!).toBeLessThan(off.limits.app!);
    expect(on.budgetMiB).toBe(off.budgetMiB);
  });

  it('a queue-mode Redis never evicts', () => {
    const plan = buildPlan(answers({ redis: { mode: 'queue' } }), VM['8g']);
    expect(plan.redis?.policy).toBe('noeviction');
  });

  it('sizes app processes per runtime', () => {
    const rt = (runtime: (typeof RUNTIMES)[number]) => buildPlan(answers({ preset: '8g', app: { image: 'a/b:1', runtime } }), VM['8g']).app;
    expect(rt('python-wsgi').workers).toBe(8); // min(2×4+1, memory, cap 8)
    expect(rt('python-asgi').workers).toBe(5); // cores + 1
    expect(rt('node').workers).toBe(4); // one per core
    expect(rt('node').nodeMaxOldSpaceMiB).toBeGreaterThan(100);
    expect(rt('java')).toMatchObject({ workers: 1 });
    expect(rt('java').jvmHeapMiB).toBeGreaterThan(1000);
  });
});
