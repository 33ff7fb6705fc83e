// Small building blocks of the screens. Structural glyphs are ASCII or East-Asian-narrow, so a
// CJK terminal (which draws "ambiguous" characters two columns wide) keeps every column aligned.
import { Box, Text, useInput, useStdout, type Key } from 'ink';
import { createContext, useContext, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import SelectInput, { type IndicatorProps, type ItemProps } from 'ink-select-input';
import { displayWidth, padEndDisplay } from '../host/report.js';
import type { MsgKey, T } from '../i18n/index.js';
import { splitBurst } from './keys.js';
import { ON_RESIZE, type ResizeSubscribe } from './redraw.js';

export const POINTER = '>';

type KeyHandler = (input: string, key: Key) => void;

/**
 * One key listener for the whole wizard, handing each key to the screens' handlers one at a time.
 * React commits a key's changes (a new screen, a moved focus) in a later tick, and Ink attaches a
 * new screen's useInput later still; keys that arrive together (typed fast, pasted, sent by a
 * script or over a slow link) went to the screen that was already gone. Here the next key waits
 * until the previous one's changes are committed, and handlers register as their screen commits.
 * "Committed" is told by React itself (see Settle): while a commit's passive effects are still
 * pending, React holds the next render until its scheduler has run them, which on a busy host
 * comes after any fixed wait (one setImmediate let a field take text meant for the next one).
 */
export class KeyHub {
  private readonly handlers = new Set<{ current: KeyHandler | null }>();
  private readonly queue: [string, Key][] = [];
  private held = false;
  add(h: { current: KeyHandler | null }) {
    this.handlers.add(h);
    return () => void this.handlers.delete(h);
  }
  dispatch(input: string, key: Key) {
    // Ink hands over "name\r" or "\x7f\x7f" arriving in one read as one string: each key in it counts.
    this.queue.push(...splitBurst(input, key));
    this.pump();
  }
  /** Set by KeyScope's Settle: asks React for a render queued behind the key's own changes. */
  settle: (() => void) | null = null;
  private pump() {
    if (this.held) return;
    const next = this.queue.shift();
    if (!next) return;
    for (const h of [...this.handlers]) h.current?.(...next);
    this.held = true;
    if (this.settle) this.settle();
    else this.settled();
  }
  /** The last key's changes are on screen (Settle's commit): the next key goes once that commit is done. */
  settled() {
    setImmediate(() => {
      this.held = false;
      this.pump();
    });
  }
}

/**
 * Renders nothing; its state changes after every key, so its commit is the one that holds the
 * key's changes (updates of one key render together), and its layout effect lets the next key go.
 */
function Settle({ hub }: { hub: KeyHub }) {
  const [n, setN] = useState(0);
  useLayoutEffect(() => {
    hub.settle = () => setN((x) => x + 1);
    return () => {
      hub.settle = null;
    };
  }, [hub]);
  useLayoutEffect(() => {
    if (n > 0) hub.settled();
  }, [n]);
  return null;
}
export const KeyContext = createContext<KeyHub | null>(null);

/** Gives its children one key listener (a KeyHub), unless they already have one. */
export function KeyScope({ children }: { children: ReactNode }) {
  const parent = useContext(KeyContext);
  const hub = useRef(new KeyHub()).current;
  useInput((input, key) => hub.dispatch(input, key), { isActive: !parent });
  return parent ? (
    <>{children}</>
  ) : (
    <KeyContext.Provider value={hub}>
      <Settle hub={hub} />
      <TerminalSize>{children}</TerminalSize>
    </KeyContext.Provider>
  );
}

/** Like Ink's useInput, through the KeyHub when there is one (the wizard), else Ink's own (a screen alone). */
export function useKeys(handler: KeyHandler, options: { isActive?: boolean } = {}) {
  const hub = useContext(KeyContext);
  const active = options.isActive !== false;
  const ref = useRef<KeyHandler | null>(null);
  ref.current = active ? handler : null;
  useLayoutEffect(() => (hub ? hub.add(ref) : undefined), [hub]);
  useInput(
    (i, k) => {
      for (const [input, key] of splitBurst(i, k)) ref.current?.(input, key);
    },
    { isActive: active && !hub },
  );
}

export interface TermSize { columns: number; rows: number }
const SizeContext = createContext<TermSize | null>(null);
const sizeOf = (out: NodeJS.WriteStream): TermSize => ({ columns: out.columns || 80, rows: out.rows || 24 });

/**
 * The terminal's size for everything under it, drawn afresh when the terminal is resized (#22.6):
 * text wrapped for the old width was cut mid-word by Ink's own wrapping, and a frame sized for
 * more rows than are left scrolled its header away. One listener for the whole tree.
 */
export function TerminalSize({ children }: { children: ReactNode }) {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => ({ ...sizeOf(stdout), resizes: 0 }));
  useEffect(() => {
    const on = () => setSize((s) => ({ ...sizeOf(stdout), resizes: s.resizes + 1 }));
    // On the wizard's terminal (redraw.ts) only this hears of a resize; elsewhere the stream's event.
    const subscribe = (stdout as { [ON_RESIZE]?: ResizeSubscribe })[ON_RESIZE];
    if (subscribe) return subscribe(on);
    stdout.on('resize', on);
    return () => void stdout.off('resize', on);
  }, [stdout]);
  const value = useMemo(() => ({ columns: size.columns, rows: size.rows }), [size]);
  // After a resize the screen was blanked (redraw.ts): a trailing blank line, there on every other
  // resize, makes this frame differ from the last so Ink writes it whole, also when nothing re-wrapped
  // (Ink writes nothing for a frame equal to the one before).
  return (
    <SizeContext.Provider value={value}>
      {children}
      {size.resizes % 2 === 1 ? <Text> </Text> : null}
    </SizeContext.Provider>
  );
}

