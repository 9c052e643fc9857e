/**
 * A fake Slack on 127.0.0.1 that the real `@slack/web-api` WebClient and `@slack/bolt` App talk to
 * (`slackApiUrl: fake.apiUrl`, trailing slash included). It records every call and answers the way Slack
 * does: `{ ok: false, error }` with HTTP 200 for platform errors, 429 + `Retry-After` when asked to,
 * `invalid_auth` for a token it does not know, and `invalid_blocks` for a payload that breaks Block Kit
 * limits — so every message a test sends is checked against them. Message `metadata` is kept when Slack would keep
 * it (else dropped, with an `invalid_metadata_schema` warning) and read back only with `include_all_metadata`.
 *
 * Routes
 * - `POST /api/<method>`            Web API (form-encoded or JSON bodies, token in `Authorization` or `token`)
 * - `POST /respond/<id>`            slash-command `response_url`s (`respondUrl(id)`)
 * - `POST /webhook/<name>`          incoming webhooks (`webhookUrl(name)`): `ok`, 400 `invalid_blocks`, 404 `no_service`
 * - `GET  /socket` (upgrade)        Socket Mode, the URL `apps.connections.open` hands out
 *
 * Helpers: `postSlashCommand` (a signed `v0` request to a Bolt HTTP receiver) and
 * `fake.pushSlashCommand` (a Socket Mode `slash_commands` envelope, resolved with the client's ack).
 */
import { createHmac } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export const BOT_TOKEN = 'xoxb-fake-bot-token';
export const APP_TOKEN = 'xapp-fake-app-token';
export const SIGNING_SECRET = 'fake-signing-secret';
export const TEAM_ID = 'T0FAKE';
export const BOT_USER_ID = 'U0BOT';
export const BOT_ID = 'B0BOT';

/** One recorded request. `body` is parsed: form fields whose value is JSON (`blocks`, `metadata`) are decoded. */
export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
  token: string | undefined;
}

export interface PostedMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  thread_ts?: string;
  edited?: boolean;
}

export interface RecordedPost {
  path: string;
  body: Record<string, unknown>;
}

export interface FakeSlackUser {
  id: string;
  name?: string;
  is_admin?: boolean;
  is_owner?: boolean;
}

export interface FakeSlack {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `http://127.0.0.1:PORT/api/` — pass as `slackApiUrl` / `SLACK_API_URL`. */
  apiUrl: string;
  calls: SlackCall[];
  /** Payloads POSTed to response URLs. */
  responses: RecordedPost[];
  /** Payloads POSTed to incoming webhooks (accepted or not). */
  webhookCalls: RecordedPost[];
  /** Messages as Slack holds them now, oldest first (updates applied). */
  messages: PostedMessage[];
  callsTo(method: string): SlackCall[];
  /** Next calls that name `channel` answer `{ ok: false, error }`; `null` clears it. */
  setChannelError(channel: string, error: string | null): void;
  /** The next `times` calls of `method` answer 429 with `Retry-After: retryAfterS`, after letting `after` through. */
  rateLimit(method: string, retryAfterS: number, times?: number, after?: number): void;
  /** The next `times` calls of `method` answer with HTTP `status` (5xx) and no JSON. */
  failHttp(method: string, status: number, times?: number): void;
  /** The next `times` calls of `method` lose their connection before any answer. */
  dropConnection(method: string, times?: number): void;
  /**
   * The next `times` calls of `method` are carried out (a message is posted and recorded) and then lose their
   * connection before the answer: `stall` keeps the connection open without answering (the client times out),
   * `drop` (the default) closes it at once. What a timeout after Slack accepted the post looks like.
   */
  acceptThenDrop(method: string, times?: number, how?: 'drop' | 'stall'): void;
  setUser(user: FakeSlackUser): void;
  respondUrl(id: string): string;
  webhookUrl(name: string): string;
  /** Makes a webhook answer like Slack does when it is gone or refuses (`404 no_service`, `410 channel_is_archived`). */
  setWebhookError(name: string, status: number, text: string): void;
  /** Resolves when a Socket Mode client has connected and been sent `hello`. */
  socketConnected(): Promise<void>;
  /** Sends a `slash_commands` envelope to the connected Socket Mode client and resolves with its ack payload. */
  pushSlashCommand(fields: Record<string, string>): Promise<Record<string, unknown>>;
  /** Resolves when `predicate` holds over the recorded state (polls the event loop, no wall-clock assertions). */
  waitFor<T>(probe: () => T | undefined | false, what?: string): Promise<T>;
  close(): Promise<void>;
}

