// Redaction for support bundles: everything leaving the server loses its secrets. Known values
// (.env) go first; then anything shaped like a secret: passwords in URLs, PEM private keys,
// password/token/key assignments, Authorization headers, long random tokens. Pure.

export const MASK = '••••••';

// A name that ends in a secret word, or has one before an _SUFFIX (SECRET_KEY_BASE): not authError, authorized.
const SECRET_NAME = '[A-Za-z0-9_.-]*?(?:PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|AUTH|CREDENTIALS?|DSN)(?:_[A-Za-z0-9]+)*(?![A-Za-z0-9])';

/** A value that is a reference, not a secret: compose interpolation (${VAR}), empty, or already masked. */
const isReference = (v: string) => v === '' || v.includes(MASK) || /^\$\{?[A-Za-z_][A-Za-z0-9_]*(?::?-[^}]*)?\}?$/.test(v) || /^["']?\$\{/.test(v);

export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  // 1. Every known secret value, longest first (a secret containing another is masked whole).
  for (const s of [...new Set(secrets)].filter((x) => x.length >= 6).sort((a, b) => b.length - a.length)) out = out.split(s).join(MASK);
  // 2. PEM private keys, whole blocks.
  out = out.replace(/-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g, (_m, kind: string) => `-----BEGIN ${kind}PRIVATE KEY-----\n${MASK}\n-----END ${kind}PRIVATE KEY-----`);
  // 3. Credentials in URLs: scheme://user:password@host and scheme://:password@host.
  out = out.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*):([^\s@/'"]+)@/gi, (m, head: string, pw: string) => (isReference(pw) ? m : `${head}:${MASK}@`));
  // 4. Authorization headers.
  out = out.replace(/(Authorization:\s*(?:Bearer|Basic|Token)\s+)\S+/gi, `$1${MASK}`);
  // 5. NAME=value / NAME: value / "name": "value" where the name says secret.
  out = out.replace(new RegExp(`(${SECRET_NAME})(["']?\\s*[:=]\\s*["']?)([^\\s"',;}]+)`, 'gi'), (m, name: string, sep: string, value: string) =>
    isReference(value) || /^(true|false|null|yes|no|on|off|\d{1,5})$/i.test(value) ? m : `${name}${sep}${MASK}`,
  );
  // 6. Command-line flags that take a secret (redis-server --requirepass X, mysql --password=X).
  out = out.replace(/(--?(?:requirepass|masterauth|password|pass)(?:=|\s+))(\S+)/gi, (m, flag: string, value: string) => (isReference(value) ? m : `${flag}${MASK}`));
  // 7. Anything that looks like a generated key: 24+ characters mixing upper, lower case and digits.
  out = out.replace(/(?<![A-Za-z0-9+/_-])(?=[A-Za-z0-9+/_-]{24,})(?=[A-Za-z0-9+/_-]*[A-Z])(?=[A-Za-z0-9+/_-]*[a-z])(?=[A-Za-z0-9+/_-]*\d)[A-Za-z0-9+/_-]{24,}={0,2}/g, MASK);
  return out;
}

/** .env names whose values are not secret (the project name). */
export const NOT_SECRET = new Set(['COMPOSE_PROJECT_NAME']);

/** A .env file with every value masked (names kept, so support sees which are set). */
export function redactDotenv(text: string): string {
  return text.replace(/^(\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*)(.*)$/gm, (_m, head: string, name: string, v: string) =>
    `${head}${v.trim() === '' || NOT_SECRET.has(name) ? v : MASK}`,
  );
}
