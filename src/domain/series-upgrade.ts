// A major upgrade of the database server (`update --to-series X`), the pure part: whether the move
// is allowed (one step along the engine's upgrade paths, never back, never a skip), the answers
// after it, and what the update will do. The steps (src/steps/update.ts) run it.
import { IMAGE_REF_RE, type Answers } from './answers.js';
import { dbEngine, dbServerVersion, type DbEngineId } from './engines/index.js';
import type { DbEngine, UpgradeCheck } from './engines/types.js';
import type { MsgKey, Params } from '../i18n/index.js';
import { imageTag, parseVersion, type Version } from './version-tag.js';

export interface SeriesRefusal {
  key: MsgKey;
  params: Params;
}

/** The series a stack runs: its answers' database.version, else the engine's default (what init chose). */
export const currentSeries = (a: Answers): string => a.database.version ?? dbEngine(a.database.engine).defaultSeries;

/**
 * Why `update --to-series <to>` is refused, or null. Rules: a series the engine knows; not the one
 * running; never older (the servers cannot run on data a newer series wrote: restore a backup
 * instead); only a target of the engine's upgrade paths (MySQL: the next LTS, one at a time).
 * A stack whose answers override images.mysql must name the new series' image (`--db-image`), whose
 * tag, when it reads as a version, must be of that series.
 */
export function seriesRefusal(a: Answers, to: string, image: string | undefined): SeriesRefusal | null {
  const id = a.database.engine;
  const e = dbEngine(id);
  const from = currentSeries(a);
  if (!e.series.includes(to))
    return { key: 'err.upg.unknownSeries', params: { engine: e.label, to, series: e.series.join(', ') } };
  if (to === from) return { key: 'err.upg.same', params: { engine: e.label, series: from } };
  const targets = e.upgradeTargets(from);
  if (e.series.indexOf(to) < e.series.indexOf(from)) {
    return { key: 'err.upg.downgrade', params: { engine: e.label, from, to, targets: targets.join(', ') || '-' } };
  }
  if (!targets.includes(to)) {
    return { key: 'err.upg.skip', params: { engine: e.label, from, to, next: targets[0] ?? '-' } };
  }
  if (a.images.mysql && !image) return { key: 'err.upg.imageNeeded', params: { image: a.images.mysql, to } };
  if (image) {
    // Allow-listed as the answers' images are: it reaches the compose file.
    if (image.length > 512 || !IMAGE_REF_RE.test(image)) return { key: 'err.upg.imageInvalid', params: { image } };
    const tag = imageTag(image);
    const v = tag ? parseVersion(tag) : null;
    if (v && `${v.major}.${v.minor}` !== to) return { key: 'err.upg.imageSeries', params: { image, to } };
  }
  return null;
}

/** The answers after the upgrade: database.version set to the new series, and images.mysql to `image` when given. */
export function upgradedAnswers(a: Answers, to: string, image: string | undefined): Answers {
  return { ...a, database: { ...a.database, version: to }, images: image ? { ...a.images, mysql: image } : a.images };
}

export interface SeriesUpgradePlan {
  engine: DbEngineId;
  from: string;
  to: string;
  fromImage: string;
  toImage: string;
  fromVersion: Version;
  toVersion: Version;
  /** Questions to the old server before anything changes (the vendor's pre-upgrade checks). */
  checks: readonly UpgradeCheck[];
  /** argv run in the new server's container once healthy; null: the server upgrades itself at start. */
  step: ReturnType<DbEngine['upgradeStep']>;
}

/** What the series upgrade from `before` to `after` (answers) does, from the engine module. */
export function seriesUpgradePlan(
  before: Answers,
  after: Answers,
  images: { from: string; to: string },
): SeriesUpgradePlan {
  const id = before.database.engine;
  const e = dbEngine(id);
  const from = currentSeries(before);
  const to = currentSeries(after);
  const fromVersion = dbServerVersion(id, images.from, from);
  const toVersion = dbServerVersion(id, images.to, to);
  return {
    engine: id,
    from,
    to,
    fromImage: images.from,
    toImage: images.to,
    fromVersion,
    toVersion,
    checks: e.upgradeChecks(fromVersion, toVersion),
    step: e.upgradeStep(fromVersion, toVersion),
  };
}
