import { outletName, safeLink } from '../alerts/message.ts';
import type { ArticleStore } from '../store/store.ts';
import { matchTopic } from '../topics/match.ts';
import { checkSlug, bad, isWindow, ok, parseWindow, windowLabel } from './options.ts';
import { answer } from './reply.ts';
import { unknownTopic } from './topic-names.ts';
import type { Command } from './types.ts';

const DEFAULT_WINDOW_S = 7 * 86_400;
const MAX_WINDOW_S = 30 * 86_400;
/** The reply lists the best of the would-be alerts; the count covers all of them. */
const SHOWN = 10;

export const testTopic: Command<{ topic: string; windowS: number }, ArticleStore> = {
  name: 'test',
  usage: 'test <topic> [7d]',
  summary: 'what the topic would have matched among the stored articles of a window (only for you)',
  help: 'Scores the stored articles against the topic exactly as delivery does (the running index), whether or not anything subscribes. The window is 7d unless given, at most 30d.',
  parse({ words }) {
    const slugError = checkSlug(words[0], 'test');
    if (slugError) return bad(slugError);
    let windowS = DEFAULT_WINDOW_S;
    for (const word of words.slice(1)) {
      if (!isWindow(word)) return bad(`unexpected "${word}"; the window is a duration such as 24h or 7d.`);
      const s = parseWindow(word, MAX_WINDOW_S);
      if (typeof s === 'string') return bad(s);
      windowS = s;
    }
    return ok({ topic: words[0]!, windowS });
  },
  async run(ctx, o) {
    if (!ctx.topics.get(o.topic)) return unknownTopic(ctx, o.topic);
    // The index in force, not one compiled for this topic alone: the score is the one an alert would carry.
    const index = ctx.topics.index;
    const articles = await ctx.store.articlesSince(new Date(ctx.now().getTime() - o.windowS * 1000));
    const hits = [];
    for (const a of articles) {
      const m = matchTopic(index, { title: a.title, lead: a.lead, body: a.body, ...(a.language ? { language: a.language } : {}) }, o.topic);
      if (m?.matched) hits.push({ article: a, score: m.score, why: m.why });
    }
    hits.sort((x, y) => y.score - x.score || x.article.id - y.article.id);
    const summary = `${hits.length} of ${articles.length} stored articles of the last ${windowLabel(o.windowS)} would have matched ${o.topic}.`;
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
