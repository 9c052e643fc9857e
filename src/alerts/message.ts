/**
 * The neutral message model: what an alert says, before any platform decides how it looks.
 * Chat adapters render these; nothing here knows Slack, Discord or a terminal.
 */
import type { ChannelRef } from '../store/store.ts';
import type { Digest } from './digest.ts';

export interface Alert {
  kind: 'alert' | 'followup';
  deliveryId: number;
  storyId: number;
  topic: { slug: string; title: string };
  score: number;
  threshold?: number;
  title: string;
  /** http/https only, rebuilt from a parsed URL; undefined when the feed gave none. */
  url?: string;
  /** The outlet: the feed's title, else its host. */
  source: string;
  published?: Date;
  language?: string;
  summary: string;
  /**
   * Set when the summary is drawn from another report of the story (this article is a teaser):
   * the alert then says whose words they are. Undefined when the summary is this article's own.
   */
  summaryFrom?: { source: string; url?: string };
  why: string;
  /** The headline of the story's alert in this channel (a follow-up names what it follows up). */
  storyTitle: string;
  /** Distinct outlets that have reported the story in this channel so far, this one included. */
  outlets: number;
  /**
   * For a follow-up: the story's alert in this channel as posted, with `outlets` brought up to date,
   * so a platform that can edit a posted message (Slack `chat.update`) refreshes its count.
   */
  anchor?: Alert;
  /** Platform message of the story's first alert in this channel (follow-ups reply in its thread). */
  threadRef: string | null;
  /**
   * For a follow-up: why its report joined the story — `reason` url, title, near-duplicate, event or split,
   * `detail` in words ("same event: Rajin · 6,700 · NIS"), so a reader can tell a wrong fold at a glance.
   */
  joined?: { reason: string; detail: string };
}

/** Where a message goes: a channel as the store knows it. */
export type Destination = ChannelRef;

/**
 * What happened to one send. `rejected` is permanent (channel gone, bot removed): do not retry;
 * `failed` may be retried, after `retryAfterS` when the platform said so. `held`: the medium cannot take
 * anything now through no fault of the message (the console's reader went away); the row goes back to
 * pending without counting an attempt.
 */
export type DeliveryOutcome =
  | { status: 'sent'; messageRef: string | null }
  | { status: 'held'; detail: string }
  | { status: 'rejected'; code: string; userDetail: string }
  | { status: 'failed'; retryable: boolean; detail: string; retryAfterS?: number };

/** One delivery medium (console, webhook, Slack app, Discord bot). */
export interface Sink {
  platform: string;
  /**
   * The least time between two posts in one channel that the platform allows without answering 429 (Slack: about
   * one message a second per channel). The outbox paces each channel to it; absent, it posts as fast as answered.
   */
  minIntervalMs?: number;
  send(alert: Alert, to: Destination): Promise<DeliveryOutcome>;
  /**
   * Posts a digest into the channel (scheduled digests, a feed's burst, the burst guard's mini-digest; on-demand
   * ones answer the command instead). `deliveryIds`: the outbox rows it delivers (its own; a burst's, every alert
   * row of it), carried in the post where the medium can (Slack metadata, Discord nonce and footer) for `recoverDigest`.
   */
  sendDigest?(digest: Digest, to: Destination, deliveryIds: number[]): Promise<DeliveryOutcome>;
  /**
   * A crash cut off an earlier attempt of this alert (its sender died between starting the post and recording
   * it): `sent` with its ref when this medium can tell the post went out, undefined to send it again.
   */
  recover?(alert: Alert, to: Destination): Promise<DeliveryOutcome | undefined>;
  /**
   * `recover` for a post `sendDigest` made: with `digest`, that digest row's (`deliveryId`) — `sent` with its first
   * part's ref when it is out; when only its first parts are, the rest are posted here, so none appears twice.
   * Without: whether the alert row `deliveryId` went out in a burst, and its ref. Undefined to send it again.
   */
  recoverDigest?(digest: Digest | undefined, to: Destination, deliveryId: number): Promise<DeliveryOutcome | undefined>;
  close?(): Promise<void>;
}

/** Only http(s) links reach a chat message; anything else (javascript:, data:) is dropped. */
export function safeLink(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** The outlet name for a feed: its title, else the host of its URL. */
export function outletName(feedTitle: string | null, feedUrl: string): string {
  if (feedTitle?.trim()) return feedTitle.trim();
  try {
    return new URL(feedUrl).host.replace(/^www\./, '');
  } catch {
    return feedUrl;
  }
}
