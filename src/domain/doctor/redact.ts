// Redaction for support bundles: everything leaving the server loses its secrets (#15.5), in three
// layers, each catching what the others cannot:
// 1. every known secret value (.env, the backup passphrase, the S3 credentials), in each form it
//    takes in files and logs: raw, URL-encoded, JSON-escaped, shell- and .env-quoted;
// 2. values by the name they are given (PASSWORD=, "api_key":, requirepass, -p on a mysql line,
//    Authorization:, -u user:pw), whole, quoted values with every word;
// 3. shapes that are secret whatever their name: PEM private keys, passwords in URLs (raw `/` and
//    `@` included), long random tokens, AWS access keys.
// What support needs stays readable: references (${VAR}), paths, ports, image names, hashes,
// ordinary words (test/unit/redact.test.ts holds both corpora). Pure.

export const MASK = '••••••';

/** Shorter known values are not masked by value (they would hit ordinary words); names and shapes still catch them. */
const MIN_KNOWN = 6;

/**
 * The secret words a name ends in, or carries before an _SUFFIX (SECRET_KEY_BASE, DB_PASS_FILE is
 * not: see below): PASSWORD, PASSWD, PASS, PWD, PASSPHRASE, SECRET, TOKEN, AUTH, CREDENTIAL(S),
 * DSN, SALT, and KEY after a separator (API_KEY, S3-KEY, secretKey, accessKey). Not authError,
 * PasswordAuthentication, keyspace, primary key, passwordFile (a path).
 */
const SECRET_WORD = '(?:PASSWORD|PASSWD|PASSPHRASE|PASS|PWD|SECRET|TOKEN|AUTH|CREDENTIALS?|DSN|SALT|PRIVATE_?KEY|(?:API|ACCESS|SECRET|MASTER|ENCRYPTION|SIGNING|LICENSE|APP)_?KEY|(?<!PRIMARY|FOREIGN|UNIQUE|CACHE|SORT|PARTITION|ROUTING|IDEMPOTENCY|PUBLIC)[_.-]KEY)';
/** A name (letters, digits, _ . -) ending in a secret word, optionally followed by _SUFFIX parts that are not _FILE/_PATH/_ID-like. */
const SECRET_NAME = `[A-Za-z0-9_.-]*?${SECRET_WORD}(?:_(?!FILE\\b|PATH\\b|DIR\\b|FD\\b|LENGTH\\b|MIN\\b|MAX\\b)[A-Za-z0-9]+)*(?![A-Za-z0-9])`;

