/**
 * Discord sinks: the bot (REST with the bot token) and incoming webhooks.
 *
 * Factories (the composition root wires them; nothing here reads the environment):
 * - `createDiscordSink({ token, apiUrl?, log })` — platform `discord`; `to.channel` is a channel id.
 *   `token`: the bot token (DISCORD_TOKEN). `apiUrl`: REST base without the version (DISCORD_API_URL;
 *   default `https://discord.com/api`). `log`: pino logger.
 * - `createDiscordWebhookSink({ webhook, apiUrl?, log })` — platform `discord-webhook`. `webhook`: a webhook
 *   URL, `{ id, token }`, or a function from the destination to either (one sink for every `discord-webhook:`
 *   route; undefined when the destination has none).
 * Both have `sendDigest(digest, to, deliveryIds)` for scheduled digests and bursts: the messages of
 * `digestMessages` (10 embeds and 6,000 characters each) in order; messageRef is the first's; a message that fails
 * stops the rest and its outcome is returned (the bot's: as a possible post once one is out, see below).
 *
 * References (stored by the outbox, read back as `Alert.threadRef` for follow-ups):
 * - `messageRef` of any post is `<channel id>/<message id>`.
 * - A follow-up's `threadRef` is the alert's messageRef. Its thread needs no id of its own: Discord gives a
 *   thread started from a message the message's id, so the thread is channel `<message id>`.
 *
 * Delivery rules (issue #12):
 * - Alerts and follow-ups carry a `nonce` with `enforce_nonce: true`: Discord answers a repeated nonce (same
 *   author, last few minutes, any channel) with the first message, so a post retried after a timeout or a
 *   crash cannot appear twice. The nonce is `wf<delivery id>.` plus a hash of the channel, the delivery id and
 *   the row's story and topic (`deliveryNonce`): the same on every retry of one delivery, different for
 *   another database's delivery of the same id on the same bot token. Webhook posts have no nonce; there the
 *   outbox alone prevents doubles.
 * - Discord keeps a nonce for a few minutes only, and never with the message. A post cut off by a crash longer
 *   ago is recognised instead (`recover`): a message of this bot among the latest 50 of the channel (a
 *   follow-up: of its thread, then the channel) whose embed has the delivery's title and link. One alert per
 *   story and one post per article in a channel make that pair the delivery's own.
 * - A digest's messages (scheduled digests, a feed's burst, the burst guard's mini-digest) carry a nonce too
 *   (`digestNonce`: `wd<first delivery id>.` and a hash of the channel, the rows, the window and the message's
 *   place), and every embed's footer ends with the rows they deliver (`delivery 57`, a burst's
 *   `deliveries 101-177/4,180`; delivery-ids.ts): nothing else in an embed is the delivery's own, so
 *   `recoverDigest` finds the bot's messages naming the row among the channel's latest 50. Messages go out in
 *   order, so those found are the first few; the rest are posted then. A failure once a message is out is
 *   returned without `retryAfterS`, so that its retry looks first instead of posting the digest again whole.
 * - A follow-up goes into the thread on the alert (started on the first follow-up), else — threads not
 *   allowed or not permitted — a reply to the alert; then the alert's embed is edited with the new outlet
 *   count. A failed edit is logged and does not fail the follow-up.
 * - 429 is not waited out here (`rejectOnRateLimit`): it comes back as `failed` with `retryAfterS` and the
 *   outbox reschedules, instead of discord.js retrying without limit. 403/404 are `rejected` with a sentence
 *   for `/watch list`; 5xx and network errors are `failed`, retryable.
 */
import { createHash } from 'node:crypto';
import { DiscordAPIError, HTTPError, RateLimitError, REST, Routes, WebhookClient } from 'discord.js';
import { deliveryIdsInclude, formatDeliveryIds } from '../../alerts/delivery-ids.ts';
import type { Digest } from '../../alerts/digest.ts';
import type { Alert, DeliveryOutcome, Destination, Sink } from '../../alerts/message.ts';
import { AppError, errorMessage } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { postDigestParts } from '../digest-parts.ts';
import { type DiscordMessage, alertEmbed, alertMessage, digestMessages, followupMessage, isLastDigestPart, threadName } from './format.ts';

export const DEFAULT_API_URL = 'https://discord.com/api';
/** Below the outbox's 60 s lease even with discord.js's 3 retries of a timed-out request. */
const REQUEST_TIMEOUT_MS = 10_000;
const THREAD_ARCHIVE_MINUTES = 1440;

export interface DiscordSinkOptions {
  token: string;
  apiUrl?: string;
  log: Logger;
}

