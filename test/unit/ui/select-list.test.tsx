// The list every menu and choice screen uses (drawn by ink-select-input, keys through the KeyHub):
// keys that arrive together each count, the ends stop the pointer, digits choose nothing, a
// disabled row cannot be chosen, and a rich row keeps its own layout.
import { Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import { useState } from 'react';
import { afterEach, expect, test } from 'vitest';
import { KeyScope, SelectList } from '../../../src/ui/components.js';
import { KEY, plain, press, waitText } from './helpers.js';

afterEach(() => cleanup());

function List(props: { onChoose: (v: string) => void; disabled?: string }) {
  const [index, setIndex] = useState(0);
  const items = ['alpha', 'beta', 'gamma', 'delta'].map((v) => ({ value: v, label: v, disabled: v === props.disabled }));
  return <SelectList items={items} index={index} onIndex={setIndex} onChoose={props.onChoose} />;
}

const mount = (o: { disabled?: string } = {}) => {
  const chosen: string[] = [];
  const r = render(
    <KeyScope>
      <List onChoose={(v) => chosen.push(v)} disabled={o.disabled} />
    </KeyScope>,
  );
  return { ...r, frame: plain(r.lastFrame), chosen };
};

test('Down, Down, Enter written in one go choose the third row (each key sees the last one\'s move)', async () => {
  const { stdin, frame, chosen } = mount();
  await waitText(frame, '> alpha');
  await press(stdin);
  stdin.write(KEY.down);
  stdin.write(KEY.down);
  stdin.write(KEY.enter);
  await waitText(frame, '> gamma');
  await new Promise((r) => setTimeout(r, 100));
  expect(chosen).toEqual(['gamma']);
});

test('the pointer stops at both ends; 1-9, j and k choose and move nothing', async () => {
  const { stdin, frame, chosen } = mount();
  await waitText(frame, '> alpha');
  await press(stdin, KEY.up, '3', 'j');
  let f = frame();
  expect(f).toContain('> alpha');
  expect(f).toContain('  gamma');
  expect(chosen).toEqual([]);
  await press(stdin, KEY.down, KEY.down, KEY.down, KEY.down, KEY.down, 'k');
  f = frame();
  expect(f).toContain('> delta');
  expect(f).toContain('  alpha');
  await press(stdin, KEY.enter);
  expect(chosen).toEqual(['delta']);
});

test('Enter on a disabled row chooses nothing', async () => {
  const { stdin, frame, chosen } = mount({ disabled: 'beta' });
  await waitText(frame, '> alpha');
  await press(stdin, KEY.down, KEY.enter);
  expect(frame()).toContain('> beta');
  expect(chosen).toEqual([]);
  await press(stdin, KEY.down, KEY.enter);
  expect(chosen).toEqual(['gamma']);
});

test('a row with its own layout (a title over a dimmed detail line) keeps it beside the pointer', async () => {
  function Rich() {
    const [index, setIndex] = useState(1);
    return (
      <SelectList
        items={['one', 'two'].map((v) => ({ value: v, label: <Text>{`${v} title\n  ${v} detail`}</Text> }))}
        index={index}
        onIndex={setIndex}
        onChoose={() => {}}
      />
    );
  }
  const r = render(
    <KeyScope>
      <Rich />
    </KeyScope>,
  );
  const f = await waitText(plain(r.lastFrame), 'two detail');
  expect(f.split('\n')).toEqual(['  one title', '    one detail', '> two title', '    two detail']);
});