/** Block Kit limits Slack enforces on `chat.postMessage`, `chat.update`, responses and webhooks. */
export const LIMITS = { blocks: 50, sectionText: 3000, contextElements: 10, headerText: 150, fieldText: 2000, fields: 10, fallbackText: 40_000, blockId: 255 };

export async function startFakeSlack(options: { tokens?: string[] } = {}): Promise<FakeSlack> {
  const validTokens = new Set(options.tokens ?? [BOT_TOKEN]);
  const calls: SlackCall[] = [];
  const responses: RecordedPost[] = [];
  const webhookCalls: RecordedPost[] = [];
  const messages: PostedMessage[] = [];
  const channelErrors = new Map<string, string>();
  const rateLimits = new Map<string, { retryAfterS: number; times: number; after?: number }>();
  const httpFailures = new Map<string, { status: number; times: number }>();
  const drops = new Map<string, { times: number }>();
  const acceptedDrops = new Map<string, { times: number; how: 'drop' | 'stall' }>();
  const users = new Map<string, FakeSlackUser>();
  const webhookErrors = new Map<string, { status: number; text: string }>();
  const sockets = new Set<WebSocket>();
  const acks = new Map<string, (payload: Record<string, unknown>) => void>();
  let connectedWaiters: Array<() => void> = [];
  let helloSent = false;
  let clock = 1_700_000_000;
  let serial = 0;
  let envelopes = 0;
  let address = '';

  const nextTs = (): string => `${++clock}.${String(++serial).padStart(6, '0')}`;

  const takeOne = <T extends { times: number; after?: number }>(map: Map<string, T>, key: string): T | undefined => {
    const entry = map.get(key);
    if (!entry) return undefined;
    if (entry.after) {
      entry.after -= 1;
      return undefined;
    }
    entry.times -= 1;
    if (entry.times <= 0) map.delete(key);
    return entry;
  };

  const api = (method: string, body: Record<string, unknown>, token: string | undefined): Record<string, unknown> => {
    if (method === 'apps.connections.open') {
      if (token !== APP_TOKEN) return { ok: false, error: token?.startsWith('xoxb-') ? 'not_allowed_token_type' : 'invalid_auth' };
      return { ok: true, url: `ws://${address}/socket?ticket=${++serial}` };
    }
    if (!token || !validTokens.has(token)) return { ok: false, error: token?.startsWith('xapp-') ? 'not_allowed_token_type' : 'invalid_auth' };
    const channel = typeof body.channel === 'string' ? body.channel : undefined;
    const channelError = channel ? channelErrors.get(channel) : undefined;
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.test/', team: 'Fake Team', user: 'watchfloor', team_id: TEAM_ID, user_id: BOT_USER_ID, bot_id: BOT_ID };
      case 'chat.postMessage': {
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (channelError) return { ok: false, error: channelError };
        const problem = messageProblem(body);
        if (problem) return problem;
        const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
        if (threadTs && !messages.some((m) => m.channel === channel && m.ts === threadTs)) return { ok: false, error: 'thread_not_found' };
        const message: PostedMessage = { channel, ts: nextTs(), ...messageFields(body) };
        if (threadTs) message.thread_ts = threadTs;
        messages.push(message);
        const warning = metadataWarning(body);
        return {
          ok: true, channel, ts: message.ts,
          message: { type: 'message', bot_id: BOT_ID, ts: message.ts, text: message.text, blocks: message.blocks, ...(threadTs ? { thread_ts: threadTs } : {}) },
          ...(warning ? { warning, response_metadata: { warnings: [warning] } } : {}),
        };
      }
      case 'chat.update': {
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (channelError) return { ok: false, error: channelError };
        const message = messages.find((m) => m.channel === channel && m.ts === body.ts);
        if (!message) return { ok: false, error: 'message_not_found' };
        const problem = messageProblem(body);
        if (problem) return problem;
        Object.assign(message, messageFields(body), { edited: true });
        return { ok: true, channel, ts: message.ts, text: message.text };
      }
      case 'chat.postEphemeral': {
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (channelError) return { ok: false, error: channelError };
        if (typeof body.user !== 'string') return { ok: false, error: 'user_not_in_channel' };
        const problem = messageProblem(body);
        if (problem) return problem;
        return { ok: true, message_ts: nextTs() };
      }
      case 'users.info': {
        const user = users.get(String(body.user));
        if (!user) return { ok: false, error: 'user_not_found' };
        return { ok: true, user: { id: user.id, team_id: TEAM_ID, name: user.name ?? user.id, is_admin: user.is_admin ?? false, is_owner: user.is_owner ?? false, is_bot: false } };
      }
      case 'conversations.history': {
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (channelError) return { ok: false, error: channelError };
        const limit = Math.min(Number(body.limit ?? 100) || 100, 999);
        const offset = Number(body.cursor ?? 0) || 0;
        const withMetadata = isTrue(body.include_all_metadata);
        // Newest first, top-level messages only (thread replies live in conversations.replies).
        const all = messages.filter((m) => m.channel === channel && (!m.thread_ts || m.thread_ts === m.ts)).reverse();
        const page = all.slice(offset, offset + limit);
        const more = offset + limit < all.length;
        return { ok: true, messages: page.map((m) => asHistory(m, withMetadata)), has_more: more, response_metadata: { next_cursor: more ? String(offset + limit) : '' } };
      }
      case 'conversations.replies': {
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (channelError) return { ok: false, error: channelError };
        const parent = messages.find((m) => m.channel === channel && m.ts === body.ts);
        if (!parent) return { ok: false, error: 'thread_not_found' };
        const withMetadata = isTrue(body.include_all_metadata);
        const thread = [parent, ...messages.filter((m) => m.channel === channel && m.thread_ts === parent.ts && m !== parent)];
        return { ok: true, messages: thread.map((m) => asHistory(m, withMetadata)), has_more: false };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const raw = await readBody(req);
    const body = parseBody(raw, req.headers['content-type']);

    if (path.startsWith('/api/')) {
      const method = path.slice('/api/'.length);
      const auth = req.headers.authorization;
      const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : typeof body.token === 'string' ? body.token : undefined;
      calls.push({ method, body, token });
      if (takeOne(drops, method)) {
        req.socket.destroy();
        return;
      }
      const limited = takeOne(rateLimits, method);
      if (limited) {
        json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limited.retryAfterS) });
        return;
      }
      const failure = takeOne(httpFailures, method);
      if (failure) {
        res.writeHead(failure.status, { 'content-type': 'text/html' }).end('<html>upstream error</html>');
        return;
      }
      const answer = api(method, body, token);
      const accepted = takeOne(acceptedDrops, method);
      if (accepted) {
        // Done, but the answer never arrives: a stalled connection is closed by close() (closeAllConnections).
        if (accepted.how === 'drop') req.socket.destroy();
        return;
      }
      json(res, 200, answer);
      return;
    }
    if (path.startsWith('/respond/')) {
      responses.push({ path, body });
      const problem = messageProblem(body);
      if (problem) {
        json(res, 400, problem);
        return;
      }
      json(res, 200, { ok: true });
      return;
    }
    if (path.startsWith('/webhook/')) {
      webhookCalls.push({ path, body });
      const name = decodeURIComponent(path.slice('/webhook/'.length));
      const error = webhookErrors.get(name);
      if (error) {
        res.writeHead(error.status, { 'content-type': 'text/plain' }).end(error.text);
        return;
      }
      if (!name) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no_service');
        return;
      }
      const limited = takeOne(rateLimits, `webhook:${name}`);
      if (limited) {
        res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': String(limited.retryAfterS) }).end('rate_limited');
        return;
      }
      const problem = messageProblem(body);
      if (problem) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(String(problem.error));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith('/socket')) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => {
        let message: { envelope_id?: string; payload?: Record<string, unknown> };
        try {
          message = JSON.parse(String(data));
        } catch {
          return;
        }
        const resolve = message.envelope_id ? acks.get(message.envelope_id) : undefined;
        if (resolve && message.envelope_id) {
          acks.delete(message.envelope_id);
          resolve(message.payload ?? {});
        }
      });
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake', approximate_connection_time: 3600 }, connection_info: { app_id: 'A0FAKE' } }));
      helloSent = true;
      for (const waiter of connectedWaiters) waiter();
      connectedWaiters = [];
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  address = `127.0.0.1:${port}`;
  const url = `http://${address}`;

  const fake: FakeSlack = {
    url,
    apiUrl: `${url}/api/`,
    calls,
    responses,
    webhookCalls,
    messages,
    callsTo: (method) => calls.filter((c) => c.method === method),
    setChannelError(channel, error) {
      if (error) channelErrors.set(channel, error);
      else channelErrors.delete(channel);
    },
    rateLimit(method, retryAfterS, times = 1, after = 0) {
      rateLimits.set(method, { retryAfterS, times, after });
    },
    failHttp(method, status, times = 1) {
      httpFailures.set(method, { status, times });
    },
    dropConnection(method, times = 1) {
      drops.set(method, { times });
    },
    acceptThenDrop(method, times = 1, how = 'drop') {
      acceptedDrops.set(method, { times, how });
    },
    setUser(user) {
      users.set(user.id, user);
    },
    respondUrl: (id) => `${url}/respond/${encodeURIComponent(id)}`,
    webhookUrl: (name) => `${url}/webhook/${encodeURIComponent(name)}`,
    setWebhookError(name, status, text) {
      webhookErrors.set(name, { status, text });
    },
    socketConnected() {
      if (helloSent && sockets.size > 0) return Promise.resolve();
      return new Promise((resolve) => connectedWaiters.push(resolve));
    },
    pushSlashCommand(fields) {
      const socket = [...sockets][0];
      if (!socket) return Promise.reject(new Error('no Socket Mode client is connected'));
      const envelopeId = `envelope-${++envelopes}`;
      return new Promise((resolve) => {
        acks.set(envelopeId, resolve);
        socket.send(JSON.stringify({ envelope_id: envelopeId, type: 'slash_commands', accepts_response_payload: true, payload: slashCommandFields(fields) }));
      });
    },
    async waitFor(probe, what = 'condition') {
      for (let i = 0; i < 2000; i++) {
        const value = probe();
        if (value !== undefined && value !== false) return value as never;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`fake Slack: timed out waiting for ${what}`);
    },
    async close() {
      for (const socket of sockets) socket.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

/** The fields Slack sends with a slash command, with test defaults; `overrides` win. */
export function slashCommandFields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    token: 'deprecated-verification-token',
    team_id: TEAM_ID,
    team_domain: 'fake',
    channel_id: 'C0ALERTS',
    channel_name: 'alerts',
    user_id: 'U0ANALYST',
    user_name: 'analyst',
    command: '/watch',
    text: 'help',
    api_app_id: 'A0FAKE',
    is_enterprise_install: 'false',
    response_url: 'http://127.0.0.1:9/respond/unset',
    trigger_id: '1.2.3',
    ...overrides,
  };
}