/** A message body with what only the bot's posts carry. */
type PostBody = DiscordMessage & {
  nonce?: string;
  enforce_nonce?: boolean;
  message_reference?: { message_id: string; channel_id: string; fail_if_not_exists: boolean };
};

interface PostedMessage {
  id: string;
  channel_id: string;
}

/** What `recover` reads of a message in the channel's history. */
interface RecentMessage extends PostedMessage {
  author?: { id: string };
  embeds?: Array<{ title?: string; url?: string; footer?: { text?: string } }>;
}

/** Messages read back to find a post cut off by a crash: Discord's most per request is 100. */
const HISTORY_LIMIT = 50;

/** The REST client every Discord post goes through: v10, 429 thrown (not slept on), no rate-limit offset. */
export function createDiscordRest(options: { token?: string; apiUrl?: string; retries?: number }): REST {
  const rest = new REST({
    version: '10',
    api: options.apiUrl ?? DEFAULT_API_URL,
    rejectOnRateLimit: () => true,
    offset: 0,
    timeout: REQUEST_TIMEOUT_MS,
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
  });
  if (options.token) rest.setToken(options.token);
  return rest;
}

/** Discord refuses a longer nonce (400 Invalid Form Body). */
export const MAX_NONCE_CHARS = 25;

/**
 * The nonce of one delivery's post. A delivery id is unique in one store only: two databases on one bot token
 * (staging and production, a fresh test database) count from 1 alike, and Discord deduplicates per author
 * across channels, so a bare `wf<id>` could return the other database's message instead of posting. Salted
 * with what the delivery row holds for good — channel, story, topic — it stays the same for a retry of the row
 * (after a timeout or a crash) and differs across databases unless those too agree. The readable
 * `wf<id>.` prefix helps when reading Discord's payloads; the hash fills the rest of the 25 characters.
 */
export function deliveryNonce(alert: Pick<Alert, 'deliveryId' | 'storyId' | 'topic'>, channelId: string): string {
  const hash = createHash('sha256').update([channelId, alert.deliveryId, alert.storyId, alert.topic.slug].join('\n')).digest('base64url');
  const prefix = `wf${alert.deliveryId}.`;
  // At least 12 hash characters (72 bits); a delivery id too long for that (never, in practice) drops the prefix.
  return prefix.length + 12 <= MAX_NONCE_CHARS ? (prefix + hash).slice(0, MAX_NONCE_CHARS) : hash.slice(0, MAX_NONCE_CHARS);
}

/**
 * The nonce of message `index` of a digest post: `wd<first row>.` and a hash of what stays the same on every retry
 * of the rows (the channel, the rows, the digest's window), so a retry cannot post it twice and two databases on one
 * bot token do not take each other's. `index` keeps a digest's several messages apart.
 */
export function digestNonce(digest: Pick<Digest, 'since' | 'until'>, deliveryIds: readonly number[], channelId: string, index: number): string {
  const hash = createHash('sha256').update([channelId, deliveryIds.join(','), digest.since.toISOString(), digest.until.toISOString(), index].join('\n')).digest('base64url');
  const prefix = `wd${deliveryIds[0]}.`;
  return prefix.length + 12 <= MAX_NONCE_CHARS ? (prefix + hash).slice(0, MAX_NONCE_CHARS) : hash.slice(0, MAX_NONCE_CHARS);
}

/** Most characters of a burst's ids in its footers, which readers see: runs compress them, the rest are counted. */
const FOOTER_IDS_CHARS = 200;

/** What ends a digest's footers: the rows it delivers. */
export function deliveryNote(deliveryIds: readonly number[]): string {
  return deliveryIds.length === 1 ? `delivery ${deliveryIds[0]}` : `deliveries ${formatDeliveryIds(deliveryIds, FOOTER_IDS_CHARS)}`;
}

/** Whether a footer ends with a `deliveryNote` naming `deliveryId`. */
function notes(footer: string | undefined, deliveryId: number): boolean {
  const list = footer?.match(/(?:^|· )deliver(?:y|ies) ([\d,+/-]+)$/)?.[1];
  return list !== undefined && deliveryIdsInclude(list, deliveryId);
}

