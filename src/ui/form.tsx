// A generic form screen: fields from a FormDef (src/ui/model/forms.ts), values as text/toggles/choices.
// ↑/↓/Tab move, ←/→ or Space change a choice, Space flips a toggle, Enter goes to the next field
// and on the last one submits. Checks come in as callbacks; the form itself does no I/O.
import { Box, Text } from 'ink';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { isGiven } from '../domain/draft.js';
import { displayWidth, padEndDisplay } from '../host/report.js';
import type { T } from '../i18n/index.js';
import { POINTER, Para, Problem, TextInput, useKeys, useTermSize } from './components.js';
import { visibleFields, type FieldDef, type FormDef, type FormValues, type Option } from './model/forms.js';
import { hasErrors, type Problems } from './model/validate.js';

export interface FormProps {
  t: T;
  def: FormDef;
  initial: FormValues;
  initialTouched?: ReadonlySet<string>;
  /** Answers fixed by a flag or the answers file: shown, not asked. */
  given: ReadonlySet<string>;
  validate: (v: FormValues) => Problems;
  /** Checks that need the controller (ports in use, fit); null when the form may be left. */
  onSubmit: (v: FormValues) => Promise<Problems | null> | Problems | null;
  /** Lines under the fields that follow the values (memory per service). */
  footer?: (v: FormValues) => ReactNode;
  /** Every change, so a screen left with Esc comes back as it was; `touched`: the fields the operator changed. */
  onChange?: (v: FormValues, touched: ReadonlySet<string>) => void;
  /** Text for a field's label when the def has none of its own (mirror kinds). */
  labelText?: (f: FieldDef) => string | undefined;
  /** A test run on the values as typed (Ctrl+T): its hint under the form, its lines shown when it ends. */
  action?: { hint: string; running: string; run: (v: FormValues) => Promise<string[]> };
}

const optionText = (t: T, o: Option) => o.text ?? (o.label ? t(o.label) : o.value);

