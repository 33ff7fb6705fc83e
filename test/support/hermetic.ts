// The unit suite's fence (vitest setupFiles of the `unit` project): a unit test reads no host
// state, opens no socket (loopback included), starts no program. Each breach throws at the call
// with the rule and where such a test belongs (test/real), so it fails where it is written rather
// than on a machine that happens to lack ufw. test/run.sh also runs the suite with no network
// namespace and the host's state folders hidden (test/support/unit-sandbox.sh), which proves the
// same from outside the process.
import childProcess from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

class HermeticBreach extends Error {
  override name = 'HermeticBreach';
}
// One fence per worker: with `isolate: false` this file runs before every test file of a worker,
// and the fence must not wrap itself again. Its breach list is the worker's.
const FENCE = Symbol.for('stack-wizard.hermetic');
const state = ((globalThis as Record<symbol, unknown>)[FENCE] ??= { breaches: [] as string[], installed: false }) as { breaches: string[]; installed: boolean };
const breaches = state.breaches;
const breach = (what: string): never => {
  const e = new HermeticBreach(`unit tests are hermetic (docs/ARCHITECTURE.md#tests): ${what}. Inject it (facts, a fixture, the dry-run Executor) or move the test to test/real.`);
  breaches.push(`${e.message}\n${(e.stack ?? '').split('\n').slice(2, 12).join('\n')}`);
  throw e;
};
/** Takes the breaches recorded so far (test/unit/hermetic.test.ts proves the fence with them). */
export const takeBreaches = (): string[] => breaches.splice(0);

// The code under test may catch the error (a probe that tolerates a missing program): the test
// still fails, naming every breach.
afterEach(() => {
  if (breaches.length === 0) return;
  const all = breaches.splice(0);
  throw new HermeticBreach(`${all.length} breach(es) of the unit suite's fence:\n${all.join('\n\n')}`);
});

if (!state.installed) {
  state.installed = true;
  // Programs: every way node:child_process starts one.
  for (const fn of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const) {
    (childProcess as unknown as Record<string, unknown>)[fn] = (cmd: unknown) => breach(`child_process.${fn}(${JSON.stringify(String(cmd))}) starts a program`);
  }

  // Sockets: connecting or listening, TCP, Unix or UDP (fetch and http go through net.Socket).
  net.Socket.prototype.connect = function connect(...args: unknown[]) {
    return breach(`a socket connects to ${JSON.stringify(args[0])}`);
  } as typeof net.Socket.prototype.connect;
  net.Server.prototype.listen = function listen(...args: unknown[]) {
    return breach(`a server listens on ${JSON.stringify(args[0] ?? 'a free port')}`);
  } as typeof net.Server.prototype.listen;
  dgram.createSocket = ((type: unknown) => breach(`a UDP socket (${JSON.stringify(type)}) is made`)) as typeof dgram.createSocket;

  // Host files: readable only inside the checkout, the temp dir and the scratch HOME. Writes are
  // not fenced here (a test writes into its own temp dir; the sandbox script hides the host's).
  const allowed = [ROOT, resolve(tmpdir()) + sep, ...(process.env.HOME ? [resolve(process.env.HOME) + sep] : [])];
  // Devices that hold no state of this machine.
  const DEVICES = new Set(['/dev/null', '/dev/zero', '/dev/random', '/dev/urandom']);
  // Only the metadata (stat, lstat, readlink, exists…) of what any Linux has the same: the folders
  // above the allowed ones (resolving a path walks them: Node's realpath, the Executor's check
  // that no folder on the way is another user's) and the system's program folders (root-owned,
  // 0755 everywhere), which the Executor checks before trusting a program under them.
  const SYSTEM = ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/lib32'];
  const under = (abs: string, dir: string) => abs === dir || abs.startsWith(dir.endsWith(sep) ? dir : dir + sep);
  const metadataOk = (abs: string) =>
    allowed.some((a) => a.startsWith(abs === sep ? sep : abs + sep)) ||
    SYSTEM.some((d) => under(abs, d)) ||
    // TypeScript probes whether the filesystem ignores case with an upper-cased path of its own.
    allowed.some((a) => abs.toLowerCase().startsWith(a.toLowerCase()));
  const hostPath = (p: unknown, metadata: boolean): string | undefined => {
    if (typeof p !== 'string' && !(p instanceof URL) && !Buffer.isBuffer(p)) return undefined;
    const s = p instanceof URL ? (p.protocol === 'file:' ? fileURLToPath(p) : '') : String(p);
    if (!s.startsWith('/')) return undefined;
    const abs = resolve(s);
    // An allowed folder itself too (fsync of the checkout after creating out/ in a clean clone).
    if (DEVICES.has(abs) || allowed.some((a) => under(abs, a) || abs + sep === a)) return undefined;
    // Node and its libraries (vitest, the transformer) read their own install; tests never need to.
    if (under(abs, resolve(process.execPath, '../..'))) return undefined;
    if (metadata && metadataOk(abs)) return undefined;
    return abs;
  };
  const METADATA = new Set(['existsSync', 'statSync', 'lstatSync', 'stat', 'lstat', 'accessSync', 'access', 'readlinkSync', 'readlink', 'realpathSync', 'realpath']);
  const READERS = ['readFileSync', 'readFile', 'existsSync', 'statSync', 'lstatSync', 'stat', 'lstat', 'readdirSync', 'readdir', 'openSync', 'open', 'accessSync', 'access', 'readlinkSync', 'readlink', 'realpathSync', 'createReadStream', 'watch', 'watchFile'] as const;
  const fsAny = fs as unknown as Record<string, (...a: unknown[]) => unknown>;
  const promisesAny = fs.promises as unknown as Record<string, (...a: unknown[]) => unknown>;
  // A promise API refuses with a rejected promise, as it would fail on a machine without the file.
  function fence(target: Record<string, (...a: unknown[]) => unknown>, name: string, label: string, promises = false) {
    const orig = target[name];
    if (typeof orig !== 'function') return;
    const wrapped = function (this: unknown, ...args: unknown[]) {
      const p = hostPath(args[0], METADATA.has(name));
      if (p !== undefined) {
        const refuse = () => breach(`${label}(${JSON.stringify(p)}) reads this machine's files`);
        if (!promises) return refuse();
        return new Promise((_, reject) => {
          try {
            refuse();
          } catch (e) {
            reject(e as Error);
          }
        });
      }
      return orig.apply(this, args);
    };
    Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(orig));
    target[name] = wrapped;
  }
  for (const n of READERS) fence(fsAny, n, `fs.${n}`);
  for (const n of ['readFile', 'stat', 'lstat', 'readdir', 'open', 'access', 'readlink', 'realpath', 'opendir']) fence(promisesAny, n, `fs.promises.${n}`, true);

  // ESM importers of node:fs, node:child_process… see the replaced functions too.
  syncBuiltinESMExports();
}