/** The `v0` signature Slack puts on every request: hex HMAC-SHA256 of `v0:<ts>:<raw body>`. */
export function slackSignature(secret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/**
 * POSTs a slash command to a Bolt HTTP receiver the way Slack does: form-encoded, signed with `secret`.
 * `timestamp` (Unix seconds) defaults to now; `signature` overrides the computed one (to test rejection).
 */
export async function postSlashCommand(
  url: string,
  fields: Record<string, string>,
  options: { secret?: string; timestamp?: number; signature?: string } = {},
): Promise<{ status: number; body: string }> {
  const raw = new URLSearchParams(slashCommandFields(fields)).toString();
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? slackSignature(options.secret ?? SIGNING_SECRET, timestamp, raw),
    },
    body: raw,
  });
  return { status: response.status, body: await response.text() };
}

/**
 * What Slack would turn into a mention or a link it did not get from us: `<!channel>`, `<!here>`,
 * `<@U…>`, `<#C…>`, `<!subteam^…>` anywhere in a payload's strings, and `link_names`/`parse: full`.
 * Our own `<!date^…>` tokens and `<http…|label>` links are not pings.
 */
export function slackPings(payload: unknown): string[] {
  const found: string[] = [];
  const visit = (value: unknown, key?: string): void => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(/<([!@#][^>]*)>/g)) {
        if (!match[1]!.startsWith('!date^')) found.push(match[0]);
      }
      if ((key === 'link_names' && isTrue(value)) || (key === 'parse' && value === 'full')) found.push(`${key}=${value}`);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, k);
    } else if (value === true && key === 'link_names') {
      found.push('link_names=true');
    }
  };
  visit(payload);
  return found;
}

