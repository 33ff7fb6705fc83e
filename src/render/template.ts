// The one fill function for templates/*.tmpl: ini-like static texts with a few values (systemd
// units, a cron entry). `{{name}}` is replaced by its value; a whole line `{{# … }}` is a template
// comment, dropped with its line break. A placeholder without a value, or a value no placeholder
// uses, is a programming error and throws: a typo never reaches a server.

export function fill(template: string, values: Readonly<Record<string, string | number>>): string {
  const used = new Set<string>();
  const out = template
    .replace(/^\{\{#[^\n]*\}\}\n/gm, '')
    .replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
      if (!(name in values)) throw new Error(`template placeholder {{${name}}} has no value`);
      used.add(name);
      return String(values[name]);
    });
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`template values not used: ${unused.join(', ')}`);
  return out;
}
