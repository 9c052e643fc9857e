/**
 * What bench:deliver queues: one topic, CHANNELS Slack channels subscribed to it, one feed, and stories of one
 * article each, matched and routed to every channel (so each article is CHANNELS alert rows).
 */
import { randomBytes } from 'node:crypto';
import { routeMatches } from '../../src/alerts/route.ts';
import type { Store } from '../../src/store/store.ts';

export const TOPIC = 'arms';
export const WORKSPACE = 'T0FAKE';
export const channelName = (c: number) => `C0BENCH${c}`;

/** Topic, channels and feed; idempotent, so every replica of a run may call it on the same database. */
export async function seedChannels(store: Store, channels: number): Promise<number> {
  const now = new Date();
  await store.syncTopics([{ slug: TOPIC, title: 'Arms', definition: {}, source: 'config' }]);
  const feedId = (await store.addFeed({ url: 'https://wire.example/rss', title: 'Wire', intervalS: 900 }, now)).id;
  for (let c = 0; c < channels; c++) {
    const channel = await store.ensureChannel({ platform: 'slack', workspace: WORKSPACE, channel: channelName(c) });
    await store.subscribe(channel, TOPIC, 0, 'bench');
  }
  return feedId;
}

/** Stores one article in a story of its own, matched and routed to every channel; returns the delivery ids. */
export function articleQueue(store: Store, feedId: number): () => Promise<number[]> {
  let n = 0;
  const tag = randomBytes(3).toString('hex');
  return async () => {
    const key = `a${++n}-${tag}`;
    const at = new Date();
    const { id } = await store.upsertArticle({ feedId, key, title: `North Korea ships shells ${key}`, lead: 'North Korea sent artillery shells to Russia.', body: '', url: `https://wire.example/${key}`, fetchedAt: at, contentHash: key });
    const story = await store.createStory(id, key, at);
    await store.saveMatches([{ articleId: id, topic: TOPIC, score: 0.9, explanation: {}, why: 'North Korea (title)' }]);
    return routeMatches(store, { articleId: id, storyId: story, matches: [{ topic: TOPIC, score: 0.9 }] }, at);
  };
}
