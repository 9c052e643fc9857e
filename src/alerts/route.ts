import type { Store } from '../store/store.ts';

export interface RoutableMatch {
  topic: string;
  score: number;
}

/** One poll of one feed: the items it stored share the feed and the fetch time (src/feeds/poll/poll.ts). */
export interface FeedPoll {
  feedId: number;
  fetchedAt: Date;
}

/**
 * Matches × subscriptions → outbox rows. The first article of a story in a channel becomes its alert;
 * later ones become follow-ups. The store's unique keys make a second alert for the same story, or a
 * second row for the same article, in one channel impossible — this stays true across replicas.
 * With `bursts`, a feed poll that brings a channel more matching items than `bursts.limit` gives it one
 * burst row for the rest instead of a row each (FeedBursts).
 */
export async function routeMatches(
  store: Store,
  input: { articleId: number; storyId: number; matches: RoutableMatch[]; poll?: FeedPoll },
  now: Date,
  bursts?: FeedBursts,
): Promise<number[]> {
  const queued: number[] = [];
  const routed = new Set<number>();
  // Best topic first: when an article matches two topics of one channel, the stronger one speaks.
  const matches = [...input.matches].sort((a, b) => b.score - a.score);
  for (const match of matches) {
    for (const sub of await store.subscribersOf(match.topic)) {
      if (match.score < sub.minScore || routed.has(sub.channelId)) continue;
      routed.add(sub.channelId);
      if (bursts && input.poll && (await bursts.absorbs(sub.channelId, input.poll, now))) continue;
      const kind = (await store.hasAlert(sub.channelId, input.storyId)) ? 'followup' : 'alert';
      const id = await store.enqueueDelivery({ channelId: sub.channelId, storyId: input.storyId, topic: match.topic, articleId: input.articleId, kind }, now);
      if (id === null) continue;
      queued.push(id);
      if (bursts && input.poll) bursts.counted(sub.channelId, input.poll);
    }
  }
  return queued;
}

/** A channel takes this many rows of its own from one poll of one feed; the rest go out as one burst message. */
export const DEFAULT_FEED_BURST = 20;
/**
 * A burst row waits for its poll to be understood (`release`), since it lists what the poll brought; should the
 * process die first, it comes due by itself this much later (the next run releases it sooner).
 */
const BURST_FALLBACK_MS = 60 * 60_000;

/**
 * The flood cap of one understand run: one poll of one feed (100,000 undated items of a broken feed, say) gives a
 * channel at most `limit` rows of its own — alerts and follow-ups, in the order the items are understood — and
 * then one burst row (an outbox row of kind `digest` naming the feed), whose message counts what the poll brought
 * and lists the first ten. So a flood costs each channel `limit + 1` outbox rows, however many items it brings.
 *
 * The counts start from the store (a run resumed after a crash finds the rows and the burst already queued) and
 * are kept here from then on: understanding runs under the store's understand lock, one process at a time.
 * `limit` 0 turns the cap off.
 */
export class FeedBursts {
  readonly limit: number;
  readonly #store: Pick<Store, 'feedPollRows' | 'findDigest' | 'enqueueDigest' | 'bringForward'>;
  /** Per channel × poll: rows queued of its own, and the burst row once there is one. */
  readonly #polls = new Map<string, { rows: number; burst: number | null }>();

  constructor(store: Pick<Store, 'feedPollRows' | 'findDigest' | 'enqueueDigest' | 'bringForward'>, limit = DEFAULT_FEED_BURST) {
    this.#store = store;
    this.limit = limit;
  }

  /** Whether the poll's next item for the channel goes into its burst (queued now if it is the first to). */
  async absorbs(channelId: number, poll: FeedPoll, now: Date): Promise<boolean> {
    if (this.limit <= 0) return false;
    const state = await this.#state(channelId, poll);
    if (state.burst !== null) return true;
    if (state.rows < this.limit) return false;
    const key = burstKey(channelId, poll);
    const id = await this.#store.enqueueDigest({
      channelId, ...key, since: poll.fetchedAt, until: poll.fetchedAt, of: 'subscriptions', topic: null, feedId: poll.feedId,
      dueAt: new Date(now.getTime() + BURST_FALLBACK_MS),
    }, now);
    state.burst = id ?? (await this.#store.findDigest(key.scheduleKey, key.period))!.id;
    return true;
  }

  /** A row of the channel's own was queued from the poll. */
  counted(channelId: number, poll: FeedPoll): void {
    const state = this.#polls.get(pollKey(channelId, poll));
    if (state) state.rows++;
  }

  /** Every poll of this run is understood: its burst rows come due now. Returns how many. */
  async release(now: Date): Promise<number> {
    let released = 0;
    for (const state of this.#polls.values()) {
      if (state.burst === null) continue;
      await this.#store.bringForward(state.burst, now);
      released++;
    }
    return released;
  }

  async #state(channelId: number, poll: FeedPoll): Promise<{ rows: number; burst: number | null }> {
    const key = pollKey(channelId, poll);
    let state = this.#polls.get(key);
    if (!state) {
      const burst = burstKey(channelId, poll);
      const [rows, queued] = await Promise.all([
        this.#store.feedPollRows(channelId, poll.feedId, poll.fetchedAt),
        this.#store.findDigest(burst.scheduleKey, burst.period),
      ]);
      state = { rows, burst: queued?.id ?? null };
      this.#polls.set(key, state);
    }
    return state;
  }
}

const pollKey = (channelId: number, poll: FeedPoll) => `${channelId}:${poll.feedId}:${poll.fetchedAt.getTime()}`;

/** A burst's outbox key: one per channel × feed × poll. */
function burstKey(channelId: number, poll: FeedPoll): { scheduleKey: string; period: string } {
  return { scheduleKey: `feed:${poll.feedId}:${channelId}`, period: poll.fetchedAt.toISOString() };
}
