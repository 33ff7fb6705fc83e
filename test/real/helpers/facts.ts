// Host facts for tests: an 8 GB, 4-core server of the given distribution, Docker not running.
import type { HostFacts } from '../../../src/domain/facts.js';

const GiB = 1024 ** 3;

export function makeFacts(os: { id: 'debian' | 'ubuntu'; versionId: string; codename: string }, arch = 'x64'): HostFacts {
  const disk = (path: string) => ({ path, mount: '/', totalBytes: 80 * GiB, freeBytes: 60 * GiB, freeInodes: 1_000_000 });
  return {
    schemaVersion: 1,
    hostname: 'test-host',
    cpu: { cores: 4, model: 'test', cgroupCpus: null },
    memory: { totalBytes: 8 * GiB, cgroupLimitBytes: null, availableBytes: 7 * GiB, swapTotalBytes: 0, swapFreeBytes: 0 },
    disks: { installDir: disk('/opt/stack-wizard'), dockerRoot: disk('/var/lib/docker') },
    os: { id: os.id, versionId: os.versionId, codename: os.codename, prettyName: `${os.id} ${os.versionId}`, idLike: os.id === 'ubuntu' ? ['debian'] : [] },
    arch,
    kernel: '6.1.0',
    virtualization: 'kvm',
    docker: { installed: false, version: null, running: false, rootDir: null, storageDriver: null, cgroupVersion: null },
    compose: { installed: false, version: null, v2: false },
    sshd: { ports: [22], source: 'listening' },
    ports: [],
    user: { isRoot: true, uid: 0, name: 'root' },
    systemd: true,
    addresses: { public: ['203.0.113.10'], private: [] },
    session: { sshClientAddress: null, sshServerPort: null },
    timezone: 'Asia/Shanghai',
    timeSynchronized: true,
  };
}
