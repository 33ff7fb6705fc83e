// A clean frame after the terminal is resized (#22.6). Ink erases its previous frame by counting
// the lines it wrote, but a terminal that re-wraps on resize (tmux, VTE, iTerm2, Windows Terminal)
// has moved those lines, so rows of old frames (their headers) were left above the new one; and
// Ink's own resize handler drew the old tree at the new width first (text wrapped for the old
// width, cut mid-word, often taller than the screen, which pushed a header into the scrollback).
// Here Ink never hears of a resize: the screen is blanked from the top (erase below, not "clear
// screen", which terminals copy into the scrollback), then TerminalSize (components.tsx) draws the
// tree afresh for the new size; Ink lays out every commit at the terminal's width anyway.

/** Cursor to the top left, erase everything below it. */
export const CLEAR_SCREEN = '\u001B[H\u001B[J';

/** How TerminalSize subscribes to the resizes of a stream made by redrawingStdout. */
export const ON_RESIZE = Symbol('stack-wizard.onResize');
export type ResizeSubscribe = (fn: () => void) => () => void;

/** The stream Ink draws on: `out` itself, with its resizes handled as above. */
export function redrawingStdout(out: NodeJS.WriteStream): NodeJS.WriteStream {
  const listeners = new Set<() => void>();
  const onResize = () => {
    out.write(CLEAR_SCREEN);
    for (const fn of [...listeners]) fn();
  };
  const subscribe: ResizeSubscribe = (fn) => {
    // Listening to the terminal only while someone listens here: the stream outlives the wizard.
    if (listeners.size === 0) out.on('resize', onResize);
    listeners.add(fn);
    return () => {
      listeners.delete(fn);
      if (listeners.size === 0) out.off('resize', onResize);
    };
  };
  const proxy: NodeJS.WriteStream = new Proxy(out, {
    get(target, prop) {
      if (prop === ON_RESIZE) return subscribe;
      if (prop === 'on' || prop === 'addListener' || prop === 'off' || prop === 'removeListener') {
        return (event: string | symbol, fn: (...args: unknown[]) => void) => {
          // Ink's own resize handler is left out (see above); every other event is the stream's.
          if (event !== 'resize')
            (target[prop] as (e: string | symbol, f: (...args: unknown[]) => void) => unknown).call(target, event, fn);
          return proxy;
        };
      }
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return proxy;
}
