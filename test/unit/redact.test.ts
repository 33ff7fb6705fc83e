// #15.5: the support bundle's redaction against a corpus of secret shapes (each must lose its
// secret) and of ordinary text (each must come out unchanged: a bundle that hides everything helps
// no one). The bundle itself, made by the real command from files holding these shapes, is checked
// at the end.
import { describe, expect, it } from 'vitest';
import { MASK, redactDotenv, redactText, secretForms } from '../../src/domain/doctor/redact.js';

// Known values, as the bundle collects them from .env, the passphrase file and the credentials file.
const KNOWN = {
  db: 'Zx9qWe12rTy34uIoP0aS',
  spaced: 'correct horse battery staple',
  quote: "it's a \"quoted\" $ecret\\",
  slashy: 'p@ss/w:rd@2024',
  passphrase: 'long backup passphrase 42',
  aws: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  short: 'hunter2',
};
const known = Object.values(KNOWN);

// [what, text, the secret parts that must be gone]
const SHAPES: [string, string, string[]][] = [
  // Known values in every form.
  ['known raw', `connecting with ${KNOWN.db}`, [KNOWN.db]],
  ['known URL-encoded', `mysql://app:${encodeURIComponent(KNOWN.slashy)}@mysql/shop`, [encodeURIComponent(KNOWN.slashy), 'p%40ss']],
  ['known form-encoded', `password=${encodeURIComponent(KNOWN.spaced).replace(/%20/g, '+')}&user=x`, ['correct+horse']],
  ['known JSON-escaped', `{"pw":${JSON.stringify(KNOWN.quote)}}`, [JSON.stringify(KNOWN.quote).slice(1, -1), '\\"quoted\\"']],
  ['known JSON in JSON', JSON.stringify(JSON.stringify({ v: KNOWN.quote })), ['quoted']],
  ['known single-quoted (shell)', `sh -c 'x' '${KNOWN.quote.replace(/'/g, `'\\''`)}'`, ['quoted', 'ecret']],
  ['known double-quoted (.env)', `OTHER="${KNOWN.quote.replace(/[\\"$]/g, (c) => `\\${c}`)}"`, ['quoted', 'ecret']],
  ['known with spaces in a log', `auth failed for '${KNOWN.spaced}'`, ['horse battery']],
  ['known passphrase', `gpg: using passphrase ${KNOWN.passphrase}`, ['backup passphrase 42']],
  ['known AWS secret', `aws_secret_access_key = ${KNOWN.aws}`, [KNOWN.aws, 'bPxRfiCY']],
  ['known compose $$', `- PW=${KNOWN.quote.replace(/\$/g, '$$$$')}`, ['quoted']],
  // By name: .env / YAML / JSON / env output / compose lists, any case, with suffixes.
  ['NAME=value', 'MYSQL_PASSWORD=s3cr3tvalue', ['s3cr3tvalue']],
  ['*_PASS', 'SMTP_PASS=mailpass77', ['mailpass77']],
  ['*_PASSWD', 'LDAP_PASSWD: ldap-pw-1', ['ldap-pw-1']],
  ['*_PWD', 'export DB_PWD=dbpwd!!', ['dbpwd!!']],
  ['PASSPHRASE', 'STACK_WIZARD_BACKUP_PASSPHRASE=my long phrase here', ['long phrase here', 'my long']],
  ['*KEY', 'STRIPE_API_KEY=sk_live_51abc', ['sk_live_51abc']],
  ['*_KEY after a separator', 'S3-KEY: abcdefgh12', ['abcdefgh12']],
  ['secretKey (camelCase)', 'minio secretKey=miniosecret9', ['miniosecret9']],
  ['*TOKEN', 'GITHUB_TOKEN=ghp_shorttok', ['ghp_shorttok']],
  ['*_SECRET_KEY_BASE', 'SECRET_KEY_BASE=base-value-xyz', ['base-value-xyz']],
  ['*AUTH', 'REDIS_AUTH=redisauthpw', ['redisauthpw']],
  ['*DSN', 'SENTRY_DSN: https://k3y@o1.ingest.sentry.io/2', ['k3y@o1'.slice(0, 3) + '@o1']],
  ['SALT', 'WP_AUTH_SALT="salty value"', ['salty value']],
  ['multi-word double-quoted', 'GRAFANA_ADMIN_PASSWORD="two words here"', ['two words', 'here"']],
  ['multi-word single-quoted', "RABBITMQ_PASSWORD='three word pass'", ['three word', 'word pass']],
  ['multi-word unquoted YAML', '  password: a long sentence as password', ['long sentence']],
  ['compose environment list item', '      - DB_PASSWORD=listed-secret', ['listed-secret']],
  ['JSON value', '{"db_password": "jsonsecret1"}', ['jsonsecret1']],
  ['JSON value with escaped quotes', '{"api_token": "a\\"b\\"c-secret"}', ['c-secret', 'a\\"b']],
  ['JSON numeric secret', '{"pin_secret": 98765432}', ['98765432']],
  ['inline in a log line', 'connect(host=db, password=inlinepw, port=3306)', ['inlinepw']],
  ['inline in a URL query', 'GET /callback?code=1&access_token=querytok99&state=x', ['querytok99']],
  ['inline quoted with spaces', "run --env DB_PASSWORD='spaced inline pw' app", ['spaced inline', 'inline pw']],
  // Command lines.
  ['mysql -p', 'mysql -uroot -pRootPw123 shop', ['RootPw123']],
  ['mysqldump -p quoted', "mysqldump -u root -p'quoted pw' --all-databases", ['quoted pw']],
  ['mariadb-admin -p', 'mariadb-admin -u root -pMariaPw ping', ['MariaPw']],
  ['redis-cli -a', 'redis-cli -a redispw42 --no-auth-warning ping', ['redispw42']],
  ['redis-cli -a attached', 'redis-cli -h redis -aredispw43 INFO', ['redispw43']],
  ['curl -u user:pw', 'curl -fsS -u admin:curlpw99 http://localhost:15672/api/overview', ['curlpw99']],
  ['curl --user quoted', "curl --user 'ops:quoted-curl-pw' https://api.example.com", ['quoted-curl-pw']],
  ['sshpass -p', 'sshpass -p sshpw77 ssh root@host', ['sshpw77']],
  ['--password=', 'app --password=flagpw1 --verbose', ['flagpw1']],
  ['--password value', 'mongo --password flagpw2', ['flagpw2']],
  ['--requirepass', 'redis-server --requirepass reqpw33 --appendonly yes', ['reqpw33']],
  ['--token', 'tool --token=tok-value-1', ['tok-value-1']],
  ['--passphrase quoted', 'gpg --batch --passphrase "gpg phrase words" -c f', ['gpg phrase', 'phrase words']],
  // Headers.
  ['Authorization Bearer', 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig', ['eyJhbGciOiJIUzI1NiJ9']],
  ['Authorization Basic', 'authorization: Basic YWRtaW46cGFzc3dvcmQ=', ['YWRtaW46cGFzc3dvcmQ=']],
  ['Authorization raw token', 'Authorization: rawtoken123', ['rawtoken123']],
  ['Authorization in a curl header', "curl -H 'Authorization: token ghp_headertoken' https://api", ['ghp_headertoken']],
  ['Proxy-Authorization', 'Proxy-Authorization: Basic cHJveHk6cHc=', ['cHJveHk6cHc=']],
  ['X-Api-Key', 'X-Api-Key: apikeyvalue1', ['apikeyvalue1']],
  ['Cookie', 'Cookie: session=abc123session; theme=dark', ['abc123session']],
  // PEM and PGP keys.
  ['PEM private key', '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----', ['MIGHAgEAMBMG']],
  ['RSA private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7rsa\nabc\n-----END RSA PRIVATE KEY-----', ['MIIEpAIBAAKCAQEA7rsa']],
  ['EC private key', 'x\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIECkey\n-----END EC PRIVATE KEY-----\ny', ['MHcCAQEEIECkey']],
  ['OpenSSH private key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE\n-----END OPENSSH PRIVATE KEY-----', ['b3BlbnNzaC1rZXktdjE']],
  ['encrypted private key', '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHzBJBgkqhkiG9w0\n-----END ENCRYPTED PRIVATE KEY-----', ['MIIFHzBJBgkqhkiG9w0']],
  ['PGP private key block', '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGPGPsecret\n-----END PGP PRIVATE KEY BLOCK-----', ['lQOYBGPGPsecret']],
  ['PEM key cut off by a log tail', 'log start\n-----BEGIN PRIVATE KEY-----\nMIIcutoffkeydata\nmore', ['MIIcutoffkeydata', 'more']],
  // Passwords in URLs.
  ['URL user:pw', 'amqp://app:amqppw55@rabbitmq:5672/', ['amqppw55']],
  ['URL empty user', 'redis://:redisurlpw@redis:6379/0', ['redisurlpw']],
  ['URL pw with raw /', 'mysql://app:pa/ss/word@mysql:3306/shop', ['pa/ss', 'ss/word']],
  ['URL pw with raw @', 'postgres://app:p@ss@word@db:5432/x', ['p@ss', 'ss@word']],
  ['URL pw with : ', 'https://u:a:b:c-pw@host.example/path', ['a:b:c-pw']],
  ['URL token as user', 'https://ghp_aaaaBBBBccccDDDD1234@github.com/org/repo.git', ['ghp_aaaaBBBBccccDDDD1234']],
  // Config and SQL by keyword.
  ['hand-added requirepass', 'maxmemory 256mb\nrequirepass handadded-pw\n', ['handadded-pw']],
  ['requirepass quoted words', 'requirepass "spaced redis pw"', ['spaced redis', 'redis pw']],
  ['masterauth', 'masterauth masterpw1', ['masterpw1']],
  ['CONFIG SET requirepass', 'CONFIG SET requirepass cfgsetpw', ['cfgsetpw']],
  ['Redis ACL password', 'user app on >aclpw123 ~* +@all', ['aclpw123']],
  ['IDENTIFIED BY', "CREATE USER 'app'@'%' IDENTIFIED BY 'sqlpw-1';", ['sqlpw-1']],
  ['IDENTIFIED WITH … BY', "ALTER USER root IDENTIFIED WITH caching_sha2_password BY 'sqlpw 2'", ['sqlpw 2']],
  // Shapes whatever their name.
  ['a generated key in free text', 'using key W3rTyUiOpAsDfGhJkLzXcVbNm12 for signing', ['W3rTyUiOpAsDfGhJkLzXcVbNm12']],
  ['an AWS access key ID', 'found AKIAIOSFODNN7EXAMPLE in env', ['AKIAIOSFODNN7EXAMPLE']],
];

