// The redis.conf serializer: `directive arg …` lines (Redis splits them like a shell, sdssplitargs),
// each optionally with a reason comment above. Empty or spaced arguments are double-quoted.

export interface RedisDirective {
  name: string;
  args: readonly (string | number)[];
  comment?: string;
}

export function redisArg(a: string | number): string {
  const s = String(a);
  if (s !== '' && !/[\s"'\\]/.test(s)) return s;
  if (/[\n\r]/.test(s)) throw new Error('redis.conf: an argument cannot hold a line break');
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function toRedisConf(directives: readonly RedisDirective[], header?: string): string {
  const out: string[] = [];
  if (header) for (const l of header.split('\n')) out.push(`# ${l}`.trimEnd());
  for (const x of directives) {
    if (!/^[a-z][a-z0-9-]*$/.test(x.name)) throw new Error(`redis.conf: bad directive ${x.name}`);
    if (x.comment) {
      out.push('');
      for (const l of x.comment.split('\n')) out.push(`# ${l}`.trimEnd());
    }
    out.push([x.name, ...x.args.map(redisArg)].join(' '));
  }
  return `${out.join('\n')}\n`;
}
