import { describe, expect, it } from 'vitest';
import {
  buildDigest,
  formatOutlets,
  paginateDigest,
  renderDigestLine,
  renderDigestText,
  type Digest,
  type DigestStory,
} from '../../src/alerts/digest.ts';

const window = { since: new Date('2025-03-05T08:00:00Z'), until: new Date('2025-03-06T08:00:00Z') };

function story(over: Partial<DigestStory> & { storyId: number }): DigestStory {
  return {
    topic: 'dprk-russia-arms',
    topicTitle: 'DPRK–Russia arms transfers',
    title: `Story ${over.storyId}`,
    url: `https://example.com/${over.storyId}`,
    source: 'reuters.com',
    outlets: 1,
    score: 0.8,
    firstSeenAt: new Date('2025-03-05T12:00:00Z'),
    gist: 'Something happened.',
    ...over,
  };
}

const stories: DigestStory[] = [
  story({
    storyId: 1,
    title: 'North Korea has shipped millions of artillery shells to Russia, Seoul says',
    url: 'https://www.reuters.com/world/asia-pacific/north-korea-shells-russia/',
    outlets: 5,
    score: 0.91,
    firstSeenAt: new Date('2025-03-05T10:00:00Z'),
    gist: "North Korea has sent more than 12,000 containers of munitions to Russia since August, South Korea's spy agency said.",
  }),
  story({
    storyId: 2,
    title: 'US sanctions shipping firms over North Korea-Russia arms transfers',
    url: 'https://apnews.com/article/treasury-sanctions-vessels',
    source: 'apnews.com',
    outlets: 2,
    score: 0.74,
    firstSeenAt: new Date('2025-03-06T07:00:00Z'),
    gist: 'Treasury sanctioned three vessels that carried North Korean arms to Vostochny.',
  }),
  story({
    storyId: 3,
    topic: 'dprk-missiles',
    topicTitle: 'DPRK missile launches',
    title: 'N. Korea fires ballistic missile into East Sea: JCS',
    url: 'https://en.yna.co.kr/view/AEN20250305000152315',
    source: 'en.yna.co.kr',
    outlets: 6,
    score: 0.88,
    firstSeenAt: new Date('2025-03-05T09:00:00Z'),
    gist: 'The missile flew about 300 kilometers before falling outside Japan’s EEZ.',
  }),
  // The same story matched a second topic less well: it is listed once, under its best topic.
  story({ storyId: 1, topic: 'dprk-missiles', topicTitle: 'DPRK missile launches', score: 0.4 }),
];

describe('buildDigest', () => {
  it('groups by topic, ranks by score and freshness, and lists each story once', () => {
    const digest = buildDigest(stories, window);
    expect(digest.topics.map((t) => [t.slug, t.stories.map((s) => s.storyId)])).toEqual([
      ['dprk-russia-arms', [1, 2]],
      ['dprk-missiles', [3]],
    ]);
    expect(digest.storyCount).toBe(3);
    expect(digest.empty).toBe(false);
  });

  it('lets a much fresher story of equal score go first', () => {
    const old = story({ storyId: 10, score: 0.8, firstSeenAt: new Date('2025-03-05T08:30:00Z') });
    const fresh = story({ storyId: 11, score: 0.8, firstSeenAt: new Date('2025-03-06T07:30:00Z') });
    const weakFresh = story({ storyId: 12, score: 0.3, firstSeenAt: new Date('2025-03-06T07:59:00Z') });
    const digest = buildDigest([old, weakFresh, fresh], window);
    expect(digest.topics[0]!.stories.map((s) => s.storyId)).toEqual([11, 10, 12]);
  });

  it('cuts each topic at perTopic and counts the rest', () => {
    const many = Array.from({ length: 15 }, (_, i) => story({ storyId: i + 1, score: 0.5 + i / 100 }));
    const digest = buildDigest(many, window, { perTopic: 4 });
    expect(digest.topics[0]!.stories.map((s) => s.storyId)).toEqual([15, 14, 13, 12]);
    expect(digest.topics[0]!.more).toBe(11);
    expect(digest.storyCount).toBe(4);
  });

  it('marks an empty window', () => {
    const digest = buildDigest([], window, { title: 'DPRK missile launches' });
    expect(digest).toMatchObject({ empty: true, storyCount: 0, topics: [] });
  });
});

