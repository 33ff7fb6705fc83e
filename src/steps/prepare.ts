// From files and flags to a rendered file set: answers → facts → plan → files. Shared by every
// command that renders (render, init, update, the wizard's review screen). On a server the setup's
// preview also gets the host's own files the steps would write (hostFiles: steps/host-files.ts),
// diffed the same way (hostFileChanges).
import { join, resolve } from 'node:path';
import { createPatch } from 'diff';
import type { Context } from '../context.js';
import type { Answers } from '../domain/answers.js';
import type { HostFacts } from '../domain/facts.js';
import { MAX_INPUT_BYTES, parseAnswers, parseFacts } from '../domain/load.js';
import { buildPlan, defaultInstallDir, type Plan } from '../domain/plan.js';
import { ensureSecrets, parseDotenv, readDotenv, secretValues, type DotenvDoc, type Secrets } from '../domain/secrets.js';
import { probeHost } from '../host/probe.js';
import { renderAll } from '../render/index.js';
import { HOST } from '../render/paths.js';
import type { RenderedFile } from '../render/types.js';
import type { HostFile } from '../render/host-file.js';
import { hostPath } from '../domain/host-paths.js';
import { usageError } from '../errors.js';

/** An answers or facts file's text, read no further than the size limit (`--answers /dev/zero` stops at once). */
export async function readInput(ctx: Context, file: string, kind: 'answers' | 'facts'): Promise<string> {
  const path = resolve(ctx.cwd, file);
  try {
    const text = await ctx.exec.readFile(path, { maxBytes: MAX_INPUT_BYTES });
    if (text === null) throw usageError(kind === 'answers' ? 'err.answersMissing' : 'err.factsMissing', { file });
    return text;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EFBIG') throw usageError('err.inputTooLarge', { file, max: '1 MiB' });
    if ((e as NodeJS.ErrnoException).code) throw usageError('err.fileUnreadable', { file, reason: (e as NodeJS.ErrnoException).code! });
    throw e;
  }
}

export async function loadAnswers(ctx: Context, file: string): Promise<Answers> {
  return parseAnswers(await readInput(ctx, file, 'answers'), file, ctx.t);
}

export async function loadFacts(ctx: Context, file: string | undefined, installDir: string, ports: number[] = []): Promise<HostFacts> {
  if (file) return parseFacts(await readInput(ctx, file, 'facts'), file, ctx.t);
  return probeHost(ctx.exec, { installDir, env: ctx.env, ports });
}

export interface Prepared {
  answers: Answers;
  facts: HostFacts;
  plan: Plan;
  secrets: Secrets;
  files: RenderedFile[];
  /** The folder the files go to: the install dir, or a local folder for a render. */
  targetDir: string;
  /** Set when the facts came from a --host-facts file rather than this host: steps that act on the host's own state skip. */
  factsFile?: string;
  /**
   * The host's own files (firewall, fail2ban, kernel settings, apt sources, daemon.json, units, cron
   * entries) the setup's steps would write now, with what each holds: set for a preview of a run on
   * this server (withHostFiles, src/steps/host-files.ts). The steps generate them afresh when they apply.
   */
  hostFiles?: HostFile[];
}

/** Reads the secrets already in `<dir>/.env` (as Compose reads them) so a re-render keeps them. */
export async function existingSecrets(ctx: Context, dir: string): Promise<DotenvDoc> {
  const path = join(dir, HOST.env);
  // Not through a link: another user's link to a root file must not become this stack's secrets (#15.2).
  const text = await ctx.exec.readFile(path, { noFollow: true }).catch(() => null);
  return readDotenv(text ?? '', path);
}

export async function prepare(
  ctx: Context,
  o: { answers: Answers; factsFile?: string; facts?: HostFacts; targetDir?: string },
): Promise<Prepared> {
  const installDir = o.answers.installDir ?? defaultInstallDir(o.answers.project);
  const facts = o.facts ?? (await loadFacts(ctx, o.factsFile, installDir, [o.answers.ports.http, o.answers.ports.https]));
  const plan = buildPlan(o.answers, facts);
  const targetDir = o.targetDir ?? plan.installDir;
  const secrets = ensureSecrets(plan, await existingSecrets(ctx, targetDir), ctx.random);
  ctx.exec.addSecrets(secretValues(secrets));
  const files = renderAll({ plan, answers: o.answers, secrets });
  return { answers: o.answers, facts, plan, secrets, files, targetDir, ...(o.factsFile ? { factsFile: o.factsFile } : {}) };
}

export interface FileChange {
  path: string;
  status: 'created' | 'changed' | 'unchanged';
  diff: string;
  /** A host file the step removes (status changed; the diff deletes every line). */
  removed?: boolean;
  /** Where a host file's original is kept before it is first rewritten. */
  backup?: string;
}

const unified = (path: string, old: string, next: string) => createPatch(path, old, next, '', '', { context: 3 }).split('\n').slice(2).join('\n');

/** Host files against what each holds now, as unified diffs, by the path they are written to (under the host root). */
export function hostFileChanges(ctx: Pick<Context, 'hostRoot'>, files: readonly HostFile[]): FileChange[] {
  return files.map((f) => {
    const path = hostPath(ctx.hostRoot, f.path);
    const status = f.content === f.old ? 'unchanged' : f.old === null ? 'created' : 'changed';
    return {
      path,
      status,
      diff: status === 'unchanged' ? '' : unified(path, f.old ?? '', f.content ?? ''),
      ...(f.content === null && f.old !== null ? { removed: true } : {}),
      ...(f.backup && status !== 'unchanged' ? { backup: hostPath(ctx.hostRoot, f.backup) } : {}),
    };
  });
}

/** Each file against what is on disk, as a unified diff; .env shows which secrets are kept or new, never values. */
export async function diffAgainstDisk(ctx: Context, dir: string, files: readonly RenderedFile[]): Promise<FileChange[]> {
  const out: FileChange[] = [];
  for (const f of files) {
    const old = await ctx.exec.readFile(join(dir, f.path)).catch(() => null);
    const status = old === null ? 'created' : old === f.content ? 'unchanged' : 'changed';
    let diff = '';
    if (f.path === HOST.env) {
      const before = old ? parseDotenv(old) : {};
      const after = parseDotenv(f.content);
      diff = Object.keys(after)
        .map((k) => `${k in before ? (before[k] === after[k] ? ' ' : '~') : '+'} ${k}=${k === 'COMPOSE_PROJECT_NAME' ? after[k] : '••••••'}`)
        .join('\n');
    } else if (status !== 'unchanged') {
      diff = unified(f.path, old ?? '', f.content);
    }
    out.push({ path: f.path, status, diff });
  }
  return out;
}

export async function writeRendered(ctx: Context, dir: string, files: readonly RenderedFile[]) {
  // Checked first, so a folder we cannot write gets a clear error and nothing at all is created.
  const reason = await ctx.exec.unwritableReason(dir);
  if (reason) throw usageError('err.outNotWritable', { dir, reason });
  try {
    return await ctx.exec.writeFiles(files.map((f) => ({ path: join(dir, f.path), content: f.content, mode: f.mode })));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // ENOENT/EINVAL: a folder that exists but takes no new entries (/proc, /sys and other pseudo-filesystems).
    if (code && ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'ENOENT', 'EINVAL'].includes(code)) {
      throw usageError('err.outNotWritable', { dir, reason: code });
    }
    throw e;
  }
}
