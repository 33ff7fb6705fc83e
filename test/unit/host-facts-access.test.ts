// What a normal user's probe says about this host (#22.8): Docker running but its socket refused
// is not "not running"; the open-files cap is a container's, never a VM's; the host's addresses
// leave out link-local ones and Docker's own bridges.
import { describe, expect, it } from 'vitest';
import { inContainer, maxContainerNofile } from '../../src/domain/facts.js';
import { hostAddresses, isDockerInterface, isLinkLocal } from '../../src/domain/ip.js';
import { hostNotes } from '../../src/domain/host-checks.js';
import { buildPlan } from '../../src/domain/plan.js';
import { AnswersSchema } from '../../src/domain/answers.js';
import { containerName, parseNofileLimits } from '../../src/host/probe.js';
import { factRows } from '../../src/host/report.js';
import { translator } from '../../src/i18n/index.js';
import { makeFacts } from '../fixtures/facts.js';

const denied = makeFacts(
  { isRoot: false },
  {
    docker: {
      installed: true,
      version: '28.2.2',
      running: false,
      rootDir: null,
      storageDriver: null,
      cgroupVersion: null,
      permissionDenied: true,
    },
  },
);

describe('Docker running, its socket refused to this account', () => {
  it('the report and the notes say no permission and what to do, in both languages; never "not running"', () => {
    for (const lang of ['en', 'zh-CN'] as const) {
      const t = translator(lang);
      const row = factRows(t, denied).find(([k]) => k === t('probe.docker'))![1];
      expect(row).toBe(`28.2.2 (${t('probe.dockerDenied')})`);
      expect(row).not.toContain(t('probe.notRunning'));
    }
    expect(factRows(translator('en'), denied).find(([k]) => k === 'Docker')![1]).toBe(
      '28.2.2 (running, but no permission to use its socket; run as root or join the docker group)',
    );
    const keys = hostNotes(denied).map((n) => n.key);
    expect(keys).toContain('host.dockerDenied');
    expect(keys).not.toContain('host.dockerStopped');
    const stopped = makeFacts({}, { docker: { ...denied.docker, permissionDenied: undefined } });
    expect(hostNotes(stopped).map((n) => n.key)).toContain('host.dockerStopped');
  });
});

describe('the open-files cap (CAP_SYS_RESOURCE) only in a container', () => {
  const answers = AnswersSchema.parse({ project: 'shop', preset: '8g', app: { image: 'a/b:1' } });
  const noCap = { nofileHard: 20000, canRaiseNofile: false };
  it('a VM without the capability in the probing account is not capped; a container is', () => {
    for (const virt of ['kvm', 'vmware', 'microsoft', null]) {
      const f = makeFacts({}, { virtualization: virt, limits: noCap });
      expect(inContainer(f), String(virt)).toBe(false);
      expect(maxContainerNofile(f)).toBe(65535);
      expect(buildPlan(answers, f).warnings.map((w) => w.key)).not.toContain('warn.nofileCapped');
    }
    for (const virt of ['lxc', 'openvz', 'docker', 'container-other']) {
      const f = makeFacts({}, { virtualization: virt, limits: noCap });
      expect(maxContainerNofile(f), virt).toBe(20000);
      expect(buildPlan(answers, f).warnings).toContainEqual({ key: 'warn.nofileCapped', params: { limit: 20000 } });
    }
    // A container whose root has the capability is not capped either.
    expect(
      maxContainerNofile(makeFacts({}, { virtualization: 'lxc', limits: { nofileHard: 20000, canRaiseNofile: true } })),
    ).toBe(65535);
  });

  it('container marks read as systemd-detect-virt names them; CapEff bit 24 is CAP_SYS_RESOURCE', () => {
    expect(containerName('lxc\n')).toBe('lxc');
    expect(containerName('LXC')).toBe('lxc');
    expect(containerName('oci')).toBe('podman');
    expect(containerName('something')).toBe('container-other');
    expect(
      parseNofileLimits(
        'Max open files            1024                 20000                files\n',
        'CapEff:\t000001fffeffffff\n',
      ),
    ).toEqual({ nofileHard: 20000, canRaiseNofile: false });
    expect(
      parseNofileLimits(
        'Max open files            1024                 1048576              files\n',
        'CapEff:\t000001ffffffffff\n',
      ),
    ).toEqual({ nofileHard: 1048576, canRaiseNofile: true });
  });
});

describe("the host's own addresses", () => {
  it('leaves out loopback, link-local and Docker bridges and veths; keeps the rest once, in order', () => {
    const ifaces = {
      lo: [
        { address: '127.0.0.1', internal: true },
        { address: '::1', internal: true },
      ],
      eth0: [
        { address: '203.0.113.10', internal: false },
        { address: '10.0.0.5', internal: false },
        { address: 'fe80::fc:ff:fe00:1', internal: false },
        { address: '2001:db8::5', internal: false },
      ],
      ens4: [
        { address: '169.254.10.2', internal: false },
        { address: '10.0.0.5', internal: false },
      ],
      docker0: [{ address: '172.17.0.1', internal: false }],
      'br-863e1a6772d6': [{ address: '172.26.0.1', internal: false }],
      docker_gwbridge: [{ address: '172.18.0.1', internal: false }],
      veth12ab34c: [{ address: 'fe80::1', internal: false }],
      'br-lan': [{ address: '192.168.1.2', internal: false }],
    };
    expect(hostAddresses(ifaces)).toEqual(['203.0.113.10', '10.0.0.5', '2001:db8::5', '192.168.1.2']);
    expect(isLinkLocal('169.254.0.1')).toBe(true);
    expect(isLinkLocal('fe80::1')).toBe(true);
    expect(isLinkLocal('fd00::2')).toBe(false);
    expect(isDockerInterface('br-lan')).toBe(false);
    expect(isDockerInterface('eth0')).toBe(false);
  });
});
