/**
 * A fake Discord REST API (v10) on 127.0.0.1 for the real discord.js client and @discordjs/rest.
 *
 * It records every request and answers like Discord where our code depends on the answer:
 * - `GET /gateway/bot` returns the fake gateway's url (set by `startFakeDiscordGateway`).
 * - `POST /channels/:id/messages` creates a message; `nonce` + `enforce_nonce: true` repeated by the same
 *   author within five minutes returns the first message instead of a new one. Content and embeds are
 *   checked against Discord's limits (400, code 50035 "Invalid Form Body", with Discord's nested `errors`).
 * - `GET /channels/:id/messages?limit=N` (1–100, default 50), newest first. As on Discord, a message read back
 *   carries no `nonce` (only the create answer and the gateway event do). `GET /users/@me` is the bot.
 * - `PATCH /channels/:cid/messages/:mid`, `POST /channels/:cid/messages/:mid/threads` (the thread's id is the
 *   message's id, as on Discord; a second start answers 160004; a channel declared `threads: false` 50024).
 * - `PUT /applications/:app/commands` and `/applications/:app/guilds/:g/commands` (bulk overwrite).
 * - `POST /interactions/:id/:token/callback`; `PATCH|DELETE /webhooks/:app/:token/messages/@original`;
 *   follow-ups `POST /webhooks/:app/:token`; webhook execute `POST /webhooks/:id/:token`.
 * - Errors on demand: per channel (403 50001 Missing Access, 403 50013 Missing Permissions, 404 10003
 *   Unknown Channel), 429 with `retry_after` and rate-limit headers, or any status for a matching route.
 * - A wrong or missing bot token on an authenticated route is 401.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeChannel {
  id: string;
  name: string;
  guildId?: string;
  /** 0 text, 11 public thread. */
  type: number;
  parentId?: string;
  /** false: starting a thread here answers 50024 (as in a channel type without threads). Default true. */
  threads?: boolean;
}

export interface FakeGuild {
  id: string;
  name: string;
  channels: Array<{ id: string; name: string; threads?: boolean }>;
}

export interface RecordedRequest {
  method: string;
  /** Path below `/api/v10`, e.g. `/channels/123/messages`. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: any;
  status: number;
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  content: string;
  embeds: any[];
  allowed_mentions?: unknown;
  nonce?: string | number;
  message_reference?: { message_id?: string; channel_id?: string };
  flags: number;
  /** `bot`, `webhook:<id>` or `interaction:<id>`. */
  author: string;
  edits: any[];
}

export interface FakeInteraction {
  id: string;
  token: string;
  channelId: string;
  callbacks: any[];
  /** The original response (after a deferral or a reply). */
  original?: FakeMessage;
  followups: FakeMessage[];
}

export type ChannelError = 'missing-access' | 'missing-permissions' | 'unknown-channel';

interface Injected {
  method?: string;
  path: string | RegExp;
  times: number;
  /** Matching requests let through before this rule answers. */
  after: number;
  answer: { status: number; body: unknown; headers?: Record<string, string> };
}

