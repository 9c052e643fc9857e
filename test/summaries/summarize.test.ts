import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cleanText, focusFromExplanation, isTeaser, summarize, summarySource, type SummaryArticle, type SummaryFocus } from '../../src/summaries/summarize.ts';

// Golden files: each <name>.json (article + focus) has its expected summary in <name>.txt.
// Regenerate with UPDATE_GOLDEN=1 after reading every changed line.
const goldenDir = new URL('./golden/', import.meta.url);
const cases = readdirSync(goldenDir).filter((name) => name.endsWith('.json')).sort();

describe('summarize golden files', () => {
  it('has cases in English, Korean and Russian', () => {
    expect(cases.map((name) => name.slice(0, 2))).toEqual(expect.arrayContaining(['en', 'ko', 'ru']));
  });

  it.each(cases)('%s', (name) => {
    const input = JSON.parse(readFileSync(new URL(name, goldenDir), 'utf8')) as { article: SummaryArticle; focus: SummaryFocus };
    const summary = summarize(input.article, input.focus);
    const goldenPath = new URL(name.replace(/\.json$/, '.txt'), goldenDir);
    if (process.env.UPDATE_GOLDEN) writeFileSync(goldenPath, `${summary}\n`);
    expect(summary).toBe(readFileSync(goldenPath, 'utf8').trimEnd());
    expect(summary.length).toBeLessThanOrEqual(400);
    expect(summary).not.toMatch(/<|&[a-z#0-9]+;|Advertisement|Reporting by|무단|Фото:|@/);
  });
});

describe('summarize', () => {
  const article: SummaryArticle = {
    title: 'Port reopens after storm',
    lead: 'The port of Rason reopened on Monday after a storm closed it for three days.',
    body: [
      'The port of Rason reopened on Monday after a storm closed it for three days.',
      'Harbour officials said cranes were undamaged and ships had begun to queue outside the breakwater.',
      'Weather forecasters expect calm seas for the rest of the week across the region.',
      'Local fishermen said their boats had been kept in shelter during the worst of the winds.',
      'Customs records show two Russian cargo ships loaded containers of artillery shells at the reopened port on Tuesday.',
    ].join(' '),
  };

  it('always includes the sentence where the focus terms meet, and keeps the lead', () => {
    const summary = summarize(article, { terms: ['Russian', 'artillery shells'] });
    expect(summary).toContain('artillery shells');
    expect(summary.startsWith('The port of Rason reopened')).toBe(true);
    // Article order is kept.
    expect(summary.indexOf('reopened on Monday')).toBeLessThan(summary.indexOf('Customs records'));
  });

  it('falls back to Lead-3 when nothing is in focus', () => {
    const summary = summarize(article, { terms: [] }, { maxChars: 1000 });
    expect(summary).toBe(
      'The port of Rason reopened on Monday after a storm closed it for three days. Harbour officials said cranes were undamaged and ships had begun to queue outside the breakwater. Weather forecasters expect calm seas for the rest of the week across the region.',
    );
  });

  it('respects maxSentences and maxChars', () => {
    expect(summarize(article, { terms: [] }, { maxSentences: 1 })).toBe(
      'The port of Rason reopened on Monday after a storm closed it for three days.',
    );
    const short = summarize(article, { terms: [] }, { maxChars: 120 });
    expect(short.length).toBeLessThanOrEqual(120);
  });

  it('truncates a single overlong key sentence at a word boundary', () => {
    const long = `${'Very long sentence about shells and Russia '.repeat(20).trim()}.`;
    const summary = summarize({ title: 't', lead: long, body: '' }, { terms: ['shells', 'Russia'], keySentence: long });
    expect(summary.length).toBeLessThanOrEqual(400);
    expect(summary.endsWith('…')).toBe(true);
  });

  it('does not repeat the same content twice (trigram blocking)', () => {
    const summary = summarize(
      {
        title: 'x',
        lead: 'North Korea sent artillery shells to Russia, officials said on Monday.',
        body: 'North Korea sent artillery shells to Russia, officials said on Monday. North Korea sent artillery shells to Russia by sea, the report added. The ships docked at Vostochny.',
      },
      { terms: ['artillery shells'] },
    );
    expect(summary.match(/North Korea sent artillery shells/g)).toHaveLength(1);
  });

  it('drops a lead that is the first paragraph cut short', () => {
    const summary = summarize(
      {
        title: 'x',
        lead: 'North Korea has sent more than 12,000 containers of artillery shells and other…',
        body: 'North Korea has sent more than 12,000 containers of artillery shells and other munitions to Russia since August, the spy agency said. The shipments left from Rason.',
      },
      { terms: ['artillery shells'] },
    );
    expect(summary).toBe(
      'North Korea has sent more than 12,000 containers of artillery shells and other munitions to Russia since August, the spy agency said. The shipments left from Rason.',
    );
  });

  it('falls back to the title when there is no text', () => {
    expect(summarize({ title: 'Only a headline', lead: '', body: '<p></p>' }, { terms: [] })).toBe('Only a headline');
  });
});

describe('focusFromExplanation', () => {
  it('takes the distinct surface strings and the co-occurrence sentence', () => {
    const focus = focusFromExplanation({
      hits: [
        { surface: 'North Korea' },
        { surface: 'artillery shells' },
        { surface: 'North Korea' },
      ],
      cooccurrence: { sentence: 'North Korea sent artillery shells to Russia.' },
    });
    expect(focus).toEqual({ terms: ['North Korea', 'artillery shells'], keySentence: 'North Korea sent artillery shells to Russia.' });
    expect(focusFromExplanation({ hits: [] })).toEqual({ terms: [] });
  });
});

describe('cleanText', () => {
  it.each([
    ['<p>One &amp; two</p><p>Three&nbsp;four</p>', 'One & two\n\nThree four'],
    ['<script>var x = 1;</script>Text &#8212; more &#x2014; end', 'Text — more — end'],
    ['SEOUL, March 5 (Yonhap) -- North Korea fired.', 'North Korea fired.'],
    ['(서울=연합뉴스) 김철수 기자 = 북한이 발사했다.', '북한이 발사했다.'],
    ['МОСКВА, 5 марта. /ТАСС/. Текст новости.', 'Текст новости.'],
    ['Real text.\nAdvertisement\nRead more: other story\nkcs@yna.co.kr', 'Real text.'],
  ])('%j', (input, expected) => {
    expect(cleanText(input)).toBe(expected);
  });
});

describe('summarySource', () => {
  const long = 'A full report sentence with detail and context. '.repeat(20);
  it("keeps the article's own text whenever it is not a teaser, however long the others are", () => {
    const own = { id: 1, lead: 'Iran denies sending drones', body: long };
    const others = [own, { id: 2, lead: 'Claim', body: long.repeat(5) }];
    expect(summarySource(own, others)).toEqual({ article: own, borrowed: false });
  });

  it('borrows the longest clean first report for a teaser, and says so', () => {
    const teaser = { id: 1, lead: 'Teaser', body: 'Short teaser text. Read more' };
    const reports = [
      teaser,
      { id: 2, lead: 'Lead', body: long },
      { id: 3, lead: 'Lead', body: `${long}<div>${'<span></span>'.repeat(500)}</div>` },
      { id: 4, lead: 'Lead', body: long.slice(0, 400) },
    ];
    expect(summarySource(teaser, reports)).toEqual({ article: reports[1], borrowed: true });
  });

  it('ignores later reports, and keeps the teaser when no first report is fuller', () => {
    const teaser = { id: 1, lead: 'L', body: 'Teaser…' };
    const reports = [teaser, ...[2, 3, 4, 5].map((id) => ({ id, lead: 'L', body: 'short' })), { id: 6, lead: 'L', body: long }];
    expect(summarySource(teaser, reports)).toEqual({ article: teaser, borrowed: false });
  });

  it('knows a teaser by its length or by trailing off', () => {
    expect(isTeaser({ body: 'Too short.' })).toBe(true);
    expect(isTeaser({ body: `${long} Continue reading` })).toBe(true);
    expect(isTeaser({ body: long })).toBe(false);
  });
});
