// argv → command. Builds the Context, runs the command, maps errors to exit codes (docs/CONTRACT.md#commands).
import { parseArgs } from 'node:util';
import { createContext, type Context, type ContextOptions } from './context.js';
import { WizardError, EXIT } from './errors.js';
import { detectLang, translator, type Lang, type T } from './i18n/index.js';
import { COMMANDS, findCommand } from './commands/index.js';
import type { CommandEntry, ParsedArgs } from './commands/types.js';
import { answerFlagsHelp } from './domain/answer-flags.js';
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
    `  stack-wizard --help | --version`,
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

export function printError(ctx: Pick<Context, 't' | 'io'>, e: unknown): number {
  if (e instanceof WizardError) {
    ctx.io.err(`${ctx.t('err.prefix')} ${ctx.t(e.key, e.params)}\n`);
    for (const d of e.details) ctx.io.err(`  ${d}\n`);
    return e.exitCode;
  }
  const msg = e instanceof Error ? e.message : String(e);
  ctx.io.err(`${ctx.t('err.prefix')} ${ctx.t('err.internal', { message: msg })}\n`);
  if (process.env.STACK_WIZARD_DEBUG && e instanceof Error && e.stack) ctx.io.err(`${e.stack}\n`);
  return EXIT.failed;
}

export type MainOptions = Partial<Omit<ContextOptions, 'lang' | 'dryRun'>>;

export async function main(argv: readonly string[], o: MainOptions = {}): Promise<number> {
  const env = o.env ?? process.env;
  const langArg = langFromArgv(argv);
  const lang: Lang = detectLang(langArg, env);
  const t = translator(lang);
  const io = o.io ?? { out: (s: string) => void process.stdout.write(s), err: (s: string) => void process.stderr.write(s) };
  const early = { t, io };
  try {
    if (langArg !== undefined && langArg !== 'en' && langArg !== 'zh-CN') {
      throw new WizardError(EXIT.usage, 'err.badLang', { value: langArg });
    }
    const first = argv[0];
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
    const cmd = (await (entry ?? WIZARD_ENTRY).load()).default;
    let parsed: ParsedArgs;
    try {
      const r = parseArgs({ args: [...rest], options: { ...GLOBAL_OPTIONS, ...cmd.options }, strict: true, allowPositionals: true });
      parsed = { values: r.values as ParsedArgs['values'], positionals: r.positionals };
    } catch (e) {
      const en = entry ?? WIZARD_ENTRY;
      throw new WizardError(EXIT.usage, 'err.badOption', { command: en.name, message: (e as Error).message, usage: en.usage });
    }
    if (parsed.values.help && entry) {
      io.out(`stack-wizard ${entry.usage}\n  ${t(entry.summary)}\n${entry.name === 'init' ? `\n${answerFlagsHelp(t)}` : ''}`);
      return 0;
    }
    if (parsed.positionals.length > cmd.maxPositionals) {
      const en = entry ?? WIZARD_ENTRY;
      throw new WizardError(EXIT.usage, 'err.extraArgument', { command: en.name, arg: parsed.positionals[cmd.maxPositionals]!, usage: en.usage });
    }
    const ctx = createContext({ ...o, env, io, lang, dryRun: parsed.values['dry-run'] === true });
    return await cmd.run(ctx, parsed);
  } catch (e) {
    return printError(early, e);
  }
}
