// What the wizard learns about the host while the operator reads the screens: its facts, the
// operator's own address, and the mirrors' latency. Each a hook over the controller's calls.
import { useEffect, useRef, useState } from 'react';
import type { MirrorKind } from '../../domain/answers.js';
import { getPath, type Draft } from '../../domain/draft.js';
import type { HostFacts } from '../../domain/facts.js';
import { errorText } from '../../errors.js';
import { mirrorKey, mirrorKinds, suggestRegion, type MirrorResult } from '../model/region.js';
import type { MirrorCandidate, MirrorSource, WizardController } from '../types.js';

/** Whether a hook's component is still mounted: late answers after it are dropped. */
function useAlive() {
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );
  return alive;
}

export interface HostView {
  facts: HostFacts | null;
  /** Why the probe failed, when it did. */
  factsError: string | null;
  /** Where the operator's SSH session comes from, offered on the security screen for fail2ban's ignoreip. */
  operatorIps: string[];
}

/** The host facts and the operator's address, asked for once as the wizard starts. */
export function useHost(c: WizardController): HostView {
  const [facts, setFacts] = useState<HostFacts | null>(null);
  const [factsError, setFactsError] = useState<string | null>(null);
  const [operatorIps, setOperatorIps] = useState<string[]>([]);
  const alive = useAlive();
  useEffect(() => {
    c.facts().then(
      (f) => alive.current && setFacts(f),
      (e: unknown) => alive.current && setFactsError(errorText(c.t, e)),
    );
    c.operatorAddresses?.().then(
      (a) => alive.current && setOperatorIps(a),
      () => {},
    );
  }, []);
  return { facts, factsError, operatorIps };
}

export interface MirrorProbe {
  cands: MirrorCandidate[];
  /** By mirrorKey(kind, id), as each arrives. */
  results: ReadonlyMap<string, MirrorResult>;
  measuring: boolean;
  kinds: MirrorKind[];
}

/**
 * Mirrors are measured as soon as a setup starts on a host that is likely to want them (region cn
 * given or suggested by the time zone), so the latencies are there by the region screen; anywhere
 * else only once the region screen shows (the operator may choose cn there): a host abroad does
 * not contact the mainland mirrors for nothing.
 */
export const wantsMirrors = (inSetup: boolean, onRegion: boolean, draft: Draft, facts: HostFacts | null, lang?: string): boolean => {
  const region = getPath(draft, 'region');
  // Registry candidates are judged on the plan's images, the app's among them: not before the app is named.
  const appKnown = getPath(draft, 'app.image') !== undefined;
  return inSetup && (onRegion || (appKnown && (region === 'cn' || (region === undefined && suggestRegion(facts, lang) === 'cn'))));
};

/** The mainland mirrors and their measurements, from the first time `want` holds (once per wizard). */
export function useMirrorProbe(src: MirrorSource | null, want: boolean, draft: Draft = {}): MirrorProbe {
  const [cands, setCands] = useState<MirrorCandidate[]>([]);
  const [results, setResults] = useState<ReadonlyMap<string, MirrorResult>>(new Map());
  const [measuring, setMeasuring] = useState(false);
  const started = useRef(false);
  const alive = useAlive();
  useEffect(() => {
    if (!want || started.current || !src) return;
    started.current = true;
    src.candidates('cn').then(
      (cs) => {
        if (!alive.current) return;
        setCands(cs);
        if (!src.measure || cs.length === 0) return;
        setMeasuring(true);
        src
          .measure(cs, (m) => alive.current && setResults((old) => new Map(old).set(mirrorKey(m.kind, m.id), m)), draft)
          .catch(() => {})
          .finally(() => alive.current && setMeasuring(false));
      },
      () => {},
    );
  }, [want]);
  return { cands, results, measuring, kinds: mirrorKinds(cands) };
}
