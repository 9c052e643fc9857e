/**
 * The Discord bot: a gateway connection that answers `/watch` through the platform-neutral command layer.
 *
 * `createDiscordBot({ token, applicationId, apiUrl?, handler, topicNames, log })`:
 * - `token` (DISCORD_TOKEN), `applicationId` (DISCORD_APPLICATION_ID): the bot's credentials.
 * - `apiUrl` (DISCORD_API_URL): REST base without the version; discord.js also finds the gateway there
 *   (`GET /gateway/bot`), so one URL points the whole bot at a proxy or a test fake.
 * - `handler`: text in, neutral `Reply` out (src/commands/types.ts); `topicNames`: every topic slug, for
 *   autocomplete; `log`: pino logger.
 * - `deferAfterMs` (default 1,500): how long an answer may take before the interaction is deferred.
 * Returns `{ start(), stop() }`: `start` resolves once the client is ready (READY and every GUILD_CREATE).
 * Only `run` starts it; `once` posts through the sink alone.
 *
 * Answering (Discord allows 3 s for the first response, and fixes its visibility then: a public deferral cannot
 * become ephemeral, nor an ephemeral one public). Whether an answer is private is known only once the command
 * ran — `subscribe` is public, its refusal of a misspelt topic private — so:
 * - the handler gets `deferAfterMs` first; done by then (the usual case), its reply is the interaction's
 *   response, ephemeral exactly when the reply is private;
 * - slower, the interaction is deferred *ephemeral*. A private reply then edits it; a channel reply edits it
 *   with a one-line note for the caller and is posted as a public follow-up (the first follow-up of a deferral
 *   would only replace the ephemeral "thinking…", so the edit comes first).
 * A private answer is never shown to the channel, and no public "thinking…" is left behind or deleted.
 * Admin = Manage Server, checked on every interaction.
 */
import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  Client,
  Events,
  GatewayIntentBits,
  type Interaction,
  MessageFlags,
  PermissionFlagsBits,
} from 'discord.js';
import type { CommandHandler, Reply } from '../../commands/types.ts';
import { errorMessage } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { DEFAULT_API_URL } from './adapter.ts';
import { WATCH_COMMAND, isTopicOption, resolveSubcommand, topicChoices, watchRequest } from './commands.ts';
import { type DiscordMessage, replyMessages } from './format.ts';

export interface DiscordBotOptions {
  token: string;
  /** Optional: when given, a bot whose application differs is logged (deploy would register elsewhere). */
  applicationId?: string;
  apiUrl?: string;
  handler: CommandHandler;
  topicNames: () => Promise<readonly string[]> | readonly string[];
  log: Logger;
  /** Defer an answer not ready by then (ms). Discord's 3 s include the gateway's delivery and our response. */
  deferAfterMs?: number;
}

export interface DiscordBot {
  start(): Promise<void>;
  stop(): Promise<void>;
}

const DEFER_AFTER_MS = 1_500;
/** Discord's 3 s for the first response, less what our response needs to reach it. */
const RESPONSE_WINDOW_MS = 2_500;

const FAILURE: Reply = { visibility: 'private', ok: false, parts: [{ type: 'text', text: 'Something went wrong while answering; the error was logged. Try again in a minute.' }] };

