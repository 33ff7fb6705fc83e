// No English left in Chinese (#22.9): every zh-CN catalogue string is read word by word, and a
// word of ASCII letters only must be code (a command line, a path, a flag, a key, a unit, a
// placeholder, a literal in ASCII quotes) or a name on the short lists below. Anything else is
// English prose a Chinese reader meets: translate it. The lists are explicit on purpose: adding a
// word to them is a decision a reviewer sees.
import { describe, expect, it } from 'vitest';
import { MESSAGES, translator } from '../../src/i18n/index.js';
import { factRows } from '../../src/host/report.js';
import { preflight } from '../../src/domain/preflight.js';
import { buildPlan } from '../../src/domain/plan.js';
import { AnswersSchema } from '../../src/domain/answers.js';
import { parseAnswers } from '../../src/domain/load.js';
import { findingText } from '../../src/steps/preflight.js';
import { makeFacts } from '../fixtures/facts.js';

/** Proper names (products, projects, protocols written as words) and fixed terms kept in English. */
const NAMES = new Set([
  'stack-wizard',
  'Docker',
  'Compose',
  'Swarm',
  'Hub',
  'Engine',
  'Redis',
  'Valkey',
  'MySQL',
  'MariaDB',
  'Nginx',
  'RabbitMQ',
  'MinIO',
  'Let',
  "Let's",
  'Encrypt',
  'Debian',
  'Ubuntu',
  'Linux',
  'Node',
  'Node.js',
  'PyPI',
  'Celery',
  'Prometheus',
  'Grafana',
  'Lark',
  'OpenVZ',
  'English',
  'Enter',
  'Esc',
  'Ctrl',
  'PgDn',
  'Webhook',
  'Web',
  'Gateway',
  'Bad',
  'Timeout',
  'Too',
  'many',
  'connections',
  'root',
  'systemd',
  'nftables',
  'IPsec',
  'OOMKilled',
  'A',
  'killer',
  'cgroup',
  'inode',
  'shell',
  'jail',
  'journal',
  'persistence',
  'overlay',
  'builder',
  'image',
  'registry',
  'system',
  'some',
  'full',
]);

/**
 * Commands (programs and stack-wizard's own subcommands). After one, the rest of its ASCII run is
 * its command line (arguments, flags, pipes) and is not read as prose.
 */
const COMMANDS = new Set([
  'stack-wizard',
  'docker',
  'compose',
  'systemctl',
  'journalctl',
  'chmod',
  'chown',
  'usermod',
  'apt',
  'apt-get',
  'ufw',
  'fail2ban-client',
  'openssl',
  'certbot',
  'nginx',
  'redis-cli',
  'mysql',
  'mariadb',
  'ss',
  'ps',
  'df',
  'du',
  'top',
  'grep',
  'tail',
  'head',
  'sort',
  'curl',
  'getent',
  'timedatectl',
  'celery',
  'sudo',
  'npx',
  'npm',
  'gpg',
  'zstd',
  'flock',
  'dockerd',
  'kill',
  'date',
  'iptables',
  'nft',
  'sshd',
  'ssh',
  'fail2ban',
  'firewalld',
  'cron',
  'init',
  'render',
  'probe',
  'status',
  'security',
  'doctor',
  'backup',
  'restore',
  'update',
  'notify',
  'cluster',
  'mirrors',
  'help',
  'version',
  'apply',
  'verify',
  'drill',
  'watch',
  'binlogs',
  'test',
  'list',
  'join',
  'leave',
  'drain',
  'label',
  'prune',
  'logs',
  'exec',
  'up',
  'down',
  'stop',
  'restart',
  'reload',
  'pull',
  'diff',
  'install',
  'renew',
  'clean',
  'disable',
  'rm',
  'stats',
  'info',
  'deploy',
  'clone',
  'prepare',
]);

/** Values an operator writes as they are (answers values, config words, keys of a file). */
const VALUES = new Set([
  'auto',
  'off',
  'on',
  'none',
  'null',
  'true',
  'false',
  'yes',
  'no',
  'cn',
  'global',
  'en',
  'queue',
  'cache',
  'custom',
  'letsencrypt',
  'self-signed',
  'edge',
  'app',
  'data',
  'worker',
  'swarm',
  'http',
  'https',
  'email',
  'wecom',
  'dingtalk',
  'feishu',
  'webhook',
  'starttls',
  'tls',
  'key',
  'noeviction',
  'maxmemory',
  'region',
  'endpoint',
  'bucket',
  'credentialsFile',
  'secretFile',
  'passwordFile',
  'ignoreip',
  'backend',
  'esp',
  'node',
  'java',
  'valkey',
  'redis',
  'mysql',
  'certificate',
  'domain',
  'command',
  'answers',
  'mirrors',
  'aliyun',
  'localhost',
  'pid',
  'id',
  'name',
  'url',
  'kind',
  'stdin',
  'argv',
  'redo',
  'der',
  'Sun',
  'Mon',
  'journal',
  'security',
  'notify',
  'cluster',
  'update',
  'backup',
  'restore',
]);

