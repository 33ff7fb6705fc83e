// One Context carries every capability a command needs; tests build it with overrides.
import { randomBytes } from 'node:crypto';
import { DryRunExecutor, RealExecutor, type Executor, type LogSink } from './exec/executor.js';
import { createDocker, type DockerApi } from './exec/docker.js';
import { translator, type Lang, type T } from './i18n/index.js';
import type { RandomBytes } from './domain/secrets.js';
import { hostRootOf } from './domain/host-paths.js';

/** Whether this process runs as root: the one place that decides it (Context.isRoot carries it). */
export const processIsRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export interface Context {
  lang: Lang;
  t: T;
  exec: Executor;
  /** The Docker Engine API (reads run in dry-run too; pulls and tags go through `exec`). Created on first use. */
  readonly docker: DockerApi;
  env: NodeJS.ProcessEnv;
  /**
   * Where the host's own files are (STACK_WIZARD_ROOT: a chroot being prepared, a test's folder);
   * '' is this machine's root. Host paths are absolute and get it through hostPath() alone.
   */
  hostRoot: string;
  /** Whether this process runs as root (processIsRoot, unless a test says otherwise). */
  isRoot: boolean;
  cwd: string;
  io: Output;
  /** Whether an operator can answer prompts (stdin and stdout are terminals). */
  interactive: boolean;
  random: RandomBytes;
  clock: () => Date;
  /** Where this Context's log lines go (the install dir's log once it is known). */
  setLogSink(sink: LogSink): void;
}

export interface ContextOptions {
  lang: Lang;
  dryRun: boolean;
  env?: NodeJS.ProcessEnv;
  /** Default: STACK_WIZARD_ROOT of `env`. */
  hostRoot?: string;
  /** Default: whether this process runs as root. */
  isRoot?: boolean;
  cwd?: string;
  io?: Output;
  interactive?: boolean;
  exec?: Executor;
  docker?: DockerApi;
  random?: RandomBytes;
  clock?: () => Date;
}

export function createContext(o: ContextOptions): Context {
  const exec = o.exec ?? (o.dryRun ? new DryRunExecutor() : new RealExecutor());
  const env = o.env ?? process.env;
  let docker = o.docker;
  return {
    lang: o.lang,
    t: translator(o.lang),
    exec,
    get docker() {
      docker ??= createDocker(exec, env);
      return docker;
    },
    env,
    hostRoot: o.hostRoot ?? hostRootOf(env.STACK_WIZARD_ROOT),
    isRoot: o.isRoot ?? processIsRoot(),
    cwd: o.cwd ?? process.cwd(),
    io: o.io ?? { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) },
    interactive: o.interactive ?? Boolean(process.stdin.isTTY && process.stdout.isTTY),
    random: o.random ?? ((n) => randomBytes(n)),
    clock: o.clock ?? (() => new Date()),
    // The sink lives in the Executor: a command the menu runs in a Context of its own shares it.
    setLogSink: (s) => exec.setLogSink(s),
  };
}