export function Form(props: FormProps) {
  const { t, def, given } = props;
  const { columns } = useTermSize();
  const norm = (v: FormValues, touched: ReadonlySet<string>) => (def.normalize ? def.normalize(v, touched) : v);
  const touched = useRef(new Set(props.initialTouched ?? []));
  const values = useRef<FormValues>(norm(props.initial, touched.current));
  const [, redraw] = useState(0);
  const [problems, setProblems] = useState<Problems>({});
  const [busy, setBusy] = useState(false);
  const [actionLines, setActionLines] = useState<string[] | null>(null);
  const [acting, setActing] = useState(false);
  const editable = () => visibleFields(def, values.current).filter((f) => !isGiven(given, f.path));
  const [focus, setFocus] = useState(0);
  const focusRef = useRef(0);
  const moveFocus = (i: number) => {
    const n = editable().length;
    focusRef.current = Math.max(0, Math.min(n - 1, i));
    setFocus(focusRef.current);
  };

  // Untouched fields follow a changed initial value (a mirror measurement that arrives late).
  const lastInitial = useRef(props.initial);
  useEffect(() => {
    if (lastInitial.current === props.initial) return;
    lastInitial.current = props.initial;
    const next = { ...values.current };
    for (const [k, v] of Object.entries(props.initial)) if (!touched.current.has(k)) next[k] = v;
    values.current = norm(next, touched.current);
    redraw((n) => n + 1);
  });

  const setValue = (path: string, v: string | boolean) => {
    touched.current.add(path);
    values.current = norm({ ...values.current, [path]: v }, touched.current);
    props.onChange?.(values.current, touched.current);
    if (problems[path] || problems['']) {
      const { [path]: _drop, '': _form, ...rest } = problems;
      setProblems(rest);
    }
    redraw((n) => n + 1);
  };

  const optionsOf = (f: FieldDef) => f.options?.(values.current) ?? [];
  const cycle = (f: FieldDef, dir: 1 | -1) => {
    const opts = optionsOf(f);
    if (opts.length === 0) return;
    const i = opts.findIndex((o) => o.value === values.current[f.path]);
    setValue(f.path, opts[(i + dir + opts.length) % opts.length]!.value);
  };

  const fieldProblem = (path: string) => {
    const p = props.validate(values.current)[path];
    setProblems((old) => {
      const { [path]: _drop, ...rest } = old;
      return p ? { ...rest, [path]: p } : rest;
    });
    return p;
  };

  const submit = async () => {
    const sync = props.validate(values.current);
    if (hasErrors(sync)) {
      setProblems(sync);
      const first = editable().findIndex((f) => sync[f.path]?.severity === 'error');
      if (first >= 0) moveFocus(first);
      return;
    }
    setBusy(true);
    const more = await props.onSubmit(values.current);
    setBusy(false);
    if (more) {
      setProblems(more);
      const first = editable().findIndex((f) => more[f.path]);
      if (first >= 0) moveFocus(first);
    }
  };

  useKeys(
    (input, key) => {
      const fields = editable();
      const f = fields[focusRef.current];
      if (key.upArrow || (key.tab && key.shift)) {
        if (f) fieldProblem(f.path);
        moveFocus(focusRef.current - 1);
      } else if (key.downArrow || key.tab) {
        if (f) fieldProblem(f.path);
        moveFocus(focusRef.current + 1);
      } else if (key.return) {
        if (!f || focusRef.current >= fields.length - 1) void submit();
        else if (!fieldProblem(f.path)) moveFocus(focusRef.current + 1);
      } else if (key.ctrl && input === 't' && props.action) {
        const action = props.action;
        setActing(true);
        setBusy(true);
        void action
          .run(values.current)
          .then(setActionLines, (e: unknown) => setActionLines([e instanceof Error ? e.message : String(e)]))
          .finally(() => {
            setActing(false);
            setBusy(false);
          });
      } else if (f && f.codec === 'bool' && input === ' ') setValue(f.path, values.current[f.path] !== true);
      else if (f && f.codec === 'choice' && (key.leftArrow || key.rightArrow || input === ' ')) cycle(f, key.leftArrow ? -1 : 1);
    },
    { isActive: !busy },
  );

  const shown = visibleFields(def, values.current);
  const fields = editable();
  const focused = fields[focus];
  const label = (f: FieldDef) => props.labelText?.(f) ?? t(f.label);
  const w = Math.max(0, ...shown.filter((f) => f.codec !== 'bool').map((f) => displayWidth(label(f))));
  const bw = Math.max(0, ...shown.filter((f) => f.codec === 'bool').map((f) => displayWidth(label(f))));
  return (
    <Box flexDirection="column">
      {def.intro ? <Para text={t(def.intro)} /> : null}
      <Box flexDirection="column" marginTop={def.intro ? 1 : 0}>
        {shown.map((f) => {
          const isFocused = f === focused;
          const locked = isGiven(given, f.path);
          const v = values.current[f.path];
          const pointer = <Text color="cyan">{isFocused ? `${POINTER} ` : '  '}</Text>;
          let control: ReactNode;
          if (f.codec === 'bool') {
            control = (
              <Text>
                <Text color={isFocused ? 'cyan' : undefined}>{v === true ? '[x]' : '[ ]'}</Text> <Text bold={isFocused}>{padEndDisplay(label(f), bw)}</Text>
                {f.hint ? <Text dimColor>{`  ${t(f.hint)}`}</Text> : null}
              </Text>
            );
          } else if (f.codec === 'choice') {
            const opts = optionsOf(f);
            // All options on one line when they fit beside the label; else one at a time with arrows.
            const inline = opts.reduce((n, o) => n + displayWidth(optionText(t, o)) + 6, 0) <= columns - w - 6;
            const cur = opts.find((o) => o.value === v);
            control = inline ? (
              <Text>
                {opts.map((o, i) => (
                  <Text key={o.value} color={o.value === v ? (isFocused ? 'cyan' : 'green') : undefined} dimColor={o.value !== v}>
                    {i > 0 ? '  ' : ''}
                    {o.value === v ? '(*) ' : '( ) '}
                    {optionText(t, o)}
                  </Text>
                ))}
              </Text>
            ) : (
              <Text color={isFocused ? 'cyan' : undefined}>
                {'< '}
                {cur ? optionText(t, cur) : String(v)}
                {' >'}
                <Text dimColor>{`  ${opts.findIndex((o) => o.value === v) + 1}/${opts.length}`}</Text>
              </Text>
            );
          } else {
            control = <TextInput value={String(v ?? '')} focus={isFocused && !busy} onChange={(nv) => setValue(f.path, nv)} />;
          }
          const p = problems[f.path];
          return (
            <Box key={f.path} flexDirection="column">
              {/* The value in a column of its own: a long one (a mirror URL) wraps under itself, not to column 0 (#22.6). */}
              <Box>
                <Box width={f.codec === 'bool' ? 2 : w + 4} flexShrink={0}>
                  <Text>
                    {pointer}
                    {f.codec === 'bool' ? null : <Text bold={isFocused}>{padEndDisplay(label(f), w)}</Text>}
                  </Text>
                </Box>
                <Box flexGrow={1} flexShrink={1}>
                  {locked ? (
                    <Text dimColor>
                      {f.codec === 'bool' ? `${v === true ? '[x]' : '[ ]'} ${label(f)}` : String(v === '' ? '-' : v)} ({t('ui.given')})
                    </Text>
                  ) : (
                    control
                  )}
                </Box>
              </Box>
              {isFocused && f.hint && f.codec !== 'bool' ? <Para text={t(f.hint)} dimColor indent={w + 4} /> : null}
              {p ? (
                <Problem text={p.text} severity={p.severity} indent={f.codec === 'bool' ? 2 : w + 4} />
              ) : null}
            </Box>
          );
        })}
      </Box>
      {props.footer ? <Box marginTop={1} flexDirection="column">{props.footer(values.current)}</Box> : null}
      {props.action ? (
        <Box marginTop={1} flexDirection="column">
          <Text dimColor>{acting ? props.action.running : props.action.hint}</Text>
          {(actionLines ?? []).map((l, i) => (
            <Text key={i} color={l.startsWith('✗') ? 'red' : l.startsWith('✓') ? 'green' : undefined}>
              {l}
            </Text>
          ))}
        </Box>
      ) : null}
      {problems[''] ? (
        <Box marginTop={1}>
          <Problem text={problems['']!.text} severity={problems['']!.severity} />
        </Box>
      ) : null}
      {busy && !acting ? <Text dimColor>{t('ui.checking')}</Text> : null}
    </Box>
  );
}
