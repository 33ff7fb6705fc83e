import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { AnswersSchema } from '../../src/domain/answers.js';
import { relevantKinds, resolveMirrors } from '../../src/steps/mirrors.js';
import type { HostFacts } from '../../src/domain/facts.js';

const facts = (id: string, arch = 'x64') => ({ os: { id, versionId: '1', codename: 'x', prettyName: id, idLike: [] }, arch }) as unknown as HostFacts;

describe('choosing mirrors', () => {
  it('region global with no mirrors in the answers probes nothing and changes nothing', async () => {
    const ctx = createContext({ lang: 'en', dryRun: true, env: {}, io: { out: () => {}, err: () => {} } });
    const a = AnswersSchema.parse({ project: 'shop', region: 'global', app: { image: 'registry.example.com/a:1' } });
    const r = await resolveMirrors(ctx, a, facts('debian'));
    expect(r).toEqual({ answers: a, chosen: [], noneAlive: [], results: [] });
  });

  it('apt mirrors only for the host’s own distribution; none at all on other systems', () => {
    expect(relevantKinds(facts('debian'))).toEqual(['apt-debian', 'docker-ce', 'registry', 'image-prefix', 'npm', 'pypi', 'node']);
    expect(relevantKinds(facts('ubuntu'))[0]).toBe('apt-ubuntu');
    expect(relevantKinds(facts('rocky'))).toEqual(['registry', 'image-prefix', 'npm', 'pypi', 'node']);
  });
});
