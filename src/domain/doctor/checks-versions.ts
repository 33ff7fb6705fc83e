// The versions the stack runs against the versions data (src/domain/releases.ts): a series past its
// end of life is an error, one within EOL_WARN_DAYS of it a warning. Today is doctor's clock (the
// `now` every check gets), so a test decides the date.
import { EOL_WARN_DAYS, versionRows, type VersionRow } from '../version-check.js';
import type { ServicesEvidence } from './checks-docker.js';
import { msg, okFinding, type CheckDef, type Finding } from './types.js';

function eolFinding(r: VersionRow): Finding {
  const ended = r.eol.state === 'ended';
  const params = { service: r.service, product: r.product ?? '?', series: r.series ?? '?', eol: r.eol.eol ?? '?', days: Math.abs(r.eol.daysLeft ?? 0), window: EOL_WARN_DAYS };
  return {
    id: `versions.eol.${r.service}`,
    check: 'versions',
    severity: ended ? 'error' : 'warn',
    title: msg(ended ? 'doc.ver.ended' : 'doc.ver.ending', params),
    explain: msg('doc.ver.explain'),
    evidence: [msg('doc.ver.ev', { ...params, image: r.image, running: r.running ?? '?' })],
    fix: { auto: false, steps: [msg('doc.ver.fix.check'), msg('doc.ver.fix.upgrade')] },
    causedBy: [],
    hints: { service: r.service },
  };
}

export const versionsCheck: CheckDef<ServicesEvidence> = {
  id: 'versions',
  label: 'doc.check.versions',
  symptoms: [],
  evaluate(e, now) {
    if (!e.reachable) return [];
    const running = e.services.flatMap((s) => (s.container ? [{ service: s.name, image: s.container.image }] : []));
    const rows = versionRows(running, now);
    const due = rows.filter((r) => r.eol.state === 'ended' || r.eol.state === 'soon');
    if (due.length) return due.map(eolFinding);
    const dated = rows.filter((r) => r.eol.state === 'ok');
    return [okFinding('versions', 'versions.eol', 'doc.ver.ok', dated.map((r) => msg('doc.ver.ev', { service: r.service, product: r.product ?? '?', series: r.series ?? '?', eol: r.eol.eol ?? '?', days: r.eol.daysLeft ?? 0, image: r.image, running: r.running ?? '?', window: EOL_WARN_DAYS })))];
  },
};
