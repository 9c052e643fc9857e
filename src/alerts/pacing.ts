/**
 * Per-channel pacing and the burst guard, kept in the store so that every process posting to a channel shares them.
 *
 * Glossary
 * - interval: the least time between two posts in one channel, as the sink declares it (`Sink.minIntervalMs`;
 *   Slack: 1 s, its documented limit of about one message per second per channel). Discord declares none: its
 *   rate-limit buckets answer 429 with `retry_after`, which holds the channel here for that long.
 * - slot: when the channel may take its next post (`next_post_at`). A post takes it first, in one conditional
 *   UPDATE that succeeds only when the slot is free, and moves it one interval on: two replicas never both take it.
 * - burst: a channel may get at most `burst` top-level messages (alerts, and burst messages) in any minute. When more
 *   alerts are due for it than the minute has room for, they go together as one message (a mini-digest) instead.
 *   Follow-ups reply in threads and are paced, not collapsed.
 *
 * The burst guard counts the channel's own record of its last minute's top-level posts (`recent_posts`, on the same
 * row as the slot), not the outbox: taking a slot checks the room and records the post in the same statement, under
 * the row's lock, so two replicas cannot both take the minute's last room; and a burst is one post there, where the
 * outbox has a row per alert of it and no time for an attempt that failed. A post that surely went nowhere (held, or
 * refused for a rate limit) leaves the record again; one that may have gone out (a timeout) stays.
 *
 * Nothing here sleeps: the worker asks for a channel's slot and, when it is taken, defers rows until it frees (no
 * attempt spent), so a paced channel never holds up another.
 */
import type { ChannelPacing, ChannelStore } from '../store/store.ts';

/** A channel may get this many top-level messages a minute before its alerts are gathered into one. */
export const DEFAULT_BURST_LIMIT = 6;
export const BURST_WINDOW_MS = 60_000;
/** Takes of a slot that was free again when read before the row waits one interval anyway (another poster keeps winning it). */
const TAKE_TRIES = 3;

export interface PacingOptions {
  /** Honour each sink's `minIntervalMs` (off: post as fast as the platform answers; benchmarks). */
  pacing: boolean;
  /** Top-level messages per channel per minute before alerts are gathered into one; 0 turns the guard off. */
  burst: number;
}

/**
 * What a post is to the pacer: a thread `reply` (paced only), a `top`-level message (paced and counted: a scheduled
 * digest, an alert the guard does not gather), or one the guard holds to the minute's room (`guarded`: an alert it
 * counted, a burst of them).
 */
export type PostKind = 'reply' | 'top' | 'guarded';

/** The store methods the pacer stands on. */
export type PacingStore = Pick<ChannelStore, 'channelPacing' | 'takePostSlot' | 'returnPostSlot' | 'holdChannel'>;

export class ChannelPacer {
  readonly options: PacingOptions;

  constructor(private readonly store: PacingStore, options: Partial<PacingOptions> = {}) {
    this.options = { pacing: options.pacing ?? true, burst: options.burst ?? DEFAULT_BURST_LIMIT };
  }

  /**
   * Takes the channel's slot for a post at `now`: undefined when this post has it (post now), else when to come back
   * (ms) — another post has it (this process's or another's), a Retry-After holds it, or a guarded post found no room.
   */
  async take(channel: number, now: number, intervalMs: number, kind: PostKind): Promise<number | undefined> {
    const topLevel = this.counted(kind) ? { since: new Date(now - BURST_WINDOW_MS), limit: kind === 'guarded' ? this.options.burst : undefined } : undefined;
    const interval = this.interval(intervalMs);
    for (let tries = 0; tries < TAKE_TRIES; tries++) {
      if (await this.store.takePostSlot(channel, { now: new Date(now), until: interval > 0 ? new Date(now + interval) : undefined, topLevel })) return undefined;
      const pace = await this.store.channelPacing(channel);
      const slot = Math.max(now, pace.nextPostAt?.getTime() ?? 0);
      const { room, freesAt } = topLevel?.limit === undefined ? { room: 1, freesAt: now } : this.roomIn(pace, now);
      const at = room < 1 ? Math.max(slot, freesAt) : slot;
      // Free again by the time it was read (the post that held it gave it back): take it rather than wait for "now".
      if (at > now) return at;
    }
    return now + Math.max(interval, 1);
  }

  /**
   * The post that took the slot at `now` went nowhere (a follow-up waiting for its alert, a medium that takes nothing
   * now): the channel may take the next post at once, and the post leaves the minute's count.
   */
  async giveBack(channel: number, now: number, intervalMs: number, kind: PostKind): Promise<void> {
    const interval = this.interval(intervalMs);
    const topLevel = this.counted(kind);
    if (interval > 0 || topLevel) await this.store.returnPostSlot(channel, { now: new Date(now), until: interval > 0 ? new Date(now + interval) : undefined, topLevel });
  }

  /**
   * The platform refused the post that took the slot at `taken.now` for a rate limit (429 with Retry-After): nothing
   * more goes to the channel before `until`, and the post leaves the minute's count (the channel never got it).
   */
  async holdUntil(channel: number, until: number, taken: { now: number; kind: PostKind }): Promise<void> {
    await this.store.holdChannel(channel, new Date(until));
    if (this.counted(taken.kind)) await this.store.returnPostSlot(channel, { now: new Date(taken.now), topLevel: true });
  }

  /** How many top-level messages the channel may still get in the current minute, and when the next room frees. */
  async room(channel: number, now: number): Promise<{ room: number; freesAt: number }> {
    if (this.options.burst <= 0) return { room: Number.POSITIVE_INFINITY, freesAt: now };
    return this.roomIn(await this.store.channelPacing(channel), now);
  }

  /** The burst guard counts top-level posts (when it is on). */
  private counted(kind: PostKind): boolean {
    return kind !== 'reply' && this.options.burst > 0;
  }

  private interval(intervalMs: number): number {
    return this.options.pacing ? intervalMs : 0;
  }

  private roomIn(pace: ChannelPacing, now: number): { room: number; freesAt: number } {
    const posts = pace.recentPosts.map((d) => d.getTime()).filter((t) => t > now - BURST_WINDOW_MS);
    const room = this.options.burst - posts.length;
    return { room, freesAt: room > 0 ? now : posts[posts.length - this.options.burst]! + BURST_WINDOW_MS };
  }
}
