// A clean frame after the terminal is resized (#22.6). Ink erases its previous frame by counting
// the lines it wrote. A terminal made narrower re-wraps that frame into more rows, so the count
// falls short and the old header stays above the new frame (one more on every resize); made wider,
// Ink redraws only when the text changed, so a cleared screen could stay empty. Here a resize
// clears the screen, then tells Ink twice: first a width below the old one (Ink forgets its last
// frame and draws anew), then the real one.
import { EventEmitter } from 'node:events';

/** Erase the screen and put the cursor top left (the scrollback stays the operator's). */
export const CLEAR_SCREEN = '\u001B[2J\u001B[H';

type ResizeListener = (...args: unknown[]) => void;

/** The stream Ink draws on: `out` itself, with its resizes handled as above. */
export function redrawingStdout(out: NodeJS.WriteStream): NodeJS.WriteStream {
  const events = new EventEmitter();
  let narrowed: number | null = null;
  let last = out.columns || 80;
  const onResize = () => {
    const now = out.columns || 80;
    out.write(CLEAR_SCREEN);
    narrowed = Math.max(1, Math.min(last, now) - 1);
    events.emit('resize');
    narrowed = null;
    events.emit('resize');
    last = now;
  };
  let attached = false;
  const proxy: NodeJS.WriteStream = new Proxy(out, {
    get(target, prop) {
      if (prop === 'columns') return narrowed ?? target.columns;
      if (prop === 'on' || prop === 'addListener' || prop === 'off' || prop === 'removeListener') {
        return (event: string | symbol, fn: ResizeListener) => {
          if (event !== 'resize') {
            (target[prop] as (e: string | symbol, f: ResizeListener) => unknown).call(target, event, fn);
            return proxy;
          }
          if (prop === 'on' || prop === 'addListener') events.on('resize', fn);
          else events.off('resize', fn);
          // Listening to the terminal only while someone listens here: the stream outlives the wizard.
          const want = events.listenerCount('resize') > 0;
          if (want && !attached) out.on('resize', onResize);
          if (!want && attached) out.off('resize', onResize);
          attached = want;
          return proxy;
        };
      }
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return proxy;
}
