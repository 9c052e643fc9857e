import { describe, expect, it } from 'vitest';
import { StoryIndex, type StoryCandidate } from '../../src/stories/cluster.ts';
import { bcubed, clusterFixture, compressed, loadStoryFixture, mistakes, pairwise } from './fixture.ts';

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

describe('StoryIndex on the dense-day fixture (one subject, 22 events, en/ko/ru)', () => {
  const articles = loadStoryFixture('dense-day');
  const timings = [
    ['at the real times', articles],
    ['all arriving within three hours', compressed(articles, 3)],
  ] as const;

  it.each(timings)('folds %s with pairwise precision ≥ 0.90 and recall ≥ 0.80', (_, input) => {
    const clustered = clusterFixture(input);
    const score = pairwise(clustered.map((c) => ({ gold: c.article.story, predicted: c.storyId })));
    const { merged, split } = mistakes(clustered);
    expect(score.precision, `merged:\n${merged.join('\n')}`).toBeGreaterThanOrEqual(0.9);
    expect(score.recall, `split:\n${split.join('\n')}`).toBeGreaterThanOrEqual(0.8);
  });

  it('holds twelve events of the summit within 48 hours, each in two or three languages', () => {
    const summit = articles.filter((a) => a.publishedAt >= at('2024-06-18T18:00:00Z') && a.publishedAt < at('2024-06-20T18:00:00Z'));
    const events = new Set(summit.map((a) => a.story));
    expect(events.size).toBeGreaterThanOrEqual(12);
    for (const event of events) {
      const reports = articles.filter((a) => a.story === event);
      expect(reports.length).toBeGreaterThanOrEqual(2);
      expect(new Set(reports.map((a) => a.language)).size).toBeGreaterThanOrEqual(2);
    }
  });

  it('keeps every near-miss apart when all arrive within three hours', () => {
    const clustered = clusterFixture(compressed(articles, 3));
    const storiesOf = (label: string) => new Set(clustered.filter((c) => c.article.story === label).map((c) => c.storyId));
    const apart = (...labels: string[]) => {
      const all = labels.flatMap((label) => [...storiesOf(label)]);
      expect(new Set(all).size, labels.join(' / ')).toBe(all.length);
    };
    apart('treaty-signed', 'treaty-text-article4', 'ratification-bill-submitted', 'duma-ratifies', 'tumen-bridge');
    apart('containers-6700', 'containers-13000');
    apart('nis-troops-12000', 'hur-troops-11000', 'kremlin-denies-troops', 'dprk-denies-troops-un');
    apart('angara-at-rajin', 'angara-in-china');
    apart('satellite-technology', 'submarine-technology');
    apart('putin-arrives-pyongyang', 'putin-arrives-hanoi');
  });

  it('says why each report joined: the evidence both share', () => {
    const clustered = clusterFixture(articles);
    const korean = clustered.find((c) => c.article.articleId === 1049)!;
    expect(korean.assignment.reason).toBe('event');
    expect(korean.assignment.detail).toMatch(/^same event: /);
    expect(korean.assignment.detail).toContain('12,000');
    for (const c of clustered) {
      if (c.assignment.reason !== 'new') expect(c.assignment.detail, String(c.article.articleId)).toBeTruthy();
    }
  });
});

describe('StoryIndex event evidence', () => {
  const nis = candidate({
    articleId: 1,
    title: 'North Korea sending 12,000 troops to help Russia, South Korean spy agency says',
    lead: "North Korea has decided to send 12,000 troops to support Russia's war, South Korea's National Intelligence Service said, with a first group of 1,500 moved to Vladivostok on Russian naval vessels.",
    concepts: ['dprk', 'russia', 'troops'],
    publishedAt: at('2024-10-18T02:20:00Z'),
  });

  it('joins a report in another language on shared figures and names, with one shared concept', () => {
    const index = new StoryIndex();
    index.add(7, nis);
    const korean = candidate({
      articleId: 2,
      language: 'ko',
      title: '국정원 "北, 특수부대 1만2천명 러 파병 결정…1천500명 1차 이동"',
      lead: '국가정보원은 북한이 1만2천명 규모의 병력을 러시아에 파병하기로 했으며 이 중 1천500명이 해군 수송함으로 블라디보스토크에 이동했다고 밝혔다.',
      concepts: ['troops'],
      publishedAt: at('2024-10-18T03:00:00Z'),
    });
    const assignment = index.assign(korean);
    expect(assignment).toMatchObject({ storyId: 7, reason: 'event' });
    expect(assignment.detail).toMatch(/12,000|1,500/);
  });

  it('keeps a report with a different key figure apart, however alike the words', () => {
    const index = new StoryIndex();
    index.add(7, nis);
    const other = { ...nis, articleId: 2, title: nis.title.replace('12,000', '11,000'), lead: nis.lead.replace(/12,000/g, '11,000').replace('1,500', '3,000') };
    expect(index.assign(other).storyId).toBeNull();
  });

  it('keeps a denial apart from the claim it denies', () => {
    const index = new StoryIndex();
    index.add(7, nis);
    const denial = candidate({
      articleId: 2,
      title: "Kremlin dismisses report of North Korean troops in Ukraine war as 'fake'",
      lead: 'The Kremlin dismissed as "another fake" a report by South Korea\'s spy agency that North Korea had sent 1,500 special forces to Russia.',
      concepts: ['dprk', 'russia', 'troops'],
      publishedAt: at('2024-10-18T03:00:00Z'),
    });
    expect(index.assign(denial).storyId).toBeNull();
  });

  it('folds a near-duplicate only when its figures agree', () => {
    const index = new StoryIndex();
    index.add(7, nis);
    const copy = { ...nis, articleId: 2, url: 'https://other.example/copy', title: 'N.Korea sending 12,000 troops to help Russia -Seoul spy agency', lead: `SEOUL (Reuters) - ${nis.lead}` };
    expect(index.assign(copy)).toMatchObject({ storyId: 7, reason: 'near-duplicate' });
    expect(index.assign(copy).detail).toMatch(/^near-duplicate \d\.\d\d$/);
    const corrected = { ...copy, articleId: 3, title: copy.title.replace('12,000', '13,000'), lead: copy.lead.replace(/12,000/g, '13,000').replace('1,500', '2,000') };
    expect(index.assign(corrected).storyId).toBeNull();
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

  it('says why it joined: same URL, same headline', () => {
    const index = new StoryIndex({ windowHours: 72 });
    index.add(7, shells);
    expect(index.assign({ ...shells, articleId: 2 }).detail).toBe('same URL');
    expect(index.assign({ ...shells, articleId: 3, url: 'https://elsewhere.example/a' }).detail).toBe('same headline');
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

  it('needs two shared concepts, or shared evidence, to join across languages', () => {
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

describe('StoryIndex.move', () => {
  it('takes a wrongly folded article into its own story: later reports compare against both', () => {
    const index = new StoryIndex({ windowHours: 72 });
    const quake = candidate({ articleId: 2, url: 'https://example.com/quake', title: 'Magnitude 6.8 quake shakes northeastern Japan, no tsunami warning issued', publishedAt: at('2025-03-05T08:40:00Z') });
    index.add(7, shells);
    index.add(7, quake); // the wrong fold
    index.move(2, 8);
    index.move(99, 9); // not in the window: nothing to move
    expect(index.assign({ ...quake, articleId: 3 })).toMatchObject({ storyId: 8, reason: 'url' });
    expect(index.assign({ ...shells, articleId: 4 })).toMatchObject({ storyId: 7, reason: 'url' });
    expect(index.size).toBe(2);
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
