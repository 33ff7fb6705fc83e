// The preset screen: what each preset gives every service, whether this host fits it, the
// recommended one preselected, and a refusal for one that does not fit.
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { translator } from '../../../src/i18n/index.js';
import { presetOptions, recommendedPreset } from '../../../src/ui/model/presets.js';
import { provisionalAnswers } from '../../../src/ui/model/validate.js';
import { PresetScreen } from '../../../src/ui/screens/Preset.js';
import { usableRamMiB } from '../../../src/domain/facts.js';
import { KEY, facts, plain, press, waitFlat, waitText } from './helpers.js';

afterEach(() => cleanup());

function mount(lang: 'en' | 'zh-CN' = 'en', f = facts()) {
  const t = translator(lang);
  const options = presetOptions(provisionalAnswers({})!, f, t, lang);
  const onChoose = vi.fn();
  const rec = recommendedPreset(f);
  const r = render(<PresetScreen t={t} options={options} recommended={rec} initial={rec} hostMiB={usableRamMiB(f)} cores={2} onChoose={onChoose} />);
  return { ...r, frame: plain(r.lastFrame), onChoose, options, t };
}

describe('Preset', () => {
  test('every option says whether it fits and what it gives each service; the recommended one is selected', async () => {
    const { frame, options, t } = mount();
    const f = await waitText(frame, 'What 4g gives each service');
    expect(f).toMatch(/> 4g .*fits.*\(recommended\)/);
    expect(f).toMatch(/8g .*does not fit/);
    expect(f).toMatch(/16g .*does not fit/);
    const four = options.find((o) => o.id === '4g')!;
    const mysql = four.services.find((s) => s.name === 'mysql')!;
    expect(f).toContain(`mysql ${mysql.memoryMiB}`);
    expect(f).toMatch(new RegExp(`mysql\\s+${mysql.memoryMiB} MiB\\s+${mysql.cpus} CPU`));
    expect(f).toContain(t('ui.preset.total', { reserve: four.reserveMiB!, plan: four.planRamMiB!, host: usableRamMiB(facts()) }));
  });

  test('moving to a preset that does not fit shows why; choosing it is refused', async () => {
    const { frame, stdin, onChoose, options } = mount();
    await waitText(frame, 'What 4g gives');
    await press(stdin, KEY.down);
    await waitFlat(frame, options[1]!.reason!);
    await press(stdin, KEY.enter);
    const f = await waitText(frame, 'cannot use this preset here');
    // The reason, with its numbers, once (#22.4): not again in a box of its own below.
    const reason = options[1]!.reason!;
    expect(f.replace(/\s+/g, ' ').split(reason.slice(0, 40)).length - 1).toBe(1);
    expect(f).toMatch(new RegExp(`8g .*does not fit: needs ${options[1]!.needMiB} MiB, this host has \\d+`));
    expect(onChoose).not.toHaveBeenCalled();
    await press(stdin, KEY.down, KEY.down, KEY.enter);
    expect(onChoose).toHaveBeenCalledWith('auto');
  });

  test('a VM sold as 4 GB that reports 3.4 GiB fits 4g, sized from what it has (#22.4)', async () => {
    const f = facts();
    f.memory.totalBytes = 3482 * 1024 * 1024;
    const { frame, options } = mount('en', f);
    const shown = await waitText(frame, 'What 4g gives each service');
    expect(shown).toMatch(/> 4g .*fits.*\(recommended\)/);
    expect(options.find((o) => o.id === '4g')!.planRamMiB).toBe(3482);
  });

  test('Enter takes the recommended one', async () => {
    const { frame, stdin, onChoose } = mount();
    await waitText(frame, 'What 4g gives');
    await press(stdin, KEY.enter);
    expect(onChoose).toHaveBeenCalledWith('4g');
  });

  test('a 16 GB host: everything fits, 16g recommended; titles in zh-CN', async () => {
    const big = facts({ memory: { ...facts().memory, totalBytes: 15.5 * 1024 ** 3 } });
    const { frame } = mount('zh-CN', big);
    const f = await waitText(frame, '16g 为各服务分配的资源');
    expect(f).toMatch(/> 16g .*16 GB 服务器.*可容纳.*（?\(?推荐/);
    expect(f).not.toContain('放不下');
  });
});

describe('CJK terminals', () => {
  test('the Chinese screen has no East Asian "ambiguous" glyph (·, …, →) that a terminal set to wide would draw in two columns', async () => {
    const stringWidth = (await import('string-width')).default;
    const { frame } = mount('zh-CN');
    const f = await waitText(frame, '为各服务分配的资源');
    expect(f).toContain(' | ');
    // Wide or narrow, every line is as wide: nothing on it is ambiguous.
    for (const line of f.split('\n')) expect(stringWidth(line, { ambiguousIsNarrow: false }), line).toBe(stringWidth(line));
    // The English screen keeps its middle dots (the check would see them).
    const en = await waitText(mount('en').frame, 'What 4g gives');
    expect(en.split('\n').some((l) => stringWidth(l, { ambiguousIsNarrow: false }) !== stringWidth(l))).toBe(true);
  });
});
