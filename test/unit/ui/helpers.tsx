// Shared by the screen tests: named keys, waiting for a frame, host facts and a real controller.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { vmFacts } from '../../fixtures/facts.js';
import { main } from '../../../src/cli.js';
import { createContext, type Context } from '../../../src/context.js';
import type { HostFacts } from '../../../src/domain/facts.js';
import { DryRunExecutor } from '../../../src/exec/executor.js';
import type { Lang } from '../../../src/i18n/index.js';
import { createController } from '../../../src/ui/controller.js';
import type { MirrorSource } from '../../../src/ui/types.js';

export const KEY = {
  enter: '\r',
  escape: '\u001B',
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  tab: '\t',
  space: ' ',
  backspace: '\u007F',
  ctrlC: '\u0003',
  ctrlU: '\u0015',
  pageDown: '\u001B[6~',
  pageUp: '\u001B[5~',
} as const;

// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[0-9;?]*[A-Za-z]/g;
/** The last frame without colour codes. */
export const plain = (lastFrame: () => string | undefined) => () => (lastFrame() ?? '').replace(ANSI, '');

/** Polls the last frame until `pred` holds (Ink renders asynchronously). */
export async function waitFor(frame: () => string | undefined, pred: (f: string) => boolean, what = 'the frame', ms = 10_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const f = frame() ?? '';
    if (pred(f)) return f;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last frame:\n${f}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
export const waitText = (frame: () => string | undefined, text: string, ms?: number) => waitFor(frame, (f) => f.includes(text), JSON.stringify(text), ms);

/**
 * Types keys one at a time, each after the frame has had a chance to update. A screen listens for
 * keys from an effect that runs just after its first frame, so wait until Ink reads stdin and a
 * moment more, as a person would.
 */
export async function press(stdin: { write(s: string): void; listenerCount?: (e: string) => number }, ...keys: string[]) {
  for (let i = 0; i < 100 && stdin.listenerCount && stdin.listenerCount('readable') === 0; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 25));
  for (const k of keys) {
    stdin.write(k);
    // Ink flushes a lone Esc on the next tick, and a new screen listens from an effect after its
    // first frame: give every key time, as a person typing would.
    await new Promise((r) => setTimeout(r, 40));
  }
}

/** A "4 GB" Debian 12 VM as `probe --json` describes it: 3.7 GiB usable, sshd on 22, nginx on 80. */
export const facts = vmFacts;

/** From the welcome screen to the region screen: project "mirrors", image a/b:1, every other default. */
export async function pressToRegion(frame: () => string | undefined, stdin: { write(s: string): void; listenerCount?: (e: string) => number }) {
  await waitText(frame, 'This host');
  await press(stdin, KEY.enter, 'mirrors', KEY.enter, 'a/b:1', KEY.enter, KEY.enter, KEY.enter, KEY.enter);
  await waitText(frame, 'Size preset');
  await press(stdin, KEY.enter);
  await waitText(frame, '> Region');
}

export const tempDir = (prefix = 'sw-ui-') => mkdtempSync(join(tmpdir(), prefix));

/** A real controller on a dry-run Executor: reads the disk, never writes; facts from a file as --host-facts gives them. */
export function controllerFor(o: { lang?: Lang; facts?: HostFacts; out?: string; dryRun?: boolean; isRoot?: boolean; mirrors?: MirrorSource | null; env?: NodeJS.ProcessEnv; exec?: Context['exec'] } = {}) {
  const dir = tempDir();
  const factsFile = join(dir, 'facts.json');
  writeFileSync(factsFile, JSON.stringify(o.facts ?? facts()));
  const ctx = createContext({
    lang: o.lang ?? 'en',
    dryRun: true,
    exec: o.exec ?? new DryRunExecutor(),
    cwd: dir,
    interactive: false,
    env: o.env ?? { STACK_WIZARD_STATE_DIR: join(dir, 'state') },
    random: (n) => new Uint8Array(n).map((_, i) => (i * 37 + 11) % 256),
  });
  const controller = createController(ctx, { factsFile, out: o.out, dryRun: o.dryRun ?? false, mirrors: o.mirrors ?? null, isRoot: o.isRoot });
  return { ctx, controller, dir };
}

export function expectNoErrorFrame(f: string) {
  expect(f).not.toMatch(/unexpected failure|ERROR/);
}

/** Text that may wrap over several lines: compared with every run of whitespace as one space. */
export const flat = (s: string) => s.replace(/\s+/g, ' ');
export const waitFlat = (frame: () => string | undefined, text: string, ms?: number) =>
  waitFor(frame, (f) => flat(f).includes(flat(text)), JSON.stringify(text), ms);

/** The command line, not interactive, in a fresh folder ($DIR in an argument) with a facts file ($FACTS). */
export async function cliInDir(args: string[]) {
  const dir = tempDir('sw-cmd-');
  const factsFile = join(dir, 'facts.json');
  writeFileSync(factsFile, JSON.stringify(facts()));
  let out = '';
  let err = '';
  const code = await main(args.map((a) => a.replace('$DIR', dir).replace('$FACTS', factsFile)), {
    io: { out: (s) => void (out += s), err: (s) => void (err += s) },
    interactive: false,
    env: { LANG: 'en_US.UTF-8', STACK_WIZARD_STATE_DIR: join(dir, 'state') },
    cwd: dir,
  });
  return { code, out, err, dir };
}