/** Columns and rows now: from TerminalSize (follows resizes), else as the stream says at this render. */
export function useTermSize(): TermSize {
  const size = useContext(SizeContext);
  const { stdout } = useStdout();
  return size ?? sizeOf(stdout);
}

const isWide = (ch: string) => displayWidth(ch) === 2;
/** Punctuation that must not begin a line (the character before it goes down to the next line with it). */
const NO_LINE_START = new Set([...'，。、；：？！）」』》〉】”’,.;:?!)]}']);

/**
 * Wraps by display width. Chinese may break between any two characters, Latin words only at
 * spaces (Ink's own wrapping breaks at spaces only, which leaves half-empty lines in Chinese).
 */
export function wrapDisplay(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    const tokens = para.match(/[^\s\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]+|\s+|./gu) ?? [];
    let line = '';
    let w = 0;
    for (const tok of tokens) {
      const tw = displayWidth(tok);
      if (/^\s+$/.test(tok)) {
        if (w + tw <= width && line !== '') {
          line += tok;
          w += tw;
        }
        continue;
      }
      if (w + tw > width && line.trim() !== '') {
        // Closing punctuation never starts a line, and never passes the edge either (a terminal
        // would wrap it on its own): the character (or Latin word) before it goes down with it.
        const kept = line.trimEnd();
        const carry = NO_LINE_START.has(tok[0]!) ? (/(?:[^\s\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]+|.)$/u.exec(kept)?.[0] ?? '') : '';
        const before = kept.slice(0, kept.length - carry.length).trimEnd();
        if (carry && before !== '' && displayWidth(carry) + tw <= width) {
          out.push(before);
          line = carry;
          w = displayWidth(carry);
        } else {
          out.push(kept);
          line = '';
          w = 0;
        }
      }
      // A Latin word longer than the whole line is cut hard.
      let rest = tok;
      while (displayWidth(rest) > width && !isWide(rest[0]!)) {
        out.push(rest.slice(0, width));
        rest = rest.slice(width);
      }
      line += rest;
      w += displayWidth(rest);
    }
    out.push(line.trimEnd());
  }
  return out;
}

/**
 * A paragraph wrapped to the terminal by display width; `indent` columns are kept free on the
 * left, and lines after the first are indented `hang` more (numbered lists).
 */
