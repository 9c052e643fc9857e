/**
 * The Slack app: Bolt wired to the platform-neutral command handler for `/watch`.
 *
 * createSlackApp({ botToken, signingSecret, appToken?, apiUrl?, admins, handler, log, command? })
 * - botToken:      `SLACK_BOT_TOKEN` (xoxb-…), used for users.info; answers go through `response_url`.
 * - signingSecret: `SLACK_SIGNING_SECRET`; every HTTP request is verified (v0 signature, 5-minute window).
 *                  Required over HTTP; Socket Mode authenticates with the app token instead.
 * - appToken:      `SLACK_APP_TOKEN` (xapp-…). Set: Socket Mode (no public URL); unset: HTTP.
 * - apiUrl:        `SLACK_API_URL`, Web API base with a trailing slash (also where Socket Mode asks for its URL).
 * - admins:        Slack user ids (`slack.admins`) that are admins whatever their workspace role; anyone else
 *                  is an admin when users.info says workspace admin or owner.
 * - handler:       the command layer (`CommandHandler`); this file only translates.
 * - command:       the slash command to listen to, default `/watch`.
 *
 * Returns { app, mode, path, requestListener?, start(), stop() }.
 * - HTTP mode: mount `requestListener` on the bot's own HTTP server for `POST /slack/events` (`path`);
 *   Bolt never opens a port of its own. Socket Mode: no listener; `start()` connects.
 * - start() checks the bot token with auth.test (a wrong one fails start-up with a sentence) and, in Socket
 *   Mode, connects. stop() disconnects Socket Mode; the HTTP server is its owner's to close.
 *
 * Every command is acknowledged at once (Slack allows 3 s), then run; the reply arrives via `respond()`:
 * ephemeral for `private` replies, in channel for `channel` ones. A handler that throws still answers the
 * user, privately, with a sentence.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { App, HTTPReceiver, SocketModeReceiver, type RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Caller, CommandHandler, Reply } from '../../commands/types.ts';
import { AppError, errorMessage } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { type SlackMessage, escapeText, replyMessages } from './format.ts';
import { apiBase } from './adapter.ts';
import { slackLogger } from './logger.ts';

export const SLACK_EVENTS_PATH = '/slack/events';
/** Slack accepts at most five answers per response_url. */
const MAX_RESPONSES = 5;

export interface SlackAppOptions {
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  apiUrl?: string;
  admins: string[];
  handler: CommandHandler;
  log: Logger;
  command?: string;
}

export interface SlackApp {
  app: App;
  mode: 'http' | 'socket';
  path: string;
  /** HTTP mode only: Bolt's request handling for `POST /slack/events`; any other path gets 404. */
  requestListener?: RequestListener;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const log = options.log.child({ platform: 'slack' });
  const logger = slackLogger(log, 'slack-bolt');
  const apiUrl = apiBase(options.apiUrl);
  // Reads only (users.info); the user is waiting, so no ten-retry policy and no queue paused by a 429.
  const clientOptions = { slackApiUrl: apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 10_000 };
  const mode = options.appToken ? 'socket' : 'http';
  if (mode === 'http' && !options.signingSecret) {
    throw new AppError('config', 'The Slack app over HTTP needs SLACK_SIGNING_SECRET (Basic Information → App Credentials), or set SLACK_APP_TOKEN to use Socket Mode instead.');
  }

  const receiver =
    mode === 'socket'
      ? new SocketModeReceiver({ appToken: options.appToken!, logger, installerOptions: { clientOptions: { slackApiUrl: apiUrl } } })
      : new HTTPReceiver({ signingSecret: options.signingSecret!, endpoints: SLACK_EVENTS_PATH, logger });

  // authorize never touches the network: a Slack hiccup here would make Bolt drop the command silently.
  // start() fills in the bot's identity once.
  let identity: { botId?: string; botUserId?: string; teamId?: string } = {};
  const app = new App({
    receiver,
    logger,
    clientOptions,
    authorize: async () => ({ botToken: options.botToken, ...identity }),
  });

  app.error(async (error) => {
    log.error({ err: errorMessage(error) }, 'slack app error');
  });

  app.command(options.command ?? '/watch', async ({ command, ack, respond, client }) => {
    await ack();
    const caller: Caller = {
      platform: 'slack',
      workspace: command.team_id,
      channel: command.channel_id,
      ...(command.channel_name ? { channelName: command.channel_name } : {}),
      user: command.user_id,
      ...(command.user_name ? { userName: command.user_name } : {}),
    };
    let admin: Promise<boolean> | undefined;
    const isAdmin = (): Promise<boolean> => (admin ??= checkAdmin(client, options.admins, command.user_id));
    let reply: Reply;
    try {
      reply = await options.handler({ text: commandText(command.text ?? ''), caller, isAdmin });
    } catch (err) {
      reply = failureReply(err, command.text ?? '', log, caller);
    }
    await answer(respond, reply, log);
  });

