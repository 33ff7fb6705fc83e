// Keys that arrive in one read (#22.5) and a terminal resized under the wizard (#22.6): every key in
// a burst counts, each written here as one stdin.write as a laggy SSH link delivers it; a resize
// draws the frame once at the new width, text re-wrapped by word and long values under their column.
import { EventEmitter } from 'node:events';
import type { Key } from 'ink';
import { Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import { useState } from 'react';
import { afterEach, describe, expect, test } from 'vitest';
import { translator, type Lang } from '../../../src/i18n/index.js';
import { Frame, KeyScope, TextInput } from '../../../src/ui/components.js';
import { Form } from '../../../src/ui/form.js';
import { splitBurst } from '../../../src/ui/keys.js';
import { FORMS, initialTouched, initialValues } from '../../../src/ui/model/forms.js';
import { validateForm } from '../../../src/ui/model/validate.js';
import { CLEAR_SCREEN, ON_RESIZE, redrawingStdout, type ResizeSubscribe } from '../../../src/ui/redraw.js';
import { FORM_HINTS } from '../../../src/ui/wizard/setup.js';
import type { Draft } from '../../../src/domain/draft.js';
import { KEY, flat, plain, press, waitFor, waitText } from './helpers.js';

afterEach(() => cleanup());

const key = (o: Partial<Key> = {}) =>
  ({
    upArrow: false,
    downArrow: false,
    leftArrow: false,
    rightArrow: false,
    pageDown: false,
    pageUp: false,
    home: false,
    end: false,
    return: false,
    escape: false,
    ctrl: false,
    shift: false,
    tab: false,
    backspace: false,
    delete: false,
    meta: false,
    ...o,
  }) as Key;
/** A key as [input, the flags set]. */
const named = (keys: [string, Key][]) =>
  keys.map(([i, k]) => [
    i,
    Object.entries(k)
      .filter(([, v]) => v === true)
      .map(([n]) => n)
      .join('+'),
  ]);

describe('splitBurst', () => {
  test('each control character is a key of its own; text runs stay whole', () => {
    expect(named(splitBurst('\u007f\u007f', key()))).toEqual([
      ['', 'delete'],
      ['', 'delete'],
    ]);
    expect(named(splitBurst('ab\u007f\u007fc', key()))).toEqual([
      ['ab', ''],
      ['', 'delete'],
      ['', 'delete'],
      ['c', ''],
    ]);
    expect(named(splitBurst('x\u0015yz', key()))).toEqual([
      ['x', ''],
      ['u', 'ctrl'],
      ['yz', ''],
    ]);
    expect(named(splitBurst('name\r\nnext\t\b\u0003', key()))).toEqual([
      ['name', ''],
      ['', 'return'],
      ['next', ''],
      ['', 'tab'],
      ['', 'backspace'],
      ['c', 'ctrl'],
    ]);
  });

  test('a single key, a named one or text without control characters is handed on as it came', () => {
    const del = key({ delete: true });
    expect(splitBurst('', del)).toEqual([['', del]]);
    expect(splitBurst('\u007f', key())).toEqual([['\u007f', key()]]);
    expect(splitBurst('pasted text', key())).toEqual([['pasted text', key()]]);
    const meta = key({ meta: true });
    expect(splitBurst('\u007f\u007f', meta)).toEqual([['\u007f\u007f', meta]]);
  });
});

/** A field alone (no KeyScope: Ink's own useInput) or in one, showing its value between bars. */
function Field({ start }: { start: string }) {
  const [v, setV] = useState(start);
  return (
    <Text>
      |<TextInput value={v} onChange={setV} focus />|{`value=${v}`}
    </Text>
  );
}

describe('key bursts in a text field', () => {
  test.each([
    ['in the wizard (KeyScope)', true],
    ['a screen alone', false],
  ] as const)(
    '%s: six Backspaces in one read delete six characters; mixed and Ctrl-U bursts count every key',
    async (_name, scoped) => {
      const r = render(
        scoped ? (
          <KeyScope>
            <Field start="" />
          </KeyScope>
        ) : (
          <Field start="" />
        ),
      );
      const frame = plain(r.lastFrame);
      await press(r.stdin, 'demoqwerty');
      await waitText(frame, 'value=demoqwerty');
      r.stdin.write('\u007f'.repeat(6));
      await waitText(frame, 'value=demo|'.slice(0, -1));
      await waitFor(frame, (f) => /value=demo$/m.test(f), 'value=demo');
      // Text, a Backspace and more text in one read (fast typing over SSH).
      r.stdin.write('xy\u007fz');
      await waitFor(frame, (f) => /value=demoxz$/m.test(f), 'value=demoxz');
      // Ctrl-U clears the whole field, and the text after it in the same read is kept.
      r.stdin.write('\u0015shop');
      await waitFor(frame, (f) => /value=shop$/m.test(f), 'value=shop');
      // A paste with a line break: one line, the break dropped by the field, Backspace after it counts.
      r.stdin.write('-api\u007f\u007f\u007f\u007f-web');
      await waitFor(frame, (f) => /value=shop-web$/m.test(f), 'value=shop-web');
    },
  );

  test('in a form: a burst of Backspaces then Enter edits the field and moves on, in one read', async () => {
    const t = translator('en');
    const def = FORMS.app;
    const r = render(
      <KeyScope>
        <Form
          t={t}
          def={def}
          initial={initialValues(def, {})}
          initialTouched={initialTouched(def, {})}
          given={new Set()}
          validate={(v) => validateForm(def, v, {}, t, new Set())}
          onSubmit={() => null}
        />
      </KeyScope>,
    );
    const frame = plain(r.lastFrame);
    await waitText(frame, 'Project name');
    await press(r.stdin, 'shopxxx');
    await waitText(frame, 'shopxxx');
    r.stdin.write('\u007f\u007f\u007f\r');
    const f = await waitText(frame, '> App image');
    expect(f).toMatch(/ {2}Project name {2}shop$/m);
  });
});

describe('the edit keys in the footer', () => {
  test.each([
    ['en', 'Enter next', 'Backspace delete', 'Ctrl-U clear', 'Esc back'],
    ['zh-CN', 'Enter 下一项', 'Backspace 删除', 'Ctrl-U 清空', 'Esc 返回'],
  ] as const)('%s', async (lang, ...want) => {
    const t = translator(lang as Lang);
    const r = render(
      <Frame t={t} title="x" hints={FORM_HINTS}>
        <Text>body</Text>
      </Frame>,
    );
    const f = flat(await waitText(plain(r.lastFrame), 'body'));
    for (const w of want) expect(f).toContain(w);
  });
});

const LONG_IMAGE = 'registry.example.com/platform-team/a-rather-long-repository-name-for-the-api:1.4.2-build.20261207';

describe('resize', () => {
  /** The app form with a long image in a KeyScope (which follows the terminal's size), inside a Frame. */
  function mountApp(lang: Lang) {
    const t = translator(lang);
    const def = FORMS.app;
    const draft: Draft = { app: { image: LONG_IMAGE } };
    const r = render(
      <KeyScope>
        <Frame t={t} title={t(def.title)} step={t('ui.step', { n: 2, of: 8 })} hints={FORM_HINTS}>
          <Form
            t={t}
            def={def}
            initial={initialValues(def, draft)}
            initialTouched={initialTouched(def, draft)}
            given={new Set()}
            validate={(v) => validateForm(def, v, draft, t, new Set())}
            onSubmit={() => null}
          />
        </Frame>
      </KeyScope>,
    );
    let columns = 100;
    Object.defineProperty(r.stdout, 'columns', { get: () => columns, configurable: true });
    const resize = (c: number) => {
      columns = c;
      r.stdout.emit('resize');
    };
    return { ...r, t, def, frame: plain(r.lastFrame), resize };
  }

  test.each(['en', 'zh-CN'] as const)(
    '%s: narrower then wider, one header, the intro re-wrapped by word, the long image under its own column',
    async (lang) => {
      const { frame, resize, t, def } = mountApp(lang);
      await waitText(frame, 'stack-wizard');
      const label = t('ui.f.image');
      for (const cols of [60, 44, 100]) {
        resize(cols);
        const f = await waitFor(
          frame,
          (x) => x.split('\n').every((l) => l.length <= cols) && x.includes(label),
          `a frame ${cols} wide`,
        );
        const lines = f.split('\n');
        // The frame is drawn once: one header.
        expect(lines.filter((l) => l.startsWith('stack-wizard')).length).toBe(1);
        // The intro is wrapped by word at this width: joined again it is the text as written.
        expect(flat(f)).toContain(flat(t(def.intro!)));
        // The image wraps under its own column (the labels' width + pointer + 2), never back to column 0.
        const at = lines.findIndex((l) => l.includes(label));
        const col = lines[at]!.indexOf(LONG_IMAGE.slice(0, 10));
        expect(col).toBeGreaterThan(label.length);
        let rest = lines[at]!.slice(col);
        for (let i = at + 1; !rest.replace(/\s+/g, '').includes(LONG_IMAGE) && i < lines.length; i++) {
          expect(lines[i]!.slice(0, col).trim(), `line ${i} at ${cols} columns:\n${f}`).toBe('');
          rest += lines[i]!.slice(col);
        }
        if (cols < 100) expect(lines[at + 1]!.slice(col)).not.toBe('');
        expect(rest.replace(/\s+/g, '')).toContain(LONG_IMAGE);
      }
    },
  );
});

describe('redrawingStdout', () => {
  function fakeTerminal(columns: number) {
    const out = Object.assign(new EventEmitter(), { columns, rows: 24, isTTY: true, written: [] as string[] });
    (out as unknown as { write: (s: string) => boolean }).write = (s: string) => {
      out.written.push(s);
      return true;
    };
    return out;
  }

  test("a resize blanks the screen from the top, then TerminalSize hears of it; Ink does not; other events and writes are the terminal's own", () => {
    const term = fakeTerminal(80);
    const ink = redrawingStdout(term as unknown as NodeJS.WriteStream);
    // Ink's own handler: never called (it would draw the old tree at the new width first).
    const inkSaw: number[] = [];
    ink.on('resize', () => inkSaw.push(ink.columns));
    expect(term.listenerCount('resize')).toBe(0);
    const seen: number[] = [];
    const off = (ink as unknown as Record<symbol, ResizeSubscribe>)[ON_RESIZE]!(() => seen.push(ink.columns));
    expect(term.listenerCount('resize')).toBe(1);
    term.columns = 120;
    term.emit('resize');
    expect(term.written).toEqual([CLEAR_SCREEN]);
    term.columns = 50;
    term.emit('resize');
    expect(seen).toEqual([120, 50]);
    expect(inkSaw).toEqual([]);
    expect(term.written).toEqual([CLEAR_SCREEN, CLEAR_SCREEN]);
    // Not "clear screen" (ED 2), which terminals copy into the scrollback: erase below the top left.
    expect(CLEAR_SCREEN).toBe('\u001B[H\u001B[J');
    expect(ink.rows).toBe(24);
    ink.write('frame');
    expect(term.written.at(-1)).toBe('frame');
    const other = () => {};
    ink.on('drain', other);
    expect(term.listenerCount('drain')).toBe(1);
    ink.off('drain', other);
    off();
    expect(term.listenerCount('resize')).toBe(0);
  });
});

test('Esc and arrows still arrive as Ink named them (not split)', async () => {
  const r = render(
    <KeyScope>
      <Field start="ab" />
    </KeyScope>,
  );
  const frame = plain(r.lastFrame);
  await waitText(frame, 'value=ab');
  await press(r.stdin, KEY.left, KEY.left, 'x');
  await waitFor(frame, (f) => /value=xab$/m.test(f), 'value=xab');
});