/** Block Kit checks Slack applies; `undefined` when the payload is acceptable. */
export function messageProblem(body: Record<string, unknown>): { ok: false; error: string; errors?: string[] } | undefined {
  const text = body.text;
  const blocks = body.blocks;
  if (typeof text === 'string' && text.length > LIMITS.fallbackText) return { ok: false, error: 'msg_too_long' };
  if (blocks === undefined) {
    if (typeof text !== 'string' || text.length === 0) return { ok: false, error: 'no_text' };
    return undefined;
  }
  if (!Array.isArray(blocks)) return { ok: false, error: 'invalid_blocks_format' };
  const errors = blockProblems(blocks);
  return errors.length > 0 ? { ok: false, error: 'invalid_blocks', errors } : undefined;
}

export function blockProblems(blocks: unknown[]): string[] {
  const errors: string[] = [];
  if (blocks.length === 0) errors.push('no blocks');
  if (blocks.length > LIMITS.blocks) errors.push(`must be at most ${LIMITS.blocks} blocks [json-pointer:/blocks]`);
  const ids = new Set<string>();
  blocks.forEach((block, i) => {
    const at = `[json-pointer:/blocks/${i}]`;
    if (!block || typeof block !== 'object') {
      errors.push(`not an object ${at}`);
      return;
    }
    const b = block as Record<string, unknown>;
    if (typeof b.block_id === 'string') {
      if (b.block_id.length > LIMITS.blockId) errors.push(`block_id too long ${at}`);
      if (ids.has(b.block_id)) errors.push(`duplicate block_id ${at}`);
      ids.add(b.block_id);
    }
    switch (b.type) {
      case 'header':
        errors.push(...textProblems(b.text, LIMITS.headerText, `${at}/text`, ['plain_text']));
        break;
      case 'section':
        if (b.text === undefined && b.fields === undefined) errors.push(`section needs text or fields ${at}`);
        if (b.text !== undefined) errors.push(...textProblems(b.text, LIMITS.sectionText, `${at}/text`));
        if (b.fields !== undefined) {
          if (!Array.isArray(b.fields) || b.fields.length > LIMITS.fields) errors.push(`at most ${LIMITS.fields} fields ${at}`);
          else b.fields.forEach((f, j) => errors.push(...textProblems(f, LIMITS.fieldText, `${at}/fields/${j}`)));
        }
        break;
      case 'context':
        if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > LIMITS.contextElements) {
          errors.push(`context needs 1 to ${LIMITS.contextElements} elements ${at}`);
        } else {
          b.elements.forEach((e, j) => errors.push(...textProblems(e, LIMITS.sectionText, `${at}/elements/${j}`)));
        }
        break;
      case 'divider':
        break;
      default:
        errors.push(`unsupported block type ${String(b.type)} ${at}`);
    }
  });
  return errors;
}