export function Para(props: { text: string; indent?: number; hang?: number; color?: string; dimColor?: boolean; bold?: boolean }) {
  const { columns } = useTermSize();
  const indent = props.indent ?? 0;
  const hang = props.hang ?? 0;
  const lines = wrapDisplay(props.text, Math.max(20, columns - indent - hang - 1)).map((l, i) => (i > 0 && l ? ' '.repeat(hang) + l : l));
  return (
    <Box flexDirection="column" marginLeft={indent}>
      {lines.map((l, i) => (
        <Text key={i} color={props.color} dimColor={props.dimColor} bold={props.bold}>
          {l === '' ? ' ' : l}
        </Text>
      ))}
    </Box>
  );
}

/** A one-line text field. Keeps the latest value in a ref: keys that arrive in one chunk must not see a stale value. */
export function TextInput(props: { value: string; onChange: (v: string) => void; focus: boolean; placeholder?: string }) {
  const { value, onChange, focus, placeholder } = props;
  const cur = useRef({ value, cursor: value.length });
  if (cur.current.value !== value) cur.current = { value, cursor: Math.min(cur.current.cursor, value.length) };
  // Ink detaches a key handler only in an effect after the render, so a key typed right after
  // focus moved on could still reach this field; the render-time ref says whether it is ours.
  const focused = useRef(focus);
  focused.current = focus;
  const [, redraw] = useState(0);
  const set = (v: string, c: number) => {
    cur.current = { value: v, cursor: Math.max(0, Math.min(c, v.length)) };
    redraw((n) => n + 1);
    if (v !== value) onChange(v);
  };
  useKeys(
    (input, key) => {
      if (!focused.current) return;
      const { value: v, cursor: c } = cur.current;
      if (key.leftArrow) set(v, c - 1);
      else if (key.rightArrow) set(v, c + 1);
      else if (key.home || (key.ctrl && input === 'a')) set(v, 0);
      else if (key.end || (key.ctrl && input === 'e')) set(v, v.length);
      // Most terminals send DEL (0x7f) for Backspace, which Ink reports as `delete`.
      else if (key.backspace || key.delete) {
        if (c > 0) set(v.slice(0, c - 1) + v.slice(c), c - 1);
      } else if (key.ctrl && input === 'u') set('', 0); // clears the field (the footer says so)
      else if (!key.ctrl && !key.meta && !key.return && !key.tab && !key.escape && !key.upArrow && !key.downArrow && !key.pageUp && !key.pageDown && input) {
        // Pasted text may carry line breaks or other control characters: a field is one line.
        const text = [...input].filter((ch) => ch >= ' ' && ch !== '\u007f').join('');
        if (text) set(v.slice(0, c) + text + v.slice(c), c + text.length);
      }
    },
    { isActive: focus },
  );
  const { cursor } = cur.current;
  if (!focus) return <Text>{value === '' && placeholder ? <Text dimColor>{placeholder}</Text> : value}</Text>;
  if (value === '') {
    return (
      <Text>
        <Text inverse> </Text>
        {placeholder ? <Text dimColor>{placeholder}</Text> : null}
      </Text>
    );
  }
  const chars = [...value];
  return (
    <Text>
      {chars.slice(0, cursor).join('')}
      <Text inverse>{chars[cursor] ?? ' '}</Text>
      {chars.slice(cursor + 1).join('')}
    </Text>
  );
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
export function Spinner() {
  const [i, setI] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setI((n) => (n + 1) % SPINNER.length), 80);
    return () => clearInterval(timer);
  }, []);
  return <Text color="cyan">{SPINNER[i]}</Text>;
}

export function ProgressBar({ fraction, width = 30 }: { fraction: number; width?: number }) {
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.round(f * width);
  return (
    <Text>
      [<Text color="green">{'='.repeat(full)}</Text>
      {' '.repeat(width - full)}] {String(Math.round(f * 100)).padStart(3)}%
    </Text>
  );
}

export type Hint = [key: string, label: MsgKey];
export function KeyHints({ t, hints }: { t: T; hints: Hint[] }) {
  return (
    <Text dimColor>
      {hints.map(([k, label], i) => (
        <Text key={k}>
          {i > 0 ? ` ${t('ui.sep')} ` : ''}
          <Text bold>{k}</Text> {t(label)}
        </Text>
      ))}
    </Text>
  );
}

