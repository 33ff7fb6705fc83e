// Mirrors and pulls (the configured mirrors alive, the stack's images pullable), and the stack's
// own files: hand edits since the last render (manifest hashes), the .env file. Pure.
import { msg, okFinding, type CheckDef, type Finding, type Line } from './types.js';

// ---------------------------------------------------------------- mirrors

export interface MirrorProbe {
  kind: string;
  url: string;
  alive: boolean;
  latencyMs: number | null;
  error: string | null;
  /** Registry kinds judged on the stack's images: allow-list, stale, rate-limited… (domain/registry-class.ts). */
  class?: string;
}
export interface MirrorsEvidence {
  region: 'cn' | 'global';
  /** registry-mirrors the Docker engine uses now (docker info). */
  daemon: string[];
  /** mirrors: of the answers, by kind. */
  answers: Record<string, string>;
  /** One probe per distinct URL above. */
  results: MirrorProbe[];
}

const probeOf = (e: MirrorsEvidence, kind: string, url: string) =>
  e.results.find((r) => r.kind === kind && r.url.replace(/\/+$/, '') === url.replace(/\/+$/, ''));

export const mirrorsCheck: CheckDef<MirrorsEvidence> = {
  id: 'mirrors',
  label: 'doc.check.mirrors',
  symptoms: ['pull'],
  evaluate(e) {
    const out: Finding[] = [];
    // A mirror that answers but fails an image says how (allow-list, stale…) and which image first.
    const line = (r: MirrorProbe | undefined, url: string): Line =>
      r?.alive ? `${url}: ${r.latencyMs ?? '?'} ms` : r?.class && r.class !== 'dead' ? `${url}: ${r.class}: ${r.error ?? '?'}` : `${url}: ${r?.error ?? 'not probed'}`;
    const degraded = (urls: readonly string[]) => urls.every((u) => ((c) => c !== undefined && c !== 'dead')(probeOf(e, 'registry', u)?.class));
    const deadDaemon = e.daemon.filter((u) => !probeOf(e, 'registry', u)?.alive);
    if (e.daemon.length) {
      const ev = e.daemon.map((u) => line(probeOf(e, 'registry', u), u));
      if (deadDaemon.length === 0) out.push(okFinding('mirrors', 'mirror.registry', 'doc.mirror.registryOk', ev, { count: e.daemon.length }));
      else {
        const all = deadDaemon.length === e.daemon.length;
        const errors = deadDaemon.map((u) => probeOf(e, 'registry', u)?.error ?? '').join(' ');
        out.push({
          id: 'mirror.registry', check: 'mirrors', severity: all ? 'error' : 'warn',
          title: msg(degraded(deadDaemon) ? 'doc.mirror.registryDegraded' : all ? 'doc.mirror.registryDead' : 'doc.mirror.registrySome', { urls: deadDaemon.join(', ') }),
          explain: msg(all ? 'doc.mirror.registryDeadExplain' : 'doc.mirror.registrySomeExplain'), evidence: ev,
          fix: { auto: true, action: { kind: 'drop-mirrors', urls: deadDaemon }, notes: [msg(e.region === 'cn' ? 'doc.mirror.fix.cnNote' : 'doc.mirror.fix.globalNote')] },
          causedBy: [], hints: /dns:/.test(errors) ? { signals: ['dns'] } : {},
        });
      }
    }
    for (const [kind, url] of Object.entries(e.answers).sort()) {
      if (kind === 'registry' && e.daemon.some((u) => u.replace(/\/+$/, '') === url.replace(/\/+$/, ''))) continue;
      const r = probeOf(e, kind, url);
      const id = `mirror.${kind}`;
      if (r?.alive) out.push(okFinding('mirrors', id, 'doc.mirror.ok', [line(r, url)], { kind }));
      else {
        out.push({
          id, check: 'mirrors', severity: 'warn', title: msg(r?.class && r.class !== 'dead' ? 'doc.mirror.degraded' : 'doc.mirror.dead', { kind, url }), explain: msg('doc.mirror.deadExplain', { kind }), evidence: [line(r, url)],
          fix: { auto: false, steps: [msg('doc.mirror.fix.list', { kind }), msg('doc.mirror.fix.answers', { kind })] }, causedBy: [],
          hints: /dns:/.test(r?.error ?? '') ? { signals: ['dns'] } : {},
        });
      }
    }
    if (out.length === 0) out.push({ ...okFinding('mirrors', 'mirror.registry', 'doc.mirror.none'), severity: e.region === 'cn' ? 'info' : 'ok' });
    return out;
  },
};

