// Locale-free string order. String#localeCompare follows LANG/LC_ALL (ICU: in da_DK "AA" sorts
// after "Z"), so anything written to a file or hashed must not use it.

/** Code-point order (UTF-8 byte order is code-point order): the same on every machine. */
export function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
