// #15.2: root never writes through another local user's links. A real unprivileged account
// (useradd) plants links where root is about to write: guessed temp names, a linked sub-folder,
// a linked .env and a linked log. The built CLI runs as root. Every planted target (root-owned
// files and folders elsewhere) must be byte-for-byte what it was: checksums before and after.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'stack-wizard.js');
const USER = `swlink${process.pid % 100000}`;
let uid = -1;

const base = mkdtempSync('/tmp/sw-links-');
// Root's folder, which the other user may enter (as /opt or /srv would be), but not write in.
chmodSync(base, 0o755);
const victim = join(base, 'victim');
const answers = join(base, 'answers.yaml');

function sh(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
/** Runs a shell command as the unprivileged user. */
const asUser = (script: string) => sh('runuser', ['-u', USER, '--', 'sh', '-ec', script]);

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, LANG: 'C', STACK_WIZARD_STATE_DIR: join(base, 'state') }, timeout: 110_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file and folder under the victim tree: type, owner, mode, and a SHA-256 of the content. */
function snapshot(dir = victim): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) {
        out[p] = `dir ${st.uid} ${(st.mode & 0o7777).toString(8)}`;
        walk(p);
      } else out[p] = `file ${st.uid} ${(st.mode & 0o7777).toString(8)} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
    }
  };
  walk(dir);
  return out;
}

beforeAll(() => {
  sh('useradd', ['-M', '-s', '/usr/sbin/nologin', USER]);
  uid = Number(sh('id', ['-u', USER]).trim());
  // Root's own things elsewhere: a 0600 secret, a root-only folder, a log.
  mkdirSync(join(victim, 'dir'), { recursive: true, mode: 0o700 });
  writeFileSync(join(victim, 'secret'), 'root only\n', { mode: 0o600 });
  writeFileSync(join(victim, 'dir', 'keep.txt'), 'keep\n', { mode: 0o600 });
  writeFileSync(join(victim, 'shadow.log'), 'root log\n', { mode: 0o600 });
  chmodSync(victim, 0o755);
  writeFileSync(answers, `project: links\napp: { image: ghcr.io/example/api:1.0.0 }\ninstallDir: ${join(base, 'inst')}\n`);
});
afterAll(() => {
  spawnSync('userdel', [USER]);
});

/** A folder the other user owns (a home, a shared upload folder), made as an operator would. */
function userDir(path: string) {
  mkdirSync(path, { mode: 0o755 });
  sh('chown', [USER, path]);
}

/** Links to root's things under the names root writes: the old predictable temp names for a range of pids, .env, and a sub-folder. */
function plant(dir: string, o: { subfolder?: string } = {}) {
  const names = ['docker-compose.yml', '.env', 'nginx.conf', 'stack-wizard.yaml'];
  const pids = Array.from({ length: 200 }, (_, i) => process.pid + i);
  const lines = [
    `ln -s ${victim}/secret ${dir}/.env`,
    ...names.map((n) => `for p in ${pids.join(' ')}; do ln -sf ${victim}/secret "${dir}/.${n}.sw-$p.tmp"; done`),
    ...(o.subfolder ? [`ln -s ${victim}/dir ${dir}/${o.subfolder}`] : []),
  ];
  asUser(lines.join('\n'));
}

describe('root writes through nobody else\'s links (#15.2)', () => {
  it('render --out into a folder another user owns: exit 3 naming it and the fix; nothing planted is touched', () => {
    const out = join(base, 'user-out');
    userDir(out);
    plant(out, { subfolder: 'nginx' });
    const before = snapshot();
    const listed = readdirSync(out).sort();
    const r = cli(['render', '--answers', answers, '--out', out]);
    expect(r.stderr).toMatch(new RegExp(`${out} belongs to ${USER} \\(uid ${uid}\\), not root.*chown root:root ${out}`));
    expect(r.code).toBe(3);
    expect(snapshot()).toEqual(before);
    expect(readdirSync(out).sort()).toEqual(listed);
  });

  it('a folder others may write in (no sticky bit): exit 3 naming the mode', () => {
    const out = join(base, 'open-out');
    mkdirSync(out);
    chmodSync(out, 0o777);
    const before = snapshot();
    const r = cli(['render', '--answers', answers, '--out', join(out, 'stack')]);
    expect(r.stderr).toMatch(new RegExp(`${out} can be written by other users \\(mode 0777, no sticky bit\\).*chmod go-w ${out}`));
    expect(r.code).toBe(3);
    expect(readdirSync(out)).toEqual([]);
    expect(snapshot()).toEqual(before);
  });

  it('a sticky shared folder (like /tmp): a linked sub-folder is refused; with it gone, the write succeeds and replaces the planted .env link, never writing through it', () => {
    const out = join(base, 'sticky');
    mkdirSync(out);
    chmodSync(out, 0o1777);
    plant(out, { subfolder: 'nginx' });
    const before = snapshot();
    const r = cli(['render', '--answers', answers, '--out', out]);
    expect(r.stderr).toMatch(new RegExp(`${out}/nginx is a symbolic link owned by ${USER}`));
    expect(r.code).toBe(3);
    expect(snapshot()).toEqual(before);

    asUser(`rm ${out}/nginx`);
    const ok = cli(['render', '--answers', answers, '--out', out]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(snapshot()).toEqual(before);
    // The .env link was replaced by root's own 0600 file (a new secret: the link was not read either).
    const env = lstatSync(join(out, '.env'));
    expect(env.isFile()).toBe(true);
    expect([env.uid, env.mode & 0o777]).toEqual([0, 0o600]);
    expect(readFileSync(join(out, '.env'), 'utf8')).toMatch(/^MYSQL_ROOT_PASSWORD=[A-Za-z0-9]{32}$/m);
    // Everything written is root's; nginx/ is a real folder now.
    for (const p of ['docker-compose.yml', 'nginx', 'nginx/nginx.conf']) expect(lstatSync(join(out, p)).uid, p).toBe(0);
    expect(lstatSync(join(out, 'nginx')).isDirectory()).toBe(true);
    // The guessed temp names are still the other user's links, unused: root's temp names are random.
    const planted = readdirSync(out).filter((n) => /\.sw-\d+\.tmp$/.test(n));
    expect(planted.length).toBe(800);
    for (const n of planted) expect(lstatSync(join(out, n)).isSymbolicLink()).toBe(true);
    expect(readdirSync(out).filter((n) => /\.sw-[0-9a-f]{18}\.tmp$/.test(n))).toEqual([]);
  });

  it('doctor --bundle --out into another user\'s folder or through their link: exit 3, nothing written', () => {
    const userOut = join(base, 'user-bundle');
    userDir(userOut);
    asUser(`ln -s ${victim}/secret ${userOut}/bundle.tar.gz`);
    const sticky = join(base, 'sticky-bundle');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    asUser(`ln -s ${victim}/dir ${sticky}/support`);
    const before = snapshot();
    const a = cli(['doctor', '--bundle', '--answers', answers, '--out', join(userOut, 'bundle.tar.gz')]);
    expect(a.stderr).toMatch(new RegExp(`${userOut} belongs to ${USER}`));
    expect(a.code).toBe(3);
    const b = cli(['doctor', '--bundle', '--answers', answers, '--out', join(sticky, 'support', 'b.tar.gz')]);
    expect(b.stderr).toMatch(new RegExp(`${sticky}/support is a symbolic link owned by ${USER}`));
    expect(b.code).toBe(3);
    expect(snapshot()).toEqual(before);
    expect(readdirSync(join(victim, 'dir'))).toEqual(['keep.txt']);
  });

  it('a linked log: root appends to its own log only, never through a link or into a folder another user owns', () => {
    const inst = join(base, 'inst');
    mkdirSync(join(inst, 'logs'), { recursive: true });
    // A sticky logs folder with the log name linked to root's file.
    chmodSync(join(inst, 'logs'), 0o1777);
    asUser(`ln -s ${victim}/shadow.log ${inst}/logs/stack-wizard.log`);
    const before = snapshot();
    const r = cli(['backup', 'list', '--answers', answers]);
    // The log is not the command's business: it runs, and the line is dropped.
    expect(r.code).toBe(0);
    expect(snapshot()).toEqual(before);
    expect(lstatSync(join(inst, 'logs', 'stack-wizard.log')).isSymbolicLink()).toBe(true);

    // A logs folder the other user owns: nothing is written in it at all.
    sh('rm', ['-rf', join(inst, 'logs')]);
    mkdirSync(join(inst, 'logs'), { mode: 0o755 });
    sh('chown', [USER, join(inst, 'logs')]);
    asUser(`ln -s ${victim}/shadow.log ${inst}/logs/stack-wizard.log`);
    const r2 = cli(['backup', 'list', '--answers', answers]);
    expect(r2.code).toBe(0);
    expect(snapshot()).toEqual(before);
    expect(statSync(join(inst, 'logs')).uid).toBe(uid);
    expect(readdirSync(join(inst, 'logs'))).toEqual(['stack-wizard.log']);

    // Root's own logs folder: the log is written, 0600, root's.
    sh('rm', ['-rf', join(inst, 'logs')]);
    expect(cli(['backup', 'list', '--answers', answers]).code).toBe(0);
    const log = lstatSync(join(inst, 'logs', 'stack-wizard.log'));
    expect([log.isFile(), log.uid, log.mode & 0o777]).toEqual([true, 0, 0o600]);
    expect(readFileSync(join(inst, 'logs', 'stack-wizard.log'), 'utf8')).toMatch(/backup list: project links/);
  });
});
