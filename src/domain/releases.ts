// The one versions data file: every release series a stack may run, the image pinned for it (tag
// and the registry's index digest) and the day its support ends, each with where it was checked
// (docs/VERSIONS.md keeps the reasons). The engine modules (engines/, cache/) take their series
// and images from here, versions.ts the other services', doctor's end-of-life check the dates, and
// `update --check` (#16) the series a pin belongs to and the tags of the same series.
//
// A tag's digest changes every time its image is rebuilt: each digest here is a true digest of
// that tag as built on the date noted, pullable by digest. Never invent one: a series without a
// digest found has `image: null` (known, not pinned).
import { imageTag, parseVersion, type Version } from './version-tag.js';

export type Product = 'mysql' | 'mariadb' | 'redis' | 'valkey' | 'nginx' | 'rabbitmq' | 'minio' | 'prometheus' | 'grafana' | 'node-exporter';

export interface Release {
  product: Product;
  /** The vendor's release line as its tags start: '8.4', '11.8', '1.30'; '' for a product without series (MinIO's dated releases). */
  series: string;
  /** `repo:tag@sha256:<index digest>`; null: a series we know (its end of life) but do not pin. */
  image: string | null;
  /** New stacks may choose it. A series past its end of life stays listed for the stacks that run it. */
  offered: boolean;
  /** Long-term support line (the vendor's word). */
  lts?: boolean;
  /** The last day the vendor supports the series (YYYY-MM-DD, or YYYY-MM where only the month is published); null: none published. */
  eol: string | null;
  /** Where the version, the digest and the end of life were read. */
  source: { version: string; digest?: string; eol?: string };
}

const REPO_INFO = (image: string, tag: string, commit: string) => `docker-library/repo-info repos/${image}/remote/${tag}.md @ ${commit.slice(0, 12)}`;
const OFFICIAL_IMAGES = 'docker-library/official-images library/* @ 37079fb336f5 (2026-08-21)';
const ENDOFLIFE_MARIADB = 'endoflife.date/api/mariadb.json (via MySQLTuner-perl mariadb_support.md)';