/** Label/value rows; the label column is as wide as the widest label by display width (CJK counts two). */
export function Rows({ rows, indent = 0 }: { rows: [string, ReactNode][]; indent?: number }) {
  const w = Math.max(0, ...rows.map(([k]) => displayWidth(k)));
  return (
    <Box flexDirection="column">
      {rows.map(([k, v], i) => (
        <Box key={i}>
          <Box width={indent + w + 2} flexShrink={0}>
            <Text>
              {' '.repeat(indent)}
              <Text bold>{padEndDisplay(k, w)}</Text>
            </Text>
          </Box>
          <Box flexGrow={1}>{typeof v === 'string' ? <Text>{v}</Text> : v}</Box>
        </Box>
      ))}
    </Box>
  );
}

export function Frame(props: { t: T; title: string; step?: string; hints: Hint[]; children: ReactNode }) {
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold color="cyan">stack-wizard</Text>
        {props.step ? <Text dimColor>{`  ${props.step}`}</Text> : null}
        <Text>{'  '}</Text>
        <Text bold>{props.title}</Text>
      </Text>
      <Box marginTop={1} flexDirection="column">
        {props.children}
      </Box>
      <Box marginTop={1}>
        <KeyHints t={props.t} hints={props.hints} />
      </Box>
    </Box>
  );
}

export function Problem({ text, severity = 'error', indent = 0 }: { text: string; severity?: 'error' | 'warn'; indent?: number }) {
  return <Para text={`${severity === 'error' ? 'x' : '!'} ${text}`} color={severity === 'error' ? 'red' : 'yellow'} indent={indent} />;
}

/** The pointer column of a list row (ASCII: one column wide in every terminal, CJK ones too). */
function RowPointer({ isSelected = false }: IndicatorProps) {
  return <Text color={isSelected ? 'cyan' : undefined}>{isSelected ? `${POINTER} ` : '  '}</Text>;
}

/** What a list row carries besides ink-select-input's label: a richer label, and whether it can be chosen. */
interface RowExtra { node?: ReactNode; disabled?: boolean }
/** A row's text (or its richer label), dimmed when it cannot be chosen. */
function RowLabel(props: ItemProps) {
  const { label, node, disabled } = props as ItemProps & RowExtra;
  return <Box flexDirection="column">{node ?? <Text dimColor={disabled}>{label}</Text>}</Box>;
}

/**
 * A vertical list with a pointer; ↑/↓ move (stopping at the ends), Enter chooses, a disabled row
 * cannot be chosen. Drawn by ink-select-input with our pointer and row components; its own keys
 * are off (isFocused false): they would bypass the KeyHub (keys arriving together see a stale
 * row), wrap around at the ends and choose a row on 1-9 (docs/ARCHITECTURE.md#adding-a-screen).
 * The highlighted row is ours, so the list is drawn afresh (a new key) when it moves.
 */
export function SelectList<V extends string>(props: {
  items: { value: V; label: ReactNode; disabled?: boolean }[];
  index: number;
  onIndex: (i: number) => void;
  onChoose: (v: V) => void;
  active?: boolean;
}) {
  const { items, index, onIndex, onChoose, active = true } = props;
  const at = Math.max(0, Math.min(index, items.length - 1));
  const ref = useRef(at);
  ref.current = at;
  useKeys(
    (_input, key) => {
      if (key.upArrow) onIndex((ref.current = Math.max(0, ref.current - 1)));
      else if (key.downArrow) onIndex((ref.current = Math.min(items.length - 1, ref.current + 1)));
      else if (key.return) {
        const it = items[ref.current];
        if (it && !it.disabled) onChoose(it.value);
      }
    },
    { isActive: active },
  );
  const rows = items.map((it): { value: V; label: string } & RowExtra =>
    typeof it.label === 'string' ? { value: it.value, label: it.label, disabled: it.disabled } : { value: it.value, label: '', node: it.label, disabled: it.disabled },
  );
  return (
    <SelectInput
      key={`${at}\u0000${items.map((it) => it.value).join('\u0000')}`}
      items={rows}
      initialIndex={at}
      isFocused={false}
      indicatorComponent={RowPointer}
      itemComponent={RowLabel}
    />
  );
}
