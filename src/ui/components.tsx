// Small building blocks of the screens. Structural glyphs are ASCII or East-Asian-narrow, so a
// CJK terminal (which draws "ambiguous" characters two columns wide) keeps every column aligned.
import { Box, Text, useInput } from 'ink';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { displayWidth, padEndDisplay } from '../host/report.js';
import type { MsgKey, T } from '../i18n/index.js';

export const POINTER = '>';

/** A one-line text field. Keeps the latest value in a ref: keys that arrive in one chunk must not see a stale value. */
export function TextInput(props: { value: string; onChange: (v: string) => void; focus: boolean; placeholder?: string }) {
  const { value, onChange, focus, placeholder } = props;
  const cur = useRef({ value, cursor: value.length });
  if (cur.current.value !== value) cur.current = { value, cursor: Math.min(cur.current.cursor, value.length) };
  const [, redraw] = useState(0);
  const set = (v: string, c: number) => {
    cur.current = { value: v, cursor: Math.max(0, Math.min(c, v.length)) };
    redraw((n) => n + 1);
    if (v !== value) onChange(v);
  };
  useInput(
    (input, key) => {
      const { value: v, cursor: c } = cur.current;
      if (key.leftArrow) set(v, c - 1);
      else if (key.rightArrow) set(v, c + 1);
      else if (key.home || (key.ctrl && input === 'a')) set(v, 0);
      else if (key.end || (key.ctrl && input === 'e')) set(v, v.length);
      // Most terminals send DEL (0x7f) for Backspace, which Ink reports as `delete`.
      else if (key.backspace || key.delete) {
        if (c > 0) set(v.slice(0, c - 1) + v.slice(c), c - 1);
      } else if (key.ctrl && input === 'u') set(v.slice(c), 0);
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
          {i > 0 ? '  ·  ' : ''}
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

export function Problem({ text, severity = 'error' }: { text: string; severity?: 'error' | 'warn' }) {
  return <Text color={severity === 'error' ? 'red' : 'yellow'}>{`${severity === 'error' ? 'x' : '!'} ${text}`}</Text>;
}

/** A vertical list with a pointer; ↑/↓ move, Enter chooses. */
export function SelectList<V extends string>(props: {
  items: { value: V; label: ReactNode; disabled?: boolean }[];
  index: number;
  onIndex: (i: number) => void;
  onChoose: (v: V) => void;
  active?: boolean;
}) {
  const { items, index, onIndex, onChoose, active = true } = props;
  const ref = useRef(index);
  ref.current = index;
  useInput(
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
  return (
    <Box flexDirection="column">
      {items.map((it, i) => (
        <Box key={it.value}>
          <Text color={i === index ? 'cyan' : undefined}>{i === index ? `${POINTER} ` : '  '}</Text>
          <Box flexDirection="column">{typeof it.label === 'string' ? <Text dimColor={it.disabled}>{it.label}</Text> : it.label}</Box>
        </Box>
      ))}
    </Box>
  );
}