// Ordinary text that must come out exactly as it went in.
const KEEP = [
  'DB_PASSWORD: ${MYSQL_PASSWORD}',
  'REDIS_URL: redis://:${REDIS_PASSWORD_URLENCODED}@redis:6379/0',
  '--requirepass ${REDIS_PASSWORD}',
  'MYSQL_PWD="${MARIADB_ROOT_PASSWORD:-${MYSQL_ROOT_PASSWORD:-}}"',
  'COMPOSE_PROJECT_NAME=shop',
  'MYSQL_DATABASE=shop',
  'MYSQL_USER=app',
  'image: mysql:8.4.5',
  'image: ghcr.io/example/api@sha256:4ffa578a886a64cc2edaf95b71a3e4989f4e0dcfc3ef5556552871f4afe28601',
  'sha256:4ffa578a886a64cc2edaf95b71a3e4989f4e0dcfc3ef5556552871f4afe286',
  '"authError": "DEPTH_ZERO_SELF_SIGNED_CERT"',
  'max_connections 151, PasswordAuthentication no',
  'token: 12345',
  'docker run -p 8080:80 -p8443:443 nginx',
  'ports: ["127.0.0.1:3306:3306"]',
  'https://registry.example.com/@types/node',
  'https://registry.example.com:443/@scope/pkg/-/pkg-1.0.0.tgz',
  'http://[2001:db8::1]:8080/debian bookworm main',
  'ssh://git@github.com/org/repo.git',
  'listen 443 ssl; http2 on;',
  'ssl_certificate_key /opt/stack-wizard/shop/nginx/certs/privkey.pem;',
  'passwordFile: /root/.backup-pass',
  'MYSQL_PASSWORD_FILE=/run/secrets/db',
  'PRIMARY KEY (`id`), KEY `idx_user` (`user_id`)',
  'primary_key: id',
  'routing_key: orders.created',
  'db0:keys=51,expires=0,avg_ttl=0',
  'keyspace_hits:1024',
  'Content-Type: text/html; charset=utf-8',
  '2026-03-15T03:15:00.123Z note: backup: project shop, install dir /opt/stack-wizard/shop',
  '[ERROR] Access denied for user \'app\'@\'172.18.0.5\' (using password: YES)',
  'nginx: [emerg] host not found in upstream "app:8000"',
  'auth: true',
  'requirepass ${REDIS_PASSWORD}',
  'redis-cli -a ${REDIS_PASSWORD} ping',
  'mysqladmin ping -h 127.0.0.1 -u root --silent',
  'gpg --batch --passphrase-fd 3 --symmetric',
  'Status: Downloaded newer image for nginx:1.27',
  'free -m: Mem: 7680 total, 2048 used',
  '你好，备份完成：/opt/stack-wizard/shop/backups/20260315-031500',
];

