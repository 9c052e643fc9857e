/**
 * Per-channel pacing and the burst guard, the outbox's memory of what each channel was sent lately.
 *
 * Glossary
 * - interval: the least time between two posts in one channel, as the sink declares it (`Sink.minIntervalMs`;
 *   Slack: 1 s, its documented limit of about one message per second per channel). Discord declares none: its
 *   rate-limit buckets answer 429 with `retry_after`, which holds the channel here for that long.
 * - burst: a channel may get at most `burst` top-level messages (alerts, and burst messages) in any minute. When more
 *   alerts are due for it than the minute has room for, they go together as one message (a mini-digest) instead.
 *   Follow-ups reply in threads and are paced, not collapsed.
 *
 * Nothing here sleeps: the worker asks when a channel may post next and defers rows until then (no attempt
 * spent), so a paced channel never holds up another. The memory is this process's: several replicas posting to
 * one channel each keep their own (see docs/operations.md).
 */

/** A channel may get this many top-level messages a minute before its alerts are gathered into one. */
export const DEFAULT_BURST_LIMIT = 6;
export const BURST_WINDOW_MS = 60_000;

export interface PacingOptions {
  /** Honour each sink's `minIntervalMs` (off: post as fast as the platform answers; benchmarks). */
  pacing: boolean;
  /** Top-level messages per channel per minute before alerts are gathered into one; 0 turns the guard off. */
  burst: number;
}

interface ChannelState {
  /** When the channel may take its next post (ms). */
  nextAt: number;
  /** When its recent top-level messages were posted (ms), oldest first, within the last window. */
  posts: number[];
}

export class ChannelPacer {
  readonly options: PacingOptions;
  private readonly channels = new Map<number, ChannelState>();

  constructor(options: Partial<PacingOptions> = {}) {
    this.options = { pacing: options.pacing ?? true, burst: options.burst ?? DEFAULT_BURST_LIMIT };
  }

  private state(channel: number): ChannelState {
    let s = this.channels.get(channel);
    if (!s) {
      s = { nextAt: 0, posts: [] };
      this.channels.set(channel, s);
    }
    return s;
  }

  /** When `channel` may take a post, at `now` or later. */
  nextAt(channel: number, now: number): number {
    return Math.max(now, this.channels.get(channel)?.nextAt ?? 0);
  }

  /** A post went out (or was attempted) at `at`: the next waits `intervalMs`; a top-level one counts towards the burst. */
  posted(channel: number, at: number, intervalMs: number, topLevel: boolean): void {
    const s = this.state(channel);
    if (this.options.pacing) s.nextAt = Math.max(s.nextAt, at + intervalMs);
    if (topLevel && this.options.burst > 0) {
      s.posts.push(at);
      this.prune(s, at);
    }
  }

  /** The platform asked for a pause (429 with Retry-After): nothing more goes to the channel before `until`. */
  holdUntil(channel: number, until: number): void {
    const s = this.state(channel);
    s.nextAt = Math.max(s.nextAt, until);
  }

  /** How many top-level messages the channel may still get in the current minute, and when the next slot frees. */
  room(channel: number, now: number): { room: number; freesAt: number } {
    if (this.options.burst <= 0) return { room: Number.POSITIVE_INFINITY, freesAt: now };
    const s = this.channels.get(channel);
    if (!s) return { room: this.options.burst, freesAt: now };
    this.prune(s, now);
    const room = this.options.burst - s.posts.length;
    return { room, freesAt: room > 0 ? now : s.posts[s.posts.length - this.options.burst]! + BURST_WINDOW_MS };
  }

  private prune(s: ChannelState, now: number): void {
    while (s.posts.length > 0 && s.posts[0]! <= now - BURST_WINDOW_MS) s.posts.shift();
  }
}