export function createDiscordSink(options: DiscordSinkOptions): Sink {
  const rest = createDiscordRest({ token: options.token, apiUrl: options.apiUrl });
  const log = options.log;
  let botId: string | undefined;

  const post = async (channelId: string, body: PostBody): Promise<PostedMessage> =>
    (await rest.post(Routes.channelMessages(channelId), { body })) as PostedMessage;

  async function sendFollowup(alert: Alert, to: Destination, nonce: { nonce: string; enforce_nonce: true }): Promise<PostedMessage> {
    const anchor = parseMessageRef(alert.threadRef);
    if (!anchor) return post(to.channel, { ...followupMessage(alert, { standalone: true }), ...nonce });
    const body = { ...followupMessage(alert), ...nonce };
    // The thread's channel id is the alert's message id; 10003 means no thread was started yet.
    try {
      return await post(anchor.messageId, body);
    } catch (err) {
      if (!(err instanceof DiscordAPIError) || err.code !== 10003) {
        if (!threadRefused(err)) throw err;
        log.debug({ channel: anchor.channelId, code: apiCode(err) }, 'discord: cannot post in the thread; replying instead');
        return reply(anchor, body);
      }
    }
    try {
      await rest.post(Routes.threads(anchor.channelId, anchor.messageId), {
        body: { name: threadName(alert), auto_archive_duration: THREAD_ARCHIVE_MINUTES },
      });
    } catch (err) {
      // 160004: another worker started it a moment ago. Anything else refusing threads: reply instead.
      if (!(err instanceof DiscordAPIError && err.code === 160004)) {
        if (!threadRefused(err)) throw err;
        log.debug({ channel: anchor.channelId, code: apiCode(err) }, 'discord: no thread on this alert; replying instead');
        return reply(anchor, body);
      }
    }
    return post(anchor.messageId, body);
  }

  /** This bot's messages among the latest 50 of a channel, newest first; an AppError when they cannot be read. */
  async function ownRecent(channel: string): Promise<RecentMessage[]> {
    try {
      botId ??= ((await rest.get(Routes.user())) as { id: string }).id;
      const recent = (await rest.get(Routes.channelMessages(channel), { query: new URLSearchParams({ limit: String(HISTORY_LIMIT) }) })) as RecentMessage[];
      return recent.filter((m) => m.author?.id === botId);
    } catch (err) {
      const outcome = outcomeOf(err);
      throw new AppError('discord_history', `Could not read the recent messages of ${channel} (${outcome.status === 'rejected' ? outcome.userDetail : 'detail' in outcome ? outcome.detail : 'no answer'}); the bot needs Read Message History.`, {
        retryable: outcome.status === 'failed' && outcome.retryable,
        cause: err,
      });
    }
  }

  const reply = (anchor: MessageRef, body: PostBody): Promise<PostedMessage> =>
    post(anchor.channelId, { ...body, message_reference: { message_id: anchor.messageId, channel_id: anchor.channelId, fail_if_not_exists: false } });

  async function refreshAnchor(alert: Alert): Promise<void> {
    const ref = parseMessageRef(alert.threadRef);
    if (!alert.anchor || !ref) return;
    try {
      await rest.patch(Routes.channelMessage(ref.channelId, ref.messageId), {
        body: { embeds: [alertEmbed(alert.anchor)], allowed_mentions: { parse: [] } },
      });
    } catch (err) {
      log.warn({ channel: ref.channelId, message: ref.messageId, err: errorMessage(err) }, 'discord: could not update the alert with its outlet count');
    }
  }

  return {
    platform: 'discord',
    async send(alert, to) {
      const nonce = { nonce: deliveryNonce(alert, to.channel), enforce_nonce: true as const };
      try {
        if (alert.kind === 'alert') {
          const message = await post(to.channel, { ...alertMessage(alert), ...nonce });
          return { status: 'sent', messageRef: `${message.channel_id}/${message.id}` };
        }
        const message = await sendFollowup(alert, to, nonce);
        await refreshAnchor(alert);
        return { status: 'sent', messageRef: `${message.channel_id}/${message.id}` };
      } catch (err) {
        return outcomeOf(err);
      }
    },
    async recover(alert, to) {
      const expected = (alert.kind === 'alert' ? alertMessage(alert) : followupMessage(alert)).embeds![0]!;
      const anchor = alert.kind === 'followup' ? parseMessageRef(alert.threadRef) : undefined;
      const places = anchor ? [anchor.messageId, anchor.channelId] : [to.channel];
      for (const channel of places) {
        let recent: RecentMessage[];
        try {
          recent = await ownRecent(channel);
        } catch (err) {
          // 10003 on the thread: none was started, so a cut-off follow-up can only be a reply in the channel.
          if (channel !== places.at(-1) && err instanceof AppError && err.cause instanceof DiscordAPIError && err.cause.code === 10003) continue;
          throw err;
        }
        const found = recent.find((m) => m.embeds?.[0]?.title === expected.title && m.embeds?.[0]?.url === expected.url);
        if (found) return { status: 'sent', messageRef: `${found.channel_id}/${found.id}` };
      }
      return undefined;
    },
    async sendDigest(digest, to, deliveryIds) {
      const messages = digestMessages(digest, { footerNote: deliveryNote(deliveryIds) });
      return postDigestParts(messages, (message, i) => posted(post(to.channel, { ...message, nonce: digestNonce(digest, deliveryIds, to.channel, i), enforce_nonce: true })), { findable: true });
    },
    async recoverDigest(digest, to, deliveryId) {
      // Oldest first: a digest's first message is the one its row records.
      const mine = (await ownRecent(to.channel)).filter((m) => m.embeds?.some((e) => notes(e.footer?.text, deliveryId))).reverse();
      const first = mine[0] ? `${mine[0].channel_id}/${mine[0].id}` : undefined;
      if (!first) return undefined;
      // A burst cut off before its last part may have left this alert out: it is posted again on its own rather than lost.
      if (!digest) return mine.some((m) => m.embeds?.some((e) => isLastDigestPart(e.title))) ? { status: 'sent', messageRef: first } : undefined;
      const messages = digestMessages(digest, { footerNote: deliveryNote([deliveryId]) });
      if (mine.length >= messages.length) return { status: 'sent', messageRef: first };
      const post1 = (message: DiscordMessage, i: number) => posted(post(to.channel, { ...message, nonce: digestNonce(digest, [deliveryId], to.channel, i), enforce_nonce: true }));
      return postDigestParts(messages, post1, { from: mine.length, first, findable: true });
    },
    async close() {
      rest.clearHashSweeper();
      rest.clearHandlerSweeper();
    },
  };
}