/** A value that is a reference, not a secret: compose interpolation (${VAR}), empty, already masked, a placeholder. */
const isReference = (v: string) =>
  v === '' || v.includes(MASK) || /^\$\{?[A-Za-z_][A-Za-z0-9_]*(?::?[-?+][^}]*)?\}?$/.test(v) || /^["']?\$\{/.test(v) || /^(?:\*+|x{3,}|<[^>]*>|\[redacted\]|redacted|none|null|true|false|yes|no|on|off)$/i.test(v);

/** Not worth masking by name: a short number (a port, a count, `token: 12345`). */
const trivial = (v: string) => isReference(v) || /^\d{1,5}$/.test(v);

/** Every form a known secret takes in text: raw, URL-encoded (also with + for spaces), JSON-escaped, in shell and .env quotes. */
export function secretForms(value: string): string[] {
  const forms = new Set<string>([
    value,
    encodeURIComponent(value),
    encodeURIComponent(value).replace(/%20/g, '+'),
    encodeURI(value),
    JSON.stringify(value).slice(1, -1),
    // JSON inside JSON (a log line that quotes a JSON document).
    JSON.stringify(JSON.stringify(value).slice(1, -1)).slice(1, -1),
    // Inside single quotes, as shells and our commandLine() write it.
    value.replace(/'/g, `'\\''`),
    value.replace(/'/g, `'"'"'`),
    // Inside double quotes: shells and .env (dotenvValue) escape \ " $ (and `).
    value.replace(/[\\"$`]/g, (c) => `\\${c}`),
    value.replace(/[\\"$]/g, (c) => `\\${c}`),
    // Compose escapes $ as $$.
    value.replace(/\$/g, '$$$$'),
  ]);
  return [...forms].filter((f) => f.length >= MIN_KNOWN);
}

/** Masks a value that may be quoted: the quotes stay, what is between them goes. */
function maskValue(v: string): string {
  const q = v[0];
  if ((q === '"' || q === "'") && v.length >= 2 && v.endsWith(q)) return `${q}${MASK}${q}`;
  return MASK;
}

/** The text between a quote and its closing quote (backslash escapes inside double quotes), or an unquoted run. */
const QUOTED_OR_BARE = `"(?:[^"\\\\\\n]|\\\\.)*"|'[^'\\n]*'`;

export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;

  // 1. Every known secret value in every form, longest first (a secret containing another is masked whole).
  const known = [...new Set(secrets.filter((s) => s.length >= MIN_KNOWN).flatMap(secretForms))].sort((a, b) => b.length - a.length);
  for (const s of known) out = out.split(s).join(MASK);

  // 2. PEM and PGP private keys, whole blocks; one cut off by a log tail, to the end.
  out = out.replace(/-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END \1PRIVATE KEY(?: BLOCK)?-----|$(?![\s\S]))/g, (m, kind: string) => {
    const block = m.includes('BLOCK-----') ? ' BLOCK' : '';
    return `-----BEGIN ${kind}PRIVATE KEY${block}-----\n${MASK}\n-----END ${kind}PRIVATE KEY${block}-----`;
  });

  // 3. Credential headers: the scheme stays (Bearer, Basic…), the credential goes; cookies whole.
  out = out.replace(/((?:Proxy-)?Authorization\s*:\s*)(?:(Bearer|Basic|Token|Digest|Negotiate|Bot|AWS4-HMAC-SHA256)\s+)?([^\s'"\\][^'"\r\n\\]*)/gi, (m, head: string, scheme: string | undefined, cred: string) =>
    isReference(cred.trim()) ? m : `${head}${scheme ? `${scheme} ` : ''}${MASK}`,
  );
  out = out.replace(/((?:X-Api-Key|X-Auth-Token|X-Amz-Security-Token|X-Vault-Token|Private-Token|Cookie|Set-Cookie)\s*:\s*)([^'"\r\n\\]+)/gi, (m, head: string, v: string) => (isReference(v.trim()) ? m : `${head}${MASK}`));

  // 4. Passwords in URLs: scheme://user:password@host, where the password may itself hold `/`, `:`
  //    or `@` (the userinfo ends at the last @ of the URL); a lone long user part is a token.
  out = out.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s'"<>`]+)/gi, (m, scheme: string, rest: string) => {
    const at = rest.lastIndexOf('@');
    if (at <= 0) return m;
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(':');
    if (colon < 0) {
      // https://TOKEN@host: a token as the user; a path with an @ (npm's /@scope/) is not userinfo.
      return !userinfo.includes('/') && userinfo.length >= 16 && !isReference(userinfo) ? `${scheme}${MASK}${rest.slice(at)}` : m;
    }
    const user = userinfo.slice(0, colon);
    const pass = userinfo.slice(colon + 1);
    // host:port/path@… is a path, not a password; so is a user part with a / in it.
    if (user.includes('/') || /^\d{1,5}(?:\/|$)/.test(pass) || isReference(pass)) return m;
    return `${scheme}${user}:${MASK}${rest.slice(at)}`;
  });

  // 5. Command lines. mysql and its tools: -pSECRET and -p'two words'; redis-cli: -a SECRET;
  //    curl and friends: -u user:SECRET; sshpass -p SECRET; long flags anywhere.
  out = out.replace(/^.*\b(?:mysql|mariadb|mysqldump|mariadb-dump|mysqladmin|mariadb-admin|mysqlcheck|mysqlimport|mysqlpump|mysqlsh)\b.*$/gim, (line) =>
    line.replace(new RegExp(`(\\s-p)(${QUOTED_OR_BARE}|[^\\s'"]+)`, 'g'), (m, flag: string, v: string) => (isReference(v) ? m : `${flag}${maskValue(v)}`)),
  );
  out = out.replace(/^.*\bredis-(?:cli|benchmark)\b.*$/gim, (line) =>
    line.replace(new RegExp(`(\\s-a\\s*)(${QUOTED_OR_BARE}|[^\\s'"]+)`, 'g'), (m, flag: string, v: string) => (isReference(v) ? m : `${flag}${maskValue(v)}`)),
  );
  out = out.replace(new RegExp(`(\\bsshpass\\s+-p\\s*)(${QUOTED_OR_BARE}|\\S+)`, 'g'), (m, flag: string, v: string) => (isReference(v) ? m : `${flag}${maskValue(v)}`));
  out = out.replace(/((?:^|\s)(?:-u|--user|--proxy-user|-U)\s*['"]?)([^\s:'"]+):([^\s'"]+)/g, (m, flag: string, user: string, pw: string) => (isReference(pw) ? m : `${flag}${user}:${MASK}`));
  out = out.replace(
    new RegExp(`(--(?:password|passwd|pass|passphrase|requirepass|masterauth|token|secret|api-key|apikey|access-key|secret-key|auth|auth-token|client-secret|db-password)(?:=|\\s+))(${QUOTED_OR_BARE}|[^\\s'"]+)`, 'gi'),
    (m, flag: string, v: string) => (isReference(v) ? m : `${flag}${maskValue(v)}`),
  );

  // 6. Config and SQL that set a password by keyword: redis.conf's requirepass / masterauth (a line
  //    added by hand, quoted or not), CONFIG SET, ACL rules (>password), IDENTIFIED BY '…'.
  out = out.replace(/^(\s*(?:requirepass|masterauth)\s+)(\S.*)$/gim, (m, head: string, v: string) => (isReference(v.trim()) ? m : `${head}${maskValue(v.trim())}`));
  out = out.replace(/(CONFIG\s+SET\s+(?:requirepass|masterauth)\s+)("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|\S+)/gi, (m, head: string, v: string) => (isReference(v) ? m : `${head}${maskValue(v)}`));
  out = out.replace(/^(\s*user\s+\S+\s.*)$/gim, (line) => line.replace(/(\s[>#])(\S+)/g, (_m, head: string) => `${head}${MASK}`));
  out = out.replace(/(IDENTIFIED\s+(?:WITH\s+\S+\s+)?(?:BY|AS)\s+(?:PASSWORD\s+)?)('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")/gi, (_m, head: string, v: string) => `${head}${maskValue(v)}`);

  // 7. By name. JSON: "name": "value" (escaped quotes inside) or a long number.
  out = out.replace(new RegExp(`("${SECRET_NAME}"\\s*:\\s*)("(?:[^"\\\\\\n]|\\\\.)*"|\\d{6,})`, 'gi'), (m, head: string, v: string) =>
    trivial(v.replace(/^"|"$/g, '')) ? m : `${head}${v.startsWith('"') ? `"${MASK}"` : MASK}`,
  );
  //    A whole line NAME=value / NAME: value (.env, YAML, a compose list item, `env` output): all of
  //    the value, quoted or not, every word of it.
  out = out.replace(new RegExp(`^(\\s*(?:export\\s+)?(?:-\\s+)?["']?${SECRET_NAME}["']?\\s*[:=][ \\t]*)(\\S.*)$`, 'gim'), (m, head: string, v: string) => {
    const value = v.trimEnd();
    const inner = value.replace(/^(["'])(.*)\1$/, '$2');
    return trivial(inner) ? m : `${head}${maskValue(value)}`;
  });
  //    Inside a line (a command line, a URL query, a log message): NAME=value or NAME: value, the value quoted or a run.
  out = out.replace(new RegExp(`(?<![A-Za-z0-9_])(${SECRET_NAME})(["']?\\s*[:=]\\s*)(${QUOTED_OR_BARE}|[^\\s"',;&}\\]]+)`, 'gi'), (m, name: string, sep: string, v: string) =>
    // `(using password: YES)`: a closing parenthesis is the sentence's, not the value's, when what is left is a word like YES.
    trivial(v.replace(/^(["'])(.*)\1$/, '$2').replace(/\)+$/, '')) ? m : `${name}${sep}${maskValue(v)}`,
  );

  // 8. Shapes of generated keys: 24+ characters mixing upper, lower case and digits; AWS access key IDs.
  out = out.replace(/(?<![A-Za-z0-9+/_-])(?=[A-Za-z0-9+/_-]{24,})(?=[A-Za-z0-9+/_-]*[A-Z])(?=[A-Za-z0-9+/_-]*[a-z])(?=[A-Za-z0-9+/_-]*\d)[A-Za-z0-9+/_-]{24,}={0,2}/g, MASK);
  out = out.replace(/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, MASK);
  return out;
}

/** .env names whose values are not secret (the project name). */
export const NOT_SECRET = new Set(['COMPOSE_PROJECT_NAME']);

/** A .env file with every value masked (names kept, so support sees which are set); a quoted value over several lines goes whole. */
export function redactDotenv(text: string): string {
  const out: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*)(.*)$/.exec(lines[i]!);
    if (!m) {
      out.push(lines[i]!);
      continue;
    }
    const [, head, name, v] = m as unknown as [string, string, string, string];
    if (v.trim() === '' || NOT_SECRET.has(name)) {
      out.push(lines[i]!);
      continue;
    }
    out.push(`${head}${MASK}`);
    // A quote left open runs on to the line that closes it (Compose reads it as one value).
    const q = v[0];
    if ((q === '"' || q === "'") && !new RegExp(`^${q}(?:[^${q}\\\\]|\\\\.)*${q}`).test(v)) {
      while (i + 1 < lines.length && !new RegExp(`(?:^|[^\\\\])${q}`).test(lines[i + 1]!)) i++;
      if (i + 1 < lines.length) i++;
    }
  }
  return out.join('\n');
}
