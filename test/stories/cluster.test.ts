import { describe, expect, it } from 'vitest';
import { StoryIndex, type StoryCandidate } from '../../src/stories/cluster.ts';
import { bcubed, clusterFixture, loadStoryFixture } from './fixture.ts';

const at = (iso: string): Date => new Date(iso);

function candidate(over: Partial<StoryCandidate> & { articleId: number }): StoryCandidate {
  return {
    title: 'Untitled report',
    lead: '',
    publishedAt: at('2025-03-05T06:00:00Z'),
    concepts: [],
    language: 'en',
    source: 'example.com',
    ...over,
  };
}

const shells = candidate({
  articleId: 1,
  url: 'https://www.reuters.com/world/north-korea-shells-russia-2025-03-05/',
  title: 'North Korea has shipped millions of artillery shells to Russia, Seoul says',
  lead: "North Korea has sent more than 12,000 containers of artillery shells and other munitions to Russia since August, South Korea's spy agency told lawmakers on Wednesday.",
  concepts: ['dprk', 'russia', 'artillery-shells', 'arms-transfer'],
});

describe('StoryIndex on the fixture set', () => {
  const articles = loadStoryFixture();
  const clustered = clusterFixture(articles);
  const score = bcubed(clustered.map((c) => ({ gold: c.article.story, predicted: c.storyId })));

  it('reaches B-cubed F1 of at least 0.85', () => {
    expect(score.f1).toBeGreaterThanOrEqual(0.85);
    expect(score.precision).toBeGreaterThanOrEqual(0.85);
    expect(score.recall).toBeGreaterThanOrEqual(0.85);
  });

  it('joins the Korean and Russian reports to the English story through concept ids', () => {
    const storyOf = (id: number) => clustered.find((c) => c.article.articleId === id)!;
    const english = storyOf(9);
    for (const id of [11, 15]) {
      expect(storyOf(id).storyId).toBe(english.storyId);
      expect(storyOf(id).assignment.reason).toBe('event');
    }
  });

  it('uses each kind of evidence at least once', () => {
    const reasons = new Set(clustered.map((c) => c.assignment.reason));
    expect([...reasons].sort()).toEqual(['event', 'near-duplicate', 'new', 'title', 'url']);
  });

  it('keeps look-alike missile launches apart even when nothing has left the window', () => {
    const wide = clusterFixture(articles, 24 * 30);
    const story = (label: string) => new Set(wide.filter((c) => c.article.story === label).map((c) => c.storyId));
    const feb26 = story('dprk-ballistic-feb26');
    const mar5 = story('dprk-ballistic-mar5');
    const mar7 = story('dprk-cruise-mar7');
    expect(feb26.size).toBe(1);
    expect(mar5.size).toBe(1);
    expect(mar7.size).toBe(1);
    expect(new Set([...feb26, ...mar5, ...mar7]).size).toBe(3);
  });
});

describe('StoryIndex options', () => {
  it('defaults to a 72-hour window and refuses a window that is not positive', () => {
    const index = new StoryIndex();
    index.add(1, shells);
    index.prune(new Date(shells.publishedAt.getTime() + 71 * 3_600_000));
    expect(index.size).toBe(1);
    index.prune(new Date(shells.publishedAt.getTime() + 73 * 3_600_000));
    expect(index.size).toBe(0);
    expect(() => new StoryIndex({ windowHours: 0 })).toThrow(/positive number of hours/);
  });
});

