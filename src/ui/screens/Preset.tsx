// Size presets: what each gives every service on this host and whether the host fits it
// (computed by buildPlan for each; see presetOptions). The recommended one is preselected.
import { Box, Text } from 'ink';
import { useState } from 'react';
import { padEndDisplay, displayWidth } from '../../host/report.js';
import type { T } from '../../i18n/index.js';
import { memoryBar } from '../../domain/memory-bar.js';
import { Frame, Para, Problem, Rows, SelectList, useTermSize } from '../components.js';
import type { PresetChoice, PresetOption } from '../model/presets.js';

export interface PresetProps {
  t: T;
  step?: string;
  options: PresetOption[];
  recommended: PresetChoice;
  initial: PresetChoice;
  hostMiB: number;
  cores: number;
  onChoose: (id: PresetChoice) => void;
}

export function PresetScreen({ t, step, options, recommended, initial, hostMiB, cores, onChoose }: PresetProps) {
  const [index, setIndex] = useState(Math.max(0, options.findIndex((o) => o.id === initial)));
  const [refused, setRefused] = useState<string | null>(null);
  const hi = options[index];
  const { columns } = useTermSize();
  // The bar gets what is left of the row after the name, MiB and CPU columns (at most 30 cells).
  const nameW = Math.max(displayWidth(t('mem.all')), ...(hi?.services ?? []).map((s) => displayWidth(s.name)));
  const barWidth = Math.max(10, Math.min(30, columns - nameW - 2 - 27 - 3));
  const planned = (hi?.services ?? []).reduce((n, s) => n + s.memoryMiB, 0);
  const tw = Math.max(...options.map((o) => displayWidth(o.title)));
  const items = options.map((o) => ({
    value: o.id,
    label: (
      <Text>
        <Text bold>{o.id.padEnd(5)}</Text>
        {padEndDisplay(o.title, tw)}
        {'  '}
        {o.fits ? (
          <Text color="green">{t('ui.preset.fits')}</Text>
        ) : (
          <Text color="red">{o.needMiB !== null ? t('ui.preset.noFitNeed', { need: o.needMiB, have: hostMiB }) : t('ui.preset.noFit')}</Text>
        )}
        {o.id === recommended ? <Text color="cyan">{`  (${t('ui.preset.recommended')})`}</Text> : null}
        {o.fits ? <Text dimColor>{`\n     ${o.services.map((s) => `${s.name} ${s.memoryMiB}`).join(t('ui.sep'))} MiB`}</Text> : null}
      </Text>
    ),
  }));
  return (
    <Frame t={t} title={t('ui.s.preset')} step={step} hints={[['Up/Down', 'ui.k.choose'], ['Enter', 'ui.k.continue'], ['Esc', 'ui.k.back']]}>
      <Para text={t('ui.preset.intro', { mib: hostMiB, cores })} />
      <Box marginTop={1}>
        <SelectList
          items={items}
          index={index}
          onIndex={(i) => {
            setIndex(i);
            setRefused(null);
          }}
          onChoose={(id) => {
            const o = options.find((x) => x.id === id)!;
            if (o.fits) onChoose(id);
            else setRefused(o.reason);
          }}
        />
      </Box>
      {hi ? (
        <Box marginTop={1} flexDirection="column">
          {hi.fits ? (
            <>
              <Text bold>{t('ui.preset.gives', { preset: hi.id })}</Text>
              {/* Each service's memory as a bar inside this host's RAM (#22.17), on its own row. */}
              <Rows
                indent={2}
                rows={[
                  ...hi.services.map((s): [string, string] => [s.name, `${String(s.memoryMiB).padStart(6)} MiB  ${String(s.cpus).padStart(5)} CPU  ${memoryBar(hostMiB, s.memoryMiB, null, barWidth)}`]),
                  [t('mem.all'), `${String(planned).padStart(6)} MiB  ${' '.repeat(9)}  ${memoryBar(hostMiB, planned, null, barWidth)}`],
                ]}
              />
              <Text dimColor>{`  ${t('ui.preset.total', { reserve: hi.reserveMiB ?? 0, plan: hi.planRamMiB ?? 0, host: hostMiB })}`}</Text>
              <Text dimColor>{`  ${t('mem.titled', { title: t('mem.title', { host: hostMiB }), legend: t('mem.legendPlan') })}`}</Text>
            </>
          ) : (
            // The reason once: Enter on it says it was refused in the same place, not a second copy below.
            <Problem text={refused ? t('ui.preset.refused', { reason: refused }) : (hi.reason ?? '')} />
          )}
        </Box>
      ) : null}
    </Frame>
  );
}
