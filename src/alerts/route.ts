import type { Store } from '../store/store.ts';

export interface RoutableMatch {
  topic: string;
  score: number;
}

/**
 * Matches × subscriptions → outbox rows. The first article of a story in a channel becomes its alert;
 * later ones become follow-ups. The store's unique keys make a second alert for the same story, or a
 * second row for the same article, in one channel impossible — this stays true across replicas.
 */
export async function routeMatches(store: Store, input: { articleId: number; storyId: number; matches: RoutableMatch[] }, now: Date): Promise<number[]> {
  const queued: number[] = [];
  // Best topic first: when an article matches two topics of one channel, the stronger one speaks.
  const matches = [...input.matches].sort((a, b) => b.score - a.score);
  for (const match of matches) {
    for (const sub of await store.subscribersOf(match.topic)) {
      if (match.score < sub.minScore) continue;
      const kind = (await store.hasAlert(sub.channelId, input.storyId)) ? 'followup' : 'alert';
      const id = await store.enqueueDelivery({ channelId: sub.channelId, storyId: input.storyId, topic: match.topic, articleId: input.articleId, kind }, now);
      if (id !== null) queued.push(id);
    }
  }
  return queued;
}
