// The one YAML serializer: every string value double-quoted, so "80:80" (base-60 in YAML 1.1),
// "on"/"no" (booleans in 1.1) and "08" (octal) can never change type in any parser.
import { Document, isMap, isScalar } from 'yaml';

/** A comment written above `key` of the mapping at `path` (each line of `text` becomes one `#` line). */
export interface YamlComment { path: string[]; key: string; text: string }

export function toYaml(data: unknown, header?: string, comments: readonly YamlComment[] = []): string {
  // Repeated objects are written out in full: anchors and aliases confuse people and some tools.
  const doc = new Document(data, { aliasDuplicateObjects: false });
  for (const c of comments) {
    const map = c.path.length ? doc.getIn(c.path, true) : doc.contents;
    const pair = isMap(map) ? map.items.find((p) => isScalar(p.key) && p.key.value === c.key) : undefined;
    if (!pair || !isScalar(pair.key)) throw new Error(`no ${c.key} under ${c.path.join('.')} to comment`);
    pair.key.commentBefore = c.text;
  }
  const body = doc.toString({ defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0, indentSeq: true });
  return header ? `${header.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n')}\n${body}` : body;
}