describe('StoryIndex.assign', () => {
  it('calls an empty window a new story', () => {
    expect(new StoryIndex({ windowHours: 72 }).assign(shells)).toEqual({ storyId: null, reason: 'new' });
  });

  it('matches the same page by canonical URL, ignoring tracking parameters and www', () => {
    const index = new StoryIndex({ windowHours: 72 });
    index.add(7, shells);
    const copy = candidate({
      articleId: 2,
      url: 'https://reuters.com/world/north-korea-shells-russia-2025-03-05?utm_source=rss#top',
      title: 'Completely rewritten headline',
    });
    expect(index.assign(copy)).toMatchObject({ storyId: 7, reason: 'url' });
  });

  it('matches an identical headline with an outlet suffix within a day, not a week later', () => {
    const index = new StoryIndex({ windowHours: 24 * 30 });
    index.add(7, shells);
    const sameDay = candidate({ articleId: 2, title: `${shells.title} - Reuters`, publishedAt: at('2025-03-05T09:00:00Z') });
    const weekLater = candidate({ articleId: 3, title: shells.title, publishedAt: at('2025-03-12T09:00:00Z') });
    expect(index.assign(sameDay)).toMatchObject({ storyId: 7, reason: 'title' });
    expect(index.assign(weekLater).reason).not.toBe('title');
  });

  it('does not trust a generic headline', () => {
    const index = new StoryIndex({ windowHours: 72 });
    index.add(7, candidate({ articleId: 1, title: 'Live updates' }));
    expect(index.assign(candidate({ articleId: 2, title: 'Live updates' })).storyId).toBeNull();
  });

  it('finds a syndicated copy with another URL and an edited headline as a near-duplicate', () => {
    const index = new StoryIndex({ windowHours: 72 });
    index.add(7, shells);
    const syndicated = candidate({
      articleId: 2,
      url: 'https://news.yahoo.com/n-korea-shipped-shells-061500123.html',
      title: 'N.Korea has shipped millions of artillery shells to Russia -Seoul',
      lead: `SEOUL (Reuters) - ${shells.lead}`,
    });
    const assignment = index.assign(syndicated);
    expect(assignment).toMatchObject({ storyId: 7, reason: 'near-duplicate' });
    expect(assignment.similarity).toBeGreaterThanOrEqual(0.6);
  });

  it('keeps a same-day story that shares words and concepts apart', () => {
    const index = new StoryIndex({ windowHours: 72 });
    index.add(7, shells);
    const factory = candidate({
      articleId: 2,
      title: 'Kim Jong Un calls for more artillery shell production at munitions factory, KCNA says',
      lead: "North Korean leader Kim Jong Un visited a munitions factory and called for a sharp increase in the production of artillery shells, state media KCNA reported.",
      concepts: ['dprk', 'kim-jong-un', 'artillery-shells', 'munitions-industry'],
      publishedAt: at('2025-03-05T21:30:00Z'),
    });
    expect(index.assign(factory)).toEqual({ storyId: null, reason: 'new' });
  });

  it('needs two shared concepts to join across languages', () => {
    const index = new StoryIndex({ windowHours: 72 });
    index.add(7, shells);
    const korean = candidate({
      articleId: 2,
      language: 'ko',
      title: '북한, 러시아에 포탄 보내',
      lead: '북한이 러시아에 포탄을 보냈다.',
      concepts: ['dprk', 'weather'],
    });
    expect(index.assign(korean).storyId).toBeNull();
    expect(index.assign({ ...korean, concepts: ['dprk', 'russia', 'artillery-shells', 'arms-transfer'] })).toMatchObject({
      storyId: 7,
      reason: 'event',
    });
  });

  it("treats one outlet's lead repeated under unrelated headlines as boilerplate", () => {
    const index = new StoryIndex({ windowHours: 72 });
    const boilerplate = 'Get the latest breaking news, analysis and opinion from the Daily Example newsroom.';
    const headlines = [
      'City council approves new cycle lanes along the river',
      'Local bakery wins national award for sourdough bread',
      'Storm warning issued for the northern coast tonight',
      'Football club appoints former captain as head coach',
    ];
    const stories = headlines.map((title, i) =>
      index.place(candidate({ articleId: i + 1, title, lead: boilerplate, source: 'daily.example' }), () => 100 + i),
    );
    expect(stories.map((s) => s.reason)).toEqual(['new', 'new', 'new', 'new']);
  });

  it('ignores markup and links in the lead', () => {
    const index = new StoryIndex({ windowHours: 72 });
    index.add(7, shells);
    const marked = candidate({
      articleId: 2,
      url: 'https://another.example/x',
      title: '<b>North Korea has shipped millions of artillery shells to Russia</b>, Seoul says',
      lead: `<p>${shells.lead.replace('artillery', '<a href="https://x.example/tag/artillery">artillery</a>')}</p>`,
    });
    expect(index.assign(marked).storyId).toBe(7);
  });

  it('is not changed by assign alone', () => {
    const index = new StoryIndex({ windowHours: 72 });
    index.assign(shells);
    expect(index.size).toBe(0);
  });
});

