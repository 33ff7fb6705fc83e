// The first screen: what the wizard sees of this host, and what is worth knowing before setup.
import { Box, Text, useInput } from 'ink';
import type { HostFacts } from '../../domain/facts.js';
import { hostNotes } from '../../domain/host-checks.js';
import { factRows } from '../../host/report.js';
import type { T } from '../../i18n/index.js';
import { Frame, Rows, Spinner } from '../components.js';

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

export function Welcome({ t, step, facts, error, localNote, onNext }: WelcomeProps) {
  useInput((_i, key) => {
    if (key.return && facts) onNext();
  });
  return (
    <Frame t={t} title={t('ui.s.welcome')} step={step} hints={facts ? [['Enter', 'ui.k.continue'], ['Ctrl-C', 'ui.k.quit']] : [['Ctrl-C', 'ui.k.quit']]}>
      <Text>{t('ui.welcome.intro')}</Text>
      <Box marginTop={1} flexDirection="column">
        {facts ? (
          <>
            <Text bold>{t('ui.welcome.host', { host: facts.hostname })}</Text>
            <Rows rows={factRows(t, facts).map(([k, v]) => [k, v])} indent={2} />
            {hostNotes(facts).map((n, i) => (
              <Text key={i} color="yellow">{`! ${t(n.key, n.params)}`}</Text>
            ))}
            {localNote ? (
              <Box marginTop={1}>
                <Text color="cyan">{localNote}</Text>
              </Box>
            ) : null}
          </>
        ) : error ? (
          <Text color="red">{error}</Text>
        ) : (
          <Text>
            <Spinner /> {t('ui.welcome.probing')}
          </Text>
        )}
      </Box>
    </Frame>
  );
}
