// A real MTA for the email channel: Debian's exim4 (exim4-daemon-light) on loopback, with a
// configuration of our own in a private mount namespace (bound over /etc/exim4, so the machine's own
// exim configuration, if any, is untouched): submission with STARTTLS on one port, TLS from the first
// byte on another, AUTH PLAIN and LOGIN offered only over TLS for one user, delivery into an mbox
// file per local part that the test reads. Certificates from a private CA made here (openssl).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, output, waitFor } from '../../support/proc.js';
import { killAndWait } from '../support/sandbox.js';
import net from 'node:net';

export interface Exim {
  dir: string;
  /** STARTTLS (submission). */
  port: number;
  /** TLS on connect (smtps). */
  tlsPort: number;
  /** The private CA that signed the server's certificate (PEM file). */
  caFile: string;
  user: string;
  password: string;
  /** The mbox of a local part of lab.test ('' when nothing was delivered). */
  mailbox(localPart: string): string;
  /** Exim's main log. */
  log(): string;
  stop(): Promise<void>;
}

const exim4User = () => ({
  uid: Number(output(['id', '-u', 'Debian-exim'])),
  gid: Number(output(['id', '-g', 'Debian-exim'])),
});

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

export async function startExim(o: { password: string }): Promise<Exim> {
  if (!existsSync('/usr/sbin/exim4'))
    throw new Error('exim4 is missing: apt-get install exim4-daemon-light (test/provision/packages.sh)');
  const dir = mkdtempSync(join(tmpdir(), 'sw-exim-'));
  chmodSync(dir, 0o755);
  const conf = join(dir, 'etc');
  for (const d of ['etc', 'spool', 'log', 'mail']) mkdirSync(join(dir, d));
  const { uid, gid } = exim4User();
  for (const d of ['spool', 'log', 'mail']) chownSync(join(dir, d), uid, gid);
  // A private CA and the server's certificate for 127.0.0.1 and localhost.
  output([
    'openssl',
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=stack-wizard test mail CA',
    '-keyout',
    join(conf, 'ca.key'),
    '-out',
    join(conf, 'ca.crt'),
  ]);
  output([
    'openssl',
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-subj',
    '/CN=mail.lab.test',
    '-keyout',
    join(conf, 'server.key'),
    '-out',
    join(conf, 'server.csr'),
  ]);
  writeFileSync(
    join(conf, 'san.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:mail.lab.test\nextendedKeyUsage=serverAuth\n',
  );
  output([
    'openssl',
    'x509',
    '-req',
    '-in',
    join(conf, 'server.csr'),
    '-CA',
    join(conf, 'ca.crt'),
    '-CAkey',
    join(conf, 'ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    join(conf, 'san.ext'),
    '-out',
    join(conf, 'server.crt'),
  ]);
  chownSync(join(conf, 'server.key'), uid, gid);
  const [port, tlsPort] = [await freePort(), await freePort()];
  const user = 'ops@lab.test';
  writeFileSync(
    join(conf, 'exim4.conf'),
    [
      'primary_hostname = mail.lab.test',
      'domainlist local_domains = lab.test',
      `local_interfaces = <; 127.0.0.1.${port} ; 127.0.0.1.${tlsPort}`,
      `tls_on_connect_ports = ${tlsPort}`,
      'tls_advertise_hosts = *',
      'tls_certificate = /etc/exim4/server.crt',
      'tls_privatekey = /etc/exim4/server.key',
      `spool_directory = ${dir}/spool`,
      `log_file_path = ${dir}/log/%slog`,
      'exim_user = Debian-exim',
      'exim_group = Debian-exim',
      'never_users = root',
      // AUTH only over TLS, as a real submission server.
      'auth_advertise_hosts = ${if def:tls_in_cipher {*}{}}',
      'acl_smtp_rcpt = acl_check_rcpt',
      'acl_smtp_data = acl_check_data',
      '',
      'begin acl',
      'acl_check_rcpt:',
      '  accept authenticated = *',
      '         domains = +local_domains',
      '  deny   message = authentication required',
      'acl_check_data:',
      '  accept',
      '',
      'begin routers',
      'local:',
      '  driver = accept',
      '  domains = +local_domains',
      // A fixed list of mailboxes: $local_part_data is then untainted for the file name (Exim 4.94+).
      '  local_parts = oncall : second : ops',
      '  transport = mbox',
      '',
      'begin transports',
      'mbox:',
      '  driver = appendfile',
      `  file = ${dir}/mail/$local_part_data`,
      '  delivery_date_add',
      '  envelope_to_add',
      '  return_path_add',
      '  user = Debian-exim',
      '  mode = 0600',
      '',
      'begin authenticators',
      'plain:',
      '  driver = plaintext',
      '  public_name = PLAIN',
      '  server_prompts = :',
      `  server_condition = \${if and {{eq{$auth2}{${user}}}{eq{$auth3}{${o.password}}}}}`,
      '  server_set_id = $auth2',
      'login:',
      '  driver = plaintext',
      '  public_name = LOGIN',
      '  server_prompts = Username:: : Password::',
      `  server_condition = \${if and {{eq{$auth1}{${user}}}{eq{$auth2}{${o.password}}}}}`,
      '  server_set_id = $auth1',
      '',
    ].join('\n'),
  );
  chmodSync(join(conf, 'exim4.conf'), 0o644);
  // Exim reads /etc/exim4/exim4.conf first (Debian's build): ours, bound in a mount namespace of its own.
  const child: ChildProcess = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', '--', 'sh', '-c', `mount --bind '${conf}' /etc/exim4 && exec exim4 -bdf`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  child.stdout!.on('data', (b: Buffer) => (err += b.toString()));
  const readLog = () => {
    try {
      return readFileSync(join(dir, 'log', 'mainlog'), 'utf8') + readFileSync(join(dir, 'log', 'paniclog'), 'utf8');
    } catch {
      try {
        return readFileSync(join(dir, 'log', 'mainlog'), 'utf8');
      } catch {
        return '';
      }
    }
  };
  await waitFor(
    `exim4 on 127.0.0.1:${port} (${err}${readLog()})`,
    async () => child.exitCode === null && (await canConnect(port)) && (await canConnect(tlsPort)),
    { timeoutMs: 20_000 },
  );
  return {
    dir,
    port,
    tlsPort,
    caFile: join(conf, 'ca.crt'),
    user,
    password: o.password,
    mailbox: (lp) => {
      try {
        return readFileSync(join(dir, 'mail', lp), 'utf8');
      } catch {
        return '';
      }
    },
    log: readLog,
    async stop() {
      await killAndWait(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
