/**
 * Slack sinks: the Slack app's bot (`createSlackSink`) and incoming webhooks (`createSlackWebhookSink`).
 *
 * createSlackSink({ token, apiUrl?, log, timeoutMs? })
 * - token:   the bot token (`SLACK_BOT_TOKEN`, `xoxb-…`).
 * - apiUrl:  Web API base with a trailing slash (`SLACK_API_URL`; GovSlack, proxies, the tests' fake). Default
 *            https://slack.com/api/.
 * - log:     pino logger; WebClient's own lines go through it too.
 * - timeoutMs: per request, default 15 s.
 * Posts are never retried by the client (a retry after a timeout can double a post; ../shared/ecosystem.md):
 * the outbox owns retries, rescheduling on `Retry-After` (`rejectRateLimitedCalls`).
 *
 * messageRef / threadRef: `<channel>:<ts>` (e.g. `C0123ABC:1700000001.000001`). Self-describing in logs and
 * the store; `parseMessageRef` also accepts a bare `ts` and reads the channel from the destination.
 *
 * Outcomes: `sent`; `rejected` for what only the channel's admin or the operator can fix (channel gone,
 * bot not in it, archived, token dead, scope missing) — the outbox pauses the subscription with `userDetail`;
 * `failed` otherwise: retryable for 429 (with `retryAfterS`), 5xx, network and Slack's transient errors; not
 * retryable for a payload Slack refused (our bug: the row dies, the subscription stays).
 *
 * sendDigest(digest, to, deliveryIds) posts each part `paginateDigest` makes (Slack limits) as its own message, in
 * order, each with metadata naming the rows it delivers and its part (`watchfloor_digest`: `delivery_ids` as
 * `formatDeliveryIds` writes them, `part`, `parts`); messageRef is the first part's. A part that fails stops the
 * rest and its outcome is returned — as a possible post (no `retryAfterS`) once a part is out, so the retry looks
 * first and posts only the parts still missing (`recoverDigest`).
 *
 * createSlackWebhookSink({ url, log, timeoutMs? })
 * - url: one webhook URL, or a function of the destination (the route's `slack-webhook:ENV_NAME` lands in
 *   `Destination.channel`; the composition root resolves it from the environment). Alerts only: a webhook
 *   cannot thread or edit, so a follow-up posts as a short "also reported by" line.
 */
import { WebClient } from '@slack/web-api';
import type { Digest } from '../../alerts/digest.ts';
import { deliveryIdsInclude, formatDeliveryIds } from '../../alerts/delivery-ids.ts';
import { type Alert, type DeliveryOutcome, type Destination, type Sink, safeLink } from '../../alerts/message.ts';
import { AppError, errorMessage } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { type SlackMessage, alertMessage, digestMessages, followupMessage, standaloneFollowupMessage } from './format.ts';
import { postDigestParts } from '../digest-parts.ts';
import { slackLogger } from './logger.ts';
import { CHANNEL_INTERVAL_MS } from './platform.ts';

/** The message metadata event type that marks our alerts (the outbox finds a post made just before a crash). */
export const ALERT_EVENT_TYPE = 'watchfloor_alert';
/** The event type of a digest's parts: scheduled digests, a feed's burst, the burst guard's mini-digest. */
export const DIGEST_EVENT_TYPE = 'watchfloor_digest';
/**
 * Most characters of a digest's `delivery_ids`. Slack documents no size for `event_payload` (an object of strings,
 * numbers, booleans and objects; docs.slack.dev/messaging/message-metadata), so a burst's ids are one short string
 * kept well under any: runs compress a channel's rows of a poll; the rest are counted, not named.
 */
const DELIVERY_IDS_CHARS = 1000;
const DEFAULT_TIMEOUT_MS = 15_000;
/** How far back `findPostedAlert` looks: a post made just before a crash is among the channel's latest. */
const HISTORY_LIMIT = 100;

export interface SlackSinkOptions {
  token: string;
  apiUrl?: string;
  log: Logger;
  timeoutMs?: number;
}

