// The live probe on this machine: its facts match the schema and the machine, and a port held by
// a real listening socket is found without ss. Moved from the unit suite (docs/ARCHITECTURE.md#tests).
import { describe, expect, it } from 'vitest';
import { probeHost } from '../../src/host/probe.js';
import { HostFactsSchema } from '../../src/domain/facts.js';
import { RealExecutor } from '../../src/exec/executor.js';

describe('the live probe', () => {
  it('returns facts that match the schema and this machine', async () => {
    const facts = await probeHost(new RealExecutor(), { installDir: '/opt/stack-wizard/x', env: { SSH_CONNECTION: '198.51.100.7 50022 192.0.2.2 2222' } });
    expect(HostFactsSchema.parse(facts)).toEqual(facts);
    const os = await import('node:os');
    expect(facts.cpu.cores).toBe(os.availableParallelism());
    expect(facts.memory.totalBytes).toBeGreaterThan(os.totalmem() * 0.9);
    expect(facts.disks.installDir.freeBytes).toBeGreaterThan(0);
    expect(facts.session).toEqual({ sshClientAddress: '198.51.100.7', sshServerPort: 2222 });
    expect(facts.ports.map((p) => p.port)).toEqual([80, 443]);
    expect(facts.user.isRoot).toBe(process.getuid?.() === 0);
  });
});

describe('ports without ss (Debian minbase has no iproute2)', () => {
  it('a port held by a real listening socket is reported taken from /proc/net/tcp', async () => {
    const net = await import('node:net');
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const { procListeners } = await import('../../src/host/probe.js');
      expect((await procListeners()).map((l) => l.port)).toContain(port);
      // The probe with ss missing: the same executor, but `ss` is not a program on this host.
      const real = new RealExecutor();
      const noSs = Object.assign(Object.create(real) as RealExecutor, {
        query: (cmd: string, args: readonly string[], o?: object) => (cmd === 'ss' ? real.query('ss-is-not-installed', args, o) : real.query(cmd, args, o)),
      });
      const facts = await probeHost(noSs, { installDir: '/opt/stack-wizard/x', env: {}, ports: [port] });
      expect(facts.ports.find((p) => p.port === port)).toEqual({ port, inUse: true, process: null, pid: null });
    } finally {
      server.close();
    }
  });
});