export const RELEASES: readonly Release[] = [
  // ---- MySQL: LTS lines only (Innovation releases are never pinned). End of life = end of Oracle's extended support.
  // 8.0 is past its end of life: refused for new stacks, kept (at its final release) for the stacks that run it.
  {
    product: 'mysql', series: '8.0', offered: false, eol: '2026-04-30',
    image: 'mysql:8.0.46@sha256:7dcddc01f13bab2f15cde676d44d01f61fc9f99fe7785e86196dfc07d358ae2b',
    source: { version: '8.0.46, the final 8.0 release (2026-04-21; besthub.dev)', digest: 'public pins of this tag (find_string: seven repositories agree; repo-info no longer lists 8.0 tags)', eol: 'endoflife.ai/article-mysql-eol' },
  },
  {
    product: 'mysql', series: '8.4', lts: true, offered: true, eol: '2032-04-30',
    image: 'mysql:8.4.11@sha256:85b9bf2e29cf836ecb8c2a15a935d4ba0c606631dff1dd79531a11983c638f2a',
    source: { version: OFFICIAL_IMAGES, digest: REPO_INFO('mysql', '8.4.11', '0f0c69aaf7d364b2fd5a00f9141c6b51de83f2cb'), eol: 'endoflife.ai; endoflife.date (MySQLTuner-perl mysql_support.md)' },
  },
  {
    product: 'mysql', series: '9.7', lts: true, offered: true, eol: '2034-04-21',
    image: 'mysql:9.7.2@sha256:29abb0a179982e4a8928138bfc7f918af9eda64e7eeb1b1d084c1720a20159e6',
    source: { version: OFFICIAL_IMAGES, digest: REPO_INFO('mysql', '9.7.2', '0f0c69aaf7d364b2fd5a00f9141c6b51de83f2cb'), eol: 'versionlog.com/mysql/9.7; infoq.com/news/2026/05/mysql-97-lts' },
  },

  // ---- MariaDB: the community LTS lines.
  {
    product: 'mariadb', series: '10.11', lts: true, offered: true, eol: '2028-02-16',
    image: 'mariadb:10.11.19@sha256:07c0aaff7396b74cb7975cba78257178d188e30f531a5db2b617c48beef13c41',
    source: { version: OFFICIAL_IMAGES, digest: REPO_INFO('mariadb', '10.11.19', '28b7129f06fb1aa51ff238e2fe58f8c05fda7147'), eol: ENDOFLIFE_MARIADB },
  },
  {
    product: 'mariadb', series: '11.4', lts: true, offered: true, eol: '2029-05-29',
    image: 'mariadb:11.4.13@sha256:80494b9810694179889f7281ec44ca928241df577159c0356a1070e2e94616a1',
    source: { version: OFFICIAL_IMAGES, digest: REPO_INFO('mariadb', '11.4.13', '28b7129f06fb1aa51ff238e2fe58f8c05fda7147'), eol: ENDOFLIFE_MARIADB },
  },
  {
    product: 'mariadb', series: '11.8', lts: true, offered: true, eol: '2028-06-04',
    image: 'mariadb:11.8.9@sha256:2d2f4095530294735a857cfe22bb101e19b0849b416911c796ec4aa81b164a62',
    source: { version: OFFICIAL_IMAGES, digest: REPO_INFO('mariadb', '11.8.9', '28b7129f06fb1aa51ff238e2fe58f8c05fda7147'), eol: ENDOFLIFE_MARIADB },
  },

  // ---- Redis Open Source publishes no per-series end of life (the dates often quoted are Redis Software's).
  {
    product: 'redis', series: '8.10', offered: true, eol: null,
    image: 'redis:8.10.2@sha256:d5ac52db24d4e70566fe9944f22cf5bdc2bc739b05c0f426335161ea6c23f3b3',
    source: { version: OFFICIAL_IMAGES, digest: REPO_INFO('redis', '8.10.2', '0bdd94409df031423d112c6f22cab289fa8fc401') },
  },
  {
    product: 'redis', series: '7.4', offered: true, eol: null,
    image: 'redis:7.4.11@sha256:c6eabf748fc7a61dbb5a705c78bcf3d6377b1127a97d0ce965c11c44ba46896f',
    source: { version: OFFICIAL_IMAGES, digest: REPO_INFO('redis', '7.4.11', '0ae7309187d6256f5549f0408473cfa4a23383ea') },
  },

  // ---- Valkey (valkey/valkey is not a Docker Official Image: repo-info has no record of it). The
  // digests are the ones public projects pin for these tags (two independent repositories each);
  // `update --check` compares them with the registry. No end of life published (valkey.io gives
  // its versioning policy only).
  {
    product: 'valkey', series: '8.1', offered: true, eol: null,
    image: 'valkey/valkey:8.1.10@sha256:640c5e62cea04b6d6f2084232651d0cc70362d31f4f805e7be94dbed6855e8f2',
    source: { version: 'Debian trixie 8.1.1; valkey/valkey tags 8.1.x', digest: 'ocelhq/ocel pkg/images/valkey.go @ 9faaa8a695c6, and a second public compose pin (find_string)' },
  },
  {
    product: 'valkey', series: '9.1', offered: true, eol: null,
    image: 'valkey/valkey:9.1.2@sha256:418652cfb58ef879d4978c33553735d7147016032d5aefaa14c828e611eb9dfd',
    source: { version: 'Debian sid 9.1.2-1', digest: 'ocelhq/ocel pkg/images/valkey.go @ 9faaa8a695c6 ("the multi-platform image" in a second project\'s release.yaml notes)' },
  },

  // ---- nginx: one stable line a year (April); a line ends when the next one is released.
  {
    product: 'nginx', series: '1.30', offered: true, eol: null,
    image: 'nginx:1.30.5@sha256:e9f347c65f318767714e8b0eccfd6b558d00fb92630791fb6cd901fcdf7f6fdd',
    source: { version: `${OFFICIAL_IMAGES} (stable)`, digest: REPO_INFO('nginx', '1.30.5', '08b3b898fc18da523d5d6e30a868c60805acb3bc') },
  },
  { product: 'nginx', series: '1.28', image: null, offered: false, eol: '2026-04', source: { version: 'the previous pin (1.28.0)', eol: '1.30 made stable in April 2026' } },
  { product: 'nginx', series: '1.26', image: null, offered: false, eol: '2025-04', source: { version: 'Debian 13 packages 1.26.3 (patched by Debian, not upstream)', eol: '1.28.0 stable, April 2025' } },
  { product: 'nginx', series: '1.22', image: null, offered: false, eol: '2023-04', source: { version: 'Debian 12 packages 1.22.1 (the floor; patched by Debian, not upstream)', eol: '1.24.0 stable, April 2023' } },

  // ---- The other services: digests only (no end of life is tracked for them).
  {
    product: 'rabbitmq', series: '4.1', offered: true, eol: null,
    image: 'rabbitmq:4.1.8-management@sha256:72914305cde66172bd85bc7cbede1edbbd16e5f1076af8b0d9afd3727c1e7980',
    source: { version: 'docker-library/repo-info (newest 4.1 tag)', digest: REPO_INFO('rabbitmq', '4.1.8-management', '0639f311d42a32a2324bec7751c22e5cf1b3e0a7') },
  },
  {
    product: 'minio', series: '', offered: true, eol: null,
    image: 'minio/minio:RELEASE.2025-04-22T22-12-26Z@sha256:a1ea29fa28355559ef137d71fc570e508a214ec84ff8083e39bc5428980b015e',
    source: { version: 'the previous pin', digest: 'public pins of this tag (find_string: ten repositories agree)' },
  },
  {
    product: 'prometheus', series: '3.5', offered: true, eol: null,
    image: 'prom/prometheus:v3.5.0@sha256:63805ebb8d2b3920190daf1cb14a60871b16fd38bed42b857a3182bc621f4996',
    source: { version: 'the previous pin', digest: 'public pins of this tag (find_string: seven repositories agree)' },
  },
  {
    product: 'grafana', series: '12.1', offered: true, eol: null,
    image: 'grafana/grafana:12.1.1@sha256:a1701c2180249361737a99a01bc770db39381640e4d631825d38ff4535efa47d',
    source: { version: 'the previous pin', digest: 'public pins of this tag (find_string: ten repositories agree)' },
  },
  {
    product: 'node-exporter', series: '1.9', offered: true, eol: null,
    image: 'prom/node-exporter:v1.9.1@sha256:d00a542e409ee618a4edc67da14dd48c5da66726bbd5537ab2af9c1dfc442c8a',
    source: { version: 'the previous pin', digest: 'public pins of this tag (find_string: six repositories agree)' },
  },
];