export interface SlackSink extends Sink {
  sendDigest(digest: Digest, to: Destination, deliveryIds: number[]): Promise<DeliveryOutcome>;
  recoverDigest(digest: Digest | undefined, to: Destination, deliveryId: number): Promise<DeliveryOutcome | undefined>;
  /**
   * The messageRef of the message carrying `deliveryId` in its metadata among the channel's latest 100
   * (or the replies of `threadTs`), else null. Throws an AppError when Slack cannot be asked.
   */
  findPostedAlert(channel: string, deliveryId: number, options?: { threadTs?: string }): Promise<string | null>;
}

/** Errors that only a person can fix: pause the subscription, say what to do. */
const PERMANENT: Record<string, (where: string) => string> = {
  channel_not_found: (where) => `Slack cannot find channel ${where}: it was deleted, or it is private and the Watchfloor app is not in it. Invite the app (/invite @Watchfloor) or fix the channel id in the route.`,
  not_in_channel: (where) => `The Watchfloor app is not a member of ${where}. Invite it with /invite @Watchfloor, then resume the subscription.`,
  is_archived: (where) => `Channel ${where} is archived. Unarchive it, or subscribe another channel.`,
  channel_is_archived: (where) => `Channel ${where} is archived. Unarchive it, or subscribe another channel.`,
  restricted_action: (where) => `Posting in ${where} is restricted by the workspace settings. Ask a Slack admin to allow the Watchfloor app to post there.`,
  invalid_auth: () => 'Slack refused the bot token (invalid_auth). Check SLACK_BOT_TOKEN: it must be the Bot User OAuth Token (xoxb-…) of the installed app.',
  not_authed: () => 'Slack received no bot token. Set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-…) of the installed app.',
  account_inactive: () => 'The Slack app behind SLACK_BOT_TOKEN was uninstalled or its account deactivated. Reinstall the app and update SLACK_BOT_TOKEN.',
  token_revoked: () => 'The Slack bot token was revoked. Reinstall the app to the workspace and update SLACK_BOT_TOKEN.',
  token_expired: () => 'The Slack bot token has expired. Reinstall the app (or turn off token rotation) and update SLACK_BOT_TOKEN.',
  missing_scope: () => 'The Slack app lacks the chat:write scope. Add it under OAuth & Permissions (or recreate the app from slack-app-manifest.yaml) and reinstall.',
  team_access_not_granted: () => 'The Slack app has not been granted access to this workspace. Ask a Slack admin to approve it.',
};

/** Slack's own hiccups: worth another try later. */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited', 'rate_limited', 'team_added_to_org', 'ekm_access_denied']);

/** Splits a messageRef into channel and ts; a bare ts takes the destination's channel. */
export function parseMessageRef(ref: string | null | undefined, fallbackChannel: string): { channel: string; ts: string } | undefined {
  if (!ref) return undefined;
  const colon = ref.indexOf(':');
  if (colon < 0) return /^\d+\.\d+$/.test(ref) ? { channel: fallbackChannel, ts: ref } : undefined;
  const channel = ref.slice(0, colon);
  const ts = ref.slice(colon + 1);
  return channel && /^\d+\.\d+$/.test(ts) ? { channel, ts } : undefined;
}

export function messageRef(channel: string, ts: string): string {
  return `${channel}:${ts}`;
}

/** WebClient appends the method name to the base as is: `https://slack.com/api` would call `https://slack.com/apichat.postMessage`. */
export function apiBase(url: string | undefined): string {
  const base = url ?? 'https://slack.com/api/';
  return base.endsWith('/') ? base : `${base}/`;
}

