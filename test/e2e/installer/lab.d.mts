// Types for lab.mjs (plain JS so scripts/bench-installer.mjs can import it without a build).
export declare const repo: string;
export declare const cacheDir: string;
export interface RunResult { code: number; stdout: string; stderr: string }
export declare function run(cmd: string, args: string[], opts?: object): string;
export declare function runAsync(cmd: string, args: string[], opts?: object): Promise<string>;
export declare function tryRun(cmd: string, args: string[], opts?: object): RunResult;
export interface LocalNode { bin: string; prefix: string; version: string; arch: string }
export interface NodeDist extends LocalNode { file: string; sha256: string; dir: string }
export declare function localNode(): LocalNode;
export declare function buildNodeDist(root: string): Promise<NodeDist>;
export declare function buildTamperedNodeDist(root: string, dist: NodeDist, name?: string): string;
export declare function ensureBuilt(): void;
export interface Packed { name: string; version: string; tgz: string; sha256: string }
export declare function packProject(root: string, version?: string): Packed;
export declare function buildMirrorRoot(root: string): Promise<{ root: string; node: NodeDist; pkg: Packed }>;
export interface Image { tag: string; include: string[]; suite?: string }
export declare const IMAGES: { bare: Image; node18: Image; trixieNode: Image };
export declare function ensureImage(img: Image): Promise<string>;
export declare function createNetwork(name: string): { name: string; gateway: string; remove: () => RunResult };
export interface Request { method: string; path: string; status: number; ua: string }
export interface Mirror { url: string; log: string; requests: () => Request[]; clearLog: () => void; stop: () => boolean }
export declare function startMirror(root: string, host: string, o?: { delayMs?: number; log?: string }): Promise<Mirror>;
export declare function startContainer(image: string, network: string, name: string): string;
export declare function removeContainer(name: string): RunResult;
export declare function dexec(name: string, script: string, env?: Record<string, string>, o?: { user?: string }): Promise<RunResult>;
export declare function fileList(name: string, o?: { mtimes?: boolean }): Promise<string[]>;
export declare function firstScreen(lang: 'en' | 'zh-CN'): RegExp;
export declare function minus(a: string[], b: string[]): string[];
export interface TmuxRun {
  screen: string;
  matched: boolean;
  ms: number;
  capture: () => string;
  keys: (...k: string[]) => string;
  kill: () => RunResult;
}
export declare function inTmux(command: string, o?: { until?: RegExp; timeoutMs?: number; width?: number; height?: number }): Promise<TmuxRun>;
