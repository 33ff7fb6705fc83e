// The welcome screen: the host report (facts rows and warnings), waiting for the probe, and CJK alignment.
import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { factRows } from '../../../src/host/report.js';
import { translator } from '../../../src/i18n/index.js';
import { Welcome } from '../../../src/ui/screens/Welcome.js';
import { KEY, facts, plain, press, waitText } from './helpers.js';

afterEach(() => cleanup());

describe('Welcome', () => {
  test('shows every host fact and the warnings; Enter continues', async () => {
    const t = translator('en');
    const onNext = vi.fn();
    const f = facts({ memory: { ...facts().memory, swapTotalBytes: 0 } });
    const { lastFrame, stdin } = render(<Welcome t={t} facts={f} error={null} localNote={null} onNext={onNext} />);
    const frame = await waitText(plain(lastFrame), 'Debian GNU/Linux 12');
    for (const label of ['OS', 'CPU cores', 'Memory', 'Disk', 'Docker', 'SSH port(s)', 'Web ports']) expect(frame).toContain(label);
    expect(frame).toContain('80: taken by nginx, 443: free');
    expect(frame).toContain('22 (listening)');
    expect(frame).toContain(t('host.portTaken', { port: 80, process: 'nginx' }));
    expect(frame).toContain(t('host.noSwapSmall'));
    await press(stdin, KEY.enter);
    expect(onNext).toHaveBeenCalledTimes(1);
  });

  test('while the probe runs it says so, and Enter does nothing', async () => {
    const t = translator('en');
    const onNext = vi.fn();
    const { lastFrame, stdin } = render(<Welcome t={t} facts={null} error={null} localNote={null} onNext={onNext} />);
    await waitText(plain(lastFrame), t('ui.welcome.probing'));
    await press(stdin, KEY.enter);
    expect(onNext).not.toHaveBeenCalled();
  });

  test('a failed probe shows its reason', async () => {
    const t = translator('en');
    const { lastFrame } = render(<Welcome t={t} facts={null} error="cannot read /proc/meminfo" localNote={null} onNext={() => {}} />);
    await waitText(plain(lastFrame), 'cannot read /proc/meminfo');
  });

  test('not root: says that only a local folder is written', async () => {
    const t = translator('en');
    const f = facts({ user: { isRoot: false, uid: 1000, name: 'dev' } });
    const { lastFrame } = render(<Welcome t={t} facts={f} error={null} localNote={t('ui.welcome.localNotRoot')} onNext={() => {}} />);
    const frame = await waitText(plain(lastFrame), 'stack-wizard-<project>');
    expect(frame).toContain(t('host.notRoot'));
  });

  test('zh-CN: every value starts in the same terminal column (CJK labels count two columns)', async () => {
    const t = translator('zh-CN');
    const f = facts();
    const { lastFrame } = render(<Welcome t={t} facts={f} error={null} localNote={null} onNext={() => {}} />);
    const frame = await waitText(plain(lastFrame), '操作系统');
    expect(frame).toContain('本机（vm-test）');
    const lines = frame.split('\n');
    const cols = factRows(t, f).map(([label, value]) => {
      const line = lines.find((l) => l.trimStart().startsWith(label) && l.includes(value.slice(0, 8)));
      expect(line, `row ${label}`).toBeDefined();
      return stringWidth(line!.slice(0, line!.indexOf(value.slice(0, 8))));
    });
    expect(new Set(cols).size).toBe(1);
    // Two columns of indent, the widest label, two columns of gap: labels padded by display width.
    expect(cols[0]).toBe(2 + Math.max(...factRows(t, f).map(([k]) => stringWidth(k))) + 2);
  });
});

describe('addresses on the welcome screen', () => {
  test('link-local addresses are left out and a long list is cut to the first few', async () => {
    const { shortAddresses } = await import('../../../src/ui/screens/Welcome.js');
    expect(shortAddresses('203.0.113.10, fe80::1, 10.0.0.5')).toBe('203.0.113.10, 10.0.0.5');
    expect(shortAddresses('a1, a2, a3, a4, a5, a6')).toBe('a1, a2, a3, a4, … (+2)');
    expect(shortAddresses('fe80::1')).toBe('fe80::1');
  });
});
