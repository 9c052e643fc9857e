import { outletName, safeLink } from '../alerts/message.ts';
import type { ArticleRow, ArticleStore } from '../store/store.ts';
import type { TopicIndex } from '../topics/compile.ts';
import { matchTopic } from '../topics/match.ts';
import { checkSlug, bad, isWindow, ok, parseWindow, windowLabel } from './options.ts';
import { answer } from './reply.ts';
import { unknownTopic } from './topic-names.ts';
import type { Command } from './types.ts';

export const TEST_DEFAULT_WINDOW_S = 7 * 86_400;
export const TEST_MAX_WINDOW_S = 30 * 86_400;
/** The reply lists the best of the would-be alerts; the count covers all of them. */
const SHOWN = 10;

export interface ScoredArticle {
  article: ArticleRow;
  score: number;
  matched: boolean;
  why: string;
}

/** What a topic makes of the stored articles of a window: every article scored, best first. */
export interface TopicTrial {
  topic: string;
  windowS: number;
  /** Stored articles in the window. */
  total: number;
  scored: ScoredArticle[];
  matched: number;
}

/**
 * Scores the stored articles of the last `windowS` against one topic of `index` — the index in force, not one
 * compiled for this topic alone, so the score is the one an alert would carry. `test` and `watchfloor topics
 * test` both read this.
 */
export async function tryTopic(store: Pick<ArticleStore, 'articlesSince'>, index: TopicIndex, topic: string, windowS: number, now: Date): Promise<TopicTrial> {
  const articles = await store.articlesSince(new Date(now.getTime() - windowS * 1000));
  const scored: ScoredArticle[] = [];
  for (const a of articles) {
    const m = matchTopic(index, { title: a.title, lead: a.lead, body: a.body, ...(a.language ? { language: a.language } : {}) }, topic);
    if (m) scored.push({ article: a, score: m.score, matched: m.matched, why: m.why });
  }
  scored.sort((x, y) => y.score - x.score || x.article.id - y.article.id);
  return { topic, windowS, total: articles.length, scored, matched: scored.filter((s) => s.matched).length };
}

/** `2 of 6 stored articles of the last 7d would have matched dprk-russia-arms.` */
export function trialSummary(trial: TopicTrial): string {
  return `${trial.matched} of ${trial.total} stored articles of the last ${windowLabel(trial.windowS)} would have matched ${trial.topic}.`;
}

export const testTopic: Command<{ topic: string; windowS: number }, ArticleStore> = {
  name: 'test',
  usage: 'test <topic> [7d]',
  summary: 'what the topic would have matched among the stored articles of a window (only for you)',
  help: 'Scores the stored articles against the topic exactly as delivery does (the running index), whether or not anything subscribes. The window is 7d unless given, at most 30d.',
  parse({ words }) {
    const slugError = checkSlug(words[0], 'test');
    if (slugError) return bad(slugError);
    let windowS = TEST_DEFAULT_WINDOW_S;
    for (const word of words.slice(1)) {
      if (!isWindow(word)) return bad(`unexpected "${word}"; the window is a duration such as 24h or 7d.`);
      const s = parseWindow(word, TEST_MAX_WINDOW_S);
      if (typeof s === 'string') return bad(s);
      windowS = s;
    }
    return ok({ topic: words[0]!, windowS });
  },
  async run(ctx, o) {
    if (!ctx.topics.get(o.topic)) return unknownTopic(ctx, o.topic);
    const trial = await tryTopic(ctx.store, ctx.topics.index, o.topic, o.windowS, ctx.now());
    const hits = trial.scored.filter((s) => s.matched);
    const summary = trialSummary(trial);
    if (hits.length === 0) return answer('private', summary);
    return answer('private', hits.length > SHOWN ? `${summary} The best ${SHOWN}:` : summary, {
      type: 'links',
      items: hits.slice(0, SHOWN).map((h) => ({
        title: h.article.title || '(untitled)',
        ...(safeLink(h.article.url) ? { url: safeLink(h.article.url)! } : {}),
        detail: `${h.score.toFixed(2)} · ${outletName(h.article.feedTitle, h.article.feedUrl)} · ${h.why}`,
      })),
    });
  },
};
