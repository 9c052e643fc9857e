import { outletName, safeLink } from './message.ts';
import type { DigestStore } from '../store/store.ts';
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