describe('redaction corpus (#15.5)', () => {
  it(`has at least 50 secret shapes (${SHAPES.length})`, () => {
    expect(SHAPES.length).toBeGreaterThanOrEqual(50);
  });

  for (const [what, text, parts] of SHAPES) {
    it(`loses the secret: ${what}`, () => {
      const out = redactText(text, known);
      for (const p of parts) expect(out, `${what}: ${out}`).not.toContain(p);
      expect(out).toContain(MASK);
    });
  }

  it('keeps what support needs, unchanged', () => {
    for (const line of KEEP) expect(redactText(line, known), line).toBe(line);
  });

  it('keeps the readable parts around a secret: names, users, hosts, schemes', () => {
    expect(redactText('mysql://app:pa/ss/word@mysql:3306/shop', [])).toBe(`mysql://app:${MASK}@mysql:3306/shop`);
    expect(redactText('Authorization: Bearer abc.def.ghi', [])).toBe(`Authorization: Bearer ${MASK}`);
    expect(redactText('curl -u admin:curlpw99 http://x', [])).toBe(`curl -u admin:${MASK} http://x`);
    expect(redactText('GRAFANA_ADMIN_PASSWORD="two words here"', [])).toBe(`GRAFANA_ADMIN_PASSWORD="${MASK}"`);
    expect(redactText('mysql -uroot -pRootPw123 shop', [])).toBe(`mysql -uroot -p${MASK} shop`);
    expect(redactText('requirepass "spaced redis pw"', [])).toBe(`requirepass "${MASK}"`);
  });

  it('every form of a known value', () => {
    const forms = secretForms(KNOWN.quote);
    expect(forms).toContain(KNOWN.quote);
    expect(forms).toContain(encodeURIComponent(KNOWN.quote));
    expect(forms).toContain(JSON.stringify(KNOWN.quote).slice(1, -1));
    expect(forms).toContain(KNOWN.quote.replace(/'/g, `'\\''`));
    // A known value too short to mask by value is still caught by its name.
    expect(redactText('x=1 hunter2 y=2', [KNOWN.short])).toBe(`x=1 ${MASK} y=2`);
    expect(redactText('the word abc stays', ['abc'])).toBe('the word abc stays');
  });

  it('.env: names stay, every value goes, a quoted value over several lines too', () => {
    const env = ['# secrets', 'COMPOSE_PROJECT_NAME=shop', 'MYSQL_PASSWORD=abc', 'EMPTY=', 'MULTI="first line', 'second line', 'third"', "SINGLE='one'", 'AFTER=x', ''].join('\n');
    expect(redactDotenv(env)).toBe(['# secrets', 'COMPOSE_PROJECT_NAME=shop', `MYSQL_PASSWORD=${MASK}`, 'EMPTY=', `MULTI=${MASK}`, `SINGLE=${MASK}`, `AFTER=${MASK}`, ''].join('\n'));
  });
});
