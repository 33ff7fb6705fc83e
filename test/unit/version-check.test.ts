// `update --check` and doctor's end-of-life check on recorded evidence, with today's date given:
// the series of each running image in the versions data (releases.ts), the newest patch there, the
// end of life 90 days ahead (warn) and past (error), and the exit code that says what is due.
import { describe, expect, it } from 'vitest';
import { RELEASES } from '../../src/domain/releases.js';
import { EOL_WARN_DAYS, checkExitCode, eolState, productOfImage, versionRows } from '../../src/domain/version-check.js';
import { versionsCheck } from '../../src/domain/doctor/checks-docker.js';
import type { ServicesEvidence } from '../../src/domain/doctor/checks-docker.js';
import { translator } from '../../src/i18n/index.js';
import { lineText } from '../../src/domain/doctor/types.js';

const day = (iso: string) => new Date(`${iso}T12:00:00Z`);
const release = (product: string, series: string) =>
  RELEASES.find((r) => r.product === product && r.series === series)!;

describe('the product and series of a running image', () => {
  it('reads the repository name wherever the image comes from (official, a mirror prefix, a lab build)', () => {
    expect(productOfImage('mysql:8.4.11@sha256:85b9')).toBe('mysql');
    expect(productOfImage('mirror.example.com/docker.io/library/mariadb:11.8.9')).toBe('mariadb');
    expect(productOfImage('valkey/valkey:9.1.2')).toBe('valkey');
    expect(productOfImage('stack-wizard-lab/nginx:1.30')).toBe('nginx');
    expect(productOfImage('prom/node-exporter:v1.9.1')).toBe('node-exporter');
    expect(productOfImage('ghcr.io/example/api:1.4.2')).toBeNull();
  });
});

describe('end of life, with today given', () => {
  const m80 = release('mysql', '8.0'); // 2026-04-30
  it('ok more than 90 days ahead, soon within 90 (the last day still supported), ended the day after', () => {
    expect(EOL_WARN_DAYS).toBe(90);
    expect(eolState(m80, day('2026-01-29'))).toEqual({ state: 'ok', daysLeft: 91, eol: '2026-04-30' });
    expect(eolState(m80, day('2026-01-30'))).toEqual({ state: 'soon', daysLeft: 90, eol: '2026-04-30' });
    expect(eolState(m80, day('2026-04-30'))).toEqual({ state: 'soon', daysLeft: 0, eol: '2026-04-30' });
    expect(eolState(m80, day('2026-05-01'))).toEqual({ state: 'ended', daysLeft: -1, eol: '2026-04-30' });
    expect(eolState(release('redis', '8.10'), day('2026-12-07'))).toEqual({ state: 'none', daysLeft: null, eol: null });
  });
});

describe('update --check rows and exit code', () => {
  const today = day('2026-12-07');
  it('a full version behind the pinned patch is due (exit 4); a floating tag is not judged; a current one is not due', () => {
    const rows = versionRows(
      [
        { service: 'mysql', image: 'stack-wizard-lab/mariadb:10.11', version: '10.11.14-MariaDB-0+deb12u2' },
        { service: 'nginx', image: 'stack-wizard-lab/nginx:1.30' },
        { service: 'redis', image: 'redis:8.10.2@sha256:d5ac' },
      ],
      today,
    );
    expect(rows.map((r) => [r.service, r.running, r.series, r.newest, r.due])).toEqual([
      ['mysql', '10.11.14-MariaDB-0+deb12u2', '10.11', '10.11.19', ['patch']],
      ['nginx', '1.30', '1.30', '1.30.5', []],
      ['redis', '8.10.2', '8.10', '8.10.2', []],
    ]);
    expect(rows[0]!.eol).toMatchObject({ state: 'ok', eol: '2028-02-16' });
    expect(checkExitCode(rows)).toBe(4);
    expect(checkExitCode(rows.slice(1))).toBe(0);
  });

  it('a series past its end of life gives exit 5; within 90 days, exit 4; a series the data does not have is shown, not due', () => {
    const ended = versionRows([{ service: 'mysql', image: 'mysql:8.0.46' }], today);
    expect(ended[0]).toMatchObject({ series: '8.0', newest: '8.0.46', due: ['eol'] });
    expect(ended[0]!.eol.daysLeft).toBe(-221);
    expect(checkExitCode(ended)).toBe(5);
    const soon = versionRows([{ service: 'mysql', image: 'mariadb:10.11.19' }], day('2027-12-01'));
    expect(soon[0]).toMatchObject({ due: ['eol-soon'] });
    expect(checkExitCode(soon)).toBe(4);
    const unknown = versionRows([{ service: 'redis', image: 'stack-wizard-lab/redis:7.0' }], today);
    expect(unknown[0]).toMatchObject({ product: 'redis', series: null, newest: null, due: [] });
    expect(checkExitCode(unknown)).toBe(0);
  });
});

describe('doctor: end of life of the series in use', () => {
  const ev = (images: Record<string, string>): ServicesEvidence => ({
    reachable: true,
    services: Object.entries(images).map(([name, image]) => ({
      name,
      logs: [],
      dependsOn: [],
      healthyImageId: null,
      memory: null,
      container: {
        id: name,
        name,
        state: 'running',
        health: 'healthy',
        healthLog: null,
        exitCode: 0,
        error: null,
        oomKilled: false,
        restartCount: 0,
        startedAt: null,
        finishedAt: null,
        image,
        imageId: 'sha256:x',
      },
    })),
  });
  const en = translator('en');
  const zh = translator('zh-CN');

  it('errors past the end of life and warns within 90 days, naming the service, the series and the date, in both languages', () => {
    const past = versionsCheck.evaluate(ev({ mysql: 'mysql:8.0.46', nginx: 'nginx:1.30.5' }), day('2026-12-07'));
    expect(past.map((f) => [f.id, f.severity])).toEqual([['versions.eol.mysql', 'error']]);
    expect(lineText(en, past[0]!.title)).toBe('mysql: mysql 8.0 is past its end of life (2026-04-30, 221 days ago)');
    expect(lineText(zh, past[0]!.title)).toBe('mysql：mysql 8.0 已过生命周期结束日（2026-04-30，已过 221 天）');
    expect(past[0]!.fix).toMatchObject({ auto: false });
    const soon = versionsCheck.evaluate(ev({ mysql: 'mariadb:10.11.19' }), day('2027-12-01'));
    expect(soon.map((f) => [f.id, f.severity])).toEqual([['versions.eol.mysql', 'warn']]);
    expect(lineText(en, soon[0]!.title)).toBe('mysql: mariadb 10.11 reaches its end of life in 77 days (2028-02-16)');
  });

  it('the same stack a year earlier is fine: one ok finding listing the dated series', () => {
    const ok = versionsCheck.evaluate(ev({ mysql: 'mysql:8.0.46', nginx: 'nginx:1.30.5' }), day('2025-12-07'));
    expect(ok.map((f) => [f.id, f.severity])).toEqual([['versions.eol', 'ok']]);
    expect(ok[0]!.evidence.map((l) => lineText(en, l))).toEqual([
      'mysql runs mysql:8.0.46 (8.0.46): mysql 8.0, supported until 2026-04-30',
    ]);
  });
});
