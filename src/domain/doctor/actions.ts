// What an automatic fix will do, shown before it runs (the confirmation, --json's fix.steps,
// --dry-run): a title and the commands, computed from the action alone. Pure.
import { msg, type FixAction, type Msg } from './types.js';
import { commandLine } from '../../exec/executor.js';
import { parseDaemonJson } from '../../render/docker-daemon.js';

export interface StackPaths {
  project: string;
  installDir: string;
  composeFile: string;
  /** The openssl command that makes the self-signed pair (from the plan), shown before it runs. */
  selfSignedArgv?: string[];
  /** certbot renew for this stack. */
  renewArgv?: string[];
}

export const composeCmd = (s: StackPaths, ...args: string[]) => commandLine('docker', ['compose', '--project-directory', s.installDir, '-f', s.composeFile, ...args]);

export function describeAction(a: FixAction, s: StackPaths): { title: Msg; commands: string[] } {
  switch (a.kind) {
    case 'compose-up':
      return { title: msg('doc.act.composeUp', { services: a.services.join(', ') }), commands: [composeCmd(s, 'up', '-d', ...a.services)] };
    case 'rollback-image':
      return {
        title: msg('doc.act.rollback', { id: a.imageId.replace(/^sha256:/, '').slice(0, 12), image: a.image, service: a.service }),
        commands: [commandLine('docker', ['tag', a.imageId, a.image]), composeCmd(s, 'up', '-d', a.service), composeCmd(s, 'exec', '-T', 'nginx', 'nginx', '-s', 'reload')],
      };
    case 'reload-nginx':
      return { title: msg('doc.act.reloadNginx'), commands: [composeCmd(s, 'exec', '-T', 'nginx', 'nginx', '-s', 'reload')] };
    case 'restart-service':
      return { title: msg('doc.act.restartService', { service: a.service }), commands: [composeCmd(s, 'restart', a.service)] };
    case 'docker-restart':
      return { title: msg('doc.act.dockerRestart'), commands: ['systemctl restart docker'] };
    case 'docker-prune':
      return { title: msg('doc.act.prune'), commands: ['docker image prune -f', 'docker builder prune -f'] };
    case 'truncate-logs':
      return { title: msg('doc.act.truncate'), commands: a.files.map((f) => commandLine('truncate', ['-s', '0', f])) };
    case 'stop-port-holder':
      return {
        title: msg('doc.act.stopHolder', { port: a.port }),
        commands: [a.unit ? commandLine('systemctl', ['stop', a.unit]) : commandLine('kill', [String(a.pid)]), composeCmd(s, 'up', '-d', 'nginx')],
      };
    case 'restore-files':
      return { title: msg('doc.act.restore', { files: a.paths.join(', ') }), commands: a.paths.map((p) => `write ${s.installDir}/${p}`) };
    case 'redis-config':
      return { title: msg('doc.act.redisConfig'), commands: Object.entries(a.set).map(([k, v]) => composeCmd(s, 'exec', '-T', 'redis', 'redis-cli', 'CONFIG', 'SET', k, v)) };
    case 'redis-save':
      return { title: msg('doc.act.redisSave', { command: a.command }), commands: [composeCmd(s, 'exec', '-T', 'redis', 'redis-cli', a.command)] };
    case 'renew-cert':
      return a.mode === 'self-signed'
        ? { title: msg('doc.act.renewSelf'), commands: [s.selfSignedArgv ? commandLine(s.selfSignedArgv[0]!, s.selfSignedArgv.slice(1)) : 'openssl req -x509 …', composeCmd(s, 'exec', '-T', 'nginx', 'nginx', '-s', 'reload')] }
        : { title: msg('doc.act.renewLe'), commands: [s.renewArgv ? commandLine(s.renewArgv[0]!, s.renewArgv.slice(1)) : 'certbot renew …', composeCmd(s, 'exec', '-T', 'nginx', 'nginx', '-s', 'reload')] };
    case 'drop-mirrors':
      return { title: msg('doc.act.dropMirrors', { urls: a.urls.join(', ') }), commands: ['edit /etc/docker/daemon.json (registry-mirrors)', 'systemctl reload docker'] };
    case 'commands':
      return { title: msg('doc.act.commands'), commands: a.argv.map((x) => commandLine(x[0]!, x.slice(1))) };
    case 'security-steps':
      return { title: msg('doc.act.security', { steps: a.steps.join(', ') }), commands: ['stack-wizard security apply (those steps)'] };
  }
}

const sameUrl = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

/**
 * daemon.json without the dead registry mirrors (and with `add` first, when given). Everything else
 * stays as the operator wrote it; null when nothing changes.
 */
export function withoutDeadMirrors(text: string | null, dead: readonly string[], add: string | null = null): string | null {
  const cfg = parseDaemonJson(text);
  const old = Array.isArray(cfg['registry-mirrors']) ? (cfg['registry-mirrors'] as unknown[]).filter((x): x is string => typeof x === 'string') : [];
  let next = old.filter((u) => !dead.some((d) => sameUrl(d, u)));
  if (add && !next.some((u) => sameUrl(u, add))) next = [add.replace(/\/+$/, ''), ...next];
  if (JSON.stringify(next) === JSON.stringify(old)) return null;
  // An empty list, not a missing key: dockerd's reload (SIGHUP) keeps its mirrors when the key is absent.
  const out: Record<string, unknown> = { ...cfg, 'registry-mirrors': next };
  return `${JSON.stringify(out, null, 2)}\n`;
}
