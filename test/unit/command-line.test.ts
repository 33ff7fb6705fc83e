// A command typed as one line is split as a shell splits it, without a shell (#22.11); a line
// whose meaning needs a shell is refused with the reason, in both languages.
import { describe, expect, it } from 'vitest';
import { joinCommandLine, splitCommandLine } from '../../src/domain/command-line.js';
import { draftFromFlags } from '../../src/domain/answer-flags.js';
import { parseAnswers } from '../../src/domain/load.js';
import { WizardError } from '../../src/errors.js';
import { translator } from '../../src/i18n/index.js';
import { decode, encode } from '../../src/ui/model/forms.js';

const argvOf = (line: string) => {
  const r = splitCommandLine(line);
  if (!('argv' in r)) throw new Error(`refused: ${JSON.stringify(r)}`);
  return r.argv;
};

describe('splitting like sh, without sh', () => {
  it('words, quotes and escapes as a POSIX shell reads them', () => {
    expect(argvOf('celery -A app worker --loglevel "info"')).toEqual([
      'celery',
      '-A',
      'app',
      'worker',
      '--loglevel',
      'info',
    ]);
    expect(argvOf("  gunicorn\t'app:create_app()'  -b 0.0.0.0:8000 ")).toEqual([
      'gunicorn',
      'app:create_app()',
      '-b',
      '0.0.0.0:8000',
    ]);
    expect(argvOf('echo "a b" c\\ d \'e "f" g\'')).toEqual(['echo', 'a b', 'c d', 'e "f" g']);
    expect(argvOf('run --name="my app" x')).toEqual(['run', '--name=my app', 'x']);
    expect(argvOf('say "q\\"uote" "back\\\\slash" "keep\\n"')).toEqual(['say', 'q"uote', 'back\\slash', 'keep\\n']);
    expect(argvOf("a '' b")).toEqual(['a', '', 'b']);
    expect(argvOf('a\\|b "x|y" \'$HOME\' "*.py" \\$PATH')).toEqual(['a|b', 'x|y', '$HOME', '*.py', '$PATH']);
    expect(argvOf('python -m app --opt=a=b')).toEqual(['python', '-m', 'app', '--opt=a=b']);
    expect(argvOf('node app.js a#b')).toEqual(['node', 'app.js', 'a#b']);
  });

  it('refuses what only a shell can do, naming what and where', () => {
    const cases: [string, string, string, number][] = [
      ['celery worker | tee log', 'pipe', '|', 15],
      ['migrate && serve', 'list', '&&', 9],
      ['a || b', 'list', '||', 3],
      ['a; b', 'list', ';', 2],
      ['serve &', 'list', '&', 7],
      ['serve > log', 'redirect', '>', 7],
      ['serve 2>>log', 'redirect', '>>', 8],
      ['serve < in', 'redirect', '<', 7],
      ['serve --at $(date)', 'substitution', '$(', 12],
      ['serve `date`', 'substitution', '`', 7],
      ['serve "$(date)"', 'substitution', '$(', 8],
      ['serve $PORT', 'variable', '$', 7],
      ['serve "${PORT}"', 'variable', '$', 8],
      ['rm *.pyc', 'glob', '*', 4],
      ['ls file?', 'glob', '?', 8],
      ['ls [ab]', 'glob', '[', 4],
      ['run ~/app', 'tilde', '~', 5],
      ['FOO=1 serve', 'assignment', 'FOO=', 1],
      ['(cd x)', 'subshell', '(', 1],
      ['a\nb', 'newline', '\n', 2],
      ['say "open', 'unterminated', '"', 5],
      ["say 'open", 'unterminated', "'", 5],
      ['say x\\', 'unterminated', '\\', 6],
    ];
    for (const [line, feature, text, at] of cases) expect(splitCommandLine(line), line).toEqual({ feature, text, at });
    // Only the leading word is an assignment; later ones are plain arguments.
    expect(argvOf('serve FOO=1')).toEqual(['serve', 'FOO=1']);
    // A comment only starts a word.
    expect(splitCommandLine('serve # later')).toEqual({ feature: 'comment', text: '#', at: 7 });
  });

  it('argv shown as a line splits back to the same argv', () => {
    for (const argv of [
      ['celery', '-A', 'app', 'worker'],
      ['sh', '-c', 'a && b'],
      ["it's", 'a b', ''],
      ['A=b', 'c=d'],
      ['*.py', '~x', '#y'],
    ]) {
      expect(argvOf(joinCommandLine(argv)), JSON.stringify(argv)).toEqual(argv);
    }
  });
});

describe('where a command is typed', () => {
  it('the wizard field: the same split, and the refusal in the operator language', () => {
    expect(decode('command', 'celery -A app worker --loglevel "info"')).toEqual({
      value: ['celery', '-A', 'app', 'worker', '--loglevel', 'info'],
    });
    const r = decode('command', 'celery worker | tee log');
    expect(r).toEqual({ problem: 'v.cmdline.pipe', params: { text: '|', at: 15 } });
    const p = r as { problem: 'v.cmdline.pipe'; params: { text: string; at: number } };
    expect(translator('en')(p.problem, p.params)).toMatch(
      /^a pipe \("\|" at character 15\) needs a shell, and stack-wizard runs this command without one: put the line in a script/,
    );
    expect(translator('zh-CN')(p.problem, p.params)).toMatch(
      /^管道（第 15 个字符处的“\|”）需要 shell，而 stack-wizard 不经 shell 运行此命令/,
    );
    expect(encode('command', ['sh', '-c', 'a && b'])).toBe("sh -c 'a && b'");
  });

  it('--worker-command and --migrate', () => {
    const ok = draftFromFlags({
      'worker-command': 'celery -A app worker --loglevel "info"',
      migrate: 'python manage.py migrate --noinput',
    });
    expect(ok.problems).toEqual([]);
    expect(ok.draft).toMatchObject({
      app: {
        workerCommand: ['celery', '-A', 'app', 'worker', '--loglevel', 'info'],
        migrate: ['python', 'manage.py', 'migrate', '--noinput'],
      },
    });
    const bad = draftFromFlags({ 'worker-command': 'celery worker; echo done' });
    expect(bad.problems).toMatchObject([
      { flag: '--worker-command', key: 'v.cmdline.list', params: { text: ';', at: 14 } },
    ]);
  });

  it('the answers file: a string command or worker command is split; one needing a shell is refused naming the field', () => {
    const base = 'project: shop\napp:\n  image: ghcr.io/acme/shop:1.0\n';
    const a = parseAnswers(`${base}  command: gunicorn 'app:create()' -b "0.0.0.0:8000"\n`, 'a.yaml', translator('en'));
    expect(a.app.command).toEqual(['gunicorn', 'app:create()', '-b', '0.0.0.0:8000']);
    const list = parseAnswers(
      `${base}  workerCommand: [celery, worker]\ncomponents: { worker: true }\n`,
      'a.yaml',
      translator('en'),
    );
    expect(list.app.workerCommand).toEqual(['celery', 'worker']);
    for (const lang of ['en', 'zh-CN'] as const) {
      try {
        parseAnswers(
          `${base}  workerCommand: "celery worker > /tmp/log"\ncomponents: { worker: true }\n`,
          'a.yaml',
          translator(lang),
        );
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(WizardError);
        const text = (e as WizardError).details.join('\n');
        expect(text).toContain('app.workerCommand');
        expect(text).toContain(
          lang === 'en'
            ? 'a redirection (">" at character 15) needs a shell'
            : '重定向（第 15 个字符处的“>”）需要 shell',
        );
      }
    }
  });
});