/** Maps anything WebClient throws to an outcome; `where` names the channel in sentences. */
export function outcomeOfError(err: unknown, where: string): Exclude<DeliveryOutcome, { status: 'sent' }> {
  const e = err as { code?: string; data?: { error?: string }; retryAfter?: number; statusCode?: number };
  if (e?.code === 'slack_webapi_platform_error') {
    const code = e.data?.error ?? 'unknown_error';
    const sentence = PERMANENT[code];
    if (sentence) return { status: 'rejected', code, userDetail: sentence(where) };
    return { status: 'failed', retryable: TRANSIENT.has(code) || !isPayloadError(code), detail: `slack: ${code}` };
  }
  if (e?.code === 'slack_webapi_rate_limited_error') {
    return { status: 'failed', retryable: true, detail: `slack: rate limited for ${e.retryAfter ?? '?'} s`, retryAfterS: e.retryAfter };
  }
  if (e?.code === 'slack_webapi_http_error') {
    const status = e.statusCode ?? 0;
    return { status: 'failed', retryable: status >= 500 || status === 408, detail: `slack: HTTP ${status}` };
  }
  return { status: 'failed', retryable: true, detail: `slack: ${errorMessage(err)}` };
}

/** Slack refused what we sent: retrying the same payload cannot help. */
function isPayloadError(code: string): boolean {
  return /^invalid_|_too_long$|^too_many_|^no_text$|^msg_blocks_too_long$|^metadata_/.test(code);
}

function describe(to: Destination): string {
  return to.name ? `#${to.name} (${to.channel})` : to.channel;
}

