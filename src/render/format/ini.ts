// The option-file serializer (my.cnf): [sections] of `name = value` lines, each optionally with a
// one-line reason above it. A value the server would misread (newline, #, quotes) is refused.

export interface IniOption {
  name: string;
  /** null writes the bare flag form (`skip-name-resolve`). */
  value: string | number | null;
  comment?: string;
}

export interface IniSection { name: string; options: readonly IniOption[] }

export function toIni(sections: readonly IniSection[], header?: string): string {
  const out: string[] = [];
  if (header) for (const l of header.split('\n')) out.push(`# ${l}`.trimEnd());
  for (const s of sections) {
    if (out.length) out.push('');
    out.push(`[${s.name}]`);
    for (const o of s.options) {
      if (!/^[a-z][a-z0-9_-]*$/.test(o.name)) throw new Error(`option file: bad option name ${o.name}`);
      if (o.comment) for (const l of o.comment.split('\n')) out.push(`# ${l}`.trimEnd());
      if (o.value === null) {
        out.push(o.name);
        continue;
      }
      const v = String(o.value);
      if (/[\n\r#"'\\]/.test(v) || v !== v.trim() || v === '') throw new Error(`option file: ${o.name} has a value the server would misread`);
      out.push(`${o.name} = ${v}`);
    }
  }
  return `${out.join('\n')}\n`;
}
