// The wizard's one key listener: keys go one at a time, each once React has committed what the
// previous one changed (told by the hub's own render, Settle), never after a fixed wait alone.
import type { Key } from 'ink';
import { Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import { useState } from 'react';
import { afterEach, expect, test } from 'vitest';
import { KeyHub, KeyScope, useKeys } from '../../../src/ui/components.js';
import { KEY, plain, press, waitText } from './helpers.js';

afterEach(() => cleanup());

const key = (o: Partial<Key> = {}) => ({ upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, ...o }) as Key;
const tick = () => new Promise<void>((r) => setImmediate(r));

test('with a settle hook, the next key waits for settled(), however many ticks pass', async () => {
  const hub = new KeyHub();
  const seen: string[] = [];
  hub.add({ current: (input) => seen.push(input) });
  let asked = 0;
  hub.settle = () => void asked++;
  hub.dispatch('a', key());
  hub.dispatch('b', key());
  hub.dispatch('c\rd', key());
  for (let i = 0; i < 5; i++) await tick();
  expect(seen).toEqual(['a']);
  expect(asked).toBe(1);
  hub.settled();
  await tick();
  expect(seen).toEqual(['a', 'b']);
  hub.settled();
  await tick();
  // Text and Enter in one read are the text, then Enter.
  expect(seen).toEqual(['a', 'b', 'c']);
  hub.settled();
  await tick();
  hub.settled();
  await tick();
  expect(seen).toEqual(['a', 'b', 'c', '', 'd']);
  expect(asked).toBe(5);
});

test('without one (a hub outside a KeyScope), the next key goes after a tick', async () => {
  const hub = new KeyHub();
  const seen: string[] = [];
  hub.add({ current: (input) => seen.push(input) });
  hub.dispatch('a', key());
  hub.dispatch('b', key());
  expect(seen).toEqual(['a']);
  await tick();
  expect(seen).toEqual(['a', 'b']);
});

test('in a KeyScope each key sees what the previous one committed: written together, every step counts', async () => {
  const log: number[] = [];
  function Counter() {
    const [n, setN] = useState(0);
    useKeys((_i, k) => {
      if (!k.upArrow) return;
      // The value this render committed; a key handled before the last commit would see an older one.
      log.push(n);
      setN(n + 1);
    });
    return <Text>{`count ${n}`}</Text>;
  }
  const r = render(
    <KeyScope>
      <Counter />
    </KeyScope>,
  );
  const frame = plain(r.lastFrame);
  await waitText(frame, 'count 0');
  await press(r.stdin);
  for (let i = 0; i < 6; i++) r.stdin.write(KEY.up);
  await waitText(frame, 'count 6');
  expect(log).toEqual([0, 1, 2, 3, 4, 5]);
});
