import { AppError } from '../errors.ts';
import { readEnv } from '../env.ts';
import type { CliCommand } from './command.ts';
import { usageError } from './context.ts';

const SNOWFLAKE = /^\d{15,21}$/;

/**
 * `watchfloor discord deploy`: registers `/watch` as a step of its own, as Discord recommends, rather than on
 * every start (registration is rate-limited and a bulk overwrite). Reads only the environment, no config file.
 */
export const discordDeployCommand: CliCommand = {
  name: 'discord deploy',
  summary: 'register the /watch slash command with Discord (in one server with --guild)',
  usage: `Usage: watchfloor discord deploy [--guild ID]

Registers /watch with its subcommands and options (topic names autocomplete) for the bot's application,
replacing the application's commands, so an option removed in an upgrade disappears too. Run it once after
inviting the bot, and again after an upgrade that changes the command. \`watchfloor run\` answers it.

Reads DISCORD_TOKEN (the bot token) and DISCORD_APPLICATION_ID from the environment; DISCORD_API_URL
overrides the REST base (a proxy or a test server). No config file is read.

Exits 0 when Discord stored the command, 2 when a variable or --guild is missing or malformed, 1 when
Discord refused (wrong token, wrong application id, a server the bot is not in) or could not be reached.

Options:
  -g, --guild ID      register in this server only: available at once (without it: every server the bot
                      is in, which can take a while to appear)
  -h, --help          show this help`,
  options: { guild: { type: 'string', short: 'g' } },
  async run({ values }, io) {
    const env = readEnv(io.env);
    const missing = (['DISCORD_TOKEN', 'DISCORD_APPLICATION_ID'] as const).filter((name) => !env[name]);
    if (missing.length > 0) {
      throw new AppError('config', `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set: copy ${missing.map(portalPlace).join(' and ')} from the Discord Developer Portal into the environment (see docs/discord.md).`);
    }
    const guildId = values.guild as string | undefined;
    if (guildId !== undefined && !SNOWFLAKE.test(guildId)) {
      throw usageError(`--guild takes a server id (15 to 21 digits), not "${guildId}": with Developer Mode on, right-click the server → Copy Server ID.`);
    }
    // discord.js loads only for this command, not for every `watchfloor` run.
    const { deployCommands, SUBCOMMANDS, WATCH_COMMAND } = await import('../chat/discord/commands.ts');
    const registered = await deployCommands({ token: env.DISCORD_TOKEN!, applicationId: env.DISCORD_APPLICATION_ID!, apiUrl: env.DISCORD_API_URL, guildId });
    const watch = registered.find((c) => c.name === WATCH_COMMAND);
    const where = guildId ? `in server ${guildId} (available now)` : 'for every server the bot is in (it can take a while to appear)';
    io.stdout.write(`registered /${WATCH_COMMAND} with ${SUBCOMMANDS.length} subcommands ${where}${watch ? `; command id ${watch.id}` : ''}\n`);
    return 0;
  },
};

function portalPlace(name: 'DISCORD_TOKEN' | 'DISCORD_APPLICATION_ID'): string {
  return name === 'DISCORD_TOKEN' ? 'the bot token (Bot → Reset Token)' : 'the Application ID (General Information)';
}
