import { outletName, safeLink } from './message.ts';
import type { DigestStore, FeedStore } from '../store/store.ts';
import { focusFromExplanation, summarize } from '../summaries/summarize.ts';
import { buildDigest, type Digest, type DigestStory } from './digest.ts';

/** Reads the stories of a window from the store and builds the neutral digest. */
export async function collectDigest(store: Pick<DigestStore, 'digestRows'>, query: { topic?: string; channelId?: number; since: Date; until: Date }): Promise<Digest> {
  const stories: DigestStory[] = (await store.digestRows(query)).map((row) => {
    const a = row.article;
    return {
      storyId: row.storyId,
      topic: row.topic,
      topicTitle: row.topicTitle,
      title: a.title || '(untitled)',
      url: safeLink(a.url),
      source: outletName(a.feedTitle, a.feedUrl),
      outlets: row.outlets,
      score: row.score,
      firstSeenAt: row.firstSeenAt,
      gist: summarize({ title: a.title, lead: a.lead, body: a.body, language: a.language ?? undefined },
        focusFromExplanation(row.explanation as Parameters<typeof focusFromExplanation>[0]), { maxSentences: 1, maxChars: 240 }),
    };
  });
  return buildDigest(stories, { since: query.since, until: query.until }, { now: query.until });
}

/** Items a feed's burst message lists; the rest are counted in its title. */
export const FEED_BURST_SHOWN = 10;

/**
 * A feed's burst (alerts/route.ts, capFloods) as a neutral digest: titled with what the poll brought the channel
 * ("Wire: 137 new matching items in one poll; the first 10 of them"; when a resumed run had posted some as alerts
 * already, "…, 20 posted as alerts; the first 10 of the other 117"), listing the first items the channel got no
 * alert for, each under the topic it matched best.
 */
export async function collectFeedBurst(store: Pick<DigestStore, 'feedBurstRows'> & Pick<FeedStore, 'getFeed'>, query: { channelId: number; feedId: number; fetchedAt: Date }): Promise<Digest> {
  const [burst, feed] = await Promise.all([store.feedBurstRows({ ...query, limit: FEED_BURST_SHOWN }), store.getFeed(query.feedId)]);
  const stories: DigestStory[] = burst.items.map((item) => {
    const a = item.article;
    return {
      // Each item is its own entry: a flood's items may share a story, and the burst says how many there were.
      storyId: a.id,
      topic: item.topic,
      topicTitle: item.topicTitle,
      title: a.title || '(untitled)',
      url: safeLink(a.url),
      source: outletName(a.feedTitle, a.feedUrl),
      outlets: 1,
      score: item.score,
      firstSeenAt: a.fetchedAt,
      gist: summarize({ title: a.title, lead: a.lead, body: a.body, language: a.language ?? undefined },
        focusFromExplanation(item.explanation as Parameters<typeof focusFromExplanation>[0]), { maxSentences: 1, maxChars: 240 }),
    };
  });
  const name = feed ? outletName(feed.title, feed.url) : `feed ${query.feedId}`;
  const all = burst.total + burst.alerted;
  const alerted = burst.alerted > 0 ? `, ${burst.alerted} posted as alerts` : '';
  const shown = burst.total <= stories.length ? '' : burst.alerted > 0 ? `; the first ${stories.length} of the other ${burst.total}` : `; the first ${stories.length} of them`;
  const title = `${name}: ${all} new matching ${all === 1 ? 'item' : 'items'} in one poll${alerted}${shown}`;
  return buildDigest(stories, { since: query.fetchedAt, until: query.fetchedAt }, { title, perTopic: FEED_BURST_SHOWN, now: query.fetchedAt });
}
