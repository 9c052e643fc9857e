/**
 * The Discord bot: a gateway connection that answers `/watch` through the platform-neutral command layer.
 *
 * `createDiscordBot({ token, applicationId, apiUrl?, handler, topicNames, log })`:
 * - `token` (DISCORD_TOKEN), `applicationId` (DISCORD_APPLICATION_ID): the bot's credentials.
 * - `apiUrl` (DISCORD_API_URL): REST base without the version; discord.js also finds the gateway there
 *   (`GET /gateway/bot`), so one URL points the whole bot at a proxy or a test fake.
 * - `handler`: text in, neutral `Reply` out (src/commands/types.ts); `topicNames`: every topic slug, for
 *   autocomplete; `log`: pino logger.
 * Returns `{ start(), stop() }`: `start` resolves once the client is ready (READY and every GUILD_CREATE).
 * Only `run` starts it; `once` posts through the sink alone.
 *
 * Each `/watch` interaction is deferred before anything else (Discord allows 3 s for the first answer),
 * ephemeral when the answer will be private (`test`, `help`, `private:true`), then edited with the reply.
 * A reply that turns out private after a public deferral replaces it with an ephemeral follow-up, so
 * a private answer is never shown to the channel. Admin = Manage Server, checked on every interaction.
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
}

export interface DiscordBot {
  start(): Promise<void>;
  stop(): Promise<void>;
}

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
    const request = watchRequest(interaction.options.data);
    const ephemeral = request?.private ?? true;
    try {
      await interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    } catch (err) {
      log.warn({ err: errorMessage(err) }, 'discord: could not acknowledge /watch in time');
      return;
    }
    let reply: Reply;
    if (!request) {
      reply = { visibility: 'private', ok: false, parts: [{ type: 'text', text: 'This /watch subcommand is not known here: run `watchfloor discord deploy` to update the command.' }] };
    } else {
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
        reply = await options.handler({
          text: request.text,
          caller,
          // Manage Server as Discord computed it for this member in this channel, on every call.
          isAdmin: async () => interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
        });
      } catch (err) {
        log.error({ err: errorMessage(err), command: request.text }, 'discord: /watch handler failed');
        reply = FAILURE;
      }
    }
    await answer(interaction, reply, ephemeral);
  }

  async function answer(interaction: ChatInputCommandInteraction, reply: Reply, deferredEphemeral: boolean): Promise<void> {
    const messages = replyMessages(reply);
    const toOptions = (m: DiscordMessage) => ({ content: m.content ?? '', embeds: m.embeds ?? [], allowedMentions: m.allowed_mentions });
    if (reply.visibility === 'private' && !deferredEphemeral) {
      // A public "thinking…" cannot become ephemeral: remove it and answer privately.
      await interaction.deleteReply();
      for (const m of messages) await interaction.followUp({ ...toOptions(m), flags: MessageFlags.Ephemeral });
      return;
    }
    const [first, ...rest] = messages;
    await interaction.editReply(toOptions(first!));
    for (const m of rest) await interaction.followUp({ ...toOptions(m), ...(deferredEphemeral ? { flags: MessageFlags.Ephemeral } : {}) });
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