function textProblems(value: unknown, max: number, at: string, types = ['plain_text', 'mrkdwn']): string[] {
  if (!value || typeof value !== 'object') return [`missing text object ${at}`];
  const t = value as Record<string, unknown>;
  if (!types.includes(String(t.type))) return [`must be ${types.join(' or ')} ${at}`];
  if (typeof t.text !== 'string' || t.text.length === 0) return [`must be at least 1 character ${at}`];
  if (t.text.length > max) return [`must be less than ${max + 1} characters ${at}`];
  if (t.type === 'plain_text' && 'verbatim' in t) return [`verbatim is only for mrkdwn ${at}`];
  if (t.type === 'mrkdwn' && 'emoji' in t) return [`emoji is only for plain_text ${at}`];
  return [];
}

function messageFields(body: Record<string, unknown>): Pick<PostedMessage, 'text' | 'blocks' | 'metadata'> {
  const fields: Pick<PostedMessage, 'text' | 'blocks' | 'metadata'> = {};
  if (typeof body.text === 'string') fields.text = body.text;
  if (Array.isArray(body.blocks)) fields.blocks = body.blocks;
  if (body.metadata !== undefined && !metadataWarning(body)) fields.metadata = body.metadata as PostedMessage['metadata'];
  return fields;
}

/**
 * Slack keeps metadata whose `event_type` is letters, digits, `_` and `-` and whose `event_payload` is an object;
 * other metadata is dropped and the post answered with an `invalid_metadata_schema` warning
 * (docs.slack.dev/messaging/message-metadata).
 */
function metadataWarning(body: Record<string, unknown>): string | undefined {
  if (body.metadata === undefined) return undefined;
  const m = body.metadata as { event_type?: unknown; event_payload?: unknown } | null;
  const ok = !!m && typeof m === 'object' && typeof m.event_type === 'string' && /^[A-Za-z0-9_-]+$/.test(m.event_type) &&
    !!m.event_payload && typeof m.event_payload === 'object' && !Array.isArray(m.event_payload);
  return ok ? undefined : 'invalid_metadata_schema';
}

function asHistory(m: PostedMessage, withMetadata: boolean): Record<string, unknown> {
  return {
    type: 'message',
    bot_id: BOT_ID,
    ts: m.ts,
    text: m.text ?? '',
    ...(m.blocks ? { blocks: m.blocks } : {}),
    ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
    ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
  };
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Form bodies carry nested values (blocks, metadata) as JSON strings, the way WebClient serializes them. */
function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) {
    try {
      return JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return { _invalid_json: raw };
    }
  }
  const body: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    if ((key === 'blocks' || key === 'metadata' || key === 'attachments') && /^[[{]/.test(value)) {
      try {
        body[key] = JSON.parse(value);
        continue;
      } catch {
        // Slack answers invalid_blocks_format for a non-JSON blocks field; keep the raw text for that check.
      }
    }
    body[key] = value;
  }
  return body;
}
