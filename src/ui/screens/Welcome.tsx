// The first screen: what the wizard sees of this host, and what is worth knowing before setup.
import { Box, Text } from 'ink';
import type { HostFacts } from '../../domain/facts.js';
import { hostNotes } from '../../domain/host-checks.js';
import { factRows } from '../../host/report.js';
import type { T } from '../../i18n/index.js';
import { Frame, Para, Rows, Spinner, useKeys } from '../components.js';

export interface WelcomeProps {
  t: T;
  step?: string;
  facts: HostFacts | null;
  /** Why the probe failed, when it did. */
  error: string | null;
  /** Files only go to this local folder (not root, or --out). */
  localNote: string | null;
  onNext: () => void;
}

/** Hosts with Docker list dozens of bridge and link-local addresses; the first few say enough here. */
export function shortAddresses(list: string, keep = 4): string {
  const all = list.split(', ').filter((a) => !a.toLowerCase().startsWith('fe80:'));
  return all.length > keep ? `${all.slice(0, keep).join(', ')}, … (+${all.length - keep})` : all.join(', ') || list;
}

export function Welcome({ t, step, facts, error, localNote, onNext }: WelcomeProps) {
  useKeys((_i, key) => {
    if (key.return && facts) onNext();
  });
  return (
    <Frame t={t} title={t('ui.s.welcome')} step={step} hints={facts ? [['Enter', 'ui.k.continue'], ['Ctrl-C', 'ui.k.quit']] : [['Ctrl-C', 'ui.k.quit']]}>
      <Para text={t('ui.welcome.intro')} />
      <Box marginTop={1} flexDirection="column">
        {facts ? (
          <>
            <Text bold>{t('ui.welcome.host', { host: facts.hostname })}</Text>
            <Rows rows={factRows(t, facts).map(([k, v]) => [k, k === t('probe.addresses') ? shortAddresses(v) : v])} indent={2} />
            {hostNotes(facts).map((n, i) => (
              <Para key={i} color="yellow" text={`! ${t(n.key, n.params)}`} />
            ))}
            {localNote ? (
              <Box marginTop={1}>
                <Para color="cyan" text={localNote} />
              </Box>
            ) : null}
          </>
        ) : error ? (
          <Para color="red" text={error} />
        ) : (
          <Text>
            <Spinner /> {t('ui.welcome.probing')}
          </Text>
        )}
      </Box>
    </Frame>
  );
}
