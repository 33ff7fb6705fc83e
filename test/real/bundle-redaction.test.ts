// #15.5 end to end: the built CLI's `doctor --bundle` over an installed stack's files where
// secrets sit in the shapes the review found leaking (a hand-added requirepass, a multi-word
// .env value, passwords on logged command lines, an Authorization header, a PEM key, a URL
// password with a raw / and @, the backup passphrase and S3 credentials files). GNU tar extracts
// the bundle; no secret may be in any file of it, and what support needs is still there.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'stack-wizard.js');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('doctor --bundle redacts every shape (#15.5)', () => {
  it('no secret in any file of the bundle; project, images and paths stay readable', () => {
    const base = mkdtempSync(join(tmpdir(), 'sw-bundle-red-'));
    const inst = join(base, 'inst');
    const secrets = {
      passphrase: 'Backup Passphrase With Spaces 2026',
      awsKey: 'AKIAZZZZZZZZZZZZZZZZ',
      awsSecret: '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',
      requirepass: 'hand-added-redis-pw',
      multi: 'several words of secret',
      cli: 'CmdLinePw77',
      bearer: 'bearer-token-value-99',
      pem: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
      urlpw: 'raw/slash@and@at',
    };
    writeFileSync(join(base, 'pass'), `${secrets.passphrase}\n`, { mode: 0o600 });
    writeFileSync(join(base, 'creds'), `AWS_ACCESS_KEY_ID=${secrets.awsKey}\nAWS_SECRET_ACCESS_KEY=${secrets.awsSecret}\n`, { mode: 0o600 });
    const answers = join(base, 'answers.yaml');
    writeFileSync(answers, [
      'project: redact',
      'app: { image: ghcr.io/example/api:1.0.0 }',
      `installDir: ${inst}`,
      `backup: { passphraseFile: ${join(base, 'pass')}, s3: { endpoint: "https://s3.example.com", bucket: backups, credentialsFile: ${join(base, 'creds')} } }`,
      '',
    ].join('\n'));
    const render = spawnSync(process.execPath, [CLI, 'render', '--answers', answers, '--out', inst], { encoding: 'utf8' });
    expect(render.status, render.stderr).toBe(0);
    // What an operator or the app adds by hand, and what lands in logs.
    appendFileSync(join(inst, '.env'), `EXTRA_APP_SECRET="${secrets.multi}"\n`);
    appendFileSync(join(inst, 'redis', 'redis.conf'), `requirepass ${secrets.requirepass}\n`);
    mkdirSync(join(inst, 'logs'), { recursive: true });
    writeFileSync(join(inst, 'logs', 'stack-wizard.log'), [
      `2026-03-15T03:15:00Z run: mysql -uroot -p${secrets.cli} shop → exit 1`,
      `2026-03-15T03:15:01Z note: curl -H 'Authorization: Bearer ${secrets.bearer}' https://api.example.com`,
      `2026-03-15T03:15:02Z note: DATABASE_URL=mysql://app:${secrets.urlpw}@mysql:3306/redact`,
      '-----BEGIN PRIVATE KEY-----', secrets.pem, '-----END PRIVATE KEY-----',
      `2026-03-15T03:15:03Z note: gpg passphrase was ${secrets.passphrase}`,
      `2026-03-15T03:15:04Z note: s3 upload with ${secrets.awsSecret}`,
      '',
    ].join('\n'));
    const env = readFileSync(join(inst, '.env'), 'utf8');
    const generated = [...env.matchAll(/^[A-Z_]+_PASSWORD=([A-Za-z0-9]{32})$/gm)].map((m) => m[1]!);
    expect(generated.length).toBeGreaterThanOrEqual(3);

    const out = join(base, 'bundle.tar.gz');
    const r = spawnSync(process.execPath, [CLI, 'doctor', '--bundle', '--answers', answers, '--out', out], { encoding: 'utf8', env: { ...process.env, LANG: 'C' }, timeout: 110_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const x = join(base, 'x');
    mkdirSync(x);
    execFileSync('tar', ['-xzf', out, '-C', x]);
    const all = files(x).map((f) => ({ f, text: readFileSync(f, 'utf8') }));
    expect(all.length).toBeGreaterThan(10);
    const leaks = [...Object.values(secrets), ...generated, encodeURIComponent(secrets.urlpw), 'several words', 'Spaces 2026'];
    for (const { f, text } of all) for (const s of leaks) expect(text.includes(s), `${s} in ${f}`).toBe(false);
    // What support needs: the files are there and readable.
    const text = (p: string) => readFileSync(join(x, 'stack-wizard-support', p), 'utf8');
    expect(text('config/live/.env')).toMatch(/^COMPOSE_PROJECT_NAME=redact$/m);
    expect(text('config/live/.env')).toMatch(/^EXTRA_APP_SECRET=••••••$/m);
    expect(text('config/live/redis/redis.conf')).toMatch(/^requirepass ••••••$/m);
    expect(text('config/live/docker-compose.yml')).toContain('ghcr.io/example/api:1.0.0');
    expect(text('logs/stack-wizard.log')).toContain('mysql -uroot -p•••••• shop → exit 1');
    expect(text('logs/stack-wizard.log')).toContain('DATABASE_URL=mysql://app:••••••@mysql:3306/redact');
    expect(text('logs/stack-wizard.log')).toContain('-----BEGIN PRIVATE KEY-----\n••••••\n-----END PRIVATE KEY-----');
  });
});