export function createSlackSink(options: SlackSinkOptions): SlackSink {
  const log = options.log.child({ platform: 'slack' });
  const client = new WebClient(options.token, {
    slackApiUrl: apiBase(options.apiUrl),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    logger: slackLogger(log, 'slack-web-api'),
  });

  const metadata = (alert: Alert): Metadata => ({ event_type: ALERT_EVENT_TYPE, event_payload: { delivery_id: alert.deliveryId } });
  const digestMetadata = (deliveryIds: number[], part: number, parts: number): Metadata => ({
    event_type: DIGEST_EVENT_TYPE,
    event_payload: { delivery_ids: formatDeliveryIds(deliveryIds, DELIVERY_IDS_CHARS), part: part + 1, parts },
  });

  const post = async (to: Destination, message: SlackMessage, extra: { thread_ts?: string; metadata: Metadata }): Promise<string> => {
    const result = await client.chat.postMessage({
      channel: to.channel,
      text: message.text,
      blocks: message.blocks,
      metadata: extra.metadata,
      ...(extra.thread_ts ? { thread_ts: extra.thread_ts } : {}),
      unfurl_links: false,
      unfurl_media: false,
    });
    return messageRef(result.channel ?? to.channel, result.ts ?? '');
  };

  /** The story's alert gets its outlet count refreshed; a failure here never fails the follow-up. */
  const refreshAnchor = async (anchor: Alert, at: { channel: string; ts: string }): Promise<void> => {
    try {
      const message = alertMessage(anchor);
      await client.chat.update({ channel: at.channel, ts: at.ts, text: message.text, blocks: message.blocks, metadata: metadata(anchor) });
    } catch (err) {
      log.warn({ channel: at.channel, ts: at.ts, err: errorMessage(err) }, 'could not refresh the alert the follow-up belongs to');
    }
  };

  return {
    platform: 'slack',
    minIntervalMs: CHANNEL_INTERVAL_MS,
    async send(alert: Alert, to: Destination): Promise<DeliveryOutcome> {
      try {
        if (alert.kind === 'alert') {
          return { status: 'sent', messageRef: await post(to, alertMessage(alert), { metadata: metadata(alert) }) };
        }
        const thread = parseMessageRef(alert.threadRef, to.channel);
        const ref = await post(to, thread ? followupMessage(alert) : standaloneFollowupMessage(alert), {
          metadata: metadata(alert),
          ...(thread ? { thread_ts: thread.ts } : {}),
        });
        if (thread && alert.anchor) await refreshAnchor(alert.anchor, thread);
        return { status: 'sent', messageRef: ref };
      } catch (err) {
        const outcome = outcomeOfError(err, describe(to));
        log.debug({ delivery: alert.deliveryId, channel: to.channel, outcome }, 'slack post failed');
        return outcome;
      }
    },
    async recover(alert: Alert, to: Destination): Promise<DeliveryOutcome | undefined> {
      // The cut-off post, if it went out, carries this delivery's id in its metadata: top-level alerts are among
      // the channel's latest messages, follow-ups among their thread's replies.
      const thread = alert.kind === 'followup' ? parseMessageRef(alert.threadRef, to.channel) : undefined;
      const ref = await this.findPostedAlert(thread?.channel ?? to.channel, alert.deliveryId, thread ? { threadTs: thread.ts } : {});
      return ref ? { status: 'sent', messageRef: ref } : undefined;
    },
    async sendDigest(digest: Digest, to: Destination, deliveryIds: number[]): Promise<DeliveryOutcome> {
      const parts = digestMessages(digest);
      return postDigestParts(parts, (message, part) => postDigestPart(to, message, digestMetadata(deliveryIds, part, parts.length)), { findable: true });
    },
    async recoverDigest(digest, to, deliveryId) {
      // Each part that went out carries the row's id and its part number; a burst's, every row's id.
      const found = new Map<number, string>();
      let postedParts = 0;
      for (const m of await recent(to.channel)) {
        const payload = m.metadata?.event_type === DIGEST_EVENT_TYPE ? m.metadata.event_payload : undefined;
        if (!payload || !m.ts || !deliveryIdsInclude(String(payload.delivery_ids ?? ''), deliveryId)) continue;
        found.set(Number(payload.part), messageRef(to.channel, m.ts));
        postedParts = Math.max(postedParts, Number(payload.parts) || 0);
      }
      // Parts are posted in order and the first failure stops the rest: what is out is the first few.
      let out = 0;
      while (found.has(out + 1)) out++;
      if (out === 0) return undefined;
      // A burst cut off between its parts may have left this alert out: it is posted again on its own rather than lost.
      if (!digest) return out >= postedParts ? { status: 'sent', messageRef: found.get(1)! } : undefined;
      const parts = digestMessages(digest);
      return postDigestParts(parts, (message, part) => postDigestPart(to, message, digestMetadata([deliveryId], part, parts.length)), { from: out, first: found.get(1)!, findable: true });
    },
    async findPostedAlert(channel, deliveryId, findOptions = {}) {
      const found = (await recent(channel, findOptions.threadTs)).find((m) =>
        m.metadata?.event_type === ALERT_EVENT_TYPE && Number(m.metadata.event_payload?.delivery_id) === deliveryId);
      return found?.ts ? messageRef(channel, found.ts) : null;
    },
  };

  async function postDigestPart(to: Destination, message: SlackMessage, meta: Metadata): Promise<DeliveryOutcome> {
    try {
      return { status: 'sent', messageRef: await post(to, message, { metadata: meta }) };
    } catch (err) {
      return outcomeOfError(err, describe(to));
    }
  }

  /** The channel's latest messages (or a thread's replies) with their metadata; an AppError when Slack cannot be asked. */
  async function recent(channel: string, threadTs?: string): Promise<HistoryMessage[]> {
    try {
      const result = threadTs
        ? await client.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: HISTORY_LIMIT })
        : await client.conversations.history({ channel, include_all_metadata: true, limit: HISTORY_LIMIT });
      return (result.messages ?? []) as HistoryMessage[];
    } catch (err) {
      const outcome = outcomeOfError(err, channel);
      throw new AppError(
        'slack_history',
        outcome.status === 'rejected' ? outcome.userDetail : `Could not read the recent messages of ${channel} (${outcome.detail}); try again later. The app needs channels:history (groups:history for private channels).`,
        { retryable: outcome.status === 'failed' && outcome.retryable, cause: err },
      );
    }
  }
}

/** Message metadata as we write it (Slack's `MessageMetadata`). */
interface Metadata {
  event_type: string;
  event_payload: Record<string, string | number>;
}

