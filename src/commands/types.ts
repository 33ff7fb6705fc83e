import type { Context } from '../context.js';
import type { MsgKey } from '../i18n/index.js';
import type { OptionSpec } from '../domain/answer-flags.js';

export type { OptionSpec };

export interface ParsedArgs { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] }

export interface Command {
  options: OptionSpec;
  /** How many positionals it takes at most (0 = none). */
  maxPositionals: number;
  run(ctx: Context, args: ParsedArgs): Promise<number>;
}

/** What --help shows without loading the command's code. */
export interface CommandEntry {
  name: string;
  usage: string;
  summary: MsgKey;
  load: () => Promise<{ default: Command }>;
}