export type WebhookTarget = string | { id: string; token: string };

export interface DiscordWebhookSinkOptions {
  webhook: WebhookTarget | ((to: Destination) => WebhookTarget | undefined);
  apiUrl?: string;
  log: Logger;
}

/** Alerts through incoming webhooks: no threads (a follow-up names its story), no nonce, edits allowed. */
export function createDiscordWebhookSink(options: DiscordWebhookSinkOptions): Sink {
  const clients = new Map<string, WebhookClient>();
  const clientFor = (target: WebhookTarget): WebhookClient => {
    const { id, token } = typeof target === 'string' ? parseWebhookUrl(target) : target;
    let client = clients.get(id);
    if (!client) {
      // No retries of our own: a 5xx after the message was made would post it twice (webhooks have no nonce).
      client = new WebhookClient({ id, token }, {
        rest: { api: options.apiUrl ?? DEFAULT_API_URL, rejectOnRateLimit: () => true, offset: 0, retries: 0, timeout: REQUEST_TIMEOUT_MS },
        allowedMentions: { parse: [] },
      });
      clients.set(id, client);
    }
    return client;
  };
  const toOptions = (message: DiscordMessage) => ({ content: message.content, embeds: message.embeds, allowedMentions: message.allowed_mentions });

  return {
    platform: 'discord-webhook',
    async send(alert, to) {
      const target = typeof options.webhook === 'function' ? options.webhook(to) : options.webhook;
      if (!target) {
        return { status: 'rejected', code: 'webhook_not_configured', userDetail: `No Discord webhook URL is configured for "${to.channel}": set it, or route the topic elsewhere.` };
      }
      try {
        const client = clientFor(target);
        if (alert.kind === 'alert') {
          const message = await client.send(toOptions(alertMessage(alert)));
          return { status: 'sent', messageRef: `${message.channel_id}/${message.id}` };
        }
        const message = await client.send(toOptions(followupMessage(alert, { standalone: true })));
        const anchor = parseMessageRef(alert.threadRef);
        if (alert.anchor && anchor) {
          await client.editMessage(anchor.messageId, { embeds: [alertEmbed(alert.anchor)], allowedMentions: { parse: [] } }).catch((err: unknown) => {
            options.log.warn({ message: anchor.messageId, err: errorMessage(err) }, 'discord webhook: could not update the alert with its outlet count');
          });
        }
        return { status: 'sent', messageRef: `${message.channel_id}/${message.id}` };
      } catch (err) {
        return outcomeOf(err);
      }
    },
    async sendDigest(digest: Digest, to: Destination) {
      const target = typeof options.webhook === 'function' ? options.webhook(to) : options.webhook;
      if (!target) return { status: 'rejected', code: 'webhook_not_configured', userDetail: `No Discord webhook URL is configured for "${to.channel}": set it, or send the digest elsewhere.` };
      try {
        const client = clientFor(target);
        return await postDigestParts(digestMessages(digest), (message) => posted(client.send(toOptions(message))));
      } catch (err) {
        return outcomeOf(err);
      }
    },
    async close() {
      for (const client of clients.values()) client.destroy();
      clients.clear();
    },
  };
}