export interface PullEvidence {
  reachable: boolean;
  /** The stack's images: their registry, and whether they came from one (a registry digest) or were built/loaded here. */
  images: { service: string; ref: string; registry: string; fromRegistry: boolean; present: boolean }[];
  /** Registry endpoints Docker would pull from, per registry (Docker Hub: its mirrors, then itself). */
  endpoints: { registry: string; url: string; alive: boolean; error: string | null }[];
}

export const pullCheck: CheckDef<PullEvidence> = {
  id: 'pull',
  label: 'doc.check.pull',
  symptoms: ['pull', 'down'],
  evaluate(e) {
    if (!e.reachable) return [{ ...okFinding('pull', 'images.pull', 'doc.skipped.docker'), severity: 'info', hints: { signals: ['docker-down'] } }];
    const ev: Line[] = e.images.map((i) => `${i.service}: ${i.ref} (${i.present ? (i.fromRegistry ? i.registry : 'local') : 'missing'})`);
    for (const p of e.endpoints) ev.push(`${p.registry} → ${p.url}: ${p.alive ? 'ok' : p.error ?? '?'}`);
    // An image that is needed and cannot come from anywhere: a restart after `docker image prune -a` fails.
    const needed = e.images.filter((i) => i.fromRegistry || !i.present);
    const blocked = [...new Set(needed.map((i) => i.registry))].filter((reg) => !e.endpoints.some((p) => p.registry === reg && p.alive));
    const missingLocal = e.images.filter((i) => !i.present && !i.fromRegistry && blocked.includes(i.registry));
    if (blocked.length === 0) {
      const local = e.images.filter((i) => i.present && !i.fromRegistry);
      return [{ ...okFinding('pull', 'images.pull', local.length === e.images.length && e.images.length ? 'doc.pull.local' : 'doc.pull.ok', ev), severity: local.length === e.images.length && e.images.length ? 'info' : 'ok' }];
    }
    const errors = e.endpoints.filter((p) => blocked.includes(p.registry)).map((p) => p.error ?? '').join(' ');
    return [{
      id: 'images.pull', check: 'pull', severity: missingLocal.length || e.images.some((i) => !i.present) ? 'error' : 'warn',
      title: msg('doc.pull.blocked', { registries: blocked.join(', ') }), explain: msg('doc.pull.explain'), evidence: ev,
      fix: { auto: false, steps: [msg('doc.pull.fix.mirror'), msg('doc.pull.fix.test', { ref: needed[0]?.ref ?? 'IMAGE' })] }, causedBy: [],
      hints: /dns:/.test(errors) ? { signals: ['dns'] } : {},
    }];
  },
};

// ---------------------------------------------------------------- the stack's files

/** The answers file is the operator's to edit (then run init): a change there is news, never undone. */
export const ANSWERS_FILE = 'stack-wizard.yaml';

export interface FilesEvidence {
  /** The manifest of the last render: file → sha256; null when absent or unreadable. */
  manifest: Record<string, string> | null;
  manifestError: string | null;
  /** sha256 of each manifest file on disk now; null when missing. */
  actual: Record<string, string | null>;
  /** Whether the rendered content is at hand to put back (last healthy copy or a fresh render). */
  restorable: Record<string, boolean>;
}