describe('StoryIndex window', () => {
  it('prunes what left the window, bounding memory', () => {
    const index = new StoryIndex({ windowHours: 72 });
    for (let i = 0; i < 100; i++) {
      index.add(i, candidate({
        articleId: i,
        url: `https://example.com/a/${i}`,
        title: `Report number ${i} about harbour cranes and tides`,
        publishedAt: new Date(Date.UTC(2025, 2, 1) + i * 3_600_000),
      }));
    }
    expect(index.size).toBe(100);
    index.prune(new Date(Date.UTC(2025, 2, 1) + 99 * 3_600_000));
    expect(index.size).toBe(73);
    // A pruned article no longer answers by URL.
    expect(index.assign(candidate({ articleId: 500, url: 'https://example.com/a/0', title: 'x' })).reason).not.toBe('url');
    expect(index.assign(candidate({ articleId: 501, url: 'https://example.com/a/50', title: 'x' }))).toMatchObject({
      storyId: 50,
      reason: 'url',
    });
  });

  it('rebuilt from stored assignments after a restart, answers as before', () => {
    const articles = loadStoryFixture();
    const live = clusterFixture(articles);
    const rebuilt = new StoryIndex({ windowHours: 72 });
    const head = live.slice(0, 30);
    for (const c of head) rebuilt.add(c.storyId, c.article);
    rebuilt.prune(head[head.length - 1]!.article.publishedAt);
    for (const c of live.slice(30)) {
      const again = rebuilt.assign(c.article);
      expect(again.storyId ?? c.storyId).toBe(c.storyId);
      rebuilt.add(c.storyId, c.article);
    }
  });
});

describe('StoryIndex.add', () => {
  it('replaces an article added twice (an edit, or a rebuild overlapping live traffic)', () => {
    const index = new StoryIndex({ windowHours: 72 });
    index.add(7, shells);
    index.add(8, { ...shells, url: 'https://example.com/moved', title: 'A completely different headline about harbours' });
    expect(index.size).toBe(1);
    expect(index.assign({ ...shells, articleId: 2 }).storyId).not.toBe(7);
    expect(index.assign(candidate({ articleId: 3, url: 'https://example.com/moved' }))).toMatchObject({ storyId: 8, reason: 'url' });
    // The old URL no longer answers by itself.
    expect(index.assign(candidate({ articleId: 4, url: shells.url, title: 'Harbour cranes' })).reason).not.toBe('url');
  });
});

describe('StoryIndex.place', () => {
  it('creates a story id only for a new story', () => {
    const index = new StoryIndex({ windowHours: 72 });
    let created = 0;
    const first = index.place(shells, () => ++created + 100);
    const second = index.place({ ...shells, articleId: 2 }, () => ++created + 100);
    expect(first).toMatchObject({ storyId: 101, reason: 'new' });
    expect(second).toMatchObject({ storyId: 101, reason: 'url' });
    expect(created).toBe(1);
    expect(index.size).toBe(2);
  });
});

describe('StoryIndex under a flood of copies', () => {
  it('folds thousands of near-identical reports into one story, and prunes them, in linear time', () => {
    const index = new StoryIndex({ windowHours: 72 });
    let next = 1;
    const copies = 20_000;
    const stories = new Set<number>();
    for (let i = 0; i < copies; i++) {
      const placed = index.place(candidate({ ...shells, articleId: 100 + i, url: undefined, title: `${shells.title} ${i}`, source: `outlet-${i}.example` }), () => next++);
      stories.add(placed.storyId);
    }
    expect(stories.size).toBe(1);
    index.prune(new Date(shells.publishedAt.getTime() + 100 * 3_600_000));
    expect(index.assign(shells)).toEqual({ storyId: null, reason: 'new' });
  });
});
