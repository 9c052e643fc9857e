import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopicFile, topicFromYaml } from '../../src/topics/define.ts';

const valid = {
  title: 'T',
  concepts: { dprk: { aliases: { en: ['North Korea'], ko: ['북한'] } }, russia: { aliases: { en: ['Russia'] } }, tourism: { aliases: { en: ['tourist*'] } } },
  must: ['dprk', 'russia'],
  must_not: ['tourism'],
};

describe('topic YAML', () => {
  it('loads every shipped topic', async () => {
    const { readdirSync } = await import('node:fs');
    const files = readdirSync('config/topics').filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const topic = loadTopicFile(join('config/topics', file));
      expect(topic.slug).toBe(file.replace('.yaml', ''));
      expect(topic.concepts.length).toBeGreaterThan(2);
    }
  });

  it('builds the rule from must, should and must_not', () => {
    const topic = topicFromYaml({ ...valid, should: ['tourism'], min_should: 1, within: 'sentence' }, 'x.yaml', 'x');
    expect(topic.slug).toBe('x');
    expect(topic.threshold).toBe(0.5);
    expect(topic.rule.kind).toBe('and');
    expect(topic.must).toEqual([['dprk'], ['russia']]);
    expect(topic.concepts.find((c) => c.id === 'dprk')!.aliases).toEqual([
      { text: 'North Korea', language: 'en' },
      { text: '북한', language: 'ko' },
    ]);
  });

  it.each([
    [{ ...valid, concepts: { ...valid.concepts, dprk: { aliases: { en: 'North Korea' } } } }, 'topics/x.yaml: concepts.dprk.aliases.en: expected an array'],
    [{ ...valid, concepts: { ...valid.concepts, dprk: { aliases: ['North Korea'] } } }, 'topics/x.yaml: concepts.dprk.aliases: expected a map'],
    [{ ...valid, must: ['dprk', 'rusia'] }, 'topics/x.yaml: must[1]: unknown concept "rusia"'],
    [{ ...valid, must: ['dprk', ['russia', 'kremln']], should: ['shells'] }, 'topics/x.yaml: must[1][1]: unknown concept "kremln"\ntopics/x.yaml: should[0]: unknown concept "shells"'],
    [{ ...valid, threshold: 2, colour: 'red' }, 'topics/x.yaml: threshold: Too big: expected number to be <=1\ntopics/x.yaml: unknown key "colour"'],
    [{ ...valid, threshold: 2 }, 'topics/x.yaml: threshold: Too big: expected number to be <=1'],
    [{ ...valid, colour: 'red' }, 'topics/x.yaml: unknown key "colour"'],
    [{ ...valid, must: [] }, 'topics/x.yaml: must: Too small: expected array to have >=1 items'],
    [{ ...valid, should: ['dprk'], min_should: 2 }, 'topics/x.yaml: min_should: 2 is more than the 1 should concepts'],
  ])('rejects %#', (raw, message) => {
    expect(() => topicFromYaml(raw, 'topics/x.yaml', 'x')).toThrow(expect.objectContaining({ code: 'config', message }));
  });

  it('names the file when the YAML does not parse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'topics-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'title: [unclosed\n');
    expect(() => loadTopicFile(file)).toThrow(expect.objectContaining({ code: 'config', message: expect.stringContaining(file) }));
  });
});