export const filesCheck: CheckDef<FilesEvidence> = {
  id: 'files',
  label: 'doc.check.files',
  symptoms: ['down', 'bad-gateway', 'tls', 'slow'],
  evaluate(e) {
    if (!e.manifest) {
      return [{ id: 'files.manifest', check: 'files', severity: 'warn', title: msg('doc.files.noManifest'), explain: msg('doc.files.noManifestExplain'), evidence: e.manifestError ? [e.manifestError] : [], fix: { auto: false, steps: [msg('doc.files.fix.init')] }, causedBy: [] }];
    }
    const out: Finding[] = [];
    const edited = Object.keys(e.manifest).filter((p) => e.actual[p] !== null && e.actual[p] !== undefined && e.actual[p] !== e.manifest![p]).sort();
    const missing = Object.keys(e.manifest).filter((p) => e.actual[p] === null).sort();
    for (const p of edited) {
      if (p === ANSWERS_FILE) {
        out.push({
          id: `files.edited:${p}`, check: 'files', severity: 'info', title: msg('doc.files.answersChanged', { file: p }), evidence: [],
          fix: { auto: false, steps: [msg('doc.files.fix.applyAnswers', { file: p })] }, causedBy: [],
        });
        continue;
      }
      out.push({
        id: `files.edited:${p}`, check: 'files', severity: 'warn', title: msg('doc.files.edited', { file: p }), explain: msg('doc.files.editedExplain'),
        evidence: [msg('doc.files.ev.hash', { want: e.manifest[p]!.slice(0, 12), got: (e.actual[p] ?? '').slice(0, 12) })],
        fix: e.restorable[p] ? { auto: true, action: { kind: 'restore-files', paths: [p] }, notes: [msg('doc.files.fix.keepNote')] } : { auto: false, steps: [msg('doc.files.fix.diff', { file: p }), msg('doc.files.fix.answers')] },
        causedBy: [], hints: { files: [p] },
      });
    }
    if (missing.length) {
      const can = missing.filter((p) => e.restorable[p]);
      out.push({
        id: 'files.missing', check: 'files', severity: 'error', title: msg('doc.files.missing', { files: missing.join(', ') }), explain: msg('doc.files.missingExplain'), evidence: missing,
        fix: can.length ? { auto: true, action: { kind: 'restore-files', paths: can }, notes: [] } : { auto: false, steps: [msg('doc.files.fix.init')] },
        causedBy: [], hints: { files: missing },
      });
    }
    return out.length ? out : [okFinding('files', 'files', 'doc.files.ok', [], { count: Object.keys(e.manifest).length })];
  },
};

export interface EnvEvidence {
  path: string;
  exists: boolean;
  mode: number | null;
  /** Secret names the stack needs that .env lacks (or holds empty). */
  missing: string[];
}

export const envCheck: CheckDef<EnvEvidence> = {
  id: 'env',
  label: 'doc.check.env',
  symptoms: ['down', 'bad-gateway'],
  evaluate(e) {
    if (!e.exists) {
      return [{ id: 'files.env', check: 'env', severity: 'error', title: msg('doc.env.missing', { path: e.path }), explain: msg('doc.env.explain'), evidence: [], fix: { auto: false, steps: [msg('doc.env.fix.backup'), msg('doc.files.fix.init')] }, causedBy: [] }];
    }
    const ev: Line[] = [msg('doc.env.ev', { path: e.path, mode: e.mode === null ? '?' : e.mode.toString(8).padStart(3, '0') })];
    if (e.missing.length) {
      return [{ id: 'files.env', check: 'env', severity: 'error', title: msg('doc.env.keys', { keys: e.missing.join(', ') }), explain: msg('doc.env.explain'), evidence: ev, fix: { auto: false, steps: [msg('doc.env.fix.backup'), msg('doc.files.fix.init')] }, causedBy: [] }];
    }
    // Secrets readable by every local user (a web shell, another service) end up elsewhere.
    if (e.mode !== null && (e.mode & 0o077) !== 0) {
      return [{
        id: 'files.env', check: 'env', severity: 'warn', title: msg('doc.env.mode', { path: e.path, mode: e.mode.toString(8).padStart(3, '0') }), explain: msg('doc.env.modeExplain'), evidence: ev,
        fix: { auto: true, action: { kind: 'commands', argv: [['chmod', '600', e.path]] }, notes: [] }, causedBy: [],
      }];
    }
    return [okFinding('env', 'files.env', 'doc.env.ok', ev)];
  },
};