/** What we read of a message in the history. */
interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

export interface SlackWebhookSinkOptions {
  url: string | ((to: Destination) => string | undefined);
  log: Logger;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Slack webhook answers (text/plain) that only a person can fix. */
const WEBHOOK_PERMANENT: Record<string, string> = {
  no_service: 'Slack no longer knows this incoming webhook (no_service): it was removed or its app uninstalled. Create a new webhook and update the environment variable that holds its URL.',
  no_team: 'Slack no longer knows the workspace of this incoming webhook. Create a new webhook and update its environment variable.',
  team_disabled: 'The workspace of this incoming webhook is disabled. Create a webhook in an active workspace.',
  channel_not_found: 'The channel of this incoming webhook was deleted. Create a new webhook for another channel and update its environment variable.',
  channel_is_archived: 'The channel of this incoming webhook is archived. Unarchive it or create a webhook for another channel.',
  action_prohibited: 'A workspace admin restricted posting to the channel of this incoming webhook. Ask them to allow it, or use another channel.',
  posting_to_general_channel_denied: 'Only admins may post in this webhook\'s channel. Use a webhook for another channel.',
  invalid_token: 'Slack refused the token in this incoming webhook URL. Create a new webhook and update its environment variable.',
};

export function createSlackWebhookSink(options: SlackWebhookSinkOptions): Sink & { sendDigest(digest: Digest, to: Destination): Promise<DeliveryOutcome> } {
  const log = options.log.child({ platform: 'slack-webhook' });
  const fetchFn = options.fetch ?? fetch;
  const resolve = typeof options.url === 'function' ? options.url : () => options.url as string;

  const post = async (message: SlackMessage, to: Destination): Promise<DeliveryOutcome> => {
    const configured = resolve(to);
    if (!configured) {
      return { status: 'rejected', code: 'webhook_not_configured', userDetail: `No Slack webhook URL is set for ${to.channel}: set the environment variable ${to.channel} to the webhook's URL and restart.` };
    }
    const url = safeLink(configured);
    if (!url) {
      return { status: 'rejected', code: 'webhook_url_invalid', userDetail: `The Slack webhook URL in ${to.channel} is not an http(s) URL: copy it again from the app's Incoming Webhooks page.` };
    }
    let response: Response;
    let body: string;
    try {
      response = await fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false }),
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
      body = (await response.text()).trim();
    } catch (err) {
      // The URL is a secret: the error names the variable, never the address.
      return { status: 'failed', retryable: true, detail: `slack webhook ${to.channel}: ${errorMessage(err)}` };
    }
    if (response.ok) return { status: 'sent', messageRef: null };
    const code = body.slice(0, 100) || `http_${response.status}`;
    if (response.status === 429) {
      const retryAfter = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
      return { status: 'failed', retryable: true, detail: 'slack webhook: rate limited', ...(Number.isFinite(retryAfter) ? { retryAfterS: retryAfter } : {}) };
    }
    const sentence = WEBHOOK_PERMANENT[code];
    if (sentence || response.status === 404 || response.status === 410) {
      return { status: 'rejected', code, userDetail: sentence ?? `Slack answered ${response.status} ${code} for the incoming webhook in ${to.channel}. Check the URL in that environment variable.` };
    }
    const outcome: DeliveryOutcome = { status: 'failed', retryable: response.status >= 500, detail: `slack webhook: HTTP ${response.status} ${code}` };
    log.debug({ channel: to.channel, outcome }, 'slack webhook post failed');
    return outcome;
  };

  return {
    platform: 'slack-webhook',
    minIntervalMs: CHANNEL_INTERVAL_MS,
    send: (alert, to) => post(alert.kind === 'alert' ? alertMessage(alert) : standaloneFollowupMessage(alert), to),
    // A webhook can carry no metadata and read no history: only the outbox keeps a digest from posting twice.
    sendDigest: (digest, to) => postDigestParts(digestMessages(digest), (message) => post(message, to)),
  };
}
