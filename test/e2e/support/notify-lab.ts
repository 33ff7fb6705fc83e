// The receivers of #19's e2e, inside the lab server on its loopback: the chat robots
// (test/real/helpers/robot-receivers.py, checking each request as the vendors document it) and the
// S3 server (test/real/helpers/s3-server.mjs, bundled into one file for the server's Node), each a
// transient systemd service; the S3 names resolve to loopback through the server's /etc/hosts.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Server } from '../../lab/lab.js';
import { waitFor } from '../../lab/lab.js';
import { SECRETS, type Received } from '../../real/helpers/receivers.js';

export { SECRETS };
export const S3_KEY = 'LABKEY';
export const S3_SECRET = 'lab-s3-secret-4f1c9e';
export const BUCKET = 'shop-backups';
export const S3_HOSTS = ['s3.lab.test', `${BUCKET}.s3.lab.test`];

const helpers = join(import.meta.dirname, '..', '..', 'real', 'helpers');

export interface LabReceivers {
  robotsPort: number;
  s3Port: number;
  messages(): Promise<Received[]>;
  /** The S3 server's requests: "METHOD HOST PATH". */
  s3Requests(): Promise<string[]>;
}

export async function startLabReceivers(server: Server): Promise<LabReceivers> {
  const dir = '/root/robots';
  await server.writeFile(`${dir}/robot-receivers.py`, readFileSync(join(helpers, 'robot-receivers.py')));
  const files: Record<string, string> = {
    'wecom.key': SECRETS.wecomKey,
    'dingtalk.token': SECRETS.dingtalkToken,
    'dingtalk.secret': SECRETS.dingtalkSecret,
    'feishu.hook': SECRETS.feishuHook,
    'feishu.secret': SECRETS.feishuSecret,
    'webhook.secret': SECRETS.webhookSecret,
  };
  for (const [name, value] of Object.entries(files)) await server.writeFile(`${dir}/${name}`, `${value}\n`, '0600');
  await server.sh(`systemd-run --unit sw-robots --collect python3 ${dir}/robot-receivers.py ${dir}`);
  const robotsPort = Number(
    await waitFor(
      'the robots to listen',
      async () => (await server.exec(['cat', `${dir}/port`], { allowFail: true })).stdout.trim() || undefined,
      { timeoutMs: 30_000 },
    ),
  );

  // The S3 server: s3rver and AWS's signer bundled into one ES module for the server's Node.
  const out = join(mkdtempSync(join(tmpdir(), 'sw-s3-bundle-')), 's3-server.mjs');
  await build({
    entryPoints: [join(helpers, 's3-server.mjs')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: out,
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __swRequire } from 'node:module'; const require = __swRequire(import.meta.url);",
    },
  });
  await server.sh('mkdir -p /root/s3/store');
  await server.copyIn(out, '/root/s3/s3-server.mjs');
  await server.sh(
    `systemd-run --unit sw-s3 --collect node /root/s3/s3-server.mjs /root/s3/store ${S3_KEY} ${S3_SECRET} ${BUCKET} lab.test`,
  );
  const s3Port = await waitFor(
    'the S3 server to listen',
    async () => {
      const line = (
        await server.exec(['journalctl', '-u', 'sw-s3', '-o', 'cat', '--no-pager'], { allowFail: true })
      ).stdout
        .split('\n')
        .find((l) => l.startsWith('{"port"'));
      return line ? (JSON.parse(line) as { port: number }).port : undefined;
    },
    { timeoutMs: 60_000 },
  );
  await server.sh(`echo '127.0.0.1 ${S3_HOSTS.join(' ')}' >> /etc/hosts && getent hosts ${S3_HOSTS[1]}`);
  await server.writeFile('/root/s3.env', `AWS_ACCESS_KEY_ID=${S3_KEY}\nAWS_SECRET_ACCESS_KEY=${S3_SECRET}\n`, '0600');
  return {
    robotsPort,
    s3Port,
    messages: async () => JSON.parse(await server.sh(`curl -sS http://127.0.0.1:${robotsPort}/messages`)) as Received[],
    s3Requests: async () =>
      (await server.exec(['cat', '/root/s3/requests.log'], { allowFail: true })).stdout.split('\n').filter(Boolean),
  };
}

/** The answers' notify and backup.s3 blocks for these receivers (appended to the lab's backup answers). */
export function notifyAnswerLines(r: LabReceivers, o: { keep?: number; grace?: string } = {}): string[] {
  const base = `http://127.0.0.1:${r.robotsPort}`;
  return [
    ...(o.grace ? [`  grace: "${o.grace}"`] : []),
    '  s3:',
    `    endpoint: http://s3.lab.test:${r.s3Port}`,
    `    bucket: ${BUCKET}`,
    '    region: cn-north-1',
    '    prefix: offsite/',
    '    credentialsFile: /root/s3.env',
    '    addressing: virtual',
    `    keep: ${o.keep ?? 2}`,
    'notify:',
    '  lang: en',
    '  hostname: lab-server',
    '  channels:',
    `    - { kind: wecom, url: "${base}/wecom/cgi-bin/webhook/send?key=${SECRETS.wecomKey}" }`,
    `    - { kind: dingtalk, url: "${base}/dingtalk/robot/send?access_token=${SECRETS.dingtalkToken}", secretFile: /root/robots/dingtalk.secret }`,
    `    - { kind: webhook, url: "${base}/webhook/stack-wizard", secretFile: /root/robots/webhook.secret }`,
  ];
}
