// Starts helpers/robot-receivers.py (WeCom, DingTalk, Feishu and webhook receivers checking each
// request as the vendors document it) as its own process and reads back what it accepted.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAndWait } from '../support/sandbox.js';

export interface Received {
  robot: 'wecom' | 'dingtalk' | 'feishu' | 'webhook';
  text: string;
  doc: Record<string, unknown>;
  at: number;
}

export interface Receivers {
  port: number;
  dir: string;
  url(robot: 'wecom' | 'dingtalk' | 'feishu' | 'webhook'): string;
  messages(): Promise<Received[]>;
  /** Makes a robot answer with an HTTP error (null: normal again). */
  fail(robot: string, status: number | null): void;
  stop(): Promise<void>;
}

export const SECRETS = {
  wecomKey: '693a91f6-7a3c-4bc4-97a0-0ec2sifa5aaa',
  dingtalkToken: '98975521a1b23c02cdd1a9a08c69511ddf5fa9d2ae387813d1c5348fb0e1f2a3',
  dingtalkSecret: 'SEC19dd84be8c7f3cf71761974f1ed3ef77c1451906ae8ba18acf56103ee0a1b2c',
  feishuHook: '2f8e7a0c-5b1d-4c3e-9f6a-1d2b3c4e5f60',
  feishuSecret: 'qWm3nR7tY9uI0oP2aS4dF6gH8jK1lZx5',
  webhookSecret: 'whsec-5f4dcc3b5aa765d61d8327deb882cf99',
};

export async function startReceivers(): Promise<Receivers> {
  const dir = mkdtempSync(join(tmpdir(), 'sw-robots-'));
  writeFileSync(join(dir, 'wecom.key'), SECRETS.wecomKey);
  writeFileSync(join(dir, 'dingtalk.token'), SECRETS.dingtalkToken);
  writeFileSync(join(dir, 'dingtalk.secret'), SECRETS.dingtalkSecret);
  writeFileSync(join(dir, 'feishu.hook'), SECRETS.feishuHook);
  writeFileSync(join(dir, 'feishu.secret'), SECRETS.feishuSecret);
  writeFileSync(join(dir, 'webhook.secret'), SECRETS.webhookSecret);
  const script = fileURLToPath(new URL('./robot-receivers.py', import.meta.url));
  const child: ChildProcess = spawn('python3', [script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve((JSON.parse(buf.slice(0, nl)) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`robot-receivers.py exited ${code}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  const fails: Record<string, number> = {};
  return {
    port,
    dir,
    url: (robot) =>
      robot === 'wecom'
        ? `${base}/wecom/cgi-bin/webhook/send?key=${SECRETS.wecomKey}`
        : robot === 'dingtalk'
          ? `${base}/dingtalk/robot/send?access_token=${SECRETS.dingtalkToken}`
          : robot === 'feishu'
            ? `${base}/feishu/open-apis/bot/v2/hook/${SECRETS.feishuHook}`
            : `${base}/webhook/stack-wizard`,
    async messages() {
      const r = await fetch(`${base}/messages`);
      return (await r.json()) as Received[];
    },
    fail(robot, status) {
      if (status === null) delete fails[robot];
      else fails[robot] = status;
      writeFileSync(join(dir, 'fail.json'), JSON.stringify(fails));
    },
    async stop() {
      await killAndWait(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
