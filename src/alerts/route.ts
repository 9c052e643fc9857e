import type { Store, Subscriber } from '../store/store.ts';

export interface RoutableMatch {
  topic: string;
  score: number;
}

/** One poll of one feed: the items it stored share the feed and the fetch time (src/feeds/poll/poll.ts). */
export interface FeedPoll {
  feedId: number;
  fetchedAt: Date;
}

/** A topic's active subscribers, read once per understand batch rather than once per match. */
export type SubscriberLookup = (topic: string) => Promise<Subscriber[]>;

export function subscriberLookup(store: Pick<Store, 'subscribersOf'>): SubscriberLookup {
  const read = new Map<string, Promise<Subscriber[]>>();
  return (topic) => {
    let subscribers = read.get(topic);
    if (!subscribers) read.set(topic, (subscribers = store.subscribersOf(topic)));
    return subscribers;
  };
}

/**
 * The channels an article goes to, each with the topic that speaks for it there: the best topic first, so when
 * an article matches two topics of one channel, the stronger one speaks.
 */
export async function routedChannels(matches: RoutableMatch[], subscribers: SubscriberLookup): Promise<Map<number, RoutableMatch>> {
  const channels = new Map<number, RoutableMatch>();
  for (const match of [...matches].sort((a, b) => b.score - a.score)) {
    for (const sub of await subscribers(match.topic)) {
      if (match.score >= sub.minScore && !channels.has(sub.channelId)) channels.set(sub.channelId, match);
    }
  }
  return channels;
}

/**
 * Matches × subscriptions → outbox rows (routedChannels, then routeToChannels).
 */
export async function routeMatches(
  store: Pick<Store, 'subscribersOf' | 'routeArticle'>,
  input: { articleId: number; storyId: number; matches: RoutableMatch[] },
  now: Date,
): Promise<number[]> {
  return routeToChannels(store, { ...input, channels: await routedChannels(input.matches, subscriberLookup(store)) }, now);
}

/**
 * An article's rows in the channels it goes to (routedChannels). The first article of a story in a channel becomes
 * its alert; later ones become follow-ups. The store's unique keys make a second alert for the same story, or a
 * second row for the same article, in one channel impossible — this stays true across replicas. A channel that
 * `flooded` says the article's poll floods gets no row of its own: the poll's burst row speaks for it.
 */
export async function routeToChannels(
  store: Pick<Store, 'routeArticle'>,
  input: { articleId: number; storyId: number; channels: ReadonlyMap<number, RoutableMatch>; poll?: FeedPoll },
  now: Date,
  flooded?: FloodedPolls,
): Promise<number[]> {
  const to = [...input.channels]
    .filter(([channelId]) => !(input.poll && flooded?.has(channelId, input.poll)))
    .map(([channelId, match]) => ({ channelId, topic: match.topic }));
  return to.length === 0 ? [] : store.routeArticle({ articleId: input.articleId, storyId: input.storyId, to }, now);
}

/** A poll that brings a channel more matching items than this posts them to it as one burst message. */
export const DEFAULT_FEED_BURST = 20;
/**
 * A burst row waits until no article of its poll is pending (`releaseFeedBursts`, at the end of every understand
 * run), since it lists what the poll brought. This is only the backstop should no process ever finish the poll.
 */
const BURST_BACKSTOP_MS = 24 * 60 * 60_000;

/** The channel × poll pairs of one understand batch that go out as a burst message, not a row per item. */
export interface FloodedPolls {
  has(channelId: number, poll: FeedPoll): boolean;
}

/**
 * The flood cap: one poll of one feed (100,000 undated items of a broken feed, say) that brings a channel more
 * than `limit` matching items gives it one burst row (an outbox row of kind `digest` naming the feed) and no row
 * per item; its message counts what the poll brought and lists the first ten. Decided once a batch is scored and
 * before any of it is routed, so the channel sees one message, not `limit` alerts and then the burst.
 *
 * Counts include the poll's rows already queued (a run resumed after a crash, or a poll larger than one batch), and
 * a burst row once queued keeps the poll a burst. `limit` 0 turns the cap off.
 */
export async function capFloods(
  store: Pick<Store, 'feedPollRows' | 'findDigest' | 'enqueueDigest'>,
  batch: Array<{ channels: ReadonlyMap<number, RoutableMatch>; poll: FeedPoll }>,
  limit: number,
  now: Date,
): Promise<FloodedPolls> {
  const flooded = new Set<string>();
  if (limit > 0) {
    const items = new Map<string, { channelId: number; poll: FeedPoll; count: number }>();
    for (const { channels, poll } of batch) {
      for (const channelId of channels.keys()) {
        const key = pollKey(channelId, poll);
        const tally = items.get(key);
        if (tally) tally.count++;
        else items.set(key, { channelId, poll, count: 1 });
      }
    }
    for (const [key, { channelId, poll, count }] of items) {
      const burst = burstKey(channelId, poll);
      if (await store.findDigest(burst.scheduleKey, burst.period)) {
        flooded.add(key);
        continue;
      }
      if (count + (await store.feedPollRows(channelId, poll.feedId, poll.fetchedAt)) <= limit) continue;
      await store.enqueueDigest({
        channelId, ...burst, since: poll.fetchedAt, until: poll.fetchedAt, of: 'subscriptions', topic: null, feedId: poll.feedId,
        dueAt: new Date(now.getTime() + BURST_BACKSTOP_MS),
      }, now);
      flooded.add(key);
    }
  }
  return { has: (channelId, poll) => flooded.has(pollKey(channelId, poll)) };
}

const pollKey = (channelId: number, poll: FeedPoll) => `${channelId}:${poll.feedId}:${poll.fetchedAt.getTime()}`;

/** A burst's outbox key: one per channel × feed × poll. */
function burstKey(channelId: number, poll: FeedPoll): { scheduleKey: string; period: string } {
  return { scheduleKey: `feed:${poll.feedId}:${channelId}`, period: poll.fetchedAt.toISOString() };
}