export function createDiscordBot(options: DiscordBotOptions): DiscordBot {
  const { log } = options;
  const client = new Client({
    // Slash commands arrive over the gateway with no intent at all; Guilds gives the channel and role
    // caches that interactions refer to. No message content, no members, no presences.
    intents: [GatewayIntentBits.Guilds],
    rest: { api: options.apiUrl ?? DEFAULT_API_URL },
    allowedMentions: { parse: [] },
  });

  client.on(Events.InteractionCreate, (interaction) => {
    void onInteraction(interaction).catch((err: unknown) => log.error({ err: errorMessage(err) }, 'discord: interaction failed'));
  });
  client.on(Events.Error, (err) => log.error({ err: errorMessage(err) }, 'discord: client error'));
  client.on(Events.ShardDisconnect, (event) => log.warn({ code: event.code }, 'discord: gateway disconnected'));

  async function onInteraction(interaction: Interaction): Promise<void> {
    if (interaction.isAutocomplete() && interaction.commandName === WATCH_COMMAND) return autocomplete(interaction);
    if (!interaction.isChatInputCommand() || interaction.commandName !== WATCH_COMMAND) return;
    const replied = replyTo(interaction);
    // The 3 s run from the interaction's creation (its id's timestamp): one delivered late gets less time. A
    // clock ahead of Discord's only makes the bot defer sooner, which is always safe.
    const left = RESPONSE_WINDOW_MS - (Date.now() - interaction.createdTimestamp);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, Math.min(options.deferAfterMs ?? DEFER_AFTER_MS, left)), undefined);
      timer.unref();
    });
    const quick = await Promise.race([replied, late]);
    clearTimeout(timer);
    if (quick) return respond(interaction, quick);
    try {
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    } catch (err) {
      log.warn({ err: errorMessage(err) }, 'discord: could not acknowledge /watch in time');
      return;
    }
    await answerDeferred(interaction, await replied);
  }

  /** The handler's reply to an interaction; never rejects (a failure is FAILURE, logged). */
  async function replyTo(interaction: ChatInputCommandInteraction): Promise<Reply> {
    const request = watchRequest(interaction.options.data);
    if (!request) {
      return { visibility: 'private', ok: false, parts: [{ type: 'text', text: 'This /watch subcommand is not known here: run `watchfloor discord deploy` to update the command.' }] };
    }
    const caller = {
      platform: 'discord',
      workspace: interaction.guildId ?? '@me',
      channel: interaction.channelId,
      ...(interaction.channel && 'name' in interaction.channel && interaction.channel.name ? { channelName: interaction.channel.name } : {}),
      user: interaction.user.id,
      userName: interaction.user.username,
    };
    log.info({ guild: caller.workspace, channel: caller.channel, user: caller.user, command: request.text }, 'discord: /watch');
    try {
      return await options.handler({
        text: request.text,
        caller,
        // Manage Server as Discord computed it for this member in this channel, on every call.
        isAdmin: async () => interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
      });
    } catch (err) {
      log.error({ err: errorMessage(err), command: request.text }, 'discord: /watch handler failed');
      return FAILURE;
    }
  }

  const toOptions = (m: DiscordMessage) => ({ content: m.content ?? '', embeds: m.embeds ?? [], allowedMentions: m.allowed_mentions });

  /** In time: the reply is the response itself, its visibility the reply's; the rest follow alike. */
  async function respond(interaction: ChatInputCommandInteraction, reply: Reply): Promise<void> {
    const flags = reply.visibility === 'private' ? { flags: MessageFlags.Ephemeral } as const : {};
    const [first, ...rest] = replyMessages(reply);
    try {
      await interaction.reply({ ...toOptions(first!), ...flags });
    } catch (err) {
      log.warn({ err: errorMessage(err) }, 'discord: could not answer /watch in time');
      return;
    }
    for (const m of rest) await interaction.followUp({ ...toOptions(m), ...flags });
  }

  /** After an ephemeral deferral: a private reply fills it; a channel reply is posted after it, publicly. */
  async function answerDeferred(interaction: ChatInputCommandInteraction, reply: Reply): Promise<void> {
    const messages = replyMessages(reply);
    if (reply.visibility === 'private') {
      const [first, ...rest] = messages;
      await interaction.editReply(toOptions(first!));
      for (const m of rest) await interaction.followUp({ ...toOptions(m), flags: MessageFlags.Ephemeral });
      return;
    }
    await interaction.editReply({ content: 'Done: the answer is posted in the channel, for everyone.', allowedMentions: { parse: [] } });
    try {
      for (const m of messages) await interaction.followUp(toOptions(m));
    } catch (err) {
      // The command did its work; the caller at least sees the answer.
      log.warn({ err: errorMessage(err) }, 'discord: could not post the /watch answer in the channel');
      await interaction.editReply(toOptions(messages[0]!));
    }
  }

  async function autocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const found = resolveSubcommand(interaction.options.data);
    const focused = interaction.options.getFocused(true);
    if (!found || !isTopicOption(found.spec, focused.name)) {
      await interaction.respond([]);
      return;
    }
    let names: readonly string[] = [];
    try {
      names = await options.topicNames();
    } catch (err) {
      log.warn({ err: errorMessage(err) }, 'discord: topic names for autocomplete failed');
    }
    await interaction.respond(topicChoices(names, String(focused.value)));
  }

  return {
    async start() {
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(options.token);
      await ready;
      if (options.applicationId && client.application && client.application.id !== options.applicationId) {
        log.warn({ application: client.application.id }, 'discord: DISCORD_APPLICATION_ID is not this bot\'s application; `watchfloor discord deploy` will fail');
      }
      log.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'discord: bot connected');
    },
    async stop() {
      await client.destroy();
    },
  };
}