/** Code: a flag, a path, a key path, a placeholder, a file name, a unit with its number, an acronym. */
const isCode = (w: string) =>
  /[^A-Za-z']/.test(w) || // digits, /, ., _, -, =, :, <, >, quotes, brackets: code, not a word
  /^[A-Z]{2,}s?$/.test(w) || // acronyms and units: DNS, TLS, MiB, GiB… (MiB: below)
  /^(MiB|GiB|KiB|KB|GB|ms)$/.test(w);

/** ASCII runs (between CJK text and full-width punctuation) of a string, placeholders removed. */
const asciiRuns = (s: string) =>
  s
    .replace(/\{\w+\}/g, 'X_')
    .replace(/“[\x20-\x7e]+”/g, ' X_ ')
    .split(/[^\x20-\x7e]+/)
    .map((r) => r.trim())
    .filter(Boolean);

/** The ASCII words of one run that are prose: not code, not a name, not part of a command line or an ASCII-quoted literal. */
export function proseWords(run: string): string[] {
  const out: string[] = [];
  const text = run.replace(/"[^"]*"/g, ' X_ ').replace(/`[^`]*`/g, ' X_ ');
  let inCommand = false;
  for (const raw of text.split(/\s+/)) {
    // Sentence punctuation around a word is not part of it; a colon is (a key: `tls:`, `:latest`).
    const w = raw.replace(/^[(,;]+|[),;.!?]+$/g, '');
    if (!/[A-Za-z]/.test(w)) continue;
    if (COMMANDS.has(w)) {
      inCommand = true;
      continue;
    }
    if (inCommand || isCode(w) || NAMES.has(w) || VALUES.has(w)) continue;
    out.push(w);
  }
  return out;
}

describe('zh-CN catalogue strings hold no English prose (#22.9)', () => {
  it('the reader itself: prose is found, code, commands, names and literals are not', () => {
    expect(proseWords('images + data')).toEqual(['images', 'data'].filter((w) => !VALUES.has(w)));
    expect(proseWords('wait until healthy (at most X_ s)')).toEqual(['wait', 'until', 'healthy', 'at', 'most', 's']);
    expect(proseWords('docker compose logs --tail 100 nginx')).toEqual([]);
    expect(proseWords('--answers /etc/stack-wizard/x.json MiB app.image')).toEqual([]);
    expect(proseWords('"OOM command not allowed" Docker Hub')).toEqual([]);
  });

  it('every zh-CN string', () => {
    const found: string[] = [];
    for (const [key, text] of Object.entries(MESSAGES['zh-CN'])) {
      const words = asciiRuns(text).flatMap(proseWords);
      if (words.length) found.push(`${key}: ${words.join(' ')}  «${text}»`);
    }
    expect(found).toEqual([]);
  });

  it('Chinese punctuation is full-width next to Chinese text', () => {
    const cjk = '[\\u4e00-\\u9fff]';
    // ASCII , ; ! ? ( ) touching a Chinese character, or an ASCII colon and a space after one.
    const re = new RegExp(`${cjk}[,;!?()]|[,;!?()]${cjk}|${cjk}: `);
    const found = Object.entries(MESSAGES['zh-CN']).filter(([, v]) => re.test(v.replace(/\{\w+\}/g, 'X')));
    expect(found).toEqual([]);
  });

  it('"fits" is 可容纳 or 够用, never 可用 (which reads as "available")', () => {
    const found = Object.keys(MESSAGES.en).filter(
      (k) =>
        /\bfits?\b/i.test(MESSAGES.en[k]!) &&
        !/\bnot fit|\bfits? (its|in)\b|\bprocesses fit\b|\{fits\}/.test(MESSAGES.en[k]!) &&
        MESSAGES['zh-CN'][k]!.includes('可用'),
    );
    expect(found).toEqual([]);
    expect(MESSAGES['zh-CN']['ui.preset.fits']).toMatch(/可容纳|够用/);
  });

  it("lines built from facts and findings are Chinese too: the values code puts into them (the issue's examples)", () => {
    const t = translator('zh-CN');
    const prose = (line: string) => asciiRuns(line).flatMap(proseWords);
    const facts = makeFacts({ isRoot: false }, { systemd: false, sshd: { ports: [], source: 'none' } });
    const rows = factRows(t, facts).map(([k, v]) => `${k} ${v}`);
    expect(rows.join('\n')).toContain('systemd：无');
    // The host's own names (its OS, CPU, virtualisation, user) are what they are.
    const own = [facts.os.prettyName, facts.cpu.model!, facts.virtualization!, facts.user.name!];
    expect(rows.map((r) => own.reduce((x, n) => x.split(n).join('X_'), r)).flatMap(prose)).toEqual([]);
    const split = {
      ...facts,
      disks: { installDir: { ...facts.disks.installDir, mount: '/opt' }, dockerRoot: facts.disks.dockerRoot },
      sshd: { ports: [22], source: 'default' as const },
    };
    const plan = buildPlan(AnswersSchema.parse({ project: 'shop', preset: '8g', app: { image: 'a/b:1' } }), split);
    const lines = preflight({ facts: split, plan, portHolders: [], dns: null }).map((f) => findingText(t, f));
    // The disk lines name their parts in Chinese, each summed on its own filesystem (#22.7).
    expect(lines.join('\n')).toMatch(/需要 [\d.]+ GiB = 镜像 [\d.]+ \+ 数据库 [\d.]+ GiB；剩余/);
    expect(lines.join('\n')).toMatch(/需要 [\d.]+ GiB = 备份 [\d.]+ GiB；剩余/);
    expect(lines.map((r) => own.reduce((x, n) => x.split(n).join('X_'), r)).flatMap(prose)).toEqual([]);
    // A missing required value names its type in Chinese.
    try {
      parseAnswers('project: shop\napp: {}\n', 'a.yaml', t);
      expect.unreachable();
    } catch (e) {
      const text = (e as { details: string[] }).details.join('\n');
      expect(text).toContain('为必填项（文本）');
      expect(text).not.toContain('string');
    }
  });
});
