// The one YAML serializer: every string value double-quoted, so "80:80" (base-60 in YAML 1.1),
// "on"/"no" (booleans in 1.1) and "08" (octal) can never change type in any parser.
import { stringify } from 'yaml';

export function toYaml(data: unknown, header?: string): string {
  const body = stringify(data, {
    defaultStringType: 'QUOTE_DOUBLE',
    defaultKeyType: 'PLAIN',
    lineWidth: 0,
    indentSeq: true,
    // Repeated objects are written out in full: anchors and aliases confuse people and some tools.
    aliasDuplicateObjects: false,
  });
  return header ? `${header.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n')}\n${body}` : body;
}