describe('renderDigestText', () => {
  it('renders the golden text', () => {
    expect(renderDigestText(buildDigest(stories, window))).toBe(
      [
        'Digest: 2025-03-05 08:00 UTC – 2025-03-06 08:00 UTC · 3 stories in 2 topics',
        '',
        'DPRK–Russia arms transfers (dprk-russia-arms)',
        "  • North Korea has shipped millions of artillery shells to Russia, Seoul says (reuters.com +4 outlets) https://www.reuters.com/world/asia-pacific/north-korea-shells-russia/ — North Korea has sent more than 12,000 containers of munitions to Russia since August, South Korea's spy agency said.",
        '  • US sanctions shipping firms over North Korea-Russia arms transfers (apnews.com +1 outlet) https://apnews.com/article/treasury-sanctions-vessels — Treasury sanctioned three vessels that carried North Korean arms to Vostochny.',
        '',
        'DPRK missile launches (dprk-missiles)',
        '  • N. Korea fires ballistic missile into East Sea: JCS (en.yna.co.kr +5 outlets) https://en.yna.co.kr/view/AEN20250305000152315 — The missile flew about 300 kilometers before falling outside Japan’s EEZ.',
        '',
      ].join('\n'),
    );
  });

  it('says plainly that a window is empty, in the requested time zone', () => {
    const digest = buildDigest([], window, { title: 'DPRK missile launches' });
    expect(renderDigestText(digest, { timeZone: 'Europe/Berlin' })).toBe(
      'No stories for DPRK missile launches between 2025-03-05 09:00 CET and 2025-03-06 09:00 CET.\n',
    );
  });

  it('mentions stories cut by perTopic', () => {
    const many = Array.from({ length: 3 }, (_, i) => story({ storyId: i + 1, url: undefined, gist: '' }));
    const text = renderDigestText(buildDigest(many, window, { perTopic: 1 }));
    expect(text).toContain('1 story in 1 topic, 2 more not shown');
    expect(text).toContain('  • Story 1 (reuters.com)\n  … and 2 more\n');
  });
});

describe('formatOutlets', () => {
  it.each([
    [0, ''],
    [1, ''],
    [2, '+1 outlet'],
    [5, '+4 outlets'],
  ])('%i → %j', (n, expected) => {
    expect(formatOutlets(n)).toBe(expected);
  });
});

describe('paginateDigest', () => {
  const big = buildDigest(
    [
      ...Array.from({ length: 70 }, (_, i) => story({ storyId: i + 1, score: 0.9 - i / 1000, gist: 'x'.repeat(150) })),
      ...Array.from({ length: 30 }, (_, i) =>
        story({ storyId: 100 + i, topic: 'b', topicTitle: 'Topic B', score: 0.5 - i / 1000, gist: 'y'.repeat(150) }),
      ),
    ],
    window,
    { perTopic: 100 },
  );
  const ids = (parts: Digest[]) => parts.flatMap((p) => p.topics.flatMap((t) => t.stories.map((s) => s.storyId)));
  const original = ids([big]);

  it.each([
    ['Slack blocks and section text', { maxItemsPerPart: 50, maxCharsPerPart: 3_000 }],
    ['Discord description', { maxItemsPerPart: 1_000, maxCharsPerPart: 4_096 }],
    ['tiny parts', { maxItemsPerPart: 2, maxCharsPerPart: 10 }],
  ])('%s: keeps every story, in order, within the limits', (_name, limits) => {
    const parts = paginateDigest(big, { ...limits, renderLine: renderDigestLine });
    expect(ids(parts)).toEqual(original);
    expect(parts.reduce((sum, p) => sum + p.storyCount, 0)).toBe(100);
    parts.forEach((part, i) => {
      expect(part.part).toEqual({ index: i + 1, count: parts.length });
      const items = part.topics.reduce((sum, t) => sum + 1 + t.stories.length, 0);
      const chars = part.topics.reduce(
        (sum, t) => sum + t.title.length + 1 + t.stories.reduce((s, st) => s + renderDigestLine(st).length + 1, 0),
        0,
      );
      if (part.storyCount > 1) {
        expect(items).toBeLessThanOrEqual(limits.maxItemsPerPart);
        expect(chars).toBeLessThanOrEqual(limits.maxCharsPerPart);
      }
    });
  });

  it('repeats a topic heading when the topic continues in the next part', () => {
    const parts = paginateDigest(big, { maxItemsPerPart: 50, maxCharsPerPart: 100_000, renderLine: renderDigestLine });
    expect(parts.map((p) => p.topics.map((t) => `${t.slug}:${t.stories.length}`))).toEqual([
      ['dprk-russia-arms:49'],
      ['dprk-russia-arms:21', 'b:27'],
      ['b:3'],
    ]);
  });

  it('returns an empty digest as one part', () => {
    const parts = paginateDigest(buildDigest([], window), { maxItemsPerPart: 50, maxCharsPerPart: 3_000, renderLine: renderDigestLine });
    expect(parts).toHaveLength(1);
    expect(parts[0]!.empty).toBe(true);
  });
});
