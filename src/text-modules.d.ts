// Data files embedded into the bundle as text (esbuild `text` loader; a vitest plugin does the same).
declare module '*.yaml' {
  const text: string;
  export default text;
}
declare module '*.tmpl' {
  const text: string;
  export default text;
}