export function releasesOf(product: Product): Release[] {
  return RELEASES.filter((r) => r.product === product);
}

/** The pinned image of a product's series; throws when the data file has none (a programming error). */
export function pinnedImage(product: Product, series: string): string {
  const image = RELEASES.find((r) => r.product === product && r.series === series)?.image;
  if (!image) throw new Error(`no pinned image for ${product} ${series} in src/domain/releases.ts`);
  return image;
}

/** The series of a server version: the release line whose name its version starts with (8.4.11 → 8.4), else null. */
export function seriesOf(product: Product, v: Version): Release | null {
  return RELEASES.find((r) => r.product === product && r.series !== '' && r.series === `${v.major}.${v.minor}`) ?? null;
}

/** The digest of a pinned reference (`…@sha256:…`), else null. */
export function imageDigest(ref: string): string | null {
  const at = ref.indexOf('@');
  return at >= 0 ? ref.slice(at + 1) : null;
}

/** A reference without its digest (what `docker images` and compose labels show as the tag). */
export function withoutDigest(ref: string): string {
  const at = ref.indexOf('@');
  return at >= 0 ? ref.slice(0, at) : ref;
}

/**
 * Whether a tag is a patch release of the same series as the pin (for `update --check`): the pin's
 * tag with its patch number free, so `8.4.11` matches `8.4.12`, `4.1.8-management` matches
 * `4.1.9-management`, and nothing matches `8.5.0`, `8.4` or `8.4.12-oraclelinux9`. A product
 * without series (MinIO) matches nothing.
 */
export function sameSeriesTag(r: Release, tag: string): boolean {
  const pinned = r.image ? imageTag(withoutDigest(r.image)) : null;
  if (!pinned || r.series === '') return false;
  const m = /^(v?)(\d+)\.(\d+)\.(\d+)(.*)$/.exec(pinned);
  if (!m) return false;
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${esc(m[1]!)}${m[2]}\\.${m[3]}\\.\\d+${esc(m[5]!)}$`).test(tag);
}

/** The patch number of a tag of the pin's series (to order `update --check`'s findings), else null. */
export function patchOf(tag: string): number | null {
  return parseVersion(tag)?.patch ?? null;
}

/** The last day of support as a date (a month-only entry counts from that month's first day: the earliest it can be). */
export function eolDate(r: Release): Date | null {
  if (!r.eol) return null;
  const [y, m, d] = r.eol.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d ?? 1));
}
