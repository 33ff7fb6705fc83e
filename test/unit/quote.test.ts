// The point-of-use quoting (#15's second layer), as text. The real programs judge the same
// functions in test/real/quoting-hostile.test.ts (logrotate -f, certbot's hook runner, systemd-analyze,
// Debian's cron, fail2ban-client).
import { describe, expect, it } from 'vitest';
import {
  composeHostPath,
  cronCommand,
  fail2banLogpath,
  logrotatePath,
  logrotateScriptLine,
  shLine,
  shQuote,
  unitArg,
  unitValue,
} from '../../src/render/format/quote.js';
import { scheduleFiles } from '../../src/render/backup-schedule.js';
import { appHealthTest, renderCompose } from '../../src/render/compose.js';
import { NGINX_TARGETS, NGINX_VARIANTS, variantPlan } from '../fixtures/nginx-variants.js';

describe('shell words', () => {
  it(`leaves plain words bare and single-quotes the rest, a quote as '"'"' (no backslash, which cron would read)`, () => {
    expect(shQuote('/opt/stack-wizard/shop/docker-compose.yml')).toBe('/opt/stack-wizard/shop/docker-compose.yml');
    expect(shQuote("/x/a b;$(id)'`")).toBe(`'/x/a b;$(id)'"'"'\`'`);
    expect(shQuote('')).toBe("''");
    expect(shLine(['docker', 'compose', '-f', '/a b/c'])).toBe("docker compose -f '/a b/c'");
  });
});

describe('systemd units', () => {
  it('double-quotes an ExecStart argument and escapes \\ " % and $', () => {
    expect(unitArg('/opt/x')).toBe('/opt/x');
    expect(unitArg('/a b/%n/$HOME/"q"\\')).toBe('"/a b/%%n/$$HOME/\\"q\\"\\\\"');
  });
  it('doubles % in plain settings and refuses line breaks', () => {
    expect(unitValue('/opt/100%')).toBe('/opt/100%%');
    expect(() => unitValue('/opt/x\nExecStartPre=/bin/sh')).toThrow(/line break/);
    expect(() => unitArg('a\rb')).toThrow(/line break/);
  });
});

describe('cron lines', () => {
  it('escapes % for cron inside the shell quoting, refuses line breaks and backslashes', () => {
    expect(cronCommand(['/usr/bin/x', '/opt/a%b c'])).toBe("/usr/bin/x '/opt/a\\%b c'");
    expect(() => cronCommand(['/x', '/opt/a\n* * * * * root id'])).toThrow(/line break/);
    expect(() => cronCommand(['/x', '/opt/a\\%b'])).toThrow(/backslash/);
    // A quote in a value needs no backslash, so it is fine on a cron line.
    expect(cronCommand(['/x', "/opt/it's"])).toBe(`/x '/opt/it'"'"'s'`);
  });
  it('a schedule that is not HH:MM never reaches the minute and hour fields', () => {
    const o = { project: 'shop', installDir: '/opt/shop', bin: ['/usr/local/bin/stack-wizard'], systemd: false };
    expect(() => scheduleFiles({ ...o, schedule: '* * * * * root id #:00' })).toThrow(/not HH:MM/);
    expect(scheduleFiles({ ...o, schedule: '03:07' }).files[0]!.content).toMatch(
      /^7 3 \* \* \* root \/usr\/local\/bin\/stack-wizard backup --scheduled --answers \/opt\/shop\/stack-wizard\.yaml >>\/opt\/shop\/logs\/backup-cron\.log 2>&1$/m,
    );
  });
});

describe('logrotate', () => {
  it('quotes every file name and escapes glob characters; refuses what it cannot carry', () => {
    expect(logrotatePath('/opt/a b/*.log')).toBe('"/opt/a b/\\*.log"');
    expect(logrotatePath('/opt/x[1]?')).toBe('"/opt/x\\[1\\]\\?"');
    for (const bad of ['/opt/a"b', '/opt/{x}', '/opt/a\\b', '/opt/a\nb']) expect(() => logrotatePath(bad)).toThrow();
  });
  it('a script line is one line and never endscript', () => {
    expect(() => logrotateScriptLine('true\nendscript\nrm -rf /')).toThrow(/line break/);
    expect(() => logrotateScriptLine('endscript')).toThrow(/endscript/);
  });
});

describe('fail2ban logpath', () => {
  it('doubles %, brackets glob characters, and keeps a path with a space whole with the default head', () => {
    expect(fail2banLogpath('/opt/shop/logs/nginx/error.log')).toBe('/opt/shop/logs/nginx/error.log');
    expect(fail2banLogpath('/opt/100%/x*[1]?.log')).toBe('/opt/100%%/x[*][[]1][?].log');
    expect(fail2banLogpath('/opt/a b/error.log')).toBe('/opt/a b/error.log head');
    expect(() => fail2banLogpath('/opt/a\nb')).toThrow(/line break/);
  });
});

describe('app healthcheck', () => {
  const plan = variantPlan(NGINX_VARIANTS[0]!, NGINX_TARGETS.directive.image);
  it('the health URL is plain words in the CMD-SHELL line (a runtime whose tools are unknown)', () => {
    const generic = { ...plan, app: { ...plan.app, runtime: 'generic' as const } };
    expect(renderCompose(generic).content).toContain('curl -fsS -o /dev/null --max-time 4 http://127.0.0.1:8000/health');
  });
  it('Python and Node apps are checked by their own interpreter in exec form: no shell (#15.1)', () => {
    const py = appHealthTest({ ...plan, app: { ...plan.app, runtime: 'python-asgi' } });
    expect(py).toEqual(['CMD', 'python3', '-c', "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]);
    const node = appHealthTest({ ...plan, app: { ...plan.app, runtime: 'node' } });
    expect(node.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(node[3]).toContain("fetch('http://127.0.0.1:8000/health'");
    expect(appHealthTest({ ...plan, app: { ...plan.app, runtime: 'java' } })[0]).toBe('CMD-SHELL');
  });
  it('a health path the schema should have refused stops the render (it also sits in Python and JS strings)', () => {
    for (const health of ["/h';touch /tmp/x;'", '/h"$(id)"', '/h x']) {
      expect(() => renderCompose({ ...plan, app: { ...plan.app, health } })).toThrow(/app health URL/);
    }
  });
});

describe('compose host paths', () => {
  it('doubles $ (Compose interpolates) and refuses : (it would split the volume)', () => {
    expect(composeHostPath('/srv/${MYSQL_ROOT_PASSWORD}/web')).toBe('/srv/$${MYSQL_ROOT_PASSWORD}/web');
    expect(composeHostPath('/srv/shop/web')).toBe('/srv/shop/web');
    expect(() => composeHostPath('/srv/a:/etc')).toThrow(/":"/);
  });
});