export interface FakeDiscordApi {
  /** For `new REST({ api })` and `new Client({ rest: { api } })`: `http://127.0.0.1:PORT/api`. */
  api: string;
  token: string;
  applicationId: string;
  bot: { id: string; username: string };
  guilds: FakeGuild[];
  gatewayUrl: string;
  requests: RecordedRequest[];
  messages: FakeMessage[];
  channels: Map<string, FakeChannel>;
  interactions: Map<string, FakeInteraction>;
  /** Registered application commands: key `global` or the guild id. */
  commands: Map<string, any[]>;
  addGuild(guild: FakeGuild): void;
  addChannel(channel: Omit<FakeChannel, 'type'> & { type?: number }): void;
  addWebhook(webhook: { id: string; token: string; channelId: string }): void;
  /** Registers an interaction the gateway dispatches, so its token is known here. */
  addInteraction(interaction: { id: string; token: string; channelId: string }): void;
  setChannelError(channelId: string, error: ChannelError | null): void;
  /**
   * The next `times` requests matching `path` (below /api/v10) answer 429 with `retry_after` and headers, after
   * letting `after` of them through.
   */
  rateLimit(options: { method?: string; path: string | RegExp; retryAfterS: number; times?: number; after?: number; global?: boolean }): void;
  /** The next `times` requests matching answer `status` with Discord's error JSON. */
  fail(options: { method?: string; path: string | RegExp; status: number; code?: number; message?: string; times?: number }): void;
  /**
   * The next `times` requests matching are carried out (a message is created and recorded) and then lose their
   * connection before the answer: what a timeout after Discord accepted the post looks like to the client.
   */
  acceptThenDrop(options: { method?: string; path: string | RegExp; times?: number }): void;
  /** Discord keeps a nonce for a few minutes: a retry later than that is a post like any other. */
  expireNonces(): void;
  messagesIn(channelId: string): FakeMessage[];
  /** Resolves with the first request (past or future) that matches; rejects after `timeoutMs`. */
  waitForRequest(match: (request: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

const EPOCH = 1_420_070_400_000n;
const NONCE_WINDOW_MS = 5 * 60_000;

export async function startFakeDiscordApi(options: { token?: string; applicationId?: string } = {}): Promise<FakeDiscordApi> {
  const token = options.token ?? 'fake-bot-token';
  const applicationId = options.applicationId ?? '1100000000000000001';
  let sequence = 0n;
  const snowflake = (): string => (((BigInt(Date.now()) - EPOCH) << 22n) | (sequence++ & 0x3fffffn)).toString();

  const requests: RecordedRequest[] = [];
  const messages: FakeMessage[] = [];
  const channels = new Map<string, FakeChannel>();
  const channelErrors = new Map<string, ChannelError>();
  const webhooks = new Map<string, { id: string; token: string; channelId: string }>();
  const interactions = new Map<string, FakeInteraction>();
  const commands = new Map<string, any[]>();
  const nonces = new Map<string, { message: FakeMessage; at: number }>();
  const injected: Injected[] = [];
  const acceptedDrops: Array<{ method?: string; path: string | RegExp; times: number }> = [];
  const waiters: Array<{ match: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }> = [];
  const guilds: FakeGuild[] = [];

  const fake: FakeDiscordApi = {
    api: '',
    token,
    applicationId,
    bot: { id: applicationId, username: 'watchfloor' },
    guilds,
    gatewayUrl: 'ws://127.0.0.1:1',
    requests,
    messages,
    channels,
    interactions,
    commands,
    addGuild(guild) {
      guilds.push(guild);
      for (const c of guild.channels) fake.addChannel({ ...c, guildId: guild.id });
    },
    addChannel(channel) {
      channels.set(channel.id, { type: 0, ...channel });
    },
    addWebhook(webhook) {
      webhooks.set(webhook.id, webhook);
    },
    addInteraction(interaction) {
      interactions.set(interaction.token, { ...interaction, callbacks: [], followups: [] });
    },
    setChannelError(channelId, error) {
      if (error) channelErrors.set(channelId, error);
      else channelErrors.delete(channelId);
    },
    rateLimit({ method, path, retryAfterS, times = 1, after = 0, global = false }) {
      const headers: Record<string, string> = {
        'retry-after': String(Math.ceil(retryAfterS)),
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset-after': String(retryAfterS),
        'x-ratelimit-bucket': 'fakebucket',
        'x-ratelimit-scope': global ? 'global' : 'user',
      };
      if (global) headers['x-ratelimit-global'] = 'true';
      injected.push({ method, path, times, after, answer: { status: 429, headers, body: { message: 'You are being rate limited.', retry_after: retryAfterS, global } } });
    },
    fail({ method, path, status, code = 0, message = 'Injected failure', times = 1 }) {
      injected.push({ method, path, times, after: 0, answer: { status, body: { message, code } } });
    },
    expireNonces() {
      nonces.clear();
    },
    acceptThenDrop({ method, path, times = 1 }) {
      acceptedDrops.push({ method, path, times });
    },
    messagesIn: (channelId) => messages.filter((m) => m.channel_id === channelId),
    waitForRequest(match, timeoutMs = 10_000) {
      const seen = requests.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve: (r: RecordedRequest) => { clearTimeout(timer); resolve(r); } };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`fake Discord API: no matching request within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const newMessage = (channelId: string, body: any, author: string): FakeMessage => {
    const message: FakeMessage = {
      id: snowflake(),
      channel_id: channelId,
      content: body.content ?? '',
      embeds: body.embeds ?? [],
      allowed_mentions: body.allowed_mentions,
      nonce: body.nonce,
      message_reference: body.message_reference,
      flags: body.flags ?? 0,
      author,
      edits: [],
    };
    messages.push(message);
    return message;
  };

  const messageJson = (m: FakeMessage): Record<string, unknown> => ({
    id: m.id,
    type: m.message_reference ? 19 : 0,
    channel_id: m.channel_id,
    author: m.author.startsWith('webhook:')
      ? { id: m.author.slice(8), username: 'Watchfloor webhook', discriminator: '0000', avatar: null, global_name: null, bot: true }
      : { id: fake.bot.id, username: fake.bot.username, discriminator: '0000', avatar: null, global_name: null, bot: true },
    content: m.content,
    timestamp: new Date(Number((BigInt(m.id) >> 22n) + EPOCH)).toISOString(),
    edited_timestamp: m.edits.length > 0 ? new Date().toISOString() : null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: m.embeds,
    pinned: false,
    flags: m.flags,
    components: [],
    ...(m.nonce !== undefined ? { nonce: m.nonce } : {}),
    ...(m.message_reference ? { message_reference: { type: 0, ...m.message_reference } } : {}),
    ...(m.author.startsWith('webhook:') ? { webhook_id: m.author.slice(8) } : {}),
    ...(m.author.startsWith('interaction:') ? { webhook_id: applicationId } : {}),
  });

  type Answer = { status: number; body?: unknown; headers?: Record<string, string>; message?: FakeMessage };
  const error = (status: number, code: number, message: string, errors?: unknown): Answer => ({ status, body: { message, code, ...(errors ? { errors } : {}) } });
  const CHANNEL_ERRORS: Record<ChannelError, Answer> = {
    'missing-access': error(403, 50001, 'Missing Access'),
    'missing-permissions': error(403, 50013, 'Missing Permissions'),
    'unknown-channel': error(404, 10003, 'Unknown Channel'),
  };

  const channelFor = (id: string): FakeChannel | Answer => {
    const err = channelErrors.get(id);
    if (err) return CHANNEL_ERRORS[err];
    const channel = channels.get(id);
    return channel ?? error(404, 10003, 'Unknown Channel');
  };
  const isAnswer = (x: unknown): x is Answer => typeof x === 'object' && x !== null && 'status' in x;

  const createMessage = (channelId: string, body: any, author: string): Answer => {
    const invalid = validateMessage(body);
    if (invalid) return invalid;
    if (body.nonce !== undefined && body.enforce_nonce === true) {
      const key = `${author}:${body.nonce}`;
      const seen = nonces.get(key);
      if (seen && Date.now() - seen.at < NONCE_WINDOW_MS) return { status: 200, body: messageJson(seen.message) };
      const message = newMessage(channelId, body, author);
      nonces.set(key, { message, at: Date.now() });
      return { status: 200, body: messageJson(message), message };
    }
    const message = newMessage(channelId, body, author);
    return { status: 200, body: messageJson(message), message };
  };

  const editMessage = (message: FakeMessage, body: any): Answer => {
    const invalid = validateMessage({ content: body.content ?? message.content, embeds: body.embeds ?? message.embeds });
    if (invalid) return invalid;
    message.edits.push(body);
    if (body.content !== undefined) message.content = body.content;
    if (body.embeds !== undefined) message.embeds = body.embeds;
    if (body.allowed_mentions !== undefined) message.allowed_mentions = body.allowed_mentions;
    return { status: 200, body: messageJson(message) };
  };

  const route = (method: string, path: string, query: Record<string, string>, headers: IncomingHttpHeaders, body: any): Answer => {
    for (const rule of injected) {
      if (rule.times <= 0 || (rule.method && rule.method !== method)) continue;
      if (typeof rule.path === 'string' ? rule.path !== path : !rule.path.test(path)) continue;
      if (rule.after > 0) {
        rule.after--;
        continue;
      }
      rule.times--;
      return rule.answer;
    }

    const unauthenticated = path.startsWith('/interactions/') || path.startsWith('/webhooks/');
    if (!unauthenticated && headers.authorization !== `Bot ${token}`) return error(401, 0, '401: Unauthorized');

    let m: RegExpMatchArray | null;
    if (method === 'GET' && path === '/gateway/bot') {
      return { status: 200, body: { url: fake.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 } } };
    }
    if (method === 'GET' && path === '/users/@me') {
      return { status: 200, body: { id: fake.bot.id, username: fake.bot.username, discriminator: '0000', avatar: null, global_name: null, bot: true } };
    }
    if ((m = path.match(/^\/channels\/(\d+)\/messages$/)) && method === 'GET') {
      const channel = channelFor(m[1]!);
      if (isAnswer(channel)) return channel;
      const limit = query.limit === undefined ? 50 : Number(query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) return invalidForm({ limit: fieldError('NUMBER_TYPE_MAX', 'int value should be less than or equal to 100.') });
      const recent = messages.filter((x) => x.channel_id === channel.id).slice(-limit).reverse();
      return { status: 200, body: recent.map((x) => ({ ...messageJson(x), nonce: undefined })) };
    }
    if ((m = path.match(/^\/channels\/(\d+)\/messages$/)) && method === 'POST') {
      const channel = channelFor(m[1]!);
      if (isAnswer(channel)) return channel;
      return createMessage(channel.id, body, 'bot');
    }
    if ((m = path.match(/^\/channels\/(\d+)\/messages\/(\d+)$/)) && method === 'PATCH') {
      const channel = channelFor(m[1]!);
      if (isAnswer(channel)) return channel;
      const message = messages.find((x) => x.id === m![2] && x.channel_id === channel.id);
      if (!message) return error(404, 10008, 'Unknown Message');
      return editMessage(message, body);
    }
    if ((m = path.match(/^\/channels\/(\d+)\/messages\/(\d+)\/threads$/)) && method === 'POST') {
      const channel = channelFor(m[1]!);
      if (isAnswer(channel)) return channel;
      if (channel.threads === false || channel.type === 11) return error(400, 50024, 'Cannot execute action on this channel type');
      const message = messages.find((x) => x.id === m![2] && x.channel_id === channel.id);
      if (!message) return error(404, 10008, 'Unknown Message');
      if (channels.has(message.id)) return error(400, 160004, 'A thread has already been created for this message');
      const name = typeof body?.name === 'string' ? body.name : '';
      if (name.length < 1 || name.length > 100) return invalidForm({ name: fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.') });
      const thread: FakeChannel = { id: message.id, name, guildId: channel.guildId, type: 11, parentId: channel.id };
      channels.set(thread.id, thread);
      return {
        status: 201,
        body: {
          id: thread.id, type: 11, guild_id: thread.guildId, parent_id: thread.parentId, name, owner_id: fake.bot.id,
          thread_metadata: { archived: false, auto_archive_duration: body.auto_archive_duration ?? 1440, archive_timestamp: new Date().toISOString(), locked: false },
          message_count: 0, member_count: 1, total_message_sent: 0, rate_limit_per_user: 0, flags: 0,
        },
      };
    }
    if ((m = path.match(/^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/)) && method === 'PUT') {
      if (m[1] !== applicationId) return error(403, 50001, 'Missing Access');
      const invalid = validateCommands(body);
      if (invalid) return invalid;
      const registered = (body as any[]).map((c) => ({ id: snowflake(), application_id: applicationId, version: snowflake(), type: 1, ...(m![2] ? { guild_id: m![2] } : {}), ...c }));
      commands.set(m[2] ?? 'global', registered);
      return { status: 200, body: registered };
    }
    if ((m = path.match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/)) && method === 'POST') {
      const interaction = interactions.get(decodeURIComponent(m[2]!));
      if (!interaction || interaction.id !== m[1]) return error(404, 10062, 'Unknown interaction');
      if (interaction.callbacks.length > 0) return error(400, 40060, 'Interaction has already been acknowledged.');
      interaction.callbacks.push(body);
      if (body.type === 4 || body.type === 5) {
        const data = body.data ?? {};
        if (body.type === 4) {
          const invalid = validateMessage(data);
          if (invalid) return invalid;
        }
        interaction.original = newMessage(interaction.channelId, { ...data, content: data.content ?? '' }, `interaction:${interaction.id}`);
      }
      return { status: 204 };
    }
    if ((m = path.match(/^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/))) {
      const [, id, hookToken, messageId] = m as unknown as [string, string, string, string | undefined];
      if (id === applicationId) {
        const interaction = interactions.get(decodeURIComponent(hookToken));
        if (!interaction) return error(404, 10015, 'Unknown Webhook');
        if (!messageId && method === 'POST') {
          const created = createMessage(interaction.channelId, body, `interaction:${interaction.id}`);
          if (created.message) interaction.followups.push(created.message);
          return created;
        }
        const target = messageId === '@original' ? interaction.original : interaction.followups.find((f) => f.id === messageId);
        if (!target) return error(404, 10008, 'Unknown Message');
        if (method === 'PATCH') return editMessage(target, body);
        if (method === 'DELETE') {
          messages.splice(messages.indexOf(target), 1);
          if (messageId === '@original') interaction.original = undefined;
          return { status: 204 };
        }
      }
      const hook = webhooks.get(id);
      if (!hook) return error(404, 10015, 'Unknown Webhook');
      if (hook.token !== decodeURIComponent(hookToken)) return error(401, 50027, 'Invalid Webhook Token');
      const channel = channelFor(hook.channelId);
      if (isAnswer(channel)) return channel;
      if (!messageId && method === 'POST') {
        const created = createMessage(channel.id, { ...body, nonce: undefined, enforce_nonce: undefined }, `webhook:${hook.id}`);
        return query.wait === 'true' || created.status !== 200 ? created : { status: 204 };
      }
      const target = messages.find((x) => x.id === messageId && x.author === `webhook:${hook.id}`);
      if (!target) return error(404, 10008, 'Unknown Message');
      if (method === 'PATCH') return editMessage(target, body);
    }
    return error(404, 0, '404: Not Found');
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const path = decodeURIComponent(url.pathname.replace(/^\/api\/v10/, ''));
      const query = Object.fromEntries(url.searchParams);
      const answer = url.pathname.startsWith('/api/v10/')
        ? route(req.method ?? 'GET', path, query, req.headers, body)
        : error(404, 0, '404: Not Found');
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path, query, headers: req.headers, body, status: answer.status };
      requests.push(recorded);
      for (const waiter of [...waiters]) {
        if (waiter.match(recorded)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(recorded);
        }
      }
      const drop = acceptedDrops.find((d) => d.times > 0 && (!d.method || d.method === recorded.method) && (typeof d.path === 'string' ? d.path === path : d.path.test(path)));
      if (drop) {
        drop.times--;
        req.socket.destroy();
        return;
      }
      const headers = { ...(answer.headers ?? {}), ...(answer.body !== undefined ? { 'content-type': 'application/json' } : {}) };
      res.writeHead(answer.status, headers).end(answer.body !== undefined ? JSON.stringify(answer.body) : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  return fake;

  function fieldError(code: string, message: string): { _errors: Array<{ code: string; message: string }> } {
    return { _errors: [{ code, message }] };
  }

  function invalidForm(errors: unknown): Answer {
    return error(400, 50035, 'Invalid Form Body', errors);
  }

  /** Discord's message limits: content 2,000; 10 embeds; per embed title 256, description 4,096, 25 fields. */
  function validateMessage(body: any): Answer | undefined {
    const errors: Record<string, unknown> = {};
    const content = typeof body?.content === 'string' ? body.content : '';
    if (content.length > 2000) errors.content = fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
    const embeds: any[] = Array.isArray(body?.embeds) ? body.embeds : [];
    if (embeds.length > 10) errors.embeds = fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
    const embedErrors: Record<string, unknown> = {};
    let total = 0;
    embeds.forEach((embed, i) => {
      const e: Record<string, unknown> = {};
      const text = (value: unknown): number => (typeof value === 'string' ? value.length : 0);
      const check = (name: string, value: unknown, max: number) => {
        if (text(value) > max) e[name] = fieldError('BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
      };
      check('title', embed.title, 256);
      check('description', embed.description, 4096);
      if (embed.author) check('author', embed.author.name, 256);
      if (embed.footer) check('footer', embed.footer.text, 2048);
      if (embed.url !== undefined && !/^https?:\/\//.test(String(embed.url))) e.url = fieldError('URL_TYPE_INVALID_URL', 'Not a well formed URL.');
      const fields: any[] = Array.isArray(embed.fields) ? embed.fields : [];
      if (fields.length > 25) e.fields = fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
      const fieldErrors: Record<string, unknown> = {};
      fields.forEach((field, j) => {
        if (text(field.name) < 1 || text(field.name) > 256) fieldErrors[j] = { name: fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 256 in length.') };
        else if (text(field.value) < 1 || text(field.value) > 1024) fieldErrors[j] = { value: fieldError('BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 1024 in length.') };
      });
      if (Object.keys(fieldErrors).length > 0) e.fields = fieldErrors;
      total += text(embed.title) + text(embed.description) + text(embed.author?.name) + text(embed.footer?.text) +
        fields.reduce((sum, f) => sum + text(f.name) + text(f.value), 0);
      if (Object.keys(e).length > 0) embedErrors[i] = e;
    });
    if (Object.keys(embedErrors).length > 0) errors.embeds = embedErrors;
    else if (total > 6000) errors.embeds = fieldError('MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
    if (body?.nonce !== undefined && (typeof body.nonce === 'string' ? body.nonce.length > 25 : !Number.isInteger(body.nonce))) {
      errors.nonce = fieldError('BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    }
    if (Object.keys(errors).length > 0) return invalidForm(errors);
    if (!content && embeds.length === 0) return error(400, 50006, 'Cannot send an empty message');
    return undefined;
  }

  /** Minimal checks of a bulk overwrite: names, descriptions, option shapes and nesting. */
  function validateCommands(body: unknown): Answer | undefined {
    if (!Array.isArray(body)) return invalidForm({ _errors: [{ code: 'LIST_TYPE_CONVERT', message: 'Only iterables may be used in a ListType' }] });
    const NAME = /^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$/u;
    const problems: string[] = [];
    const checkOptions = (options: any[] | undefined, where: string, depth: number) => {
      if (!options) return;
      if (options.length > 25) problems.push(`${where}: more than 25 options`);
      let optionalSeen = false;
      for (const o of options) {
        const at = `${where}.${o.name}`;
        if (typeof o.name !== 'string' || !NAME.test(o.name)) problems.push(`${at}: invalid name`);
        if (typeof o.description !== 'string' || o.description.length < 1 || o.description.length > 100) problems.push(`${at}: description must be 1-100 characters`);
        if (o.type === 1 || o.type === 2) {
          if (depth >= (o.type === 2 ? 1 : 2)) problems.push(`${at}: subcommand nested too deep`);
          if (o.type === 2 && (o.options ?? []).some((x: any) => x.type !== 1)) problems.push(`${at}: a group holds only subcommands`);
          checkOptions(o.options, at, depth + 1);
        } else {
          if (o.autocomplete && o.choices?.length) problems.push(`${at}: autocomplete and choices are exclusive`);
          if (o.autocomplete && ![3, 4, 10].includes(o.type)) problems.push(`${at}: autocomplete on a non-text option`);
          if (o.required && optionalSeen) problems.push(`${at}: required options must come first`);
          if (!o.required) optionalSeen = true;
        }
      }
    };
    for (const c of body) {
      if (typeof c.name !== 'string' || !NAME.test(c.name)) problems.push(`${c.name}: invalid name`);
      if ((c.type ?? 1) === 1 && (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 100)) problems.push(`${c.name}: description must be 1-100 characters`);
      checkOptions(c.options, String(c.name), 0);
    }
    if (problems.length === 0) return undefined;
    return invalidForm({ _errors: problems.map((message) => ({ code: 'APPLICATION_COMMAND_INVALID', message })) });
  }
}

/** A random interaction token, like Discord's (long, URL-safe). */
export function interactionToken(): string {
  return `aW50ZXJhY3Rpb24${randomBytes(24).toString('base64url')}`;
}