/** `https://discord.com/api/webhooks/<id>/<token>` (any host: `apiUrl` decides where it is posted). */
export function parseWebhookUrl(url: string): { id: string; token: string } {
  let path = '';
  try {
    path = new URL(url).pathname;
  } catch {
    // reported below
  }
  const match = path.match(/\/webhooks\/(\d{1,25})\/([\w-]{1,200})\/?$/);
  if (!match) {
    throw new AppError('discord_webhook_url', 'A Discord webhook URL looks like https://discord.com/api/webhooks/<id>/<token>: copy it from the channel settings, Integrations → Webhooks.');
  }
  return { id: match[1]!, token: match[2]! };
}

export interface MessageRef {
  channelId: string;
  messageId: string;
}

export function parseMessageRef(ref: string | null | undefined): MessageRef | undefined {
  const match = ref?.match(/^(\d{1,25})\/(\d{1,25})$/);
  return match ? { channelId: match[1]!, messageId: match[2]! } : undefined;
}

/** A thread the bot may not start or post in: no permission, a channel type without threads, a locked thread. */
function threadRefused(err: unknown): boolean {
  if (!(err instanceof DiscordAPIError)) return false;
  return err.status === 403 || err.code === 50024 || err.code === 50083 || err.code === 10008 || err.code === 160005;
}

function apiCode(err: unknown): number | string | undefined {
  return err instanceof DiscordAPIError ? err.code : undefined;
}

const REJECTIONS: Record<number, { code: string; userDetail: string }> = {
  50001: { code: 'missing_access', userDetail: 'The bot cannot see this channel: add it to the server and let it view the channel (Discord: Missing Access).' },
  50013: { code: 'missing_permissions', userDetail: 'The bot may not post here: give it Send Messages, Embed Links and Send Messages in Threads in this channel (Discord: Missing Permissions).' },
  10003: { code: 'unknown_channel', userDetail: 'This channel no longer exists, or the bot was removed from its server (Discord: Unknown Channel).' },
  10015: { code: 'unknown_webhook', userDetail: 'The webhook was deleted: create a new one in the channel settings and update its URL (Discord: Unknown Webhook).' },
  50027: { code: 'invalid_webhook_token', userDetail: 'The webhook URL is wrong or was reset: copy it again from the channel settings (Discord: Invalid Webhook Token).' },
};

/** Any error of a Discord call as a delivery outcome. */
/** A post's outcome: sent with its ref, or what its error means. */
function posted(message: Promise<PostedMessage>): Promise<DeliveryOutcome> {
  return message.then((m) => ({ status: 'sent', messageRef: `${m.channel_id}/${m.id}` }), outcomeOf);
}

export function outcomeOf(err: unknown): DeliveryOutcome {
  if (err instanceof RateLimitError) {
    const waitMs = err.retryAfter > 0 ? err.retryAfter : err.timeToReset;
    return { status: 'failed', retryable: true, retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)), detail: `discord: rate limited on ${err.route} (${err.global ? 'global' : err.scope})` };
  }
  if (err instanceof DiscordAPIError) {
    const known = typeof err.code === 'number' ? REJECTIONS[err.code] : undefined;
    if (known && (err.status === 403 || err.status === 404 || err.status === 401)) return { status: 'rejected', ...known };
    if (err.status === 403) return { status: 'rejected', code: 'forbidden', userDetail: `Discord refused the post: ${err.message}.` };
    if (err.status === 404) return { status: 'rejected', code: 'not_found', userDetail: `Discord does not know this channel: ${err.message}.` };
    if (err.status === 401) return { status: 'failed', retryable: true, detail: 'discord: the bot token was refused (401): check DISCORD_TOKEN' };
    // 400 and the rest: the message itself is wrong; sending it again cannot help.
    const errors = 'errors' in err.rawError && err.rawError.errors ? ` ${JSON.stringify(err.rawError.errors)}` : '';
    return { status: 'failed', retryable: false, detail: `discord: ${err.status} ${err.code} ${err.message}${errors}` };
  }
  if (err instanceof HTTPError) return { status: 'failed', retryable: true, detail: `discord: ${err.status} ${err.message}` };
  return { status: 'failed', retryable: true, detail: `discord: ${errorMessage(err)}` };
}