  const requestListener: RequestListener | undefined =
    receiver instanceof HTTPReceiver
      ? (req: IncomingMessage, res: ServerResponse) => {
          try {
            receiver.requestListener(req, res);
          } catch {
            // Bolt throws HTTPReceiverDeferredRequestError for paths it does not own.
            if (!res.headersSent) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
          }
        }
      : undefined;

  let started = false;
  return {
    app,
    mode,
    path: SLACK_EVENTS_PATH,
    ...(requestListener ? { requestListener } : {}),
    async start() {
      identity = await verifyToken(app.client, options.botToken);
      if (mode === 'socket') {
        try {
          await app.start();
        } catch (err) {
          throw new AppError('slack_socket_mode', `Could not open the Slack Socket Mode connection (${errorMessage(err)}). Check SLACK_APP_TOKEN: an app-level token (xapp-…) with the connections:write scope, and Socket Mode enabled in the app settings.`, { retryable: true, cause: err });
        }
      }
      started = true;
      log.info({ mode, team: identity.teamId }, 'slack app ready');
    },
    async stop() {
      if (mode === 'socket' && started) await app.stop();
      started = false;
    },
  };
}

async function verifyToken(client: WebClient, token: string): Promise<{ botId?: string; botUserId?: string; teamId?: string }> {
  try {
    const result = await client.auth.test({ token });
    return { botId: result.bot_id, botUserId: result.user_id, teamId: result.team_id };
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    if (code) {
      throw new AppError('slack_auth', `Slack refused SLACK_BOT_TOKEN (${code}). Use the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page, and reinstall the app if it was removed.`, { cause: err });
    }
    throw new AppError('slack_unreachable', `Could not reach Slack to check SLACK_BOT_TOKEN (${errorMessage(err)}). Check the network, or SLACK_API_URL if it is set.`, { retryable: true, cause: err });
  }
}

/** Configured ids first (no API call); else the workspace role from users.info. */
async function checkAdmin(client: WebClient, admins: string[], user: string): Promise<boolean> {
  if (admins.includes(user)) return true;
  try {
    const result = await client.users.info({ user });
    return result.user?.is_admin === true || result.user?.is_owner === true || result.user?.is_primary_owner === true;
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error ?? errorMessage(err);
    throw new AppError('slack_admin_check', `Could not ask Slack whether you are a workspace admin (${code}). An operator can add your user id (${user}) to slack.admins, or give the app the users:read scope.`, { retryable: true, cause: err });
  }
}

function failureReply(err: unknown, text: string, log: Logger, caller: Caller): Reply {
  if (err instanceof AppError) {
    log.warn({ code: err.code, channel: caller.channel, user: caller.user }, `/watch ${text}: ${err.message}`);
    return { visibility: 'private', ok: false, parts: [{ type: 'text', text: err.message }] };
  }
  const ref = randomUUID().slice(0, 8);
  log.error({ ref, err: errorMessage(err), channel: caller.channel, user: caller.user }, `/watch ${text} failed`);
  return {
    visibility: 'private',
    ok: false,
    parts: [{ type: 'text', text: `Sorry, /watch ${text.trim() || 'help'} failed on our side and changed nothing. Try again in a minute; if it keeps failing, the operator can find the details in the logs (ref ${ref}).` }],
  };
}

/**
 * Sends a reply through response_url: at most five messages (Slack's limit), the fifth saying how many
 * were left out. A refused message is retried once as plain text, so the user never sees silence.
 */
async function answer(respond: RespondFn, reply: Reply, log: Logger): Promise<void> {
  let messages = replyMessages(reply);
  if (messages.length > MAX_RESPONSES) {
    const left = messages.length - (MAX_RESPONSES - 1);
    const note = `${left} more ${left === 1 ? 'part is' : 'parts are'} not shown: ask for one topic or a shorter window.`;
    messages = [...messages.slice(0, MAX_RESPONSES - 1), { text: note, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: note, verbatim: true } }] }];
  }
  const responseType = reply.visibility === 'channel' ? 'in_channel' : 'ephemeral';
  for (const message of messages) {
    try {
      await respond(asResponse(message, responseType));
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'slack refused a command reply; sending it as plain text');
      try {
        await respond({ response_type: 'ephemeral', replace_original: false, text: escapeText('Watchfloor could not display this reply in Slack; the operator can find why in the logs.') });
      } catch (again) {
        log.error({ err: errorMessage(again) }, 'slack refused the plain-text reply too');
      }
      return;
    }
  }
}

function asResponse(message: SlackMessage, responseType: 'in_channel' | 'ephemeral') {
  return { response_type: responseType, replace_original: false, text: message.text, blocks: message.blocks };
}

/**
 * Slack's command text as the user typed it: Slack wraps links in `<url>` or `<url|label>` and encodes `&`, `<`, `>`
 * as entities; the command layer reads plain text.
 */
export function commandText(slackText: string): string {
  return slackText
    .replace(/<(https?:[^|>\s]+)(?:\|[^>]*)?>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
