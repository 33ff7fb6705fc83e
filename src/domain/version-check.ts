// What is due for the versions a stack runs, from the versions data (releases.ts): a newer patch
// release of the same series, a series near or past its end of life. Read by `update --check` and
// doctor's end-of-life check. Pure: today's date comes in (doctor's clock), never from the host.
import { RELEASES, eolDate, withoutDigest, type Product, type Release } from './releases.js';
import { imageTag } from './version-tag.js';

/** Days before a series' end of life that count as due: a quarter leaves time to test and plan a major upgrade. */
export const EOL_WARN_DAYS = 90;

const PRODUCTS = [...new Set(RELEASES.map((r) => r.product))];

/** The product an image is (its repository's last path part: `mysql`, `…/docker.io/library/mariadb`, `valkey/valkey`), else null. */
export function productOfImage(ref: string): Product | null {
  const repo = withoutDigest(ref).replace(/:[^/:]*$/, '');
  const base = repo.slice(repo.lastIndexOf('/') + 1);
  return (PRODUCTS as string[]).includes(base) ? (base as Product) : null;
}

const DAY = 86_400_000;

export interface EolState {
  state: 'none' | 'ok' | 'soon' | 'ended';
  /** Whole days from today to the last day of support (negative: ended that long ago); null without a date. */
  daysLeft: number | null;
  eol: string | null;
}

/** Where a series stands on `today` (UTC days; the last day of support still counts as supported). */
export function eolState(r: Release, today: Date): EolState {
  const d = eolDate(r);
  if (!d) return { state: 'none', daysLeft: null, eol: null };
  const day = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const daysLeft = Math.round((d.getTime() - day) / DAY);
  return { state: daysLeft < 0 ? 'ended' : daysLeft <= EOL_WARN_DAYS ? 'soon' : 'ok', daysLeft, eol: r.eol };
}

/** A version string with its three parts (10.11.14, 10.11.14-MariaDB-0+deb12u2, v3.5.0), else null (10.11, latest). */
const FULL = /^v?(\d+)\.(\d+)\.(\d+)/;

export interface RunningImage {
  service: string;
  image: string;
  /** The server's own version when asked (the database's VERSION()); else the tag is read. */
  version?: string | null;
}

export type Due = 'patch' | 'eol-soon' | 'eol';

export interface VersionRow {
  service: string;
  image: string;
  product: Product | null;
  /** The running version as read (server or tag); null: neither says. */
  running: string | null;
  /** The series in the versions data it belongs to; null: not a series we track. */
  series: string | null;
  /** The newest patch release of that series in the versions data (the pinned tag). */
  newest: string | null;
  eol: EolState;
  due: Due[];
}

/** One row per running service: its series in the versions data, what is newer there, and its end of life. */
export function versionRows(xs: readonly RunningImage[], today: Date): VersionRow[] {
  return xs.map((x) => {
    const product = productOfImage(x.image);
    const running = (x.version || imageTag(x.image)) ?? null;
    const m = running ? /^v?(\d+)\.(\d+)/.exec(running) : null;
    const release =
      product && m ? (RELEASES.find((r) => r.product === product && r.series === `${m[1]}.${m[2]}`) ?? null) : null;
    const newest = release?.image ? imageTag(withoutDigest(release.image)) : null;
    const eol = release ? eolState(release, today) : { state: 'none' as const, daysLeft: null, eol: null };
    const due: Due[] = [];
    const have = running ? FULL.exec(running) : null;
    const want = newest ? FULL.exec(newest) : null;
    // Only a full version can be behind (a floating `10.11` tag may already be the newest).
    if (have && want && Number(want[3]) > Number(have[3])) due.push('patch');
    if (eol.state === 'soon') due.push('eol-soon');
    if (eol.state === 'ended') due.push('eol');
    return { service: x.service, image: x.image, product, running, series: release?.series ?? null, newest, eol, due };
  });
}

/**
 * `update --check`'s exit code, as doctor's (docs/CONTRACT.md): 0 nothing due; 4 a newer patch
 * release in the versions data or a series within EOL_WARN_DAYS of its end; 5 a series past it.
 */
export function checkExitCode(rows: readonly VersionRow[]): 0 | 4 | 5 {
  if (rows.some((r) => r.due.includes('eol'))) return 5;
  return rows.some((r) => r.due.length > 0) ? 4 : 0;
}
