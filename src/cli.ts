// argv → command. Builds the Context, runs the command, maps errors to exit codes (docs/CONTRACT.md#commands).
import { parseArgs } from 'node:util';
import { createContext, type Context, type ContextOptions } from './context.js';
import { WizardError, EXIT, usageError } from './errors.js';
import { detectLang, translator, type Lang, type T } from './i18n/index.js';
import { COMMANDS, findCommand } from './commands/index.js';
import type { CommandEntry, ParsedArgs } from './commands/types.js';
import { ANSWER_FLAG_OPTIONS, answerFlagsHelp, type OptionSpec } from './domain/answer-flags.js';
import { closest } from './domain/suggest.js';
import { VERSION } from './version.js';

const GLOBAL_OPTIONS = {
  lang: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** `stack-wizard` with no command: flags and answers file skip prompts, as for init. */
const WIZARD_ENTRY: CommandEntry = {
  name: 'stack-wizard',
  usage: '[--answers F] [--yes] [--dry-run] [--out DIR] [--lang en|zh-CN] [answer flags]',
  summary: 'help.interactive',
  load: () => import('./commands/wizard.js'),
};

function helpText(t: T): string {
  return [
    t('help.title', { version: VERSION }),
    '',
    t('help.usage'),
    `  stack-wizard ${WIZARD_ENTRY.usage}`,
    `      ${t('help.interactive')}`,
    ...COMMANDS.flatMap((c) => [`  stack-wizard ${c.usage}`, `      ${t(c.summary)}`]),
    `  stack-wizard help [COMMAND] | version | --help | --version`,
    `      ${t('help.helpCommand')}`,
    '',
    answerFlagsHelp(t),
    '',
    t('help.exitCodes'),
    '',
  ].join('\n');
}

function langFromArgv(argv: readonly string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  if (i < 0) return undefined;
  const a = argv[i]!;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[i + 1];
}

/** What a `--json` run prints for an error (docs/CONTRACT.md#commands): code, message, and the flag, field or file to fix. */
export function errorJson(t: T, e: unknown): string {
  const w = e instanceof WizardError ? e : null;
  const p = w?.params ?? {};
  const field = p.field ?? p.flag ?? p.file ?? p.path ?? null;
  const message = w ? [t(w.key, w.params), ...w.details].join('\n') : t('err.internal', { message: e instanceof Error ? e.message : String(e) });
  return `${JSON.stringify({ error: { code: w?.key ?? 'err.internal', message, field: field === null ? null : String(field) } }, null, 2)}\n`;
}

/** "Error: text"; after a full-width colon (Chinese) no space. */
function prefixed(t: T, text: string): string {
  const p = t('err.prefix');
  return p.endsWith('：') ? `${p}${text}` : `${p} ${text}`;
}

export function printError(ctx: Pick<Context, 't' | 'io'>, e: unknown, json = false): number {
  if (json) {
    ctx.io.out(errorJson(ctx.t, e));
    return e instanceof WizardError ? e.exitCode : EXIT.failed;
  }
  if (e instanceof WizardError) {
    ctx.io.err(`${prefixed(ctx.t, ctx.t(e.key, e.params))}\n`);
    for (const d of e.details) ctx.io.err(`  ${d}\n`);
    return e.exitCode;
  }
  const msg = e instanceof Error ? e.message : String(e);
  ctx.io.err(`${prefixed(ctx.t, ctx.t('err.internal', { message: msg }))}\n`);
  if (process.env.STACK_WIZARD_DEBUG && e instanceof Error && e.stack) ctx.io.err(`${e.stack}\n`);
  return EXIT.failed;
}

/** The flags a command takes, for `help <command>` (answer flags are listed apart, as for init). */
function flagList(options: OptionSpec, answers: boolean): string {
  const items = Object.entries(options)
    .filter(([name]) => !answers || !Object.hasOwn(ANSWER_FLAG_OPTIONS, name))
    .map(([name, o]) => `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ' VALUE' : ''}${o.multiple ? ' …' : ''}`);
  return items.map((x) => `  ${x}`).join('\n');
}

async function commandHelp(t: T, en: CommandEntry): Promise<string> {
  const cmd = (await en.load()).default;
  const own = { ...cmd.options, lang: GLOBAL_OPTIONS.lang, help: GLOBAL_OPTIONS.help };
  // init and the wizard take every answer flag; those are listed as one block.
  const answers = Object.hasOwn(cmd.options, 'image');
  return [
    `stack-wizard ${en.usage}`,
    `  ${t(en.summary)}`,
    '',
    t('help.flags'),
    flagList(own, answers),
    ...(answers ? ['', answerFlagsHelp(t)] : []),
    '',
  ].join('\n');
}

/**
 * argv → flags, with our own messages (#22.12): an unknown flag names the command and the closest
 * known flag; a flag missing its value or given one it does not take says which. Node's parser
 * runs twice: loosely first (its tokens are what we judge), then strictly for the values.
 */
function parseFlags(rest: readonly string[], options: OptionSpec, en: CommandEntry): ParsedArgs {
  const all: OptionSpec = { ...GLOBAL_OPTIONS, ...options };
  const command = en === WIZARD_ENTRY ? 'stack-wizard' : en.name;
  const helpCmd = en === WIZARD_ENTRY ? 'stack-wizard help' : `stack-wizard help ${en.name}`;
  const loose = parseArgs({ args: [...rest], options: all, strict: false, allowPositionals: true, tokens: true });
  for (const tok of loose.tokens) {
    if (tok.kind !== 'option') continue;
    const spec = Object.hasOwn(all, tok.name) ? all[tok.name] : undefined;
    if (!spec) {
      const long = Object.keys(all).map((n) => `--${n}`);
      const shorts = Object.entries(all).flatMap(([, o]) => (o.short ? [`-${o.short}`] : []));
      const suggestion = closest(tok.rawName, tok.rawName.startsWith('--') ? long : [...shorts, ...long]);
      const params = { command, flag: tok.rawName, help: helpCmd, usage: en.usage };
      throw usageError(suggestion ? 'err.unknownFlagSuggest' : 'err.unknownFlag', suggestion ? { ...params, suggestion } : params);
    }
    if (spec.type === 'string' && (tok.value === undefined || (!tok.inlineValue && tok.value.startsWith('-') && tok.value !== '-'))) {
      throw usageError('err.flagNeedsValue', { command, flag: tok.rawName, help: helpCmd });
    }
    if (spec.type === 'boolean' && tok.value !== undefined) throw usageError('err.flagNoValue', { command, flag: tok.rawName, value: tok.value });
  }
  try {
    const r = parseArgs({ args: [...rest], options: all, strict: true, allowPositionals: true });
    return { values: r.values as ParsedArgs['values'], positionals: r.positionals };
  } catch (e) {
    throw new WizardError(EXIT.usage, 'err.badOption', { command, message: (e as Error).message, usage: en.usage });
  }
}

export type MainOptions = Partial<Omit<ContextOptions, 'lang' | 'dryRun'>>;

export async function main(argv: readonly string[], o: MainOptions = {}): Promise<number> {
  const env = o.env ?? process.env;
  const langArg = langFromArgv(argv);
  const lang: Lang = detectLang(langArg, env);
  const t = translator(lang);
  const io = o.io ?? { out: (s: string) => void process.stdout.write(s), err: (s: string) => void process.stderr.write(s) };
  const early = { t, io };
  // A --json run answers in JSON, errors included (#22.13).
  const end = argv.indexOf('--');
  const json = (end < 0 ? argv : argv.slice(0, end)).includes('--json');
  try {
    if (langArg !== undefined && langArg !== 'en' && langArg !== 'zh-CN') {
      throw new WizardError(EXIT.usage, 'err.badLang', { value: langArg });
    }
    const first = argv[0];
    // `help [COMMAND]` and `version` as commands, besides --help and --version.
    if (first === 'version') {
      io.out(`${VERSION}\n`);
      return 0;
    }
    if (first === 'help') {
      const g = parseArgs({ args: argv.slice(1), options: { ...GLOBAL_OPTIONS }, strict: false, allowPositionals: true });
      const name = g.positionals[0];
      if (!name) {
        io.out(helpText(t));
        return 0;
      }
      const target = findCommand(name);
      if (!target) throw new WizardError(EXIT.usage, 'err.unknownCommand', { command: name });
      io.out(await commandHelp(t, target));
      return 0;
    }
    const entry = first && !first.startsWith('-') ? findCommand(first) : undefined;
    if (first && !first.startsWith('-') && !entry) throw new WizardError(EXIT.usage, 'err.unknownCommand', { command: first });
    const rest = entry ? argv.slice(1) : argv;

    if (!entry) {
      const g = parseArgs({ args: [...rest], options: { ...GLOBAL_OPTIONS }, strict: false, allowPositionals: true });
      if (g.values.version) {
        io.out(`${VERSION}\n`);
        return 0;
      }
      if (g.values.help) {
        io.out(helpText(t));
        return 0;
      }
    }

    // No command: the wizard (setup, or the maintenance menu once a stack is installed).
    const en = entry ?? WIZARD_ENTRY;
    const cmd = (await en.load()).default;
    const parsed = parseFlags(rest, cmd.options, en);
    if (parsed.values.help && entry) {
      io.out(await commandHelp(t, entry));
      return 0;
    }
    if (parsed.positionals.length > cmd.maxPositionals) {
      throw new WizardError(EXIT.usage, 'err.extraArgument', { command: en.name, arg: parsed.positionals[cmd.maxPositionals]!, usage: en.usage });
    }
    const ctx = createContext({ ...o, env, io, lang, dryRun: parsed.values['dry-run'] === true });
    return await cmd.run(ctx, parsed);
  } catch (e) {
    return printError(early, e, json);
  }
}
