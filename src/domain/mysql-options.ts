// Which server options each engine version accepts: every engine module (engines/*.ts) carries
// its option table from the vendor's manual, and the config generator runs checkMysqlOptions() on
// everything it writes, so an option the target server would refuse (or has deprecated) can never
// be rendered; tests run it on deliberately bad options too.
import { dbEngine, type DbEngineId } from './engines/index.js';
import type { V } from './engines/types.js';
import { formatVersion, parseVersion, versionAtLeast, type Version } from './version-tag.js';

export type { DeprecatedOption, RemovedOption } from './engines/types.js';
// MySQL's tables by name, as the tests cite them.
export { MYSQL_DEPRECATED, MYSQL_REMOVED } from './engines/mysql.js';

/** Option-file names: dashes and underscores are the same option; `loose-` only makes unknown ones a warning. */
export function normalizeOptionName(name: string): string {
  return name.trim().toLowerCase().replace(/-/g, '_').replace(/^loose_/, '');
}

export interface OptionProblem {
  option: string;
  kind: 'removed' | 'deprecated' | 'too-new' | 'unknown';
  message: string;
  source?: string;
}

const v = (s: string): Version => parseVersion(s)!;

/**
 * Whether `target` has an option added in `since`: one version, or the first release of each
 * branch that got it (then a branch not listed has it only if newer than every listed one).
 */
export function hasSince(target: Version, since: V | readonly V[]): boolean {
  const list = [since].flat().map(v);
  const atLeast = (x: Version) => versionAtLeast(target, x.major, x.minor, x.patch);
  if (list.length === 1) return atLeast(list[0]!);
  const branch = list.find((x) => x.major === target.major && x.minor === target.minor);
  if (branch) return atLeast(branch);
  const newest = list[list.length - 1]!;
  return target.major > newest.major || (target.major === newest.major && target.minor > newest.minor);
}

/** Problems the target server would have with these option names (empty when all are fine). */
export function checkMysqlOptions(engine: DbEngineId, serverVersion: string, names: readonly string[]): OptionProblem[] {
  const target = parseVersion(serverVersion);
  if (!target) throw new Error(`not a version: ${serverVersion}`);
  const e = dbEngine(engine);
  const table = e.options;
  const at = formatVersion(target);
  const label = `${e.label} ${at}`;
  const problems: OptionProblem[] = [];
  for (const raw of names) {
    const name = normalizeOptionName(raw);
    const removed = table.removed[name];
    if (removed && versionAtLeast(target, v(removed.removed).major, v(removed.removed).minor, v(removed.removed).patch)) {
      const since = removed.removed === '0.0.0' ? `does not exist in ${e.label}` : `was removed in ${removed.removed}`;
      problems.push({
        option: raw,
        kind: 'removed',
        message: `${label} refuses ${name}: it ${since}${removed.instead ? `; use ${removed.instead}` : ''}`,
        source: removed.source,
      });
      continue;
    }
    const deprecated = table.deprecated[name];
    if (deprecated && versionAtLeast(target, v(deprecated.deprecated).major, v(deprecated.deprecated).minor, v(deprecated.deprecated).patch)) {
      problems.push({
        option: raw,
        kind: 'deprecated',
        message: `${label}: ${name} is deprecated since ${deprecated.deprecated}${deprecated.instead ? `; use ${deprecated.instead}` : ''}`,
        source: deprecated.source,
      });
      continue;
    }
    const since = table.known[name];
    if (!since) {
      problems.push({ option: raw, kind: 'unknown', message: `${name} is not in the ${engine} option table (src/domain/engines/${engine}.ts): look it up in the manual and add it` });
      continue;
    }
    if (!hasSince(target, since)) {
      problems.push({ option: raw, kind: 'too-new', message: `${label} does not have ${name} (added in ${[since].flat().join(', ')})` });
    }
  }
  return problems;
}
